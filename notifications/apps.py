from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from challenges import registry

        from . import outbox

        # Who must hear about an event is recorded in the event's own transaction.
        registry.subscribe(outbox.record_for_event)
