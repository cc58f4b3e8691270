"""Hostile and malformed input to every form and URL: a clear answer, never a 500,
and nothing changed."""

import pytest
from django.test import Client
from django.urls import reverse

from challenges.constants import Status
from challenges.models import Challenge, TimelineEvent
from tests.challenges.factories import ChallengeFactory, challenge_in

pytestmark = pytest.mark.django_db

NASTY = [
    "",
    " ",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\x00null",
    "9" * 40,
    "-1",
    "../../etc/passwd",
    "%00",
    "ü" * 6000,
    "{{ 7*7 }}",
]


@pytest.fixture
def world(reviewer):
    public = challenge_in(Status.ASSESSMENT, reviewer=reviewer)
    draft = ChallengeFactory(initiator=public.initiator)
    return {"public": public, "draft": draft, "reviewer": reviewer}


def _snapshot():
    return (
        list(Challenge.objects.order_by("pk").values_list("status", "title", "budget_requested")),
        TimelineEvent.objects.count(),
    )


@pytest.mark.parametrize("value", NASTY)
@pytest.mark.parametrize("path", ["/challenges/", "/log/", "/log/feed/", "/"])
@pytest.mark.parametrize(
    "param", ["status", "neighbourhood", "task", "page", "date_from", "date_to", "overdue"]
)
def test_list_filters_never_fail(client, world, path, param, value):
    response = client.get(path, {param: value})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/challenges/0/",
        "/challenges/99999999999999999999999/",
        "/challenges/abc/",
        "/challenges/1/plan/nope/",
        "/invitations/%3Cscript%3E/",
        "/invitations/" + "a" * 500 + "/",
        "/log/feed/extra/",
        "/admin/challenges/challenge/99999999999999999999/transition/",
    ],
)
def test_unknown_urls_are_404(client, world, url):
    client.force_login(world["reviewer"])
    assert client.get(url).status_code == 404


# Blank answers are not nonsense: a draft saves a half-answered step (the review page
# lists what is missing; tests/challenges/test_submission_flow.py).
@pytest.mark.parametrize("value", [value for value in NASTY if value.strip()])
def test_submission_steps_refuse_nonsense_and_keep_the_draft(client, world, value):
    draft = world["draft"]
    client.force_login(draft.initiator)
    before = _snapshot()
    for step, fields in [
        ("task", {"task": value, "neighbourhood": value, "title": value, "summary": value}),
        ("budget", {"budget_requested": value}),
        ("team", {"legal_form": value, "team_description": value, "support_evidence": value}),
    ]:
        response = client.post(reverse("challenges:step", args=[draft.pk, step]), fields)
        assert response.status_code == 200, (step, value)
        assert b'id="error-summary"' in response.content
    assert _snapshot() == before


def test_markup_in_a_plan_is_escaped_everywhere(client, world):
    challenge = challenge_in(Status.SUBMITTED, title="<script>alert('x')</script> park")
    for url in ("/", "/challenges/", challenge.get_absolute_url(), "/log/"):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url
    feed = client.get("/log/feed/").content.decode()
    assert "<script>alert" not in feed


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"to_status": "completed", "motivation": "x", "expected_status": "assessment"},
        {"to_status": "bogus", "motivation": "x", "expected_status": "assessment"},
        {"to_status": "withdrawn", "motivation": "x", "expected_status": "draft"},
        {"to_status": "withdrawn", "motivation": "x" * 6000, "expected_status": "assessment"},
        {"to_status": "withdrawn", "motivation": "\x00", "expected_status": "assessment"},
    ],
)
def test_challenger_transition_refuses_bad_posts(client, world, data):
    challenge = world["public"]
    client.force_login(challenge.initiator)
    before = _snapshot()
    response = client.post(reverse("challenges:transition", args=[challenge.pk]), data)
    assert response.status_code == 302
    assert _snapshot() == before


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"to_status": "accepted", "motivation": "", "expected_status": "decision"},
        {"to_status": "intake", "motivation": "x", "expected_status": "assessment"},
        {"to_status": "decision", "motivation": "x", "expected_status": "submitted"},
        {"to_status": "<b>", "motivation": "x", "expected_status": "assessment"},
    ],
)
def test_admin_transition_refuses_bad_posts(client, world, data):
    challenge = world["public"]
    client.force_login(world["reviewer"])
    before = _snapshot()
    url = reverse("admin:challenges_challenge_transition", args=[challenge.pk])
    response = client.post(url, data)
    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert _snapshot() == before


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"text": "", "visibility": "public"},
        {"text": "x", "visibility": "internal"},
        {"text": "x", "visibility": "everyone"},
        {"text": "x" * 6000, "visibility": "public"},
    ],
)
def test_additions_refuse_bad_posts(client, world, data):
    challenge = world["public"]
    client.force_login(challenge.initiator)
    before = _snapshot()
    response = client.post(reverse("challenges:addition", args=[challenge.pk]), data)
    # The challenge page again, with the error summary (no longer a redirect that
    # left the typed text behind).
    assert response.status_code == 200
    assert b'id="error-summary"' in response.content
    assert _snapshot() == before


@pytest.mark.parametrize("email", ["", "not-an-email", "a@b", "<x>@example.org", "x" * 300])
def test_invitations_refuse_bad_addresses(client, world, email):
    challenge = world["public"]
    client.force_login(challenge.initiator)
    response = client.post(reverse("challenges:invite", args=[challenge.pk]), {"email": email})
    assert response.status_code == 302
    assert not challenge.invitations.exists()


def test_forms_without_csrf_token_are_refused(world):
    client = Client(enforce_csrf_checks=True)
    challenge = world["public"]
    client.force_login(challenge.initiator)
    before = _snapshot()
    response = client.post(
        reverse("challenges:transition", args=[challenge.pk]),
        {"to_status": "withdrawn", "motivation": "x", "expected_status": "assessment"},
    )
    assert response.status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_wrong_methods_are_refused(client, world, method):
    challenge = world["public"]
    client.force_login(challenge.initiator)
    response = getattr(client, method)(reverse("challenges:addition", args=[challenge.pk]))
    assert response.status_code == 405


def test_language_switch_ignores_unknown_languages_and_foreign_redirects(client):
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response.url
    assert client.get("/").headers["Content-Language"] == "nl"
