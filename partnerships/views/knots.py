"""Raising a knot, cutting it with a decision, and the coordinator's overview of every
open knot."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import permissions, selectors, services
from ..forms import KnotForm, KnotResolveForm
from ..models import Knot
from ._common import WorkspaceFormPage


class KnotNewView(WorkspaceFormPage):
    form_class = KnotForm
    section = "knots"
    page_title = gettext_lazy("Raise a knot")
    intro = gettext_lazy(
        "A knot is a question that blocks the partnership. Say which decision is needed "
        "and by when; the knot stays on the coordinator's list until it is cut."
    )
    submit_label = gettext_lazy("Raise knot")
    success_message = gettext_lazy("The knot has been raised; the coordinator sees it.")

    def has_permission(self, user):
        return permissions.can_work_in_workspace(user, self.challenge)

    def perform(self, form):
        return services.knot_raise(
            challenge=self.challenge, actor=self.request.user, **form.cleaned_data
        )


knot_new = login_required(KnotNewView.as_view())


class KnotResolveView(WorkspaceFormPage):
    form_class = KnotResolveForm
    section = "knots"
    submit_label = gettext_lazy("Record the decision")
    success_message = gettext_lazy("The knot is cut; the decision is on the timeline.")

    def get_objects(self, *, knot_id, **kwargs):
        self.knot = get_object_or_404(Knot, challenge=self.challenge, pk=knot_id)

    def has_permission(self, user):
        return permissions.can_resolve_knot(user, self.challenge)

    def perform(self, form):
        return services.knot_resolve(
            knot=self.knot, actor=self.request.user, decision=form.cleaned_data["decision"]
        )

    def get_page_title(self):
        return _("Cut the knot “%(question)s”") % {"question": self.knot.question}

    def get_intro(self):
        return self.knot.decision_needed


knot_resolve = login_required(KnotResolveView.as_view())


@login_required
def knot_overview(request):
    """The coordinator's list: every open knot of every challenge, needed first on top."""
    if not permissions.can_see_knot_overview(request.user):
        raise Http404
    return render(request, "partnerships/knots.html", {"knots": list(selectors.open_knots())})
