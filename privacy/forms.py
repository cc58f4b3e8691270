from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.forms import PlainTextMixin


class ProfileForm(PlainTextMixin, forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        required=False,
        max_length=get_user_model()._meta.get_field("display_name").max_length,
        help_text=_(
            "Shown to the other parties of your challenges instead of your e-mail address. "
            "Never shown publicly."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language of your e-mails"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the language of your e-mails.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].widget.attrs["autocomplete"] = "nickname"


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To be sure it is you, type the password you log in with."),
        error_messages={"required": _("Type your password to confirm.")},
    )
