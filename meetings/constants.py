"""Kinds, statuses and timeline event codes of a meeting.

English lowercase values, translated labels. The event codes are declared by this
app (`meetings.events`) and rendered by `templates/timeline/events/<code>.html`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# A proposal offers at least one and at most this many time slots.
MIN_SLOTS = 1
MAX_SLOTS = 5
# A slot lasts at least this long and at most this long (minutes), and starts at most
# this many days ahead: outside those bounds a slot is a typo, not a plan.
MIN_MINUTES = 15
MAX_MINUTES = 12 * 60
MAX_DAYS_AHEAD = 366
# The reminder goes out once, when a scheduled meeting starts within this many hours.
REMINDER_HOURS = 24


class MeetingKind(models.TextChoices):
    """The meetings the source texts name, in the order a challenge meets them."""

    INTAKE = "intake", _("Exploratory talk (intake)")
    PROGRESS = "progress", _("Progress meeting")
    EVALUATION = "evaluation", _("Evaluation")


class MeetingStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed: waiting for the other side to pick a time")
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class MeetingEvent(models.TextChoices):
    PROPOSED = "meeting_proposed", _("Meeting proposed")
    SCHEDULED = "meeting_scheduled", _("Meeting scheduled")
    CANCELLED = "meeting_cancelled", _("Meeting cancelled")
    MINUTES_ADDED = "meeting_minutes_added", _("Minutes of a meeting added")
    REMINDER = "meeting_reminder", _("Meeting reminder")
