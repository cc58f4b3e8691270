"""My data in a real browser: a resident logs in, opens My data from the header,
downloads their data and reads it, then deletes their account and is told so on the
home page. The My data page and the delete page have no axe-core violation (WCAG 2.0
and 2.1, A and AA), are valid HTML, reflow at 320 px and load without a
Content-Security-Policy refusal, in Dutch and in English."""

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from accounts.models import User
from challenges import services
from challenges.constants import Status

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LANGUAGES = ["nl", "en"]


@pytest.fixture
def resident(make_user, make_draft):
    """A resident with a submitted challenge (so there is something to download)."""
    resident = make_user("anna.de.vries@example.org")
    resident.display_name = "Anna de Vries"
    resident.save(update_fields=["display_name"])
    challenge = make_draft(resident, complete=True)
    services.challenge_transition(challenge=challenge, to_status=Status.SUBMITTED, actor=resident)
    return resident


def log_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", user.raw_password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def reflows_at_320(page) -> bool:
    page.set_viewport_size({"width": 320, "height": 800})
    return page.evaluate("document.documentElement.scrollWidth") <= 320


def test_resident_downloads_their_data_and_deletes_their_account(
    open_context, resident, tmp_path, axe_report
):
    page = open_context("en").new_page()
    log_in(page, resident)
    page.locator("header").get_by_role("link", name="My data").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("My data")
    expect(page.locator("main")).to_contain_text("anna.de.vries@example.org")
    assert axe_report(page) == ""

    with page.expect_download() as info:
        page.get_by_role("link", name="Download my data").click()
    download = info.value
    assert download.suggested_filename.startswith("my-data-")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    data = json.loads(Path(target).read_text(encoding="utf-8"))
    assert data["account"]["email"] == "anna.de.vries@example.org"
    assert data["account"]["display_name"] == "Anna de Vries"
    assert [row["title"] for row in data["challenges_initiated"]] == [
        "Residents run park De Horsten"
    ]
    assert {row["code"] for row in data["timeline_events"]} == {"submitted"}
    assert "password" not in data["account"]

    page.get_by_role("link", name="Delete my account").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account")
    assert axe_report(page) == ""

    # A wrong password: a clear error at the top, nothing deleted.
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete my account for good").click()
    page.wait_for_load_state()
    expect(page.locator("#error-summary")).to_contain_text("The password is not correct.")
    assert axe_report(page) == ""
    assert User.objects.get(pk=resident.pk).is_active

    page.get_by_label("Your password").fill(resident.raw_password)
    page.get_by_role("button", name="Delete my account for good").click()
    page.wait_for_load_state()
    assert urlparse(page.url).path == "/"  # the home page
    expect(page.get_by_role("status")).to_contain_text("Your account has been deleted.")
    expect(page.locator("header").get_by_role("link", name="Log in")).to_be_visible()

    deleted = User.objects.get(pk=resident.pk)
    assert not deleted.is_active and deleted.email.endswith("@deleted.invalid")
    # The old address and password no longer let anyone in.
    log_in(page, resident)
    expect(page.locator("header").get_by_role("link", name="Log in")).to_be_visible()


@pytest.mark.parametrize("language", LANGUAGES)
def test_my_data_pages_are_accessible_and_reflow(
    open_context, resident, axe_report, vnu, tmp_path, language
):
    page = open_context(language, user=resident).new_page()
    # The strict Content-Security-Policy refuses nothing on these pages.
    refusals = []

    def record(message) -> None:
        if "Content Security Policy" in message.text:
            refusals.append(message.text)

    page.on("console", record)
    files, failures = [], []
    for name, url in (("my-data", "/my-data/"), ("delete", "/my-data/delete/")):
        response = page.goto(url)
        assert response.status == 200, (url, response.status)
        assert page.locator("html").get_attribute("lang") == language
        path = tmp_path / f"{name}-{language}.html"
        path.write_text(page.content(), encoding="utf-8")  # as served, before axe runs
        files.append(path)
        report = axe_report(page)
        if report:
            failures.append(f"{name}:\n{report}")
        assert reflows_at_320(page), f"{name} scrolls sideways at 320 px"
        page.set_viewport_size({"width": 1280, "height": 800})
    assert not failures, "axe-core violations:\n" + "\n".join(failures)
    assert not refusals, refusals
    errors = vnu(files)
    assert not errors, "Nu Html Checker errors:\n" + "\n".join(errors)
