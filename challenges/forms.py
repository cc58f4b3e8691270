"""Forms. They validate input and describe fields; services make the changes."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedDateField, PlainTextMixin

from . import workflow
from .constants import LegalForm, Status, Visibility
from .models import Challenge, Neighbourhood, Task

TEXTAREA = forms.Textarea(attrs={"rows": 6})


class StepForm(PlainTextMixin, forms.ModelForm):
    """A step of the submission form: every field on it must be answered."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True
            field.error_messages["required"] = _("This question needs an answer.")


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


class BudgetStepForm(StepForm):
    class Meta:
        model = Challenge
        fields = ["budget_requested"]
        help_texts = {
            "budget_requested": _(
                "The amount per year you ask to carry out the task, in euros. "
                "Write it as a number, for example 42500 or 42500,50."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["budget_requested"]
        # Localised: "42500,50" and "42500.50" are both understood.
        field.localize = True
        field.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        field.widget.is_localized = True
        field.error_messages["invalid"] = _(
            "Write the amount as a number, for example 42500 or 42500,50."
        )
        field.error_messages["max_digits"] = _("This amount is too large.")
        field.error_messages["max_decimal_places"] = _("Use at most two decimals (cents).")
        field.error_messages["max_whole_digits"] = _("This amount is too large.")

    def clean_budget_requested(self):
        value = self.cleaned_data["budget_requested"]
        if value is not None and value < Decimal("0"):
            raise forms.ValidationError(_("The amount cannot be negative."))
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
