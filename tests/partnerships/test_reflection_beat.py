"""The one way the portal asks for a reflection (Celery beat, daily): on the
agreement's evaluation dates, once on entering evaluation, and every
REFLECTION_PROMPT_DAYS of execution once those dates are past; never a second
reflection while one is open. In the recipient's language."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from challenges import services as challenge_services
from challenges.constants import Status
from notifications.services import follow_create
from partnerships import services, tasks
from partnerships.constants import PartnershipEvent
from partnerships.models import ReflectionRound
from tests.challenges.factories import (
    ReviewerFactory,
    UserFactory,
    challenge_in,
    sign_agreement,
)

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
SCORES = {"right_things": 4, "doing_right": 3, "together": 5}
COMMENTS = {
    "right_things": "Het park wordt goed gebruikt.",
    "doing_right": "Het maaien kan vaker.",
    "together": "We overleggen elke maand.",
}


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(task, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return task.delay(*args, **kwargs).get()

    return run


def _answer_both(challenge, *people):
    round_ = ReflectionRound.objects.get(challenge=challenge, revealed_at__isnull=True)
    for person in people:
        services.reflection_answer(round=round_, actor=person, scores=SCORES, comments=COMMENTS)


def test_reflections_during_execution_and_on_evaluation(clock, run_on_commit, settings):
    clock.set(datetime(2026, 1, 5, 9, 0, tzinfo=AMS))
    reviewer = ReviewerFactory()
    challenge = challenge_in(Status.AGREEMENT, reviewer=reviewer, agreement=False)
    sign_agreement(challenge, evaluation_dates=[date(2026, 2, 4)])
    challenge = challenge_services.challenge_transition(
        challenge=challenge, to_status=Status.EXECUTION, actor=reviewer
    )
    initiator = challenge.initiator
    initiator.language = "en"
    initiator.save()
    follower = UserFactory()
    follow_create(user=follower, challenge=challenge)
    mail.outbox.clear()
    assert settings.REFLECTION_PROMPT_DAYS == 90

    clock.advance(days=29)
    assert run_on_commit(tasks.open_due_reflections) == 0
    clock.advance(days=1)  # 4 February: the agreement's evaluation date
    assert run_on_commit(tasks.open_due_reflections) == 1
    assert run_on_commit(tasks.open_due_reflections) == 0  # safe to run twice
    # The parties, not the follower (a parties event), each in their own language.
    told = {m.to[0]: m.body for m in mail.outbox}
    assert set(told) == {initiator.email, reviewer.email}
    assert "Are we doing the right thing?" in told[initiator.email]
    assert "The evaluation date of 4 February 2026 has come." in told[initiator.email]
    assert "Are we doing the right thing?" not in told[reviewer.email]  # Dutch

    # While that reflection waits for its answers, the portal asks for no other.
    clock.advance(days=89)
    assert run_on_commit(tasks.open_due_reflections) == 0
    _answer_both(challenge, initiator, reviewer)
    assert run_on_commit(tasks.open_due_reflections) == 0  # 89 days since the last
    # The dates are past: every REFLECTION_PROMPT_DAYS since the latest reflection.
    clock.advance(days=1)
    mail.outbox.clear()
    assert run_on_commit(tasks.open_due_reflections) == 1
    assert run_on_commit(tasks.open_due_reflections) == 0
    assert "running for a while" in {m.to[0]: m.body for m in mail.outbox}[initiator.email]
    _answer_both(challenge, initiator, reviewer)

    clock.advance(days=3)
    challenge_services.challenge_transition(
        challenge=challenge, to_status=Status.EVALUATION, actor=reviewer
    )
    assert run_on_commit(tasks.open_due_reflections) == 1  # entering evaluation
    _answer_both(challenge, initiator, reviewer)
    clock.advance(days=200)
    assert run_on_commit(tasks.open_due_reflections) == 0  # once per evaluation
    opened = challenge.events.filter(code=PartnershipEvent.REFLECTION_OPENED).order_by("seq")
    assert [e.data["trigger"] for e in opened] == ["evaluation_date", "periodic", "evaluation"]
    assert all(e.actor_id is None for e in opened)


def test_evaluation_dates_replace_the_period(clock, run_on_commit):
    """While an evaluation date is ahead, that date is the next moment, not the period."""
    clock.set(datetime(2026, 1, 5, 9, 0, tzinfo=AMS))
    challenge = challenge_in(Status.EXECUTION)  # its agreement has dates at +182 and +365
    clock.advance(days=120)
    assert run_on_commit(tasks.open_due_reflections) == 0
    clock.advance(days=62)
    assert run_on_commit(tasks.open_due_reflections) == 1
    (event,) = challenge.events.filter(code=PartnershipEvent.REFLECTION_OPENED)
    assert event.data["trigger"] == "evaluation_date"
    assert event.data["evaluation_date"] == "2026-07-06"
