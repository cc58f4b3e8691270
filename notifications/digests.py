"""Digest periods and who is due a digest.

Periods are calendar days and ISO weeks (Monday to Monday) in the portal's time
zone (Europe/Amsterdam), so a daily digest holds the events of one local day,
across daylight-saving changes too. Beat runs the digests after the period ended
(07:00 every day; Mondays 07:00 for the weekly one); a run looks at the period
that ended last, so running it late, or twice, changes nothing.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from .constants import Channel, DeliveryStatus, Frequency
from .models import Notification


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def last_period(frequency: str, now: datetime | None = None) -> tuple[datetime, datetime]:
    """(start, end) of the last complete period before `now`, aware, local midnights."""
    today = timezone.localtime(now or timezone.now()).date()
    if frequency == Frequency.DAILY:
        return _local_midnight(today - timedelta(days=1)), _local_midnight(today)
    if frequency == Frequency.WEEKLY:
        monday = today - timedelta(days=today.weekday())
        return _local_midnight(monday - timedelta(days=7)), _local_midnight(monday)
    raise ValueError(f"{frequency!r} is not a digest frequency")


def recipients_due(frequency: str, period_end: datetime) -> list[int]:
    """Ids of the people with pending digest rows from before the end of the period."""
    return list(
        Notification.objects.filter(
            channel=Channel.EMAIL,
            frequency=frequency,
            status=DeliveryStatus.PENDING,
            created_at__lt=period_end,
        )
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )


def batches(ids: list[int], size: int | None = None) -> list[list[int]]:
    size = size or settings.NOTIFICATION_BATCH_SIZE
    return [ids[i : i + size] for i in range(0, len(ids), size)]
