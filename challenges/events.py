"""The event types and notification kinds that `challenges` declares itself.

Registered from `ChallengesConfig.ready()`; other apps declare theirs the same way
(see `challenges.registry`). A kind's code is what a person's preference stores.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .chain import ERASURE_CODE
from .constants import EventCode
from .registry import EventType, NotificationKind

PROGRESS = "progress"
CONVERSATION = "conversation"
TEAM = "team"
ASSESSMENT = "assessment"
REMINDER = "reminder"

KINDS = [
    NotificationKind(
        PROGRESS, _("Progress: submission, stage changes, milestones and “no progress” messages")
    ),
    NotificationKind(
        CONVERSATION, _("Conversation: additions by the challenger, notes, workspace messages")
    ),
    NotificationKind(TEAM, _("Team: co-initiators, organisation and contact persons")),
    NotificationKind(ASSESSMENT, _("Assessment: criteria scored")),
    NotificationKind(REMINDER, _("Reminders: response deadlines")),
]


class ReviewingEvent(models.TextChoices):
    """The reviewer's own steps in the admin (besides the stage changes)."""

    # The scores become visible to the parties (services.assessment_publish); the
    # saves before it are internal `assessment_recorded` events.
    ASSESSMENT_PUBLISHED = "assessment_published", _("Assessment published")
    # A coordinator hands the challenge to a reviewer (services.challenge_assign_reviewer).
    REVIEWER_ASSIGNED = "reviewer_assigned", _("Reviewer assigned")


def _type(code: models.TextChoices, kind: str, *, automated: bool = False) -> EventType:
    return EventType(code=code.value, label=code.label, kind=kind, automated=automated)


E = EventCode
EVENT_TYPES = [
    _type(E.SUBMITTED, PROGRESS),
    _type(E.STATUS_CHANGED, PROGRESS),
    _type(E.ADDITION, CONVERSATION),
    # Attachments added to a submitted challenge, and a change of who may download one.
    _type(E.ATTACHMENT_ADDED, CONVERSATION),
    _type(E.ATTACHMENT_VISIBILITY_CHANGED, CONVERSATION),
    _type(E.NOTE, CONVERSATION),
    _type(E.CO_INITIATOR_INVITED, TEAM),
    _type(E.CO_INITIATOR_JOINED, TEAM),
    # One per save of the assessment in the admin (every criterion changed in it),
    # internal since the publication step exists; the older per-criterion entries
    # (parties) keep their template.
    _type(E.ASSESSMENT_RECORDED, ASSESSMENT),
    _type(ReviewingEvent.ASSESSMENT_PUBLISHED, ASSESSMENT),
    _type(ReviewingEvent.REVIEWER_ASSIGNED, TEAM),
    _type(E.NO_PROGRESS, PROGRESS),
    _type(E.DEADLINE_REMINDER, REMINDER, automated=True),
    _type(E.DEADLINE_PASSED, REMINDER, automated=True),
    # No longer recorded (reflection rounds of partnerships took over); declared so
    # that the entries already in a log keep their name and template.
    _type(E.REFLECTION_PROMPT, REMINDER, automated=True),
    # Written by the erasure of personal data (challenges.timeline): names the erased
    # entries by seq, so that an erasure is itself on the chain (challenges.chain).
    EventType(
        code=ERASURE_CODE,
        label=_("Content removed"),
        kind=CONVERSATION,
        automated=True,
    ),
]
