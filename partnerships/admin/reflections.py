"""Reflection rounds in the admin: ask both sides to reflect and answer for the
municipality; the answers are shown only once both sides have answered."""

from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .. import services
from ..constants import REFLECTION_QUESTIONS, Side
from ..forms import ReflectionAnswerForm, ReflectionRequestForm
from ..models import ReflectionRound
from ._common import ServiceAdminMixin, _posted, with_challenge


@admin.register(ReflectionRound)
class ReflectionRoundAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ("challenge", "evaluation_date", "opened_at", "revealed_at")
    list_filter = (("revealed_at", admin.EmptyFieldListFilter),)
    search_fields = ("challenge__reference", "challenge__title")
    list_select_related = ("challenge",)
    extra_readonly = ("answers_of_both_sides",)

    @admin.display(description=_("answers"))
    def answers_of_both_sides(self, obj):
        answered = sorted(obj.answers.values_list("side", flat=True))
        if not obj.is_revealed:
            # As in the workspace: nothing of the answers until both sides answered.
            return _(
                "Answered so far: %(sides)s. The answers are shown once both sides answered."
            ) % {"sides": ", ".join(str(Side(s).label) for s in answered) or "–"}
        rows = []
        for answer in obj.answers.all():
            for key, label in REFLECTION_QUESTIONS:
                rows.append(
                    (answer.get_side_display(), label, answer.scores()[key], answer.comments()[key])
                )
        return format_html(
            "<table>{}</table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}/5</td><td>{}</td></tr>", rows),
        )

    def add_view(self, request, form_url="", extra_context=None):
        self._require(request, action="add")
        form = with_challenge(ReflectionRequestForm)(
            _posted(request), initial=self._initial_challenge(request)
        )
        return self.service_form_view(
            request,
            title=_("Ask both sides to reflect"),
            form=form,
            on_valid=lambda data: services.reflection_open(
                challenge=data["challenge"], actor=request.user, reason=data["reason"]
            ),
            success_url=self._change_url,
        )

    def tools(self, request, obj):
        if obj.is_revealed or not self.has_change_permission(request, obj):
            return []
        return [
            (
                _("Answer for the municipality"),
                reverse("admin:partnerships_reflection_answer", args=[obj.pk]),
            )
        ]

    def get_urls(self):
        return [
            path(
                "<int:pk>/answer/",
                self.admin_site.admin_view(self.answer_view),
                name="partnerships_reflection_answer",
            )
        ] + super().get_urls()

    def answer_view(self, request, pk):
        round_ = get_object_or_404(ReflectionRound, pk=pk)
        self._require(request, round_)
        form = ReflectionAnswerForm(_posted(request))
        return self.service_form_view(
            request,
            title=_("Answer the reflection for the municipality"),
            form=form,
            obj=round_,
            on_valid=lambda data: services.reflection_answer(
                round=round_, actor=request.user, scores=form.scores(), comments=form.comments()
            ),
            success_url=self._change_url(round_),
        )
