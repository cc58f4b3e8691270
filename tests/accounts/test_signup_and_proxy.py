"""Sign-up tells no one whether an address has an account; rate limits behind our
reverse proxy count each client, not the proxy."""

import re
from unittest import mock

import pytest
from django.contrib.auth import hashers
from django.core import mail
from django.test import Client, RequestFactory, override_settings

from core.client_ip import client_ip
from tests.challenges.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Zeer-sterk-wachtwoord-42"


def _sign_up(email):
    client = Client()
    calls = []
    real = hashers.make_password

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    # Every place that hashes a password goes through make_password.
    with (
        mock.patch("django.contrib.auth.hashers.make_password", side_effect=counting),
        mock.patch("django.contrib.auth.base_user.make_password", side_effect=counting),
        mock.patch("accounts.adapter.make_password", side_effect=counting),
    ):
        response = client.post(
            "/accounts/signup/",
            {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
            follow=True,
        )
    return response, len(calls)


def _page_without(response, email):
    html = response.content.decode().replace(email, "ADDRESS")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_sign_up_with_an_existing_address_looks_and_costs_the_same():
    existing = UserFactory(email="bestaat@example.org")
    old, old_hashes = _sign_up(existing.email)
    new, new_hashes = _sign_up("nieuw@example.org")

    assert old.redirect_chain == new.redirect_chain
    assert old.status_code == new.status_code == 200
    assert _page_without(old, existing.email) == _page_without(new, "nieuw@example.org")
    # The expensive step (hashing the password) is done on both paths, once.
    assert old_hashes == new_hashes == 1
    # The owner of the existing address is told by mail, the new one asked to confirm.
    assert sorted(m.to[0] for m in mail.outbox) == ["bestaat@example.org", "nieuw@example.org"]


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_client_ip_without_a_proxy_is_the_peer():
    assert client_ip(_request("10.0.0.2", "1.2.3.4")) == "10.0.0.2"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_client_ip_behind_one_proxy_is_the_address_it_saw():
    # The client wrote "6.6.6.6" itself; our proxy appended what it saw: 1.2.3.4.
    assert client_ip(_request("10.0.0.2", "6.6.6.6, 1.2.3.4")) == "1.2.3.4"
    assert client_ip(_request("10.0.0.2", "1.2.3.4")) == "1.2.3.4"
    assert client_ip(_request("10.0.0.2")) == "10.0.0.2"
    assert client_ip(_request("10.0.0.2", "not-an-address")) == "10.0.0.2"
    assert client_ip(_request("10.0.0.2", "[2001:db8::1]:443")) == "2001:db8::1"


@override_settings(TRUSTED_CLIENT_IP_HEADER="X-Real-IP")
def test_client_ip_from_the_header_our_proxy_sets():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP="1.2.3.4")
    assert client_ip(request) == "1.2.3.4"


def _fail_logins(client, forwarded, times):
    for number in range(times):
        client.post(
            "/accounts/login/",
            {"login": f"iemand{number}@example.org", "password": "fout-wachtwoord"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=forwarded,
        )


def _log_in(user, forwarded):
    client = Client()
    client.post(
        "/accounts/login/",
        {"login": user.email, "password": DEFAULT_PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    return "_auth_user_id" in client.session


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_two_clients_behind_one_proxy_are_limited_separately():
    resident = UserFactory()
    # One client fails often enough to hit the per-address limit of failed logins.
    _fail_logins(Client(), "198.51.100.7", 12)
    assert not _log_in(resident, "198.51.100.7")
    # Another person behind the same proxy is not locked out by it.
    assert _log_in(resident, "203.0.113.9")


def test_without_the_setting_the_proxy_is_one_client():
    """What the setting is for: without it, everyone behind the proxy shares one limit."""
    resident = UserFactory()
    _fail_logins(Client(), "198.51.100.7", 12)
    assert not _log_in(resident, "203.0.113.9")
