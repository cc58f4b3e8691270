"""The timeline is append-only, and written in the transaction of its change."""

import pytest
from django.core import mail
from django.db import transaction
from django.db.models import ProtectedError

from challenges import services
from challenges.constants import EventCode, Status, Visibility
from challenges.models import AppendOnlyError, Challenge, TimelineEvent
from challenges.timeline import record_event
from tests.challenges.factories import (
    ChallengeFactory,
    ReviewerFactory,
    add_co_initiator,
    challenge_in,
)


@pytest.fixture
def event(db, reviewer):
    challenge = challenge_in(Status.INTAKE, reviewer=reviewer)
    return services.challenge_add_note(
        challenge=challenge, actor=reviewer, text="Gesprek gepland.", visibility="parties"
    )


def _row(event: TimelineEvent) -> dict:
    return TimelineEvent.objects.filter(pk=event.pk).values().get()


def test_saving_a_written_event_again_is_refused(event):
    before = _row(event)
    event.data = {"text": "Iets anders."}
    event.visibility = Visibility.PUBLIC
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.save(update_fields=["data"])
    assert _row(event) == before


def test_a_fetched_event_cannot_be_saved_either(event):
    before = _row(event)
    fetched = TimelineEvent.objects.get(pk=event.pk)
    fetched.data = {"text": "Iets anders."}
    with pytest.raises(AppendOnlyError):
        fetched.save()
    assert _row(event) == before


@pytest.mark.parametrize(
    "update",
    [
        lambda e: TimelineEvent.objects.filter(pk=e.pk).update(visibility=Visibility.PUBLIC),
        lambda e: TimelineEvent.objects.all().update(data={}),
        lambda e: e.challenge.events.update(visibility=Visibility.PUBLIC),
        lambda e: TimelineEvent.objects.bulk_update(
            [TimelineEvent(pk=e.pk, visibility=Visibility.PUBLIC)], ["visibility"]
        ),
    ],
    ids=["filter-update", "all-update", "related-manager-update", "bulk-update"],
)
def test_updating_events_in_bulk_is_refused(event, update):
    before = _row(event)
    # In a savepoint: bulk_update runs inside the caller's transaction and marks it
    # broken on any error.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        update(event)
    assert _row(event) == before


@pytest.mark.parametrize(
    "delete",
    [
        lambda e: e.delete(),
        lambda e: TimelineEvent.objects.get(pk=e.pk).delete(),
        lambda e: TimelineEvent.objects.filter(pk=e.pk).delete(),
        lambda e: TimelineEvent.objects.all().delete(),
        lambda e: e.challenge.events.all().delete(),
    ],
    ids=["instance", "fetched-instance", "filter", "all", "related-manager"],
)
def test_deleting_events_is_refused(event, delete):
    count = TimelineEvent.objects.count()
    before = _row(event)
    with pytest.raises(AppendOnlyError):
        delete(event)
    assert TimelineEvent.objects.count() == count
    assert _row(event) == before


def test_a_challenge_with_a_timeline_cannot_be_deleted(event):
    challenge = event.challenge
    with pytest.raises(ProtectedError):
        challenge.delete()
    assert Challenge.objects.filter(pk=challenge.pk).exists()
    assert TimelineEvent.objects.filter(pk=event.pk).exists()


def test_a_correction_is_a_new_event_pointing_at_the_old_one(event, reviewer):
    with transaction.atomic():
        correction = record_event(
            challenge=event.challenge,
            code=EventCode.NOTE,
            visibility=Visibility.PARTIES,
            actor=reviewer,
            data={"text": "Gesprek verzet naar volgende week."},
            corrects=event,
        )
    assert list(event.corrections.all()) == [correction]
    assert TimelineEvent.objects.get(pk=event.pk).data == {"text": "Gesprek gepland."}


# Transactional tests: see the note on serialized_rollback below.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_event_is_never_written_outside_a_transaction():
    challenge = ChallengeFactory()
    with pytest.raises(RuntimeError, match="inside the transaction"):
        record_event(
            challenge=challenge,
            code=EventCode.NOTE,
            visibility=Visibility.PUBLIC,
            data={"text": "Los geschreven."},
        )
    assert not TimelineEvent.objects.exists()


class Boom(Exception):
    """Stands for whatever fails after the service returned, in the same transaction."""


# Real transactions (not the savepoints of an ordinary test), so that on_commit
# callbacks run or are dropped as in production. serialized_rollback brings back the
# staff groups the migrations made, which a transactional test flushes; every
# transactional test must use it, or the next one fails to load them again.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_that_fails_later_in_its_transaction_leaves_no_event_and_no_mail():
    reviewer = ReviewerFactory()
    challenge = challenge_in(Status.SUBMITTED, reviewer=reviewer)
    add_co_initiator(challenge)
    mail.outbox.clear()  # the invitation
    events_before = list(challenge.events.values_list("pk", flat=True))

    with pytest.raises(Boom):
        with transaction.atomic():
            services.challenge_transition(
                challenge=challenge, to_status=Status.INTAKE, actor=reviewer
            )
            assert challenge.events.count() == len(events_before) + 1
            raise Boom

    stored = Challenge.objects.get(pk=challenge.pk)
    assert stored.status == Status.SUBMITTED
    assert list(stored.events.values_list("pk", flat=True)) == events_before
    assert mail.outbox == []

    # The same change, committed: one event, and the team hears of it after commit.
    services.challenge_transition(challenge=challenge, to_status=Status.INTAKE, actor=reviewer)
    stored = Challenge.objects.get(pk=challenge.pk)
    assert stored.status == Status.INTAKE
    assert stored.events.count() == len(events_before) + 1
    assert len(mail.outbox) == 2
