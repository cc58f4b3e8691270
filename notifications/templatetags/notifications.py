"""Template helpers for notifications: the header's unread count, the follow button,
and dates stored as ISO text in timeline event data."""

from datetime import datetime

from django import template

from .. import selectors

register = template.Library()


@register.filter
def iso_datetime(value):
    """'2026-03-01T09:00:00+00:00' → an aware datetime (for the `date` filter)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@register.simple_tag(takes_context=True)
def unread_notification_count(context) -> int:
    """One query, for a logged-in user only (0 otherwise), cached for the request."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, "_rtc_unread_notifications", None)
    if cached is None:
        cached = selectors.unread_count(user)
        request._rtc_unread_notifications = cached
    return cached


@register.simple_tag(takes_context=True)
def follows_challenge(context, challenge) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return selectors.is_following(user, challenge)
