"""In headless Chromium: a resident supports a challenge with an offer and asks a
question, and the team answers it; every page of the community app is axe-core
clean (WCAG 2.1 A/AA) and reflows at 320 px, also with a very long word in it."""

import pytest
from playwright.sync_api import expect

from challenges.constants import Status
from community import services
from community.models import Answer, Question, Support
from tests.challenges.factories import ReviewerFactory, UserFactory, challenge_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LONG_WORD = "Buurtparkonderhoudsvrijwilligersploeg" * 4
NARROW = {"width": 320, "height": 800}


@pytest.fixture
def scene(transactional_db):
    reviewer = ReviewerFactory()
    challenge = challenge_in(Status.INTAKE, reviewer=reviewer)
    resident = UserFactory(first_name="Rosa", last_name="Veldhuis")
    return challenge, reviewer, resident


def _clean(page, axe_report, url: str) -> None:
    page.goto(url)
    violations = axe_report(page)
    assert not violations, f"{url}:\n{violations}"
    page.set_viewport_size(NARROW)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{url} scrolls sideways at 320 px ({width})"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_resident_supports_and_asks_and_the_team_answers(open_context, scene, axe_report):
    challenge, reviewer, resident = scene
    url = f"/challenges/{challenge.pk}/"

    page = open_context("en", user=resident).new_page()
    page.goto(url)
    page.get_by_role("link", name="Support this challenge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Support this challenge")
    page.get_by_label("What you can offer (optional)").fill(
        "I can help with maintenance on Saturdays"
    )
    page.get_by_label("Show my name with my offer").check()
    page.get_by_role("button", name="Support this challenge").click()
    expect(page.get_by_text("Thank you: you support this challenge.")).to_be_visible()
    expect(page.get_by_text("1 person supports this challenge.")).to_be_visible()
    expect(page.get_by_text("I can help with maintenance on Saturdays")).to_be_visible()
    assert Support.objects.get(challenge=challenge, user=resident).show_name

    page.get_by_role("link", name="Ask a question").first.click()
    page.get_by_label("Your question").fill("Who collects the litter bags?")
    page.get_by_role("button", name="Ask the question").click()
    expect(page.get_by_text("Your question is on the challenge page.")).to_be_visible()
    question = Question.objects.get(challenge=challenge)

    team = open_context("en", user=challenge.initiator).new_page()
    team.goto(url)
    team.get_by_role("link", name="Answer this question").click()
    team.get_by_label("Your answer").fill("Our volunteers, every Saturday.")
    team.get_by_role("button", name="Publish the answer").click()
    expect(
        team.locator(".rtc-post__title", has_text="Answer by the challenger team")
    ).to_be_visible()
    assert Answer.objects.get(question=question).role == "team"

    # The resident sees the same answer, marked the same way.
    page.goto(url)
    expect(
        page.locator(".rtc-post__text", has_text="Our volunteers, every Saturday.")
    ).to_be_visible()
    expect(
        page.locator(".rtc-post__title", has_text="Answer by the challenger team")
    ).to_be_visible()


@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_community_page_is_axe_clean_and_reflows(open_context, scene, axe_report, language):
    challenge, reviewer, resident = scene
    supported = services.support_add(
        challenge=challenge, user=resident, offer=f"Offer {LONG_WORD}", show_name=True
    )
    services.support_add(challenge=challenge, user=UserFactory(), offer="")
    asked = services.question_ask(
        challenge=challenge, actor=UserFactory(), text=f"Why {LONG_WORD}?"
    )
    answered = services.question_answer(
        question=asked, actor=challenge.initiator, text=f"Because {LONG_WORD}."
    )
    services.question_answer(question=asked, actor=reviewer, text="The municipality agrees.")
    hidden = services.question_ask(challenge=challenge, actor=UserFactory(), text="Rude words")
    services.post_hide(post=hidden, actor=reviewer, reason="Insulting")
    base = f"/challenges/{challenge.pk}"

    visitor = open_context(language).new_page()
    for url in [f"{base}/", f"{base}/questions/", f"{base}/supporters/"]:
        _clean(visitor, axe_report, url)

    other = open_context(language, user=UserFactory()).new_page()
    for url in [
        f"{base}/",
        f"{base}/support/",
        f"{base}/questions/ask/",
        f"{base}/question/{asked.pk}/report/",
        f"{base}/answer/{answered.pk}/report/",
    ]:
        _clean(other, axe_report, url)
    # A form sent empty shows its error summary, also clean.
    other.goto(f"{base}/questions/ask/")
    other.locator("form[novalidate] button[type=submit]").click()
    expect(other.locator("#error-summary")).to_be_visible()
    assert not axe_report(other)

    mine = open_context(language, user=resident).new_page()
    _clean(mine, axe_report, f"{base}/support/withdraw/")

    team = open_context(language, user=challenge.initiator).new_page()
    for url in [
        f"{base}/",
        f"{base}/supporters/",
        f"{base}/supporters/{supported.pk}/message/",
        f"{base}/questions/{asked.pk}/answer/",
    ]:
        _clean(team, axe_report, url)

    staff = open_context(language, user=reviewer).new_page()
    for url in [f"{base}/", f"{base}/question/{asked.pk}/hide/"]:
        _clean(staff, axe_report, url)


def test_community_pages_are_valid_html(scene, vnu, tmp_path):
    from django.test import Client

    challenge, reviewer, resident = scene
    supported = services.support_add(challenge=challenge, user=resident, offer="Koffie")
    asked = services.question_ask(challenge=challenge, actor=UserFactory(), text="Wanneer?")
    services.question_answer(question=asked, actor=challenge.initiator, text="In mei.")
    base = f"/challenges/{challenge.pk}"
    pages = {
        None: [f"{base}/", f"{base}/questions/", f"{base}/supporters/"],
        resident: [f"{base}/", f"{base}/support/withdraw/", f"{base}/question/{asked.pk}/report/"],
        UserFactory(): [f"{base}/support/", f"{base}/questions/ask/"],
        challenge.initiator: [
            f"{base}/supporters/",
            f"{base}/supporters/{supported.pk}/message/",
            f"{base}/questions/{asked.pk}/answer/",
        ],
        reviewer: [f"{base}/question/{asked.pk}/hide/"],
    }
    files = []
    for user, urls in pages.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
            assert response.status_code == 200, url
            path = tmp_path / f"page-{len(files)}.html"
            path.write_bytes(response.content)
            files.append(path)
    errors = vnu(files)
    assert not errors, "\n".join(errors)
