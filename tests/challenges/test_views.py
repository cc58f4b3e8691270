"""The public and challenger pages, as a resident, another resident, staff and the public."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from challenges import services
from challenges.constants import EventCode, Status, Visibility
from challenges.models import Challenge, TimelineEvent
from tests.challenges.factories import (
    ChallengeFactory,
    NeighbourhoodFactory,
    TaskFactory,
    add_co_initiator,
    challenge_in,
)

pytestmark = pytest.mark.django_db


def test_home_shows_the_stages_with_their_counts(client):
    challenge_in(Status.INTAKE)
    challenge_in(Status.INTAKE)
    ChallengeFactory()  # a draft: not counted
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    stages = dict((s, n) for s, _label, n in response.context["stages"])
    assert stages["intake"] == 2
    assert stages["submitted"] == 0
    assert sum(stages.values()) == 2
    assert b'href="/challenges/?status=intake"' in response.content


def test_pages_are_dutch_by_default_and_english_on_request(client):
    client.get("/")
    assert client.get("/").headers["Content-Language"] == "nl"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/")
    assert response.headers["Content-Language"] == "en"
    assert '<html lang="en"' in response.content.decode()


def test_challenge_list_never_shows_drafts_and_filters(client):
    draft = ChallengeFactory(title="Geheim concept")
    intake = challenge_in(Status.INTAKE, title="Park in intake")
    other = challenge_in(Status.SUBMITTED, title="Buurthuis ingediend")
    response = client.get("/challenges/")
    body = response.content.decode()
    assert intake.title in body and other.title in body
    assert draft.title not in body

    response = client.get("/challenges/", {"status": "intake"})
    assert list(response.context["page"]) == [intake]
    response = client.get("/challenges/", {"neighbourhood": other.neighbourhood_id})
    assert list(response.context["page"]) == [other]
    response = client.get("/challenges/", {"task": intake.task_id})
    assert list(response.context["page"]) == [intake]


def test_overdue_challenges_are_marked_and_filterable(client):
    late = challenge_in(Status.INTAKE, title="Te laat")
    Challenge.objects.filter(pk=late.pk).update(due_at="2020-01-01T00:00:00Z")
    on_time = challenge_in(Status.INTAKE, title="Op tijd")
    response = client.get("/challenges/", {"overdue": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert list(response.context["page"]) == [late]
    detail = client.get(late.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Overdue" in detail
    assert (
        "Overdue"
        not in client.get(on_time.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


@pytest.mark.parametrize("who", ["anonymous", "other_resident", "reviewer"])
def test_a_draft_is_404_for_anyone_outside_the_team(client, who, other_resident, reviewer):
    draft = ChallengeFactory()
    user = {"anonymous": None, "other_resident": other_resident, "reviewer": reviewer}[who]
    if user:
        client.force_login(user)
    for url in (
        draft.get_absolute_url(),
        reverse("challenges:step", args=[draft.pk, "task"]),
        reverse("challenges:review", args=[draft.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (404, 302), url
        if user:
            assert response.status_code == 404, url
    if user:
        assert (
            client.post(
                reverse("challenges:invite", args=[draft.pk]), {"email": "x@example.org"}
            ).status_code
            == 404
        )
    assert not draft.invitations.exists()


def test_team_members_see_their_draft(client):
    draft = ChallengeFactory()
    co = add_co_initiator(draft)
    for user in (draft.initiator, co):
        client.force_login(user)
        assert client.get(draft.get_absolute_url()).status_code == 200
        assert client.get(reverse("challenges:step", args=[draft.pk, "plan"])).status_code == 200


def test_submission_steps_save_a_draft_at_every_step_and_submit(client, resident):
    task = TaskFactory(current_yearly_cost=Decimal("50000"))
    hood = NeighbourhoodFactory()
    client.force_login(resident)
    response = client.post("/challenges/new/")
    challenge = Challenge.objects.get(initiator=resident)
    assert response.url == reverse("challenges:step", args=[challenge.pk, "task"])

    steps = {
        "task": {
            "task": task.pk,
            "neighbourhood": hood.pk,
            "title": "Park door de buurt",
            "summary": "Wij doen het onderhoud.",
        },
        "plan": {"approach": "Met vrijwilligers.", "social_value": "Ontmoeting."},
        "budget": {"budget_requested": "42500"},
        "team": {
            "legal_form": "foundation",
            "team_description": "Ervaren.",
            "support_evidence": "Handtekeningen.",
        },
    }
    for step, data in steps.items():
        response = client.post(reverse("challenges:step", args=[challenge.pk, step]), data)
        assert response.status_code == 302, response.content
        challenge.refresh_from_db()
        assert challenge.status == Status.DRAFT
    assert challenge.title == "Park door de buurt"
    assert challenge.budget_requested == Decimal("42500")
    assert challenge.budget_ratio == 85

    review = client.get(
        reverse("challenges:review", args=[challenge.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert review.context["missing"] == []
    assert "Submit my challenge" in review.content.decode()
    response = client.post(reverse("challenges:review", args=[challenge.pk]))
    challenge.refresh_from_db()
    assert response.url == challenge.get_absolute_url()
    assert challenge.status == Status.SUBMITTED
    assert challenge.reference.startswith("RTC-")
    assert challenge.events.filter(code=EventCode.SUBMITTED, visibility="public").count() == 1

    # After submission the plan can no longer be edited.
    response = client.post(
        reverse("challenges:step", args=[challenge.pk, "task"]),
        {**steps["task"], "title": "Veranderd"},
    )
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.title == "Park door de buurt"


def test_save_and_finish_later_keeps_the_draft(client, resident):
    draft = ChallengeFactory(initiator=resident, approach="", social_value="")
    client.force_login(resident)
    response = client.post(
        reverse("challenges:step", args=[draft.pk, "plan"]),
        {"approach": "Later meer.", "social_value": "Veel.", "save_and_stop": "1"},
    )
    assert response.url == reverse("challenges:mine")
    draft.refresh_from_db()
    assert draft.approach == "Later meer."


def test_an_invalid_step_shows_specific_errors_and_saves_nothing(client, resident):
    draft = ChallengeFactory(initiator=resident, budget_requested=None)
    client.force_login(resident)
    url = reverse("challenges:step", args=[draft.pk, "budget"])
    for value, message in [
        ("abc", "Write the amount as a number"),
        ("-5", "cannot be negative"),
        ("1" * 30, "too large"),
    ]:
        response = client.post(url, {"budget_requested": value}, HTTP_ACCEPT_LANGUAGE="en")
        body = response.content.decode()
        assert response.status_code == 200
        assert message in body
        assert 'id="error-summary"' in body
        assert 'aria-invalid="true"' in body
    draft.refresh_from_db()
    assert draft.budget_requested is None


def test_review_lists_what_is_missing_and_refuses_submission(client, resident):
    draft = ChallengeFactory(initiator=resident, support_evidence="", legal_form="")
    client.force_login(resident)
    response = client.post(reverse("challenges:review", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    assert "The plan is not complete yet" in body
    assert "support in the neighbourhood" in body
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not draft.events.exists()


def test_invitation_flow_through_the_pages(
    client, resident, other_resident, django_capture_on_commit_callbacks
):
    challenge = challenge_in(Status.SUBMITTED, initiator=resident)
    client.force_login(resident)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("challenges:invite", args=[challenge.pk]), {"email": other_resident.email}
        )
    assert response.status_code == 302
    invitation = challenge.invitations.get()
    assert [m.to for m in mail.outbox] == [[other_resident.email]]
    assert invitation.token in mail.outbox[0].body

    client.force_login(other_resident)
    url = reverse("challenges:invitation", args=[invitation.token])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.url == challenge.get_absolute_url()
    invitation.refresh_from_db()
    assert invitation.user == other_resident
    detail = client.get(challenge.get_absolute_url())
    assert detail.context["is_team"] is True


def test_wrong_account_cannot_use_an_invitation(client, resident, other_resident):
    challenge = challenge_in(Status.SUBMITTED, initiator=resident)
    invitation = services.invitation_create(
        challenge=challenge, actor=resident, email="someone@example.org"
    )
    client.force_login(other_resident)
    response = client.post(
        reverse("challenges:invitation", args=[invitation.token]),
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert "another e-mail address" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.user is None


def test_unknown_invitation_token_is_404(client):
    assert client.get("/invitations/not-a-token/").status_code == 404


def test_additions_by_the_team_and_their_visibility(client, resident, other_resident):
    challenge = challenge_in(Status.INTAKE, initiator=resident)
    client.force_login(resident)
    client.post(
        reverse("challenges:addition", args=[challenge.pk]),
        {"text": "Openbare aanvulling", "visibility": "public"},
    )
    client.post(
        reverse("challenges:addition", args=[challenge.pk]),
        {"text": "Alleen voor partijen", "visibility": "parties"},
    )
    assert challenge.events.filter(code=EventCode.ADDITION).count() == 2

    client.force_login(other_resident)
    body = client.get(challenge.get_absolute_url()).content.decode()
    assert "Openbare aanvulling" in body
    assert "Alleen voor partijen" not in body
    # Someone outside the team may see the challenge but not add to it: 403.
    response = client.post(
        reverse("challenges:addition", args=[challenge.pk]),
        {"text": "Spam", "visibility": "public"},
    )
    assert response.status_code == 403
    assert challenge.events.filter(code=EventCode.ADDITION).count() == 2


def test_internal_notes_are_shown_to_staff_only_and_labelled(client, resident, reviewer):
    challenge = challenge_in(Status.INTAKE, initiator=resident, reviewer=reviewer)
    services.challenge_add_note(
        challenge=challenge, actor=reviewer, text="Interne afweging", visibility=Visibility.INTERNAL
    )
    client.force_login(resident)
    assert "Interne afweging" not in client.get(challenge.get_absolute_url()).content.decode()
    client.force_login(reviewer)
    body = client.get(challenge.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Interne afweging" in body
    assert "internal: municipality only" in body


def test_team_and_municipality_see_the_same_parties_timeline(client, resident, reviewer):
    challenge = challenge_in(Status.ASSESSMENT, initiator=resident, reviewer=reviewer)
    services.challenge_add_addition(
        challenge=challenge, actor=resident, text="Voor partijen", visibility=Visibility.PARTIES
    )
    services.challenge_add_note(
        challenge=challenge, actor=reviewer, text="Ook voor partijen", visibility=Visibility.PARTIES
    )
    client.force_login(resident)
    team_view = [e.pk for e in client.get(challenge.get_absolute_url()).context["events"]]
    client.force_login(reviewer)
    staff_view = [
        e.pk
        for e in client.get(challenge.get_absolute_url()).context["events"]
        if e.visibility != Visibility.INTERNAL
    ]
    assert team_view == staff_view
    assert len(team_view) == challenge.events.count()


def test_challenger_withdraws_with_a_motivation(client, resident):
    challenge = challenge_in(Status.ASSESSMENT, initiator=resident)
    client.force_login(resident)
    url = reverse("challenges:transition", args=[challenge.pk])
    response = client.post(
        url,
        {"to_status": "withdrawn", "motivation": "  ", "expected_status": "assessment"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert "motivation" in response.content.decode()
    challenge.refresh_from_db()
    assert challenge.status == Status.ASSESSMENT
    # A challenger cannot take the reviewer's step.
    client.post(url, {"to_status": "decision", "motivation": "x", "expected_status": "assessment"})
    challenge.refresh_from_db()
    assert challenge.status == Status.ASSESSMENT
    client.post(
        url,
        {
            "to_status": "withdrawn",
            "motivation": "We stoppen ermee.",
            "expected_status": "assessment",
        },
    )
    challenge.refresh_from_db()
    assert challenge.status == Status.WITHDRAWN
    event = challenge.events.get(code=EventCode.STATUS_CHANGED, data__to="withdrawn")
    assert event.data["motivation"] == "We stoppen ermee."


def test_public_log_lists_public_events_newest_first_and_filters(client, reviewer):
    first = challenge_in(Status.SUBMITTED, title="Eerste")
    second = challenge_in(Status.INTAKE, title="Tweede", reviewer=reviewer)
    services.challenge_add_note(
        challenge=second, actor=reviewer, text="Geheime notitie", visibility=Visibility.INTERNAL
    )
    ChallengeFactory(title="Concept")
    response = client.get("/log/")
    events = list(response.context["page"])
    assert all(e.visibility == Visibility.PUBLIC for e in events)
    assert [e.created_at for e in events] == sorted((e.created_at for e in events), reverse=True)
    assert "Geheime notitie" not in response.content.decode()
    assert "Concept" not in response.content.decode()
    assert {e.challenge_id for e in events} == {first.pk, second.pk}

    only = client.get("/log/", {"neighbourhood": first.neighbourhood_id}).context["page"]
    assert {e.challenge_id for e in only} == {first.pk}
    by_stage = client.get("/log/", {"status": "intake"}).context["page"]
    assert {e.challenge_id for e in by_stage} == {second.pk}
    future = client.get("/log/", {"date_from": "2999-01-01"}).context["page"]
    assert list(future) == []


def test_atom_feed_has_public_events_only(client, reviewer):
    challenge = challenge_in(Status.INTAKE, title="In de feed", reviewer=reviewer)
    services.challenge_add_note(
        challenge=challenge, actor=reviewer, text="Niet in de feed", visibility=Visibility.INTERNAL
    )
    response = client.get("/log/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "In de feed" in body
    assert "Niet in de feed" not in body
    public = TimelineEvent.objects.filter(visibility=Visibility.PUBLIC).count()
    assert body.count("<entry>") == public


def test_my_challenges_lists_drafts_and_submitted_for_the_team_only(client, resident):
    mine = ChallengeFactory(initiator=resident, title="Mijn concept")
    ChallengeFactory(title="Van een ander")
    client.force_login(resident)
    body = client.get("/challenges/mine/").content.decode()
    assert "Mijn concept" in body and "Van een ander" not in body
    # A complete draft resumes on the review page (see test_submission_flow.py).
    assert reverse("challenges:review", args=[mine.pk]) in body


def test_login_is_required_for_the_challenger_pages(client):
    for url in ("/challenges/new/", "/challenges/mine/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("typed", ["42500,50", "42500.50"])
def test_budget_accepts_a_dutch_or_english_decimal(client, resident, typed):
    draft = ChallengeFactory(initiator=resident, budget_requested=None)
    client.force_login(resident)
    response = client.post(
        reverse("challenges:step", args=[draft.pk, "budget"]), {"budget_requested": typed}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.budget_requested == Decimal("42500.50")
