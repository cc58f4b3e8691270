from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = _("Partnerships")

    def ready(self) -> None:
        from challenges import registry, workflow

        from . import events

        registry.register_kinds(*events.KINDS)
        registry.register_event_types(self.label, *events.EVENT_TYPES)
        registry.register_guard(workflow.CONTACT_PERSONS_ASSIGNED, events.contact_persons_assigned)
        registry.register_guard(workflow.AGREEMENT_IN_FORCE, events.agreement_in_force)
