"""Coordinators land on their dashboard after logging in (password and code); others
land where they did before, and a login headed somewhere keeps going there."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.challenges.factories import (
    DEFAULT_PASSWORD,
    STAFF_TOTP_SECRET,
    CoordinatorFactory,
    ReviewerFactory,
    UserFactory,
    totp_code,
)

pytestmark = pytest.mark.django_db

AUTHENTICATE = "/accounts/2fa/authenticate/"


def _log_in(client, user, *, next_url: str = "", code: bool = True):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    response = client.post(url, {"login": user.email, "password": DEFAULT_PASSWORD})
    if code:
        assert response.status_code == 302 and response.url == AUTHENTICATE
        response = client.post(AUTHENTICATE, {"code": totp_code(STAFF_TOTP_SECRET)})
    assert response.status_code == 302
    return response.url


def test_coordinator_lands_on_the_dashboard(client):
    assert _log_in(client, CoordinatorFactory()) == reverse("insights:dashboard")
    assert client.get(reverse("insights:dashboard")).status_code == 200


def test_a_login_headed_elsewhere_keeps_its_way(client):
    assert _log_in(client, CoordinatorFactory(), next_url="/admin/") == "/admin/"


def test_reviewer_lands_where_before(client):
    assert _log_in(client, ReviewerFactory()) == reverse("challenges:mine")


def test_resident_lands_on_my_challenges(client):
    assert _log_in(client, UserFactory(), code=False) == reverse("challenges:mine")
