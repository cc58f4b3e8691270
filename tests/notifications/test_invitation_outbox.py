"""The co-initiator invitation e-mail goes through the outbox: a row for the
invitee's address (no account needed), written in the invitation's transaction,
rendered with the token only when it is sent; the token is in no event data."""

import json

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.urls import reverse
from kombu.exceptions import OperationalError

from challenges import services
from challenges.constants import EventCode
from challenges.models import Invitation, TimelineEvent
from challenges.tasks import send_invitation_email
from notifications import delivery, tasks
from notifications.constants import Channel, DeliveryStatus, Reason
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def _invite(challenge, actor, email="buur@example.org"):
    return services.invitation_create(challenge=challenge, actor=actor, email=email)


def test_the_invitation_row_is_written_with_the_invitation_and_sent_after_commit(
    complete_draft, resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(complete_draft, resident)
        row = Notification.objects.get(invitation=invitation)
        assert mail.outbox == []  # nothing leaves before the commit
    assert (row.recipient, row.address, row.channel, row.reason) == (
        None,
        "buur@example.org",
        Channel.EMAIL,
        Reason.INVITEE,
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["buur@example.org"]
    link = settings.SITE_URL + reverse("challenges:invitation", args=[invitation.token])
    assert link in message.body
    assert message.extra_headers["Message-ID"] == delivery.notification_message_id(row.pk)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT
    assert Invitation.objects.get(pk=invitation.pk).sent_at is not None

    # The old task (queued before the change) sends nothing; a second delivery neither.
    assert send_invitation_email.delay(invitation.pk).get() is False
    delivery.deliver_notifications([row.pk])
    assert len(mail.outbox) == 1


def test_the_token_is_in_no_event_data(complete_draft, resident):
    invitation = _invite(complete_draft, resident)
    event = TimelineEvent.objects.get(challenge=complete_draft, code=EventCode.CO_INITIATOR_INVITED)
    assert invitation.token not in json.dumps(event.data)
    assert "buur@example.org" not in json.dumps(event.data)  # masked
    assert event.data["invitation"] == invitation.pk


def test_a_rolled_back_invitation_leaves_no_row_and_no_mail(
    complete_draft, resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                _invite(complete_draft, resident)
                raise RuntimeError("something later in the change failed")
        except RuntimeError:
            pass
    assert not Invitation.objects.exists()
    assert not Notification.objects.filter(address="buur@example.org").exists()
    assert mail.outbox == []


def test_a_broker_outage_loses_no_invitation(
    complete_draft, resident, django_capture_on_commit_callbacks, clock
):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks.deliver_event, "apply_async", refuse)
        with django_capture_on_commit_callbacks(execute=True):
            invitation = _invite(complete_draft, resident)
    assert mail.outbox == []
    assert Notification.objects.get(invitation=invitation).status == DeliveryStatus.PENDING
    clock.advance(seconds=31)
    assert tasks.sweep_pending() == 1
    assert [m.to for m in mail.outbox] == [["buur@example.org"]]
    assert Invitation.objects.get(pk=invitation.pk).sent_at is not None


def test_the_invitation_is_in_the_inviter_s_language(
    complete_draft, resident, django_capture_on_commit_callbacks
):
    resident.language = "en"
    resident.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        _invite(complete_draft, resident)
    assert "invites you to join" in mail.outbox[0].body
