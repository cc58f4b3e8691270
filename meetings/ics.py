"""A meeting as an iCalendar object (RFC 5545), for the e-mails and the download.

One VCALENDAR with one VEVENT: the UID is stable per meeting (its `uid`), DTSTART
and DTEND are in UTC, SEQUENCE grows with every change, METHOD is REQUEST for an
invitation and CANCEL (with STATUS:CANCELLED) for a cancellation (RFC 5546), so a
calendar that took the invitation in replaces or removes the same entry.

The e-mail's file is built from the timeline event's data alone (what the meeting
was when the event was written), so a message sent later still says what happened
then; the download is built from the meeting as it is now.
"""

from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .constants import MeetingKind, MeetingStatus

PRODID = "-//Right to Challenge portal//Meetings//EN"
MIMETYPE = "text/calendar"
REQUEST = "REQUEST"
CANCEL = "CANCEL"


def snapshot(meeting) -> dict:
    """What an invitation needs, as timeline data (strings and integers only)."""
    return {
        "meeting": meeting.pk,
        "uid": str(meeting.uid),
        "kind": meeting.kind,
        "starts_at": meeting.starts_at.isoformat() if meeting.starts_at else "",
        "ends_at": meeting.ends_at.isoformat() if meeting.ends_at else "",
        "place": meeting.place,
        "online_url": meeting.online_url,
        "sequence": meeting.sequence,
        "agenda": meeting.agenda,
    }


def uid_of(data: dict) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"meeting-{data['uid']}@{host}"


def _kind_label(kind: str) -> str:
    try:
        return str(MeetingKind(kind).label)
    except ValueError:
        return kind


def build(data: dict, *, challenge, method: str, stamp: datetime, agenda: str = "") -> bytes:
    """The calendar file of one meeting (`data` as `snapshot` makes it), in the active
    language."""
    from icalendar import Calendar, Event, vCalAddress, vText

    starts = datetime.fromisoformat(data["starts_at"]).astimezone(UTC)
    ends = datetime.fromisoformat(data["ends_at"]).astimezone(UTC)
    page = f"{settings.SITE_URL}/challenges/{challenge.pk}/meetings/{data['meeting']}/"

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    event = Event()
    event.add("uid", uid_of(data))
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("sequence", int(data.get("sequence") or 0))
    title = " ".join(part for part in (challenge.reference, challenge.title) if part)
    event.add("summary", f"{_kind_label(data['kind'])}: {title}")
    description = [agenda.strip()] if agenda and agenda.strip() else []
    description.append(_("The meeting on the Right to Challenge portal: %(url)s") % {"url": page})
    event.add("description", "\n\n".join(description))
    if data.get("online_url"):
        event.add("location", data["online_url"])
        event.add("url", data["online_url"])
    else:
        event.add("location", data.get("place") or "")
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = vText(_("Right to Challenge portal"))
    event.add("organizer", organizer)
    if method == CANCEL:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()


def filename(data: dict) -> str:
    return f"meeting-{data['meeting']}.ics"


def for_meeting(meeting, *, challenge) -> tuple[str, bytes] | None:
    """The download of a meeting as it is now: an invitation once scheduled, a
    cancellation once a scheduled meeting was cancelled; None while only proposed."""
    if meeting.starts_at is None:
        return None
    method = CANCEL if meeting.status == MeetingStatus.CANCELLED else REQUEST
    data = snapshot(meeting)
    return filename(data), build(
        data, challenge=challenge, method=method, stamp=timezone.now(), agenda=meeting.agenda
    )


def _event_attachment(event, method: str) -> list:
    data = event.data or {}
    if data.get("erased") or not data.get("starts_at") or not data.get("uid"):
        return []
    # In the recipient's language: the delivery calls this under their language.
    content = build(
        data,
        challenge=event.challenge,
        method=method,
        stamp=event.created_at,
        agenda=data.get("agenda", ""),
    )
    # The method as a parameter too: some mail programs look for it there to show the
    # message as an invitation (RFC 6047).
    return [(filename(data), content, f"{MIMETYPE}; method={method}")]


def scheduled_attachments(event) -> list:
    """`EventType.attachments` of "meeting scheduled": the invitation."""
    return _event_attachment(event, REQUEST)


def cancelled_attachments(event) -> list:
    """`EventType.attachments` of "meeting cancelled": the cancellation, when the
    meeting had been scheduled (a proposal nobody took up was in no calendar)."""
    if not (event.data or {}).get("was_scheduled"):
        return []
    return _event_attachment(event, CANCEL)
