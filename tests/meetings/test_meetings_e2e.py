"""Meetings in a real browser: the team proposes three times, the municipality's
contact person picks one (and the reverse, online), both sides see the scheduled
meeting and download the same invitation; axe-core finds nothing on the new pages,
and at 320 CSS pixels wide none of them scrolls sideways."""

from datetime import UTC

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from challenges.constants import Status
from meetings.constants import MeetingStatus
from meetings.models import Meeting
from tests.challenges.factories import ReviewerFactory, UserFactory, add_co_initiator, challenge_in
from tests.meetings.factories import at, propose

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("e2e_database"),
]
NARROW = {"width": 320, "height": 800}
LONG_WORD = "Buurtparkonderhoudsvrijwilligersploeg" * 5


def assert_accessible(axe_report, page, what: str) -> None:
    violations = axe_report(page)
    assert violations == "", f"axe found problems on {what}:\n{violations}"


def calendar_download(page, link_name: str) -> Calendar:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    return Calendar.from_ical(open(info.value.path(), "rb").read())


@pytest.fixture
def world(transactional_db):
    reviewer = ReviewerFactory(first_name="Sanne", last_name="Jansen")
    resident = UserFactory(first_name="Fatima", last_name="Bouzid")
    challenge = challenge_in(Status.INTAKE, initiator=resident, reviewer=reviewer)
    add_co_initiator(challenge)
    return challenge, resident, reviewer


def test_the_team_proposes_and_the_contact_person_picks(open_context, axe_report, world):
    challenge, resident, reviewer = world
    team = open_context("en", user=resident).new_page()
    municipality = open_context("en", user=reviewer).new_page()

    # From the challenge page's box to the meetings page, with its form.
    team.goto(challenge.get_absolute_url())
    team.get_by_role("link", name="All meetings, and propose a meeting").click()
    expect(team.get_by_role("heading", level=1)).to_have_text("Meetings")
    assert_accessible(axe_report, team, "the meetings page with the proposal form")

    # A slot in the past first: refused, with the reason at the top.
    team.select_option("select[name=kind]", "intake")
    team.fill("input[name=slot_1_date]", at(-3, 10).date().isoformat())
    team.fill("input[name=slot_1_start]", "19:30")
    team.fill("input[name=slot_1_end]", "21:00")
    team.fill("input[name=place]", "Buurthuis De Schakel, zaal 2")
    team.get_by_role("button", name="Propose the meeting").click()
    expect(team.locator("#error-summary")).to_contain_text("is in the past")
    assert_accessible(axe_report, team, "the proposal form with an error")
    assert not Meeting.objects.exists()

    days = [4, 5, 6]
    for number, day in enumerate(days, start=1):
        team.fill(f"input[name=slot_{number}_date]", at(day, 10).date().isoformat())
        team.fill(f"input[name=slot_{number}_start]", "19:30")
        team.fill(f"input[name=slot_{number}_end]", "21:00")
    team.get_by_role("button", name="Propose the meeting").click()
    expect(team.get_by_text("Your proposal has been sent.")).to_be_visible()
    expect(team.locator("main")).to_contain_text("the other side picks one")
    expect(team.get_by_role("button", name="Pick this time")).to_have_count(0)
    meeting = Meeting.objects.get()
    assert meeting.slots.count() == 3

    # The municipality's contact person picks the second time.
    municipality.goto(meeting.get_absolute_url())
    assert_accessible(axe_report, municipality, "a proposed meeting with the pick form")
    municipality.get_by_role("radio").nth(1).check()
    municipality.get_by_role("button", name="Pick this time").click()
    expect(municipality.get_by_text("The meeting is scheduled.")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED
    assert meeting.starts_at == at(5, 19, 30)
    assert_accessible(axe_report, municipality, "a scheduled meeting")

    # Both sides see it scheduled, and download the same invitation.
    uids = set()
    for page in (team, municipality):
        page.goto(meeting.get_absolute_url())
        expect(page.locator("main")).to_contain_text("Scheduled")
        calendar = calendar_download(page, "Download the invitation for your calendar (.ics)")
        assert str(calendar["METHOD"]) == "REQUEST"
        event = next(iter(calendar.walk("VEVENT")))
        assert event.decoded("DTSTART") == at(5, 19, 30).astimezone(UTC)
        uids.add(str(event["UID"]))
    assert len(uids) == 1
    team.goto(challenge.get_absolute_url())
    expect(team.locator("#meetings")).to_contain_text("Exploratory talk (intake)")
    assert_accessible(axe_report, team, "the challenge page with the meetings box")


def test_the_municipality_proposes_online_and_the_challenger_picks(open_context, axe_report, world):
    challenge, resident, reviewer = world
    municipality = open_context("en", user=reviewer).new_page()
    team = open_context("nl", user=resident).new_page()

    municipality.goto(f"/challenges/{challenge.pk}/meetings/")
    municipality.select_option("select[name=kind]", "progress")
    for number, day in enumerate([3, 8], start=1):
        municipality.fill(f"input[name=slot_{number}_date]", at(day, 10).date().isoformat())
        municipality.fill(f"input[name=slot_{number}_start]", "10:00")
        municipality.fill(f"input[name=slot_{number}_end]", "11:00")
    municipality.check("input[name=mode][value=online]")
    municipality.fill("input[name=online_url]", "https://meet.example.org/rtc-voortgang")
    municipality.get_by_role("button", name="Propose the meeting").click()
    expect(municipality.get_by_text("Your proposal has been sent.")).to_be_visible()
    meeting = Meeting.objects.get()

    # The challenger, in Dutch, picks the first time.
    team.goto(meeting.get_absolute_url())
    assert_accessible(axe_report, team, "a proposed meeting in Dutch")
    team.get_by_role("radio").first.check()
    team.locator("form[action$='/pick/'] button[type=submit]").click()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED and meeting.starts_at == at(3, 10)
    expect(team.locator("main a[href$='invitation.ics']")).to_be_visible()

    # The municipality cancels it with a reason; the challenger sees the reason.
    municipality.goto(meeting.get_absolute_url())
    municipality.fill("textarea[name=reason]", "The room is not available.")
    municipality.get_by_role("button", name="Cancel the meeting").click()
    expect(municipality.get_by_text("The meeting is cancelled.")).to_be_visible()
    team.goto(meeting.get_absolute_url())
    expect(team.locator("main")).to_contain_text("The room is not available.")
    assert Meeting.objects.get().status == MeetingStatus.CANCELLED


def test_the_meeting_pages_reflow_at_320_pixels(open_context, world):
    challenge, resident, reviewer = world
    long_place = f"Buurthuis {LONG_WORD}, zaal 2"
    proposed = propose(challenge, resident, place=long_place[:200], agenda=f"Agenda {LONG_WORD}")
    online = propose(
        challenge,
        reviewer,
        place="",
        online_url="https://meet.example.org/" + "a-very-long-path-without-spaces" * 5,
    )
    pages = [
        challenge.get_absolute_url(),
        f"/challenges/{challenge.pk}/meetings/",
        proposed.get_absolute_url(),
        online.get_absolute_url(),
    ]
    for user in (resident, reviewer):
        page = open_context("en", user=user).new_page()
        page.set_viewport_size(NARROW)
        for path in pages:
            assert page.goto(path).status == 200
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= NARROW["width"], f"{path} is {width}px wide for {user}"
