from django import forms
from django.utils.translation import gettext_lazy as _

from .constants import Frequency, Kind


class PreferencesForm(forms.Form):
    """One radio group per kind of message: immediately, daily, weekly or off."""

    def __init__(self, *args, initial_frequencies: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Frequency.choices,
                widget=forms.RadioSelect,
                initial=initial_frequencies.get(kind.value, Frequency.IMMEDIATE),
                error_messages={"required": _("Choose how often you want these messages.")},
            )
