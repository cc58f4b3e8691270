"""Sides, statuses and timeline event codes of a partnership.

English lowercase values, translated labels. The event codes are plain strings:
`challenges.timeline.record_event` stores any code, and each has its template in
`templates/timeline/events/<code>.html`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from challenges.constants import Status


class Side(models.TextChoices):
    """The two parties of a partnership."""

    MUNICIPALITY = "municipality", _("the municipality")
    CHALLENGER = "challenger", _("the challenger")


class MemberRole(models.TextChoices):
    """The role of a person in the challenger's organisation."""

    CHAIR = "chair", _("Chair")
    SECRETARY = "secretary", _("Secretary")
    TREASURER = "treasurer", _("Treasurer")
    BOARD_MEMBER = "board_member", _("Board member")
    DIRECTOR = "director", _("Director or owner")
    MEMBER = "member", _("Member")


class VersionStatus(models.TextChoices):
    """The life of one version of an agreement.

    A draft can still be edited; a proposed version is frozen and waits for both
    signatures; a signed version is in force until a newer version is proposed,
    which supersedes it (its signatures then no longer count).
    """

    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed, awaiting signatures")
    SIGNED = "signed", _("Signed by both: in force")
    SUPERSEDED = "superseded", _("Superseded")


class ReportingRhythm(models.TextChoices):
    MONTHLY = "monthly", _("Every month")
    QUARTERLY = "quarterly", _("Every quarter")
    HALF_YEARLY = "half_yearly", _("Every half year")
    YEARLY = "yearly", _("Every year")


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    AT_RISK = "at_risk", _("At risk")


class KnotStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


# The three questions every side answers at a reflection (seed 004: "are we doing
# the right thing, are we doing it right, are we doing it right together?").
REFLECTION_QUESTIONS = [
    ("right_things", _("Are we doing the right things?")),
    ("doing_right", _("Are we doing things right?")),
    ("together", _("Are we doing things right together?")),
]


class PartnershipEvent(models.TextChoices):
    """Timeline event codes written by the partnership services."""

    ORGANISATION_LINKED = "organisation_linked", _("Organisation linked")
    CONTACT_PERSON_ASSIGNED = "contact_person_assigned", _("Contact person assigned")
    CONTACT_PERSON_HANDED_OVER = "contact_person_handed_over", _("Contact person handed over")
    AGREEMENT_PROPOSED = "agreement_proposed", _("Agreement version proposed")
    AGREEMENT_SIGNED = "agreement_signed", _("Agreement signed")
    AGREEMENT_IN_FORCE = "agreement_in_force", _("Agreement in force")
    MILESTONE_ADDED = "milestone_added", _("Milestone added")
    MILESTONE_UPDATED = "milestone_updated", _("Milestone updated")
    REFLECTION_OPENED = "reflection_opened", _("Reflection asked for")
    REFLECTION_ANSWERED = "reflection_answered", _("Reflection answered")
    REFLECTION_REVEALED = "reflection_revealed", _("Reflection shared")
    KNOT_RAISED = "knot_raised", _("Knot raised")
    KNOT_RESOLVED = "knot_resolved", _("Knot cut")
    MESSAGE_POSTED = "message_posted", _("Message")
    DOCUMENT_UPLOADED = "document_uploaded", _("Document shared")


# Where the workspace may be changed. Reading it stays possible in every stage
# after submission (also once the challenge is closed).
WORKSPACE_OPEN_STATUSES = [
    Status.SUBMITTED,
    Status.INTAKE,
    Status.ASSESSMENT,
    Status.DECISION,
    Status.ACCEPTED,
    Status.AGREEMENT,
    Status.EXECUTION,
    Status.EVALUATION,
    Status.ON_HOLD,
]
# Stages in which the agreement is drafted, proposed, signed or changed.
AGREEMENT_STATUSES = [Status.AGREEMENT, Status.EXECUTION, Status.EVALUATION]
# Stages in which milestones are planned and updated.
MILESTONE_STATUSES = [Status.AGREEMENT, Status.EXECUTION, Status.EVALUATION]
# Stages in which reflections are asked for and answered.
REFLECTION_STATUSES = [Status.EXECUTION, Status.EVALUATION]
# Why the portal itself asked for a reflection (the event's data, "trigger").
REFLECTION_TRIGGER_EVALUATION_DATE = "evaluation_date"
REFLECTION_TRIGGER_EVALUATION = "evaluation"
REFLECTION_TRIGGER_PERIODIC = "periodic"
