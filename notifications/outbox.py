"""The transactional outbox: subscribed to the timeline (`NotificationsConfig.ready`),
so the timeline writer calls it for every event, inside the event's transaction.

`record_for_event` writes one `Notification` row per recipient and channel with two
`INSERT ... SELECT` statements (notification centre, e-mail), however large the
audience; the SELECT is the recipient rule of `recipients.py` (S608 is silenced on
the SQL below: only table names from the models' metadata and fragments built in
recipients.py are interpolated, every value is a query parameter). It then
writes the invitation e-mail of a `co_initiator_invited` event (a row for the
invitee's address, see `_record_invitation`). It then
registers an on-commit callback that puts delivery tasks on the queue: one task
per event, or one per NOTIFICATION_BATCH_SIZE e-mail rows for a large audience,
never one per row. A rolled-back change leaves no row
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
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from challenges.constants import EventCode
from challenges.models import Invitation
from challenges.registry import kind_of

from . import recipients
from .constants import Channel, DeliveryStatus, Frequency, Reason
from .models import Notification

logger = logging.getLogger(__name__)


def record_for_event(event) -> int:
    """Record who must hear about `event` (one row per recipient and channel).

    Two statements, whatever the audience: one `INSERT ... SELECT` for the
    notification centre (rows born sent: visible once the transaction commits) and
    one for e-mail (pending; none for people who switched this kind off or have no
    address). Returns the number of e-mail rows.
    """
    who = recipients.audience(event)
    join, join_params = recipients.preference_join(event)
    ops = connection.ops
    table = ops.quote_name(Notification._meta.db_table)
    users = ops.quote_name(get_user_model()._meta.db_table)
    now = ops.adapt_datetimefield_value(event.created_at)
    kind = kind_of(event.code)
    columns = (
        "event_id, recipient_id, channel, kind, frequency, reason, status, attempts, "
        "last_error, address, created_at"
    )
    in_app = (
        f"INSERT INTO {table} ({columns}, sent_at) "  # noqa: S608
        f"SELECT %s, u.id, %s, %s, %s, {who.reason}, %s, 0, '', '', %s, %s FROM {users} u "
        f"WHERE {who.where}"
    )
    in_app_params = [
        event.pk,
        Channel.IN_APP,
        kind,
        Frequency.IMMEDIATE,
        *who.reason_params,
        DeliveryStatus.SENT,
        now,
        now,
        *who.where_params,
    ]
    email = (
        f"INSERT INTO {table} ({columns}) "  # noqa: S608
        f"SELECT %s, u.id, %s, %s, COALESCE(p.frequency, %s), {who.reason}, %s, 0, '', '', %s "
        f"FROM {users} u {join} "
        f"WHERE {who.where} AND u.email <> '' AND COALESCE(p.frequency, %s) <> %s"
    )
    email_params = [
        event.pk,
        Channel.EMAIL,
        kind,
        Frequency.IMMEDIATE,
        *who.reason_params,
        DeliveryStatus.PENDING,
        now,
        *join_params,
        *who.where_params,
        Frequency.IMMEDIATE,
        Frequency.OFF,
    ]
    returning = connection.features.can_return_columns_from_insert
    with connection.cursor() as cursor:
        cursor.execute(in_app, in_app_params)
        if returning:
            cursor.execute(email + " RETURNING id, frequency", email_params)
            rows = cursor.fetchall()
        else:
            cursor.execute(email, email_params)
            rows = list(
                Notification.objects.filter(event=event, channel=Channel.EMAIL).values_list(
                    "pk", "frequency"
                )
            )
    immediate = sorted(pk for pk, frequency in rows if frequency == Frequency.IMMEDIATE)
    invitation_row = _record_invitation(event, kind)
    if invitation_row is not None:
        rows.append((invitation_row, Frequency.IMMEDIATE))
        immediate.append(invitation_row)
    if immediate:
        transaction.on_commit(partial(enqueue_delivery, event.pk, _ranges(immediate)))
    return len(rows)


def _record_invitation(event, kind: str) -> int | None:
    """The invitation e-mail of a `co_initiator_invited` event: a row addressed to
    the invitee's address (who may have no account), linked to the Invitation. The
    event's data names the invitation by id only; the token is read from the
    Invitation when the message is rendered, so it is stored nowhere else."""
    invitation_id = (event.data or {}).get("invitation")
    if event.code != EventCode.CO_INITIATOR_INVITED or not invitation_id:
        return None
    email = (
        Invitation.objects.filter(pk=invitation_id, challenge_id=event.challenge_id)
        .values_list("email", flat=True)
        .first()
    )
    if not email:
        return None
    return Notification.objects.create(
        event=event,
        recipient=None,
        address=email,
        invitation_id=invitation_id,
        channel=Channel.EMAIL,
        kind=kind,
        frequency=Frequency.IMMEDIATE,
        reason=Reason.INVITEE,
        status=DeliveryStatus.PENDING,
        created_at=event.created_at,
    ).pk


def _ranges(ids: list) -> list[tuple[int | None, int | None]]:
    """Split the rows to send into ranges of primary keys, one per delivery task."""
    size = settings.NOTIFICATION_BATCH_SIZE
    if len(ids) <= size:
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


def enqueue_rows(ids: list[int]) -> bool:
    """Put the delivery of these outbox rows on the queue; never raise (see above)."""
    from .tasks import deliver_notifications

    try:
        deliver_notifications.apply_async(args=(list(ids),))
    except Exception:  # the broker (or, run eagerly, the delivery itself) failed
        logger.warning(
            "Could not queue %d notification rows; the sweeper will retry.",
            len(ids),
            exc_info=True,
        )
        return False
    return True
