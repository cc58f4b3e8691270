"""Template filters of the meeting pages and timeline entries."""

from datetime import datetime

from django import template

from ..constants import MeetingKind

register = template.Library()


@register.filter
def meeting_moment(value):
    """An ISO time from timeline data -> an aware datetime (for the `date` filter)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@register.filter
def meeting_kind(value) -> str:
    """A kind's label in the reader's language ('' for an unknown value)."""
    try:
        return MeetingKind(value).label
    except ValueError:
        return ""
