"""Kinds of notification, delivery frequencies, channels and statuses.

A *kind* groups event codes the way a person thinks about them ("tell me about
stage changes at once, the conversation once a day"); preferences are per kind.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from challenges.constants import EventCode


class Kind(models.TextChoices):
    PROGRESS = "progress", _("Progress: submission, stage changes and “no progress” messages")
    CONVERSATION = "conversation", _("Conversation: additions by the challenger, notes")
    TEAM = "team", _("Team: co-initiators invited and joined")
    ASSESSMENT = "assessment", _("Assessment: criteria scored")
    REMINDER = "reminder", _("Reminders: response deadlines and reflection")


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    OFF = "off", _("Off (only in the notification centre)")


# The frequencies that are collected into a digest rather than sent one by one.
DIGEST_FREQUENCIES = (Frequency.DAILY, Frequency.WEEKLY)


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    IN_APP = "in_app", _("Notification centre")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    # Nothing to send any more: the recipient was deactivated or has no address.
    SKIPPED = "skipped", _("Skipped")
    # Refused for good by the mail server, or too many failed attempts.
    FAILED = "failed", _("Failed")


class Reason(models.TextChoices):
    """Why a person hears about an event; said in the e-mail, so nobody wonders."""

    TEAM = "team", _("You are on the team of this challenge.")
    MUNICIPALITY = "municipality", _("You handle this challenge for the municipality.")
    FOLLOWER = "follower", _("You follow this challenge.")


EVENT_KINDS: dict[str, str] = {
    EventCode.SUBMITTED: Kind.PROGRESS,
    EventCode.STATUS_CHANGED: Kind.PROGRESS,
    EventCode.NO_PROGRESS: Kind.PROGRESS,
    EventCode.ADDITION: Kind.CONVERSATION,
    EventCode.NOTE: Kind.CONVERSATION,
    EventCode.CO_INITIATOR_INVITED: Kind.TEAM,
    EventCode.CO_INITIATOR_JOINED: Kind.TEAM,
    EventCode.ASSESSMENT_RECORDED: Kind.ASSESSMENT,
    EventCode.DEADLINE_REMINDER: Kind.REMINDER,
    EventCode.DEADLINE_PASSED: Kind.REMINDER,
    EventCode.REFLECTION_PROMPT: Kind.REMINDER,
}


def kind_of(code: str) -> str:
    # An event code added later without a kind here still reaches people, as progress.
    return EVENT_KINDS.get(code, Kind.PROGRESS)
