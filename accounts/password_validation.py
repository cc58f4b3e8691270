"""Password validators whose messages are in the reader's language.

Django 5.2 words the "too short" message with a new msgid ("... at least %d
characters.", from `MinimumLengthValidator.get_error_message`) that Django's own Dutch
catalogue does not translate yet, so the Dutch sign-up, password change and reset pages
showed it in English. This validator says the same with the msgid Django's catalogues
do translate ("... at least %(min_length)d characters."), so it needs no entry of ours.
"""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
