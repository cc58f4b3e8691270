"""The reviewer a coordinator assigned hears of the challenge's events; with a
reviewer assigned, the other reviewers are no longer all told."""

import pytest

from challenges import services
from challenges.constants import Status
from challenges.models import TimelineEvent
from notifications.recipients import recipients_for
from tests.challenges.factories import ChallengeFactory, ReviewerFactory

pytestmark = pytest.mark.django_db


def _submitted(resident):
    draft = ChallengeFactory(initiator=resident)
    services.challenge_transition(
        challenge=draft, to_status=Status.SUBMITTED, actor=resident, expected_status=Status.DRAFT
    )
    draft.refresh_from_db()
    return draft


def _addition(challenge, resident):
    services.challenge_add_addition(
        challenge=challenge, actor=resident, text="Een aanvulling.", visibility="parties"
    )
    return TimelineEvent.objects.filter(challenge=challenge, code="addition").latest("seq")


def test_without_an_assigned_reviewer_every_reviewer_is_told(resident, coordinator):
    first, second = ReviewerFactory(), ReviewerFactory()
    challenge = _submitted(resident)
    ids = {row[0] for row in recipients_for(_addition(challenge, resident))}
    assert {first.pk, second.pk} <= ids


def test_the_assigned_reviewer_is_told_and_the_others_not(resident, coordinator):
    assigned, other = ReviewerFactory(), ReviewerFactory()
    challenge = _submitted(resident)
    services.challenge_assign_reviewer(challenge=challenge, actor=coordinator, reviewer=assigned)
    challenge.refresh_from_db()
    ids = {row[0] for row in recipients_for(_addition(challenge, resident))}
    assert assigned.pk in ids
    assert other.pk not in ids


def test_the_other_reviewers_beside_the_lead_are_told_too(resident, coordinator):
    lead, beside, bystander = ReviewerFactory(), ReviewerFactory(), ReviewerFactory()
    challenge = _submitted(resident)
    services.challenge_assign_reviewer(
        challenge=challenge, actor=coordinator, reviewer=lead, co_reviewers=[beside]
    )
    challenge.refresh_from_db()
    ids = {row[0] for row in recipients_for(_addition(challenge, resident))}
    assert {lead.pk, beside.pk} <= ids
    assert bystander.pk not in ids
