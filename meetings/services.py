"""The one writer of meetings: propose, pick a slot, cancel, add the minutes, and the
reminder the day before.

Each service runs in one transaction: it locks the challenge row first
(`challenges.services.locked_challenge`, so every change to one challenge queues
up), then the meeting row, checks, saves, and records its timeline event (parties
only) in the same transaction. Two people picking a slot at the same moment: the
second waits for the first's lock, then finds the meeting scheduled and is refused.
"""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.constants import Role, Visibility
from challenges.models import Challenge
from challenges.permissions import staff_roles
from challenges.services import locked_challenge
from challenges.timeline import record_event
from core.errors import ServiceError
from core.uploads import store_checked
from partnerships.constants import Side
from partnerships.uploads import UploadRefused, check_upload

from . import ics, permissions
from .constants import (
    MAX_DAYS_AHEAD,
    MAX_MINUTES,
    MAX_SLOTS,
    MIN_MINUTES,
    MIN_SLOTS,
    REMINDER_HOURS,
    MeetingEvent,
    MeetingKind,
    MeetingStatus,
)
from .models import Meeting, MeetingSlot, Minutes

E = MeetingEvent
PARTIES = Visibility.PARTIES
_url_validator = URLValidator(schemes=["https", "http"])


def _acting_role(user, side: str) -> str:
    if side == Side.CHALLENGER:
        return Role.CHALLENGER
    return Role.COORDINATOR if Role.COORDINATOR in staff_roles(user) else Role.REVIEWER


def _require_side(user, challenge) -> str:
    side = permissions.side_of(user, challenge)
    if side is None:
        raise ServiceError(_("Only the challenger team and the municipality can do this."))
    return side


def _require_open(challenge) -> None:
    if not permissions.meetings_are_open(challenge):
        raise ServiceError(_("This challenge is closed: no meetings can be planned or changed."))


def _locked_meeting(meeting: Meeting) -> tuple[Challenge, Meeting]:
    challenge = locked_challenge(meeting.challenge)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    return challenge, locked


def _check_slots(slots, now: datetime) -> list[tuple[datetime, datetime]]:
    slots = list(slots or [])
    if not MIN_SLOTS <= len(slots) <= MAX_SLOTS:
        raise ServiceError(
            _("Offer at least %(min)s and at most %(max)s time slots."),
            params={"min": MIN_SLOTS, "max": MAX_SLOTS},
        )
    checked = []
    for number, (starts, ends) in enumerate(slots, start=1):
        if starts is None or ends is None or timezone.is_naive(starts) or timezone.is_naive(ends):
            raise ServiceError(
                _("Time slot %(n)s needs a date, a start and an end."), params={"n": number}
            )
        if ends <= starts:
            raise ServiceError(
                _("Time slot %(n)s ends before it starts: the end must be after the start."),
                params={"n": number},
            )
        if starts <= now:
            raise ServiceError(
                _("Time slot %(n)s is in the past: offer times that are still to come."),
                params={"n": number},
            )
        if starts > now + timedelta(days=MAX_DAYS_AHEAD):
            raise ServiceError(
                _("Time slot %(n)s is more than a year ahead: offer a nearer time."),
                params={"n": number},
            )
        minutes = (ends - starts).total_seconds() / 60
        if not MIN_MINUTES <= minutes <= MAX_MINUTES:
            raise ServiceError(
                _("Time slot %(n)s must last between %(min)s minutes and %(max)s hours."),
                params={"n": number, "min": MIN_MINUTES, "max": MAX_MINUTES // 60},
            )
        checked.append((starts, ends))
    if len({starts for starts, _ends in checked}) != len(checked):
        raise ServiceError(_("Two time slots start at the same moment: offer different times."))
    return sorted(checked)


def _check_place(place: str, online_url: str) -> tuple[str, str]:
    place = (place or "").strip()
    online_url = (online_url or "").strip()
    if bool(place) == bool(online_url):
        raise ServiceError(
            _("Say where you meet: either a place, or a link for an online meeting (not both).")
        )
    if len(place) > Meeting._meta.get_field("place").max_length:
        raise ServiceError(_("The place is too long (at most 200 characters)."))
    if online_url:
        if len(online_url) > Meeting._meta.get_field("online_url").max_length:
            raise ServiceError(_("The link is too long (at most 500 characters)."))
        try:
            _url_validator(online_url)
        except ValidationError as error:
            raise ServiceError(
                _("Enter the full link of the online meeting, starting with https://.")
            ) from error
        if not urlsplit(online_url).hostname:
            raise ServiceError(
                _("Enter the full link of the online meeting, starting with https://.")
            )
    return place, online_url


@transaction.atomic
def meeting_propose(
    *,
    challenge: Challenge,
    actor,
    kind: str,
    slots,
    place: str = "",
    online_url: str = "",
    agenda: str = "",
) -> Meeting:
    """Propose a meeting with 1-5 future time slots, at a place or online; the other
    side picks one. A refusal changes nothing."""
    locked = locked_challenge(challenge)
    side = _require_side(actor, locked)
    _require_open(locked)
    if kind not in MeetingKind.values:
        raise ServiceError(_("Choose what kind of meeting this is."))
    now = timezone.now()
    checked = _check_slots(slots, now)
    place, online_url = _check_place(place, online_url)
    agenda = (agenda or "").strip()
    if len(agenda) > Meeting._meta.get_field("agenda").max_length:
        raise ServiceError(_("The agenda is too long (at most 2,000 characters)."))
    meeting = Meeting.objects.create(
        challenge=locked,
        kind=kind,
        proposer_side=side,
        proposed_by=actor,
        place=place,
        online_url=online_url,
        agenda=agenda,
        created_at=now,
    )
    MeetingSlot.objects.bulk_create(
        [MeetingSlot(meeting=meeting, starts_at=s, ends_at=e) for s, e in checked]
    )
    record_event(
        challenge=locked,
        code=E.PROPOSED,
        visibility=PARTIES,
        actor=actor,
        actor_role=_acting_role(actor, side),
        data={
            "meeting": meeting.pk,
            "kind": kind,
            "side": side,
            "slots": [[s.isoformat(), e.isoformat()] for s, e in checked],
            "place": place,
            "online": bool(online_url),
        },
    )
    return meeting


@transaction.atomic
def meeting_pick(*, meeting: Meeting, slot_id: int, actor) -> Meeting:
    """The other side picks one of the proposed slots: the meeting is scheduled and
    both sides get the invitation (the event's e-mail carries the .ics)."""
    challenge, locked = _locked_meeting(meeting)
    side = _require_side(actor, challenge)
    _require_open(challenge)
    if locked.status == MeetingStatus.SCHEDULED:
        raise ServiceError(_("A time has already been picked for this meeting."))
    if locked.status != MeetingStatus.PROPOSED:
        raise ServiceError(_("This meeting was cancelled; propose a new one."))
    if side == locked.proposer_side:
        raise ServiceError(
            _("Your side proposed these times: the other side picks the one that suits them.")
        )
    slot = MeetingSlot.objects.filter(meeting=locked, pk=slot_id).first()
    if slot is None:
        raise ServiceError(_("Choose one of the proposed time slots."))
    now = timezone.now()
    if slot.starts_at <= now:
        raise ServiceError(_("This time slot has already passed: choose another, or cancel."))
    locked.status = MeetingStatus.SCHEDULED
    locked.starts_at, locked.ends_at = slot.starts_at, slot.ends_at
    locked.picked_by, locked.picked_at = actor, now
    locked.save(update_fields=["status", "starts_at", "ends_at", "picked_by", "picked_at"])
    record_event(
        challenge=challenge,
        code=E.SCHEDULED,
        visibility=PARTIES,
        actor=actor,
        actor_role=_acting_role(actor, side),
        data={**ics.snapshot(locked), "side": side},
    )
    return locked


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor, reason: str) -> Meeting:
    """Either side cancels, with a reason, until the meeting has begun. A scheduled
    meeting's cancellation carries the calendar's CANCEL (the same UID, one more
    SEQUENCE)."""
    challenge, locked = _locked_meeting(meeting)
    side = _require_side(actor, challenge)
    _require_open(challenge)
    reason = (reason or "").strip()
    if locked.status == MeetingStatus.CANCELLED:
        raise ServiceError(_("This meeting has already been cancelled."))
    now = timezone.now()
    if locked.status == MeetingStatus.SCHEDULED and locked.has_started(now):
        raise ServiceError(_("This meeting has already begun; it can no longer be cancelled."))
    if not reason:
        raise ServiceError(_("Say why the meeting is cancelled."))
    if len(reason) > Meeting._meta.get_field("cancel_reason").max_length:
        raise ServiceError(_("The reason is too long (at most 1,000 characters)."))
    was_scheduled = locked.status == MeetingStatus.SCHEDULED
    locked.status = MeetingStatus.CANCELLED
    locked.cancelled_by, locked.cancelled_at, locked.cancel_reason = actor, now, reason
    if was_scheduled:
        locked.sequence += 1
    locked.save(
        update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason", "sequence"]
    )
    record_event(
        challenge=challenge,
        code=E.CANCELLED,
        visibility=PARTIES,
        actor=actor,
        actor_role=_acting_role(actor, side),
        data={
            **ics.snapshot(locked),
            "side": side,
            "reason": reason,
            "was_scheduled": was_scheduled,
        },
    )
    return locked


@transaction.atomic
def minutes_add(
    *, meeting: Meeting, actor, file, name: str | None = None, description: str = ""
) -> Minutes:
    """Attach the minutes of a meeting that has begun: checked by content as the
    workspace's documents are (an image is re-encoded, and the clean copy stored),
    stored under a generated name."""
    challenge, locked = _locked_meeting(meeting)
    side = _require_side(actor, challenge)
    if locked.status != MeetingStatus.SCHEDULED:
        raise ServiceError(_("Only a meeting that took place has minutes."))
    now = timezone.now()
    if not locked.has_started(now):
        raise ServiceError(_("The minutes can be added once the meeting has begun."))
    try:
        checked = check_upload(file, name=name if name is not None else file.name, size=file.size)
    except UploadRefused as refusal:
        raise ServiceError(refusal.message) from refusal
    minutes = Minutes(
        meeting=locked,
        uploaded_by=actor,
        side=side,
        original_name=checked.name,
        description=(description or "").strip()[:300],
        kind=checked.kind.key,
        content_type=checked.kind.content_type,
        size=checked.size,
        sha256=checked.sha256,
        created_at=now,
    )
    store_checked(minutes.file, checked, file)
    try:
        minutes.save()
        record_event(
            challenge=challenge,
            code=E.MINUTES_ADDED,
            visibility=PARTIES,
            actor=actor,
            actor_role=_acting_role(actor, side),
            data={
                "meeting": locked.pk,
                "minutes": minutes.pk,
                "kind": locked.kind,
                "starts_at": locked.starts_at.isoformat(),
                "name": checked.name,
                "size": checked.size,
                "side": side,
            },
        )
    except Exception:
        minutes.file.delete(save=False)
        raise
    return minutes


@transaction.atomic
def meeting_record_reminder(*, meeting: Meeting):
    """The reminder the day before, once per meeting: an automated parties event.
    Returns the event, or None when there is nothing (more) to remind of: not
    scheduled, already reminded, not within REMINDER_HOURS, or picked within them
    (the invitation itself has just gone out)."""
    challenge, locked = _locked_meeting(meeting)
    if locked.status != MeetingStatus.SCHEDULED or locked.reminded_at is not None:
        return None
    now = timezone.now()
    window = timedelta(hours=REMINDER_HOURS)
    if not (now < locked.starts_at <= now + window):
        return None
    if locked.picked_at is not None and locked.picked_at > locked.starts_at - window:
        return None
    locked.reminded_at = now
    locked.save(update_fields=["reminded_at"])
    return record_event(
        challenge=challenge,
        code=E.REMINDER,
        visibility=PARTIES,
        data=ics.snapshot(locked),
    )
