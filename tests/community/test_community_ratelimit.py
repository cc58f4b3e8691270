"""Rate limits per person per hour on supporting, asking, answering, reporting and
writing to supporters: over the limit a clear refusal (429) and nothing changes."""

import pytest
from django.test import Client
from django.urls import reverse

from community import ratelimit
from community.models import Answer, Question, Report
from tests.challenges.factories import UserFactory
from tests.community.factories import public_challenge, question

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_asking_is_limited_per_person_per_hour(settings):
    settings.COMMUNITY_RATE_LIMITS = {"ask": 2}
    challenge = public_challenge()
    person = UserFactory()
    client = Client()
    client.force_login(person)
    url = reverse("community:ask", kwargs={"pk": challenge.pk})
    assert client.post(url, {"text": "Een"}, **EN).status_code == 302
    assert client.post(url, {"text": "Twee"}, **EN).status_code == 302
    third = client.post(url, {"text": "Drie"}, **EN)
    assert third.status_code == 429
    assert "too often" in third.content.decode()
    assert Question.objects.filter(author=person).count() == 2
    # Someone else still may.
    other = Client()
    other.force_login(UserFactory())
    assert other.post(url, {"text": "Vier"}, **EN).status_code == 302


def test_answering_and_reporting_are_limited(settings):
    settings.COMMUNITY_RATE_LIMITS = {"answer": 1, "report": 1}
    challenge = public_challenge()
    first, second = question(challenge), question(challenge)
    team = Client()
    team.force_login(challenge.initiator)
    answer = lambda q: reverse("community:answer", kwargs={"pk": challenge.pk, "question": q.pk})  # noqa: E731
    assert team.post(answer(first), {"text": "Ja"}, **EN).status_code == 302
    assert team.post(answer(second), {"text": "Nee"}, **EN).status_code == 429
    assert Answer.objects.count() == 1
    reporter = Client()
    reporter.force_login(UserFactory())
    report = lambda q: reverse(  # noqa: E731
        "community:report", kwargs={"pk": challenge.pk, "kind": "question", "post": q.pk}
    )
    assert reporter.post(report(first), {"reason": "a"}, **EN).status_code == 302
    assert reporter.post(report(second), {"reason": "b"}, **EN).status_code == 429
    assert Report.objects.count() == 1


def test_a_refused_attempt_is_not_counted_and_zero_means_no_limit(settings):
    person = UserFactory()
    settings.COMMUNITY_RATE_LIMITS = {"support": 1}
    assert ratelimit.consume(action="support", user=person)
    for _attempt in range(3):
        assert not ratelimit.consume(action="support", user=person)
    settings.COMMUNITY_RATE_LIMITS = {"support": 0}
    assert all(ratelimit.consume(action="support", user=person) for _n in range(50))


def test_the_defaults_hold_without_settings(settings):
    del settings.COMMUNITY_RATE_LIMITS
    assert ratelimit.limit_for("ask") == 5
