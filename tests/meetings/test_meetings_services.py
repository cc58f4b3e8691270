"""The meeting services: propose, pick, cancel, minutes and the reminder. Every
refusal leaves everything as it was (no meeting, no slot, no event)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from challenges.constants import Status, Visibility
from challenges.models import TimelineEvent
from core.errors import ServiceError
from meetings import services, tasks
from meetings.constants import MeetingEvent, MeetingKind, MeetingStatus
from meetings.models import Meeting, MeetingSlot, Minutes
from tests.challenges.factories import challenge_in
from tests.core.upload_samples import pdf
from tests.meetings.factories import at, future_slots, parties, propose

pytestmark = pytest.mark.django_db


def english(error: ServiceError) -> str:
    with translation.override("en"):
        return " ".join(error.messages)


def snapshot(challenge):
    return (
        Meeting.objects.count(),
        MeetingSlot.objects.count(),
        TimelineEvent.objects.filter(challenge=challenge).count(),
    )


def test_a_proposal_with_three_slots_is_a_parties_event(side):
    meeting = propose(side.challenge, side.challenger)
    assert meeting.status == MeetingStatus.PROPOSED
    assert meeting.proposer_side == "challenger"
    assert [s.starts_at for s in meeting.slots.all()] == [s for s, _e in future_slots(3)]
    event = side.challenge.events.get(code=MeetingEvent.PROPOSED)
    assert event.visibility == Visibility.PARTIES
    assert event.actor == side.challenger
    assert event.data["meeting"] == meeting.pk and len(event.data["slots"]) == 3


@pytest.mark.parametrize(
    ("slots", "fields", "expected"),
    [
        pytest.param([(at(-1, 10), at(-1, 11))], {}, "is in the past", id="slot-in-the-past"),
        pytest.param([(at(3, 11), at(3, 10))], {}, "ends before it starts", id="end-before-start"),
        pytest.param([(at(3, 11), at(3, 11))], {}, "ends before it starts", id="no-length"),
        pytest.param([], {}, "at least 1 and at most 5", id="no-slots"),
        pytest.param(future_slots(6), {}, "at least 1 and at most 5", id="six-slots"),
        pytest.param([(at(3, 8), at(3, 22))], {}, "must last between", id="too-long"),
        pytest.param([(at(400, 8), at(400, 9))], {}, "more than a year", id="too-far"),
        pytest.param(
            [(at(3, 8), at(3, 9)), (at(3, 8), at(3, 10))], {}, "same moment", id="same-start"
        ),
        pytest.param(None, {"place": "", "online_url": ""}, "either a place", id="nowhere"),
        pytest.param(
            None,
            {"place": "Buurthuis", "online_url": "https://meet.example.org/x"},
            "not both",
            id="both",
        ),
        pytest.param(
            None, {"place": "", "online_url": "javascript:alert(1)"}, "https://", id="bad-url"
        ),
        pytest.param(None, {"kind": "party"}, "what kind", id="unknown-kind"),
    ],
)
def test_bad_proposals_are_refused_and_change_nothing(side, slots, fields, expected):
    before = snapshot(side.challenge)
    with pytest.raises(ServiceError) as refused:
        propose(side.challenge, side.municipality, slots=slots, **fields)
    assert expected in english(refused.value)
    assert snapshot(side.challenge) == before


def test_an_outsider_cannot_propose(side):
    before = snapshot(side.challenge)
    with pytest.raises(ServiceError):
        propose(side.challenge, side.outsider)
    assert snapshot(side.challenge) == before


@pytest.mark.parametrize("status", [Status.WITHDRAWN, Status.DRAFT])
def test_no_meetings_on_a_closed_challenge_or_a_draft(db, status):
    challenge = challenge_in(status)
    with pytest.raises(ServiceError):
        propose(challenge, challenge.initiator)
    assert not Meeting.objects.exists()


def test_the_other_side_picks_and_the_meeting_is_scheduled(side):
    meeting = propose(side.challenge, side.challenger)
    second = meeting.slots.all()[1]
    scheduled = services.meeting_pick(meeting=meeting, slot_id=second.pk, actor=side.municipality)
    assert scheduled.status == MeetingStatus.SCHEDULED
    assert (scheduled.starts_at, scheduled.ends_at) == (second.starts_at, second.ends_at)
    assert scheduled.picked_by == side.municipality and scheduled.sequence == 0
    event = side.challenge.events.get(code=MeetingEvent.SCHEDULED)
    assert event.visibility == Visibility.PARTIES
    assert event.data["starts_at"] == second.starts_at.isoformat()
    assert event.data["uid"] == str(meeting.uid)


@pytest.mark.parametrize("picker", ["challenger", "co_initiator"])
def test_the_proposing_side_cannot_pick_its_own_slot(side, picker):
    meeting = propose(side.challenge, side.challenger)
    before = snapshot(side.challenge)
    with pytest.raises(ServiceError) as refused:
        services.meeting_pick(
            meeting=meeting, slot_id=meeting.slots.first().pk, actor=getattr(side, picker)
        )
    assert "the other side picks" in english(refused.value)
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.PROPOSED
    assert snapshot(side.challenge) == before


def test_any_of_the_municipality_s_people_is_the_other_side(side):
    meeting = propose(side.challenge, side.challenger)
    services.meeting_pick(meeting=meeting, slot_id=meeting.slots.first().pk, actor=side.colleague)
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.SCHEDULED


def test_a_second_pick_is_refused(side):
    meeting = propose(side.challenge, side.municipality)
    first, second = list(meeting.slots.all())[:2]
    services.meeting_pick(meeting=meeting, slot_id=first.pk, actor=side.challenger)
    with pytest.raises(ServiceError) as refused:
        services.meeting_pick(meeting=meeting, slot_id=second.pk, actor=side.co_initiator)
    assert "already been picked" in english(refused.value)
    assert Meeting.objects.get(pk=meeting.pk).starts_at == first.starts_at
    assert side.challenge.events.filter(code=MeetingEvent.SCHEDULED).count() == 1


def test_a_slot_of_another_meeting_or_an_outsider_is_refused(side):
    meeting = propose(side.challenge, side.municipality)
    other = propose(side.challenge, side.municipality, kind=MeetingKind.PROGRESS)
    with pytest.raises(ServiceError):
        services.meeting_pick(
            meeting=meeting, slot_id=other.slots.first().pk, actor=side.challenger
        )
    with pytest.raises(ServiceError):
        services.meeting_pick(
            meeting=meeting, slot_id=meeting.slots.first().pk, actor=side.outsider
        )
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.PROPOSED


def test_a_slot_that_has_passed_cannot_be_picked(side, clock):
    meeting = propose(side.challenge, side.municipality, slots=[(at(2, 10), at(2, 11))])
    clock.advance(days=3)
    with pytest.raises(ServiceError) as refused:
        services.meeting_pick(
            meeting=meeting, slot_id=meeting.slots.first().pk, actor=side.challenger
        )
    assert "already passed" in english(refused.value)


def test_cancelling_a_scheduled_meeting_bumps_its_sequence(side):
    meeting = propose(side.challenge, side.municipality)
    services.meeting_pick(meeting=meeting, slot_id=meeting.slots.first().pk, actor=side.challenger)
    cancelled = services.meeting_cancel(meeting=meeting, actor=side.challenger, reason="Ziek.")
    assert cancelled.status == MeetingStatus.CANCELLED and cancelled.sequence == 1
    event = side.challenge.events.get(code=MeetingEvent.CANCELLED)
    assert event.data["was_scheduled"] is True and event.data["reason"] == "Ziek."
    assert event.visibility == Visibility.PARTIES
    with pytest.raises(ServiceError) as refused:
        services.meeting_cancel(meeting=meeting, actor=side.municipality, reason="Nogmaals.")
    assert "already been cancelled" in english(refused.value)


def test_a_cancellation_needs_a_reason_and_a_cancelled_proposal_cannot_be_picked(side):
    meeting = propose(side.challenge, side.challenger)
    before = snapshot(side.challenge)
    with pytest.raises(ServiceError):
        services.meeting_cancel(meeting=meeting, actor=side.challenger, reason="   ")
    assert snapshot(side.challenge) == before
    services.meeting_cancel(meeting=meeting, actor=side.challenger, reason="Toch niet nodig.")
    with pytest.raises(ServiceError) as refused:
        services.meeting_pick(
            meeting=meeting, slot_id=meeting.slots.first().pk, actor=side.municipality
        )
    assert "cancelled" in english(refused.value)


def test_a_meeting_that_has_begun_cannot_be_cancelled(side, clock):
    meeting = propose(side.challenge, side.municipality)
    services.meeting_pick(meeting=meeting, slot_id=meeting.slots.first().pk, actor=side.challenger)
    clock.set(meeting.slots.first().starts_at + timedelta(minutes=5))
    with pytest.raises(ServiceError) as refused:
        services.meeting_cancel(meeting=meeting, actor=side.challenger, reason="Te laat.")
    assert "already begun" in english(refused.value)


def _upload(name="notulen.pdf", content=None):
    return SimpleUploadedFile(name, pdf() if content is None else content)


def test_minutes_once_the_meeting_has_begun(side, clock):
    meeting = propose(side.challenge, side.municipality)
    services.meeting_pick(meeting=meeting, slot_id=meeting.slots.first().pk, actor=side.challenger)
    with pytest.raises(ServiceError) as refused:
        services.minutes_add(meeting=meeting, actor=side.municipality, file=_upload())
    assert "once the meeting has begun" in english(refused.value)
    clock.set(meeting.slots.first().ends_at + timedelta(hours=1))
    minutes = services.minutes_add(
        meeting=meeting, actor=side.municipality, file=_upload(), description="Afspraken."
    )
    assert minutes.kind == "pdf" and minutes.side == "municipality"
    assert minutes.file.name.startswith(f"meetings/{side.challenge.pk}/")
    assert "notulen" not in minutes.file.name  # a generated name on disk
    event = side.challenge.events.get(code=MeetingEvent.MINUTES_ADDED)
    assert event.visibility == Visibility.PARTIES and event.data["name"] == "notulen.pdf"


def test_minutes_are_refused_by_their_content(side, clock):
    meeting = propose(side.challenge, side.municipality)
    services.meeting_pick(meeting=meeting, slot_id=meeting.slots.first().pk, actor=side.challenger)
    clock.set(meeting.slots.first().ends_at)
    before = TimelineEvent.objects.count()
    with pytest.raises(ServiceError):
        services.minutes_add(
            meeting=meeting,
            actor=side.challenger,
            file=_upload("notulen.pdf", b"MZ\x90\x00 not a pdf at all"),
        )
    assert not Minutes.objects.exists() and TimelineEvent.objects.count() == before


def test_no_minutes_for_a_meeting_that_was_never_scheduled(side):
    meeting = propose(side.challenge, side.municipality)
    with pytest.raises(ServiceError):
        services.minutes_add(meeting=meeting, actor=side.challenger, file=_upload())


def test_the_reminder_goes_out_once_the_day_before(side, clock):
    meeting = propose(side.challenge, side.municipality, slots=[(at(5, 19), at(5, 20))])
    services.meeting_pick(meeting=meeting, slot_id=meeting.slots.first().pk, actor=side.challenger)
    assert tasks.record_meeting_reminders() == 0  # days ahead: not yet
    clock.set(meeting.slots.first().starts_at - timedelta(hours=23))
    assert tasks.record_meeting_reminders() == 1
    assert tasks.record_meeting_reminders() == 0  # run twice: still once
    assert services.meeting_record_reminder(meeting=meeting) is None
    event = side.challenge.events.get(code=MeetingEvent.REMINDER)
    assert event.visibility == Visibility.PARTIES and event.actor is None
    assert Meeting.objects.get(pk=meeting.pk).reminded_at is not None


def test_no_reminder_for_a_cancelled_meeting_or_one_picked_within_the_day(side, clock):
    cancelled = propose(side.challenge, side.municipality, slots=[(at(5, 19), at(5, 20))])
    services.meeting_pick(
        meeting=cancelled, slot_id=cancelled.slots.first().pk, actor=side.challenger
    )
    services.meeting_cancel(meeting=cancelled, actor=side.challenger, reason="Ziek.")
    late = propose(side.challenge, side.municipality, slots=[(at(5, 21), at(5, 22))])
    clock.set(late.slots.first().starts_at - timedelta(hours=20))
    services.meeting_pick(meeting=late, slot_id=late.slots.first().pk, actor=side.challenger)
    assert tasks.record_meeting_reminders() == 0
    assert not side.challenge.events.filter(code=MeetingEvent.REMINDER).exists()


def test_an_evaluation_after_the_challenge_completed_still_takes_its_minutes(db, clock):
    group = parties(Status.EVALUATION)
    meeting = propose(group.challenge, group.challenger, kind=MeetingKind.EVALUATION)
    services.meeting_pick(
        meeting=meeting, slot_id=meeting.slots.first().pk, actor=group.municipality
    )
    clock.set(meeting.slots.first().ends_at)
    from challenges import services as challenge_services

    challenge_services.challenge_transition(
        challenge=group.challenge, to_status=Status.COMPLETED, actor=group.coordinator
    )
    assert services.minutes_add(meeting=meeting, actor=group.challenger, file=_upload())
    with pytest.raises(ServiceError):
        propose(group.challenge, group.challenger)
