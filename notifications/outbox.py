"""The transactional outbox: called by the timeline writer for every event, inside
the event's transaction.

`record_for_event` writes one `Notification` row per recipient and channel in two
queries (select the recipients with their preference, one bulk insert), however
large the audience. It then registers an on-commit callback that puts delivery
tasks on the queue: one task per event, or one per NOTIFICATION_BATCH_SIZE e-mail
rows for a large audience, never one per row. A rolled-back change leaves no row
and queues nothing.

If the broker is down at commit time the callback logs a warning and returns: the
change is committed, the rows are pending, and the sweeper (`tasks.sweep_pending`,
every minute) puts them on the queue again. Publishing is configured to fail within
milliseconds when Redis refuses connections (settings: CELERY_BROKER_TRANSPORT_OPTIONS),
so the request that made the change does not wait for the broker.
"""

import logging
from functools import partial

from django.conf import settings
from django.db import transaction

from .constants import Channel, DeliveryStatus, Frequency, kind_of
from .models import Notification
from .recipients import recipients_for

logger = logging.getLogger(__name__)


def record_for_event(event) -> list[Notification]:
    """Record who must hear about `event` (one row per recipient and channel)."""
    kind = kind_of(event.code)
    now = event.created_at
    rows: list[Notification] = []
    for user_id, reason, frequency, email in recipients_for(event).values_list(
        "pk", "reason", "frequency", "email"
    ):
        # The notification centre: shown as soon as the transaction commits.
        rows.append(
            Notification(
                event=event,
                recipient_id=user_id,
                channel=Channel.IN_APP,
                kind=kind,
                frequency=Frequency.IMMEDIATE,
                reason=reason,
                status=DeliveryStatus.SENT,
                created_at=now,
                sent_at=now,
            )
        )
        if frequency != Frequency.OFF and email:
            rows.append(
                Notification(
                    event=event,
                    recipient_id=user_id,
                    channel=Channel.EMAIL,
                    kind=kind,
                    frequency=frequency,
                    reason=reason,
                    created_at=now,
                )
            )
    if not rows:
        return rows
    Notification.objects.bulk_create(rows)
    immediate = sorted(
        row.pk
        for row in rows
        if row.channel == Channel.EMAIL and row.frequency == Frequency.IMMEDIATE
    )
    if immediate:
        transaction.on_commit(partial(enqueue_delivery, event.pk, _ranges(immediate)))
    return rows


def _ranges(ids: list) -> list[tuple[int | None, int | None]]:
    """Split the rows to send into ranges of primary keys, one per delivery task."""
    size = settings.NOTIFICATION_BATCH_SIZE
    if None in ids or len(ids) <= size:
        return [(None, None)]  # one task takes every pending row of the event
    chunks = (ids[i : i + size] for i in range(0, len(ids), size))
    return [(chunk[0], chunk[-1]) for chunk in chunks]


def enqueue_delivery(event_id: int, ranges=((None, None),)) -> bool:
    """Put the delivery of an event's e-mail on the queue; never raise.

    Returns False when the broker could not be reached; the sweeper will retry.
    """
    from .tasks import deliver_event

    try:
        for first_id, last_id in ranges:
            deliver_event.apply_async(
                args=(event_id,), kwargs={"first_id": first_id, "last_id": last_id}
            )
    except Exception:  # the broker (or, run eagerly, the delivery itself) failed
        # Broad on purpose: this runs after the commit, in the web request; the
        # change is saved and the rows are pending, so the sweeper will deliver.
        logger.warning(
            "Could not queue the notifications of event %s; the sweeper will retry.",
            event_id,
            exc_info=True,
        )
        return False
    return True
