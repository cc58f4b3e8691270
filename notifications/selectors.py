"""Reads of the notification centre, the follow button and the preferences page."""

from django.db.models import QuerySet

from challenges import registry

from .constants import Channel, Frequency
from .models import Follow, Notification, Preference


def notifications_for(user) -> QuerySet[Notification]:
    """The person's notification centre, newest first (in-app rows only)."""
    return (
        Notification.objects.filter(recipient=user, channel=Channel.IN_APP)
        .select_related("event", "event__challenge")
        .order_by("-created_at", "-pk")
    )


def unread_count(user) -> int:
    return Notification.objects.filter(
        recipient=user, channel=Channel.IN_APP, read_at__isnull=True
    ).count()


def is_following(user, challenge) -> bool:
    return Follow.objects.filter(user=user, challenge=challenge).exists()


def frequencies_for(user) -> dict[str, str]:
    """The person's frequency for every kind (immediately where they never chose)."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "frequency"))
    return {kind.code: chosen.get(kind.code, Frequency.IMMEDIATE) for kind in registry.kinds()}
