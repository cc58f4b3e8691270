"""The outbox: rows are written in the event's transaction, delivered once, and a
broker that is down at commit time loses nothing."""

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from kombu.exceptions import OperationalError

from challenges import services
from challenges.constants import EventCode, Status, Visibility
from challenges.models import Challenge
from notifications import outbox, tasks
from notifications.constants import Channel, DeliveryStatus, Frequency, Reason
from notifications.models import Notification
from notifications.services import follow_create
from tests.challenges.factories import ReviewerFactory, UserFactory, challenge_in

pytestmark = pytest.mark.django_db


def _rows(event, channel=None):
    qs = Notification.objects.filter(event=event)
    return qs.filter(channel=channel) if channel else qs


class Boom(Exception):
    pass


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rolled_back_transition_leaves_no_row_and_sends_nothing():
    reviewer = ReviewerFactory()
    challenge = challenge_in(Status.SUBMITTED, reviewer=reviewer)
    follow_create(user=UserFactory(), challenge=challenge)
    rows_before = Notification.objects.count()
    mail.outbox.clear()

    with pytest.raises(Boom), transaction.atomic():
        services.challenge_transition(challenge=challenge, to_status=Status.INTAKE, actor=reviewer)
        assert Notification.objects.count() > rows_before  # written in the transaction
        raise Boom

    assert Notification.objects.count() == rows_before
    assert mail.outbox == []

    # Committed, the same change reaches the initiator and the follower, once each.
    services.challenge_transition(challenge=challenge, to_status=Status.INTAKE, actor=reviewer)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [challenge.initiator.email, challenge.follows.get().user.email]
    )


def test_rows_are_written_with_the_event_and_sent_after_commit(
    circle, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        challenge = services.challenge_transition(
            challenge=circle.challenge, to_status=Status.ASSESSMENT, actor=circle.reviewer
        )
    event = challenge.events.get(code=EventCode.STATUS_CHANGED, data__to=Status.ASSESSMENT)
    emails = _rows(event, Channel.EMAIL)
    assert {row.recipient for row in emails} == {
        circle.initiator,
        circle.co_initiator,
        circle.follower,
    }
    assert {row.status for row in emails} == {DeliveryStatus.PENDING}
    # In-app rows are the notification centre: there as soon as the change commits.
    assert {row.status for row in _rows(event, Channel.IN_APP)} == {DeliveryStatus.SENT}
    assert mail.outbox == []  # nothing leaves before the commit
    # One delivery task for the event, not one per row (the other callback is the
    # page cache learning the new head).
    deliveries = [c for c in callbacks if getattr(c, "func", None) is outbox.enqueue_delivery]
    assert len(deliveries) == 1 and len(callbacks) == 2

    deliveries[0]()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        circle.emails_of("initiator", "co_initiator", "follower")
    )
    assert set(emails.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    # A deterministic Message-ID per row lets a mail system drop a duplicate.
    ids = {m.extra_headers["Message-ID"] for m in mail.outbox}
    assert ids == {f"<notification-{row.pk}@127.0.0.1>" for row in emails}


def test_a_second_row_for_the_same_event_person_and_channel_is_impossible(circle):
    row = Notification.objects.filter(channel=Channel.EMAIL).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            event=row.event,
            recipient=row.recipient,
            channel=row.channel,
            kind=row.kind,
            frequency=row.frequency,
            reason=row.reason,
        )


def test_delivery_runs_twice_but_sends_once(circle, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = services.challenge_add_note(
            challenge=circle.challenge, actor=circle.reviewer, text="Gesprek.", visibility="parties"
        )
    assert len(mail.outbox) == 2  # the team
    assert tasks.deliver_event.delay(event.pk).get() == 0
    tasks.sweep_pending.delay(min_age_seconds=0).get()
    assert len(mail.outbox) == 2


def test_the_email_is_in_the_recipient_s_language_and_links_to_the_event(
    circle, django_capture_on_commit_callbacks
):
    circle.follower.language = "en"
    circle.follower.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.challenge_transition(
            challenge=circle.challenge, to_status=Status.ASSESSMENT, actor=circle.reviewer
        )
    event = circle.challenge.events.latest("created_at")
    by_address = {m.to[0]: m for m in mail.outbox}
    english = by_address[circle.follower.email]
    dutch = by_address[circle.initiator.email]
    assert "From “Intake” to “Assessment”" in english.body
    assert "You follow this challenge." in english.body
    assert "Van “Intake” naar “Beoordeling”" in dutch.body, dutch.body
    assert "Stage changed" in english.subject and circle.challenge.reference in english.subject
    for message in (english, dutch):
        assert f"/challenges/{circle.challenge.pk}/#event-{event.pk}" in message.body
        assert "/notifications/preferences/" in message.body


def test_a_broker_that_is_down_fails_nothing_and_the_sweeper_delivers_later(
    circle, django_capture_on_commit_callbacks, clock
):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks.deliver_event, "apply_async", refuse)
        with django_capture_on_commit_callbacks(execute=True):
            challenge = services.challenge_transition(
                challenge=circle.challenge, to_status=Status.ASSESSMENT, actor=circle.reviewer
            )
        # The change is saved; the e-mail rows wait.
        assert Challenge.objects.get(pk=challenge.pk).status == Status.ASSESSMENT
        assert mail.outbox == []
        assert tasks.sweep_pending.delay().get() == 0  # still down: nothing queued
    pending = Notification.objects.filter(channel=Channel.EMAIL, status=DeliveryStatus.PENDING)
    event = challenge.events.latest("created_at")
    assert pending.filter(event=event).count() == 3

    # Too young for the sweeper: its first task is probably still on its way.
    assert tasks.sweep_pending.delay().get() == 0
    clock.advance(seconds=31)
    assert tasks.sweep_pending.delay().get() >= 1
    assert not pending.filter(event=event).exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        circle.emails_of("initiator", "co_initiator", "follower")
    )


def test_recording_costs_the_same_queries_for_3_and_300_followers(circle):
    def record_queries():
        with CaptureQueriesContext(connection) as ctx, transaction.atomic():
            event = services.challenge_add_note(
                challenge=circle.challenge, actor=circle.reviewer, text="x", visibility="public"
            )
        sql = [q["sql"] for q in ctx.captured_queries]
        inserts = [q for q in sql if q.startswith('INSERT INTO "notifications_notification"')]
        return len(sql) - len(inserts), len(inserts), event

    few, _inserts, _event = record_queries()
    for _ in range(300):
        follow_create(user=UserFactory(), challenge=circle.challenge)
    many, inserts, event = record_queries()
    assert many == few
    assert inserts == 2  # one INSERT ... SELECT per channel, whatever the audience
    assert _rows(event, Channel.EMAIL).count() == 300 + 3


def test_large_audiences_are_queued_in_batches_not_per_row(
    circle, django_capture_on_commit_callbacks, settings
):
    settings.NOTIFICATION_BATCH_SIZE = 10
    for _ in range(25):
        follow_create(user=UserFactory(), challenge=circle.challenge)
    calls = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            tasks.deliver_event, "apply_async", lambda args, kwargs: calls.append((args, kwargs))
        )
        with django_capture_on_commit_callbacks(execute=True):
            event = services.challenge_add_note(
                challenge=circle.challenge, actor=circle.reviewer, text="x", visibility="public"
            )
    assert len(calls) == 3  # 28 rows in batches of 10
    ranges = [(kw["first_id"], kw["last_id"]) for _args, kw in calls]
    rows = list(_rows(event, Channel.EMAIL).order_by("pk").values_list("pk", flat=True))
    covered = [pk for pk in rows if any(lo <= pk <= hi for lo, hi in ranges)]
    assert covered == rows
    for args, kwargs in calls:  # each batch delivers its own rows, together all of them
        tasks.deliver_event.apply(args=args, kwargs=kwargs)
    assert len(mail.outbox) == 28
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 28


def test_the_reason_is_recorded(circle, django_capture_on_commit_callbacks):
    event = services.challenge_add_note(
        challenge=circle.challenge, actor=circle.reviewer, text="x", visibility="public"
    )
    reasons = dict(_rows(event, Channel.EMAIL).values_list("recipient_id", "reason"))
    assert reasons == {
        circle.initiator.pk: Reason.TEAM,
        circle.co_initiator.pk: Reason.TEAM,
        circle.follower.pk: Reason.FOLLOWER,
    }


def test_a_failing_mail_server_is_retried_and_a_refusal_marked(
    circle, django_capture_on_commit_callbacks, clock
):
    """A 5xx fails its row at once; a dropped connection puts the row on its own
    next attempt time (retry by time: tests/notifications/test_retry_by_time.py)."""
    import smtplib

    from notifications import delivery

    event = services.challenge_add_note(
        challenge=circle.challenge, actor=circle.reviewer, text="x", visibility=Visibility.PARTIES
    )
    rows = _rows(event, Channel.EMAIL).order_by("pk")
    first, second = rows

    class Flaky:
        def __init__(self):
            self.sent = []

        def open(self):
            return True

        def close(self):
            pass

        def send_messages(self, messages):
            to = messages[0].to[0]
            if to == first.recipient.email:
                raise smtplib.SMTPRecipientsRefused({to: (550, b"No such user")})
            raise OSError("connection reset")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(delivery, "get_connection", Flaky)
        result = delivery.deliver_event_emails(event_id=event.pk)
    assert (result.sent, result.failed, result.retrying) == (0, 1, 1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == DeliveryStatus.FAILED  # refused for good (5xx)
    assert "550" in first.last_error
    assert (second.status, second.attempts) == (DeliveryStatus.PENDING, 1)
    assert "connection reset" in second.last_error
    assert second.next_attempt_at > clock.now

    # The server is back, but the row waits for its own time.
    assert delivery.deliver_event_emails(event_id=event.pk).sent == 0
    clock.set(second.next_attempt_at)
    delivery.deliver_event_emails(event_id=event.pk)
    second.refresh_from_db()
    assert second.status == DeliveryStatus.SENT
    assert [m.to[0] for m in mail.outbox] == [second.recipient.email]


def test_after_the_retry_horizon_a_row_is_failed(circle, settings, clock):
    from notifications import delivery

    settings.NOTIFICATION_RETRY_HORIZON = 600
    event = services.challenge_add_note(
        challenge=circle.challenge, actor=circle.reviewer, text="x", visibility="parties"
    )

    class Down:
        def open(self):
            return True

        def close(self):
            pass

        def send_messages(self, messages):
            raise OSError("timed out")

    rows = _rows(event, Channel.EMAIL).order_by("pk")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(delivery, "get_connection", Down)
        delivery.deliver_event_emails(event_id=event.pk)
        assert set(rows.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
        clock.advance(seconds=601)
        delivery.deliver_event_emails(event_id=event.pk)
    statuses = list(rows.values_list("status", "attempts"))
    assert statuses[0] == (DeliveryStatus.FAILED, 2)


def test_the_outbox_enqueue_never_raises(circle):
    def explode(*args, **kwargs):
        raise RuntimeError("anything at all")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks.deliver_event, "apply_async", explode)
        assert outbox.enqueue_delivery(1) is False


def test_digest_rows_wait_and_off_writes_no_email_row(circle, django_capture_on_commit_callbacks):
    from notifications.services import preferences_update

    preferences_update(user=circle.initiator, frequencies={"conversation": Frequency.DAILY})
    preferences_update(user=circle.co_initiator, frequencies={"conversation": Frequency.OFF})
    with django_capture_on_commit_callbacks(execute=True):
        event = services.challenge_add_note(
            challenge=circle.challenge, actor=circle.reviewer, text="x", visibility="parties"
        )
    emails = {row.recipient_id: row for row in _rows(event, Channel.EMAIL)}
    assert set(emails) == {circle.initiator.pk}
    assert emails[circle.initiator.pk].frequency == Frequency.DAILY
    assert emails[circle.initiator.pk].status == DeliveryStatus.PENDING
    assert mail.outbox == []
    # Both still see it in their notification centre.
    assert set(_rows(event, Channel.IN_APP).values_list("recipient_id", flat=True)) == {
        circle.initiator.pk,
        circle.co_initiator.pk,
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_row_locked_elsewhere_for_a_moment_is_still_sent():
    """Delivery skips a row another transaction holds (FOR UPDATE SKIP LOCKED), then
    looks again: a short lock elsewhere (the sweeper's UPDATE) loses nothing."""
    import threading
    import time

    from django.db import connection as db_connection

    from notifications import delivery

    reviewer = ReviewerFactory()
    challenge = challenge_in(Status.INTAKE, reviewer=reviewer)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outbox, "enqueue_delivery", lambda *args, **kwargs: True)
        event = services.challenge_add_note(
            challenge=challenge, actor=reviewer, text="x", visibility="parties"
        )
    row = _rows(event, Channel.EMAIL).get()
    mail.outbox.clear()  # the setup's own messages
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                Notification.objects.select_for_update().get(pk=row.pk)
                locked.set()
                release.wait(5)
        finally:
            db_connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(5)
    threading.Timer(0.3, release.set).start()
    started = time.monotonic()
    result = delivery.deliver_event_emails(event_id=event.pk)
    holder.join(5)
    assert result.sent == 1
    assert time.monotonic() - started >= 0.3  # it waited for the lock to go
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT
    assert [m.to for m in mail.outbox] == [[challenge.initiator.email]]
