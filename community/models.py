"""Support for a challenge, and its public questions and answers.

Rows are written by `community.services` only. A question and an answer each have
the timeline event that published them (`event`): hiding the post erases that
event's content (challenges.timeline.timeline_erase_events), so its text is gone
from the log, the feed, the exports and the notifications as well as from here.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from challenges.models import Challenge, Neighbourhood, TimelineEvent

from .constants import OFFER_MAX_LENGTH, POST_MAX_LENGTH, REASON_MAX_LENGTH, AnswerRole


class Support(models.Model):
    """One resident backs one challenge (once: the unique constraint)."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supports"
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        verbose_name=_("neighbourhood"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    offer = models.TextField(_("what I can offer"), max_length=OFFER_MAX_LENGTH, blank=True)
    show_name = models.BooleanField(_("show my name with my offer"), default=False)
    created_at = models.DateTimeField(_("supported at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["challenge", "user"], name="one_support_per_person"),
        ]
        indexes = [models.Index(fields=["challenge", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.challenge_id}: {self.user_id}"


class Post(models.Model):
    """What a question and an answer share: the text, its event, and its hiding."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(_("text"), max_length=POST_MAX_LENGTH)
    event = models.OneToOneField(
        TimelineEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_reason = models.TextField(
        _("reason for hiding"), max_length=REASON_MAX_LENGTH, blank=True
    )
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hidden by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The author deleted their account: the text is gone, the place stays.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_removed(self) -> bool:
        return self.hidden_at is not None or self.erased_at is not None


class Question(Post):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="questions")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        indexes = [models.Index(fields=["challenge", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.challenge_id}: {self.text[:60]}"


class Answer(Post):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    role = models.CharField(_("answered for"), max_length=20, choices=AnswerRole.choices)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.question_id}: {self.text[:60]}"


class Report(models.Model):
    """A person reports a question or an answer to the municipality, once per post."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.CheckConstraint(
                condition=(Q(question__isnull=False) & Q(answer__isnull=True))
                | (Q(question__isnull=True) & Q(answer__isnull=False)),
                name="report_names_one_post",
            ),
            models.UniqueConstraint(
                fields=["question", "reporter"], name="one_report_per_question_and_person"
            ),
            models.UniqueConstraint(
                fields=["answer", "reporter"], name="one_report_per_answer_and_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id or ''}/{self.answer_id or ''}: {self.reason[:60]}"

    @property
    def post(self):
        return self.question or self.answer
