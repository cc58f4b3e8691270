"""What follows acceptance: the challenger's organisation, the fixed contact persons,
the agreement and its versions, milestones, reflections, knots, messages and
documents. Every change is made by a function in `services.py`; the timeline event
of the change is written in the same transaction.
"""

import hashlib
import json
import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.constants import LegalForm
from challenges.models import Challenge
from core import clock

from .constants import (
    KnotStatus,
    MemberRole,
    MilestoneStatus,
    ReportingRhythm,
    Side,
    VersionStatus,
)


def _now():
    # Looked up at call time, so a controlled clock (tests, demo data) applies.
    return timezone.now()


# -- Organisation --------------------------------------------------------------------------


class Organisation(models.Model):
    """The challenger side: a legal entity or an informal resident group."""

    name = models.CharField(_("name"), max_length=200)
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    kvk_number = models.CharField(
        _("KvK number"),
        max_length=8,
        blank=True,
        help_text=_(
            "The 8-digit number of the Chamber of Commerce (KvK). Required for every legal "
            "form except an informal resident group."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=_now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            # An informal group has no KvK number; every other form has one.
            models.CheckConstraint(
                condition=(Q(legal_form=LegalForm.INFORMAL_GROUP) & Q(kvk_number=""))
                | (~Q(legal_form=LegalForm.INFORMAL_GROUP) & ~Q(kvk_number="")),
                name="kvk_number_by_legal_form",
            ),
            models.UniqueConstraint(
                fields=["kvk_number"], condition=~Q(kvk_number=""), name="unique_kvk_number"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationMember(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="organisation_memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices)
    added_at = models.DateTimeField(_("added at"), default=_now)

    class Meta:
        ordering = ["organisation", "pk"]
        verbose_name = _("organisation member")
        verbose_name_plural = _("organisation members")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Partnership(models.Model):
    """Per challenge: the organisation the challenge is submitted on behalf of."""

    challenge = models.OneToOneField(
        Challenge, on_delete=models.PROTECT, primary_key=True, related_name="partnership"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partnerships",
    )
    linked_at = models.DateTimeField(_("linked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")

    def __str__(self) -> str:
        return str(self.challenge)


# -- Fixed contact persons -----------------------------------------------------------------


class ContactPerson(models.Model):
    """One assignment of a fixed contact person; the history is every row.

    Exactly one assignment per side is active (no end) at a time: the database
    refuses a second one, also when two are written at the same moment.
    """

    challenge = models.ForeignKey(
        Challenge, on_delete=models.PROTECT, related_name="contact_persons"
    )
    side = models.CharField(_("side"), max_length=20, choices=Side.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_person_assignments",
    )
    mandate = models.TextField(
        _("mandate"),
        max_length=3000,
        help_text=_("What this person may decide alone, without asking anyone else."),
    )
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("from"), default=_now)
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "side"],
                condition=Q(ended_at__isnull=True),
                name="one_active_contact_person_per_side",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_side_display()})"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


# -- Agreement -----------------------------------------------------------------------------

# The fields that make up an agreement's content, in the order they are shown. The
# digest that both contact persons sign is taken over exactly these.
CONTENT_FIELDS = [
    "scope",
    "tasks_challenger",
    "tasks_municipality",
    "budget_amount",
    "payment_schedule",
    "budget_from_current_cost",
    "start_date",
    "end_date",
    "results",
    "evaluation_dates",
    "reporting_rhythm",
    "termination_terms",
]


class ImmutableVersionError(Exception):
    """Raised on any attempt to change the content of a proposed agreement version."""


def _canonical(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


class AgreementVersion(models.Model):
    """One version of the agreement between the municipality and the challenger."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.PROTECT, related_name="agreement_versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )

    scope = models.TextField(_("scope and tasks"), max_length=10000)
    tasks_challenger = models.TextField(_("what the challenger does"), max_length=10000)
    tasks_municipality = models.TextField(_("what the municipality does"), max_length=10000)
    budget_amount = models.DecimalField(
        _("budget per year (EUR)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    payment_schedule = models.TextField(_("payment schedule"), max_length=3000)
    budget_from_current_cost = models.DecimalField(
        _("budget moving from the municipality's current cost (EUR per year)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    results = models.TextField(_("results and indicators"), max_length=10000)
    evaluation_dates = models.JSONField(_("evaluation dates"), default=list)
    reporting_rhythm = models.CharField(
        _("reporting rhythm"), max_length=20, choices=ReportingRhythm.choices
    )
    termination_terms = models.TextField(_("termination terms"), max_length=10000)
    change_note = models.TextField(
        _("what changed and why"),
        max_length=3000,
        blank=True,
        help_text=_("For a new version: what is different from the previous one, and why."),
    )

    digest = models.CharField(_("content digest (SHA-256)"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=_now)
    updated_at = models.DateTimeField(_("updated at"), default=_now)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    in_force_at = models.DateTimeField(_("in force since"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        ordering = ["challenge", "-number"]
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        constraints = [
            models.UniqueConstraint(fields=["challenge", "number"], name="unique_version_number"),
            models.UniqueConstraint(
                fields=["challenge"],
                condition=Q(status=VersionStatus.DRAFT),
                name="one_draft_version",
            ),
            models.UniqueConstraint(
                fields=["challenge"],
                condition=Q(status__in=[VersionStatus.PROPOSED, VersionStatus.SIGNED]),
                name="one_current_version",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="agreement_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.challenge.reference or self.challenge_id} v{self.number}"

    def save(self, *args, **kwargs):
        stored_status = getattr(self, "_stored_status", None)
        if stored_status not in (None, VersionStatus.DRAFT):
            stored_digest = getattr(self, "_stored_digest", None)
            if stored_digest is None or stored_digest != self.compute_digest():
                raise ImmutableVersionError(
                    "A proposed agreement version cannot be changed; propose a new version."
                )
        super().save(*args, **kwargs)
        self._stored_status = self.status
        self._stored_digest = self.compute_digest()

    def delete(self, *args, **kwargs):
        if self.status != VersionStatus.DRAFT:
            raise ImmutableVersionError("A proposed agreement version cannot be deleted.")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_status = instance.status
        instance._stored_digest = (
            instance.compute_digest() if set(CONTENT_FIELDS) <= set(field_names) else None
        )
        return instance

    def content(self) -> dict:
        """The content as plain JSON values: what is signed and compared."""
        return {name: _canonical(getattr(self, name)) for name in CONTENT_FIELDS}

    def canonical_json(self) -> str:
        return json.dumps(self.content(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    def compute_digest(self) -> str:
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    @property
    def is_frozen(self) -> bool:
        return self.status != VersionStatus.DRAFT

    @property
    def evaluation_dates_parsed(self) -> list[date]:
        return [date.fromisoformat(value) for value in self.evaluation_dates or []]


class AgreementSignature(models.Model):
    """A contact person's signature under one exact version (its digest)."""

    version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="signatures"
    )
    side = models.CharField(_("side"), max_length=20, choices=Side.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    contact_person = models.ForeignKey(
        ContactPerson, on_delete=models.PROTECT, related_name="signatures"
    )
    digest = models.CharField(_("signed digest (SHA-256)"), max_length=64)
    signed_at = models.DateTimeField(_("signed at"), default=_now)

    class Meta:
        ordering = ["signed_at", "pk"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(fields=["version", "side"], name="one_signature_per_side"),
        ]

    def __str__(self) -> str:
        return f"{self.version} · {self.get_side_display()} · {self.signer}"


# -- Milestones ----------------------------------------------------------------------------


class Milestone(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    owner_side = models.CharField(_("whose milestone"), max_length=20, choices=Side.choices)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MilestoneStatus.choices,
        default=MilestoneStatus.PLANNED,
    )
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("A public milestone and its progress are shown on the public challenge page."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=_now)
    updated_at = models.DateTimeField(_("updated at"), default=_now)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        """Past its due date and not done."""
        return self.status != MilestoneStatus.DONE and self.due_date < clock.today()


# -- Reflections ---------------------------------------------------------------------------


class ReflectionRound(models.Model):
    """One moment of reflection: at an evaluation date, or because a party asked.

    The answers of one side stay hidden from the other until both have answered
    (`revealed_at` is set in the transaction of the second answer).
    """

    challenge = models.ForeignKey(
        Challenge, on_delete=models.PROTECT, related_name="reflection_rounds"
    )
    evaluation_date = models.DateField(_("evaluation date"), null=True, blank=True)
    reason = models.TextField(_("why now"), max_length=2000, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("asked for at"), default=_now)
    revealed_at = models.DateTimeField(_("shared at"), null=True, blank=True)

    class Meta:
        ordering = ["opened_at", "pk"]
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        constraints = [
            models.UniqueConstraint(
                fields=["challenge"],
                condition=Q(revealed_at__isnull=True),
                name="one_open_reflection",
            ),
            models.UniqueConstraint(
                fields=["challenge", "evaluation_date"],
                condition=Q(evaluation_date__isnull=False),
                name="one_reflection_per_evaluation_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.challenge.reference or self.challenge_id} · {self.opened_at:%Y-%m-%d}"

    @property
    def is_revealed(self) -> bool:
        return self.revealed_at is not None


SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class ReflectionAnswer(models.Model):
    round = models.ForeignKey(ReflectionRound, on_delete=models.PROTECT, related_name="answers")
    side = models.CharField(_("side"), max_length=20, choices=Side.choices)
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    right_things = models.PositiveSmallIntegerField(
        _("Are we doing the right things?"), validators=SCORE_VALIDATORS
    )
    right_things_comment = models.TextField(_("comment"), max_length=3000)
    doing_right = models.PositiveSmallIntegerField(
        _("Are we doing things right?"), validators=SCORE_VALIDATORS
    )
    doing_right_comment = models.TextField(_("comment"), max_length=3000)
    together = models.PositiveSmallIntegerField(
        _("Are we doing things right together?"), validators=SCORE_VALIDATORS
    )
    together_comment = models.TextField(_("comment"), max_length=3000)
    answered_at = models.DateTimeField(_("answered at"), default=_now)

    class Meta:
        ordering = ["round", "side"]
        verbose_name = _("reflection answer")
        verbose_name_plural = _("reflection answers")
        constraints = [
            models.UniqueConstraint(fields=["round", "side"], name="one_answer_per_side"),
            models.CheckConstraint(
                condition=Q(right_things__gte=1, right_things__lte=5)
                & Q(doing_right__gte=1, doing_right__lte=5)
                & Q(together__gte=1, together__lte=5),
                name="reflection_scores_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.get_side_display()}"

    def scores(self) -> dict:
        return {
            "right_things": self.right_things,
            "doing_right": self.doing_right,
            "together": self.together,
        }

    def comments(self) -> dict:
        return {
            "right_things": self.right_things_comment,
            "doing_right": self.doing_right_comment,
            "together": self.together_comment,
        }


# -- Knots ---------------------------------------------------------------------------------


class Knot(models.Model):
    """A blocking question that needs a decision by a date ("ontknoping")."""

    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="knots")
    question = models.CharField(_("blocking question"), max_length=300)
    decision_needed = models.TextField(_("decision needed"), max_length=3000)
    needed_by = models.DateField(_("decision needed by"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    raised_by_side = models.CharField(_("raised by"), max_length=20, choices=Side.choices)
    raised_at = models.DateTimeField(_("raised at"), default=_now)
    status = models.CharField(
        _("status"), max_length=20, choices=KnotStatus.choices, default=KnotStatus.OPEN
    )
    decision = models.TextField(_("decision"), max_length=5000, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("cut at"), null=True, blank=True)

    class Meta:
        ordering = ["needed_by", "pk"]
        verbose_name = _("knot")
        verbose_name_plural = _("knots")
        indexes = [models.Index(fields=["status", "needed_by"])]

    def __str__(self) -> str:
        return self.question

    @property
    def is_overdue(self) -> bool:
        return self.status == KnotStatus.OPEN and self.needed_by < timezone.localdate()


# -- Messages and documents ----------------------------------------------------------------


class Message(models.Model):
    challenge = models.ForeignKey(
        Challenge, on_delete=models.PROTECT, related_name="workspace_messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    side = models.CharField(_("side"), max_length=20, choices=Side.choices)
    text = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(_("sent at"), default=_now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return self.text[:60]


def document_path(instance: "Document", filename: str) -> str:
    """A generated name: nothing of the uploaded file's name reaches the disk."""
    return f"partnerships/{instance.challenge_id}/{uuid.uuid4().hex}.{instance.kind}"


class Document(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="documents")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    side = models.CharField(_("side"), max_length=20, choices=Side.choices)
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    description = models.CharField(_("description"), max_length=300, blank=True)
    kind = models.CharField(_("type"), max_length=10)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("uploaded at"), default=_now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.original_name
