"""allauth adapter: remember the language a person signed up in, for their e-mails."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        language = translation.get_language() or settings.LANGUAGE_CODE
        user.language = language.split("-")[0] if language else settings.LANGUAGE_CODE
        return super().save_user(request, user, form, commit=commit)
