"""Forms. They validate input and describe fields; services make the changes."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.validators import MinLengthValidator
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedDateField, PlainTextMixin

from . import workflow
from .constants import LegalForm, Status, Visibility
from .models import Challenge, Neighbourhood, Task

TEXTAREA = forms.Textarea(attrs={"rows": 6})


class StepForm(PlainTextMixin, forms.ModelForm):
    """A step of the submission form. A draft saves whatever was typed, also a
    half-answered step: no answer is required here. Whether the plan is complete is
    decided at submission, by the workflow's guard (`services.missing_plan_fields`),
    and the review page lists what is still missing. What is typed must still be
    well-formed (a real amount, a title of at least five characters, no
    direction-changing characters), or the step is shown again with the text kept.

    The fields stay `required` for the page: every question must be answered before
    submission, so none is labelled "(optional)". Only the check of an empty answer
    is left out here (`_allow_empty`). Nor do the fields carry the HTML `required`
    attribute (`use_required_attribute`): the browser would then refuse "Save and
    finish later" on a half-answered step before the server could save it."""

    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True
            _allow_empty(field)


def _allow_empty(field: forms.Field) -> None:
    """Let an empty answer through the field's own check (it is saved as empty);
    everything typed is still checked as usual."""
    check = field.validate

    def validate(value):
        if value not in field.empty_values:
            check(value)

    field.validate = validate


class TaskStepForm(StepForm):
    class Meta:
        model = Challenge
        fields = ["task", "neighbourhood", "title", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "task": _("The public task you want to take over from the municipality."),
            "neighbourhood": _("Where you want to carry out the task."),
            "title": _(
                "A short name for your challenge, for example “Residents run park De Horsten”."
            ),
            "summary": _(
                "In a few sentences: what do you want to do, and why? "
                "This summary is public once you submit."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = Task.objects.filter(is_active=True)
        self.fields["task"].empty_label = _("Choose a task")
        self.fields["neighbourhood"].queryset = Neighbourhood.objects.all()
        self.fields["neighbourhood"].empty_label = _("Choose a neighbourhood")
        self.fields["title"].min_length = 5
        self.fields["title"].validators.append(MinLengthValidator(5))
        self.fields["title"].widget.attrs["minlength"] = 5
        self.fields["task"].error_messages["invalid_choice"] = _(
            "Choose one of the tasks in the list."
        )
        self.fields["neighbourhood"].error_messages["invalid_choice"] = _(
            "Choose one of the neighbourhoods in the list."
        )


class PlanStepForm(StepForm):
    class Meta:
        model = Challenge
        fields = ["approach", "social_value"]
        widgets = {"approach": TEXTAREA, "social_value": TEXTAREA}
        help_texts = {
            "approach": _(
                "How will you carry out the task? Who does what, how often, "
                "and how do you keep the quality up?"
            ),
            "social_value": _(
                "What does your plan add for the neighbourhood, beyond the task "
                "itself? For example work for local people, or meeting places."
            ),
        }


# The largest budget the portal takes, per year: far above any task a municipality
# hands over (the model could store ten billion). An amount above it, or above
# AMOUNT_MAX_RATIO times what the task costs today, is a typo, not a plan.
AMOUNT_MAX = Decimal("100000000")
AMOUNT_MAX_RATIO = 100

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_CURRENCY = re.compile(r"^(?:€|eur(?:o|os)?)|(?:€|eur(?:o|os)?)$", re.IGNORECASE)
_EXPONENT = re.compile(r"\d\s*e\s*[+-]?\s*\d", re.IGNORECASE)
_GROUPED = re.compile(r"^\d{1,3}(?:X\d{3})+$")


def _amount_error(code: str) -> forms.ValidationError:
    messages = {
        "invalid": _(
            "Write the amount as a number of euros, for example 80000, 80.000, "
            "€ 80.000 or 80.000,50."
        ),
        "exponent": _(
            "Write the amount in full, for example 1000000 instead of 1e6; "
            "exponents are not accepted."
        ),
        "negative": _("The amount cannot be negative."),
        "decimals": _("Use at most two decimals (cents)."),
    }
    return forms.ValidationError(messages[code], code=code)


def parse_euro_amount(text: str) -> Decimal | None:
    """The amount of euros a person wrote, the way people write it in Dutch or English.

    Accepted: "80000", "80.000", "80,000", "€ 80.000", "80.000,50", "80,000.50",
    "80000,5", "EUR 80.000,-". A separator followed by exactly three digits groups
    thousands (an amount of money has no third decimal); one followed by one or two
    digits starts the cents. Refused with a ValidationError: exponents ("1e9"),
    negative amounts, more than two decimals, anything else. Empty: None. The upper
    limit is not checked here (see AMOUNT_MAX and `BudgetStepForm`)."""
    value = _SPACES.sub("", text or "")
    if not value:
        return None
    if _EXPONENT.search(value):
        raise _amount_error("exponent")
    value = _CURRENCY.sub("", value)
    value = _CURRENCY.sub("", value)  # "€80.000EUR" is odd, but unambiguous
    if value.endswith((",-", ".-", ",--", ".--")):
        value = value.rstrip("-")[:-1]
    if value.startswith("-") or value.endswith("-"):
        raise _amount_error("negative")
    if not value or not all(char.isascii() and (char.isdigit() or char in ".,") for char in value):
        raise _amount_error("invalid")
    whole, cents = value, ""
    last = max(value.rfind("."), value.rfind(","))
    if last != -1:
        separator = value[last]
        other = "," if separator == "." else "."
        after = value[last + 1 :]
        decimal = other in value or (value.count(separator) == 1 and len(after) != 3)
        if decimal:
            if value.count(separator) != 1 or other in after:
                raise _amount_error("invalid")
            if not after:
                raise _amount_error("invalid")
            if len(after) > 2:
                raise _amount_error("decimals")
            whole, cents = value[:last], after
            grouping = other
        else:
            grouping = separator
        if grouping in whole:
            if not _GROUPED.match(whole.replace(grouping, "X")):
                raise _amount_error("invalid")
            whole = whole.replace(grouping, "")
    if not whole.isdigit():
        raise _amount_error("invalid")
    if len(whole.lstrip("0")) > len(str(int(AMOUNT_MAX))):
        raise _too_large()
    try:
        return Decimal(f"{whole}.{cents or '0'}").quantize(Decimal("0.01"))
    except InvalidOperation as error:  # cannot happen for digits only; refuse anyway
        raise _amount_error("invalid") from error


def _too_large() -> forms.ValidationError:
    return forms.ValidationError(
        _("This amount is too large: the portal takes at most %(max)s per year."),
        code="max_value",
        params={"max": _euros(AMOUNT_MAX)},
    )


def _euros(amount: Decimal) -> str:
    """Whole euros in the reader's language: "€ 80.000" or "€ 80,000"."""
    return "€ " + number_format(amount, decimal_pos=0, force_grouping=True)


class EuroAmountField(forms.Field):
    """An amount in euros, typed as people write it (see `parse_euro_amount`)."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.2f}"
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value)
        if len(text) > 40:
            raise _amount_error("invalid")
        return parse_euro_amount(text)


class BudgetStepForm(StepForm):
    budget_requested = EuroAmountField(
        label=_("Budget asked per year (EUR)"),
        required=False,
        help_text=_(
            "The amount per year you ask to carry out the task, in euros, for example "
            "80000, 80.000 or € 80.000,50."
        ),
    )

    class Meta:
        model = Challenge
        fields = ["budget_requested"]

    def clean_budget_requested(self):
        value = self.cleaned_data["budget_requested"]
        if value is None:
            return value
        if value > AMOUNT_MAX:
            raise _too_large()
        task = self.instance.task
        cost = task.current_yearly_cost if task else None
        if cost and value > cost * AMOUNT_MAX_RATIO:
            raise forms.ValidationError(
                _(
                    "This amount is %(ratio)s times what the task costs today "
                    "(%(cost)s per year); at most %(times)s times, %(max)s, is accepted. "
                    "Check the amount."
                ),
                code="max_ratio",
                params={
                    "ratio": number_format(value / cost, decimal_pos=0, force_grouping=True),
                    "cost": _euros(cost),
                    "times": AMOUNT_MAX_RATIO,
                    "max": _euros(cost * AMOUNT_MAX_RATIO),
                },
            )
        return value


class TeamStepForm(StepForm):
    class Meta:
        model = Challenge
        fields = ["legal_form", "team_description", "support_evidence"]
        widgets = {
            "legal_form": forms.RadioSelect,
            "team_description": TEXTAREA,
            "support_evidence": TEXTAREA,
        }
        help_texts = {
            "legal_form": _("The form of the organisation that submits the challenge."),
            "team_description": _(
                "Who are you, and what experience and skills does the team bring for this task?"
            ),
            "support_evidence": _(
                "Show that people in the neighbourhood support the plan: "
                "signatures, letters, meetings held, partners."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_form"].choices = LegalForm.choices
        self.fields["legal_form"].error_messages["invalid_choice"] = _(
            "Choose one of the legal forms in the list."
        )


STEPS = [
    ("task", _("Task and summary"), TaskStepForm),
    ("plan", _("Plan and social value"), PlanStepForm),
    ("budget", _("Budget"), BudgetStepForm),
    ("team", _("Team and support"), TeamStepForm),
]
STEP_SLUGS = [slug for slug, _label, _form in STEPS]


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of the co-initiator"),
        max_length=254,
        help_text=_("We send this person a link to join the team of this challenge."),
        error_messages={
            "invalid": _("Enter an e-mail address like name@example.org."),
            "required": _("Enter an e-mail address."),
        },
    )


class AdditionForm(PlainTextMixin, forms.Form):
    text = forms.CharField(
        label=_("Addition"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Your plan cannot be changed after submission; add information here."),
        error_messages={"required": _("Write the addition first.")},
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=[
            (Visibility.PUBLIC, _("Everyone (public)")),
            (Visibility.PARTIES, _("Only the team and the municipality")),
        ],
        initial=Visibility.PARTIES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose who may read this addition."),
            "invalid_choice": _("Choose who may read this addition."),
        },
    )


class NoteForm(PlainTextMixin, forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=[
            (Visibility.PUBLIC, _("Everyone (public)")),
            (Visibility.PARTIES, _("The parties: the challenger team and the municipality")),
            (Visibility.INTERNAL, _("Municipality only (internal; use sparingly)")),
        ],
        initial=Visibility.PARTIES,
        widget=forms.RadioSelect,
    )


class TransitionForm(forms.Form):
    """Choose the next step the user's roles allow and write the motivation."""

    to_status = forms.ChoiceField(label=_("Step"), widget=forms.RadioSelect)
    motivation = forms.CharField(
        label=_("Motivation"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Required for a decision, putting on hold and withdrawal. "
            "The motivation is public on the timeline."
        ),
    )
    expected_status = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, challenge: Challenge, roles: set, **kwargs):
        super().__init__(*args, **kwargs)
        self.challenge = challenge
        self.edges = {e.target: e for e in workflow.available_edges(challenge, roles)}
        self.fields["to_status"].choices = [
            (target, f"{edge.label} → {Status(target).label}")
            for target, edge in self.edges.items()
        ]
        self.fields["to_status"].error_messages["invalid_choice"] = _(
            "This step is not possible from the current stage."
        )
        self.fields["to_status"].error_messages["required"] = _("Choose a step.")
        self.fields["expected_status"].initial = challenge.status
        motivation = self.fields["motivation"]
        motivation.error_messages["required"] = _(
            "Write a motivation for this step; it is required."
        )
        if self.edges and all(edge.motivation_required for edge in self.edges.values()):
            # Every step offered needs one (a challenger's withdrawal): the field says
            # so itself, instead of being marked optional beside a help text that
            # says it is required.
            motivation.required = True
            motivation.help_text = _("The motivation is public on the timeline.")

    def clean(self):
        data = super().clean()
        edge = self.edges.get(data.get("to_status"))
        if edge and edge.motivation_required and not (data.get("motivation") or "").strip():
            self.add_error("motivation", _("Write a motivation for this step; it is required."))
        return data


class _FilterForm(forms.Form):
    """Filters of public lists. Invalid values are reported and ignored."""

    status = forms.ChoiceField(label=_("Stage"), required=False)
    neighbourhood = forms.ModelChoiceField(
        label=_("Neighbourhood"),
        required=False,
        queryset=Neighbourhood.objects.all(),
        empty_label=_("All neighbourhoods"),
    )
    task = forms.ModelChoiceField(
        label=_("Task"), required=False, queryset=Task.objects.all(), empty_label=_("All tasks")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All stages"))] + [
            c for c in Status.choices if c[0] != Status.DRAFT
        ]
        for name in ("neighbourhood", "task"):
            self.fields[name].error_messages["invalid_choice"] = _(
                "That choice does not exist; the filter was ignored."
            )
        self.fields["status"].error_messages["invalid_choice"] = _(
            "That stage does not exist; the filter was ignored."
        )

    def filters(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


class ChallengeFilterForm(_FilterForm):
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)


class LogFilterForm(_FilterForm):
    date_from = BoundedDateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date like 2026-01-31.")},
    )
    date_to = BoundedDateField(
        label=_("Up to and including"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date like 2026-01-31.")},
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
            data.pop("date_to", None)
        return data


# -- Attachments to a submission -------------------------------------------------------

from django.template.defaultfilters import filesizeformat  # noqa: E402 (this part's own)

from core.forms import CheckedUploadMixin  # noqa: E402
from core.uploads import max_upload_size  # noqa: E402

from . import services  # noqa: E402
from .constants import AttachmentKind  # noqa: E402


def _attachment_visibility_field(**kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Who may download it"),
        choices=[
            (Visibility.PUBLIC, _("Everyone (public, once the challenge is submitted)")),
            (Visibility.PARTIES, _("Only the team and the municipality")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose who may download this attachment."),
            "invalid_choice": _("Choose who may download this attachment."),
        },
        **kwargs,
    )


class AttachmentForm(CheckedUploadMixin, forms.Form):
    """A file for the submission, checked by its content as workspace documents are."""

    file = forms.FileField(
        label=_("File"),
        error_messages={
            "required": _("Choose a file to add."),
            "empty": _("The file is empty."),
            "invalid": _("This is not a file. Choose a file to add."),
        },
    )
    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=[("", _("Choose a kind")), *AttachmentKind.choices],
        error_messages={
            "required": _("Choose what kind of attachment this is."),
            "invalid_choice": _("Choose one of the kinds in the list."),
        },
    )
    visibility = _attachment_visibility_field(initial=Visibility.PUBLIC)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("%(kinds)s, at most %(limit)s.") % {
            "kinds": services.attachment_file_types_text(),
            "limit": filesizeformat(max_upload_size()),
        }
        self.fields["file"].widget.attrs["accept"] = ",".join(
            f".{ext}" for ext in services.ATTACHMENT_EXTENSIONS
        )

    def check_file(self, upload, name: str):
        return services.check_attachment_file(upload, name=name, size=upload.size)


class AttachmentVisibilityForm(forms.Form):
    visibility = _attachment_visibility_field()
