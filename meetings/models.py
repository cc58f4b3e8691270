"""A meeting between the parties of a challenge, its proposed time slots and its
minutes. Every change is made by a function in `meetings/services.py`, which writes
the timeline event of the change in the same transaction."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.models import Challenge
from partnerships.constants import Side

from .constants import MeetingKind, MeetingStatus


def _now():
    # Looked up at call time, so a controlled clock (tests, demo data) applies.
    return timezone.now()


class Meeting(models.Model):
    """One meeting: proposed by one side with 1-5 slots, scheduled when the other side
    picks one, or cancelled. `starts_at`/`ends_at` are the picked slot's times."""

    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="meetings")
    # The iCalendar UID: the same for every invitation and cancellation of this meeting.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MeetingStatus.choices,
        default=MeetingStatus.PROPOSED,
        db_index=True,
    )
    proposer_side = models.CharField(_("proposed by"), max_length=20, choices=Side.choices)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("link to the online meeting"), max_length=500, blank=True)
    agenda = models.TextField(_("agenda"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("proposed at"), default=_now)

    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True, db_index=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    picked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    picked_at = models.DateTimeField(_("time picked at"), null=True, blank=True)

    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), max_length=1000, blank=True)

    # The iCalendar SEQUENCE: 0 for the first invitation, one more for every change.
    sequence = models.PositiveIntegerField(default=0)
    # The reminder the day before went out (once per meeting).
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.challenge_id})"

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting", kwargs={"pk": self.challenge_id, "meeting_id": self.pk})

    @property
    def is_online(self) -> bool:
        return bool(self.online_url)

    def has_started(self, now=None) -> bool:
        return self.starts_at is not None and self.starts_at <= (now or timezone.now())


class MeetingSlot(models.Model):
    """A time the proposing side offers; the other side picks one of them."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_slot_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}"


def minutes_path(instance: "Minutes", filename: str) -> str:
    """A generated name: nothing of the uploaded file's name reaches the disk."""
    return f"meetings/{instance.meeting.challenge_id}/{uuid.uuid4().hex}.{instance.kind}"


class Minutes(models.Model):
    """The minutes of a meeting, a document checked by its content as the workspace's
    documents are (`partnerships.uploads`)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    side = models.CharField(_("side"), max_length=20, choices=Side.choices)
    file = models.FileField(_("file"), upload_to=minutes_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    description = models.CharField(_("description"), max_length=300, blank=True)
    kind = models.CharField(_("type"), max_length=10)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("uploaded at"), default=_now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return self.original_name
