"""Adding and updating milestones, and the public page with the progress of a
challenge's public milestones."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from challenges import permissions as challenge_permissions
from challenges.models import Challenge

from .. import permissions, services
from ..forms import MilestoneForm, MilestoneUpdateForm
from ..models import Milestone
from ._common import WorkspaceFormPage


class MilestoneNewView(WorkspaceFormPage):
    form_class = MilestoneForm
    section = "milestones"
    page_title = gettext_lazy("Add a milestone")
    submit_label = gettext_lazy("Add milestone")
    success_message = gettext_lazy("The milestone has been added.")

    def has_permission(self, user):
        return permissions.can_manage_milestones(user, self.challenge)

    def perform(self, form):
        return services.milestone_create(
            challenge=self.challenge, actor=self.request.user, **form.cleaned_data
        )


milestone_new = login_required(MilestoneNewView.as_view())


class MilestoneEditView(WorkspaceFormPage):
    form_class = MilestoneUpdateForm
    section = "milestones"
    submit_label = gettext_lazy("Save")
    success_message = gettext_lazy("The milestone has been updated.")

    def get_objects(self, *, milestone_id, **kwargs):
        self.milestone = get_object_or_404(Milestone, challenge=self.challenge, pk=milestone_id)

    def has_permission(self, user):
        return permissions.can_manage_milestones(user, self.challenge)

    def get_initial(self):
        return {"status": self.milestone.status, "due_date": self.milestone.due_date}

    def perform(self, form):
        return services.milestone_update(
            milestone=self.milestone, actor=self.request.user, **form.cleaned_data
        )

    def get_page_title(self):
        return _("Update milestone “%(title)s”") % {"title": self.milestone.title}


milestone_edit = login_required(MilestoneEditView.as_view())


# -- Public --------------------------------------------------------------------------------


def public_progress(request, pk):
    """The public milestones of a submitted challenge and their progress."""
    challenge = get_object_or_404(Challenge.objects.select_related("task"), pk=pk)
    if not challenge_permissions.can_view(request.user, challenge) or challenge.status == "draft":
        raise Http404
    return render(request, "partnerships/progress.html", {"challenge": challenge})
