"""Faults, for real: a Redis server this test owns (on a free loopback port, never the
shared one on 6379) is stopped while challenges change, and a real Celery worker is
killed with SIGKILL in the middle of its deliveries. Afterwards every e-mail row is
sent exactly once: the worker records each message it hands to the "mail server" in
a file (tests/notifications/recording_backend.py) and no Message-ID appears twice.

The worker is a separate process, so it must see what the test commits: these tests
need PostgreSQL (the SQLite test database lives in memory) and real transactions.
Without PostgreSQL or the redis-server program they skip locally, printing why;
under CI (CI=true) a missing one is a failure.
"""

import collections
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import kombu.pools
import pytest
import redis
from django.db import connection

from challenges import services
from challenges.constants import Status
from notifications import tasks
from notifications.constants import Channel, DeliveryStatus
from notifications.models import Notification
from notifications.services import follow_create
from rtc_portal.celery import app as celery_app
from tests.challenges.factories import ReviewerFactory, UserFactory, add_co_initiator, challenge_in
from tests.notifications.fault_rig import RedisServer, wait_for

ROOT = Path(__file__).resolve().parent.parent.parent
QUEUES = "default,notifications,periodic"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Workers:
    """Real `celery -A rtc_portal worker` processes on the test Redis and database,
    each in its own process group (so SIGKILL takes its pool children too)."""

    def __init__(self, redis_url: str, workdir: Path):
        self.redis_url = redis_url
        self.workdir = workdir
        self.mail_log = workdir / "sent.log"
        self.mail_log.touch()
        self.processes: list[subprocess.Popen] = []
        self.killed: list[subprocess.Popen] = []
        self.restarted = 0
        self.started = 0

    def environment(self, delay: float) -> dict:
        db = connection.settings_dict
        url = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTEST_", "DJANGO_ALLOW_ASYNC"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="rtc_portal.settings.test",
            DATABASE_URL=url,
            REDIS_URL=self.redis_url,
            CELERY_TASK_ALWAYS_EAGER="false",
            EMAIL_BACKEND="tests.notifications.recording_backend.RecordingBackend",
            RTC_TEST_MAIL_LOG=str(self.mail_log),
            RTC_TEST_MAIL_DELAY=str(delay),
            PYTHONPATH=str(ROOT),
        )
        return env

    def start(self, *, concurrency: int = 1, delay: float = 0.0) -> subprocess.Popen:
        self.started += 1
        name = f"fault{self.started}"
        log_path = self.workdir / f"{name}.log"
        log = open(log_path, "ab")  # noqa: SIM115
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "rtc_portal",
                "worker",
                "-l",
                "info",
                "-P",
                "prefork",
                "-c",
                str(concurrency),
                "-Q",
                QUEUES,
                "-n",
                f"{name}@%h",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=self.environment(delay),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        wait_for(
            lambda: process.poll() is not None or b" ready." in log_path.read_bytes(),
            60,
            "the Celery worker to be ready",
        )
        assert process.poll() is None, log_path.read_text()[-3000:]
        return process

    def kill(self, process: subprocess.Popen):
        self.killed.append(process)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(15)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    try:
                        os.killpg(process.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    process.wait(5)

    def restart_dead(self):
        for process in list(self.processes):
            if process.poll() is not None and process not in self.killed:
                self.processes.remove(process)
                self.restarted += 1
                self.start(concurrency=2)

    def sent(self) -> list[str]:
        """Message-IDs of every notification e-mail handed over, in order."""
        lines = self.mail_log.read_text().splitlines()
        return [line.split("\t")[0] for line in lines if line.startswith("<notification-")]


@pytest.fixture
def workers(redis_server, tmp_path):
    pool = Workers(redis_server.url, tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()


@contextmanager
def publishing_to(url: str):
    """Let this process (the "web" side) publish to the test Redis instead of
    running tasks eagerly."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager

    def reset_pools():
        # kombu keeps producer pools in a registry keyed by connection: close them
        # all and forget them, so each side gets fresh connections to its own broker.
        kombu.pools.reset()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    conf.broker_url, conf.task_always_eager = url, False
    reset_pools()
    try:
        yield
    finally:
        reset_pools()
        conf.broker_url, conf.task_always_eager = saved


def _email_rows():
    return Notification.objects.filter(channel=Channel.EMAIL)


def _sweep_until_delivered(timeout: float, workers: "Workers | None" = None):
    """Run the sweeper (as beat would, every second here) until nothing is pending.

    With `workers`, a worker that exited is started again, as compose's
    `restart: unless-stopped` does: kombu 5.7 can end a worker with "Unrecoverable
    error" when the broker vanishes while a late-acknowledged task is in flight
    (docs/notifications.md).
    """

    def delivered():
        if workers is not None:
            workers.restart_dead()
        tasks.sweep_pending.apply(kwargs={"min_age_seconds": 0})
        return not _email_rows().filter(status=DeliveryStatus.PENDING).exists()

    wait_for(delivered, timeout, "every pending e-mail row to be sent", interval=1)


def _assert_exactly_once(workers: Workers, rows):
    rows = list(rows.values_list("pk", "status"))
    assert {status for _pk, status in rows} == {DeliveryStatus.SENT}
    sent = workers.sent()
    duplicates = [mid for mid, n in collections.Counter(sent).items() if n > 1]
    assert duplicates == []
    assert set(sent) == {f"<notification-{pk}@127.0.0.1>" for pk, _status in rows}


def test_redis_down_for_30_seconds_during_200_transitions(redis_server, workers):
    """10 challenges with 5 recipients each (3 team members, 2 followers; the reviewer
    acting is the sixth party and is not told of their own step)."""
    with publishing_to(redis_server.url):
        workers.start(concurrency=2)
        reviewer = ReviewerFactory()
        challenges = []
        for _ in range(10):
            challenge = challenge_in(Status.INTAKE, reviewer=reviewer)
            add_co_initiator(challenge)
            add_co_initiator(challenge)
            for _follower in range(2):
                follow_create(user=UserFactory(), challenge=challenge)
            challenges.append(challenge)
        setup_rows = set(_email_rows().values_list("pk", flat=True))
        # Let the setup's own deliveries finish first: this test is about the web side
        # committing while the broker is gone (the worker side is the SIGKILL test).
        wait_for(
            lambda: not _email_rows().filter(status=DeliveryStatus.PENDING).exists(),
            30,
            "the setup's e-mail to be sent",
        )

        redis_server.stop()
        outage_start = time.monotonic()
        durations = []
        for step in range(200):
            # Spread the steps over the 30 seconds of the outage.
            time.sleep(max(0.0, outage_start + step * 0.15 - time.monotonic()))
            index = step % 10
            to_status = Status.ON_HOLD if (step // 10) % 2 == 0 else Status.INTAKE
            started = time.perf_counter()
            challenges[index] = services.challenge_transition(
                challenge=challenges[index],
                to_status=to_status,
                actor=reviewer,
                motivation="Even wachten op het college.",
            )
            durations.append(time.perf_counter() - started)
        time.sleep(max(0.0, outage_start + 30 - time.monotonic()))
        redis_server.start()

        assert max(durations) < 2.0, f"slowest transition during the outage: {max(durations)}"
        new_rows = _email_rows().exclude(pk__in=setup_rows)
        assert new_rows.count() == 200 * 5
        assert new_rows.filter(status=DeliveryStatus.PENDING).count() > 0  # nothing got out

        _sweep_until_delivered(timeout=60, workers=workers)
    _assert_exactly_once(workers, _email_rows())
    print(
        f"\noutage: 200 transitions, slowest {max(durations) * 1000:.0f} ms, "
        f"median {sorted(durations)[100] * 1000:.0f} ms; workers restarted: {workers.restarted}"
    )


def test_a_worker_killed_mid_batch_delivers_all_50_exactly_once(redis_server, workers):
    reviewer = ReviewerFactory()
    challenge = challenge_in(Status.SUBMITTED, reviewer=reviewer)
    for _ in range(49):
        follow_create(user=UserFactory(), challenge=challenge)
    # The setup's own messages are not what this test is about.
    _email_rows().update(status=DeliveryStatus.SKIPPED)
    redis.Redis.from_url(redis_server.url).flushall()

    with publishing_to(redis_server.url):
        first = workers.start(concurrency=1, delay=0.1)
        # One event, 50 e-mails: the initiator and 49 followers.
        challenge = services.challenge_transition(
            challenge=challenge, to_status=Status.INTAKE, actor=reviewer
        )
        rows = _email_rows().exclude(status=DeliveryStatus.SKIPPED)
        assert rows.count() == 50

        wait_for(lambda: len(workers.sent()) >= 15, 30, "15 messages to be sent")
        time.sleep(0.05)  # in the middle of the next message's 0.1 s
        workers.kill(first)
        at_kill = len(workers.sent())
        assert 15 <= at_kill < 50

        workers.start(concurrency=1)
        _sweep_until_delivered(timeout=60)

    sent = workers.sent()
    assert len(sent) == 50, f"{len(sent)} sends for 50 rows ({at_kill} before the kill)"
    _assert_exactly_once(workers, rows)
