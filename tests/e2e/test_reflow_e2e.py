"""Reflow (WCAG 2.1 SC 1.4.10): at 320 CSS pixels wide no page of the portal scrolls
sideways, for a visitor, a resident in a running partnership, a coordinator and a
reviewer; a very long word or URL in a title, summary, message or knot wraps instead
of widening the page, at 320 and at 1280 pixels. Wide data tables may scroll inside
their own labelled region, never the page.

And an empty required field shows no error style before the form was sent.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from challenges import services as challenge_services
from challenges.constants import Status
from partnerships import services
from partnerships.constants import Side
from partnerships.models import CONTENT_FIELDS, AgreementVersion
from tests.challenges.factories import (
    CoordinatorFactory,
    ReviewerFactory,
    add_co_initiator,
    challenge_in,
)
from tests.core.upload_samples import pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NARROW = {"width": 320, "height": 800}
WIDE = {"width": 1280, "height": 900}
# One unbroken word of 200 characters, and a URL without a place to break.
LONG_WORD = "Buurtparkonderhoudsvrijwilligers" * 6 + "ploegleider"[:8]
LONG_URL = "https://example.org/" + "a-very-long-path-segment-without-spaces" * 4
TITLE_WORD = LONG_WORD[:140]  # a title holds at most 150 characters
SCORES = {"right_things": 4, "doing_right": 3, "together": 5}
assert len(LONG_WORD) == 200


@dataclass
class Site:
    resident: object
    reviewer: object
    coordinator: object
    running: object  # in execution: agreement signed, the whole workspace filled
    stages: dict  # {name: challenge} in other stages
    draft: object  # complete draft with the long word: its review page
    empty_draft: object


def long_text(prefix: str) -> str:
    return f"{prefix} {LONG_WORD} {LONG_URL}"


@pytest.fixture
def site(transactional_db, settings, tmp_path) -> Site:
    settings.MEDIA_ROOT = tmp_path / "media"
    reviewer = ReviewerFactory()
    coordinator = CoordinatorFactory()
    fields = {"title": f"Park {TITLE_WORD}", "summary": long_text("We run the park.")}
    running = challenge_in(Status.EXECUTION, reviewer=reviewer, coordinator=coordinator, **fields)
    resident = running.initiator
    add_co_initiator(running)
    today = timezone.localdate()

    services.message_post(challenge=running, actor=resident, text=long_text("Hello"))
    services.message_post(challenge=running, actor=reviewer, text="Short answer.")
    services.document_upload(
        challenge=running,
        actor=reviewer,
        file=SimpleUploadedFile(f"{LONG_WORD[:80]}.pdf", pdf()),
        description=long_text("Minutes"),
    )
    services.milestone_create(
        challenge=running,
        actor=resident,
        title=f"Harvest {LONG_WORD[:100]}",
        owner_side=Side.CHALLENGER,
        due_date=today + timedelta(days=10),
        is_public=True,
    )
    services.knot_raise(
        challenge=running,
        actor=resident,
        # The question is a line of at most 300 characters: the long word, no URL.
        question=f"Who mows? {LONG_WORD}"[:300],
        decision_needed=long_text("Decide."),
        needed_by=today + timedelta(days=2),
    )
    for _ in range(2):
        round_ = services.reflection_open(challenge=running, actor=resident, reason="Now.")
        for person in (resident, reviewer):
            services.reflection_answer(
                round=round_,
                actor=person,
                scores=SCORES,
                comments={key: long_text("Fine.") for key in SCORES},
            )
    version_1 = AgreementVersion.objects.get(challenge=running, number=1)
    services.agreement_save_draft(
        challenge=running,
        actor=resident,
        data={
            **{name: getattr(version_1, name) for name in CONTENT_FIELDS},
            "results": long_text("More."),
        },
    )

    stages = {
        name: challenge_in(status, reviewer=reviewer, coordinator=coordinator, **fields)
        for name, status in [
            ("submitted", Status.SUBMITTED),
            ("assessment", Status.ASSESSMENT),
            ("agreement", Status.AGREEMENT),
            ("rejected", Status.REJECTED),
        ]
    }
    draft = challenge_services.challenge_create_draft(initiator=resident)
    draft.title, draft.summary = fields["title"], fields["summary"]
    draft.save()
    return Site(
        resident=resident,
        reviewer=reviewer,
        coordinator=coordinator,
        running=running,
        stages=stages,
        draft=draft,
        empty_draft=challenge_services.challenge_create_draft(initiator=resident),
    )


def visitor_pages(site: Site) -> list[str]:
    urls = ["/", "/challenges/", "/log/", "/criteria/", "/privacy/", "/accessibility/"]
    urls += ["/contact/", f"/challenges/{site.running.pk}/"]
    urls += [f"/challenges/{c.pk}/" for c in site.stages.values()]
    urls += [f"/challenges/{site.running.pk}/progress/"]
    return urls


def resident_pages(site: Site) -> list[str]:
    pk = site.running.pk
    w = f"/challenges/{pk}/workspace/"
    return [
        f"/challenges/{pk}/",
        "/challenges/mine/",
        "/challenges/new/",
        *(f"/challenges/{site.draft.pk}/plan/{step}/" for step in STEPS),
        f"/challenges/{site.draft.pk}/review/",
        "/notifications/",
        "/notifications/preferences/",
        "/my-data/",
        w,
        f"{w}organisation/",
        f"{w}contact-persons/{Side.CHALLENGER}/",
        f"{w}agreement/draft/",
        f"{w}agreement/v1/",
        f"{w}agreement/v2/",
        f"{w}milestones/new/",
        f"{w}reflections/",
        f"{w}knots/new/",
        f"{w}messages/new/",
        f"{w}documents/new/",
        f"/challenges/{pk}/progress/",
    ]


STEPS = ["task", "plan", "budget", "team"]


def coordinator_pages(site: Site) -> list[str]:
    return ["/knots/", f"/challenges/{site.running.pk}/workspace/"]


def reviewer_pages(site: Site) -> list[str]:
    # The admin's challenge change page: its long title in the breadcrumbs and heading,
    # its read-only plan, and its two tabular inlines (the assessment rows, the timeline)
    # stacked by static/css/admin.css.
    admin = "/admin/challenges/challenge/"
    changes = [f"{admin}{c.pk}/change/" for c in [site.running, *site.stages.values()]]
    pk = site.stages["assessment"].pk
    forms = [f"{admin}{pk}/{name}/" for name in ("transition", "note", "publish-assessment")]
    lists = [f"/admin/challenges/{name}/" for name in ADMIN_CHALLENGE_LISTS]
    lists += [f"/admin/partnerships/{name}/" for name in ADMIN_PARTNERSHIP_LISTS]
    return ["/admin/", admin, *lists, *changes, *forms, f"/challenges/{site.running.pk}/"]


ADMIN_CHALLENGE_LISTS = ["timelineevent", "task", "criterion", "invitation", "stagetarget"]
ADMIN_PARTNERSHIP_LISTS = ["agreementversion", "document", "knot", "message", "milestone"]


def admin_coordinator_pages(site: Site) -> list[str]:
    return [f"/admin/challenges/challenge/{site.stages['assessment'].pk}/assign-reviewer/"]


def too_wide(page, url: str, viewport: dict) -> str | None:
    response = page.goto(url)
    assert response.status == 200, (url, response.status)
    page.wait_for_load_state()
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    if width > inner:
        culprits = page.evaluate(WIDEST_ELEMENTS, inner)
        return f"{url}: {width} px wide at {inner} px ({culprits})"
    return None


# The elements that stick out furthest on the right: named in the failure message.
WIDEST_ELEMENTS = """(limit) => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > limit
                && !el.closest('.rtc-table-scroll, .rtc-visually-hidden'))
  .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right)
  .slice(0, 3)
  .map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className)
       .trim().split(/\\s+/).join('.') : '') + ' ' + Math.round(el.getBoundingClientRect().right))
  .join(', ')"""


def test_every_page_reflows_at_320_px(open_context, site):
    failures, visited = [], 0
    for user, urls in [
        (None, visitor_pages(site)),
        (site.resident, resident_pages(site)),
        (site.coordinator, coordinator_pages(site) + admin_coordinator_pages(site)),
        (site.reviewer, reviewer_pages(site)),
    ]:
        page = open_context("en", user=user).new_page()
        page.set_viewport_size(NARROW)
        for url in urls:
            failure = too_wide(page, url, NARROW)
            visited += 1
            if failure:
                failures.append(failure)
    assert visited >= 60
    assert not failures, "Pages scroll sideways at 320 px:\n" + "\n".join(failures)


def test_long_words_do_not_widen_the_wide_layout(open_context, site):
    page = open_context("en", user=site.resident).new_page()
    page.set_viewport_size(WIDE)
    failures = []
    for url in [f"/challenges/{site.running.pk}/", f"/challenges/{site.draft.pk}/review/"]:
        failure = too_wide(page, url, WIDE)
        if failure:
            failures.append(failure)
        # The long word is on the page (wrapped), not cut off.
        expect(page.locator("main").get_by_text(TITLE_WORD).first).to_be_visible()
    pk = site.running.pk
    for url in [f"/challenges/{pk}/workspace/", f"/challenges/{pk}/progress/", "/log/"]:
        failure = too_wide(page, url, WIDE)
        if failure:
            failures.append(failure)
    # The admin's change page: the long title, the read-only plan and the timeline.
    staff = open_context("en", user=site.reviewer).new_page()
    staff.set_viewport_size(WIDE)
    for challenge in (site.running, site.stages["assessment"]):
        failure = too_wide(staff, f"/admin/challenges/challenge/{challenge.pk}/change/", WIDE)
        if failure:
            failures.append(failure)
        expect(staff.locator("#content").get_by_text(TITLE_WORD).first).to_be_visible()
    # The assessment rows fit inside their box: the last column is not cut off.
    group = staff.locator("#assessments-group").bounding_box()
    table = staff.locator("#assessments-group table").bounding_box()
    assert table["x"] + table["width"] <= group["x"] + group["width"] + 1, (group, table)
    assert not failures, "Pages wider than 1280 px:\n" + "\n".join(failures)


def test_a_wide_table_scrolls_in_its_own_labelled_region(open_context, site, axe_report):
    """The knots overview and the workspace's sections hold tables too wide for 320 px: each
    scrolls inside a labelled, focusable region while the page itself does not."""
    checked = 0
    for user, url in [
        (site.coordinator, "/knots/"),
        (site.resident, f"/challenges/{site.running.pk}/workspace/milestones/"),
        (site.resident, f"/challenges/{site.running.pk}/workspace/documents/"),
        (site.resident, f"/challenges/{site.running.pk}/workspace/reflections/"),
    ]:
        page = open_context("en", user=user).new_page()
        page.set_viewport_size(NARROW)
        assert page.goto(url).status == 200, url
        regions = page.locator("main .rtc-table-scroll")
        assert regions.count() >= 1, url
        for index in range(regions.count()):
            region = regions.nth(index)
            expect(region).to_have_attribute("role", "region")
            expect(region).to_have_attribute("tabindex", "0")
            label = region.get_attribute("aria-labelledby")
            assert page.locator(f"#{label}").inner_text().strip(), (url, label)
            assert region.locator("table").count() == 1
            # The table is wider than the region: the region scrolls, not the page.
            assert region.evaluate("el => el.scrollWidth > el.clientWidth"), (url, label)
            checked += 1
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], url
        # A keyboard user reaches the scrolling region; axe finds nothing on the page.
        report = axe_report(page)
        assert not report, f"{url}:\n{report}"
    assert checked >= 4


BORDERS = """() => Object.fromEntries(
  [...document.querySelectorAll('main input:not([type=hidden]), main textarea, main select')]
    .map(el => { const s = getComputedStyle(el);
                 return [el.name, s.borderTopColor + ' ' + s.borderTopWidth]; }))"""


def test_required_fields_show_no_error_style_before_the_form_is_sent(open_context, site):
    """An empty required field is :invalid from the start; only the fields the server
    marked after sending get the error style."""
    page = open_context("en", user=site.resident).new_page()
    assert page.goto(f"/challenges/{site.running.pk}/workspace/knots/new/").status == 200
    required = page.locator("main [required]")
    assert required.count() >= 3  # the question, the decision needed, the date
    assert page.locator("main textarea[required]").count() >= 1
    expect(page.locator("main [aria-invalid=true]")).to_have_count(0)
    before = page.evaluate(BORDERS)

    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#error-summary")).to_be_visible()
    after = page.evaluate(BORDERS)
    invalid = page.locator("main [aria-invalid=true]")
    marked = {invalid.nth(i).get_attribute("name") for i in range(invalid.count())}
    assert {"question", "decision_needed", "needed_by"} <= marked, marked

    # The error style is what the marked fields have now; before sending, none had it.
    error_styles = {after[name] for name in marked}
    assert before.keys() == after.keys()
    styled_before = {name: style for name, style in before.items() if style in error_styles}
    assert not styled_before, f"error style before the form was sent: {styled_before}"

    # Nor has any field of a fresh draft's first step.
    assert page.goto(f"/challenges/{site.empty_draft.pk}/plan/task/").status == 200
    fresh = page.evaluate(BORDERS)
    assert fresh
    styled = {name: style for name, style in fresh.items() if style in error_styles}
    assert not styled, f"error style on a fresh draft: {styled}"
