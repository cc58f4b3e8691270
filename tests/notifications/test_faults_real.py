"""Mail-server and broker faults, against real processes: a redis-server, an SMTP
server (aiosmtpd) and `celery -A rtc_portal worker` and `beat` subprocesses, all
owned by the test, on free loopback ports, on the PostgreSQL test database (the
subprocesses must see what the test commits: transactional tests).

(a) the SMTP server answers "451 try again later" for 180 s of wall time: nothing
    is lost or sent twice, and each row's attempts are spread over the outage
    (backoff per row), none failed;
(b) it refuses connections for 60 s: the outage shows in `delivery_health()` and
    the admin while it lasts, nothing is lost afterwards;
(c) Redis is stopped while a co-initiator is invited and people log in: no 500,
    the login works, and the invitation e-mail arrives once Redis is back;
(d) the worker's pool process is SIGKILLed in the middle of a batch, five times:
    nothing is lost; the duplicates (the accept-to-COMMIT window) are counted and
    reported (docs/benchmarks.md).

The retry waits are scaled down (tests/notifications/fault_settings.py: 2 s doubling to
20 s instead of 30 s to an hour) so that 180 s hold many attempts per row; the
outage itself is real time. Marked `fault` (and `postgres`): they run in `make
test`; without PostgreSQL or redis-server they skip locally, printing why, and fail
under CI=true. Together they take about five minutes.
"""

import collections
import random
import time
from contextlib import contextmanager
from types import SimpleNamespace

import kombu.pools
import pytest
import redis
from django.test import override_settings

from challenges import services
from challenges.constants import Status, Visibility
from challenges.models import Invitation
from notifications import delivery, selectors
from notifications.constants import Channel, DeliveryStatus
from notifications.models import DeliveryOutage, Notification
from notifications.services import follow_create
from rtc_portal.celery import app as celery_app
from tests.challenges.factories import (
    DEFAULT_PASSWORD,
    ChallengeFactory,
    ReviewerFactory,
    UserFactory,
    challenge_in,
)
from tests.notifications.fault_rig import Processes, RedisServer, SMTPServer, wait_for

pytestmark = [
    pytest.mark.fault,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def rig(tmp_path):
    redis_server = RedisServer(tmp_path)
    smtp = SMTPServer()
    redis_server.start()
    smtp.start()
    processes = Processes(redis_server.url, smtp.port, tmp_path)
    try:
        yield SimpleNamespace(redis=redis_server, smtp=smtp, processes=processes)
    finally:
        processes.stop_all()
        smtp.stop()
        redis_server.stop()


@contextmanager
def publishing_to(url: str):
    """This process (the web side) publishes to the test Redis instead of running
    tasks eagerly."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager

    def reset_pools():
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
    return Notification.objects.filter(channel=Channel.EMAIL).exclude(status=DeliveryStatus.SKIPPED)


def _forget_the_setup(rig):
    """The setup's own e-mail is not what a test is about."""
    Notification.objects.filter(channel=Channel.EMAIL).update(status=DeliveryStatus.SKIPPED)
    redis.Redis.from_url(rig.redis.url).flushall()


def _audience(challenges: int, followers: int):
    reviewer = ReviewerFactory()
    made = []
    for _ in range(challenges):
        challenge = challenge_in(Status.INTAKE, reviewer=reviewer)
        for _follower in range(followers):
            follow_create(user=UserFactory(), challenge=challenge)
        made.append(challenge)
    return reviewer, made


def _public_note(challenge, reviewer):
    return services.challenge_add_note(
        challenge=challenge, actor=reviewer, text="Voortgang.", visibility=Visibility.PUBLIC
    )


def _all_sent(rig, rows, timeout):
    def done():
        rig.processes.restart_dead()
        return not rows.filter(status=DeliveryStatus.PENDING).exists()

    wait_for(done, timeout, "every e-mail row to be sent", interval=0.5)


def _assert_exactly_once(rig, rows) -> None:
    ids = list(rows.values_list("pk", flat=True))
    assert set(rows.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    received = collections.Counter(rig.smtp.message_ids())
    expected = {delivery.notification_message_id(pk) for pk in ids}
    assert set(received) == expected  # 0 lost (and nothing else sent)
    assert [mid for mid, n in received.items() if n > 1] == []  # 0 duplicated


def test_a_451_for_180_seconds_loses_and_duplicates_nothing(rig):
    reviewer, challenges = _audience(challenges=3, followers=12)
    _forget_the_setup(rig)
    rig.smtp.answer_451()
    with publishing_to(rig.redis.url):
        rig.processes.worker(concurrency=2)
        rig.processes.beat()
        started = time.time()
        for challenge in challenges:
            _public_note(challenge, reviewer)
        rows = _email_rows()
        assert rows.count() == 3 * 13  # the initiator and 12 followers each
        wait_for(lambda: selectors.delivery_health().outage, 30, "the outage to be recorded")
        seen_while_down = selectors.delivery_health()
        time.sleep(max(0.0, started + 180 - time.time()))
        assert not rows.filter(status=DeliveryStatus.FAILED).exists()  # 24 h horizon
        ended_451 = time.time()
        rig.smtp.accept()
        _all_sent(rig, rows, timeout=90)

    _assert_exactly_once(rig, rows)
    assert seen_while_down.pending == 39
    assert "451" in seen_while_down.outage.last_error
    assert DeliveryOutage.objects.get().ended_at is not None
    spans, counts = [], []
    for address in rows.values_list("recipient__email", flat=True):
        refused = [at for at, mode in rig.smtp.attempts_of(address) if mode == "451"]
        counts.append(len(refused))
        spans.append(refused[-1] - refused[0])
        # Spread over the outage, not spent in its first seconds.
        assert refused[-1] - refused[0] >= 90, (address, refused)
        assert refused[-1] >= ended_451 - 40
        # Backoff per row: never more attempts than the waits allow (no copies).
        assert 5 <= len(refused) <= 25, (address, len(refused))
    print(
        f"\n451 for 180 s: {len(counts)} rows, attempts per row {min(counts)}-{max(counts)}, "
        f"span of each row's attempts {min(spans):.0f}-{max(spans):.0f} s, 0 lost, 0 duplicated"
    )


def test_a_mail_server_refusing_connections_for_60_seconds_is_visible_and_loses_nothing(
    rig, client
):
    reviewer, challenges = _audience(challenges=2, followers=10)
    _forget_the_setup(rig)
    rig.smtp.refuse()
    with publishing_to(rig.redis.url):
        rig.processes.worker(concurrency=2)
        rig.processes.beat()
        started = time.time()
        for challenge in challenges:
            _public_note(challenge, reviewer)
        rows = _email_rows()
        assert rows.count() == 22

        def visible():
            health = selectors.delivery_health()
            return health.outage is not None and health.retrying == 22 and health

        health = wait_for(visible, 30, "the outage to show on every waiting row")
        assert health.pending == 22
        assert "Connection refused" in health.outage.last_error
        assert all("Connection refused" in row.last_error for row in rows)
        client.force_login(UserFactory(is_staff=True, is_superuser=True))
        page = client.get("/admin/notifications/notification/", HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200
        assert "E-mail cannot be delivered since" in page.content.decode()
        assert "22 e-mails waiting" in page.content.decode()
        report = client.get("/health/").json()
        assert report["notifications"]["outage"]["since"]

        time.sleep(max(0.0, started + 60 - time.time()))
        rig.smtp.accept()
        _all_sent(rig, rows, timeout=60)

    _assert_exactly_once(rig, rows)
    outage = DeliveryOutage.objects.get()
    assert outage.ended_at is not None
    print(f"\nconnections refused for 60 s: 22 rows, {outage.attempts} failed connections")


def test_redis_down_while_a_co_initiator_is_invited_and_people_log_in(rig, client):
    initiator = UserFactory()
    challenge = ChallengeFactory(initiator=initiator)
    other = UserFactory()
    _forget_the_setup(rig)
    cache_on_the_test_redis = {
        "default": {
            "BACKEND": "core.cache.FallbackRedisCache",
            "LOCATION": rig.redis.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            "FALLBACK_RETRY_SECONDS": 5,
        }
    }
    with publishing_to(rig.redis.url), override_settings(CACHES=cache_on_the_test_redis):
        rig.processes.worker()
        rig.processes.beat()
        rig.redis.stop()

        login = client.post(
            "/accounts/login/", {"login": initiator.email, "password": DEFAULT_PASSWORD}
        )
        assert login.status_code == 302
        invite = client.post(
            f"/challenges/{challenge.pk}/invite/", {"email": "nieuwe.buur@example.org"}
        )
        assert invite.status_code == 302
        assert client.get(challenge.get_absolute_url()).status_code == 200
        assert client.get("/").status_code == 200
        client.logout()
        second = client.post("/accounts/login/", {"login": other.email, "password": "fout"})
        assert second.status_code == 200  # the form again, with its error: not a 500
        assert (
            client.post(
                "/accounts/login/", {"login": other.email, "password": DEFAULT_PASSWORD}
            ).status_code
            == 302
        )
        assert client.get("/health/").json() == {"status": "degraded"}

        invitation = Invitation.objects.get(email="nieuwe.buur@example.org")
        row = Notification.objects.get(invitation=invitation)
        assert row.status == DeliveryStatus.PENDING
        time.sleep(2)
        assert rig.smtp.message_ids() == []  # nothing can move without the broker

        rig.redis.start()  # empty: the task queued before the outage is gone as well

        def arrived():
            rig.processes.restart_dead()
            return [a for a in rig.smtp.accepted if a[1] == "nieuwe.buur@example.org"]

        wait_for(arrived, 60, "the invitation e-mail", interval=0.5)
        time.sleep(3)  # a duplicate would come within a sweep or two

    messages = [a for a in rig.smtp.accepted if a[1] == "nieuwe.buur@example.org"]
    assert len(messages) == 1
    invitation.refresh_from_db()
    assert f"/invitations/{invitation.token}/" in messages[0][2]
    assert invitation.sent_at is not None


def test_the_worker_pool_killed_mid_batch_loses_nothing(rig):
    reviewer, (challenge,) = _audience(challenges=1, followers=59)
    _forget_the_setup(rig)
    rig.smtp.delay = 0.05  # a slow mail server, so the kills land inside the batch
    kills = 0
    with publishing_to(rig.redis.url):
        worker = rig.processes.worker(concurrency=1)
        rig.processes.beat()
        _public_note(challenge, reviewer)
        rows = _email_rows()
        assert rows.count() == 60
        for threshold in (6, 16, 26, 36, 46):
            wait_for(
                lambda threshold=threshold: len(rig.smtp.message_ids()) >= threshold,
                60,
                f"{threshold} messages to be accepted",
                interval=0.01,
            )
            time.sleep(random.uniform(0, 0.05))  # noqa: S311
            if rig.processes.kill_pool_child(worker) is not None:
                kills += 1
        _all_sent(rig, rows, timeout=90)

    received = collections.Counter(rig.smtp.message_ids())
    duplicates = sum(n - 1 for n in received.values())
    expected = {delivery.notification_message_id(pk) for pk in rows.values_list("pk", flat=True)}
    assert set(received) == expected  # 0 lost
    assert set(rows.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    # Only the message in flight at a kill can go twice.
    assert duplicates <= kills
    print(f"\nworker pool killed {kills} times in a batch of 60: 0 lost, {duplicates} duplicates")
