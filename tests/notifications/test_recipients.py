"""Who hears about which event: per visibility, the actor never, followers only of
public events, staff only of internal ones, a draft only its team."""

import pytest

from challenges import services
from challenges.constants import Status, Visibility
from notifications.constants import Channel, Frequency, Reason
from notifications.models import Notification
from notifications.recipients import municipality_people
from notifications.services import follow_create, preferences_update
from tests.challenges.factories import (
    ChallengeFactory,
    CoordinatorFactory,
    ReviewerFactory,
    UserFactory,
    add_co_initiator,
    challenge_in,
)

pytestmark = pytest.mark.django_db


def _told(event, channel=Channel.IN_APP) -> set:
    return set(
        Notification.objects.filter(event=event, channel=channel).values_list(
            "recipient_id", flat=True
        )
    )


def _ids(*users) -> set:
    return {user.pk for user in users}


@pytest.mark.parametrize(
    ("visibility", "expected"),
    [
        (Visibility.PUBLIC, ["initiator", "co_initiator", "follower"]),
        (Visibility.PARTIES, ["initiator", "co_initiator"]),
        (Visibility.INTERNAL, []),
    ],
)
def test_a_note_by_the_reviewer_reaches_by_visibility(circle, visibility, expected):
    event = services.challenge_add_note(
        challenge=circle.challenge, actor=circle.reviewer, text="x", visibility=visibility
    )
    # The reviewer wrote it: the only staff on the challenge is the actor.
    assert _told(event) == _ids(*(getattr(circle, name) for name in expected))
    assert circle.bystander.pk not in _told(event)


@pytest.mark.parametrize(
    ("visibility", "expected"),
    [
        (Visibility.PUBLIC, ["co_initiator", "reviewer", "follower"]),
        (Visibility.PARTIES, ["co_initiator", "reviewer"]),
    ],
)
def test_an_addition_by_the_team_reaches_the_municipality_too(circle, visibility, expected):
    event = services.challenge_add_addition(
        challenge=circle.challenge, actor=circle.initiator, text="x", visibility=visibility
    )
    assert _told(event) == _ids(*(getattr(circle, name) for name in expected))


def test_internal_events_reach_the_staff_who_acted_and_nobody_else(circle):
    coordinator = CoordinatorFactory()
    services.challenge_add_note(
        challenge=circle.challenge, actor=coordinator, text="Ik kijk mee.", visibility="parties"
    )
    event = services.challenge_add_note(
        challenge=circle.challenge, actor=circle.reviewer, text="Intern.", visibility="internal"
    )
    assert _told(event) == _ids(coordinator)
    row = Notification.objects.get(event=event, recipient=coordinator, channel=Channel.EMAIL)
    assert row.reason == Reason.MUNICIPALITY


def test_before_any_staff_acted_every_active_reviewer_hears_of_a_submission(db):
    reviewers = [ReviewerFactory(), ReviewerFactory()]
    ReviewerFactory(is_active=False)
    CoordinatorFactory()  # not a reviewer
    ReviewerFactory(is_staff=False)  # in the group, but no longer staff: no role
    draft = ChallengeFactory()
    challenge = services.challenge_transition(
        challenge=draft, to_status=Status.SUBMITTED, actor=draft.initiator
    )
    event = challenge.events.get(code="submitted")
    assert _told(event) == _ids(*reviewers)  # the initiator acted: not told


def test_once_staff_acted_only_they_hear_for_the_municipality(circle):
    ReviewerFactory()  # another reviewer, not on this challenge
    event = services.challenge_add_addition(
        challenge=circle.challenge, actor=circle.initiator, text="x", visibility="parties"
    )
    assert _told(event) == _ids(circle.co_initiator, circle.reviewer)


def test_staff_who_lost_their_role_hear_nothing_more(circle):
    circle.reviewer.groups.clear()
    event = services.challenge_add_addition(
        challenge=circle.challenge, actor=circle.initiator, text="x", visibility="parties"
    )
    assert circle.reviewer.pk not in _told(event)
    assert circle.reviewer.pk not in municipality_people(circle.challenge)


def test_a_superuser_who_acted_counts_as_municipality(circle):
    boss = UserFactory(is_staff=True, is_superuser=True)
    services.challenge_add_note(
        challenge=circle.challenge, actor=boss, text="x", visibility="parties"
    )
    event = services.challenge_add_addition(
        challenge=circle.challenge, actor=circle.initiator, text="y", visibility="parties"
    )
    assert _told(event) == _ids(circle.co_initiator, circle.reviewer, boss)


def test_events_on_a_draft_reach_only_its_team(db):
    ReviewerFactory()
    draft = ChallengeFactory()
    co_initiator = add_co_initiator(draft)  # invited and joined: two parties events
    joined = draft.events.get(code="co_initiator_joined")
    assert _told(joined) == _ids(draft.initiator)
    invited = draft.events.get(code="co_initiator_invited")
    assert _told(invited) == set()  # the initiator invited; the invitee is not on the team yet
    assert co_initiator.pk not in _told(invited)


def test_deactivated_people_and_former_followers_hear_nothing(circle):
    circle.co_initiator.is_active = False
    circle.co_initiator.save()
    from notifications.services import follow_delete

    follow_delete(user=circle.follower, challenge=circle.challenge)
    event = services.challenge_add_note(
        challenge=circle.challenge, actor=circle.reviewer, text="x", visibility="public"
    )
    assert _told(event) == _ids(circle.initiator)


def test_a_team_member_who_also_follows_is_told_once_as_team(circle):
    follow_create(user=circle.co_initiator, challenge=circle.challenge)
    event = services.challenge_add_note(
        challenge=circle.challenge, actor=circle.reviewer, text="x", visibility="public"
    )
    rows = Notification.objects.filter(event=event, recipient=circle.co_initiator)
    assert sorted(rows.values_list("channel", "reason")) == [
        (Channel.EMAIL, Reason.TEAM),
        (Channel.IN_APP, Reason.TEAM),
    ]


@pytest.mark.parametrize(
    ("frequency", "email_row"),
    [
        (None, Frequency.IMMEDIATE),  # never chose: immediately
        (Frequency.IMMEDIATE, Frequency.IMMEDIATE),
        (Frequency.DAILY, Frequency.DAILY),
        (Frequency.WEEKLY, Frequency.WEEKLY),
        (Frequency.OFF, None),
    ],
)
def test_the_preference_per_kind_decides_the_email_row(circle, frequency, email_row):
    if frequency:
        preferences_update(user=circle.follower, frequencies={"progress": frequency})
    # Another kind's preference does not interfere.
    preferences_update(user=circle.follower, frequencies={"conversation": Frequency.OFF})
    challenge = services.challenge_transition(
        challenge=circle.challenge, to_status=Status.ASSESSMENT, actor=circle.reviewer
    )
    event = challenge.events.latest("created_at")
    rows = dict(
        Notification.objects.filter(event=event, recipient=circle.follower).values_list(
            "channel", "frequency"
        )
    )
    assert rows.get(Channel.EMAIL) == email_row
    assert Channel.IN_APP in rows  # the notification centre always has it


def test_when_a_coordinator_closes_the_reviewer_who_acted_is_told(db):
    reviewer, coordinator = ReviewerFactory(), CoordinatorFactory()
    challenge = challenge_in(Status.EVALUATION, reviewer=reviewer)
    challenge = services.challenge_transition(
        challenge=challenge, to_status=Status.COMPLETED, actor=coordinator
    )
    closing = challenge.events.latest("created_at")
    assert _told(closing) == _ids(challenge.initiator, reviewer)  # not the actor
