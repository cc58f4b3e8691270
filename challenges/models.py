"""The challenge and its catalogue. Status changes go through services only."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from . import registry
from .chain import ERASED_DATA, GENESIS, CanonicalJSONEncoder
from .constants import (
    ATTACHMENT_VISIBILITIES,
    DECIDED_STATUSES,
    FINAL_STATUSES,
    AttachmentKind,
    LegalForm,
    Role,
    Status,
    TargetBasis,
    Visibility,
)
from .map import validate_boundary


def _now():
    # Looked up at call time, so a controlled clock (tests, demo data) applies.
    return timezone.now()


class Neighbourhood(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    # A GeoJSON Polygon or MultiPolygon in longitude/latitude (challenges.map), drawn
    # on the neighbourhood map; without one the neighbourhood is only in its table.
    boundary = models.JSONField(
        _("boundary (GeoJSON)"),
        null=True,
        blank=True,
        validators=[validate_boundary],
        help_text=_(
            "A GeoJSON Polygon or MultiPolygon in longitude and latitude (WGS 84), "
            "for the neighbourhood map."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("neighbourhood")
        verbose_name_plural = _("neighbourhoods")

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    """A public task the municipality publishes as open to a challenge."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    department = models.CharField(_("department"), max_length=150)
    current_yearly_cost = models.DecimalField(
        _("current yearly cost (EUR)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    description = models.TextField(_("description"))
    is_active = models.BooleanField(
        _("open to challenges"),
        default=True,
        help_text=_("Only open tasks can be chosen for a new challenge."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("challengeable task")
        verbose_name_plural = _("challengeable tasks")

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    """An assessment criterion, published on the site."""

    name_nl = models.CharField(_("name (Dutch)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150)
    description_nl = models.TextField(_("description (Dutch)"))
    description_en = models.TextField(_("description (English)"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("assessment criterion")
        verbose_name_plural = _("assessment criteria")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name_nl

    @property
    def description(self) -> str:
        return self.description_en if translation.get_language() == "en" else self.description_nl


class StageTarget(models.Model):
    """The target response time of a stage; past it, a challenge shows as overdue."""

    status = models.CharField(_("stage"), max_length=20, choices=Status.choices, unique=True)
    days = models.PositiveIntegerField(_("target in days"), validators=[MinValueValidator(1)])
    basis = models.CharField(
        _("counted from"),
        max_length=20,
        choices=TargetBasis.choices,
        default=TargetBasis.STAGE_START,
    )

    class Meta:
        ordering = ["status"]  # the admin orders by the process instead
        verbose_name = _("stage target")
        verbose_name_plural = _("stage targets")

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.days}"


class ReferenceCounter(models.Model):
    """Hands out RTC-<year>-<number> references without gaps or doubles."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Challenge(models.Model):
    # Plan (editable by the challenger team while a draft).
    title = models.CharField(_("title"), max_length=150, blank=True)
    summary = models.TextField(_("summary"), max_length=1000, blank=True)
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="challenges",
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        verbose_name=_("neighbourhood"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="challenges",
    )
    approach = models.TextField(_("approach"), max_length=5000, blank=True)
    social_value = models.TextField(_("social value"), max_length=5000, blank=True)
    budget_requested = models.DecimalField(
        _("budget asked per year (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    team_description = models.TextField(_("team and capability"), max_length=5000, blank=True)
    support_evidence = models.TextField(
        _("support in the neighbourhood"), max_length=5000, blank=True
    )
    legal_form = models.CharField(
        _("legal form"), max_length=20, choices=LegalForm.choices, blank=True
    )

    # Process.
    reference = models.CharField(_("reference"), max_length=20, unique=True, null=True, blank=True)
    initiator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("initiator"),
        on_delete=models.PROTECT,
        related_name="initiated_challenges",
    )
    status = models.CharField(
        _("stage"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    held_from_status = models.CharField(
        _("on hold from"), max_length=20, choices=Status.choices, blank=True
    )
    status_changed_at = models.DateTimeField(_("in this stage since"), default=_now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    due_at = models.DateTimeField(
        _("response due"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Computed from the stage targets when the stage starts."),
    )
    decision_motivation = models.TextField(_("decision motivation"), blank=True)
    # The reviewer who handles the challenge, set by a coordinator
    # (services.challenge_assign_reviewer): what "my queue" in the admin lists.
    assigned_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned reviewer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_challenges",
    )
    # The reviewers who assess it with the assigned (lead) reviewer: "Assigned to me"
    # lists it for them too, and they hear what the municipality's people hear.
    co_reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("other reviewers"),
        blank=True,
        related_name="co_reviewed_challenges",
    )
    # When the scores were published to the parties (services.assessment_publish);
    # empty while the assessment is internal, and again after a later change to it.
    assessment_published_at = models.DateTimeField(
        _("assessment published at"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-created_at"]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        indexes = [models.Index(fields=["status", "-submitted_at"])]

    def __str__(self) -> str:
        label = self.title or _("(untitled draft)")
        return f"{self.reference} {label}" if self.reference else str(label)

    def get_absolute_url(self) -> str:
        return reverse("challenges:detail", kwargs={"pk": self.pk})

    @property
    def is_overdue(self) -> bool:
        return bool(self.due_at and self.due_at < timezone.now())

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    def published_assessments(self):
        """The scores the parties may see: none while the assessment is internal
        (the reviewer is still at work), every row once it is published."""
        if self.assessment_published_at is None:
            return Assessment.objects.none()
        return self.assessments.select_related("criterion")

    @property
    def is_decided(self) -> bool:
        """Past the decision (also while on hold from a stage after it)."""
        stage = self.held_from_status if self.status == Status.ON_HOLD else self.status
        return stage in DECIDED_STATUSES

    def public_assessments(self):
        """The scores and motivations everybody may read: the published assessment,
        once the decision it led to is taken."""
        if not self.is_decided:
            return Assessment.objects.none()
        return self.published_assessments()

    @property
    def budget_ratio(self) -> Decimal | None:
        """Budget asked as a percentage of the task's current yearly cost."""
        if self.budget_requested is None or not self.task or not self.task.current_yearly_cost:
            return None
        return (self.budget_requested / self.task.current_yearly_cost * 100).quantize(Decimal("1"))


class Invitation(models.Model):
    """A co-initiator invited by e-mail; joins the team when they accept."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="co_initiatorships",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("co-initiator invitation")
        verbose_name_plural = _("co-initiator invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "email"], name="unique_invitation_per_email"
            ),
        ]

    def __str__(self) -> str:
        return self.email


class Assessment(models.Model):
    """A reviewer's score and motivation for one criterion of one challenge."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="assessments")
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(
        _("score (1-5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    motivation = models.TextField(_("motivation"), max_length=5000)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["criterion__order"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "criterion"], name="one_assessment_per_criterion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    """A generated name: nothing of the uploaded file's name reaches the disk."""
    return f"challenges/{instance.challenge_id}/{uuid.uuid4().hex}.{instance.file_type}"


class Attachment(models.Model):
    """A file the challenger team adds to its submission (a plan, a budget sheet,
    evidence of support), checked by its content as workspace documents are
    (core.uploads). Public (anyone may download it once the challenge is submitted)
    or for the parties only, as the team chooses. Written by
    `services.attachment_upload`; stored under a generated name and only ever
    downloaded through `views.attachment_download`."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    visibility = models.CharField(
        _("who may download it"),
        max_length=10,
        choices=[(v.value, v.label) for v in ATTACHMENT_VISIBILITIES],
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    file_type = models.CharField(_("file type"), max_length=10)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # Added after the submission (an addition, on the timeline), not part of the plan
    # as it was submitted.
    is_addition = models.BooleanField(_("added after submission"), default=False)
    created_at = models.DateTimeField(_("uploaded at"), default=_now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    def get_download_url(self) -> str:
        return reverse(
            "challenges:attachment-download",
            kwargs={"pk": self.challenge_id, "attachment_id": self.pk},
        )


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a timeline event."""


class TimelineEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Timeline events cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Timeline events cannot be deleted.")

    def bulk_create(self, objs, *args, **kwargs):
        """Insert events as entries of the chain, in the order given.

        For tests and data imports: chains the events exactly as record_event does
        (same lock, same rules) but records no notifications. Upserts are refused:
        they would overwrite entries.
        """
        if kwargs.get("update_conflicts") or kwargs.get("ignore_conflicts"):
            raise AppendOnlyError("Timeline events are only ever inserted.")
        from .timeline import chain_new_events  # the writer imports this module

        objs = list(objs)
        chain_new_events(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def erase_content(self, *, at) -> int:
        """The one change an entry allows: erasing its personal content.

        Used only by `timeline.timeline_erase_personal_data` (which also opens the
        database trigger's erasure path). Sets data to {"erased": true}, wipes the
        salt and the actor and stamps erased_at; seq, digest, chain hash and every
        other column the digest commits to stay as they are, so the chain verifies.
        """
        return models.QuerySet.update(
            self.filter(erased_at__isnull=True),
            data=ERASED_DATA,
            salt="",
            actor=None,
            erased_at=at,
        )

    def visible_at(self, visibilities):
        return self.filter(visibility__in=visibilities)


class TimelineEvent(models.Model):
    """One entry of a challenge's shared, append-only timeline, and of the one global
    hash-chained process log that all timelines together form.

    Stores a code and data, never a finished sentence: `timeline/events/<code>.html`
    renders it in the reader's language. Corrections are new events pointing at the
    one they correct. Written only by `challenges.timeline.record_event`, which gives
    it the next `seq`, its `digest` and `chain_hash` (rules: `challenges.chain`).
    Only an erasure of personal data may change a written entry (`erased_at`).
    On PostgreSQL a trigger refuses every other UPDATE and every DELETE
    (migration 0004).
    """

    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    # Every app's codes, from the event-type registry (challenges.registry).
    code = models.CharField(_("event"), max_length=40, choices=registry.event_code_choices)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices)
    # The canonical encoder: on SQLite the stored text is the canonical JSON itself.
    data = models.JSONField(_("data"), default=dict, blank=True, encoder=CanonicalJSONEncoder)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    created_at = models.DateTimeField(_("created at"), default=_now, db_index=True)

    # The chain (see challenges.chain).
    seq = models.PositiveBigIntegerField(_("sequence number"), unique=True, editable=False)
    salt = models.CharField(_("salt"), max_length=32, blank=True, editable=False)
    digest = models.CharField(_("digest"), max_length=64, editable=False)
    chain_hash = models.CharField(_("chain hash"), max_length=64, editable=False)
    erased_at = models.DateTimeField(_("content erased at"), null=True, blank=True, editable=False)

    objects = TimelineEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        indexes = [
            models.Index(fields=["visibility", "-created_at", "-id"]),
            models.Index(fields=["challenge", "-created_at"]),
            # Keyset pages by seq (challenges.paging): the public log, and one
            # challenge's timeline, newest first.
            models.Index(fields=["visibility", "-seq"], name="event_visibility_seq"),
            models.Index(fields=["challenge", "-seq"], name="event_challenge_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError("Timeline events cannot be changed once written.")
        if self.seq is None or not self.digest or not self.chain_hash:
            raise AppendOnlyError(
                "Timeline events are written by challenges.timeline.record_event, "
                "which chains them."
            )
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Timeline events cannot be deleted.")

    def get_code_display(self) -> str:
        """The event's name in the reader's language, for codes of every app."""
        return registry.event_label(self.code)

    @property
    def template_name(self) -> str:
        event_type = registry.event_type(self.code)
        if event_type is not None:
            return event_type.template_name
        return f"timeline/events/{self.code}.html"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class ChainHead(models.Model):
    """The head of the process log: its size and the chain hash of its last entry.

    One row (pk 1). `record_event` locks it (select_for_update) before it appends, so
    event writes are serialized and seq has neither gaps nor doubles; it is updated
    in the same transaction as the entry, so the head never runs ahead of or behind
    the committed log.
    """

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON, editable=False)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    hash = models.CharField(_("hash"), max_length=64, default=GENESIS)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("chain head")
        verbose_name_plural = _("chain head")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="chain_head_is_a_singleton"),
        ]

    def __str__(self) -> str:
        return f"{self.size}:{self.hash}"
