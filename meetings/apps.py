from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """Meetings between the parties: slots proposed, one picked, an iCalendar invitation.

    Its own app (above partnerships, beside community): a meeting is neither a
    challenge nor a partnership record, it starts at the intake, before any
    partnership exists, and its invitation files and reminders are its own concern.
    """

    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from challenges import registry

        from . import events

        registry.register_kinds(*events.KINDS)
        registry.register_event_types(self.label, *events.EVENT_TYPES)
        registry.register_detail_section(events.SECTION)
