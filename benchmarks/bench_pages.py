"""`make bench`: every busy page at scale, against a fixed-response baseline.

    make bench            # or: .venv/bin/python benchmarks/bench_pages.py [--duration 8]

Not part of `make test`. Needs PostgreSQL (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/rtc_bench; the database is created if missing
and kept, so a second run skips the build), Redis for the cache (BENCH_REDIS_URL,
default redis://127.0.0.1:6379/7; only that database is flushed) and Debian's `wrk`.

1. Builds the scale fixture in bulk, once: 10,000 challenges over every stage and
   500,000 chained timeline events (one challenge with 1,000 events, one with 10,
   one resident on 1,000 challenges with 1,000 notifications).
2. Serves it with gunicorn (5 sync workers) and the production settings
   (benchmarks/bench_settings.py) on 127.0.0.1, on a free port.
3. Runs wrk (2 threads, 16 connections, --duration seconds each, bounded) against
   /bench/baseline/ and every page, anonymous and logged in, newest and oldest
   pages; prints requests per second, p50, p99 and each page's ratio to the
   baseline of the same run. Then downloads the whole export once, timing it and
   sampling the serving worker's memory.

Everything runs on loopback and stops by itself; the server is stopped at the end.
"""

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rtc_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
CHALLENGES = 10_000
EVENTS = 500_000
BATCH = 5_000


def _environment() -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="benchmarks.bench_settings",
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        CELERY_TASK_ALWAYS_EAGER="false",
        # As docker-compose.yml sets it: persistent connections, not one per request.
        DB_CONN_MAX_AGE=os.environ.get("DB_CONN_MAX_AGE", "60"),
        PYTHONPATH=str(ROOT),
    )
    return env


def _create_database() -> None:
    import psycopg2

    base, name = DATABASE_URL.rsplit("/", 1)
    connection = psycopg2.connect(f"{base}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def _setup_django() -> None:
    os.environ.update(_environment())
    import django

    django.setup()


def build_fixture() -> dict:
    """The scale data, built once; returns the ids and cursors the pages need."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from challenges.constants import STAGE_LINE, EventCode, Role, Status, Visibility
    from challenges.models import ChainHead, Challenge, Neighbourhood, Task, TimelineEvent
    from notifications.constants import Channel, DeliveryStatus, Frequency, Reason
    from notifications.models import Notification

    call_command("migrate", verbosity=0)
    User = get_user_model()
    resident, _created = User.objects.get_or_create(
        email="bench-resident@example.org",
        defaults={"username": "bench-resident", "first_name": "Bench", "last_name": "Resident"},
    )
    head = ChainHead.objects.filter(pk=1).first()
    if head is None or head.size < EVENTS:
        started = time.monotonic()
        print(f"Building the fixture: {CHALLENGES} challenges, {EVENTS} events ...", flush=True)
        tasks = [
            Task.objects.get_or_create(
                name=f"Taak {i}", defaults={"current_yearly_cost": 50_000 + 1_000 * i}
            )[0]
            for i in range(20)
        ]
        hoods = [Neighbourhood.objects.get_or_create(name=f"Wijk {i}")[0] for i in range(15)]
        others = [
            User.objects.get_or_create(
                email=f"bench-{i}@example.org", defaults={"username": f"bench-{i}"}
            )[0]
            for i in range(50)
        ]
        now = timezone.now()
        rng = random.Random(20261201)
        statuses = [*STAGE_LINE, Status.REJECTED, Status.WITHDRAWN, Status.ON_HOLD]
        challenges = Challenge.objects.bulk_create(
            [
                Challenge(
                    title=f"Uitdaging {i}",
                    summary="Bewoners nemen een taak over.",
                    task=tasks[i % len(tasks)],
                    neighbourhood=hoods[i % len(hoods)],
                    initiator=resident if i < 1000 else others[i % len(others)],
                    status=Status.EXECUTION if i in (0, 1) else statuses[i % len(statuses)],
                    reference=f"RTC-BENCH-{i:05d}",
                    submitted_at=now - timedelta(days=400),
                    status_changed_at=now - timedelta(days=30),
                    due_at=now + timedelta(days=rng.randint(-30, 60)),
                )
                for i in range(CHALLENGES)
            ],
            batch_size=BATCH,
        )
        big, small = challenges[0], challenges[1]
        plan = [big] * 1000 + [small] * 10
        rest = EVENTS - len(plan)
        plan += [challenges[2 + rng.randrange(CHALLENGES - 2)] for _ in range(rest)]
        start = now - timedelta(days=365)
        step = timedelta(days=365) / len(plan)
        for offset in range(0, len(plan), BATCH):
            with transaction.atomic():
                TimelineEvent.objects.bulk_create(
                    [
                        TimelineEvent(
                            challenge=challenge,
                            actor=None,
                            actor_role=Role.REVIEWER,
                            code=EventCode.NOTE,
                            visibility=(
                                Visibility.PUBLIC if (offset + j) % 10 < 7 else Visibility.PARTIES
                            ),
                            data={"text": f"Stand van zaken {offset + j}: het gesprek was goed."},
                            created_at=start + step * (offset + j),
                        )
                        for j, challenge in enumerate(plan[offset : offset + BATCH])
                    ]
                )
            if offset % 100_000 == 0:
                print(f"  {offset} events", flush=True)
        events = list(
            TimelineEvent.objects.filter(challenge=big)
            .order_by("-seq")
            .values_list("pk", flat=True)
        )
        Notification.objects.bulk_create(
            [
                Notification(
                    event_id=pk,
                    recipient=resident,
                    channel=Channel.IN_APP,
                    kind="conversation",
                    frequency=Frequency.IMMEDIATE,
                    reason=Reason.TEAM,
                    status=DeliveryStatus.SENT,
                    sent_at=now,
                )
                for pk in events
            ],
            batch_size=BATCH,
        )
        with transaction.atomic():
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"  built in {time.monotonic() - started:.0f} s", flush=True)
    big = Challenge.objects.get(reference="RTC-BENCH-00000")
    small = Challenge.objects.get(reference="RTC-BENCH-00001")
    oldest_public = (
        TimelineEvent.objects.filter(visibility=Visibility.PUBLIC)
        .order_by("seq")
        .values_list("seq", flat=True)[25]
    )
    oldest_big = big.events.order_by("seq").values_list("seq", flat=True)[10]
    return {
        "resident": resident,
        "big": big.pk,
        "small": small.pk,
        "log_oldest": oldest_public,
        "big_oldest": oldest_big,
        "size": ChainHead.objects.get(pk=1).size,
    }


def session_cookie(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, workers: int = 5):
        self.port = _free_port()
        self.workers = workers
        self.process = None

    def start(self) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "rtc_portal.wsgi:application",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--access-logfile",
                "/dev/null",
                "--timeout",
                "300",
            ],
            cwd=ROOT,
            env=_environment(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url("/bench/baseline/"), timeout=2).read()
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    number, unit = match.groups()
    return float(number) * _UNIT[unit]


def wrk(url: str, duration: int, cookie: str | None) -> dict:
    command = ["wrk", "-t2", "-c16", f"-d{duration}s", "--latency", "--timeout", "10s"]
    command += ["-H", "X-Forwarded-Proto: https"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=duration + 60
    ).stdout
    if "Latency Distribution" not in out:
        raise RuntimeError(f"wrk printed no figures for {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "errors": int(errors.group(1)) if errors else 0}


def _status(url: str, cookie: str | None) -> int:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    if cookie:
        request.add_header("Cookie", cookie)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def export_download(server: Server) -> dict:
    """The whole JSON export once: bytes, seconds, the largest worker RSS seen."""
    request = urllib.request.Request(
        server.url("/log/export.json"), headers={"X-Forwarded-Proto": "https"}
    )
    largest = 0
    size = 0
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=600) as response:
        last_sample = 0.0
        while chunk := response.read(1 << 20):
            size += len(chunk)
            if time.monotonic() - last_sample > 0.5:
                last_sample = time.monotonic()
                for pid in server.worker_pids():
                    status = Path(f"/proc/{pid}/status")
                    if status.exists():
                        match = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
                        if match:
                            largest = max(largest, int(match.group(1)))
        complete = size > 0
    return {
        "bytes": size,
        "seconds": time.monotonic() - started,
        "rss_mb": largest / 1024,
        "complete": complete,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds of wrk per page")
    parser.add_argument("--no-export", action="store_true", help="skip the export download")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install wrk", file=sys.stderr)
        return 2
    _create_database()
    _setup_django()
    fixture = build_fixture()
    from django.core.cache import cache
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    cache.clear()  # only the bench's Redis database
    cookie = session_cookie(fixture["resident"])
    big, small = fixture["big"], fixture["small"]
    pages = [
        ("baseline", "/bench/baseline/", None),
        ("home", "/", None),
        ("challenge list", "/challenges/", None),
        ("challenge list, filtered", "/challenges/?status=intake&overdue=on", None),
        ("challenge, 1,000 events", f"/challenges/{big}/", None),
        ("challenge, 10 events", f"/challenges/{small}/", None),
        ("/log/", "/log/", None),
        ("/log/ oldest page", f"/log/?before={fixture['log_oldest']}", None),
        ("/log/ filtered", "/log/?status=intake", None),
        ("feed", "/log/feed/", None),
        ("criteria", "/criteria/", None),
        ("head.json", "/log/head.json", None),
        ("api: challenges", "/api/v1/challenges/", None),
        ("api: challenges, last page", "/api/v1/challenges/?page=90&page_size=100", None),
        ("api: challenge, 1,000 events", f"/api/v1/challenges/{big}/timeline/?limit=1000", None),
        ("api: log, oldest", "/api/v1/log/", None),
        ("api: log, newest", f"/api/v1/log/?after={fixture['size'] - 100}", None),
        ("api: statistics", "/api/v1/statistics/", None),
        ("logged in: /log/", "/log/", cookie),
        ("logged in: /log/ oldest page", f"/log/?before={fixture['log_oldest']}", cookie),
        ("logged in: challenge, 1,000 events", f"/challenges/{big}/", cookie),
        ("logged in: challenge, 10 events", f"/challenges/{small}/", cookie),
        ("logged in: workspace, 1,000 events", f"/challenges/{big}/workspace/", cookie),
        ("logged in: workspace, 10 events", f"/challenges/{small}/workspace/", cookie),
        (
            "logged in: workspace, oldest page",
            f"/challenges/{big}/workspace/?before={fixture['big_oldest']}",
            cookie,
        ),
        ("logged in: my challenges (1,000)", "/challenges/mine/", cookie),
        ("logged in: notifications (1,000)", "/notifications/", cookie),
    ]
    server = Server()
    server.start()
    results = []
    try:
        for name, path, who in pages:
            status = _status(server.url(path), who)  # also fills the page cache
            figures = wrk(server.url(path), args.duration, who)
            figures.update(name=name, path=path, status=status)
            results.append(figures)
            print(
                f"{name:38} {figures['rps']:8.1f} req/s  p50 {figures['p50']:7.1f} ms  "
                f"p99 {figures['p99']:7.1f} ms  (HTTP {status}, non-2xx {figures['errors']})",
                flush=True,
            )
        export = None if args.no_export else export_download(server)
    finally:
        server.stop()
    baseline = results[0]["rps"]
    print(
        f"\nScale: {CHALLENGES} challenges, {fixture['size']} events; wrk -t2 -c16 "
        f"-d{args.duration}s; gunicorn 5 sync workers, production settings.\n"
    )
    print("| page | req/s | p50 ms | p99 ms | ratio to baseline |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for figures in results:
        print(
            f"| {figures['name']} | {figures['rps']:.0f} | {figures['p50']:.1f} | "
            f"{figures['p99']:.1f} | {figures['rps'] / baseline:.2f} |"
        )
    by_name = {figures["name"]: figures for figures in results}

    def ratio(a: str, b: str) -> float:
        return by_name[a]["p50"] / by_name[b]["p50"]

    print(
        f"\nOldest /log/ page vs first (logged in, p50): "
        f"{ratio('logged in: /log/ oldest page', 'logged in: /log/'):.2f}x; "
        f"challenge 1,000 vs 10 events (logged in, p50): "
        f"{ratio('logged in: challenge, 1,000 events', 'logged in: challenge, 10 events'):.2f}x"
    )
    if export is not None:
        print(
            f"Export: {export['bytes'] / 1e6:.0f} MB in {export['seconds']:.1f} s, "
            f"largest worker RSS seen {export['rss_mb']:.0f} MB, complete: {export['complete']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
