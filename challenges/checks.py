"""System checks of the registries: every event type renders and has a kind, every
guard slot of the transition table is filled, and no guard fills a slot it lacks.
`manage.py check` (and so every test run and deploy) fails otherwise."""

from django.core.checks import Error, register
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from . import registry, workflow


@register()
def check_event_types(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    known_kinds = {kind.code for kind in registry.kinds()}
    for event_type in registry.event_types():
        try:
            get_template(event_type.template_name)
        except TemplateDoesNotExist:
            errors.append(
                Error(
                    f"Event type {event_type.code!r} ({event_type.app_label}) has no template "
                    f"{event_type.template_name!r}.",
                    hint="Add the template; it renders the event in the reader's language.",
                    id="challenges.E001",
                )
            )
        if event_type.kind not in known_kinds:
            errors.append(
                Error(
                    f"Event type {event_type.code!r} ({event_type.app_label}) has notification "
                    f"kind {event_type.kind!r}, which no app registered.",
                    hint="Register the kind with challenges.registry.register_kinds.",
                    id="challenges.E002",
                )
            )
    return errors


@register()
def check_guard_slots(app_configs=None, **kwargs) -> list[Error]:
    errors = [
        Error(
            f"Guard slot {slot!r} of the transition table has no guard.",
            hint="Fill it with challenges.registry.register_guard from an AppConfig.ready().",
            id="challenges.E003",
        )
        for slot in sorted(workflow.slots_in_use())
        if registry.guard_for(slot) is None
    ]
    errors += [
        Error(
            f"A guard fills the slot {slot!r}, which the transition table does not have.",
            hint="Name one of challenges.workflow.GUARD_SLOTS.",
            id="challenges.E004",
        )
        for slot in registry.guard_slots_filled()
        if slot not in workflow.GUARD_SLOTS
    ]
    return errors
