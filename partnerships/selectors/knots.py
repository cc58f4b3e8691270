"""The knots of one challenge, and the coordinator's list of every open knot."""

from django.db.models import QuerySet

from challenges.models import Challenge

from ..constants import KnotStatus
from ..models import Knot


def knots(challenge: Challenge) -> QuerySet[Knot]:
    return (
        Knot.objects.filter(challenge=challenge)
        .select_related("raised_by", "resolved_by")
        .order_by("status", "needed_by", "pk")
    )


def open_knots() -> QuerySet[Knot]:
    """Every open knot of every challenge, the one needed first at the top."""
    return (
        Knot.objects.filter(status=KnotStatus.OPEN)
        .select_related("challenge", "raised_by")
        .order_by("needed_by", "raised_at", "pk")
    )
