"""The clock seam: the one place where domain code asks what time it is.

Both functions look up `django.utils.timezone.now` when they are called, so a test
that controls that function controls every service, task and model default.
"""

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    """The current, aware moment."""
    return timezone.now()


def today() -> date:
    """Today's date in the portal's time zone (TIME_ZONE)."""
    return timezone.localdate(timezone.now())
