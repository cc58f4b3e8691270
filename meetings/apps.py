from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """Meetings between the parties: slots proposed, one picked, an iCalendar invitation."""

    name = "meetings"
    verbose_name = _("Meetings")
