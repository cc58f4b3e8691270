"""What the workspace pages share: the challenge, looked up and access-checked (an
outsider gets 404), the sections of the workspace and their navigation, the URL of a
section, and the base views of the workspace's forms (`core.views.ServiceFormView`:
form -> service -> message -> redirect, a refusal shown on the form).

The workspace is split into sections, each a page of its own with its own URL and
title: the overview (the workspace's old URL) and one page per sub-domain. A form
returns to the section it belongs to.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy

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


# The sections in the order of the navigation: (key, URL name, label).
SECTIONS = [
    ("overview", "workspace", gettext_lazy("Overview")),
    ("messages", "workspace-messages", gettext_lazy("Messages")),
    ("documents", "workspace-documents", gettext_lazy("Documents")),
    ("contact-persons", "workspace-contact-persons", gettext_lazy("Contact persons")),
    ("organisation", "organisation", gettext_lazy("Organisation")),
    ("agreement", "workspace-agreement", gettext_lazy("Agreement")),
    ("milestones", "workspace-milestones", gettext_lazy("Milestones")),
    ("reflections", "reflections", gettext_lazy("Reflections")),
    ("knots", "workspace-knots", gettext_lazy("Knots")),
    ("timeline", "workspace-timeline", gettext_lazy("Timeline")),
]
_URL_NAMES = {key: name for key, name, _label in SECTIONS}
_LABELS = {key: label for key, _name, label in SECTIONS}


@dataclass(frozen=True)
class SectionLink:
    key: str
    url: str
    label: str
    current: bool


def section_url(challenge, section: str = "overview", anchor: str = "") -> str:
    """The URL of a section of the workspace (the overview by default), with an anchor."""
    url = reverse(f"partnerships:{_URL_NAMES[section or 'overview']}", kwargs={"pk": challenge.pk})
    return f"{url}#{anchor}" if anchor else url


def section_label(section: str):
    return _LABELS[section]


def section_nav(challenge, current: str) -> list[SectionLink]:
    """The navigation between the sections, the one shown marked as current."""
    return [
        SectionLink(key=key, url=section_url(challenge, key), label=label, current=key == current)
        for key, _name, label in SECTIONS
    ]


class WorkspaceServiceView(ServiceFormView):
    """A workspace page with a form whose change a service makes.

    First the challenge (404 for an outsider), then what else the URL names
    (`get_objects`, 404 when it is not there), then whether this user may use the
    form (`has_permission`, 403 otherwise). Success goes back to the workspace's
    `section`. Wrap `as_view()` in `login_required`: the login comes before all this.
    A view that is a section itself sets `section_page` too: it then shows the
    navigation between the sections, itself marked as the current one.
    """

    section = "overview"
    section_page = False

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
        return section_url(self.challenge, self.section)

    def get_context_data(self, **kwargs):
        extra = {"challenge": self.challenge, "section": self.section}
        if self.section_page:
            extra["sections"] = section_nav(self.challenge, self.section)
        else:
            extra["back_url"] = section_url(self.challenge, self.section)
            extra["back_label"] = section_label(self.section)
        return super().get_context_data(**{**extra, **kwargs})


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
        return section_url(self.challenge, self.section)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_title=self.get_page_title(),
            intro=self.get_intro(),
            submit_label=self.get_submit_label(),
            back_url=self.get_back_url(),
            multipart=self.multipart,
            **kwargs,
        )
