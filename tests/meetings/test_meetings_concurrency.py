"""Two people picking a slot of the same meeting at the same moment, on a real
PostgreSQL server: one pick wins, the other is refused, one event is written.

SQLite serialises every write and ignores SELECT ... FOR UPDATE, so only PostgreSQL
shows whether the row locks of the meeting services do their work.
"""

import threading

import pytest
from django.db import connection

from core.errors import ServiceError
from meetings import services
from meetings.constants import MeetingEvent, MeetingStatus
from meetings.models import Meeting
from tests.meetings.factories import parties, propose

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _at_the_same_moment(*calls):
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


def test_two_picks_at_once_make_one_pick():
    side = parties()
    meeting = propose(side.challenge, side.municipality)
    first, second = list(meeting.slots.all())[:2]
    outcomes = _at_the_same_moment(
        lambda: services.meeting_pick(meeting=meeting, slot_id=first.pk, actor=side.challenger),
        lambda: services.meeting_pick(meeting=meeting, slot_id=second.pk, actor=side.co_initiator),
    )
    kinds = sorted(kind for kind, _value in outcomes)
    assert kinds == ["error", "ok"], outcomes
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, ServiceError)
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.status == MeetingStatus.SCHEDULED
    assert side.challenge.events.filter(code=MeetingEvent.SCHEDULED).count() == 1


def test_a_pick_and_a_cancellation_at_once_leave_one_of_them():
    side = parties()
    meeting = propose(side.challenge, side.municipality)
    slot = meeting.slots.first()
    outcomes = _at_the_same_moment(
        lambda: services.meeting_pick(meeting=meeting, slot_id=slot.pk, actor=side.challenger),
        lambda: services.meeting_cancel(meeting=meeting, actor=side.municipality, reason="Weg."),
    )
    meeting = Meeting.objects.get(pk=meeting.pk)
    codes = set(
        side.challenge.events.filter(code__startswith="meeting_").values_list("code", flat=True)
    )
    if [kind for kind, _v in outcomes] == ["ok", "ok"]:
        # The pick came first, then the cancellation of the scheduled meeting.
        assert meeting.status == MeetingStatus.CANCELLED and meeting.sequence == 1
        assert codes == {MeetingEvent.PROPOSED, MeetingEvent.SCHEDULED, MeetingEvent.CANCELLED}
    else:
        # The cancellation came first: the pick found it cancelled.
        assert outcomes[0][0] == "error" and meeting.status == MeetingStatus.CANCELLED
        assert MeetingEvent.SCHEDULED not in codes
