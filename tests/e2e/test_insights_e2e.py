"""The coordinator's dashboard, the statistics and the open data in headless Chromium:
the SVG charts are titled images with their tables beside them, the filters and links
are reached with the keyboard, axe-core finds no WCAG A/AA violation, and at 320 CSS
pixels nothing scrolls sideways."""

from datetime import timedelta

import pytest
from django.utils import timezone

from challenges.constants import Status
from challenges.models import Challenge
from tests.challenges.factories import CoordinatorFactory, ReviewerFactory, challenge_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NARROW = {"width": 320, "height": 800}
WIDE = {"width": 1280, "height": 900}


@pytest.fixture
def coordinator(transactional_db):
    reviewer = ReviewerFactory()
    for status in (Status.SUBMITTED, Status.ASSESSMENT, Status.EXECUTION, Status.REJECTED):
        challenge_in(status, reviewer=reviewer, title=f"Buurtpark in {status}")
    # One past its target, so the overdue table has a row.
    Challenge.objects.filter(status=Status.ASSESSMENT).update(
        due_at=timezone.now() - timedelta(days=5)
    )
    return CoordinatorFactory()


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]


def test_dashboard_charts_tables_keyboard_axe_and_reflow(open_context, coordinator, axe_report):
    context = open_context("en", user=coordinator)
    page = context.new_page()
    page.set_viewport_size(WIDE)
    page.goto("/dashboard/")
    assert page.locator("h1").inner_text() == "Coordinator dashboard"

    charts = page.locator("svg[role=img]")
    titles = set(page.locator("svg[role=img] > title").all_text_contents())
    # No reflection was shared yet: the partnership table says so, without a chart.
    assert titles == {"Challenges per stage", "Lead time per stage in days"}
    for index in range(charts.count()):
        chart = charts.nth(index)
        title = chart.locator("title").text_content()
        assert title and title.strip()
        labelled = chart.get_attribute("aria-labelledby").split()
        assert chart.locator(f"title#{labelled[0]}").count() == 1
        assert chart.locator(f"desc#{labelled[1]}").count() == 1
        # Each chart sits in a figure with its caption, and a table follows it.
        assert chart.evaluate("el => el.closest('figure').querySelector('figcaption') !== null")
    # Pipeline, lead times, overdue, partnership health, delivery: tables with rows; the
    # parts with nothing to show say so.
    assert page.locator("table.rtc-table").count() >= 5
    assert page.get_by_text("No knot is open.").count() == 1
    assert (
        page.get_by_role("link", name="Submitted")
        .first.get_attribute("href")
        .startswith("/challenges/?status=submitted")
    )

    # Keyboard: from the filters on, Tab reaches every filter, the button and the CSV links.
    page.locator("#id_neighbourhood").focus()
    reached = []
    for _ in range(40):
        reached.append(
            page.evaluate(
                "() => { const el = document.activeElement;"
                " return el.id || el.getAttribute('href') || el.tagName; }"
            )
        )
        page.keyboard.press("Tab")
    assert reached[:3] == ["id_neighbourhood", "id_task", "id_period"]
    assert "BUTTON" in reached
    assert any(str(item).startswith("/dashboard/pipeline.csv") for item in reached)
    # The filter works from the keyboard too.
    page.locator("#id_period").select_option("all")
    page.locator("#id_period").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard/?*period=all*")

    violations = axe_report(page)
    assert violations == "", f"axe-core found violations on the dashboard:\n{violations}"

    page.set_viewport_size(NARROW)
    page.goto("/dashboard/")
    assert _no_sideways_scroll(page)


@pytest.mark.parametrize("path", ["/statistics/", "/open-data/"])
def test_public_pages_axe_and_reflow(open_context, coordinator, axe_report, path):
    page = open_context("nl").new_page()
    page.set_viewport_size(WIDE)
    page.goto(path)
    violations = axe_report(page)
    assert violations == "", f"axe-core found violations on {path}:\n{violations}"
    page.set_viewport_size(NARROW)
    page.goto(path)
    assert _no_sideways_scroll(page)
    if path == "/statistics/":
        assert page.locator("svg[role=img] title").count() >= 3
