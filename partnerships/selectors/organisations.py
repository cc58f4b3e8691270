"""The partnership of a challenge: the organisation it is submitted on behalf of, with
its members."""

from django.db.models import Prefetch

from challenges.models import Challenge

from ..models import OrganisationMember, Partnership


def partnership_of(challenge: Challenge) -> Partnership | None:
    return (
        Partnership.objects.filter(challenge=challenge)
        .select_related("organisation")
        .prefetch_related(
            Prefetch("organisation__members", queryset=_members_queryset()),
        )
        .first()
    )


def _members_queryset():
    return OrganisationMember.objects.select_related("user").order_by("pk")
