"""The meeting pages: who sees them (the parties; 404 for anybody else), the forms
(propose, pick, cancel, minutes) with their refusals shown and nothing changed, the
box on the challenge page, the admin's read-only list, and a constant number of
queries per page whatever the number of meetings or minutes."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from challenges.constants import Status
from challenges.models import TimelineEvent
from meetings import services
from meetings.constants import MeetingKind, MeetingStatus
from meetings.models import Meeting, MeetingSlot, Minutes
from tests.challenges.factories import StaffUserFactory, challenge_in
from tests.core.upload_samples import pdf
from tests.meetings.factories import at, propose

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def urls(meeting) -> dict:
    ids = {"pk": meeting.challenge_id, "meeting_id": meeting.pk}
    return {
        "list": reverse("meetings:list", kwargs={"pk": meeting.challenge_id}),
        "meeting": reverse("meetings:meeting", kwargs=ids),
        "pick": reverse("meetings:pick", kwargs=ids),
        "cancel": reverse("meetings:cancel", kwargs=ids),
        "minutes": reverse("meetings:minutes", kwargs=ids),
        "ics": reverse("meetings:ics", kwargs=ids),
    }


def proposal_data(**overrides) -> dict:
    day = (at(4, 10)).date().isoformat()
    later = (at(6, 10)).date().isoformat()
    data = {
        "kind": MeetingKind.INTAKE,
        "mode": "in_person",
        "place": "Buurthuis De Schakel",
        "online_url": "",
        "agenda": "Kennismaken.",
        "slot_1_date": day,
        "slot_1_start": "19:30",
        "slot_1_end": "21:00",
        "slot_2_date": later,
        "slot_2_start": "10:00",
        "slot_2_end": "11:00",
        "slot_3_date": later,
        "slot_3_start": "14:00",
        "slot_3_end": "15:00",
    }
    data.update(overrides)
    return data


def _scheduled(side, clock=None):
    meeting = propose(side.challenge, side.municipality)
    services.meeting_pick(meeting=meeting, slot_id=meeting.slots.first().pk, actor=side.challenger)
    return Meeting.objects.get(pk=meeting.pk)


# -- Who sees what ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "outsider", "staff_without_role"])
def test_everything_is_404_for_anybody_but_the_parties(client, side, who):
    meeting = _scheduled(side)
    minutes = Minutes.objects.create(
        meeting=meeting, side="challenger", original_name="n.pdf", kind="pdf",
        content_type="application/pdf", size=1, sha256="0" * 64, file="meetings/x.pdf",
    )  # fmt: skip
    if who == "outsider":
        client.force_login(side.outsider)
    elif who == "staff_without_role":
        client.force_login(StaffUserFactory())
    paths = urls(meeting)
    paths["download"] = reverse(
        "meetings:minutes-download",
        kwargs={"pk": side.challenge.pk, "meeting_id": meeting.pk, "minutes_id": minutes.pk},
    )
    for name, path in paths.items():
        assert client.get(path).status_code == 404, name
    for name in ("list", "pick", "cancel"):
        assert client.post(paths[name], {"reason": "x", "slot": 1}).status_code == 404, name
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.SCHEDULED


def test_a_meeting_of_another_challenge_is_404(client, side):
    meeting = propose(side.challenge, side.municipality)
    other = challenge_in(Status.SUBMITTED, initiator=side.challenger)
    client.force_login(side.challenger)
    path = reverse("meetings:meeting", kwargs={"pk": other.pk, "meeting_id": meeting.pk})
    assert client.get(path).status_code == 404


def test_a_draft_has_no_meetings_page(client, db):
    draft = challenge_in(Status.DRAFT)
    client.force_login(draft.initiator)
    assert client.get(reverse("meetings:list", kwargs={"pk": draft.pk})).status_code == 404


def test_the_parties_see_the_list_and_the_meeting(client, side):
    meeting = propose(side.challenge, side.challenger)
    for person in (side.challenger, side.co_initiator, side.municipality, side.coordinator):
        client.force_login(person)
        listing = client.get(urls(meeting)["list"], **EN)
        assert listing.status_code == 200
        assert "Exploratory talk (intake)" in listing.content.decode()
        assert client.get(urls(meeting)["meeting"], **EN).status_code == 200


def test_the_proposing_side_gets_no_pick_form_and_a_forced_pick_is_403(client, side):
    meeting = propose(side.challenge, side.challenger)
    for person in (side.challenger, side.co_initiator):
        client.force_login(person)
        body = client.get(urls(meeting)["meeting"], **EN).content.decode()
        assert "Pick this time" not in body
        assert "the other side picks one" in body
        response = client.post(urls(meeting)["pick"], {"slot": meeting.slots.first().pk})
        assert response.status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.PROPOSED


# -- Proposing -------------------------------------------------------------------------


def test_a_party_proposes_three_slots_through_the_form(client, side):
    client.force_login(side.challenger)
    response = client.post(
        reverse("meetings:list", kwargs={"pk": side.challenge.pk}), proposal_data(), **EN
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert meeting.slots.count() == 3 and meeting.proposer_side == "challenger"
    assert meeting.slots.first().starts_at == at(4, 19, 30)
    page = client.get(response["Location"], **EN).content.decode()
    assert "Your proposal has been sent" in page


def test_an_online_proposal_needs_a_valid_link(client, side):
    client.force_login(side.municipality)
    path = reverse("meetings:list", kwargs={"pk": side.challenge.pk})
    response = client.post(path, proposal_data(mode="online", online_url="javascript:x"), **EN)
    assert response.status_code == 200
    assert "starting with https://" in response.content.decode()
    assert not Meeting.objects.exists()
    response = client.post(
        path, proposal_data(mode="online", online_url="https://meet.example.org/rtc"), **EN
    )
    assert response.status_code == 302
    assert Meeting.objects.get().online_url == "https://meet.example.org/rtc"
    assert Meeting.objects.get().place == ""


def _no_slots() -> dict:
    return {f"slot_{n}_{part}": "" for n in range(1, 6) for part in ("date", "start", "end")}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param({"slot_1_date": (at(-2, 10)).date().isoformat()}, "is in the past", id="past"),
        pytest.param(
            {"slot_2_start": "11:00", "slot_2_end": "10:00"}, "ends before it starts", id="end"
        ),
        pytest.param(_no_slots(), "at least 1 and at most 5", id="no-slot"),
        pytest.param({"slot_3_end": ""}, "Fill in the date, the start and the end", id="half"),
        pytest.param({"slot_1_date": "9999-01-01"}, "between 1900 and 2999", id="year-9999"),
        pytest.param({"slot_1_start": "25:00"}, "like 19:30", id="bad-time"),
        pytest.param({"place": ""}, "Enter the place", id="no-place"),
        pytest.param({"kind": "party"}, "what kind of meeting", id="kind"),
    ],
)
def test_bad_proposals_are_refused_with_a_message_and_nothing_changes(
    client, side, overrides, expected
):
    client.force_login(side.challenger)
    events = TimelineEvent.objects.count()
    response = client.post(
        reverse("meetings:list", kwargs={"pk": side.challenge.pk}),
        proposal_data(**overrides),
        **EN,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert expected in body and "There is a problem" in body
    assert not Meeting.objects.exists() and not MeetingSlot.objects.exists()
    assert TimelineEvent.objects.count() == events


def test_no_proposal_form_once_the_challenge_is_closed(client, db):
    challenge = challenge_in(Status.WITHDRAWN)
    client.force_login(challenge.initiator)
    path = reverse("meetings:list", kwargs={"pk": challenge.pk})
    response = client.get(path, **EN)
    assert response.status_code == 200 and "Propose the meeting" not in response.content.decode()
    assert client.post(path, proposal_data()).status_code == 403


# -- Picking, cancelling, minutes ------------------------------------------------------


def test_the_other_side_picks_through_the_form(client, side):
    meeting = propose(side.challenge, side.challenger)
    second = meeting.slots.all()[1]
    client.force_login(side.municipality)
    page = client.get(urls(meeting)["meeting"], **EN).content.decode()
    assert "Pick this time" in page
    response = client.post(urls(meeting)["pick"], {"slot": second.pk}, **EN)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED and meeting.starts_at == second.starts_at
    page = client.get(urls(meeting)["meeting"], **EN).content.decode()
    assert "Download the invitation for your calendar (.ics)" in page


def test_a_pick_of_a_slot_not_offered_is_refused(client, side):
    meeting = propose(side.challenge, side.challenger)
    client.force_login(side.municipality)
    response = client.post(urls(meeting)["pick"], {"slot": 999999}, **EN)
    assert response.status_code == 200
    assert "Choose one of the proposed time slots" in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.PROPOSED


def test_cancelling_needs_a_reason(client, side):
    meeting = _scheduled(side)
    client.force_login(side.co_initiator)
    response = client.post(urls(meeting)["cancel"], {"reason": ""}, **EN)
    assert response.status_code == 200
    assert "Say why the meeting is cancelled" in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.SCHEDULED
    response = client.post(urls(meeting)["cancel"], {"reason": "Ziek."}, **EN)
    assert response.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.CANCELLED
    page = client.get(urls(meeting)["meeting"], **EN).content.decode()
    assert "Download the cancellation" in page and "Ziek." in page


def test_minutes_through_the_form_and_refused_by_content(client, side, clock):
    meeting = _scheduled(side)
    client.force_login(side.municipality)
    assert "Add minutes" not in client.get(urls(meeting)["meeting"], **EN).content.decode()
    assert client.post(urls(meeting)["minutes"], {}).status_code == 403  # not begun yet
    clock.set(meeting.ends_at + timedelta(hours=2))
    refused = client.post(
        urls(meeting)["minutes"],
        {"file": SimpleUploadedFile("notulen.pdf", b"not a pdf"), "description": ""},
        **EN,
    )
    assert refused.status_code == 400 and not Minutes.objects.exists()
    response = client.post(
        urls(meeting)["minutes"],
        {"file": SimpleUploadedFile("notulen.pdf", pdf()), "description": "Afspraken."},
        **EN,
    )
    assert response.status_code == 302
    minutes = Minutes.objects.get()
    download = reverse(
        "meetings:minutes-download",
        kwargs={"pk": side.challenge.pk, "meeting_id": meeting.pk, "minutes_id": minutes.pk},
    )
    client.force_login(side.challenger)
    got = client.get(download)
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")
    assert got["Cache-Control"] == "private, no-store"


# -- The challenge page and the admin --------------------------------------------------


def test_the_challenge_page_shows_the_meetings_box_to_the_parties_only(client, side):
    meeting = _scheduled(side)
    detail = side.challenge.get_absolute_url()
    for person in (side.challenger, side.municipality):
        client.force_login(person)
        body = client.get(detail, **EN).content.decode()
        assert 'id="meetings-title"' in body and meeting.get_absolute_url() in body
    client.force_login(side.outsider)
    assert 'id="meetings-title"' not in client.get(detail, **EN).content.decode()
    client.logout()
    assert 'id="meetings-title"' not in client.get(detail, **EN).content.decode()


def test_the_admin_lists_meetings_read_only(client, side):
    meeting = _scheduled(side)
    client.force_login(side.municipality)
    listing = client.get("/admin/meetings/meeting/", **EN)
    assert listing.status_code == 200 and side.challenge.title in listing.content.decode()
    assert client.get("/admin/meetings/meeting/add/").status_code == 403
    change = client.get(f"/admin/meetings/meeting/{meeting.pk}/change/", **EN)
    assert change.status_code == 200
    assert client.post(f"/admin/meetings/meeting/{meeting.pk}/delete/").status_code == 403
    assert client.get("/admin/meetings/minutes/").status_code == 200
    minutes = Minutes.objects.create(
        meeting=meeting, side="challenger", original_name="n.pdf", kind="pdf",
        content_type="application/pdf", size=1, sha256="0" * 64, file="meetings/x.pdf",
    )  # fmt: skip
    change = client.get(f"/admin/meetings/minutes/{minutes.pk}/change/", **EN)
    assert change.status_code == 200 and "n.pdf" in change.content.decode()
    # A resident never reaches the admin; staff without a role do not see the meeting.
    client.force_login(side.outsider)
    assert client.get("/admin/meetings/meeting/").status_code == 302


# -- Constant queries ------------------------------------------------------------------


def _many_meetings(side, count: int) -> None:
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(
                challenge=side.challenge,
                kind=MeetingKind.PROGRESS,
                proposer_side="municipality",
                proposed_by=side.municipality,
                place=f"Zaal {n}",
            )
            for n in range(count)
        ]
    )
    MeetingSlot.objects.bulk_create(
        [
            MeetingSlot(meeting=m, starts_at=at(3 + n % 5, 10), ends_at=at(3 + n % 5, 11))
            for n, m in enumerate(meetings)
            for _slot in range(2)
        ]
    )


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **EN)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("person", ["challenger", "municipality"])
def test_the_list_and_the_challenge_page_cost_the_same_for_10_and_1000_meetings(
    client, side, person
):
    client.force_login(getattr(side, person))
    listing = reverse("meetings:list", kwargs={"pk": side.challenge.pk})
    detail = side.challenge.get_absolute_url()
    _many_meetings(side, 10)
    small = (_queries(client, listing), _queries(client, detail))
    _many_meetings(side, 990)
    large = (_queries(client, listing), _queries(client, detail))
    assert small == large


def test_the_meeting_page_costs_the_same_for_10_and_1000_minutes(client, side, clock):
    meeting = _scheduled(side)
    clock.set(meeting.ends_at + timedelta(hours=1))
    client.force_login(side.challenger)
    path = urls(meeting)["meeting"]

    def add(count):
        Minutes.objects.bulk_create(
            [
                Minutes(
                    meeting=meeting, uploaded_by=side.municipality, side="municipality",
                    original_name=f"notulen-{n}.pdf", kind="pdf", content_type="application/pdf",
                    size=100, sha256="0" * 64, file=f"meetings/{n}.pdf",
                )
                for n in range(count)
            ]
        )  # fmt: skip

    add(10)
    small = _queries(client, path)
    add(990)
    assert _queries(client, path) == small
