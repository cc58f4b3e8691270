"""A second factor for staff in a real browser: a civil servant's first login leads
to enrolment (the secret read from the page, the code computed from it), the recovery
codes and on to the admin; the next login asks for the code. axe-core and the Nu Html
Checker check the enrolment, recovery codes and code pages, under the site's
Content-Security-Policy; they reflow at 320 px."""

import re

import pytest
from playwright.sync_api import expect

from tests.challenges.factories import totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def check_page(page, name: str, axe_report, pages: list) -> None:
    """No axe-core violation, reflow at 320 px; keep the HTML for one vnu run."""
    violations = axe_report(page)
    assert violations == "", f"{name} ({page.url}):\n{violations}"
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{name} scrolls sideways at 320 px: {width}"
    page.set_viewport_size({"width": 1280, "height": 800})
    pages.append((name, page.content()))


def log_in(page, user) -> None:
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", user.raw_password)
    page.locator("main form button[type=submit]").click()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_first_staff_login_enrols_and_reaches_the_admin(
    language, open_context, make_user, live_server, axe_report, vnu, tmp_path
):
    from allauth.mfa.models import Authenticator

    staff = make_user("nieuwe.collega@gemeente.example", reviewer=True, second_factor=False)
    page = open_context(language).new_page()
    pages: list = []
    # Nothing on these pages may need what the Content-Security-Policy refuses.
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    page.goto("/admin/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/"), page.url
    log_in(page, staff)

    # Guided enrolment: straight to the authenticator app page, with the reason.
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(".rtc-messages")).to_be_visible()
    qr = page.locator("img.rtc-mfa-qr")
    expect(qr).to_have_attribute("src", re.compile(r"^data:image/svg\+xml;base64,"))
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "QR code did not render"
    check_page(page, "enrolment", axe_report, pages)

    # A wrong code: the error summary, and nothing turned on.
    secret = page.input_value("#totp-secret")
    right = totp_code(secret)
    page.fill("input[name=code]", "000000" if right != "000000" else "111111")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#error-summary a[href='#id_code']")).to_be_visible()
    check_page(page, "enrolment-error", axe_report, pages)
    assert not Authenticator.objects.filter(user=staff).exists()

    secret = page.input_value("#totp-secret")
    page.fill("input[name=code]", totp_code(secret))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    expect(page.locator(".rtc-mfa-codes li")).to_have_count(10)
    check_page(page, "recovery-codes", axe_report, pages)
    with page.expect_download() as download:
        page.locator("a[href='/accounts/2fa/recovery-codes/download/']").click()
    assert download.value.suggested_filename == "recovery-codes.txt"

    # On to the admin.
    page.locator("main a.rtc-button[href='/admin/']").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    expect(page.locator("#site-name")).to_be_visible()

    # The next login asks for the code.
    page.locator("#logout-form button[type=submit]").click()
    page.goto("/admin/")
    log_in(page, staff)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    check_page(page, "authenticate", axe_report, pages)
    page.fill("input[name=code]", totp_code(secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/admin/")
    expect(page.locator("#site-name")).to_be_visible()

    files = []
    for name, html in pages:
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(path)
    assert vnu(files) == []
    assert refused == []
