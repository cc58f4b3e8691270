"""Every change a person makes to their notifications goes through a function here,
and the municipality's one change to the outbox: sending failed e-mail again."""

import logging
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges import permissions, registry
from challenges.constants import Status
from core.errors import ServiceError

from .constants import Channel, DeliveryStatus, Frequency
from .models import Follow, Notification, Preference

audit = logging.getLogger("rtc.audit")


def can_follow(user, challenge) -> bool:
    """Anyone logged in may follow a submitted challenge; drafts are nobody's to follow."""
    return (
        getattr(user, "is_authenticated", False)
        and user.is_active
        and challenge.status != Status.DRAFT
        and permissions.can_view(user, challenge)
    )


def follow_create(*, user, challenge) -> Follow:
    if not can_follow(user, challenge):
        raise ServiceError(_("You cannot follow this challenge."))
    try:
        with transaction.atomic():
            follow, _created = Follow.objects.get_or_create(user=user, challenge=challenge)
    except IntegrityError:  # followed at the same moment in another request
        follow = Follow.objects.get(user=user, challenge=challenge)
    return follow


def follow_delete(*, user, challenge) -> bool:
    deleted, _per_model = Follow.objects.filter(user=user, challenge=challenge).delete()
    return bool(deleted)


@transaction.atomic
def preferences_update(*, user, frequencies: dict[str, str]) -> None:
    """Store the person's frequency per kind; "immediately" is the default, so no row."""
    unknown = set(frequencies) - {kind.code for kind in registry.kinds()}
    if unknown or not set(frequencies.values()) <= set(Frequency.values):
        raise ServiceError(_("Choose one of the options for every kind of message."))
    for kind, frequency in frequencies.items():
        if frequency == Frequency.IMMEDIATE:
            Preference.objects.filter(user=user, kind=kind).delete()
        else:
            Preference.objects.update_or_create(
                user=user, kind=kind, defaults={"frequency": frequency}
            )


def notification_mark_read(*, notification: Notification, user) -> Notification:
    if notification.recipient_id != user.pk or notification.channel != Channel.IN_APP:
        raise ServiceError(_("This is not your notification."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(
        recipient=user, channel=Channel.IN_APP, read_at__isnull=True
    ).update(read_at=timezone.now())


def can_retry_deliveries(user) -> bool:
    """The municipality's people (reviewers, coordinators) may send failed e-mail again."""
    return permissions.is_municipality(user)


def notifications_retry(*, ids, actor) -> int:
    """Put failed e-mail rows back in the outbox, as new: no attempts counted against
    the retry horizon, due at once. Audit-logged (who, how many, which rows). The
    delivery is queued after the commit; if the broker is down the sweeper sends them.
    Returns the number of rows put back."""
    from .outbox import enqueue_rows

    if not can_retry_deliveries(actor):
        raise ServiceError(_("Only the municipality's people can send failed e-mail again."))
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update()
            .filter(pk__in=list(ids), channel=Channel.EMAIL, status=DeliveryStatus.FAILED)
            .values_list("pk", flat=True)
        )
        if not rows:
            return 0
        Notification.objects.filter(pk__in=rows).update(
            status=DeliveryStatus.PENDING,
            frequency=Frequency.IMMEDIATE,
            next_attempt_at=None,
            give_up_at=None,
            queued_at=None,
        )
        audit.info(
            "notifications retried by user=%s count=%d ids=%s",
            actor.pk,
            len(rows),
            ",".join(str(pk) for pk in rows),
        )
        size = settings.NOTIFICATION_BATCH_SIZE
        for start in range(0, len(rows), size):
            transaction.on_commit(partial(enqueue_rows, rows[start : start + size]))
    return len(rows)
