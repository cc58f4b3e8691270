"""Statuses, roles and codes. English lowercase values, translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    INTAKE = "intake", _("Intake")
    ASSESSMENT = "assessment", _("Assessment")
    DECISION = "decision", _("Decision")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    AGREEMENT = "agreement", _("Agreement")
    EXECUTION = "execution", _("Execution")
    EVALUATION = "evaluation", _("Evaluation")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ON_HOLD = "on_hold", _("On hold")


# The main line of stops shown on the home page, in order.
STAGE_LINE = [
    Status.SUBMITTED,
    Status.INTAKE,
    Status.ASSESSMENT,
    Status.DECISION,
    Status.ACCEPTED,
    Status.AGREEMENT,
    Status.EXECUTION,
    Status.EVALUATION,
    Status.COMPLETED,
]
# Stages in which the challenge is still moving (a challenger may withdraw, staff may hold).
OPEN_STATUSES = [
    Status.SUBMITTED,
    Status.INTAKE,
    Status.ASSESSMENT,
    Status.DECISION,
    Status.ACCEPTED,
    Status.AGREEMENT,
    Status.EXECUTION,
    Status.EVALUATION,
]
FINAL_STATUSES = [Status.REJECTED, Status.COMPLETED, Status.WITHDRAWN]
# The stages after the municipality's decision: a published assessment is public there,
# so everybody can read the considerations behind the decision.
DECIDED_STATUSES = [
    Status.ACCEPTED,
    Status.REJECTED,
    Status.AGREEMENT,
    Status.EXECUTION,
    Status.EVALUATION,
    Status.COMPLETED,
]


class Role(models.TextChoices):
    CHALLENGER = "challenger", _("Challenger team")
    REVIEWER = "reviewer", _("Reviewer")
    COORDINATOR = "coordinator", _("Coordinator")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    PARTIES = "parties", _("Parties")
    INTERNAL = "internal", _("Internal")


class LegalForm(models.TextChoices):
    FOUNDATION = "foundation", _("Foundation")
    ASSOCIATION = "association", _("Association")
    COOPERATIVE = "cooperative", _("Cooperative")
    COMPANY = "company", _("Company")
    SOLE_TRADER = "sole_trader", _("Sole trader")
    INFORMAL_GROUP = "informal_group", _("Informal resident group")


class EventCode(models.TextChoices):
    SUBMITTED = "submitted", _("Challenge submitted")
    STATUS_CHANGED = "status_changed", _("Stage changed")
    ADDITION = "addition", _("Addition by the challenger")
    NOTE = "note", pgettext_lazy("timeline event", "Note by the municipality")
    CO_INITIATOR_INVITED = "co_initiator_invited", _("Co-initiator invited")
    CO_INITIATOR_JOINED = "co_initiator_joined", _("Co-initiator joined")
    ASSESSMENT_RECORDED = "assessment_recorded", _("Criterion assessed")
    # Recorded by Celery beat (no actor), see challenges/tasks.py.
    NO_PROGRESS = "no_progress", _("No progress")
    DEADLINE_REMINDER = "deadline_reminder", _("Response deadline approaching")
    DEADLINE_PASSED = "deadline_passed", _("Response deadline passed")
    # No longer recorded: reflection rounds (partnerships) took over; kept for the
    # entries already in a log.
    REFLECTION_PROMPT = "reflection_prompt", _("Time to reflect together")
    # An attachment added to a submitted challenge, with the attachment's visibility,
    # and a change of who may download one (challenges.services.attachment_*).
    ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
    ATTACHMENT_VISIBILITY_CHANGED = "attachment_visibility", _("Attachment visibility changed")


class AttachmentKind(models.TextChoices):
    """What an attachment to a submission is, as the team says."""

    PLAN = "plan", _("Plan")
    BUDGET = "budget", _("Budget sheet")
    SUPPORT = "support", _("Evidence of support")
    OTHER = "other", _("Other")


# Who may download an attachment: everyone once the challenge is submitted, or the
# parties only (the challenger team and the municipality).
ATTACHMENT_VISIBILITIES = (Visibility.PUBLIC, Visibility.PARTIES)


class TargetBasis(models.TextChoices):
    STAGE_START = "stage_start", _("the start of the stage")
    SUBMISSION = "submission", _("the submission")


# What becomes public when a challenge is submitted: every part of the plan, shown on
# its public page (templates/challenges/_plan.html), in this order. The submission
# pages say so from this list (templates/challenges/_public_notice.html), and a test
# holds the list against the rendered public page. Not public: who is on the team
# (names and e-mail addresses), invitations, attachments for the parties only, and
# what only the parties see.
PUBLISHED_ON_SUBMIT = (
    ("title", _("Title")),
    ("task", _("Task")),
    ("neighbourhood", _("Neighbourhood")),
    ("summary", _("Summary")),
    ("approach", _("Approach")),
    ("social_value", _("Social value")),
    ("budget_requested", _("Budget asked per year")),
    ("legal_form", _("Legal form")),
    ("team_description", _("Team and capability")),
    ("support_evidence", _("Support in the neighbourhood")),
    # The attachments the team marked public (challenges.Attachment); those marked
    # for the parties only are not.
    ("attachments", _("Public attachments")),
)
