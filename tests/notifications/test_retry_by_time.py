"""Retry by time, per row: a failing row waits for its own next attempt, one row's
refusal does not stop the others, a mail server that cannot be reached is recorded
once as an outage (and on the rows it held up), the sweeper never queues a row that
is already scheduled, and staff can send failed rows again (audit-logged)."""

import logging
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from challenges import services
from challenges.constants import Visibility
from notifications import delivery, outbox, selectors, tasks
from notifications import services as notification_services
from notifications.constants import Channel, DeliveryStatus
from notifications.models import DeliveryOutage, Notification
from tests.challenges.factories import UserFactory

pytestmark = pytest.mark.django_db


class FakeServer:
    """A stand-in for the SMTP connection: refuses the addresses in `refuse`
    (code per address), or cannot be reached at all (`unreachable`)."""

    def __init__(self, refuse=None, unreachable=False):
        self.refuse = refuse or {}
        self.unreachable = unreachable
        self.sent = []

    def __call__(self):  # used as get_connection()
        return self

    def open(self):
        if self.unreachable:
            raise ConnectionRefusedError(111, "Connection refused")
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        to = messages[0].to[0]
        if to in self.refuse:
            code = self.refuse[to]
            raise smtplib.SMTPRecipientsRefused({to: (code, b"try again later")})
        self.sent.append(to)
        return 1


@pytest.fixture
def note(circle):
    """A parties note: two e-mail rows (the initiator and the co-initiator; the
    follower does not hear of parties events), pending, none sent yet."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outbox, "enqueue_delivery", lambda *args, **kwargs: True)
        event = services.challenge_add_note(
            challenge=circle.challenge,
            actor=circle.reviewer,
            text="Even geduld.",
            visibility=Visibility.PARTIES,
        )
    mail.outbox.clear()
    return event


def _rows(event):
    return Notification.objects.filter(event=event, channel=Channel.EMAIL).order_by("pk")


def test_one_row_refused_for_now_does_not_stop_the_others(circle, note, clock, monkeypatch):
    first, second = _rows(note)
    server = FakeServer(refuse={first.recipient.email: 451})
    monkeypatch.setattr(delivery, "get_connection", server)

    result = delivery.deliver_event_emails(event_id=note.pk)

    assert (result.sent, result.retrying) == (1, 1)
    assert server.sent == [second.recipient.email]
    first.refresh_from_db()
    assert first.status == DeliveryStatus.PENDING
    assert first.attempts == 1
    assert "451" in first.last_error
    base = 30  # NOTIFICATION_RETRY_BASE: the first wait is between half and all of it
    assert clock.now + timedelta(seconds=base / 2) <= first.next_attempt_at
    assert first.next_attempt_at <= clock.now + timedelta(seconds=base)
    assert first.give_up_at == clock.now + timedelta(hours=24)


def test_each_failure_doubles_the_row_s_wait_and_a_5xx_fails_at_once(
    circle, note, clock, monkeypatch
):
    first, second = _rows(note)
    server = FakeServer(refuse={first.recipient.email: 451, second.recipient.email: 550})
    monkeypatch.setattr(delivery, "get_connection", server)
    waits = []
    for _attempt in range(5):
        delivery.deliver_event_emails(event_id=note.pk)
        first.refresh_from_db()
        waits.append((first.next_attempt_at - clock.now).total_seconds())
        clock.set(first.next_attempt_at)
    second.refresh_from_db()
    assert second.status == DeliveryStatus.FAILED
    assert second.attempts == 1  # refused for good at the first attempt
    assert "550" in second.last_error
    assert first.attempts == 5
    for attempt, wait in enumerate(waits, start=1):
        full = 30 * 2 ** (attempt - 1)
        assert full / 2 <= wait <= full


def test_a_row_is_not_tried_before_its_time_by_a_second_task(circle, note, clock, monkeypatch):
    first, _second = _rows(note)
    server = FakeServer(refuse={first.recipient.email: 451})
    monkeypatch.setattr(delivery, "get_connection", server)
    delivery.deliver_event_emails(event_id=note.pk)
    # A copy of the task (a redelivery), at once: the row waits for its time.
    delivery.deliver_event_emails(event_id=note.pk)
    first.refresh_from_db()
    assert first.attempts == 1


def test_after_the_horizon_the_row_fails_with_its_reason(circle, note, clock, monkeypatch):
    first, _second = _rows(note)
    monkeypatch.setattr(delivery, "get_connection", FakeServer(refuse={first.recipient.email: 451}))
    delivery.deliver_event_emails(event_id=note.pk)
    clock.advance(hours=24, seconds=1)
    delivery.deliver_event_emails(event_id=note.pk)
    first.refresh_from_db()
    assert first.status == DeliveryStatus.FAILED
    assert "451" in first.last_error


def test_an_unreachable_server_is_one_outage_shown_on_the_rows_and_logged_once(
    circle, note, clock, monkeypatch, caplog
):
    monkeypatch.setattr(delivery, "get_connection", FakeServer(unreachable=True))
    with caplog.at_level(logging.WARNING, logger="notifications.delivery"):
        delivery.deliver_event_emails(event_id=note.pk)
        clock.advance(minutes=5)
        delivery.deliver_event_emails(event_id=note.pk)
    rows = list(_rows(note))
    assert {row.status for row in rows} == {DeliveryStatus.PENDING}
    assert {row.attempts for row in rows} == {2}
    assert all("Connection refused" in row.last_error for row in rows)
    assert all(row.next_attempt_at > clock.now for row in rows)
    outage = DeliveryOutage.objects.get()
    assert outage.ended_at is None
    assert outage.attempts == 2
    started = [r for r in caplog.records if "outage started" in r.getMessage()]
    assert len(started) == 1

    health = selectors.delivery_health()
    assert health.outage == outage
    assert health.pending == 2
    assert health.retrying == 2
    assert health.oldest_pending_at == note.created_at

    # The server is back: the rows' time comes, they go, the outage ends (logged once).
    server = FakeServer()
    monkeypatch.setattr(delivery, "get_connection", server)
    clock.advance(hours=1)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="notifications.delivery"):
        delivery.deliver_event_emails(event_id=note.pk)
        delivery.deliver_event_emails(event_id=note.pk)
    assert len(server.sent) == 2
    outage.refresh_from_db()
    assert outage.ended_at == clock.now
    assert len([r for r in caplog.records if "outage ended" in r.getMessage()]) == 1
    assert selectors.delivery_health().outage is None
    assert selectors.delivery_health().pending == 0


def test_the_sweeper_queues_only_due_rows_and_never_a_scheduled_one_twice(
    circle, note, clock, monkeypatch
):
    first, second = _rows(note)
    queued = []
    monkeypatch.setattr(outbox, "enqueue_rows", lambda ids: queued.append(list(ids)) or True)
    monkeypatch.setattr(delivery, "get_connection", FakeServer(refuse={first.recipient.email: 451}))

    clock.advance(seconds=31)  # older than NOTIFICATION_SWEEP_AGE
    assert tasks.sweep_pending() == 2
    assert queued == [[first.pk, second.pk]]
    # The task has not run yet: a second sweep queues no copy.
    assert tasks.sweep_pending() == 0
    delivery.deliver_notifications(queued[-1])  # the task runs: one sent, one waits
    assert tasks.sweep_pending() == 0  # the waiting row is not due yet
    first.refresh_from_db()
    clock.set(first.next_attempt_at)
    assert tasks.sweep_pending() == 1
    assert queued[-1] == [first.pk]
    assert tasks.sweep_pending() == 0
    # The queued task was lost (the broker restarted empty): queued again after the
    # re-queue interval, not before.
    clock.advance(seconds=299)
    assert tasks.sweep_pending() == 0
    clock.advance(seconds=2)
    assert tasks.sweep_pending() == 1


def test_a_broker_down_at_sweep_time_unmarks_the_rows(circle, note, clock, monkeypatch):
    monkeypatch.setattr(outbox, "enqueue_rows", lambda ids: False)
    clock.advance(seconds=31)
    assert tasks.sweep_pending() == 0
    assert not _rows(note).filter(queued_at__isnull=False).exists()


def test_staff_send_failed_rows_again_audit_logged(circle, note, clock, monkeypatch, caplog):
    first, second = _rows(note)
    monkeypatch.setattr(delivery, "get_connection", FakeServer(refuse={first.recipient.email: 550}))
    delivery.deliver_event_emails(event_id=note.pk)
    first.refresh_from_db()
    assert first.status == DeliveryStatus.FAILED

    with pytest.raises(notification_services.ServiceError):
        notification_services.notifications_retry(ids=[first.pk], actor=circle.initiator)

    server = FakeServer()
    monkeypatch.setattr(delivery, "get_connection", server)
    with caplog.at_level(logging.INFO, logger="rtc.audit"):
        count = notification_services.notifications_retry(
            ids=[first.pk, second.pk], actor=circle.reviewer
        )
    assert count == 1  # the sent one is not "failed"
    first.refresh_from_db()
    assert (first.status, first.next_attempt_at, first.give_up_at) == (
        DeliveryStatus.PENDING,
        None,
        None,
    )
    audit = [r.getMessage() for r in caplog.records if r.name == "rtc.audit"]
    assert audit == [f"notifications retried by user={circle.reviewer.pk} count=1 ids={first.pk}"]
    delivery.deliver_notifications([first.pk])
    assert server.sent == [first.recipient.email]


def test_the_admin_shows_the_outage_and_retries_failed_rows(
    circle, note, client, clock, monkeypatch
):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    monkeypatch.setattr(delivery, "get_connection", FakeServer(unreachable=True))
    delivery.deliver_event_emails(event_id=note.pk)

    url = reverse("admin:notifications_notification_changelist")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert "E-mail cannot be delivered since" in text
    assert "2 e-mails waiting" in text
    assert "Connection refused" in text
    outages = client.get(reverse("admin:notifications_deliveryoutage_changelist"))
    assert outages.status_code == 200

    first, _second = _rows(note)
    Notification.objects.filter(pk=first.pk).update(status=DeliveryStatus.FAILED)
    monkeypatch.setattr(delivery, "get_connection", FakeServer())
    response = client.post(
        url, {"action": "retry", "_selected_action": [first.pk]}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == DeliveryStatus.PENDING
    assert first.next_attempt_at is None
