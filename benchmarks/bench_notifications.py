"""Benchmarks of the notification outbox (not part of `make test`).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/pytest benchmarks/bench_notifications.py -s -p no:randomly

Needs PostgreSQL and the redis-server program; starts its own Redis on a free port
and real `celery -A rtc_portal worker` processes (the machinery of
tests/notifications/test_delivery_faults.py). Prints the figures; the targets are
asserted loosely so a regression shows, and docs/benchmarks-notifications.md keeps
the measured numbers.

1. One public event to 1,000 followers, delivered by one worker (concurrency 1) end
   to end: from the request's commit until the last row is marked sent. Compared
   with the bare cost of building and sending 1,000 messages without the outbox.
2. The latency a transition adds to the request: 50 recipients against one, and
   against the outbox switched off; with Redis up and with Redis down.
"""

import os
import statistics
import time
from unittest import mock

import pytest
from django.core.mail import EmailMessage, get_connection
from django.db import connection
from django.test import override_settings

from accounts.models import User
from challenges import services
from challenges.constants import Status
from notifications import delivery, outbox
from notifications.constants import Channel, DeliveryStatus
from notifications.models import Follow, Notification
from tests.challenges.factories import ReviewerFactory, challenge_in
from tests.notifications.test_delivery_faults import (
    RedisServer,
    Workers,
    _require_redis_server,
    _wait_for,
    publishing_to,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(_require_redis_server(), tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def workers(redis_server, tmp_path):
    pool = Workers(redis_server.url, tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()


def _followers(challenge, n: int, prefix: str) -> list[User]:
    users = User.objects.bulk_create(
        [
            User(username=f"{prefix}{i}", email=f"{prefix}{i}@example.org", language="nl")
            for i in range(n)
        ]
    )
    Follow.objects.bulk_create([Follow(user=user, challenge=challenge) for user in users])
    return users


def _hold_and_resume(challenge, reviewer, n: int) -> list[float]:
    """n transitions (hold, resume, ...) as requests make them; seconds each."""
    timings = []
    for i in range(n):
        target = Status.ON_HOLD if i % 2 == 0 else Status.INTAKE
        started = time.perf_counter()
        challenge = services.challenge_transition(
            challenge=challenge, to_status=target, actor=reviewer, motivation="Benchmark."
        )
        timings.append(time.perf_counter() - started)
    return timings


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"median {statistics.median(values) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def test_one_event_to_1000_followers_by_one_worker(redis_server, workers):
    reviewer = ReviewerFactory()
    challenge = challenge_in(Status.INTAKE, reviewer=reviewer)
    _followers(challenge, 1000, "follower")
    Notification.objects.update(status=DeliveryStatus.SKIPPED)

    # The bare cost: build and send 1,000 messages, no outbox (same backend as the worker).
    with override_settings(EMAIL_BACKEND="tests.notifications.recording_backend.RecordingBackend"):
        with mock.patch.dict("os.environ", {"RTC_TEST_MAIL_LOG": str(workers.mail_log)}):
            event = challenge.events.latest("created_at")
            text = delivery.event_text(event)
            mail_connection = get_connection()
            started = time.perf_counter()
            for i in range(1000):
                message = EmailMessage(
                    "Onderwerp",
                    text,
                    None,
                    [f"x{i}@example.org"],
                    headers={"Message-ID": f"<bare-{i}@x>"},
                )
                mail_connection.send_messages([message])
            bare = (time.perf_counter() - started) / 1000
    workers.mail_log.write_text("")
    # One round trip to the database, for scale: delivery costs two per message.
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for _ in range(500):
            cursor.execute("SELECT 1")
            cursor.fetchone()
        round_trip = (time.perf_counter() - started) / 500

    with publishing_to(redis_server.url):
        workers.start(concurrency=1)
        started = time.perf_counter()
        challenge = services.challenge_transition(
            challenge=challenge, to_status=Status.ASSESSMENT, actor=reviewer
        )
        committed = time.perf_counter()
        rows = Notification.objects.filter(
            channel=Channel.EMAIL, event=challenge.events.latest("created_at")
        )
        assert rows.count() == 1001  # 1,000 followers and the initiator
        _wait_for(
            lambda: not rows.filter(status=DeliveryStatus.PENDING).exists(),
            60,
            "1,001 e-mails to be sent",
            interval=0.05,
        )
        done = time.perf_counter()
    assert len(workers.sent()) == 1001
    per_message = (done - committed) / 1001
    print(
        f"\n1,000 followers: request {(committed - started) * 1000:.0f} ms, "
        f"delivered {done - committed:.2f} s after commit ({done - started:.2f} s end to end), "
        f"{per_message * 1000:.2f} ms per message with the outbox, "
        f"{bare * 1000:.2f} ms per message bare (x{per_message / bare:.1f}); "
        f"a database round trip {round_trip * 1000:.2f} ms; load {os.getloadavg()[0]:.1f}"
    )
    assert done - started < 3.0


def test_transition_latency_with_50_recipients(redis_server):
    reviewer = ReviewerFactory()
    quiet = challenge_in(Status.INTAKE, reviewer=reviewer)  # only the initiator is told
    busy = challenge_in(Status.INTAKE, reviewer=reviewer)
    _followers(busy, 49, "busy")  # and the initiator: 50 recipients
    n = 200
    with publishing_to(redis_server.url):
        _hold_and_resume(quiet, reviewer, 20)  # warm up
        with mock.patch.object(outbox, "record_for_event", lambda event: []):
            off = _hold_and_resume(quiet, reviewer, n)
        one = _hold_and_resume(quiet, reviewer, n)
        fifty = _hold_and_resume(busy, reviewer, n)
        redis_server.stop()
        down = _hold_and_resume(busy, reviewer, 50)
        redis_server.start()
    added = statistics.median(fifty) - statistics.median(off)
    print(
        f"\ntransition, outbox off: {_ms(off)}\n"
        f"transition, 1 recipient: {_ms(one)}\n"
        f"transition, 50 recipients: {_ms(fifty)}\n"
        f"transition, 50 recipients, Redis down: {_ms(down)}\n"
        f"the outbox adds {added * 1000:.1f} ms (median) for 50 recipients; "
        f"load {os.getloadavg()[0]:.1f}"
    )
    assert added < 0.020
