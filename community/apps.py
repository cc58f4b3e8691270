from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    """The neighbourhood around a challenge: support and public questions."""

    name = "community"
    verbose_name = _("Community")

    def ready(self) -> None:
        from challenges import registry

        from . import events, sections, selectors

        registry.register_kinds(*events.KINDS)
        registry.register_event_types(self.label, *events.EVENT_TYPES)
        for section in sections.SECTIONS:
            registry.register_detail_section(section)
        registry.register_review_facts(selectors.review_facts)
