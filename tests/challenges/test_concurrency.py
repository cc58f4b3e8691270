"""Two people acting on the same moment, on a real PostgreSQL server.

SQLite serialises every write and ignores SELECT ... FOR UPDATE, so only PostgreSQL
shows whether the row lock in the services does its work.
"""

import threading

import pytest
from django.db import connection
from django.utils import timezone, translation

from challenges import services
from challenges.constants import EventCode, Status
from challenges.models import Challenge, ReferenceCounter
from tests.challenges.factories import ChallengeFactory, ReviewerFactory, challenge_in

pytestmark = [
    pytest.mark.postgres,
    # Real commits, seen by the other thread's connection. serialized_rollback brings
    # back the staff groups of the migrations after a transactional test flushed them.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _at_the_same_moment(*calls):
    """Run each call in its own thread (its own connection), released together.

    Returns, per call, ("ok", result) or ("error", exception).
    """
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("ok", call())
        except Exception as error:  # noqa: BLE001 - reported to the test
            outcomes[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return outcomes


def _message(error) -> str:
    with translation.override("en"):
        return " ".join(error.messages)


@pytest.mark.parametrize("expected_status", [Status.SUBMITTED, None], ids=["form", "direct"])
def test_two_reviewers_starting_the_same_intake_at_once(expected_status):
    first, second = ReviewerFactory(), ReviewerFactory()
    challenge = challenge_in(Status.SUBMITTED, reviewer=first)

    def start_intake(reviewer):
        return lambda: services.challenge_transition(
            challenge=Challenge.objects.get(pk=challenge.pk),
            to_status=Status.INTAKE,
            actor=reviewer,
            expected_status=expected_status,
        )

    outcomes = _at_the_same_moment(start_intake(first), start_intake(second))

    kinds = sorted(kind for kind, _value in outcomes)
    assert kinds == ["error", "ok"], outcomes
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, services.ServiceError), repr(error)
    message = _message(error)
    # The loser is told the challenge is in intake now, not a database error.
    assert "Intake" in message
    if expected_status is not None:
        assert "changed in the meantime" in message

    stored = Challenge.objects.get(pk=challenge.pk)
    assert stored.status == Status.INTAKE
    steps = [
        e.data
        for e in stored.events.filter(code=EventCode.STATUS_CHANGED)
        if e.data["to"] == Status.INTAKE
    ]
    assert len(steps) == 1
    winner = next(value for kind, value in outcomes if kind == "ok")
    assert stored.events.get(code=EventCode.STATUS_CHANGED).actor_id in (first.pk, second.pk)
    assert stored.status_changed_at == winner.status_changed_at


@pytest.mark.parametrize("counter_exists", [False, True], ids=["first-of-the-year", "later"])
def test_two_drafts_submitted_at_once_get_distinct_references(counter_exists):
    year = timezone.localtime().year
    if counter_exists:
        ReferenceCounter.objects.create(year=year, last=41)
    drafts = [ChallengeFactory(), ChallengeFactory()]

    def submit(draft):
        return lambda: services.challenge_transition(
            challenge=Challenge.objects.get(pk=draft.pk),
            to_status=Status.SUBMITTED,
            actor=draft.initiator,
        )

    outcomes = _at_the_same_moment(*(submit(d) for d in drafts))

    assert [kind for kind, _value in outcomes] == ["ok", "ok"], outcomes
    references = sorted(
        Challenge.objects.filter(pk__in=[d.pk for d in drafts]).values_list("reference", flat=True)
    )
    first = 42 if counter_exists else 1
    assert references == [f"RTC-{year}-{first:04d}", f"RTC-{year}-{first + 1:04d}"]
    assert ReferenceCounter.objects.get(year=year).last == first + 1
