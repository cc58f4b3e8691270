"""Middleware of the accounts app: a staff session without its second factor gets
nothing but the enrolment."""

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import mfa


class StaffSecondFactorMiddleware:
    """For a logged-in staff member (accounts/mfa.py):

    - without an authenticator app: every page but the enrolment sends them to the
      enrolment, with a message saying why; after enrolment they continue where they
      were going;
    - with an app, in a session that never proved it (logged in by password before the
      app existed, e.g. on another device): the session is ended and they log in again,
      now with the code. So a password alone never reaches the admin or acts for the
      municipality on the site.

    Placed after allauth's AccountMiddleware (and Django's authentication and message
    middleware), so that `request.user` and messages are there. One query per request
    of a staff member; none for anybody else.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff
            and not mfa.is_allowed_before_second_factor(request)
        ):
            if not mfa.has_second_factor(user):
                next_url = request.get_full_path() if request.method == "GET" else None
                return redirect(mfa.send_to_enrolment(request, next_url))
            if not mfa.session_used_second_factor(request, user):
                next_url = request.get_full_path() if request.method == "GET" else ""
                logout(request)
                messages.warning(
                    request,
                    _("Log in again with the code from your authenticator app to continue."),
                )
                login = reverse("account_login")
                return redirect(f"{login}?next={next_url}" if next_url.startswith("/") else login)
        response = self.get_response(request)
        if (
            mfa.is_activation(request)
            and response.status_code == 302
            and user is not None
            and user.is_authenticated
            and mfa.has_second_factor(user)
        ):
            mfa.record_enrolment(request, user)
        return response
