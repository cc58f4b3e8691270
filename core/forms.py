"""Form fields shared by every app."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The dates a person can mean on this portal. Outside them a date is a typo (or a
# probe), and year 1 or 9999 cannot even be turned into a moment in local time.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2999, 12, 31)


class BoundedDateField(forms.DateField):
    """A date between 1900 and 2999, refused with a clear message otherwise."""

    def validate(self, value):
        super().validate(value)
        if value and not (EARLIEST_DATE <= value <= LATEST_DATE):
            raise ValidationError(
                _("Enter a date between %(earliest)s and %(latest)s."),
                code="out_of_range",
                params={"earliest": EARLIEST_DATE.year, "latest": LATEST_DATE.year},
            )
