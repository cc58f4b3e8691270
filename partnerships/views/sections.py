"""The section pages of the workspace: the overview (the workspace's own URL) and one
page per part (messages, documents, contact persons, agreement, milestones, knots, the
timeline). The organisation and the reflections have their own modules; they are
sections too and show the same navigation.

Each page reads only what it shows, through the selectors, so its number of queries
does not grow with the number of messages, documents, events or milestones.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from challenges import rendering
from challenges.paging import keyset_page

from .. import permissions, selectors
from ..constants import Side, VersionStatus
from ..forms import DocumentForm, MessageForm
from ._common import _workspace_challenge, section_nav

# How many of the latest events the overview shows; the timeline section has them all.
OVERVIEW_EVENTS = 5


def _render(request, challenge, section: str, context: dict, template: str):
    user = request.user
    base = {
        "challenge": challenge,
        "section": section,
        "sections": section_nav(challenge, section),
        "side": permissions.side_of(user, challenge),
        "can_work": permissions.can_work_in_workspace(user, challenge),
        "show_parties": True,
    }
    return render(request, f"partnerships/{template}", {**base, **context})


def _missing_assessment(challenge) -> list:
    return selectors.missing_for_assessment(challenge) if challenge.status == "intake" else []


def _missing_execution(challenge) -> list:
    return selectors.missing_for_execution(challenge) if challenge.status == "agreement" else []


def _agreement(challenge) -> dict:
    versions = list(selectors.agreement_versions(challenge))
    return {
        "versions": versions,
        "current": next((v for v in versions if v.status in ("proposed", "signed")), None),
        "draft": next((v for v in versions if v.status == VersionStatus.DRAFT), None),
    }


@login_required
def workspace(request, pk):
    """The overview: where the partnership stands, one block per section.

    The workspace's timeline used to be paged on this URL (`?before=`, `?after=`);
    such a link goes on to the timeline section.
    """
    if "before" in request.GET or "after" in request.GET:
        challenge = _workspace_challenge(request, pk)
        url = reverse("partnerships:workspace-timeline", kwargs={"pk": challenge.pk})
        return redirect(f"{url}?{request.GET.urlencode()}")
    challenge = _workspace_challenge(request, pk)
    milestone_list = list(selectors.milestones(challenge))
    events = list(selectors.parties_timeline(challenge)[:OVERVIEW_EVENTS])
    rendering.prerender(events, show_parties=True)
    knots = selectors.knots(challenge)
    context = {
        **_agreement(challenge),
        "partnership": selectors.partnership_of(challenge),
        "active": selectors.active_contact_persons(challenge),
        "missing_assessment": _missing_assessment(challenge),
        "missing_execution": _missing_execution(challenge),
        "milestones": milestone_list,
        "progress": selectors.progress(milestone_list),
        "overdue_milestones": sum(1 for m in milestone_list if m.is_overdue),
        "open_knot_count": knots.filter(status="open").count(),
        "open_reflection": selectors.open_reflection(challenge),
        "message_count": selectors.messages(challenge).count(),
        "latest_message": selectors.messages(challenge).order_by("-created_at", "-pk").first(),
        "document_count": selectors.documents(challenge).count(),
        "events": events,
    }
    return _render(request, challenge, "overview", context, "workspace.html")


@login_required
def messages_section(request, pk):
    challenge = _workspace_challenge(request, pk)
    # The latest messages (oldest first, as a conversation reads); every message is
    # also on the timeline, whose older pages hold the rest.
    size = settings.RTC_TIMELINE_SIZE
    recent = list(selectors.messages(challenge).order_by("-created_at", "-pk")[: size + 1])
    context = {
        "messages_list": recent[:size][::-1],
        "older_messages": len(recent) > size,
        "message_form": MessageForm(),
    }
    return _render(request, challenge, "messages", context, "section_messages.html")


@login_required
def documents_section(request, pk):
    challenge = _workspace_challenge(request, pk)
    context = {
        "documents": list(selectors.documents(challenge).order_by("-created_at", "-pk")),
        "document_form": DocumentForm(),
    }
    return _render(request, challenge, "documents", context, "section_documents.html")


@login_required
def contact_persons_section(request, pk):
    challenge = _workspace_challenge(request, pk)
    user = request.user
    context = {
        "active": selectors.active_contact_persons(challenge),
        "history": list(selectors.contact_person_history(challenge)),
        "assignable": {
            side: permissions.can_assign_contact_person(user, challenge, side)
            for side in Side.values
        },
        "missing_assessment": _missing_assessment(challenge),
    }
    return _render(request, challenge, "contact-persons", context, "section_contact_persons.html")


@login_required
def agreement_section(request, pk):
    challenge = _workspace_challenge(request, pk)
    context = {
        **_agreement(challenge),
        "can_edit_agreement": permissions.can_edit_agreement(request.user, challenge),
        "missing_execution": _missing_execution(challenge),
    }
    return _render(request, challenge, "agreement", context, "section_agreement.html")


@login_required
def milestones_section(request, pk):
    challenge = _workspace_challenge(request, pk)
    milestone_list = list(selectors.milestones(challenge))
    context = {
        "milestones": milestone_list,
        "progress": selectors.progress(milestone_list),
        "can_manage_milestones": permissions.can_manage_milestones(request.user, challenge),
    }
    return _render(request, challenge, "milestones", context, "section_milestones.html")


@login_required
def knots_section(request, pk):
    challenge = _workspace_challenge(request, pk)
    knot_list = list(selectors.knots(challenge))
    context = {
        "open_knots": [k for k in knot_list if k.status == "open"],
        "resolved_knots": [k for k in knot_list if k.status == "resolved"],
    }
    return _render(request, challenge, "knots", context, "section_knots.html")


@login_required
def timeline_section(request, pk):
    challenge = _workspace_challenge(request, pk)
    events = keyset_page(
        selectors.parties_timeline(challenge), request.GET, size=settings.RTC_TIMELINE_SIZE
    )
    rendering.prerender(events, show_parties=True)
    context = {"events": events, "query": ""}
    return _render(request, challenge, "timeline", context, "section_timeline.html")
