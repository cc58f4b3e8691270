from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    name = "challenges"
    verbose_name = _("Challenges")

    def ready(self) -> None:
        from . import checks, events, guards, page_cache, registry, workflow  # noqa: F401

        registry.register_kinds(*events.KINDS)
        registry.register_event_types(self.label, *events.EVENT_TYPES)
        registry.register_guard(workflow.PLAN_COMPLETE, guards.plan_complete)
        registry.register_guard(workflow.RESUMES_TO_HELD_STAGE, guards.resumes_to_held_stage)
        # The cached public pages go once an event is committed.
        registry.subscribe(page_cache.on_event_recorded)
