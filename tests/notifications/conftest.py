"""Fixtures of the notification tests: a small world of people around one challenge
(team, municipality, followers, bystanders). The controlled clock is in
tests/conftest.py."""

from dataclasses import dataclass

import pytest

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
