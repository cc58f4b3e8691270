"""Reads of the notification centre, the follow button, the preferences page, and
the health of the e-mail delivery (`delivery_health`, for the admin, /health/ and a
coordinator dashboard)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from challenges import registry

from .constants import Channel, DeliveryStatus, Frequency
from .models import DeliveryOutage, Follow, Notification, Preference


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


@dataclass(frozen=True)
class DeliveryHealth:
    """How the e-mail outbox is doing: what waits, what failed, the current outage."""

    pending: int  # immediate e-mail rows not sent yet
    retrying: int  # of those, rows with at least one failed attempt
    failed: int  # rows that failed for good (staff can retry them)
    oldest_pending_at: datetime | None
    oldest_pending_seconds: float | None
    next_attempt_at: datetime | None  # the earliest scheduled retry
    outage: DeliveryOutage | None  # the mail server is unreachable since ...

    @property
    def healthy(self) -> bool:
        return self.outage is None and self.retrying == 0

    def as_dict(self) -> dict:
        """For /health/ and a dashboard: plain values, no addresses, no errors' secrets."""
        outage = self.outage
        return {
            "pending": self.pending,
            "retrying": self.retrying,
            "failed": self.failed,
            "oldest_pending_at": _iso(self.oldest_pending_at),
            "oldest_pending_seconds": None
            if self.oldest_pending_seconds is None
            else round(self.oldest_pending_seconds),
            "next_attempt_at": _iso(self.next_attempt_at),
            "outage": None
            if outage is None
            else {
                "since": _iso(outage.started_at),
                "failed_attempts": outage.attempts,
                "last_failure_at": _iso(outage.last_failure_at),
                "last_error": outage.last_error,
            },
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def delivery_health() -> DeliveryHealth:
    """Pending and failed counts, the oldest pending row, the current mail outage.

    Four small queries on the partial indexes of pending and failed rows, so it stays
    cheap with millions of sent rows (the admin and /health/ call it)."""
    waiting = Notification.objects.filter(
        channel=Channel.EMAIL, frequency=Frequency.IMMEDIATE, status=DeliveryStatus.PENDING
    )
    summary = waiting.aggregate(
        pending=Count("pk"),
        retrying=Count("pk", filter=Q(attempts__gt=0)),
        oldest=Min("created_at"),
        next_attempt=Min("next_attempt_at"),
    )
    failed = Notification.objects.filter(
        channel=Channel.EMAIL, status=DeliveryStatus.FAILED
    ).count()
    outage = DeliveryOutage.objects.filter(ended_at__isnull=True).first()
    oldest = summary["oldest"]
    return DeliveryHealth(
        pending=summary["pending"],
        retrying=summary["retrying"],
        failed=failed,
        oldest_pending_at=oldest,
        oldest_pending_seconds=(timezone.now() - oldest).total_seconds() if oldest else None,
        next_attempt_at=summary["next_attempt"],
        outage=outage,
    )
