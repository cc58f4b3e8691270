"""Helpers of the meeting tests (imported as `tests.meetings.factories`): the parties
of a challenge, future time slots, and a meeting proposed through the service."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from challenges.constants import Status
from meetings import services
from meetings.constants import MeetingKind
from tests.challenges.factories import (
    CoordinatorFactory,
    ReviewerFactory,
    UserFactory,
    add_co_initiator,
    challenge_in,
)


@dataclass
class Parties:
    """A challenge in intake and the people around it: `municipality` is the
    municipality's fixed contact person (a reviewer), `challenger` the initiator (the
    challenger's contact person), `co_initiator` another team member, `colleague`
    another reviewer, `outsider` a logged-in resident with no part in it."""

    challenge: object
    municipality: object
    challenger: object
    co_initiator: object
    colleague: object
    coordinator: object
    outsider: object


def parties(status: str = Status.INTAKE) -> Parties:
    municipality = ReviewerFactory()
    coordinator = CoordinatorFactory()
    challenge = challenge_in(status, reviewer=municipality, coordinator=coordinator)
    co_initiator = add_co_initiator(challenge)
    return Parties(
        challenge=challenge,
        municipality=municipality,
        challenger=challenge.initiator,
        co_initiator=co_initiator,
        colleague=ReviewerFactory(),
        coordinator=coordinator,
        outsider=UserFactory(),
    )


def at(days: int, hour: int, minute: int = 0) -> datetime:
    """An aware moment `days` from today, at a local wall-clock time."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def future_slots(count: int, *, first_day: int = 3, hours: int = 1) -> list:
    """`count` slots on consecutive days from `first_day` days ahead, at 19:30."""
    return [
        (at(first_day + n, 19, 30), at(first_day + n, 19, 30) + timedelta(hours=hours))
        for n in range(count)
    ]


def propose(challenge, actor, *, slots=None, kind=MeetingKind.INTAKE, **fields):
    fields.setdefault("place", "" if fields.get("online_url") else "Buurthuis De Schakel, zaal 2")
    return services.meeting_propose(
        challenge=challenge,
        actor=actor,
        kind=kind,
        slots=future_slots(3) if slots is None else slots,
        agenda=fields.pop("agenda", "Kennismaken en de planning doornemen."),
        **fields,
    )
