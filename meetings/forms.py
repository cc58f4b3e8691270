"""Forms of the meeting pages. They read and describe input; the services make the
changes and have the last word on what is allowed (a slot in the past, an end before
its start, 0 or 6 slots: refused there, with the message shown on the form)."""

from datetime import datetime

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedDateField, PlainTextMixin
from partnerships.forms import DocumentForm

from .constants import MAX_SLOTS, MeetingKind

ONLINE = "online"
IN_PERSON = "in_person"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


def slot_field_names(number: int) -> tuple[str, str, str]:
    return f"slot_{number}_date", f"slot_{number}_start", f"slot_{number}_end"


class ProposeForm(PlainTextMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of meeting"),
        choices=MeetingKind.choices,
        error_messages={
            "required": _("Choose what kind of meeting this is."),
            "invalid_choice": _("Choose what kind of meeting this is."),
        },
    )
    mode = forms.ChoiceField(
        label=_("Where do you meet?"),
        choices=[(IN_PERSON, _("At a place")), (ONLINE, _("Online"))],
        widget=forms.RadioSelect,
        initial=IN_PERSON,
        error_messages={
            "required": _("Choose whether you meet at a place or online."),
            "invalid_choice": _("Choose whether you meet at a place or online."),
        },
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("The address or the room, when you meet at a place."),
    )
    online_url = forms.URLField(
        label=_("Link to the online meeting"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("The full link, starting with https://, when you meet online."),
        error_messages={"invalid": _("Enter the full link, starting with https://.")},
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you want to talk about. The other side sees it with the invitation."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number in range(1, MAX_SLOTS + 1):
            date_name, start_name, end_name = slot_field_names(number)
            self.fields[date_name] = BoundedDateField(
                label=_("Date of time slot %(n)s") % {"n": number},
                required=False,
                widget=DateInput(),
                error_messages={"invalid": _("Enter a date like 2026-01-31.")},
            )
            self.fields[start_name] = forms.TimeField(
                label=_("Start of time slot %(n)s") % {"n": number},
                required=False,
                widget=TimeInput(),
                error_messages={"invalid": _("Enter a time like 19:30.")},
            )
            self.fields[end_name] = forms.TimeField(
                label=_("End of time slot %(n)s") % {"n": number},
                required=False,
                widget=TimeInput(),
                error_messages={"invalid": _("Enter a time like 21:00.")},
            )

    def slot_rows(self) -> list[dict]:
        """The slot fields by row, for the template (one fieldset per slot)."""
        rows = []
        for number in range(1, MAX_SLOTS + 1):
            date_name, start_name, end_name = slot_field_names(number)
            rows.append(
                {
                    "number": number,
                    "date": self[date_name],
                    "start": self[start_name],
                    "end": self[end_name],
                }
            )
        return rows

    def clean(self):
        cleaned = super().clean()
        zone = timezone.get_current_timezone()
        slots = []
        for number in range(1, MAX_SLOTS + 1):
            names = slot_field_names(number)
            if any(name in self.errors for name in names):
                continue
            day, start, end = (cleaned.get(name) for name in names)
            if day is None and start is None and end is None:
                continue
            if day is None or start is None or end is None:
                missing = names[[day, start, end].index(None)]
                self.add_error(missing, _("Fill in the date, the start and the end of this slot."))
                continue
            slots.append(
                (
                    timezone.make_aware(datetime.combine(day, start), zone),
                    timezone.make_aware(datetime.combine(day, end), zone),
                )
            )
        cleaned["slots"] = slots
        mode = cleaned.get("mode")
        if mode == ONLINE:
            cleaned["place"] = ""
            if not cleaned.get("online_url") and "online_url" not in self.errors:
                self.add_error("online_url", _("Enter the link of the online meeting."))
        elif mode == IN_PERSON:
            cleaned["online_url"] = ""
            if not cleaned.get("place"):
                self.add_error("place", _("Enter the place where you meet."))
        return cleaned


def slot_label(slot) -> str:
    starts = timezone.localtime(slot.starts_at)
    ends = timezone.localtime(slot.ends_at)
    day = formats.date_format(starts, "l j F Y")
    return f"{day}, {formats.time_format(starts, 'H:i')}–{formats.time_format(ends, 'H:i')}"


class PickForm(forms.Form):
    slot = forms.TypedChoiceField(
        label=_("The time that suits your side"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose one of the proposed time slots."),
            "invalid_choice": _("Choose one of the proposed time slots."),
        },
    )

    def __init__(self, *args, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [(slot.pk, slot_label(slot)) for slot in slots]


class CancelForm(PlainTextMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why is the meeting cancelled?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Both sides see the reason on the timeline."),
        error_messages={"required": _("Say why the meeting is cancelled.")},
    )


class MinutesForm(DocumentForm):
    """A workspace document form (the same content checks), labelled for minutes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = _("Minutes")
        self.fields["file"].error_messages["required"] = _("Choose the file of the minutes.")
        self.fields["description"].help_text = _("For example: agreed actions and who does them.")
