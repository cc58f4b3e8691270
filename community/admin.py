"""The municipality's view of support and of the public questions: read-only rows
(changes go through the services); a post is hidden on its own page in the portal
(`community:hide`, with the reason), linked from each row and from the "hide"
action. Drafts never appear (a draft cannot be supported or asked about)."""

from django.contrib import admin, messages
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from challenges.constants import Status

from .constants import PostKind
from .models import Answer, Question, Report, Support


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Support)
class SupportAdmin(ReadOnlyAdmin):
    list_display = ("challenge", "neighbourhood", "has_offer", "show_name", "created_at")
    list_filter = ("neighbourhood",)
    date_hierarchy = "created_at"
    fields = ("challenge", "neighbourhood", "offer", "show_name", "created_at")
    search_fields = ("challenge__reference", "challenge__title")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .exclude(challenge__status=Status.DRAFT)
            .select_related("challenge", "neighbourhood")
        )

    @admin.display(boolean=True, description=_("offer"))
    def has_offer(self, obj):
        return bool(obj.offer)


class _PostAdmin(ReadOnlyAdmin):
    kind = ""
    list_filter = ("hidden_at",)
    date_hierarchy = "created_at"
    actions = ["hide_selected"]

    @admin.display(description=_("reports"), ordering="report_count")
    def report_count(self, obj):
        return obj.report_count

    @admin.display(description=_("hide"))
    def hide_link(self, obj):
        if obj.hidden_at:
            return _("hidden")
        return format_html('<a href="{}">{}</a>', self._hide_url(obj), _("Hide…"))

    def _hide_url(self, obj) -> str:
        return reverse(
            "community:hide",
            kwargs={"pk": self._challenge_id(obj), "kind": self.kind, "post": obj.pk},
        )

    @admin.action(description=_("Hide the selected post (asks for the reason)"))
    def hide_selected(self, request, queryset):
        posts = list(queryset.filter(hidden_at__isnull=True)[:2])
        if len(posts) != 1:
            self.message_user(
                request, _("Choose one post that is not hidden yet."), messages.WARNING
            )
            return None
        return redirect(self._hide_url(posts[0]))


@admin.register(Question)
class QuestionAdmin(_PostAdmin):
    kind = PostKind.QUESTION
    list_display = ("created_at", "challenge", "excerpt", "report_count", "hidden_at", "hide_link")
    fields = ("challenge", "text", "created_at", "hidden_at", "hidden_reason", "erased_at")
    search_fields = ("challenge__reference", "text")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .exclude(challenge__status=Status.DRAFT)
            .select_related("challenge")
            .annotate(report_count=Count("reports"))
        )

    def _challenge_id(self, obj):
        return obj.challenge_id

    @admin.display(description=_("question"))
    def excerpt(self, obj):
        return obj.text[:80]


@admin.register(Answer)
class AnswerAdmin(_PostAdmin):
    kind = PostKind.ANSWER
    list_display = (
        "created_at",
        "challenge",
        "role",
        "excerpt",
        "report_count",
        "hidden_at",
        "hide_link",
    )
    fields = ("question", "role", "text", "created_at", "hidden_at", "hidden_reason", "erased_at")
    search_fields = ("question__challenge__reference", "text")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .exclude(question__challenge__status=Status.DRAFT)
            .select_related("question__challenge")
            .annotate(report_count=Count("reports"))
        )

    def _challenge_id(self, obj):
        return obj.question.challenge_id

    @admin.display(description=_("challenge"))
    def challenge(self, obj):
        return obj.question.challenge

    @admin.display(description=_("answer"))
    def excerpt(self, obj):
        return obj.text[:80]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "post_kind", "post_excerpt", "reason", "post_hidden")
    fields = ("question", "answer", "reason", "created_at")
    date_hierarchy = "created_at"
    search_fields = ("reason",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("question", "answer", "answer__question")
            .exclude(question__challenge__status=Status.DRAFT)
            .exclude(answer__question__challenge__status=Status.DRAFT)
        )

    @admin.display(description=_("post"))
    def post_kind(self, obj):
        return PostKind.QUESTION.label if obj.question_id else PostKind.ANSWER.label

    @admin.display(description=_("text"))
    def post_excerpt(self, obj):
        return obj.post.text[:80]

    @admin.display(boolean=True, description=_("hidden"))
    def post_hidden(self, obj):
        return obj.post.hidden_at is not None
