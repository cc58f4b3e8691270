"""allauth.mfa's forms with our labels and a numeric keyboard on phones
(settings.MFA_FORMS); the checks are allauth's own."""

from allauth.mfa.base.forms import AuthenticateForm as BaseAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as BaseReauthenticateForm
from allauth.mfa.totp.forms import ActivateTOTPForm as BaseActivateTOTPForm
from django.utils.translation import gettext_lazy as _


def _code_field(field, *, label, help_text) -> None:
    field.label = label
    field.help_text = help_text
    field.widget.attrs.pop("placeholder", None)
    field.widget.attrs.update(
        {"inputmode": "numeric", "autocomplete": "one-time-code", "spellcheck": "false"}
    )


class AuthenticateForm(BaseAuthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(
            self.fields["code"],
            label=_("Code"),
            help_text=_(
                "The 6-digit code your authenticator app shows now, or one of your recovery codes."
            ),
        )


class ReauthenticateForm(BaseReauthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(
            self.fields["code"],
            label=_("Code"),
            help_text=_(
                "The 6-digit code your authenticator app shows now, or one of your recovery codes."
            ),
        )


class ActivateTOTPForm(BaseActivateTOTPForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(
            self.fields["code"],
            label=_("Code from the app"),
            help_text=_("The 6-digit code the app shows for this portal after scanning."),
        )
