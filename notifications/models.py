"""Follows, preferences, the outbox (which is also the notification centre) and digests.

`Notification` is one row per (event, recipient, channel), written in the
transaction of the event by `notifications.outbox.record_for_event`. For the
in-app channel the row *is* the notification, visible once committed; for e-mail
it is the outbox entry a Celery worker delivers and marks sent. The unique
constraint makes a second row for the same event, person and channel impossible,
so nothing is recorded, shown or sent twice.

An e-mail row may be addressed to an address without an account: the invitation of
a co-initiator (`invitation` set, `recipient` empty, `address` the invitee's). Its
message is rendered from the Invitation row when it is sent, so the invitation's
token lives only there, never in the event's (public or parties-only) data.

Retry by time: a row that fails for now gets its own `next_attempt_at` (exponential
backoff with jitter, `notifications.delivery.next_attempt_delay`) until `give_up_at`
(NOTIFICATION_RETRY_HORIZON after its first failure), then it is `failed`. A mail
server that cannot be reached is also recorded as a `DeliveryOutage`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges import registry
from challenges.models import Challenge, Invitation, TimelineEvent

from .constants import Channel, DeliveryStatus, Frequency, Reason


def _now():
    # Looked up at call time, so a controlled clock (tests) applies.
    return timezone.now()


class Follow(models.Model):
    """A logged-in person who wants to hear about a challenge's public events."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(default=_now)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["user", "challenge"], name="unique_follow"),
        ]
        # The outbox looks followers up by challenge.
        indexes = [models.Index(fields=["challenge", "user"], name="follow_challenge_idx")]

    def __str__(self) -> str:
        return f"{self.user} → {self.challenge}"


class Preference(models.Model):
    """How often a person wants e-mail about one kind of event. No row: immediately."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=registry.kind_choices)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="unique_preference_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.frequency}"


class Digest(models.Model):
    """One digest message per person, frequency and period: the row that makes it once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_digests"
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    created_at = models.DateTimeField(default=_now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "frequency", "period_start"], name="one_digest_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.frequency} {self.period_start:%Y-%m-%d}"


class Notification(models.Model):
    """The outbox row of one event for one person on one channel (see the module)."""

    # No single-column indexes on these two: the unique constraint (event, ...) and
    # the centre's index (recipient, ...) serve every lookup, and each index is work
    # in the request that records an event for many people.
    event = models.ForeignKey(
        TimelineEvent, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    # Empty only for a message to an address without an account (an invitation).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
        null=True,
        blank=True,
    )
    # The address of a row without a recipient; empty otherwise (the account's counts).
    address = models.EmailField(blank=True)
    # The co-initiator invitation this row delivers (its token is read at send time).
    invitation = models.ForeignKey(
        Invitation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    kind = models.CharField(max_length=20, choices=registry.kind_choices)
    # The recipient's preference when the event happened (immediate/daily/weekly).
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=_now)
    # When the sweeper last put the row on the queue: it is not queued again before
    # that task made an attempt (last_attempt_at) or NOTIFICATION_REQUEUE_INTERVAL passed.
    queued_at = models.DateTimeField(null=True, blank=True)
    # Retry by time: empty = at once; a failed attempt sets the next one (backoff).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # Set by the first failed attempt: after this moment a failure is final.
    give_up_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        Digest, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient", "channel"], name="one_notification_per_channel"
            ),
            models.UniqueConstraint(
                fields=["invitation", "channel"],
                condition=Q(invitation__isnull=False),
                name="one_notification_per_invitation",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(address=""),
                name="notification_has_an_addressee",
            ),
        ]
        indexes = [
            # The sweeper: immediate e-mail rows waiting for their next attempt.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(
                    status=DeliveryStatus.PENDING,
                    channel=Channel.EMAIL,
                    frequency=Frequency.IMMEDIATE,
                ),
                name="notification_due_idx",
            ),
            # The delivery health (failed rows, for the admin and /health/).
            models.Index(
                fields=["created_at"],
                condition=Q(status=DeliveryStatus.FAILED),
                name="notification_failed_idx",
            ),
            # The sweeper and the digests: only pending rows (few, in a healthy system).
            models.Index(
                fields=["frequency", "recipient", "created_at"],
                condition=Q(status=DeliveryStatus.PENDING),
                name="notification_pending_idx",
            ),
            # The header's unread count.
            models.Index(
                fields=["recipient"],
                condition=Q(channel=Channel.IN_APP, read_at__isnull=True),
                name="notification_unread_idx",
            ),
            # The notification centre, newest first.
            models.Index(
                fields=["recipient", "channel", "-created_at", "-id"],
                name="notification_centre_idx",
            ),
        ]

    def __str__(self) -> str:
        to = self.recipient_id or self.address
        return f"{self.channel} {to} event {self.event_id}: {self.status}"

    def get_absolute_url(self) -> str:
        return f"{self.event.challenge.get_absolute_url()}#event-{self.event_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DeliveryOutage(models.Model):
    """A period in which the mail server could not be reached (or refused every
    message for now): opened by the first failed connection, closed by the first
    message it accepts again. At most one is open (the partial unique constraint),
    so several workers failing at once record one outage, and the warning is
    logged once at its start and once at its end."""

    MAIL_SERVER = "mail_server"

    kind = models.CharField(max_length=20, default=MAIL_SERVER, editable=False)
    started_at = models.DateTimeField(_("since"), default=_now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_failure_at = models.DateTimeField(_("last failure"), default=_now)
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)

    class Meta:
        verbose_name = _("mail outage")
        verbose_name_plural = _("mail outages")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(ended_at__isnull=True), name="one_open_outage"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M}"
