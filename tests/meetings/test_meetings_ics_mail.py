"""A meeting proposed with three slots, one picked: both sides get an e-mail with a
valid iCalendar invitation (parsed with the icalendar library), and the parties can
download the same invitation; a cancellation sends METHOD:CANCEL with the same UID."""

from datetime import UTC

import pytest
from django.core import mail
from icalendar import Calendar

from meetings import services
from notifications.constants import DeliveryStatus
from notifications.models import Notification
from tests.meetings.factories import propose

pytestmark = pytest.mark.django_db


def calendar_of(message) -> Calendar:
    files = [a for a in message.attachments if a[0].endswith(".ics")]
    assert len(files) == 1, message.attachments
    filename, content, mimetype = files[0]
    assert mimetype.startswith("text/calendar")
    calendar = Calendar.from_ical(content)
    # The method is also a parameter of the attachment's content type (RFC 6047).
    part = next(p for p in message.message().walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == str(calendar["METHOD"])
    return calendar


def only_event(calendar: Calendar):
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    return events[0]


@pytest.fixture
def quiet(side):
    """The setup's own e-mails are not what these tests are about."""
    Notification.objects.filter(status=DeliveryStatus.PENDING).update(status=DeliveryStatus.SKIPPED)
    mail.outbox.clear()
    return side


def test_both_sides_get_the_invitation_of_the_picked_slot(
    quiet, django_capture_on_commit_callbacks
):
    """The team proposes three slots; a reviewer (not the contact person) picks the
    third: the whole team and the municipality's contact person get the invitation."""
    side = quiet
    meeting = propose(side.challenge, side.challenger)
    assert meeting.slots.count() == 3
    picked = meeting.slots.all()[2]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_pick(meeting=meeting, slot_id=picked.pk, actor=side.colleague)

    by_address = {message.to[0]: message for message in mail.outbox}
    assert {side.challenger.email, side.co_initiator.email, side.municipality.email} <= set(
        by_address
    )
    # Who picked the time gets the invitation too, for their own calendar.
    assert side.colleague.email in by_address
    uids = set()
    for message in mail.outbox:
        calendar = calendar_of(message)
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
        event = only_event(calendar)
        assert event.decoded("DTSTART") == picked.starts_at.astimezone(UTC)
        assert event.decoded("DTEND") == picked.ends_at.astimezone(UTC)
        assert "DTSTAMP" in event and int(event["SEQUENCE"]) == 0
        assert str(event["LOCATION"]) == "Buurthuis De Schakel, zaal 2"
        assert side.challenge.reference in str(event["SUMMARY"])
        assert str(event["STATUS"]) == "CONFIRMED"
        assert "Kennismaken" in str(event["DESCRIPTION"])
        uids.add(str(event["UID"]))
    assert uids == {f"meeting-{meeting.uid}@127.0.0.1"}


def test_the_municipality_gets_it_when_the_challenger_picks(
    quiet, django_capture_on_commit_callbacks
):
    side = quiet
    meeting = propose(side.challenge, side.municipality, online_url="https://meet.example.org/a")
    picked = meeting.slots.first()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_pick(meeting=meeting, slot_id=picked.pk, actor=side.challenger)
    by_address = {message.to[0]: message for message in mail.outbox}
    assert {side.municipality.email, side.co_initiator.email, side.challenger.email} <= set(
        by_address
    )
    event = only_event(calendar_of(by_address[side.municipality.email]))
    assert event.decoded("DTSTART") == picked.starts_at.astimezone(UTC)
    assert str(event["URL"]) == "https://meet.example.org/a"
    assert str(event["LOCATION"]) == "https://meet.example.org/a"


def test_a_cancellation_carries_method_cancel_with_the_same_uid(
    quiet, django_capture_on_commit_callbacks
):
    side = quiet
    meeting = propose(side.challenge, side.municipality)
    services.meeting_pick(meeting=meeting, slot_id=meeting.slots.first().pk, actor=side.challenger)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting, actor=side.challenger, reason="Ziek.")
    message = next(m for m in mail.outbox if m.to[0] == side.municipality.email)
    calendar = calendar_of(message)
    assert str(calendar["METHOD"]) == "CANCEL"
    event = only_event(calendar)
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == f"meeting-{meeting.uid}@127.0.0.1"
    assert int(event["SEQUENCE"]) == 1


def test_a_proposal_and_its_cancellation_carry_no_calendar_file(
    quiet, django_capture_on_commit_callbacks
):
    side = quiet
    with django_capture_on_commit_callbacks(execute=True):
        meeting = propose(side.challenge, side.municipality)
    assert mail.outbox and all(not m.attachments for m in mail.outbox)
    # The three times offered, one per line.
    slot_lines = [line for line in mail.outbox[0].body.splitlines() if "19:30–20:30" in line]
    assert len(slot_lines) == 3, mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting, actor=side.municipality, reason="Dubbel.")
    assert mail.outbox and all(not m.attachments for m in mail.outbox)


def test_the_download_is_the_same_invitation_for_the_parties_only(client, quiet):
    side = quiet
    meeting = propose(side.challenge, side.challenger)
    picked = meeting.slots.all()[1]
    url = f"/challenges/{side.challenge.pk}/meetings/{meeting.pk}/invitation.ics"
    client.force_login(side.challenger)
    assert client.get(url).status_code == 404  # nothing to put in a calendar yet
    services.meeting_pick(meeting=meeting, slot_id=picked.pk, actor=side.municipality)

    for person in (side.challenger, side.municipality, side.colleague):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        assert "attachment" in response["Content-Disposition"]
        calendar = Calendar.from_ical(response.content)
        assert str(calendar["METHOD"]) == "REQUEST"
        event = only_event(calendar)
        assert event.decoded("DTSTART") == picked.starts_at.astimezone(UTC)
        assert str(event["UID"]) == f"meeting-{meeting.uid}@127.0.0.1"

    client.force_login(side.outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404


def test_each_recipient_gets_the_invitation_in_their_language(
    quiet, django_capture_on_commit_callbacks
):
    side = quiet
    type(side.municipality).objects.filter(pk=side.municipality.pk).update(language="en")
    type(side.co_initiator).objects.filter(pk=side.co_initiator.pk).update(language="nl")
    meeting = propose(side.challenge, side.challenger)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_pick(
            meeting=meeting, slot_id=meeting.slots.first().pk, actor=side.municipality
        )
    by_address = {message.to[0]: message for message in mail.outbox}
    english = str(only_event(calendar_of(by_address[side.municipality.email]))["DESCRIPTION"])
    dutch = str(only_event(calendar_of(by_address[side.co_initiator.email]))["DESCRIPTION"])
    assert "The meeting on the Right to Challenge portal" in english
    assert "The meeting on the Right to Challenge portal" not in dutch
