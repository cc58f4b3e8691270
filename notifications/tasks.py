"""Celery tasks of the notifications: thin, take ids, safe to run twice.

Delivery (`deliver_event`) runs on the "notifications" queue; the periodic work
(sweeper, digests) on "periodic". The beat tasks that record events (no progress,
deadline reminders, reflection rounds) live in the apps whose events they record.
Every task acknowledges its message only when done (acks_late) and is redelivered
if its worker process is lost (reject_on_worker_lost); the work it does is
idempotent (see delivery.py), so a redelivery sends nothing twice. The schedule is
CELERY_BEAT_SCHEDULE in the settings; docs/notifications.md describes it all.
"""

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from . import delivery, digests
from .constants import DIGEST_FREQUENCIES, Channel, DeliveryStatus, Frequency
from .models import Notification

logger = logging.getLogger(__name__)

_RELIABLE = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(
    **_RELIABLE,
    autoretry_for=(delivery.DeliveryIncomplete,),
    retry_backoff=5,
    retry_backoff_max=settings.NOTIFICATION_RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=8,
)
def deliver_event(event_id: int, first_id: int | None = None, last_id: int | None = None) -> int:
    """Send the pending immediate e-mails of one event (or of one range of its rows)."""
    result = delivery.deliver_event_emails(event_id=event_id, first_id=first_id, last_id=last_id)
    return result.sent


@shared_task(**_RELIABLE)
def sweep_pending(min_age_seconds: float | None = None) -> int:
    """Put events whose immediate e-mail rows are still pending back on the queue.

    Catches what the on-commit enqueue could not deliver: Redis was down at commit
    time, a worker died mid-task, retries ran out. Rows younger than
    NOTIFICATION_SWEEP_AGE are left alone (their first task is probably on its way);
    a row is re-queued at most once per NOTIFICATION_REQUEUE_INTERVAL, so a long
    queue is not flooded with copies. Returns the number of events queued.
    """
    from .outbox import enqueue_delivery

    now = timezone.now()
    age = settings.NOTIFICATION_SWEEP_AGE if min_age_seconds is None else min_age_seconds
    stale = Notification.objects.filter(
        channel=Channel.EMAIL,
        frequency=Frequency.IMMEDIATE,
        status=DeliveryStatus.PENDING,
        created_at__lte=now - timedelta(seconds=age),
    ).filter(
        Q(queued_at__isnull=True)
        | Q(queued_at__lt=now - timedelta(seconds=settings.NOTIFICATION_REQUEUE_INTERVAL))
    )
    event_ids = list(
        stale.order_by("event_id")
        .values_list("event_id", flat=True)
        .distinct()[: settings.NOTIFICATION_SWEEP_LIMIT]
    )
    if not event_ids:
        return 0
    # Mark before publishing: a worker that picks the task up at once must not find
    # the rows locked by this UPDATE (it would skip them as "someone else's").
    marked = Notification.objects.filter(
        pk__in=stale.filter(event_id__in=event_ids).values("pk")
    ).update(queued_at=now)
    queued = 0
    for event_id in event_ids:
        if not enqueue_delivery(event_id):
            # The broker is down: unmark what was not queued; the next sweep tries again.
            Notification.objects.filter(
                event_id__in=event_ids[queued:], queued_at=now, status=DeliveryStatus.PENDING
            ).update(queued_at=None)
            break
        queued += 1
    if queued:
        logger.info("Re-queued the pending e-mail of %d events (%d rows).", queued, marked)
    return queued


@shared_task(**_RELIABLE)
def send_digests(frequency: str) -> int:
    """Queue the digests of the last complete period, one task per batch of people."""
    if frequency not in DIGEST_FREQUENCIES:
        raise ValueError(f"{frequency!r} is not a digest frequency")
    period_start, period_end = digests.last_period(frequency)
    people = digests.recipients_due(frequency, period_end)
    for batch in digests.batches(people):
        send_digest_batch.delay(frequency, period_start.isoformat(), period_end.isoformat(), batch)
    return len(people)


@shared_task(
    **_RELIABLE,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=settings.NOTIFICATION_RETRY_BACKOFF_MAX,
    max_retries=5,
)
def send_digest_batch(
    frequency: str, period_start: str, period_end: str, recipient_ids: list[int]
) -> int:
    """Send the digest of one period to each of these people (once each)."""
    start, end = datetime.fromisoformat(period_start), datetime.fromisoformat(period_end)
    sent = 0
    for recipient_id in recipient_ids:
        sent += delivery.send_digest(
            recipient_id=recipient_id, frequency=frequency, period_start=start, period_end=end
        )
    return sent
