from django import forms
from django.utils.translation import gettext_lazy as _

from challenges import registry

from .constants import Frequency


class PreferencesForm(forms.Form):
    """One radio group per kind of message: immediately, daily, weekly or off."""

    def __init__(self, *args, initial_frequencies: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in registry.kinds():
            self.fields[kind.code] = forms.ChoiceField(
                label=kind.label,
                choices=Frequency.choices,
                widget=forms.RadioSelect,
                initial=initial_frequencies.get(kind.code, Frequency.IMMEDIATE),
                error_messages={"required": _("Choose how often you want these messages.")},
            )
