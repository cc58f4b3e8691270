"""Two people acting on one partnership at the same moment, on a real PostgreSQL.

SQLite serialises every write, so only PostgreSQL shows that the challenge lock in
the services and the partial unique index on active contact persons do their work.
"""

import threading

import pytest
from django.db import IntegrityError, connection
from django.utils import translation

from challenges.constants import Status
from challenges.models import Challenge
from challenges.services import ServiceError
from partnerships import selectors, services
from partnerships.constants import PartnershipEvent, Side
from partnerships.models import ContactPerson, ReflectionRound
from tests.challenges.factories import (
    ReviewerFactory,
    challenge_in,
    propose_agreement,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def at_the_same_moment(*calls):
    """Run each call in its own thread (its own connection), released together."""
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

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return outcomes


def fresh(challenge) -> Challenge:
    return Challenge.objects.get(pk=challenge.pk)


def test_two_municipality_contact_persons_assigned_at_once(is_postgres):
    assert is_postgres
    challenge = challenge_in(Status.INTAKE, contact_persons=False)
    first, second = ReviewerFactory(), ReviewerFactory()

    def assign(person):
        return lambda: services.contact_person_assign(
            challenge=fresh(challenge),
            side=Side.MUNICIPALITY,
            user=person,
            mandate="Planning.",
            actor=person,
        )

    outcomes = at_the_same_moment(assign(first), assign(second))
    assert sorted(kind for kind, _value in outcomes) == ["error", "ok"], outcomes
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, ServiceError), repr(error)
    with translation.override("en"):
        assert "already has a contact person" in " ".join(error.messages)
    assert ContactPerson.objects.filter(challenge=challenge, ended_at=None).count() == 1
    assert challenge.events.filter(code=PartnershipEvent.CONTACT_PERSON_ASSIGNED).count() == 1


def test_the_database_refuses_a_second_active_contact_person_written_at_once():
    """Even writers that skip the service and its lock cannot make two active ones."""
    challenge = challenge_in(Status.INTAKE, contact_persons=False)
    first, second = ReviewerFactory(), ReviewerFactory()

    def insert(person):
        return lambda: ContactPerson.objects.create(
            challenge_id=challenge.pk,
            side=Side.MUNICIPALITY,
            user=person,
            mandate="Buiten de service om.",
            assigned_by=person,
        )

    outcomes = at_the_same_moment(insert(first), insert(second))
    assert sorted(kind for kind, _value in outcomes) == ["error", "ok"], outcomes
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, IntegrityError), repr(error)
    assert "one_active_contact_person_per_side" in str(error)
    assert ContactPerson.objects.filter(challenge=challenge, ended_at=None).count() == 1


def test_two_handovers_at_once_leave_one_active_contact_person():
    reviewer = ReviewerFactory()
    challenge = challenge_in(Status.EXECUTION, reviewer=reviewer)
    first, second = ReviewerFactory(), ReviewerFactory()

    def hand_over(person):
        return lambda: services.contact_person_hand_over(
            challenge=fresh(challenge),
            side=Side.MUNICIPALITY,
            user=person,
            mandate="Alles.",
            reason="Reorganisatie.",
            actor=reviewer,
        )

    at_the_same_moment(hand_over(first), hand_over(second))
    rows = list(ContactPerson.objects.filter(challenge=challenge, side=Side.MUNICIPALITY))
    assert sum(1 for row in rows if row.ended_at is None) == 1
    # The history is one unbroken line: each assignment ends where the next starts.
    ordered = sorted(rows, key=lambda row: (row.started_at, row.pk))
    for before, after in zip(ordered, ordered[1:], strict=False):
        assert before.ended_at == after.started_at


def test_both_contact_persons_signing_at_once_put_the_agreement_in_force_once():
    reviewer = ReviewerFactory()
    challenge = challenge_in(Status.AGREEMENT, reviewer=reviewer, agreement=False)
    version = propose_agreement(challenge, actor=reviewer)

    def sign(person):
        return lambda: services.agreement_sign(version=version, actor=person, digest=version.digest)

    outcomes = at_the_same_moment(sign(reviewer), sign(challenge.initiator))
    assert [kind for kind, _value in outcomes] == ["ok", "ok"], outcomes
    assert selectors.agreement_in_force(challenge).pk == version.pk
    assert challenge.events.filter(code=PartnershipEvent.AGREEMENT_IN_FORCE).count() == 1


def test_both_sides_answering_at_once_share_the_reflection_once():
    reviewer = ReviewerFactory()
    challenge = challenge_in(Status.EXECUTION, reviewer=reviewer)
    round_ = services.reflection_open(challenge=challenge, actor=reviewer, reason="Nu.")
    scores = {"right_things": 4, "doing_right": 4, "together": 4}
    comments = {"right_things": "Ja.", "doing_right": "Ja.", "together": "Ja."}

    def answer(person):
        return lambda: services.reflection_answer(
            round=ReflectionRound.objects.get(pk=round_.pk),
            actor=person,
            scores=scores,
            comments=comments,
        )

    outcomes = at_the_same_moment(answer(reviewer), answer(challenge.initiator))
    assert [kind for kind, _value in outcomes] == ["ok", "ok"], outcomes
    assert ReflectionRound.objects.get(pk=round_.pk).is_revealed
    assert challenge.events.filter(code=PartnershipEvent.REFLECTION_REVEALED).count() == 1
