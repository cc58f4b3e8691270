"""Forms of the community pages. They validate input; services make the changes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from challenges.models import Neighbourhood
from core.forms import PlainTextMixin

from .constants import OFFER_MAX_LENGTH, POST_MAX_LENGTH, REASON_MAX_LENGTH


class SupportForm(PlainTextMixin, forms.Form):
    neighbourhood = forms.ModelChoiceField(
        label=_("The neighbourhood you live in (optional)"),
        queryset=Neighbourhood.objects.all(),
        required=False,
        empty_label=_("I would rather not say"),
        error_messages={"invalid_choice": _("Choose one of the neighbourhoods offered.")},
    )
    offer = forms.CharField(
        label=_("What you can offer (optional)"),
        help_text=_(
            "For example “I can help with maintenance on Saturdays”. Shown on the "
            "challenge page; at most %(max)s characters."
        )
        % {"max": OFFER_MAX_LENGTH},
        max_length=OFFER_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    show_name = forms.BooleanField(
        label=_("Show my name with my offer"),
        help_text=_("Without this, your offer is shown without your name."),
        required=False,
    )


class PostForm(PlainTextMixin, forms.Form):
    text = forms.CharField(
        max_length=POST_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, label=None, required_message=None, help_text="", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["text"]
        field.label = label
        field.help_text = help_text
        if required_message:
            field.error_messages["required"] = required_message


class ReasonForm(PlainTextMixin, forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, label=None, help_text="", required_message=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.label = label
        field.help_text = help_text
        if required_message:
            field.error_messages["required"] = required_message
