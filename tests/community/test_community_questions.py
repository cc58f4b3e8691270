"""Public questions and answers: who asks and answers, the marks, everybody sees the
same; reports once per post; a hidden post is gone from every page, the Atom feed,
the log exports and the notifications, with its hiding on the timeline, and the
log still verifies."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from challenges.constants import Status
from challenges.management.commands.verify_log import verify_log
from challenges.models import TimelineEvent
from community import services
from community.constants import AnswerRole, CommunityEvent
from community.models import Answer, Question, Report
from core.errors import ServiceError
from notifications import services as notification_services
from notifications.models import Notification
from tests.challenges.factories import (
    ChallengeFactory,
    CoordinatorFactory,
    ReviewerFactory,
    StaffUserFactory,
    UserFactory,
)
from tests.community.factories import answer, public_challenge, question

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
SECRET = "Mijn buurman Piet de Vries op nummer 12 is een oplichter"


def _message(error) -> str:
    with translation.override("en"):
        return " ".join(error.messages)


def _posts(html: str) -> list[str]:
    """The content of each question and answer on a page, as every reader sees it."""
    return [
        re.sub(r"\s+", " ", m)
        for m in re.findall(r'<div class="rtc-post__content">(.*?)</div>', html, re.S)
    ]


def _titles(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", m)
        for m in re.findall(r'class="[^"]*rtc-post__title"[^>]*>(.*?)</h', html, re.S)
    ]


@pytest.fixture
def qa(db):
    reviewer = ReviewerFactory()
    challenge = public_challenge(Status.INTAKE, reviewer=reviewer)
    asker = UserFactory()
    asked = question(challenge, asker, "Wie ruimt het zwerfafval op?")
    by_team = answer(asked, challenge.initiator, "Onze vrijwilligers, elke zaterdag.")
    by_city = answer(asked, reviewer, "De gemeente haalt de zakken op.")
    return challenge, reviewer, asker, asked, by_team, by_city


def test_a_question_and_its_answers_are_marked_and_public_events(qa):
    challenge, reviewer, asker, asked, by_team, by_city = qa
    assert by_team.role == AnswerRole.TEAM and by_city.role == AnswerRole.MUNICIPALITY
    codes = list(
        TimelineEvent.objects.filter(challenge=challenge, code__startswith="question_")
        .order_by("seq")
        .values_list("code", "visibility", "actor_role")
    )
    assert codes == [
        (CommunityEvent.QUESTION_ASKED, "public", ""),
        (CommunityEvent.QUESTION_ANSWERED, "public", "challenger"),
        (CommunityEvent.QUESTION_ANSWERED, "public", "reviewer"),
    ]


def test_the_public_and_the_parties_see_the_same_question_and_answers(qa, client):
    challenge, reviewer, asker, asked, by_team, by_city = qa
    url = challenge.get_absolute_url()
    readers = {
        "anonymous": None,
        "asker": asker,
        "team": challenge.initiator,
        "reviewer": reviewer,
        "other": UserFactory(),
    }
    seen = {}
    for name, user in readers.items():
        reader = Client()
        if user is not None:
            reader.force_login(user)
        html = reader.get(url, **EN).content.decode()
        seen[name] = (_titles(html), _posts(html))
    first = seen["anonymous"]
    assert any("Answer by the challenger team" in t for t in first[0])
    assert any("Answer by the municipality" in t for t in first[0])
    assert any("Onze vrijwilligers" in p for p in first[1])
    for name, view in seen.items():
        assert view == first, name
    # The questions page too.
    html = Client().get(reverse("community:questions", kwargs={"pk": challenge.pk}), **EN)
    assert _posts(html.content.decode()) == first[1]


def test_anonymous_cannot_post_and_is_sent_to_the_login(qa):
    challenge, _reviewer, _asker, asked, _t, _c = qa
    anonymous = Client()
    for url in (
        reverse("community:ask", kwargs={"pk": challenge.pk}),
        reverse("community:answer", kwargs={"pk": challenge.pk, "question": asked.pk}),
        reverse(
            "community:report", kwargs={"pk": challenge.pk, "kind": "question", "post": asked.pk}
        ),
        reverse(
            "community:hide", kwargs={"pk": challenge.pk, "kind": "question", "post": asked.pk}
        ),
    ):
        response = anonymous.post(url, {"text": "x", "reason": "y"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert Question.objects.count() == 1 and Report.objects.count() == 0


def test_asking_over_http_and_refusals(client):
    challenge = public_challenge()
    person = UserFactory()
    client.force_login(person)
    url = reverse("community:ask", kwargs={"pk": challenge.pk})
    assert client.get(url, **EN).status_code == 200
    empty = client.post(url, {"text": "   "}, **EN)
    assert empty.status_code == 200 and "Write your question." in empty.content.decode()
    done = client.post(url, {"text": "Mag ik meedoen?"}, **EN)
    assert done.status_code == 302
    assert Question.objects.get().text == "Mag ik meedoen?"


def test_an_unverified_person_cannot_ask(client):
    challenge = public_challenge()
    person = UserFactory()
    EmailAddress.objects.filter(user=person).update(verified=False)
    client.force_login(person)
    response = client.post(
        reverse("community:ask", kwargs={"pk": challenge.pk}), {"text": "Hallo?"}, follow=True, **EN
    )
    assert "Confirm your e-mail address first" in response.content.decode()
    assert not Question.objects.exists()


def test_only_the_team_and_the_municipality_answer(qa):
    challenge, _reviewer, asker, asked, _t, _c = qa
    url = reverse("community:answer", kwargs={"pk": challenge.pk, "question": asked.pk})
    for user in (asker, UserFactory(), StaffUserFactory()):
        reader = Client()
        reader.force_login(user)
        assert reader.post(url, {"text": "Ik weet het!"}).status_code == 403
        with pytest.raises(ServiceError):
            services.question_answer(question=asked, actor=user, text="Ik weet het!")
    coordinator = Client()
    coordinator.force_login(CoordinatorFactory())
    assert coordinator.post(url, {"text": "Namens de gemeente: ja."}).status_code == 302
    assert Answer.objects.filter(question=asked).count() == 3


def test_a_draft_has_no_questions_page_and_refuses_questions(client):
    draft = ChallengeFactory()
    client.force_login(draft.initiator)
    assert client.get(reverse("community:questions", kwargs={"pk": draft.pk})).status_code == 404
    with pytest.raises(ServiceError):
        services.question_ask(challenge=draft, actor=UserFactory(), text="Hoi")


def test_a_post_is_reported_once_per_person(qa):
    challenge, _reviewer, asker, asked, by_team, _c = qa
    reporter = UserFactory()
    services.post_report(post=asked, actor=reporter, reason="Noemt een naam")
    with pytest.raises(ServiceError) as refused:
        services.post_report(post=asked, actor=reporter, reason="Nog eens")
    assert "already" in _message(refused.value)
    services.post_report(post=by_team, actor=reporter, reason="Klopt niet")
    services.post_report(post=asked, actor=UserFactory(), reason="Ook ik")
    assert Report.objects.filter(question=asked).count() == 2
    with pytest.raises(ServiceError):
        services.post_report(post=asked, actor=UserFactory(), reason="  ")


def test_reporting_over_http(qa, client):
    challenge, _reviewer, _asker, asked, _t, _c = qa
    client.force_login(UserFactory())
    url = reverse(
        "community:report", kwargs={"pk": challenge.pk, "kind": "question", "post": asked.pk}
    )
    assert client.get(url, **EN).status_code == 200
    assert client.post(url, {"reason": "Beledigend"}, **EN).status_code == 302
    again = client.post(url, {"reason": "Beledigend"}, **EN)
    assert again.status_code == 200 and "reported this post already" in again.content.decode()
    assert client.get(url.replace("/question/", "/nonsense/")).status_code == 404
    assert client.get(url.replace(f"/{asked.pk}/", "/999999/")).status_code == 404
    assert Report.objects.count() == 1


def test_hiding_is_for_staff_with_a_role(qa):
    challenge, reviewer, asker, asked, _t, _c = qa
    url = reverse(
        "community:hide", kwargs={"pk": challenge.pk, "kind": "question", "post": asked.pk}
    )
    for user in (asker, challenge.initiator, StaffUserFactory()):
        reader = Client()
        reader.force_login(user)
        assert reader.post(url, {"reason": "weg"}).status_code == 403
    assert Question.objects.get(pk=asked.pk).hidden_at is None


@pytest.fixture
def follower_world(db):
    """A challenge with a follower, and a question whose text names someone."""
    reviewer = ReviewerFactory()
    challenge = public_challenge(Status.INTAKE, reviewer=reviewer)
    follower = UserFactory()
    notification_services.follow_create(challenge=challenge, user=follower)
    return challenge, reviewer, follower


def test_a_hidden_post_is_gone_everywhere_and_its_hiding_is_on_the_timeline(
    follower_world, django_capture_on_commit_callbacks, tmp_path
):
    challenge, reviewer, follower = follower_world
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        asked = question(challenge, UserFactory(), SECRET)
    # The follower was told, with the text (before it was hidden).
    assert any(SECRET in m.body for m in mail.outbox)
    assert Notification.objects.filter(recipient=follower, event=asked.event).exists()
    team_answer = answer(asked, challenge.initiator, "Wij reageren hier niet op.")

    anonymous = Client()
    pages = [
        challenge.get_absolute_url(),
        reverse("community:questions", kwargs={"pk": challenge.pk}),
        reverse("challenges:log"),
        reverse("challenges:log-feed"),
        reverse("challenges:home"),
    ]
    for url in pages:
        assert SECRET in _body(anonymous.get(url, **EN)), url  # there before

    hider = Client()
    hider.force_login(reviewer)
    hide_url = reverse(
        "community:hide", kwargs={"pk": challenge.pk, "kind": "question", "post": asked.pk}
    )
    assert hider.get(hide_url, **EN).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = hider.post(hide_url, {"reason": "Noemt en beschuldigt een buurtbewoner."}, **EN)
    assert response.status_code == 302

    hidden = Question.objects.get(pk=asked.pk)
    assert hidden.text == "" and hidden.hidden_at is not None
    # The event that published it keeps its place, without its content.
    event = TimelineEvent.objects.get(pk=asked.event_id)
    assert event.erased_at is not None and event.data == {"erased": True}
    # The hiding is a public event with its reason.
    hiding = TimelineEvent.objects.get(challenge=challenge, code=CommunityEvent.POST_HIDDEN)
    assert hiding.visibility == "public"
    assert hiding.data == {
        "post": "question",
        "seq": event.seq,
        "reason": "Noemt en beschuldigt een buurtbewoner.",
    }

    follower_client = Client()
    follower_client.force_login(follower)
    party = Client()
    party.force_login(challenge.initiator)
    for reader in (anonymous, follower_client, party, hider):
        for url in [*pages, reverse("community:supporters", kwargs={"pk": challenge.pk})]:
            body = _body(reader.get(url, **EN))
            assert SECRET not in body, url
        assert "Noemt en beschuldigt een buurtbewoner." in _body(
            reader.get(challenge.get_absolute_url(), **EN)
        )
    # The answer to it stays.
    assert team_answer.text in _body(anonymous.get(challenge.get_absolute_url(), **EN))
    # Notification centre of the follower.
    assert SECRET not in _body(follower_client.get(reverse("notifications:list"), **EN))
    # The log exports.
    for kind in ("json", "csv"):
        body = _body(anonymous.get(reverse(f"challenges:log-export-{kind}")))
        assert SECRET not in body, kind
        assert str(event.seq) in body
    # The log still verifies: the erasure is named by an erasure event.
    verify_log(in_process=True)
    # A mail still to be sent (a daily digest, a retry) renders the erased event.
    from notifications.delivery import event_text

    with translation.override("en"):
        assert SECRET not in event_text(TimelineEvent.objects.get(pk=asked.event_id))
    # And it cannot be answered or hidden again.
    with pytest.raises(ServiceError):
        services.question_answer(question=hidden, actor=challenge.initiator, text="Toch nog")
    with pytest.raises(ServiceError):
        services.post_hide(post=hidden, actor=reviewer, reason="Nog eens")
    with pytest.raises(ServiceError):
        services.post_report(post=hidden, actor=UserFactory(), reason="Weg ermee")


def test_a_question_asked_before_closing_can_still_be_answered_not_asked():
    reviewer = ReviewerFactory()
    challenge = public_challenge(Status.DECISION, reviewer=reviewer)
    asked = question(challenge)
    from challenges import services as challenge_services

    closed = challenge_services.challenge_transition(
        challenge=challenge, to_status=Status.REJECTED, actor=reviewer, motivation="Te duur."
    )
    answer(asked, reviewer, "Het plan is afgewezen; de motivering staat op de tijdlijn.")
    with pytest.raises(ServiceError):
        question(closed)


def test_hiding_an_answer(qa, django_capture_on_commit_callbacks):
    challenge, reviewer, _asker, asked, by_team, by_city = qa
    secret = by_team.text
    with django_capture_on_commit_callbacks(execute=True):
        services.post_hide(post=by_team, actor=reviewer, reason="Onjuist")
    html = _body(Client().get(challenge.get_absolute_url(), **EN))
    assert secret not in html
    assert "The municipality hid this answer." in html
    assert by_city.text in html
    verify_log(in_process=True)


def test_a_hide_without_a_reason_changes_nothing(qa):
    challenge, reviewer, _asker, asked, _t, _c = qa
    with pytest.raises(ServiceError):
        services.post_hide(post=asked, actor=reviewer, reason="   ")
    assert Question.objects.get(pk=asked.pk).text == asked.text
    assert not TimelineEvent.objects.filter(code=CommunityEvent.POST_HIDDEN).exists()
    assert TimelineEvent.objects.get(pk=asked.event_id).erased_at is None


def test_the_admin_lists_posts_with_reports_and_links_to_hiding(qa):
    challenge, reviewer, _asker, asked, _t, _c = qa
    services.post_report(post=asked, actor=UserFactory(), reason="Scheldwoord")
    client = Client()
    client.force_login(reviewer)
    page = _body(client.get(reverse("admin:community_question_changelist"), **EN))
    assert asked.text[:40] in page
    assert (
        reverse("community:hide", kwargs={"pk": challenge.pk, "kind": "question", "post": asked.pk})
        in page
    )
    action = client.post(
        reverse("admin:community_question_changelist"),
        {"action": "hide_selected", "_selected_action": [asked.pk]},
    )
    assert action.status_code == 302 and "/hide/" in action["Location"]
    for name in ("answer", "report", "support"):
        assert client.get(reverse(f"admin:community_{name}_changelist")).status_code == 200


def _body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()
