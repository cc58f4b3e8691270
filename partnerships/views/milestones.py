"""Adding and updating milestones, and the public page with the progress of a
challenge's public milestones."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from challenges import permissions as challenge_permissions
from challenges.models import Challenge
from core.errors import ServiceError

from .. import permissions, services
from ..forms import MilestoneForm, MilestoneUpdateForm
from ..models import Milestone
from ._common import _form_page, _url, _workspace_challenge


@login_required
def milestone_new(request, pk):
    challenge = _workspace_challenge(request, pk)
    if not permissions.can_manage_milestones(request.user, challenge):
        raise PermissionDenied
    form = MilestoneForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_create(challenge=challenge, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("The milestone has been added."))
            return redirect(_url(challenge, "milestones"))
    return _form_page(
        request,
        challenge,
        form,
        title=_("Add a milestone"),
        submit=_("Add milestone"),
        back=_url(challenge, "milestones"),
    )


@login_required
def milestone_edit(request, pk, milestone_id):
    challenge = _workspace_challenge(request, pk)
    milestone = get_object_or_404(Milestone, challenge=challenge, pk=milestone_id)
    if not permissions.can_manage_milestones(request.user, challenge):
        raise PermissionDenied
    form = MilestoneUpdateForm(
        request.POST if request.method == "POST" else None,
        initial={"status": milestone.status, "due_date": milestone.due_date},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_update(milestone=milestone, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("The milestone has been updated."))
            return redirect(_url(challenge, "milestones"))
    return _form_page(
        request,
        challenge,
        form,
        title=_("Update milestone “%(title)s”") % {"title": milestone.title},
        submit=_("Save"),
        back=_url(challenge, "milestones"),
    )


# -- Public --------------------------------------------------------------------------------


def public_progress(request, pk):
    """The public milestones of a submitted challenge and their progress."""
    challenge = get_object_or_404(Challenge.objects.select_related("task"), pk=pk)
    if not challenge_permissions.can_view(request.user, challenge) or challenge.status == "draft":
        raise Http404
    return render(request, "partnerships/progress.html", {"challenge": challenge})
