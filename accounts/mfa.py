"""A second factor for staff: who must enrol, where enrolment is, and the reset.

allauth.mfa does the factor itself: the authenticator app (TOTP) with its recovery
codes, the code asked at every login, the rate limit on wrong codes. What it does not
do is require one. The government baseline (BIO) asks for a second factor on admin
access, so a staff member without an authenticator app is sent to its enrolment: from
every page (`accounts.middleware.StaffSecondFactorMiddleware`) and right after logging
in (`accounts.adapter.AccountAdapter.post_login`); and a staff session that did not
prove the factor (a password login from before the app existed) is ended. Residents may enrol on
their own (/accounts/2fa/) but are never sent there.
"""

from __future__ import annotations

import logging
import time

from allauth.account.internal.flows.login import (
    get_authentication_records,
    record_authentication,
)
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

audit = logging.getLogger("rtc.audit")

# Recovery codes alone are no second factor: they come with an app and stand in for it.
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
# Where a staff member was going when they were sent to enrolment (an admin URL).
NEXT_SESSION_KEY = "rtc_mfa_next"
# A password login this recent counts as typed in the current request.
LOGIN_JUST_NOW_SECONDS = 60

ENROLMENT_MESSAGE = _(
    "The municipality's admin asks for a second factor. Set up an authenticator app "
    "on your phone to continue: scan the QR code and enter the code the app shows."
)


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTOR_TYPES).exists()


def needs_enrolment(user) -> bool:
    """A logged-in staff member without an authenticator app."""
    return bool(
        user is not None and user.is_authenticated and user.is_staff and not has_second_factor(user)
    )


def session_used_second_factor(request: HttpRequest, user) -> bool:
    """Whether this session proved the second factor: a code at login, or the code
    that activated the authenticator app in this very session. A session logged in
    by password alone before the app existed does not count once the app exists."""
    return any(
        record.get("method") == "mfa" for record in get_authentication_records(request, user)
    )


def record_enrolment(request: HttpRequest, user) -> None:
    """Activating the app took a code from it, so this session has proved the second
    factor: recorded as allauth records a code given at login."""
    if not session_used_second_factor(request, user):
        record_authentication(request, user, method="mfa", type="totp", enrolled=True)


def is_activation(request: HttpRequest) -> bool:
    return request.method == "POST" and request.path_info == reverse("mfa_activate_totp")


# What a staff member may open before their session proved a second factor: the
# enrolment itself (and the password prompt allauth puts before it), logging out, and
# the language switch, and the municipality's stylesheet (built from settings, nothing
# personal; sent to the enrolment page instead, the browser's fetch of it would open
# that page again and so replace the secret the page shows). Everything else, portal
# pages included, waits for the factor: a staff account acts for the municipality on
# the site too (workspaces, knots).
ALLOWED_BEFORE_SECOND_FACTOR = (
    "mfa_activate_totp",
    "mfa_index",
    "account_reauthenticate",
    "account_logout",
    "set_language",
    "theme-css",
)


def is_allowed_before_second_factor(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return True  # a 404 shows nothing
    return match.url_name in ALLOWED_BEFORE_SECOND_FACTOR or match.view_name == "admin:logout"


def enrolment_url() -> str:
    return reverse("mfa_activate_totp")


def admin_prefix() -> str:
    return reverse("admin:index")


def send_to_enrolment(request: HttpRequest, next_url: str | None = None) -> str:
    """Remember where the staff member was going (a page on this site), say why, and
    return the enrolment URL to redirect to."""
    if (
        next_url
        and next_url.startswith("/")
        and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()})
    ):
        request.session[NEXT_SESSION_KEY] = next_url
    messages.warning(request, ENROLMENT_MESSAGE)
    return enrolment_url()


def count_password_login_as_reauthentication(request: HttpRequest, user) -> None:
    """Let the guided enrolment right after a password login go without a second
    password prompt. allauth asks for the password again (ACCOUNT_REAUTHENTICATION_
    TIMEOUT, 5 minutes) before an authenticator is added or its recovery codes are
    shown, because a stolen session could otherwise lock the owner out with an app of
    its own; a password typed in this very request proves the same, so it is recorded
    as allauth records a reauthentication. Nothing is recorded when the login was not
    by password just now (say, by the link in a confirmation e-mail)."""
    records = get_authentication_records(request, user)
    if not records or records[-1].get("method") != "password":
        return
    if time.time() - records[-1].get("at", 0) > LOGIN_JUST_NOW_SECONDS:
        return
    record_authentication(request, user, method="password", reauthenticated=True)


def continue_url(request: HttpRequest) -> str:
    """Where a staff member continues after enrolment: the admin URL they were sent
    away from, or the admin's index."""
    stored = request.session.get(NEXT_SESSION_KEY) if hasattr(request, "session") else None
    if isinstance(stored, str) and stored.startswith("/") and not stored.startswith("//"):
        return stored
    return admin_prefix()


@transaction.atomic
def mfa_reset(*, user, actor=None, via: str) -> int:
    """Remove every authenticator of `user` (app, recovery codes, keys), for a
    colleague who lost their phone. A staff member must enrol again before the admin
    opens. Written to the audit log with ids only. Returns how many were removed."""
    authenticators = Authenticator.objects.select_for_update().filter(user_id=user.pk)
    types = sorted(authenticators.values_list("type", flat=True))
    removed, _details = authenticators.delete()
    audit.warning(
        "mfa reset user=%s by=%s via=%s removed=%s",
        user.pk,
        getattr(actor, "pk", None),
        via,
        ",".join(types) or "-",
    )
    return removed
