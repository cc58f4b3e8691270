"""Who the contact persons of a challenge are, were, and may be, and which side still
has none."""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from challenges import selectors as challenge_selectors
from challenges.models import Challenge
from challenges.permissions import COORDINATOR_GROUP, REVIEWER_GROUP

from ..constants import Side
from ..models import ContactPerson


def active_contact_persons(challenge: Challenge) -> dict[str, ContactPerson]:
    """The active contact person per side ({"municipality": ..., "challenger": ...})."""
    return {
        person.side: person
        for person in ContactPerson.objects.filter(
            challenge=challenge, ended_at__isnull=True, user__isnull=False
        ).select_related("user")
    }


def eligible_contact_persons(challenge: Challenge, side: str):
    """Who can be named contact person of a side: a team member for the challenger, a
    reviewer or coordinator for the municipality."""
    User = get_user_model()
    if side == Side.CHALLENGER:
        ids = [user.pk for user in challenge_selectors.team_members(challenge)]
        return User.objects.filter(pk__in=ids).order_by("first_name", "last_name", "pk")
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(groups__name__in=[REVIEWER_GROUP, COORDINATOR_GROUP]))
        .distinct()
        .order_by("first_name", "last_name", "pk")
    )


def contact_person_history(challenge: Challenge) -> QuerySet[ContactPerson]:
    return ContactPerson.objects.filter(challenge=challenge).select_related("user", "assigned_by")


def missing_contact_persons(challenge: Challenge) -> list[str]:
    """Sides (values) that have no active contact person (or whose account is deleted)."""
    active = set(
        ContactPerson.objects.filter(
            challenge=challenge, ended_at__isnull=True, user__isnull=False
        ).values_list("side", flat=True)
    )
    return [side.value for side in Side if side.value not in active]
