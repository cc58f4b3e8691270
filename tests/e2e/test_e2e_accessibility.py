"""Accessibility of the public and challenger pages, and of the admin pages a reviewer
and a coordinator reach, in Dutch and in English: axe-core finds no WCAG 2.0/2.1 A or AA
violation, the Nu Html Checker finds no HTML error, and a keyboard user reaches the
content through a visible skip link."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from challenges import services
from challenges.constants import Status, Visibility
from challenges.models import Criterion
from tests.challenges.factories import CoordinatorFactory, ReviewerFactory, challenge_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LANGUAGES = ["nl", "en"]


@dataclass
class Site:
    resident: object
    submitted: object  # in intake, with a public motivation and an addition
    draft: object  # complete: its review page offers the submit button
    empty_draft: object  # nothing filled in: every step has errors when saved


@pytest.fixture
def site(make_user, make_draft) -> Site:
    resident = make_user("resident@example.org")
    reviewer = make_user("reviewer@gemeente.example", reviewer=True)

    submitted = make_draft(resident, complete=True)
    services.challenge_transition(challenge=submitted, to_status=Status.SUBMITTED, actor=resident)
    services.challenge_transition(
        challenge=submitted,
        to_status=Status.INTAKE,
        actor=reviewer,
        motivation="The plan is complete; we will plan a first talk.",
    )
    services.challenge_add_addition(
        challenge=submitted,
        actor=resident,
        visibility=Visibility.PUBLIC,
        text="The school has joined as a partner.",
    )
    return Site(
        resident=resident,
        submitted=submitted,
        draft=make_draft(resident, complete=True),
        empty_draft=make_draft(resident),
    )


def _save_step(page) -> None:
    page.click("button[name=save_and_continue]")
    page.wait_for_load_state()
    expect(page.locator("#error-summary")).to_be_visible()


def visit_pages(open_context, site: Site, language: str) -> Iterator[tuple[str, object]]:
    """Bring a page into each state worth checking and yield (name, page)."""
    anonymous = open_context(language).new_page()
    team = open_context(language, user=site.resident).new_page()
    pk, draft, empty = site.submitted.pk, site.draft.pk, site.empty_draft.pk

    anonymous_pages = [
        ("home", "/"),
        ("challenge-list", "/challenges/"),
        ("challenge-detail-anonymous", f"/challenges/{pk}/"),
        ("process-log", "/log/"),
        ("criteria", "/criteria/"),
        ("login", "/accounts/login/"),
        ("signup", "/accounts/signup/"),
    ]
    for name, url in anonymous_pages:
        response = anonymous.goto(url)
        assert response.status == 200, (url, response.status)
        if name == "process-log":
            # Submitted, moved to intake, and a public addition.
            expect(anonymous.locator("main .rtc-timeline__event")).to_have_count(3)
        if name == "criteria":
            # The published criteria of the data migration.
            expect(anonymous.locator("main dl dt")).to_have_count(
                Criterion.objects.filter(is_active=True).count()
            )
        yield name, anonymous

    anonymous.goto("/accounts/login/")
    anonymous.fill("input[name=login]", "resident@example.org")
    anonymous.fill("input[name=password]", "not the password")
    anonymous.locator("main form button[type=submit]").click()
    anonymous.wait_for_load_state()
    expect(anonymous.locator("#error-summary")).to_be_visible()
    yield "login-with-errors", anonymous

    team_pages = [
        ("challenge-detail-team", f"/challenges/{pk}/"),
        ("my-challenges", "/challenges/mine/"),
        ("start", "/challenges/new/"),
    ]
    for name, url in team_pages:
        response = team.goto(url)
        assert response.status == 200, (url, response.status)
        if name == "challenge-detail-team":
            # The team's view: the addition, invitation and withdrawal forms.
            expect(team.locator("main form")).to_have_count(3)
        yield name, team

    # A draft saves a half-answered step, so an error needs a malformed answer.
    team.goto(f"/challenges/{empty}/plan/task/")
    team.fill("input[name=title]", "Park")
    _save_step(team)
    yield "step-task-with-errors", team

    team.goto(f"/challenges/{empty}/plan/budget/")
    team.fill("input[name=budget_requested]", "abc")
    _save_step(team)
    yield "step-budget-with-errors", team

    team.goto(f"/challenges/{empty}/plan/team/")
    team.fill("textarea[name=team_description]", "Wij \u202ebeheren het park.")
    _save_step(team)
    yield "step-team-with-errors", team

    team.goto(f"/challenges/{draft}/review/")
    expect(team.locator("main form button[type=submit]")).to_have_count(1)
    yield "review", team


@pytest.fixture(scope="module")
def crawled_html() -> dict:
    """{language: {page name: HTML}} of every complete crawl the axe tests made, so the
    HTML check need not visit the same pages again; it crawls whatever is missing."""
    return {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_have_no_axe_violations(open_context, site, axe_report, crawled_html, language):
    failures, html = [], {}
    for name, page in visit_pages(open_context, site, language):
        assert page.locator("html").get_attribute("lang") == language, name
        html[name] = page.content()  # before axe adds its script
        report = axe_report(page)
        if report:
            failures.append(f"{name} ({page.url}):\n{report}")
    crawled_html[language] = html
    assert not failures, f"axe-core violations ({language}):\n" + "\n".join(failures)


@dataclass
class AdminSite:
    reviewer: object
    coordinator: object
    assessment: object  # in assessment: the rows to score, the publish page
    running: object  # in execution: a long timeline


@pytest.fixture
def admin_site(transactional_db) -> AdminSite:
    reviewer, coordinator = ReviewerFactory(), CoordinatorFactory()
    staff = {"reviewer": reviewer, "coordinator": coordinator}
    return AdminSite(
        reviewer=reviewer,
        coordinator=coordinator,
        assessment=challenge_in(Status.ASSESSMENT, **staff),
        running=challenge_in(Status.EXECUTION, **staff),
    )


ADMIN = "/admin/challenges/challenge/"


def visit_admin_pages(open_context, admin_site: AdminSite, language: str):
    """Every admin page a reviewer and a coordinator reach from the index (each app and
    change list), the challenge change page and its form pages: yield (name, page, html).

    `html` is the document the server sent: the admin's own script then sets
    autocomplete="off" on the inline management fields, which the DOM shows but the HTML
    standard does not allow on a hidden input."""
    pk = admin_site.assessment.pk
    forms = ["transition", "note", "publish-assessment"]
    for role, user in [("reviewer", admin_site.reviewer), ("coordinator", admin_site.coordinator)]:
        page = open_context(language, user=user).new_page()
        response = page.goto("/admin/")
        assert response.status == 200
        yield f"admin-{role}-index", page, response.text()
        listed = page.eval_on_selector_all(
            "#content-main a[href^='/admin/']:not(.addlink)", "els => els.map(e => e.pathname)"
        )
        lists = sorted(set(listed))
        assert ADMIN in lists and len(lists) >= 8, lists
        extra = [f"{ADMIN}?assigned=queue", f"{ADMIN}{pk}/change/"]
        extra += [f"{ADMIN}{admin_site.running.pk}/change/"]
        extra += [f"{ADMIN}{pk}/{name}/" for name in forms]
        if role == "coordinator":
            extra.append(f"{ADMIN}{pk}/assign-reviewer/")
        rows = []  # the first row's page of each change list (a task, a criterion, ...)
        for url in lists + extra:
            response = page.goto(url)
            assert response.status == 200, (role, url, response.status)
            name = url.strip("/").replace("/", "-").replace("?", "-")
            yield f"admin-{role}-{name}", page, response.text()
            first = page.locator("#result_list tbody tr:first-child th a[href]")
            if url in lists and url != ADMIN and first.count():
                rows.append(first.first.evaluate("a => a.pathname"))
        assert len(rows) >= 5, rows
        for url in rows:
            response = page.goto(url)
            assert response.status == 200, (role, url, response.status)
            yield f"admin-{role}-row-{url.strip('/').replace('/', '-')}", page, response.text()
        # A form sent with an error: the error is announced and linked to the field.
        page.goto(f"{ADMIN}{pk}/note/")
        page.locator("#content form input[type=submit]").click()
        page.wait_for_load_state()
        expect(page.locator("#content .errorlist").first).to_be_visible()
        yield f"admin-{role}-note-with-errors", page, page.content()


@pytest.mark.parametrize("language", LANGUAGES)
def test_admin_pages_have_no_axe_violations(
    open_context, admin_site, axe_report, crawled_html, language
):
    failures, html = [], {}
    for name, page, sent in visit_admin_pages(open_context, admin_site, language):
        assert page.locator("html").get_attribute("lang") == language, name
        if name.endswith("-change"):
            html[name] = sent
        report = axe_report(page)
        if report:
            failures.append(f"{name} ({page.url}):\n{report}")
    assert len(html) >= 4, sorted(html)  # the change pages of both, for the HTML check
    crawled_html[f"admin-{language}"] = html
    assert not failures, f"axe-core violations ({language}):\n" + "\n".join(failures)


def test_admin_change_page_is_valid_html(open_context, admin_site, vnu, crawled_html, tmp_path):
    """The challenge change page (assessment rows, timeline, the stacked cell labels)."""
    files = []
    for language in LANGUAGES:
        html = crawled_html.get(f"admin-{language}") or {
            name: sent
            for name, _page, sent in visit_admin_pages(open_context, admin_site, language)
            if name.endswith("-change")
        }
        for name, text in html.items():
            path = tmp_path / f"{name}-{language}.html"
            path.write_text(text, encoding="utf-8")
            files.append(path)
    assert len(files) >= 8
    errors = vnu(files)
    assert not errors, "Nu Html Checker errors:\n" + "\n".join(errors)


def test_pages_are_valid_html(open_context, site, vnu, crawled_html, tmp_path):
    files = []
    for language in LANGUAGES:
        if language not in crawled_html:
            crawled_html[language] = {
                name: page.content() for name, page in visit_pages(open_context, site, language)
            }
        for name, html in crawled_html[language].items():
            path = tmp_path / f"{name}-{language}.html"
            path.write_text(html, encoding="utf-8")
            files.append(path)
    assert len(files) == 2 * 15
    errors = vnu(files)
    assert not errors, "Nu Html Checker errors:\n" + "\n".join(errors)


def test_a_failed_login_is_announced_once(open_context, make_user):
    """The error summary at the top is the one alert; the same message in a second
    alert inside the form makes a screen reader announce it twice."""
    make_user("resident@example.org")
    page = open_context("en").new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=login]", "resident@example.org")
    page.fill("input[name=password]", "not the password")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    alert = page.get_by_role("alert")
    expect(alert).to_have_count(1)
    expect(alert).to_have_attribute("id", "error-summary")
    expect(alert).to_contain_text("not correct")
    expect(page.locator("main").get_by_text("not correct")).to_have_count(1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_first_tab_reaches_a_visible_skip_link_to_the_content(open_context, site, language):
    page = open_context(language).new_page()
    page.goto("/")

    # The stylesheets (design tokens, components, ours and the apps') are served by the
    # portal itself and applied; without them there is no focus style to check.
    sheets = page.evaluate("() => [...document.styleSheets].map(s => [s.href, s.cssRules.length])")
    served = [href.split("/static/")[1] for href, _rules in sheets if "/static/" in href]
    assert served[:3] == ["nlds-tokens/theme.css", "nlds/index.css", "css/rtc.css"]
    assert {"css/map.css", "css/community.css", "css/meetings.css", "css/insights.css"} <= set(
        served
    )
    origin = "/".join(page.url.split("/")[:3])
    assert all(href.startswith(origin + "/") for href, _rules in sheets), sheets  # none outside
    assert all(rules > 0 for _href, rules in sheets), sheets
    skip_link = page.locator("a.rtc-skip-link")
    assert skip_link.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(255, 191, 71)"
    box = skip_link.bounding_box()
    assert box["y"] + box["height"] <= 0, "the skip link shows before it has focus"

    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_have_attribute("href", "#main")
    expect(skip_link).to_be_in_viewport()
    box = skip_link.bounding_box()
    assert box["y"] >= 0 and box["height"] > 10
    assert _outline(skip_link), "the focused skip link has no visible outline"

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert page.url.endswith("/#main")

    # The next Tab goes into the content, with a visible focus indicator there too.
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    assert focused.evaluate("el => !!el.closest('main')"), "Tab left the main content"
    assert _outline(focused), "the focused link in the content has no visible outline"


def _outline(locator) -> bool:
    style = locator.evaluate(
        "el => { const s = getComputedStyle(el); return {style: s.outlineStyle,"
        " width: parseFloat(s.outlineWidth), color: s.outlineColor}; }"
    )
    transparent = re.fullmatch(r"rgba\(.*,\s*0\)|transparent", style["color"])
    return style["style"] not in ("none", "hidden") and style["width"] >= 2 and not transparent
