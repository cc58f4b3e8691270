"""Rendered timeline events, cached: an event never changes once written (only an
erasure does, and it is part of the key), so its fragment is rendered once per
language and per view (parties or public) and then read from the cache.

`prerender(events, show_parties=...)` fetches the fragments of a whole page with one
cache round trip and renders only the missing ones; `render_event` in the templates
then uses `event.rendered`. A failing cache means rendering everything, never an
error.
"""

import logging

from django.core.cache import cache
from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import mark_safe

logger = logging.getLogger(__name__)

# Part of every key: bump it when the event templates change in a way that must
# not wait for the cache to expire.
TEMPLATE_VERSION = 1
TIMEOUT = 7 * 24 * 3600


def render(event, *, show_parties: bool) -> str:
    """One event rendered with its own template, in the active language."""
    return get_template(event.template_name).render(
        {
            "event": event,
            "data": event.data,
            "show_parties": show_parties,
            "LANGUAGE_CODE": translation.get_language(),
        }
    )


def _key(event, show_parties: bool) -> str:
    erased = int(event.erased_at.timestamp()) if event.erased_at else 0
    # The digest, not only the id: it is unique to the entry's content and salt, so
    # a database restored or rebuilt under a lasting cache never shows another entry.
    return (
        f"rtc:event:{TEMPLATE_VERSION}:{event.pk}:{event.digest[:32]}:"
        f"{translation.get_language()}:{int(bool(show_parties))}:{erased}"
    )


def prerender(events, *, show_parties: bool) -> None:
    events = [event for event in events if not event.is_erased]
    if not events:
        return
    keys = {event.pk: _key(event, show_parties) for event in events}
    try:
        found = cache.get_many(list(keys.values()))
    except Exception:
        logger.warning("Event cache unavailable; rendering every event.", exc_info=True)
        found, keys = {}, {}
    missing = {}
    for event in events:
        html = found.get(keys.get(event.pk, ""))
        if html is None:
            html = render(event, show_parties=show_parties)
            if event.pk in keys:
                missing[keys[event.pk]] = html
        event.rendered = mark_safe(html)  # noqa: S308 (our own templates' output)
    if missing:
        try:
            cache.set_many(missing, timeout=TIMEOUT)
        except Exception:
            logger.warning("Could not store rendered events.", exc_info=True)
