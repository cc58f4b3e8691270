"""The dashboard's filters. Invalid values are reported and ignored, never a 500."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from challenges.models import Neighbourhood, Task
from core import clock

from .selectors import Filters

PERIODS = [
    ("30", _("the last 30 days")),
    ("90", _("the last 90 days")),
    ("365", _("the last 365 days")),
    ("all", _("all time")),
]
DEFAULT_PERIOD = "365"


class DashboardFilterForm(forms.Form):
    neighbourhood = forms.ModelChoiceField(
        label=_("Neighbourhood"),
        required=False,
        queryset=Neighbourhood.objects.all(),
        empty_label=_("All neighbourhoods"),
    )
    task = forms.ModelChoiceField(
        label=_("Task"), required=False, queryset=Task.objects.all(), empty_label=_("All tasks")
    )
    period = forms.ChoiceField(
        label=_("Period of the lead times"),
        required=False,
        choices=PERIODS,
        initial=DEFAULT_PERIOD,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("neighbourhood", "task", "period"):
            self.fields[name].error_messages["invalid_choice"] = _(
                "That choice does not exist; the filter was ignored."
            )

    def filters(self) -> Filters:
        data = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        period = data.get("period") or DEFAULT_PERIOD
        since = None if period == "all" else clock.now() - timedelta(days=int(period))
        return Filters(neighbourhood=data.get("neighbourhood"), task=data.get("task"), since=since)

    def query(self) -> str:
        """The valid filters as a query string, for the CSV links."""
        if not self.is_bound:
            return ""
        self.is_valid()
        params = self.data.copy()
        for name in list(params):
            if name not in self.fields or name in self.errors:
                params.pop(name)
        return params.urlencode()
