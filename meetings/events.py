"""The notification kind, event types and challenge-page section that `meetings`
declares; registered from `MeetingsConfig.ready()` in the registries of `challenges`
(which never imports this app)."""

from django.utils.translation import gettext_lazy as _

from challenges.registry import DetailSection, EventType, NotificationKind

from . import ics, permissions, selectors
from .constants import MeetingEvent

MEETINGS = "meetings"

KINDS = [
    NotificationKind(
        MEETINGS, _("Meetings: proposed, scheduled, cancelled, minutes and reminders")
    ),
]

E = MeetingEvent
EVENT_TYPES = [
    EventType(code=E.PROPOSED.value, label=E.PROPOSED.label, kind=MEETINGS),
    EventType(
        code=E.SCHEDULED.value,
        label=E.SCHEDULED.label,
        kind=MEETINGS,
        attachments=ics.scheduled_attachments,
        # Both sides get the invitation: the one who picked the time as well.
        tells_actor=True,
    ),
    EventType(
        code=E.CANCELLED.value,
        label=E.CANCELLED.label,
        kind=MEETINGS,
        attachments=ics.cancelled_attachments,
        tells_actor=True,
    ),
    EventType(code=E.MINUTES_ADDED.value, label=E.MINUTES_ADDED.label, kind=MEETINGS),
    EventType(code=E.REMINDER.value, label=E.REMINDER.label, kind=MEETINGS, automated=True),
]


def section_context(request, challenge, page_context) -> dict | None:
    """The meetings box beside the plan: for the parties only (None for anybody else)."""
    if not permissions.can_view_meetings(request.user, challenge):
        return None
    return {
        **selectors.upcoming(challenge),
        "can_propose": permissions.can_propose(request.user, challenge),
        "challenge": challenge,
    }


SECTION = DetailSection(
    code="meetings",
    template="meetings/_section.html",
    context=section_context,
    place="aside",
    order=50,
)
