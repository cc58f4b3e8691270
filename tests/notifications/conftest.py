"""Fixtures of the notification tests: a controlled clock and a small world of people
around one challenge (team, municipality, followers, bystanders)."""

from dataclasses import dataclass
from datetime import UTC, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from challenges.constants import Status
from notifications import services as notification_services
from notifications.constants import DeliveryStatus
from notifications.models import Notification
from tests.challenges.factories import (
    ReviewerFactory,
    UserFactory,
    add_co_initiator,
    challenge_in,
)


class Clock:
    def __init__(self, now):
        self.now = now

    def set(self, moment):
        self.now = moment

    def advance(self, **delta):
        # In absolute time: aware arithmetic in a local zone would keep the wall
        # clock across a daylight-saving change instead.
        self.now = self.now.astimezone(UTC) + timedelta(**delta)


@pytest.fixture
def clock():
    """A controllable `timezone.now()` for services, tasks and the model defaults."""
    controlled = Clock(timezone.now())
    with mock.patch("django.utils.timezone.now", side_effect=lambda: controlled.now):
        yield controlled


@dataclass
class Circle:
    challenge: object
    initiator: object
    co_initiator: object
    reviewer: object
    follower: object
    bystander: object

    def emails_of(self, *names) -> set[str]:
        return {getattr(self, name).email for name in names}


@pytest.fixture
def circle(db):
    """A challenge in intake (the reviewer started it), with a co-initiator, a follower
    and a logged-in bystander who has nothing to do with it."""
    reviewer = ReviewerFactory()
    challenge = challenge_in(Status.INTAKE, reviewer=reviewer)
    co_initiator = add_co_initiator(challenge)
    follower = UserFactory()
    notification_services.follow_create(user=follower, challenge=challenge)
    # The setup's own e-mail (its on-commit delivery never ran in this transaction)
    # is not what the tests are about: start from an empty outbox.
    Notification.objects.filter(status=DeliveryStatus.PENDING).update(status=DeliveryStatus.SKIPPED)
    return Circle(
        challenge=challenge,
        initiator=challenge.initiator,
        co_initiator=co_initiator,
        reviewer=reviewer,
        follower=follower,
        bystander=UserFactory(),
    )
