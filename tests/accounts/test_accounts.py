"""Accounts through django-allauth: verified sign-up, login by e-mail, no account
enumeration, rate limits."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from accounts.models import User
from tests.challenges.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_sign_up_needs_a_verified_email_before_login(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "nieuw@example.org",
            "password1": "lang-en-veilig-42",
            "password2": "lang-en-veilig-42",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    user = User.objects.get(email="nieuw@example.org")
    assert user.language == "en"
    # Not logged in until the address is verified.
    assert client.get("/challenges/mine/").status_code == 302
    client.logout()
    login = client.post(
        "/accounts/login/", {"login": "nieuw@example.org", "password": "lang-en-veilig-42"}
    )
    assert login.url == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session

    link = re.search(r"https?://[^/]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    client.post(link.group(1))
    assert user.emailaddress_set.get().verified
    response = client.post(
        "/accounts/login/", {"login": "nieuw@example.org", "password": "lang-en-veilig-42"}
    )
    assert response.status_code == 302
    assert client.get("/challenges/mine/").status_code == 200


def test_sign_up_errors_are_shown_and_create_nothing(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "geen-adres",
            "password1": "kort",
            "password2": "anders",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="error-summary"' in body
    assert 'aria-invalid="true"' in body
    assert not User.objects.exists()


def test_login_by_email_and_logout(client):
    user = UserFactory()
    response = client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_password_reset_does_not_reveal_whether_an_account_exists(client):
    user = UserFactory()
    known = client.post("/accounts/password/reset/", {"email": user.email})
    unknown = client.post("/accounts/password/reset/", {"email": "niemand@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    # The unknown address gets no reset link, the known one does.
    reset_mails = [m for m in mail.outbox if user.email in m.to]
    assert reset_mails and "/accounts/password/reset/key/" in reset_mails[0].body


def test_sign_up_with_an_existing_address_does_not_reveal_it(client):
    user = UserFactory()
    response = client.post(
        "/accounts/signup/",
        {
            "email": user.email,
            "password1": "lang-en-veilig-42",
            "password2": "lang-en-veilig-42",
        },
    )
    # Same answer as a fresh sign-up; the owner gets a mail instead.
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    assert User.objects.filter(email=user.email).count() == 1


def test_repeated_failed_logins_are_rate_limited(client):
    user = UserFactory()
    for _ in range(5):
        client.post("/accounts/login/", {"login": user.email, "password": "fout-wachtwoord"})
    response = client.post(
        "/accounts/login/",
        {"login": user.email, "password": DEFAULT_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in response.content.decode()


def test_logins_are_audited_without_personal_data(client, caplog):
    user = UserFactory()
    with caplog.at_level("INFO", logger="rtc.audit"):
        client.post("/accounts/login/", {"login": user.email, "password": "fout-wachtwoord"})
        client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    messages = [r.getMessage() for r in caplog.records if r.name == "rtc.audit"]
    assert "login failed" in messages
    assert f"login user={user.pk} staff=False" in messages
    assert not any(user.email in m or "fout-wachtwoord" in m for m in messages)
