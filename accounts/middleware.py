"""Middleware of the accounts app: no admin for staff without a second factor."""

from django.shortcuts import redirect
from django.urls import reverse

from . import mfa


class StaffSecondFactorMiddleware:
    """Send a staff member without an authenticator app from every admin URL to the
    enrolment page, with a message saying why (accounts/mfa.py). After enrolment the
    admin opens; at their next login allauth asks for the code.

    Placed after allauth's AccountMiddleware (and Django's authentication and message
    middleware), so that `request.user` and messages are there. One query per admin
    request of a staff member; none for anybody else or any other URL.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if mfa.is_admin_path(request.path_info) and request.path_info != reverse("admin:logout"):
            if mfa.needs_enrolment(getattr(request, "user", None)):
                next_url = request.get_full_path() if request.method == "GET" else None
                return redirect(mfa.send_to_enrolment(request, next_url))
        return self.get_response(request)
