"""A second factor for staff (allauth.mfa, required by accounts.middleware): staff
without an authenticator app are sent from the admin to enrolment, the login asks for
the code, wrong codes are refused and rate-limited, a recovery code works once, and
residents are never forced."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.challenges.factories import (
    DEFAULT_PASSWORD,
    STAFF_TOTP_SECRET,
    ChallengeFactory,
    ReviewerFactory,
    UserFactory,
    totp_code,
)

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"
AUTHENTICATE = "/accounts/2fa/authenticate/"
RECOVERY_CODES = "/accounts/2fa/recovery-codes/"
ADMIN_URLS = [
    "/admin/",
    "/admin/challenges/challenge/",
    "/admin/accounts/user/",
    "/admin/challenges/challenge/{pk}/change/",
]


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def wrong_code(secret: str) -> str:
    """A code the app does not show in the accepted window (now, one step either side)."""
    now = time.time()
    accepted = {totp_code(secret, at=now + step * 30) for step in (-2, -1, 0, 1, 2)}
    return next(c for c in (f"{n:06d}" for n in range(123456, 999999, 7919)) if c not in accepted)


def log_in(client, user, next_url: str = ""):
    data = {"login": user.email, "password": DEFAULT_PASSWORD}
    url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data)


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


# -- Staff without a second factor -------------------------------------------------


def test_staff_without_mfa_are_sent_from_every_admin_url_to_enrolment(client):
    staff = ReviewerFactory(second_factor=False)
    challenge = ChallengeFactory()
    client.force_login(staff)
    for url in ADMIN_URLS:
        response = client.get(url.format(pk=challenge.pk))
        assert response.status_code == 302, url
        assert response.url == ACTIVATE, url
    # The admin stays closed after any number of tries, and says why.
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[0] == (ACTIVATE, 302)
    assert "asks for a second factor" in response.content.decode()
    assert not Authenticator.objects.filter(user=staff).exists()


def test_staff_without_mfa_may_still_log_out_of_the_admin(client):
    staff = ReviewerFactory(second_factor=False)
    client.force_login(staff)
    response = client.post(reverse("admin:logout"))
    assert response.status_code == 200
    assert logged_in_user_id(client) is None


def test_first_staff_login_leads_through_enrolment_to_the_admin(client):
    staff = ReviewerFactory(second_factor=False)
    response = log_in(client, staff, next_url="/admin/challenges/challenge/")
    # Guided enrolment: the login lands on the enrolment page, with the reason.
    assert response.status_code == 302 and response.url == ACTIVATE
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    body = page.content.decode()
    assert "asks for a second factor" in body
    # The QR code is inline (a data: URL), nothing is loaded from elsewhere.
    assert re.search(r'<img class="rtc-mfa-qr" src="data:image/svg\+xml;base64,', body)
    secret = re.search(r'id="totp-secret" type="text" value="([A-Z2-7]+)"', body).group(1)

    # A wrong code is refused with an error summary, and nothing is turned on.
    refused = client.post(ACTIVATE, {"code": wrong_code(secret)})
    assert refused.status_code == 200
    assert 'id="error-summary"' in refused.content.decode()
    assert "Incorrect code" in refused.content.decode()
    assert client.get("/admin/challenges/challenge/").url == ACTIVATE

    response = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert response.status_code == 302 and response.url == RECOVERY_CODES
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    codes_page = client.get(RECOVERY_CODES).content.decode()
    codes = RecoveryCodes(
        Authenticator.objects.get(user=staff, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    assert len(codes) == 10 and all(f"<code>{code}</code>" in codes_page for code in codes)
    # On to where they were going.
    assert 'href="/admin/challenges/challenge/"' in codes_page
    assert client.get("/admin/challenges/challenge/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_enrolment_later_than_allauths_window_asks_for_the_password_again(client):
    staff = ReviewerFactory(second_factor=False)
    log_in(client, staff)
    session = client.session
    records = session["account_authentication_methods"]
    for record in records:
        record["at"] -= 301  # past ACCOUNT_REAUTHENTICATION_TIMEOUT (300 s)
    session["account_authentication_methods"] = records
    session.save()
    response = client.get(ACTIVATE)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/reauthenticate/")


def test_recovery_codes_download_as_a_text_file(client):
    staff = ReviewerFactory()
    codes = RecoveryCodes.activate(staff).get_unused_codes()
    log_in(client, staff)
    client.post(AUTHENTICATE, {"code": totp_code(STAFF_TOTP_SECRET)})
    # allauth asks for the password once more before it hands out the codes.
    download = "/accounts/2fa/recovery-codes/download/"
    assert client.get(download).url.startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": DEFAULT_PASSWORD})
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content.decode().split() == codes


# -- Login with a second factor ----------------------------------------------------


def test_login_of_staff_with_totp_asks_for_the_code(client):
    staff = ReviewerFactory()
    response = log_in(client, staff, next_url="/admin/")
    assert response.status_code == 302 and response.url == AUTHENTICATE
    # The password alone does not log in.
    assert logged_in_user_id(client) is None
    page = client.get(AUTHENTICATE)
    body = page.content.decode()
    assert '<label class="utrecht-form-label" for="id_code">' in body
    assert 'inputmode="numeric"' in body and 'autocomplete="one-time-code"' in body

    refused = client.post(AUTHENTICATE, {"code": wrong_code(STAFF_TOTP_SECRET)})
    assert refused.status_code == 200
    assert 'id="error-summary"' in refused.content.decode()
    assert "Incorrect code" in refused.content.decode()
    assert logged_in_user_id(client) is None

    response = client.post(AUTHENTICATE, {"code": totp_code(STAFF_TOTP_SECRET)})
    assert response.status_code == 302 and response.url == "/admin/"
    assert int(logged_in_user_id(client)) == staff.pk
    assert client.get("/admin/").status_code == 200


def test_a_code_cannot_be_used_twice(client):
    staff = ReviewerFactory()
    code = totp_code(STAFF_TOTP_SECRET)
    log_in(client, staff)
    client.post(AUTHENTICATE, {"code": code})
    assert int(logged_in_user_id(client)) == staff.pk
    client.post("/accounts/logout/")
    log_in(client, staff)
    replay = client.post(AUTHENTICATE, {"code": code})
    assert replay.status_code == 200 and "Incorrect code" in replay.content.decode()
    assert logged_in_user_id(client) is None


def test_repeated_wrong_codes_are_rate_limited(client):
    staff = ReviewerFactory()
    log_in(client, staff)
    wrong = wrong_code(STAFF_TOTP_SECRET)
    messages = []
    for _ in range(20):
        body = client.post(AUTHENTICATE, {"code": wrong}).content.decode()
        limited = "Too many failed login attempts" in body
        messages.append("limited" if limited else "incorrect" if "Incorrect code" in body else "?")
        if limited:
            break
    # Refused as wrong a few times first, then refused whatever the code.
    assert messages[0] == "incorrect" and messages[-1] == "limited", messages
    response = client.post(AUTHENTICATE, {"code": totp_code(STAFF_TOTP_SECRET)})
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_a_recovery_code_works_once(client):
    staff = ReviewerFactory()
    code = RecoveryCodes.activate(staff).get_unused_codes()[3]
    log_in(client, staff)
    response = client.post(AUTHENTICATE, {"code": code})
    assert response.status_code == 302
    assert int(logged_in_user_id(client)) == staff.pk
    client.post("/accounts/logout/")

    log_in(client, staff)
    again = client.post(AUTHENTICATE, {"code": code})
    assert again.status_code == 200 and "Incorrect code" in again.content.decode()
    assert logged_in_user_id(client) is None


def test_the_second_factor_is_audited_without_codes(client, caplog):
    staff = ReviewerFactory()
    wrong = wrong_code(STAFF_TOTP_SECRET)
    right = totp_code(STAFF_TOTP_SECRET)
    with caplog.at_level("INFO", logger="rtc.audit"):
        log_in(client, staff)
        client.post(AUTHENTICATE, {"code": wrong})
        client.post(AUTHENTICATE, {"code": right})
    lines = [r.getMessage() for r in caplog.records if r.name == "rtc.audit"]
    assert f"mfa code refused user={staff.pk}" in lines
    assert f"mfa used user={staff.pk} type=totp" in lines
    assert not any(wrong in line or right in line or STAFF_TOTP_SECRET in line for line in lines)


# -- Residents ---------------------------------------------------------------------


def test_residents_are_never_forced_but_may_enrol(client):
    resident = UserFactory()
    response = log_in(client, resident)
    assert response.status_code == 302 and response.url == reverse("challenges:mine")
    assert client.get(reverse("challenges:mine")).status_code == 200
    # No admin for them at all (the admin's own login), and no enrolment push.
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin.url != ACTIVATE

    # Not the guided enrolment of staff: allauth asks for the password again first.
    assert client.get(ACTIVATE).url.startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": DEFAULT_PASSWORD})
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=resident, type=Authenticator.Type.TOTP).exists()
    # Not staff: no way into the admin offered on the recovery codes page.
    assert "municipality&#x27;s admin" not in client.get(RECOVERY_CODES).content.decode()

    client.post("/accounts/logout/")
    assert log_in(client, resident).url == AUTHENTICATE


# -- Removing a lost second factor -------------------------------------------------


def test_mfa_reset_removes_the_second_factor_and_is_audited(client, caplog):
    staff = ReviewerFactory()
    RecoveryCodes.activate(staff)
    with caplog.at_level("INFO", logger="rtc.audit"):
        call_command("mfa_reset", staff.email.upper())
    assert not Authenticator.objects.filter(user=staff).exists()
    lines = [r.getMessage() for r in caplog.records if r.name == "rtc.audit"]
    assert f"mfa reset user={staff.pk} by=None via=command removed=recovery_codes,totp" in lines
    # Enrol again before the admin opens.
    client.force_login(staff)
    assert client.get("/admin/").url == ACTIVATE


def test_mfa_reset_of_an_unknown_address_changes_nothing():
    staff = ReviewerFactory()
    with pytest.raises(CommandError, match="No user"):
        call_command("mfa_reset", "niemand@example.org")
    assert Authenticator.objects.filter(user=staff).count() == 1


def test_the_admin_never_shows_a_secret_and_removes_the_codes_with_the_app(client):
    boss = UserFactory(is_staff=True, is_superuser=True)
    colleague = ReviewerFactory()
    RecoveryCodes.activate(colleague)
    app = Authenticator.objects.get(user=colleague, type=Authenticator.Type.TOTP)
    client.force_login(boss)
    listing = client.get("/admin/mfa/authenticator/")
    assert listing.status_code == 200
    change = client.get(f"/admin/mfa/authenticator/{app.pk}/change/")
    assert change.status_code == 200
    assert STAFF_TOTP_SECRET not in change.content.decode()
    assert client.get("/admin/mfa/authenticator/add/").status_code == 403

    response = client.post(f"/admin/mfa/authenticator/{app.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=colleague).exists()
    # The superuser's own authenticator is untouched.
    assert Authenticator.objects.filter(user=boss).count() == 1


# -- A password alone never acts for the municipality ----------------------------------


def test_a_password_session_from_before_enrolment_is_ended_once_the_app_exists(client):
    """Someone with the password logs in before the owner enrols and keeps the session;
    the owner then enrols on another device. The old session must not open the admin."""
    from allauth.mfa.totp.internal.auth import TOTP

    staff = ReviewerFactory(second_factor=False)
    log_in(client, staff)
    assert logged_in_user_id(client) == str(staff.pk)
    assert client.get("/admin/").url == ACTIVATE
    TOTP.activate(staff, STAFF_TOTP_SECRET)  # the owner, elsewhere

    response = client.get("/admin/challenges/challenge/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert logged_in_user_id(client) is None
    # Logging in again now asks for the code.
    log_in(client, staff)
    assert logged_in_user_id(client) is None
    client.post(AUTHENTICATE, {"code": totp_code(STAFF_TOTP_SECRET)})
    assert logged_in_user_id(client) == str(staff.pk)
    assert client.get("/admin/").status_code == 200


def test_enrolling_in_this_session_proves_the_factor(client):
    staff = ReviewerFactory(second_factor=False)
    log_in(client, staff)
    page = client.get(ACTIVATE).content.decode()
    secret = re.search(r"\b([A-Z2-7]{32})\b", page).group(1)
    response = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("stage", ["execution"])
def test_staff_without_a_factor_cannot_act_on_the_site_either(client, stage):
    from challenges.constants import Status
    from partnerships.models import Message
    from tests.challenges.factories import challenge_in

    staff = ReviewerFactory(second_factor=False)
    challenge = challenge_in(Status(stage), reviewer=staff)
    client.force_login(staff)
    workspace = f"/challenges/{challenge.pk}/workspace/"
    for url in (workspace, "/knots/", f"/challenges/{challenge.pk}/", "/challenges/mine/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == ACTIVATE, url
    before = Message.objects.count()
    response = client.post(f"{workspace}messages/new/", {"body": "Namens de gemeente"})
    assert response.status_code == 302 and response.url == ACTIVATE
    assert Message.objects.count() == before
    # Logging out and changing the language still work.
    assert client.post("/accounts/logout/").status_code == 302


def test_the_enrolment_page_keeps_its_secret_while_the_browser_fetches_its_stylesheets(client):
    """The page's stylesheets are fetched after it (the municipality's /theme.css too).
    Sent to the enrolment page instead, a browser follows that redirect, opens the page
    again and gives the session a new secret, so the code of the app just scanned would
    be refused. The stylesheet is answered as it is, and the first secret's code works."""
    staff = ReviewerFactory(second_factor=False)
    log_in(client, staff)
    body = client.get(ACTIVATE).content.decode()
    secret = re.search(r'id="totp-secret" type="text" value="([A-Z2-7]+)"', body).group(1)
    theme = re.search(r'<link rel="stylesheet" href="(/theme\.css[^"]*)"', body)
    assert theme, "the municipality's stylesheet is linked"
    response = client.get(theme.group(1).replace("&amp;", "&"), follow=True)
    assert response.redirect_chain == []
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
    activated = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert activated.status_code == 302 and activated.url == RECOVERY_CODES
