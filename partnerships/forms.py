"""Forms of the workspace. They read and describe input; services make the changes
and have the last word on what is allowed."""

from datetime import date
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from challenges.constants import LegalForm
from core.errors import ServiceError
from core.forms import BoundedDateField, CheckedUploadMixin, PlainTextMixin

from . import uploads
from .constants import REFLECTION_QUESTIONS, MemberRole, MilestoneStatus, ReportingRhythm, Side
from .models import AgreementVersion
from .services.organisations import validate_kvk

TEXTAREA = forms.Textarea(attrs={"rows": 5})
SHORT_TEXTAREA = forms.Textarea(attrs={"rows": 3})


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date_field(label, help_text=""):
    return BoundedDateField(
        label=label,
        help_text=help_text,
        widget=DateInput(),
        error_messages={
            "invalid": _("Enter a date like 2026-01-31."),
            "required": _("Enter a date."),
        },
    )


def _amount_field(label, help_text):
    field = forms.DecimalField(
        label=label,
        help_text=help_text,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "invalid": _("Write the amount as a number, for example 42500 or 42500,50."),
            "required": _("Enter an amount."),
            "max_digits": _("This amount is too large."),
            "max_whole_digits": _("This amount is too large."),
            "max_decimal_places": _("Use at most two decimals (cents)."),
            "min_value": _("The amount cannot be negative."),
        },
    )
    field.widget.is_localized = True
    return field


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


# -- Organisation -------------------------------------------------------------------------


class OrganisationForm(PlainTextMixin, forms.Form):
    name = forms.CharField(
        label=_("Name of the organisation or group"),
        max_length=200,
        error_messages={"required": _("Enter the name of the organisation.")},
    )
    legal_form = forms.ChoiceField(
        label=_("Legal form"),
        choices=LegalForm.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the legal form."),
            "invalid_choice": _("Choose one of the legal forms in the list."),
        },
    )
    kvk_number = forms.CharField(
        label=_("KvK number"),
        max_length=20,
        required=False,
        help_text=_(
            "The 8 digits of the Chamber of Commerce (KvK) registration. Not for an informal "
            "resident group. The KvK publishes no check digit, so we only check the format; "
            "the municipality verifies the number in the trade register."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Your role in it"),
        choices=MemberRole.choices,
        initial=MemberRole.MEMBER,
        error_messages={"invalid_choice": _("Choose a role from the list.")},
    )

    def clean(self):
        data = super().clean()
        if "legal_form" in data:
            try:
                data["kvk_number"] = validate_kvk(data["legal_form"], data.get("kvk_number", ""))
            except ServiceError as error:
                self.add_error("kvk_number", error)
        return data


class MemberForm(PlainTextMixin, forms.Form):
    user = PersonChoiceField(
        label=_("Person"),
        queryset=get_user_model().objects.none(),
        empty_label=_("Choose a team member"),
        help_text=_("Co-initiators of the challenge can be members of its organisation."),
        error_messages={"invalid_choice": _("Choose one of the people in the list.")},
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=MemberRole.choices,
        error_messages={"invalid_choice": _("Choose a role from the list.")},
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people


# -- Contact persons ------------------------------------------------------------------------


class ContactPersonForm(forms.Form):
    user = PersonChoiceField(
        label=_("Contact person"),
        queryset=get_user_model().objects.none(),
        empty_label=_("Choose a person"),
        error_messages={
            "required": _("Choose the contact person."),
            "invalid_choice": _("Choose one of the people in the list."),
        },
    )
    mandate = forms.CharField(
        label=_("Mandate"),
        max_length=3000,
        widget=TEXTAREA,
        help_text=_(
            "What may this person decide alone, without asking anyone? For example: "
            "planning, spending up to an amount, small changes to the work."
        ),
        error_messages={"required": _("Write down the mandate.")},
    )
    reason = forms.CharField(
        label=_("Reason for the handover"),
        max_length=2000,
        widget=SHORT_TEXTAREA,
        required=False,
        help_text=_("Both sides are told who takes over and why."),
    )

    def __init__(self, *args, people, handover: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
        self.handover = handover
        if handover:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = _(
                "Say why the contact person changes."
            )
        else:
            del self.fields["reason"]


# -- Agreement ------------------------------------------------------------------------------


class AgreementForm(PlainTextMixin, forms.Form):
    TEXT_FIELDS = (
        "scope",
        "tasks_challenger",
        "tasks_municipality",
        "payment_schedule",
        "results",
        "termination_terms",
    )

    scope = forms.CharField(
        label=_("Scope and tasks"),
        max_length=10000,
        widget=TEXTAREA,
        help_text=_("Which part of the public task is handed over, and where."),
    )
    tasks_challenger = forms.CharField(
        label=_("What the challenger does"), max_length=10000, widget=TEXTAREA
    )
    tasks_municipality = forms.CharField(
        label=_("What the municipality does"), max_length=10000, widget=TEXTAREA
    )
    budget_amount = _amount_field(
        _("Budget per year (EUR)"), _("The amount the challenger receives per year.")
    )
    payment_schedule = forms.CharField(
        label=_("Payment schedule"),
        max_length=3000,
        widget=SHORT_TEXTAREA,
        help_text=_("When and on what condition the money is paid, e.g. per quarter in advance."),
    )
    budget_from_current_cost = _amount_field(
        _("Budget moving from the municipality's current cost (EUR per year)"),
        _("The part of what the task costs the municipality today that moves to the challenger."),
    )
    start_date = _date_field(_("Start"))
    end_date = _date_field(_("End"))
    results = forms.CharField(
        label=_("Results and indicators"),
        max_length=10000,
        widget=TEXTAREA,
        help_text=_("What both sides want to achieve, and how you will see it."),
    )
    evaluation_dates = forms.CharField(
        label=_("Evaluation dates"),
        widget=SHORT_TEXTAREA,
        help_text=_(
            "One date per line, like 2026-09-30. On each date both sides reflect together."
        ),
        error_messages={"required": _("Plan at least one evaluation date.")},
    )
    reporting_rhythm = forms.ChoiceField(
        label=_("Reporting rhythm"),
        choices=ReportingRhythm.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose a reporting rhythm from the list.")},
    )
    termination_terms = forms.CharField(
        label=_("Termination terms"),
        max_length=10000,
        widget=TEXTAREA,
        help_text=_("How either side can end the agreement, and with what notice."),
    )
    change_note = forms.CharField(
        label=_("What changed and why"),
        max_length=3000,
        widget=SHORT_TEXTAREA,
        required=False,
        help_text=_("For a new version: what is different from the previous one, and why."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.TEXT_FIELDS:
            self.fields[name].error_messages["required"] = _("This question needs an answer.")

    @staticmethod
    def initial_from(version: AgreementVersion) -> dict:
        initial = {name: getattr(version, name) for name in AgreementForm.base_fields}
        initial["evaluation_dates"] = "\n".join(version.evaluation_dates or [])
        return initial

    def clean_evaluation_dates(self):
        raw = self.cleaned_data["evaluation_dates"]
        dates = []
        for line in raw.replace(",", "\n").splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                dates.append(date.fromisoformat(line))
            except ValueError as exc:
                raise forms.ValidationError(
                    _("“%(value)s” is not a date like 2026-09-30."), params={"value": line}
                ) from exc
        if not dates:
            raise forms.ValidationError(_("Plan at least one evaluation date."))
        return dates

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The agreement cannot end before it starts."))
        return data


class SignForm(forms.Form):
    digest = forms.CharField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_("I have read this version and sign it on behalf of my side."),
        error_messages={"required": _("Confirm that you have read this version.")},
    )


# -- Milestones ------------------------------------------------------------------------------


class MilestoneForm(PlainTextMixin, forms.Form):
    title = forms.CharField(
        label=_("Milestone"),
        max_length=200,
        error_messages={"required": _("Give the milestone a title.")},
    )
    owner_side = forms.ChoiceField(
        label=_("Who carries it"),
        choices=Side.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whose milestone it is.")},
    )
    due_date = _date_field(_("Due date"))
    is_public = forms.BooleanField(
        label=_("Show this milestone and its progress on the public challenge page"),
        required=False,
    )


class MilestoneUpdateForm(PlainTextMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=MilestoneStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )
    due_date = _date_field(_("Due date"))
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=SHORT_TEXTAREA)


# -- Reflections -------------------------------------------------------------------------------


class ReflectionRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reflect now?"),
        max_length=2000,
        widget=SHORT_TEXTAREA,
        error_messages={"required": _("Say why you ask for a reflection now.")},
    )


SCORE_CHOICES = [
    (1, _("1 – not at all")),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, _("5 – completely")),
]


class ReflectionAnswerForm(PlainTextMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in REFLECTION_QUESTIONS:
            self.fields[key] = forms.TypedChoiceField(
                label=label,
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose a score from 1 to 5."),
                    "invalid_choice": _("Choose a score from 1 to 5."),
                },
            )
            self.fields[f"{key}_comment"] = forms.CharField(
                label=_("Comment on “%(question)s”") % {"question": label},
                max_length=3000,
                widget=SHORT_TEXTAREA,
                error_messages={"required": _("Add a comment to your answer.")},
            )

    def scores(self) -> dict:
        return {key: self.cleaned_data[key] for key, _label in REFLECTION_QUESTIONS}

    def comments(self) -> dict:
        return {key: self.cleaned_data[f"{key}_comment"] for key, _label in REFLECTION_QUESTIONS}


# -- Knots, messages, documents -------------------------------------------------------------------


class KnotForm(PlainTextMixin, forms.Form):
    question = forms.CharField(
        label=_("Blocking question"),
        max_length=300,
        help_text=_("What is stuck? One question, as short as you can."),
        error_messages={"required": _("Write the blocking question.")},
    )
    decision_needed = forms.CharField(
        label=_("Decision needed"),
        max_length=3000,
        widget=SHORT_TEXTAREA,
        help_text=_("Which decision cuts the knot, and who can take it?"),
        error_messages={"required": _("Describe the decision that is needed.")},
    )
    needed_by = _date_field(_("Decision needed by"))


class KnotResolveForm(PlainTextMixin, forms.Form):
    decision = forms.CharField(
        label=_("Decision"),
        max_length=5000,
        widget=SHORT_TEXTAREA,
        error_messages={"required": _("Write down the decision that cuts the knot.")},
    )


class MessageForm(PlainTextMixin, forms.Form):
    text = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only the challenger team and the municipality can read it."),
        error_messages={"required": _("Write the message first.")},
    )


class DocumentForm(CheckedUploadMixin, forms.Form):
    file = forms.FileField(
        label=_("Document"),
        help_text=_("PDF, ODT, DOCX, PNG or JPEG, at most 10 MB."),
        error_messages={
            "required": _("Choose a file to share."),
            "empty": _("The file is empty."),
            "invalid": _("This is not a file. Choose a file to share."),
        },
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{ext}" for ext in uploads.ACCEPTED_EXTENSIONS)}
        ),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=300,
        required=False,
        help_text=_("What is it, for the other side?"),
    )

    def check_file(self, upload, name: str):
        return uploads.check_upload(upload, name=name, size=upload.size)
