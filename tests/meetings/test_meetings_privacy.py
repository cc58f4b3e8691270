"""A person's meetings in their data download, and unlinked when they delete their
account (the meeting stays: it is the other side's record too)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from meetings import services
from meetings.models import Meeting, Minutes
from privacy import exporters
from privacy import services as privacy_services
from tests.challenges.factories import DEFAULT_PASSWORD
from tests.core.upload_samples import pdf
from tests.meetings.factories import propose

pytestmark = pytest.mark.django_db


def download(user) -> dict:
    return json.loads("".join(exporters.stream(user, generated_at=timezone.now())))


def test_the_download_holds_the_meetings_and_minutes_of_the_person(side, clock):
    meeting = propose(side.challenge, side.co_initiator, agenda="Onze agenda.")
    services.meeting_pick(meeting=meeting, slot_id=meeting.slots.first().pk, actor=side.colleague)
    clock.set(meeting.slots.first().ends_at)
    services.minutes_add(
        meeting=meeting, actor=side.co_initiator, file=SimpleUploadedFile("n.pdf", pdf())
    )
    data = download(side.co_initiator)
    [row] = data["meetings"]
    assert row["agenda"] == "Onze agenda." and row["you_proposed"] and not row["you_picked"]
    assert "proposed_by" not in row  # no other person's account number
    assert [m["original_name"] for m in data["meeting_minutes_uploaded"]] == ["n.pdf"]
    assert download(side.colleague)["meetings"][0]["you_picked"] is True
    assert download(side.outsider)["meetings"] == []


def test_deleting_the_account_unlinks_the_meetings(side, clock):
    meeting = propose(side.challenge, side.co_initiator)
    services.meeting_pick(meeting=meeting, slot_id=meeting.slots.first().pk, actor=side.colleague)
    clock.set(meeting.slots.first().ends_at)
    services.minutes_add(
        meeting=meeting, actor=side.co_initiator, file=SimpleUploadedFile("n.pdf", pdf())
    )
    privacy_services.account_delete(user=side.co_initiator, password=DEFAULT_PASSWORD)
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.proposed_by is None and meeting.picked_by == side.colleague
    assert Minutes.objects.get().uploaded_by is None
