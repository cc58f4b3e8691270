"""The reflections page (every round as the reader may see it, the trend, asking for a
new one) and answering a reflection."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import ServiceError

from .. import permissions, selectors, services
from ..constants import REFLECTION_QUESTIONS
from ..forms import ReflectionAnswerForm, ReflectionRequestForm
from ..models import ReflectionRound
from ._common import _form_page, _workspace_challenge


@login_required
def reflections(request, pk):
    challenge = _workspace_challenge(request, pk)
    user = request.user
    can_reflect = permissions.can_reflect(user, challenge)
    open_round = selectors.open_reflection(challenge)
    form = ReflectionRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_reflect:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.reflection_open(
                    challenge=challenge, actor=user, reason=form.cleaned_data["reason"]
                )
            except ServiceError as error:
                form.add_error(None, error)
            else:
                flash.success(request, _("Both sides are asked to reflect."))
                return redirect("partnerships:reflections", pk=challenge.pk)
    points = selectors.reflection_trend(challenge)
    return render(
        request,
        "partnerships/reflections.html",
        {
            "challenge": challenge,
            "side": permissions.side_of(user, challenge),
            "rounds": list(reversed(selectors.reflections_for(user, challenge))),
            "open_round": open_round,
            "can_reflect": can_reflect,
            "request_form": form if can_reflect and open_round is None else None,
            "form": form,
            "points": points,
            "questions": REFLECTION_QUESTIONS,
        },
    )


@login_required
def reflection_answer(request, pk, round_id):
    challenge = _workspace_challenge(request, pk)
    round_ = get_object_or_404(ReflectionRound, challenge=challenge, pk=round_id)
    if not permissions.can_reflect(request.user, challenge):
        raise PermissionDenied
    form = ReflectionAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reflection_answer(
                round=round_, actor=request.user, scores=form.scores(), comments=form.comments()
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("Your answers are saved."))
            return redirect("partnerships:reflections", pk=challenge.pk)
    return _form_page(
        request,
        challenge,
        form,
        title=_("Reflect together"),
        intro=_(
            "Score each question from 1 (not at all) to 5 (completely) and explain your "
            "score. The other side sees your answers only once they have answered too."
        ),
        submit=_("Save my answers"),
        back=reverse("partnerships:reflections", kwargs={"pk": challenge.pk}),
    )
