"""allauth adapter: remember the language a person signed up in, for their e-mails;
send a staff member without a second factor to its enrolment right after login.

allauth's own e-mails (address confirmation, password reset) are sent directly,
while the person waits, not through the notifications outbox: they carry a fresh
one-time key, they are asked for on the page, and the page offers to send again.
A mail server that is down must not turn that page into a 500, so `send_mail`
catches the failure, logs it (the kind of mail only: no address, no key) and tells
the person to try again in a few minutes; the account or the reset request stands.
"""

import logging
import smtplib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.internal.httpkit import is_headless_request
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.hashers import make_password
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.client_ip import client_ip

from . import mfa

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        try:
            super().send_mail(template_prefix, email, context)
        except (OSError, smtplib.SMTPException) as error:
            logger.warning(
                "Could not send the %s e-mail: %s",
                template_prefix.rsplit("/", 1)[-1],
                type(error).__name__,
            )
            request = getattr(allauth_context, "request", None)
            if request is not None:
                messages.warning(
                    request,
                    _(
                        "We could not send you the e-mail just now. Please try again in a "
                        "few minutes."
                    ),
                )

    def get_client_ip(self, request) -> str:
        # The rate limits count the person, not our reverse proxy (core/client_ip.py).
        return client_ip(request) or super().get_client_ip(request)

    def send_account_already_exists_mail(self, email: str) -> None:
        # Signing up with an address that has an account must look and take the same
        # as a new sign-up: the new account's password is hashed, so hash this one too
        # (the few hundred milliseconds would otherwise tell the address exists).
        request = getattr(allauth_context, "request", None)
        password = request.POST.get("password1", "") if request is not None else ""
        make_password(password or None)
        super().send_account_already_exists_mail(email)

    def save_user(self, request, user, form, commit=True):
        language = translation.get_language() or settings.LANGUAGE_CODE
        user.language = language.split("-")[0] if language else settings.LANGUAGE_CODE
        return super().save_user(request, user, form, commit=commit)

    def get_login_redirect_url(self, request):
        # A staff group may have its own landing page (settings.STAFF_LANDING_PAGES, by
        # URL name: the apps that own those pages sit above accounts). Only where the
        # login was headed nowhere else; allauth asks this only then.
        user = getattr(request, "user", None)
        landing = getattr(settings, "STAFF_LANDING_PAGES", {})
        if landing and user is not None and user.is_authenticated and user.is_staff:
            names = set(user.groups.values_list("name", flat=True))
            for group, url_name in landing.items():
                if group in names or user.is_superuser:
                    return resolve_url(url_name)
        return super().get_login_redirect_url(request)

    def post_login(self, request, user, *, redirect_url, **kwargs):
        # Guided enrolment: a staff member without an authenticator app lands on its
        # enrolment page, wherever the login was headed (an admin URL is kept for after).
        if mfa.needs_enrolment(user) and not is_headless_request(request):
            wanted = redirect_url or request.POST.get("next") or request.GET.get("next")
            redirect_url = mfa.send_to_enrolment(request, wanted)
            mfa.count_password_login_as_reauthentication(request, user)
        return super().post_login(request, user, redirect_url=redirect_url, **kwargs)
