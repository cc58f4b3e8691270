"""The workspace's sections in a real browser: every section reflows at 320 px, is
axe-clean (WCAG 2.0/2.1 A and AA) in Dutch and English, and the section navigation
is reached by keyboard, with the current section announced as the current page."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from challenges.constants import Status
from partnerships import services
from partnerships.constants import Side
from tests.challenges.factories import ReviewerFactory, UserFactory, challenge_in
from tests.core.upload_samples import pdf

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("e2e_database"),
]

SECTIONS = [
    "",
    "messages/",
    "documents/",
    "contact-persons/",
    "organisation/",
    "agreement/",
    "milestones/",
    "reflections/",
    "knots/",
    "timeline/",
]
LONG = "Onderhoudsovereenkomstbepalingenoverzichtsdocumentversie" * 3


def _filled():
    reviewer = ReviewerFactory(first_name="Sanne", last_name="Jansen")
    resident = UserFactory(first_name="Fatima", last_name="Bouzid")
    challenge = challenge_in(Status.EXECUTION, initiator=resident, reviewer=reviewer)
    today = timezone.localdate()
    services.message_post(
        challenge=challenge, actor=resident, text=f"Zie {LONG} en https://example.org/{LONG}"
    )
    services.document_upload(
        challenge=challenge,
        actor=reviewer,
        file=SimpleUploadedFile(f"{LONG[:100]}.pdf", pdf()),
        description=LONG[:300],
    )
    services.milestone_create(
        challenge=challenge,
        actor=resident,
        title=f"Mijlpaal {LONG}",
        owner_side=Side.CHALLENGER,
        due_date=today - timedelta(days=1),
        is_public=True,
    )
    services.knot_raise(
        challenge=challenge,
        actor=resident,
        question="Wie betaalt de containers?",
        decision_needed=LONG,
        needed_by=today + timedelta(days=2),
    )
    return challenge, reviewer, resident


def test_every_section_reflows_at_320_px_and_is_axe_clean(open_context, axe_report):
    challenge, reviewer, resident = _filled()
    base = f"/challenges/{challenge.pk}/workspace/"
    failures = []
    for language, user in (("en", resident), ("nl", reviewer)):
        context = open_context(language, user=user)
        page = context.new_page()
        page.set_viewport_size({"width": 320, "height": 800})
        for section in SECTIONS:
            response = page.goto(base + section)
            assert response.status == 200, (section, response.status)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                failures.append(f"{language} {base}{section}: {width} px wide at 320 px")
            violations = axe_report(page)
            if violations:
                failures.append(f"{language} {base}{section}:\n{violations}")
    assert not failures, "\n".join(failures)


def test_the_section_navigation_by_keyboard(open_context):
    challenge, _reviewer, resident = _filled()
    page = open_context("en", user=resident).new_page()
    page.goto(f"/challenges/{challenge.pk}/workspace/")
    nav = page.get_by_role("navigation", name="Sections of the workspace")
    expect(nav.locator('[aria-current="page"]')).to_have_text("Overview")
    link = nav.get_by_role("link", name="Messages")
    link.focus()
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/workspace/messages/$"))
    expect(page).to_have_title(re.compile(r"^Messages – Workspace: "))
    expect(page.get_by_role("heading", level=1)).to_have_text("Messages")
    expect(nav.locator('[aria-current="page"]')).to_have_text("Messages")
    # The message typed here is sent, and the page comes back to this section.
    page.get_by_role("textbox", name="Message").fill("Tot dinsdag!")
    page.get_by_role("button", name="Send message").click()
    page.wait_for_url(re.compile(r"/workspace/messages/$"))
    expect(page.locator("main")).to_contain_text("Tot dinsdag!")
