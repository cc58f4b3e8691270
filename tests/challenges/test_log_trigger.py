"""On PostgreSQL the database itself refuses to change or remove a log entry (the
trigger of migration 0004), except for the erasure of personal data and the unlinking
of a deleted account. Raw SQL, as anything that bypasses the model would send."""

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction

from challenges import services
from challenges.constants import Status, Visibility
from challenges.models import TimelineEvent
from challenges.timeline import timeline_erase_personal_data
from tests.challenges.factories import ReviewerFactory, add_co_initiator, challenge_in

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# Written out in the SQL below: the trigger is on this table (migration 0004).
assert TimelineEvent._meta.db_table == "challenges_timelineevent"


@pytest.fixture
def written(reviewer):
    challenge = challenge_in(Status.INTAKE, reviewer=reviewer)
    person = add_co_initiator(challenge)
    addition = services.challenge_add_addition(
        challenge=challenge, actor=person, text="Bel mij: 06-1234.", visibility=Visibility.PUBLIC
    )
    return person, addition


def row(event) -> dict:
    return TimelineEvent.objects.filter(pk=event.pk).values().get()


def refused(sql: str, params=()) -> bool:
    """Whether the statement is refused; in a savepoint, so the test goes on."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        assert "append-only" in str(error)
        return True
    return False


def erasure_setting(on: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('rtc.erasure', %s, true)", ["on" if on else "off"])


ERASE = (
    "UPDATE challenges_timelineevent SET data = '{\"erased\": true}', salt = '', actor_id = NULL, "
    "erased_at = now() WHERE id = %s"
)


@pytest.mark.parametrize(
    "sql",
    [
        'UPDATE challenges_timelineevent SET data = \'{"text": "Anders."}\' WHERE id = %s',
        "UPDATE challenges_timelineevent SET visibility = 'internal' WHERE id = %s",
        "UPDATE challenges_timelineevent SET created_at = created_at + interval '1 second' "
        "WHERE id = %s",
        "UPDATE challenges_timelineevent SET digest = repeat('0', 64) WHERE id = %s",
        "UPDATE challenges_timelineevent SET seq = seq + 1000 WHERE id = %s",
        "UPDATE challenges_timelineevent SET erased_at = now() WHERE id = %s",
        "DELETE FROM challenges_timelineevent WHERE id = %s",
    ],
    ids=["data", "visibility", "time", "digest", "seq", "erased-flag", "delete"],
)
def test_raw_updates_and_deletes_are_refused(written, sql):
    _person, addition = written
    before = row(addition)
    assert refused(sql, [addition.pk])
    assert row(addition) == before


def test_deleting_every_entry_is_refused(written):
    count = TimelineEvent.objects.count()
    assert refused("DELETE FROM challenges_timelineevent")
    assert TimelineEvent.objects.count() == count


def test_an_erasure_needs_the_transactions_erasure_setting(written):
    _person, addition = written
    before = row(addition)
    assert refused(ERASE, [addition.pk])
    assert row(addition) == before


@pytest.mark.parametrize(
    "sql",
    [
        # Erasing, and changing a column the chain commits to at the same time.
        "UPDATE challenges_timelineevent SET data = '{\"erased\": true}', salt = '', "
        "actor_id = NULL, erased_at = now(), visibility = 'internal' WHERE id = %s",
        # "Erasing" to other content.
        "UPDATE challenges_timelineevent SET data = '{\"text\": \"Verzonnen.\"}', salt = '', "
        "actor_id = NULL, erased_at = now() WHERE id = %s",
        # Keeping the salt (a guess of the old content could still be confirmed).
        "UPDATE challenges_timelineevent SET data = '{\"erased\": true}', actor_id = NULL, "
        "erased_at = now() WHERE id = %s",
    ],
    ids=["and-visibility", "other-content", "keeps-salt"],
)
def test_the_erasure_path_allows_nothing_but_an_erasure(written, sql):
    _person, addition = written
    before = row(addition)
    erasure_setting(True)
    assert refused(sql, [addition.pk])
    assert row(addition) == before


def test_an_entry_is_erased_once(written):
    _person, addition = written
    erasure_setting(True)
    assert not refused(ERASE, [addition.pk])
    assert row(addition)["data"] == {"erased": True}
    assert refused(ERASE, [addition.pk])  # erased_at must go from null to a time


def test_the_erasure_service_works_through_the_trigger_and_closes_the_path(written):
    person, addition = written
    before = row(addition)
    assert timeline_erase_personal_data(user=person) == 2  # joined, and the addition
    after = row(addition)
    assert after["data"] == {"erased": True} and after["actor_id"] is None
    assert (after["digest"], after["chain_hash"], after["seq"]) == (
        before["digest"],
        before["chain_hash"],
        before["seq"],
    )
    other = TimelineEvent.objects.exclude(actor=None).exclude(erased_at__isnull=False).first()
    assert refused(ERASE, [other.pk])  # the setting was switched off again


def test_deleting_an_account_unlinks_it_from_its_events(written):
    """The actor's foreign key is ON DELETE SET NULL: the one other update allowed."""
    _person, addition = written
    writer = ReviewerFactory()  # a civil servant who only wrote notes
    for visibility in (Visibility.PARTIES, Visibility.INTERNAL):
        services.challenge_add_note(
            challenge=addition.challenge, actor=writer, text="Tot ziens.", visibility=visibility
        )
    events = list(TimelineEvent.objects.filter(actor=writer))
    assert len(events) == 2
    before = {e.pk: row(e) for e in events}

    get_user_model().objects.filter(pk=writer.pk).delete()

    for event in events:
        after = row(event)
        assert after["actor_id"] is None
        assert {k: v for k, v in after.items() if k != "actor_id"} == {
            k: v for k, v in before[event.pk].items() if k != "actor_id"
        }
    # Unlinking may not carry another change with it.
    assert refused(
        "UPDATE challenges_timelineevent SET actor_id = NULL, data = '{}' WHERE id = %s",
        [addition.pk],
    )
