"""The workspace as sections: each its own page with its own title and heading, one
navigation between them with the current one marked, the old anchors of the
one-page workspace still landing on the overview, and every form returning to the
section it belongs to."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partnerships.models import Knot
from tests.core.upload_samples import pdf
from tests.partnerships.helpers import url

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

# URL name, the <title> it starts with, its <h1>.
SECTIONS = [
    ("workspace", "Overview", "Workspace: "),
    ("workspace-messages", "Messages", "Messages"),
    ("workspace-documents", "Documents", "Documents"),
    ("workspace-contact-persons", "Fixed contact persons", "Fixed contact persons"),
    ("organisation", "Organisation of the challenger", "Organisation of the challenger"),
    ("workspace-agreement", "Agreement", "Agreement"),
    ("workspace-milestones", "Milestones and progress", "Milestones and progress"),
    ("reflections", "Reflections", "Reflecting together"),
    ("workspace-knots", "Knots", "Knots"),
    ("workspace-timeline", "Timeline of the parties", "Timeline of the parties"),
]


def _nav(html: str) -> str:
    match = re.search(
        r'<nav class="rtc-workspace-nav" aria-label="([^"]+)">(.*?)</nav>', html, re.S
    )
    assert match, "the section navigation is on the page"
    assert match.group(1) == "Sections of the workspace"
    return match.group(2)


@pytest.mark.parametrize(("name", "title", "heading"), SECTIONS)
def test_each_section_is_a_page_with_its_own_title_heading_and_current_link(
    client, in_execution, name, title, heading
):
    p = in_execution
    client.force_login(p.municipality)
    page_url = url(name, p.challenge)
    html = client.get(page_url, **EN).content.decode()
    page_title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert page_title.startswith(f"{title} – Workspace: {p.challenge.title}")
    h1 = re.findall(r'<h1 class="utrecht-heading-1">(.*?)</h1>', html, re.S)
    assert len(h1) == 1 and h1[0].startswith(heading)
    nav = _nav(html)
    links = re.findall(r'<a class="rtc-workspace-nav__link" href="([^"]+)"([^>]*)>', nav)
    assert len(links) == len(SECTIONS)
    current = [href for href, attrs in links if 'aria-current="page"' in attrs]
    assert current == [page_url]
    # One aria-current="page" on the whole page: the main menu marks none here.
    assert html.count('aria-current="page"') == 1


def test_the_old_anchors_of_the_one_page_workspace_land_on_the_overview(client, in_execution):
    """Links from before the split (`workspace/#contact-persons`) still find a block
    that leads on to the section."""
    p = in_execution
    client.force_login(p.challenger)
    html = client.get(url("workspace", p.challenge), **EN).content.decode()
    for anchor, section in [
        ("contact-persons", "workspace-contact-persons"),
        ("organisation", "organisation"),
        ("agreement", "workspace-agreement"),
        ("milestones", "workspace-milestones"),
        ("reflections", "reflections"),
        ("knots", "workspace-knots"),
        ("messages", "workspace-messages"),
        ("documents", "workspace-documents"),
        ("timeline", "workspace-timeline"),
    ]:
        block = html[html.index(f'id="{anchor}"') :]
        assert f'href="{url(section, p.challenge)}"' in block[:2500], anchor


def test_the_overview_is_short(client, in_execution):
    """The overview summarises; the long lists are on their own sections."""
    p = in_execution
    from partnerships import services

    for i in range(30):
        services.message_post(challenge=p.challenge, actor=p.challenger, text=f"Bericht {i}")
    client.force_login(p.challenger)
    html = client.get(url("workspace", p.challenge), **EN).content.decode()
    assert 'id="message-' not in html
    assert "30 messages." in html
    assert len(re.findall(r'id="event-\d+"', html)) == 5
    messages = client.get(url("workspace-messages", p.challenge), **EN).content.decode()
    assert len(re.findall(r'id="message-\d+"', messages)) == 30


def test_forms_return_to_their_section(client, in_execution):
    p = in_execution
    client.force_login(p.challenger)
    response = client.post(url("message-new", p.challenge), {"text": "Goedemorgen!"})
    assert response.status_code == 302 and response.url == url("workspace-messages", p.challenge)
    response = client.post(
        url("document-upload", p.challenge),
        {"file": SimpleUploadedFile("plan.pdf", pdf(), content_type="application/pdf")},
    )
    assert response.status_code == 302 and response.url == url("workspace-documents", p.challenge)
    needed_by = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(
        url("knot-new", p.challenge),
        {"question": "Sleutel?", "decision_needed": "Wie?", "needed_by": needed_by},
    )
    assert response.status_code == 302 and response.url == url("workspace-knots", p.challenge)
    response = client.post(
        url("milestone-new", p.challenge),
        {"title": "Oogstdag", "owner_side": "challenger", "due_date": needed_by},
    )
    assert response.status_code == 302
    assert response.url == url("workspace-milestones", p.challenge)
    client.force_login(p.coordinator)
    knot = Knot.objects.get(challenge=p.challenge)
    response = client.post(url("knot-resolve", p.challenge, knot_id=knot.pk), {"decision": "Ik."})
    assert response.status_code == 302 and response.url == url("workspace-knots", p.challenge)


def test_a_form_page_leads_back_to_its_section(client, in_execution):
    p = in_execution
    client.force_login(p.challenger)
    for name, section, label in [
        ("message-new", "workspace-messages", "Messages"),
        ("document-upload", "workspace-documents", "Documents"),
        ("knot-new", "workspace-knots", "Knots"),
        ("milestone-new", "workspace-milestones", "Milestones"),
        ("agreement-draft", "workspace-agreement", "Agreement"),
    ]:
        html = client.get(url(name, p.challenge), **EN).content.decode()
        assert f'href="{url(section, p.challenge)}">Back to the workspace: {label}</a>' in html
    html = client.get(url("agreement-version", p.challenge, number=1), **EN).content.decode()
    assert f'href="{url("workspace-agreement", p.challenge)}">Back to the workspace' in html


def test_a_refused_message_stays_on_its_form_with_nothing_saved(client, in_execution):
    p = in_execution
    client.force_login(p.challenger)
    response = client.post(url("message-new", p.challenge), {"text": "   "}, **EN)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not p.challenge.workspace_messages.exists()


def test_the_coordinators_knot_list_links_to_the_knot_in_its_section(client, in_execution):
    from django.urls import reverse

    from partnerships import services

    p = in_execution
    knot = services.knot_raise(
        challenge=p.challenge,
        actor=p.challenger,
        question="Vraag?",
        decision_needed="Besluit.",
        needed_by=timezone.localdate(),
    )
    client.force_login(p.coordinator)
    html = client.get(reverse("partnerships:knots"), **EN).content.decode()
    assert f'href="{url("workspace-knots", p.challenge)}#knot-{knot.pk}"' in html
    section = client.get(url("workspace-knots", p.challenge), **EN).content.decode()
    assert f'id="knot-{knot.pk}"' in section


@pytest.mark.parametrize("cursor", ["abc", "-1", "99999999999999999999999", "", "1e9", "%00"])
def test_a_malformed_timeline_cursor_shows_the_newest_page(client, in_execution, cursor):
    p = in_execution
    client.force_login(p.challenger)
    response = client.get(url("workspace", p.challenge), {"before": cursor}, follow=True)
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == url("workspace-timeline", p.challenge)
    assert response.context["events"].newer is None
