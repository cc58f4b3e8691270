"""The registries through which higher apps plug into the challenge's life.

`challenges` sits low in the layers (core < accounts < challenges < partnerships <
notifications < demo; the import-linter contract in pyproject.toml enforces it), so
it never imports the apps above it. Where it must learn something from them, it
offers a registry here and they fill it from their `AppConfig.ready()`:

- **notification kinds**: how a person groups messages in their preferences
  ("the conversation once a day"); `register_kinds`;
- **event types**: every timeline event code with its label, its notification kind
  and its template; `register_event_types`;
- **guards**: the transition table names guard *slots* (`workflow.GUARD_SLOTS`); an
  app fills a slot with a function that says what is still missing;
  `register_guard`;
- **subscribers**: called with every event the timeline records, inside the
  transaction that records it (a subscriber that raises rolls the change back);
  `subscribe`;
- **sections of the challenge page**: a higher app adds a part of the public
  challenge page (support, questions, meetings) with its template and a function
  that gives its context, or None when it has nothing to show;
  `register_detail_section`;
- **facts for the reviewer**: a higher app adds figures to the admin's challenge
  page (the support in the neighbourhood beside the support criterion);
  `register_review_facts`;
- **mail attachments**: an event type may name a function that gives the files
  its e-mail carries (a meeting's iCalendar invitation); `EventType.attachments`;
  with `EventType.tells_actor` the person who caused the event is told too.

The system checks in `challenges.checks` fail when an event type lacks its
template or a known kind, a guard slot has no guard, or a guard fills no slot.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise

# -- Notification kinds -----------------------------------------------------------------


@dataclass(frozen=True)
class NotificationKind:
    """A group of event types that a person chooses a frequency for, as one."""

    code: str
    label: str | Promise


_KINDS: dict[str, NotificationKind] = {}


def register_kinds(*kinds: NotificationKind) -> None:
    for kind in kinds:
        known = _KINDS.get(kind.code)
        if known is not None and known != kind:
            raise ValueError(f"Notification kind {kind.code!r} is registered twice, differently.")
        _KINDS[kind.code] = kind


def kinds() -> list[NotificationKind]:
    """Every kind, in the order the apps registered them (the preferences page's order)."""
    return list(_KINDS.values())


def kind_choices() -> list[tuple[str, str | Promise]]:
    """Choices for a model or form field holding a kind (a callable: no migrations)."""
    return [(kind.code, kind.label) for kind in _KINDS.values()]


# -- Event types ------------------------------------------------------------------------


@dataclass(frozen=True)
class EventType:
    """One timeline event code.

    `template` renders the event in the reader's language (default
    `timeline/events/<code>.html`). `automated` marks what the portal writes by
    itself (reminders): it is not news, so it does not end a silence.
    """

    code: str
    label: str | Promise
    kind: str
    template: str = ""
    automated: bool = False
    app_label: str = field(default="", compare=False)
    # `attachments(event) -> list[(filename, content bytes, mimetype)]`: the files an
    # e-mail about this event carries, made in the recipient's language (active when
    # called), once per language.
    attachments: Callable | None = field(default=None, compare=False)
    # The person who caused the event hears of it too (normally never): a meeting's
    # invitation reaches the one who picked the time, for their own calendar.
    tells_actor: bool = False

    @property
    def template_name(self) -> str:
        return self.template or f"timeline/events/{self.code}.html"


_EVENT_TYPES: dict[str, EventType] = {}


def register_event_types(app_label: str, *types: EventType) -> None:
    for event_type in types:
        known = _EVENT_TYPES.get(event_type.code)
        if known is not None and known != event_type:
            raise ValueError(
                f"Event code {event_type.code!r} is registered by {known.app_label!r} already."
            )
        _EVENT_TYPES[event_type.code] = EventType(
            code=str(event_type.code),
            label=event_type.label,
            kind=str(event_type.kind),
            template=event_type.template,
            automated=event_type.automated,
            app_label=app_label,
            attachments=event_type.attachments,
            tells_actor=event_type.tells_actor,
        )


def event_type(code: str) -> EventType | None:
    return _EVENT_TYPES.get(code)


def event_types() -> list[EventType]:
    return list(_EVENT_TYPES.values())


def event_label(code: str) -> str:
    """The event's name in the reader's language; the bare code if nobody declared it."""
    found = _EVENT_TYPES.get(code)
    return str(found.label) if found is not None else code


def event_code_choices() -> list[tuple[str, str | Promise]]:
    """Choices of `TimelineEvent.code`: every app's codes (a callable: no migrations)."""
    return [(t.code, t.label) for t in _EVENT_TYPES.values()]


def kind_of(code: str) -> str:
    """The notification kind of an event code (checked to exist by the system check)."""
    return _EVENT_TYPES[code].kind


def automated_codes() -> list[str]:
    return [t.code for t in _EVENT_TYPES.values() if t.automated]


# -- Guards -----------------------------------------------------------------------------

# A guard says what the challenge still lacks for an edge: a list of phrases in the
# reader's language (lazy), empty when the step is allowed.
Guard = Callable[..., list]

_GUARDS: dict[str, Guard] = {}


def register_guard(slot: str, guard: Guard) -> None:
    """Fill a guard slot of the transition table (`workflow.GUARD_SLOTS`; the system
    check `challenges.E004` reports a guard for a slot the table does not have)."""
    known = _GUARDS.get(slot)
    if known is not None and known is not guard:
        raise ValueError(f"Guard slot {slot!r} is filled already.")
    _GUARDS[slot] = guard


def guard_for(slot: str) -> Guard | None:
    return _GUARDS.get(slot)


def guard_slots_filled() -> list[str]:
    return list(_GUARDS)


# -- Subscribers to recorded events -----------------------------------------------------

_SUBSCRIBERS: list[Callable] = []


def subscribe(subscriber: Callable) -> None:
    """Call `subscriber(event)` for every event the timeline records, inside its
    transaction. Registering the same function twice has no effect."""
    if subscriber not in _SUBSCRIBERS:
        _SUBSCRIBERS.append(subscriber)


def subscribers() -> list[Callable]:
    return list(_SUBSCRIBERS)


def announce(event) -> None:
    """Tell every subscriber about a recorded event. Not robust on purpose: whatever
    a subscriber raises propagates and rolls the caller's transaction back, so a
    change is never committed without, say, its outbox rows."""
    for subscriber in _SUBSCRIBERS:
        subscriber(event)


# -- Sections of the challenge page -----------------------------------------------------


@dataclass(frozen=True)
class DetailSection:
    """A part of the challenge page that a higher app draws.

    `context(request, challenge, page_context) -> dict | None` gives the template's
    context (None: nothing to show to this reader). It must run a constant number of
    queries. The anonymous page is cached until the log grows, so an app whose
    section changes without an event calls `page_cache.invalidate()`.
    `place` is "main" (under the plan) or "aside" (beside it); `order` sorts them.
    """

    code: str
    template: str
    context: Callable
    place: str = "main"
    order: int = 100


_DETAIL_SECTIONS: dict[str, DetailSection] = {}


def register_detail_section(section: DetailSection) -> None:
    known = _DETAIL_SECTIONS.get(section.code)
    if known is not None and known != section:
        raise ValueError(f"Detail section {section.code!r} is registered twice, differently.")
    _DETAIL_SECTIONS[section.code] = section


def detail_sections() -> list[DetailSection]:
    return sorted(_DETAIL_SECTIONS.values(), key=lambda s: (s.order, s.code))


# -- Facts for the reviewer -------------------------------------------------------------

# `facts(challenge) -> list[(label, value)]`: figures shown on the admin's challenge
# page beside the assessment (label and value in the reader's language).
ReviewFacts = Callable[..., list]

_REVIEW_FACTS: list[ReviewFacts] = []


def register_review_facts(facts: ReviewFacts) -> None:
    if facts not in _REVIEW_FACTS:
        _REVIEW_FACTS.append(facts)


def review_facts() -> list[ReviewFacts]:
    return list(_REVIEW_FACTS)
