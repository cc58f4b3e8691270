"""Clients that send their headers one byte a second do not take the site down.

gunicorn runs as in production (the repository's gunicorn.conf.py, one worker, its
default threads), on a free loopback port, with the test settings on a migrated
SQLite file. Ten connections drip a request line byte by byte; while every one of
them is still open and unanswered, an ordinary request gets its 200. With gunicorn's
default sync worker the ordinary request would wait behind the first dripping client.

Shape, not speed: the ordinary request must finish before the drips do (they never
finish on their own), and it gets a generous bound only so that a broken server
fails the test instead of hanging it.

The access log of that run is read too: gunicorn's logger writes an invitation
token as [redacted].
"""

import os
import select
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DRIPPING_CLIENTS = 10
# How long anything may take before the test gives up (a hang is a failure, not a wait).
BOUND = 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(tmp_path: Path) -> dict:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "DATABASE_URL",
            "REDIS_URL",
            "DJANGO_SETTINGS_MODULE",
            "WEB_CONCURRENCY",
            "GUNICORN_THREADS",
            "GUNICORN_BIND",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        )
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="rtc_portal.settings.test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        WEB_CONCURRENCY="1",
    )
    return environment


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=BOUND) as response:  # noqa: S310 (loopback)
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class Dripper(threading.Thread):
    """One connection that sends a request line one byte a second, for ever."""

    LINE = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 200

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=BOUND)
        self.stop = threading.Event()
        self.sent = 0
        self.error: Exception | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set() and self.sent < len(self.LINE):
                self.sock.sendall(self.LINE[self.sent : self.sent + 1])
                self.sent += 1
                self.stop.wait(1)
        except OSError as error:  # the server closed the connection
            self.error = error

    def still_waiting(self) -> bool:
        """Open, and the server has sent nothing back: no response and no close (either
        would make the socket readable)."""
        if self.error is not None:
            return False
        readable, _, _ = select.select([self.sock], [], [], 0)
        return not readable

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


@pytest.fixture
def gunicorn(tmp_path):
    """The portal under gunicorn on a free port: (port, path of its access log)."""
    environment = _environment(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=environment,
        check=True,
        timeout=120,
    )
    port = _free_port()
    access_log = tmp_path / "access.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "rtc_portal.wsgi:application",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(access_log),
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + BOUND
        while True:
            try:
                if _get(f"http://127.0.0.1:{port}/") == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start: {process.stderr.read().decode()[-3000:]}")
            time.sleep(0.2)
        yield port, access_log
    finally:
        process.terminate()
        try:
            process.wait(timeout=BOUND)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


def test_an_ordinary_request_is_served_while_ten_clients_drip_their_headers(gunicorn):
    port, access_log = gunicorn
    drippers = [Dripper(port) for _ in range(DRIPPING_CLIENTS)]
    try:
        for dripper in drippers:
            dripper.start()
        # Every dripper has sent a few bytes: each now holds whatever reads its request.
        while min(d.sent for d in drippers) < 3:
            time.sleep(0.1)

        status = _get(f"http://127.0.0.1:{port}/challenges/")

        assert status == 200
        # ... and it was served while every dripping client was still waiting.
        waiting = [d.still_waiting() for d in drippers]
        assert all(waiting), f"dripping clients answered or cut off: {waiting}"
        assert max(d.sent for d in drippers) < len(Dripper.LINE)
    finally:
        for dripper in drippers:
            dripper.close()

    # The same gunicorn's access log: the invitation token of a link never appears.
    assert _get(f"http://127.0.0.1:{port}/invitations/s3cr3t-from-an-email/") == 404
    deadline = time.monotonic() + BOUND
    while "/invitations/" not in access_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    logged = access_log.read_text()
    assert '"GET /challenges/ HTTP/1.1" 200' in logged
    assert '"GET /invitations/[redacted]/ HTTP/1.1" 404' in logged
    assert "s3cr3t-from-an-email" not in logged


def test_compose_puts_a_buffering_proxy_in_front_of_gunicorn():
    """The first defence (read, not run: no Docker engine needed): nginx reads every
    request whole, with timeouts, and only it is published; gunicorn is not."""
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert "ports" not in services["web"]
    assert services["proxy"]["image"].startswith("nginx:")
    assert services["proxy"]["ports"] == ["127.0.0.1:${WEB_PORT:-8000}:8080"]
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"
    (config,) = services["proxy"]["configs"]
    content = compose["configs"][config["source"]]["content"]
    for directive in (
        "client_header_timeout 10s;",
        "client_body_timeout 10s;",
        "proxy_request_buffering on;",
        "proxy_buffering on;",
        "proxy_pass http://portal;",
        "server web:8000;",
        "access_log /var/log/nginx/access.log portal;",
    ):
        assert directive in content, directive
