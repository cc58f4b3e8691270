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
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import delivery, digests
from .constants import DIGEST_FREQUENCIES, Channel, DeliveryStatus, Frequency
from .models import Notification

logger = logging.getLogger(__name__)

_RELIABLE = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(**_RELIABLE)
def deliver_event(event_id: int, first_id: int | None = None, last_id: int | None = None) -> int:
    """Try the due immediate e-mails of one event (or of one range of its rows) once.

    No task retries: a row that fails for now gets its own next attempt time and the
    sweeper queues it again when that time has come (delivery.py, "retry by time")."""
    result = delivery.deliver_event_emails(event_id=event_id, first_id=first_id, last_id=last_id)
    return result.sent


@shared_task(**_RELIABLE)
def deliver_notifications(ids: list[int]) -> int:
    """Try these outbox rows once (a batch the sweeper claimed), those still due."""
    return delivery.deliver_notifications(ids).sent


def _due_for_sweep(now, age: float):
    """Immediate e-mail rows whose next attempt is due and that are not on the queue
    already: never queued, or their queued task has made its attempt since
    (last_attempt_at), or it was lost (queued longer than NOTIFICATION_REQUEUE_INTERVAL
    ago: the broker lost it, or a worker died with it)."""
    return Notification.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        Q(queued_at__isnull=True)
        | Q(queued_at__lte=F("last_attempt_at"))
        | Q(queued_at__lt=now - timedelta(seconds=settings.NOTIFICATION_REQUEUE_INTERVAL)),
        channel=Channel.EMAIL,
        frequency=Frequency.IMMEDIATE,
        status=DeliveryStatus.PENDING,
        created_at__lte=now - timedelta(seconds=age),
    )


@shared_task(**_RELIABLE)
def sweep_pending(min_age_seconds: float | None = None) -> int:
    """Queue the immediate e-mail rows whose next attempt is due.

    Catches what the on-commit enqueue could not deliver (Redis was down at commit
    time), what a dead worker left, and every row waiting for its next attempt after
    a failure. Rows younger than NOTIFICATION_SWEEP_AGE are left alone (their first
    task is probably on its way). The rows are claimed before publishing, in one
    transaction with `SELECT ... FOR UPDATE SKIP LOCKED` (two sweeps never claim the
    same row) that marks them `queued_at`; a claimed row is not queued again until
    its task has made an attempt, so the queue never holds copies of a scheduled
    row. At most NOTIFICATION_SWEEP_LIMIT rows per sweep, NOTIFICATION_BATCH_SIZE
    per task. Returns the number of rows queued.
    """
    from .outbox import enqueue_rows

    now = timezone.now()
    age = settings.NOTIFICATION_SWEEP_AGE if min_age_seconds is None else min_age_seconds
    with transaction.atomic():
        ids = list(
            _due_for_sweep(now, age)
            .select_for_update(skip_locked=True)
            .order_by(F("next_attempt_at").asc(nulls_first=True), "pk")
            .values_list("pk", flat=True)[: settings.NOTIFICATION_SWEEP_LIMIT]
        )
        if not ids:
            return 0
        Notification.objects.filter(pk__in=ids).update(queued_at=now)
    size = settings.NOTIFICATION_BATCH_SIZE
    batches = [ids[i : i + size] for i in range(0, len(ids), size)]
    queued = 0
    for number, batch in enumerate(batches):
        if not enqueue_rows(batch):
            # The broker is down: unmark what was not queued; the next sweep tries again.
            rest = [pk for later in batches[number:] for pk in later]
            Notification.objects.filter(
                pk__in=rest, queued_at=now, status=DeliveryStatus.PENDING
            ).update(queued_at=None)
            break
        queued += len(batch)
    if queued:
        logger.info("Queued %d due e-mail rows in %d tasks.", queued, -(-queued // size))
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
