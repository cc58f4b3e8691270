"""Who may do what with a challenge's meetings: named predicates used by views,
services, selectors and the detail section alike.

The parties are those of the partnership (`partnerships.permissions.side_of`): the
challenger team, and the municipality's people (a reviewer or coordinator; the
municipality's fixed contact person is one of them). Everybody else, a logged-in
resident outside the team included, does not know the meetings exist: 404.
"""

from django.utils import timezone

from challenges.constants import FINAL_STATUSES, Status
from partnerships.permissions import side_of

from .constants import MeetingStatus

__all__ = ["side_of"]


def can_view_meetings(user, challenge) -> bool:
    """The parties of a submitted challenge (also once it is closed: the record)."""
    return challenge.status != Status.DRAFT and side_of(user, challenge) is not None


def meetings_are_open(challenge) -> bool:
    """New meetings, picks and cancellations while the challenge runs."""
    return challenge.status != Status.DRAFT and challenge.status not in FINAL_STATUSES


def can_propose(user, challenge) -> bool:
    return meetings_are_open(challenge) and side_of(user, challenge) is not None


def can_pick(user, meeting, challenge=None) -> bool:
    """The other side than the proposer's picks a slot: never the proposer's own."""
    challenge = challenge or meeting.challenge
    side = side_of(user, challenge)
    return (
        meetings_are_open(challenge)
        and meeting.status == MeetingStatus.PROPOSED
        and side is not None
        and side != meeting.proposer_side
    )


def can_cancel(user, meeting, challenge=None) -> bool:
    """Either side, until the meeting has begun."""
    challenge = challenge or meeting.challenge
    if not meetings_are_open(challenge) or side_of(user, challenge) is None:
        return False
    if meeting.status == MeetingStatus.PROPOSED:
        return True
    return meeting.status == MeetingStatus.SCHEDULED and not meeting.has_started(timezone.now())


def can_add_minutes(user, meeting, challenge=None) -> bool:
    """Either side, once a scheduled meeting has begun (also after the challenge closed:
    the evaluation's minutes come last)."""
    challenge = challenge or meeting.challenge
    return (
        challenge.status != Status.DRAFT
        and side_of(user, challenge) is not None
        and meeting.status == MeetingStatus.SCHEDULED
        and meeting.has_started(timezone.now())
    )
