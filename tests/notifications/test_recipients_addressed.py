"""The recipient hook: an event whose data names `recipient_ids` also reaches those
people (reason "addressed"), whatever its visibility; never on a draft; the actor
and deactivated accounts still never; malformed ids are ignored. Tested with an
event code of `challenges`, so the hook is generic, not the community app's own."""

import pytest
from django.db import transaction

from challenges.constants import EventCode, Role, Status, Visibility
from challenges.timeline import record_event
from notifications.constants import Channel, Reason
from notifications.models import Notification
from tests.challenges.factories import ChallengeFactory, ReviewerFactory, UserFactory, challenge_in

pytestmark = pytest.mark.django_db


def _record(challenge, *, visibility, recipient_ids, actor=None):
    with transaction.atomic():
        return record_event(
            challenge=challenge,
            code=EventCode.NOTE,
            visibility=visibility,
            actor=actor,
            actor_role=Role.REVIEWER if actor else "",
            data={"text": "Voor jou.", "recipient_ids": recipient_ids},
        )


def _reasons(event) -> dict:
    return dict(
        Notification.objects.filter(event=event, channel=Channel.IN_APP).values_list(
            "recipient_id", "reason"
        )
    )


@pytest.mark.parametrize("visibility", [Visibility.PUBLIC, Visibility.PARTIES, Visibility.INTERNAL])
def test_an_addressed_person_is_told_with_the_reason_addressed(visibility):
    reviewer = ReviewerFactory()
    challenge = challenge_in(Status.SUBMITTED, reviewer=reviewer)
    outsider = UserFactory()
    event = _record(challenge, visibility=visibility, recipient_ids=[outsider.pk], actor=reviewer)
    reasons = _reasons(event)
    assert reasons[outsider.pk] == Reason.ADDRESSED
    assert reviewer.pk not in reasons  # the actor is never told


def test_without_recipient_ids_an_outsider_hears_nothing():
    challenge = challenge_in(Status.SUBMITTED)
    outsider = UserFactory()
    event = _record(challenge, visibility=Visibility.PARTIES, recipient_ids=[])
    assert outsider.pk not in _reasons(event)


def test_not_on_a_draft_and_not_to_deactivated_accounts_and_malformed_ids_are_ignored():
    draft = ChallengeFactory()
    outsider = UserFactory()
    event = _record(draft, visibility=Visibility.PARTIES, recipient_ids=[outsider.pk])
    assert outsider.pk not in _reasons(event)

    challenge = challenge_in(Status.SUBMITTED)
    gone = UserFactory(is_active=False)
    event = _record(
        challenge, visibility=Visibility.PARTIES, recipient_ids=[gone.pk, "x", -1, True, None]
    )
    assert gone.pk not in _reasons(event)


def test_the_mail_to_an_addressed_person_leads_to_what_they_can_read(
    django_capture_on_commit_callbacks,
):
    """A parties-only event reaches an addressed outsider: the link in their mail goes to
    their notifications (the timeline entry is not theirs to see); the parties' mails
    still lead to the entry."""
    from django.core import mail

    reviewer, outsider = ReviewerFactory(), UserFactory()
    challenge = challenge_in(Status.INTAKE, reviewer=reviewer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event = _record(
            challenge, visibility=Visibility.PARTIES, recipient_ids=[outsider.pk], actor=reviewer
        )
    by_address = {message.to[0]: message.body for message in mail.outbox}
    assert "/notifications/" in by_address[outsider.email]
    assert f"#event-{event.pk}" not in by_address[outsider.email]
    assert f"#event-{event.pk}" in by_address[challenge.initiator.email]
