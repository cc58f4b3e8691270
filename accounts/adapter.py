"""allauth adapter: remember the language a person signed up in, for their e-mails;
send a staff member without a second factor to its enrolment right after login."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal.httpkit import is_headless_request
from django.conf import settings
from django.utils import translation

from . import mfa


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        language = translation.get_language() or settings.LANGUAGE_CODE
        user.language = language.split("-")[0] if language else settings.LANGUAGE_CODE
        return super().save_user(request, user, form, commit=commit)

    def post_login(self, request, user, *, redirect_url, **kwargs):
        # Guided enrolment: a staff member without an authenticator app lands on its
        # enrolment page, wherever the login was headed (an admin URL is kept for after).
        if mfa.needs_enrolment(user) and not is_headless_request(request):
            wanted = redirect_url or request.POST.get("next") or request.GET.get("next")
            redirect_url = mfa.send_to_enrolment(request, wanted)
            mfa.count_password_login_as_reauthentication(request, user)
        return super().post_login(request, user, redirect_url=redirect_url, **kwargs)
