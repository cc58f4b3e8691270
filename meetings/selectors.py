"""The reads the meeting pages, the challenge page's section and the beat task share.
Each runs a fixed number of queries, whatever the number of meetings or slots."""

from datetime import timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from challenges.models import Challenge

from .constants import REMINDER_HOURS, MeetingStatus
from .models import Meeting, MeetingSlot, Minutes


def meetings_of(challenge: Challenge) -> QuerySet[Meeting]:
    """Every meeting of a challenge with its slots (one query for all the slots)."""
    return (
        Meeting.objects.filter(challenge=challenge)
        .select_related("proposed_by", "picked_by", "cancelled_by")
        .prefetch_related(Prefetch("slots", queryset=MeetingSlot.objects.order_by("starts_at")))
        .order_by("-created_at", "-pk")
    )


def meeting_of(challenge: Challenge, meeting_id) -> Meeting | None:
    """One meeting of this challenge (None when it is not this challenge's)."""
    return (
        Meeting.objects.filter(challenge=challenge, pk=meeting_id)
        .select_related("proposed_by", "picked_by", "cancelled_by")
        .first()
    )


def slots_of(meeting: Meeting) -> list[MeetingSlot]:
    return list(MeetingSlot.objects.filter(meeting=meeting).order_by("starts_at", "pk"))


def minutes_of(meeting: Meeting) -> list[Minutes]:
    return list(Minutes.objects.filter(meeting=meeting).select_related("uploaded_by"))


def upcoming(challenge: Challenge, *, limit: int = 3) -> dict:
    """For the challenge page: the next scheduled meetings and the proposals waiting
    for a pick (two queries)."""
    now = timezone.now()
    scheduled = list(
        Meeting.objects.filter(
            challenge=challenge, status=MeetingStatus.SCHEDULED, ends_at__gt=now
        ).order_by("starts_at", "pk")[:limit]
    )
    waiting = list(
        Meeting.objects.filter(challenge=challenge, status=MeetingStatus.PROPOSED).order_by(
            "-created_at", "-pk"
        )[:limit]
    )
    return {"scheduled": scheduled, "waiting": waiting}


def due_for_reminder() -> list[int]:
    """Ids of scheduled meetings that begin within REMINDER_HOURS and have had no
    reminder yet (the service decides the rest, under its lock)."""
    now = timezone.now()
    return list(
        Meeting.objects.filter(
            status=MeetingStatus.SCHEDULED,
            reminded_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + timedelta(hours=REMINDER_HOURS),
        )
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)
    )
