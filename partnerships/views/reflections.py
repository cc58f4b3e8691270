"""The reflections page (every round as the reader may see it, the trend, asking for a
new one) and answering a reflection."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy

from .. import permissions, selectors, services
from ..constants import REFLECTION_QUESTIONS
from ..forms import ReflectionAnswerForm, ReflectionRequestForm
from ..models import ReflectionRound
from ._common import WorkspaceFormPage, WorkspaceServiceView


class ReflectionsView(WorkspaceServiceView):
    """Every reflection as the reader may see it, the trend, and a form to ask for a
    new reflection (only those who may reflect can send it)."""

    template_name = "partnerships/reflections.html"
    section = "reflections"
    section_page = True
    form_class = ReflectionRequestForm
    success_message = gettext_lazy("Both sides are asked to reflect.")

    @cached_property
    def can_reflect(self) -> bool:
        return permissions.can_reflect(self.request.user, self.challenge)

    def post(self, request, *args, **kwargs):
        if not self.can_reflect:
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def perform(self, form):
        return services.reflection_open(
            challenge=self.challenge, actor=self.request.user, reason=form.cleaned_data["reason"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, challenge = self.request.user, self.challenge
        open_round = selectors.open_reflection(challenge)
        return {
            **context,
            "side": permissions.side_of(user, challenge),
            "rounds": list(reversed(selectors.reflections_for(user, challenge))),
            "open_round": open_round,
            "can_reflect": self.can_reflect,
            "request_form": context["form"] if self.can_reflect and open_round is None else None,
            "points": selectors.reflection_trend(challenge),
            "questions": REFLECTION_QUESTIONS,
        }


reflections = login_required(ReflectionsView.as_view())


class ReflectionAnswerView(WorkspaceFormPage):
    form_class = ReflectionAnswerForm
    section = "reflections"
    page_title = gettext_lazy("Reflect together")
    intro = gettext_lazy(
        "Score each question from 1 (not at all) to 5 (completely) and explain your "
        "score. The other side sees your answers only once they have answered too."
    )
    submit_label = gettext_lazy("Save my answers")
    success_message = gettext_lazy("Your answers are saved.")

    def get_objects(self, *, round_id, **kwargs):
        self.round = get_object_or_404(ReflectionRound, challenge=self.challenge, pk=round_id)

    def has_permission(self, user):
        return permissions.can_reflect(user, self.challenge)

    def perform(self, form):
        return services.reflection_answer(
            round=self.round,
            actor=self.request.user,
            scores=form.scores(),
            comments=form.comments(),
        )


reflection_answer = login_required(ReflectionAnswerView.as_view())
