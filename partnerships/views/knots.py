"""Raising a knot, cutting it with a decision, and the coordinator's overview of every
open knot."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.errors import ServiceError

from .. import permissions, selectors, services
from ..forms import KnotForm, KnotResolveForm
from ..models import Knot
from ._common import _form_page, _url, _workspace_challenge


@login_required
def knot_new(request, pk):
    challenge = _workspace_challenge(request, pk)
    if not permissions.can_work_in_workspace(request.user, challenge):
        raise PermissionDenied
    form = KnotForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.knot_raise(challenge=challenge, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("The knot has been raised; the coordinator sees it."))
            return redirect(_url(challenge, "knots"))
    return _form_page(
        request,
        challenge,
        form,
        title=_("Raise a knot"),
        intro=_(
            "A knot is a question that blocks the partnership. Say which decision is needed "
            "and by when; the knot stays on the coordinator's list until it is cut."
        ),
        submit=_("Raise knot"),
        back=_url(challenge, "knots"),
    )


@login_required
def knot_resolve(request, pk, knot_id):
    challenge = _workspace_challenge(request, pk)
    knot = get_object_or_404(Knot, challenge=challenge, pk=knot_id)
    if not permissions.can_resolve_knot(request.user, challenge):
        raise PermissionDenied
    form = KnotResolveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.knot_resolve(
                knot=knot, actor=request.user, decision=form.cleaned_data["decision"]
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("The knot is cut; the decision is on the timeline."))
            return redirect(_url(challenge, "knots"))
    return _form_page(
        request,
        challenge,
        form,
        title=_("Cut the knot “%(question)s”") % {"question": knot.question},
        intro=knot.decision_needed,
        submit=_("Record the decision"),
        back=_url(challenge, "knots"),
    )


@login_required
def knot_overview(request):
    """The coordinator's list: every open knot of every challenge, needed first on top."""
    if not permissions.can_see_knot_overview(request.user):
        raise Http404
    return render(request, "partnerships/knots.html", {"knots": list(selectors.open_knots())})
