"""How long `manage.py verify_log` takes over a big process log.

    .venv/bin/python benchmarks/bench_verify_log.py [--entries 1000000] [--runs 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rtc_bench .venv/bin/python \\
        benchmarks/bench_verify_log.py

Builds a log of --entries events in a database of its own: without DATABASE_URL a
fresh SQLite file (--sqlite-path), with it the (empty, freshly created) PostgreSQL
database it names; it refuses a database that already holds events unless --reuse
is given (then it uses the log that is there). The entries are inserted in bulk with
their chain computed beforehand by challenges.chain (executemany on SQLite, COPY on
PostgreSQL): a mix like a real municipality's (60% public, 30% parties, 10%
internal; stage changes, notes and additions of 20 to 400 characters, some with
non-ASCII text; one in a thousand erased).

Then it times, in this order:
  rules only   canonical JSON + SHA-256 of every entry's content and its link, in
               memory, with challenges.chain (the floor for any verifier in Python)
  fetch only   reading every row the way verify_log does, doing nothing with it
  verify_log   the command, --jobs 1 and the default (one worker per core), --runs
               times each; the best and the median are printed, with the CPU time
               of Python (this process and its workers) and, for --jobs 1 on a
               local PostgreSQL, of the server's backend
  export       with --with-export: streaming /log/export.json to a file, and
               tools/verify_log_export.py checking it (once each)

Not part of `make test` (pytest collects tests/ only). Figures and the machine they
were measured on: docs/benchmarks.md.
"""

import argparse
import csv
import gc
import io
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = (
    "buurt park onderhoud bewoners gemeente plan begroting vrijwilligers overleg "
    "planning contract wijkcentrum groen zwerfafval speeltuin café één coöperatie "
    "ruimte regels evaluatie ploeg maaien snoeien subsidie draagvlak vergunning"
).split()


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--sqlite-path",
        default=str(Path(tempfile.gettempdir()) / "rtc-bench-verify-log.sqlite3"),
        help="the SQLite file to build (without DATABASE_URL); replaced unless --reuse",
    )
    parser.add_argument("--reuse", action="store_true", help="use the log already built")
    parser.add_argument(
        "--verify-only", action="store_true", help="time verify_log only (no floor, no fetch)"
    )
    parser.add_argument(
        "--with-export",
        action="store_true",
        help="also time /log/export.json and tools/verify_log_export.py on it",
    )
    return parser.parse_args()


def setup_django(args) -> None:
    if not os.environ.get("DATABASE_URL"):
        path = Path(args.sqlite_path)
        if path.exists() and not args.reuse:
            path.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rtc_portal.settings.test")
    # WhiteNoise looks for collected static files; the export needs none.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()


def text(rng: random.Random) -> str:
    n = rng.choice((3, 6, 12, 25, 60))
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def generate(n: int, challenge_ids: list[int], start: datetime):
    """Yield (content, row for the database) in seq order, with the chain computed."""
    from challenges import chain

    rng = random.Random(2026)  # the same log every time
    previous = chain.GENESIS
    steps = ["submitted", "intake", "assessment", "decision", "accepted", "agreement"]
    # An erased entry is followed by the erasure event naming it (same challenge and
    # visibility), as timeline_erase_personal_data writes it.
    erasure_for = None
    for seq in range(1, n + 1):
        challenge = challenge_ids[seq % len(challenge_ids)]
        roll = rng.random()
        visibility = "public" if roll < 0.6 else "parties" if roll < 0.9 else "internal"
        kind = rng.random()
        if erasure_for is not None:
            erased_seq, challenge, visibility = erasure_for
            code, role, data = chain.ERASURE_CODE, "", chain.erasure_data([erased_seq])
        elif kind < 0.4:
            code, role = "status_changed", "reviewer"
            i = rng.randrange(len(steps) - 1)
            data = {
                "from": steps[i],
                "to": steps[i + 1],
                "motivation": text(rng),
                "due_at": None if rng.random() < 0.5 else "2026-03-01T09:00:00+01:00",
            }
        elif kind < 0.7:
            code, role, data = "note", "reviewer", {"text": text(rng)}
        else:
            code, role, data = "addition", "challenger", {"text": text(rng)}
        created = start + timedelta(seconds=seq, microseconds=rng.randrange(1_000_000))
        erased = erasure_for is None and rng.random() < 0.001
        erasure_for = (seq, challenge, visibility) if erased else None
        content = {
            "challenge": challenge,
            "code": code,
            "visibility": visibility,
            "actor_role": role,
            "data": data,
            "corrects": None,
            "created_at": chain.canonical_time(created),
            "salt": secrets.token_hex(16),
        }
        digest = chain.content_digest(**content)
        previous = chain.link(previous, seq, digest)
        stored_data, salt = (chain.ERASED_DATA, "") if erased else (data, content["salt"])
        row = (
            seq,
            salt,
            digest,
            previous,
            created if erased else None,
            challenge,
            code,
            visibility,
            role,
            chain.canonical_json(stored_data),
            created,
        )
        yield content, row


COLUMNS = (
    "seq",
    "salt",
    "digest",
    "chain_hash",
    "erased_at",
    "challenge_id",
    "code",
    "visibility",
    "actor_role",
    "data",
    "created_at",
)


def build(n: int) -> None:
    from django.db import connection, transaction

    from accounts.models import User
    from challenges.models import ChainHead, Challenge, Neighbourhood, Task, TimelineEvent

    if TimelineEvent.objects.exists():
        sys.exit("The database already holds timeline events: give an empty one, or --reuse.")
    started = time.perf_counter()
    with transaction.atomic():
        user = User.objects.create(username="bench", email="bench@example.org")
        task = Task.objects.create(
            name="Bench", department="Bench", current_yearly_cost=1, description="-"
        )
        hood = Neighbourhood.objects.create(name="Bench")
        challenges = Challenge.objects.bulk_create(
            Challenge(
                title=f"Bench {i}",
                initiator=user,
                task=task,
                neighbourhood=hood,
                status="intake",
                reference=f"BENCH-{i}",
            )
            for i in range(100)
        )
    ids = [c.pk for c in challenges]
    start = datetime(2020, 1, 1, tzinfo=UTC)
    table = TimelineEvent._meta.db_table
    last = None
    with transaction.atomic():
        raw = connection.connection  # the DB-API connection: no per-row ORM work
        batch_size = 50_000
        rows = []
        vendor = connection.vendor

        def flush():
            if vendor == "postgresql":
                buffer = io.StringIO()
                writer = csv.writer(buffer)
                for row in rows:
                    writer.writerow(["" if v is None else v for v in row])
                buffer.seek(0)
                with raw.cursor() as cursor:
                    cursor.copy_expert(
                        f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN "
                        "WITH (FORMAT csv, FORCE_NOT_NULL (salt, actor_role))",
                        buffer,
                    )
            else:
                # Django's SQLite format: naive UTC text.
                converted = [
                    (
                        *row[:4],
                        row[4].replace(tzinfo=None).isoformat(" ") if row[4] else None,
                        *row[5:10],
                        row[10].replace(tzinfo=None).isoformat(" "),
                    )
                    for row in rows
                ]
                placeholders = ", ".join("?" * len(COLUMNS))
                raw.executemany(
                    f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders})",
                    converted,
                )

        for _content, row in generate(n, ids, start):
            rows.append(row)
            last = row
            if len(rows) >= batch_size:
                flush()
                rows = []
                print(f"  inserted {row[0]:,}", end="\r", flush=True)
        if rows:
            flush()
        ChainHead.objects.filter(pk=ChainHead.SINGLETON).update(
            size=last[0], hash=last[3], updated_at=last[10]
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"Built {n:,} entries in {time.perf_counter() - started:.0f} s.        ")


def time_rules(n: int) -> float:
    """Canonical JSON + SHA-256 of the content and the link of the same n entries,
    already in memory as dicts: the floor for any verifier written in Python."""
    from challenges import chain

    start = datetime(2020, 1, 1, tzinfo=UTC)
    contents = [content for content, _row in generate(n, list(range(1, 101)), start)]
    gc.collect()
    started = time.perf_counter()
    previous = chain.GENESIS
    for seq, content in enumerate(contents, start=1):
        previous = chain.link(previous, seq, chain.content_digest(**content))
    took = time.perf_counter() - started
    del contents
    gc.collect()
    return took


def time_fetch(size: int) -> float:
    from django.db import connection, transaction

    from challenges.management.commands.verify_log import _rows, _select_sql

    started = time.perf_counter()
    count = 0
    with transaction.atomic():
        for _row in _rows(_select_sql(connection.vendor), 1, size):
            count += 1
    assert count == size, (count, size)
    return time.perf_counter() - started


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the forked workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def server_cpu_seconds() -> float | None:
    """CPU time of this connection's PostgreSQL backend, when it runs on this machine."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_verify(jobs: int) -> tuple[float, float, float | None]:
    """(wall seconds, Python CPU seconds, server CPU seconds or None) of one run.
    The server's CPU is known only for --jobs 1 (the workers' backends are gone)."""
    from django.core.management import call_command

    out = io.StringIO()
    server = server_cpu_seconds() if jobs == 1 else None
    cpu = cpu_seconds()
    started = time.perf_counter()
    call_command("verify_log", f"--jobs={jobs}", stdout=out)
    took = time.perf_counter() - started
    cpu = cpu_seconds() - cpu
    if server is not None:
        server = server_cpu_seconds() - server
    assert "The log verifies" in out.getvalue(), out.getvalue()
    return took, cpu, server


def time_export_and_standalone(head) -> tuple[float, float, int]:
    """(seconds to stream /log/export.json, seconds for the standalone verifier, bytes)."""
    import subprocess

    from django.test import Client

    path = Path(tempfile.gettempdir()) / "rtc-bench-export.json"
    started = time.perf_counter()
    response = Client().get("/log/export.json", HTTP_HOST="localhost")
    size = 0
    with path.open("wb") as handle:
        for chunk in response.streaming_content:
            size += len(chunk)
            handle.write(chunk)
    exported = time.perf_counter() - started
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-I", "-S", str(ROOT / "tools" / "verify_log_export.py"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    verified = time.perf_counter() - started
    assert result.returncode == 0 and str(head) in result.stdout, result
    path.unlink()
    return exported, verified, size


def main() -> None:
    args = parse_args()
    setup_django(args)
    from django.core.management import call_command
    from django.db import connection

    from challenges import chain
    from challenges.management.commands.verify_log import default_jobs

    call_command("migrate", verbosity=0)
    head = chain.current_head()
    if not (args.reuse and head.size):
        build(args.entries)
        head = chain.current_head()
    gc.collect()
    db = connection.vendor
    print(f"Database: {db} ({connection.settings_dict['NAME']}), {head.size:,} entries")
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores")

    print(f"Load average before: {os.getloadavg()[0]:.2f} (other work on the machine)")
    figures, cpu, server = {}, {}, {}
    if not args.verify_only:
        figures["rules only (in memory)"] = [time_rules(head.size)]
        figures["fetch only"] = [time_fetch(head.size) for _ in range(args.runs)]
    auto = default_jobs(head.size)
    for jobs in sorted({1, auto}):
        label = f"verify_log --jobs {jobs}" + (" (the default)" if jobs == auto else "")
        runs = [time_verify(jobs) for _ in range(args.runs)]
        figures[label] = [wall for wall, _cpu, _server in runs]
        cpu[label] = min(c for _wall, c, _server in runs)
        if runs[0][2] is not None:
            server[label] = min(s for _wall, _cpu, s in runs)
    if args.with_export:
        exported, verified, size = time_export_and_standalone(head)
        figures[f"GET /log/export.json ({size / 1e6:.0f} MB)"] = [exported]
        figures["tools/verify_log_export.py on it"] = [verified]
    print(f"Load average after: {os.getloadavg()[0]:.2f}")
    print(f"{'':36}{'best':>8}{'median':>9}   CPU: Python  server")
    for label, runs in figures.items():
        extra = f"{cpu[label]:11.2f}s" if label in cpu else ""
        extra += f"{server[label]:7.2f}s" if label in server else ""
        print(f"{label:36}{min(runs):7.2f}s{statistics.median(runs):8.2f}s{extra}")


if __name__ == "__main__":
    main()
