"""Partnership events have notification kinds of their own: a person who switches
one kind off is spared exactly those e-mails (and still sees them in the centre)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from challenges.constants import Visibility
from challenges.services import challenge_add_note
from notifications.constants import Channel, Frequency
from notifications.models import Notification
from notifications.selectors import frequencies_for
from notifications.services import preferences_update
from partnerships import services

pytestmark = pytest.mark.django_db


def _mailed(person) -> bool:
    return any(m.to == [person.email] for m in mail.outbox)


def test_conversation_off_silences_workspace_messages_and_nothing_else(
    in_agreement, django_capture_on_commit_callbacks
):
    p = in_agreement
    frequencies = {**frequencies_for(p.challenger), "conversation": Frequency.OFF}
    preferences_update(user=p.challenger, frequencies=frequencies)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(challenge=p.challenge, actor=p.municipality, text="Even bijpraten?")
    assert not _mailed(p.challenger)
    assert _mailed(p.co_initiator)  # whose preference is the default
    # Still in the notification centre.
    assert Notification.objects.filter(
        recipient=p.challenger, channel=Channel.IN_APP, event__code="message_posted"
    ).exists()

    others = [
        lambda: services.knot_raise(
            challenge=p.challenge,
            actor=p.municipality,
            question="Wie betaalt het groenafval?",
            decision_needed="Een besluit over de afvoer.",
            needed_by=timezone.localdate() + timedelta(days=14),
        ),
        lambda: services.milestone_create(
            challenge=p.challenge,
            actor=p.municipality,
            title="Eerste maaironde",
            owner_side="challenger",
            due_date=timezone.localdate() + timedelta(days=30),
        ),
    ]
    for make in others:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            make()
        assert _mailed(p.challenger)


def test_each_partnership_sub_domain_has_its_own_kind(
    in_agreement, django_capture_on_commit_callbacks
):
    p = in_agreement
    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(challenge=p.challenge, actor=p.municipality, text="Hallo")
        challenge_add_note(
            challenge=p.challenge,
            actor=p.municipality,
            text="Notitie",
            visibility=Visibility.PARTIES,
        )
        services.knot_raise(
            challenge=p.challenge,
            actor=p.municipality,
            question="Wie beslist?",
            decision_needed="Wie tekent.",
            needed_by=timezone.localdate() + timedelta(days=7),
        )
    kinds = dict(
        Notification.objects.filter(recipient=p.challenger, channel=Channel.EMAIL).values_list(
            "event__code", "kind"
        )
    )
    assert kinds["message_posted"] == "conversation"
    assert kinds["note"] == "conversation"
    assert kinds["knot_raised"] == "knots"
