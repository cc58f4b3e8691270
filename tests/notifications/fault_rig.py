"""The real processes of the mail and broker fault tests (test_faults_real.py): a
redis-server, an SMTP server that can be switched to refuse for now ("451") or to
refuse connections, and `celery -A rtc_portal worker` / `beat` subprocesses on the
test database. Everything binds to free loopback ports (never the shared Redis on
6379) and is stopped by the fixtures that start it."""

import asyncio
import collections
import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from django.db import connection

from tests.conftest import running_under_ci

ROOT = Path(__file__).resolve().parent.parent.parent
QUEUES = "default,notifications,periodic"

# Retry by time, scaled down for the tests (fault_settings.py: 2 s doubling to 20 s
# instead of 30 s to an hour, sweeps every 2 s): the same rule, 15 times faster.
SETTINGS_MODULE = "tests.notifications.fault_settings"


def require(program: str, why: str) -> str:
    binary = shutil.which(program)
    if binary is None:
        reason = f"needs the {program} program ({why})"
        if running_under_ci():
            pytest.fail(f"CI=true and {program} is missing: {reason}", pytrace=False)
        pytest.skip(reason)
    return binary


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class RedisServer:
    """A throw-away redis-server without persistence: a restart starts empty (the
    queued messages are gone too, the worst case)."""

    def __init__(self, workdir: Path):
        self.binary = require("redis-server", "apt-get install redis-server")
        self.port = free_port()
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        log = open(self.workdir / f"redis-{self.port}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.workdir)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)

        def up():
            try:
                return client.ping()
            except redis.RedisError:
                return False

        wait_for(up, 10, "redis-server to start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


class SMTPServer:
    """A real SMTP server on loopback (aiosmtpd, in a thread of the test process).

    mode "accept": takes every message; "451": answers every recipient "451 4.3.0
    Try again later"; `refuse()` closes the port (connection refused) and
    `accept()` opens it again. Every RCPT is recorded as an attempt (address, time,
    answer) and every accepted message by its Message-ID."""

    def __init__(self):
        pytest.importorskip("aiosmtpd", reason="needs aiosmtpd (pip install -e '.[dev]')")
        self.port = free_port()
        self.mode = "accept"
        self.delay = 0.0
        self.lock = threading.Lock()
        self.attempts: dict[str, list[tuple[float, str]]] = collections.defaultdict(list)
        self.accepted: list[tuple[str, str, str]] = []  # (Message-ID, recipient, body)
        self.controller = None

    # -- the handler (aiosmtpd calls these in its own event loop) --
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            mode = self.mode
            self.attempts[address.lower()].append((time.time(), mode))
        if mode == "451":
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        if self.delay:
            await asyncio.sleep(self.delay)  # the server takes its time before accepting
        body = message.get_payload(decode=True) or b""
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.accepted.append(
                    (message["Message-ID"], rcpt.lower(), body.decode("utf-8", "replace"))
                )
        return "250 Message accepted for delivery"

    # -- switching --
    def start(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def refuse(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def accept(self):
        self.mode = "accept"
        if self.controller is None:
            self.start()

    def answer_451(self):
        self.mode = "451"
        if self.controller is None:
            self.start()

    def stop(self):
        self.refuse()

    def message_ids(self) -> list[str]:
        with self.lock:
            return [mid for mid, _rcpt, _body in self.accepted]

    def attempts_of(self, address: str) -> list[tuple[float, str]]:
        with self.lock:
            return list(self.attempts[address.lower()])


def _test_database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


class Processes:
    """Celery worker and beat subprocesses on the test Redis, database and SMTP
    server, each in its own process group."""

    def __init__(self, redis_url: str, smtp_port: int, workdir: Path, extra_env=None):
        self.redis_url = redis_url
        self.smtp_port = smtp_port
        self.workdir = workdir
        self.extra_env = extra_env or {}
        self.processes: list[tuple[str, subprocess.Popen, Path]] = []
        self.killed: set[int] = set()
        self.restarted = 0
        self.count = 0

    def environment(self) -> dict:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTEST_", "DJANGO_ALLOW_ASYNC"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
            DATABASE_URL=_test_database_url(),
            REDIS_URL=self.redis_url,
            CELERY_TASK_ALWAYS_EAGER="false",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(self.smtp_port),
            EMAIL_USE_TLS="false",
            PYTHONPATH=str(ROOT),
            **self.extra_env,
        )
        return env

    def _spawn(self, kind: str, args: list[str], ready: bytes) -> subprocess.Popen:
        self.count += 1
        log_path = self.workdir / f"{kind}{self.count}.log"
        log = open(log_path, "ab")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "rtc_portal", *args],
            cwd=ROOT,
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append((kind, process, log_path))
        wait_for(
            lambda: process.poll() is not None or ready in log_path.read_bytes(),
            60,
            f"celery {kind} to be ready",
        )
        assert process.poll() is None, log_path.read_text()[-3000:]
        return process

    def worker(self, concurrency: int = 1) -> subprocess.Popen:
        return self._spawn(
            "worker",
            ["worker", "-l", "info", "-P", "prefork", "-c", str(concurrency), "-Q", QUEUES]
            + ["-n", f"fault{self.count + 1}@%h", "--without-heartbeat", "--without-gossip"]
            + ["--without-mingle"],
            b" ready.",
        )

    def beat(self) -> subprocess.Popen:
        schedule = self.workdir / f"beat-schedule-{self.count + 1}"
        return self._spawn(
            "beat",
            ["beat", "-l", "info", "--schedule", str(schedule), "--max-interval", "1"],
            b"beat: Starting",
        )

    def pool_children(self, process: subprocess.Popen) -> list[int]:
        path = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except (FileNotFoundError, ValueError):
            return []

    def kill_pool_child(self, process: subprocess.Popen) -> int | None:
        """SIGKILL the prefork child doing the work (the worker starts a new one and
        the late-acknowledged task is delivered again)."""
        children = self.pool_children(process)
        if not children:
            return None
        os.kill(children[0], signal.SIGKILL)
        return children[0]

    def restart_dead(self):
        """A worker or beat that exited is started again, as compose's `restart:
        unless-stopped` does (kombu can end a worker with "Unrecoverable error"
        when the broker vanishes under a late-acknowledged task)."""
        for entry in list(self.processes):
            kind, process, _log = entry
            if process.poll() is not None and process.pid not in self.killed:
                self.processes.remove(entry)
                self.restarted += 1
                self.worker() if kind == "worker" else self.beat()

    def stop_all(self):
        for _kind, process, _log in self.processes:
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
