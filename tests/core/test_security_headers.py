"""Every response carries the Content-Security-Policy and the Permissions-Policy: pages,
error pages, allauth's pages and the admin; and the policy allows nothing inline."""

import pytest
from django.conf import settings

from core.middleware import DISABLED_FEATURES
from tests.challenges.factories import ReviewerFactory

pytestmark = pytest.mark.django_db

EXPECTED_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def staff_with_second_factor():
    """A reviewer who may open the admin: with an authenticator app where staff need one."""
    user = ReviewerFactory()
    if "allauth.mfa" in settings.INSTALLED_APPS:
        from allauth.mfa.models import Authenticator
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, generate_totp_secret())
    return user


def _directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def _assert_hardened(response) -> None:
    csp = response.headers.get("Content-Security-Policy")
    assert csp, f"no Content-Security-Policy on {response.wsgi_request.path}"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert _directives(csp) == EXPECTED_DIRECTIVES
    policy = response.headers.get("Permissions-Policy")
    assert policy, f"no Permissions-Policy on {response.wsgi_request.path}"
    features = dict(item.strip().split("=", 1) for item in policy.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature


def test_a_public_page_has_both_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    _assert_hardened(response)


def test_the_login_page_has_both_headers(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    _assert_hardened(response)


def test_a_404_has_both_headers(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    _assert_hardened(response)


def test_an_admin_page_has_both_headers(client):
    client.force_login(staff_with_second_factor())
    response = client.get("/admin/")
    assert response.status_code == 200
    _assert_hardened(response)


def test_permissions_policy_lists_each_feature_once():
    assert len(DISABLED_FEATURES) == len(set(DISABLED_FEATURES))
