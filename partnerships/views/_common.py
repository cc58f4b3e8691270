"""What the workspace pages share: the challenge, looked up and access-checked (an
outsider gets 404), the workspace URL with an anchor, and the base views of the
workspace's forms (`core.views.ServiceFormView`: form -> service -> message ->
redirect, a refusal shown on the form)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from challenges import permissions as challenge_permissions
from challenges.models import Challenge
from core.views import ServiceFormView

from .. import permissions


def _workspace_challenge(request, pk) -> Challenge:
    challenge = get_object_or_404(
        Challenge.objects.select_related("task", "neighbourhood", "initiator"), pk=pk
    )
    challenge_permissions.remember_team_membership(request.user, challenge)
    if not permissions.can_view_workspace(request.user, challenge):
        raise Http404
    return challenge


def _url(challenge, anchor: str = "") -> str:
    url = reverse("partnerships:workspace", kwargs={"pk": challenge.pk})
    return f"{url}#{anchor}" if anchor else url


class WorkspaceServiceView(ServiceFormView):
    """A workspace page with a form whose change a service makes.

    First the challenge (404 for an outsider), then what else the URL names
    (`get_objects`, 404 when it is not there), then whether this user may use the
    form (`has_permission`, 403 otherwise). Success goes back to the workspace at
    `anchor`. Wrap `as_view()` in `login_required`: the login comes before all this.
    """

    anchor = ""

    def dispatch(self, request, *args, **kwargs):
        self.challenge = _workspace_challenge(request, kwargs["pk"])
        self.get_objects(**kwargs)
        if not self.has_permission(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_objects(self, **kwargs) -> None:
        """Look up what the URL names besides the challenge."""

    def has_permission(self, user) -> bool:
        return True

    def get_success_url(self) -> str:
        return _url(self.challenge, self.anchor)

    def get_context_data(self, **kwargs):
        return super().get_context_data(challenge=self.challenge, **kwargs)


class WorkspaceFormPage(WorkspaceServiceView):
    """A workspace form on a page of its own (partnerships/form_page.html): a title,
    an optional introduction, the form, its button and a way back."""

    template_name = "partnerships/form_page.html"
    page_title = ""
    intro = ""
    submit_label = ""
    multipart = False

    def get_page_title(self) -> str:
        return self.page_title

    def get_intro(self) -> str:
        return self.intro

    def get_submit_label(self) -> str:
        return self.submit_label

    def get_back_url(self) -> str:
        return _url(self.challenge, self.anchor)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_title=self.get_page_title(),
            intro=self.get_intro(),
            submit_label=self.get_submit_label(),
            back_url=self.get_back_url(),
            multipart=self.multipart,
            **kwargs,
        )
