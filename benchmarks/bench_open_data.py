"""Peak memory of the open-data exports (/open-data/challenges.csv and .json) from
1,000 to 100,000 public challenges: it should stay flat, because they stream.

    .venv/bin/python benchmarks/bench_open_data.py [--sizes 1000 10000 100000]

Each size runs in a subprocess of its own, on a fresh SQLite file copied from one
migrated template (so the sizes do not share memory or a database). In it the
exports run once on the empty database (warming imports and caches), the challenges
are inserted in bulk, then the export view is called and its streamed
response consumed to the end, chunk by chunk, as a client would, with tracemalloc
tracing Python's allocations from the request on. Printed per size and format: the
peak traced memory of the export, the bytes streamed, the wall time and the
process's peak RSS; then the ratio of the largest size's peak to the smallest's.
A ratio near 1 means the memory does not grow with the number of rows.

Not part of `make test` (pytest collects tests/ only). Results: docs/benchmarks-open-data.md.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rtc_portal.settings.test")
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()


def migrate(path: Path) -> None:
    setup_django(path)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def fill(n: int) -> None:
    """n public challenges over a few tasks and neighbourhoods, inserted in bulk."""
    from accounts.models import User
    from challenges.models import Challenge, Neighbourhood, Task

    user = User.objects.create_user(username="bench", email="bench@example.org")
    tasks = [
        Task.objects.create(
            name=f"Taak {i}",
            department="Stadsbeheer",
            current_yearly_cost=Decimal("100000"),
            description="Onderhoud.",
        )
        for i in range(10)
    ]
    places = [Neighbourhood.objects.create(name=f"Wijk {i}") for i in range(10)]
    statuses = ["submitted", "intake", "assessment", "decision", "accepted", "execution"]
    start = datetime(2025, 1, 1, 9, tzinfo=UTC)
    batch = []
    for i in range(n):
        at = start + timedelta(minutes=i)
        batch.append(
            Challenge(
                title=f"Bewoners beheren het buurtpark, nummer {i}",
                summary="Wij onderhouden het park zelf, met buurtbewoners en een vaste "
                "ploeg; één coördinator, “aanhalingstekens”, en een komma.",
                task=tasks[i % 10],
                neighbourhood=places[i % 10],
                initiator=user,
                status=statuses[i % len(statuses)],
                reference=f"RTC-2025-{i:06d}",
                submitted_at=at,
                status_changed_at=at,
                due_at=at + timedelta(days=28),
                budget_requested=Decimal("95000.00"),
                legal_form="foundation",
            )
        )
        if len(batch) == 5000:
            Challenge.objects.bulk_create(batch)
            batch = []
    Challenge.objects.bulk_create(batch)


def export(kind: str) -> dict:
    from django.test import RequestFactory

    from insights import views

    view = {"csv": views.challenges_csv, "json": views.challenges_json}[kind]
    request = RequestFactory().get(f"/open-data/challenges.{kind}")
    tracemalloc.start()
    began = time.perf_counter()
    response = view(request)
    size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
    seconds = time.perf_counter() - began
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "peak_bytes": peak,
        "streamed_bytes": size,
        "seconds": round(seconds, 2),
    }


def child(args) -> None:
    path = Path(args.database)
    setup_django(path)
    # A first export of the empty database: imports, URL resolver, translations and
    # the database connection are then in place and not counted as the export's.
    for kind in ("csv", "json"):
        export(kind)
    fill(args.child)
    results = {kind: export(kind) for kind in ("csv", "json")}
    # ru_maxrss: kilobytes on Linux.
    results["max_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--migrate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.migrate_only:
        migrate(Path(args.database))
        return
    if args.child is not None:
        child(args)
        return

    workdir = Path(tempfile.mkdtemp(prefix="rtc-bench-open-data-"))
    try:
        template = workdir / "template.sqlite3"
        script = str(Path(__file__).resolve())
        subprocess.run(
            [sys.executable, script, "--migrate-only", "--database", str(template)], check=True
        )
        rows = []
        for size in args.sizes:
            database = workdir / f"db-{size}.sqlite3"
            shutil.copy(template, database)
            done = subprocess.run(
                [sys.executable, script, "--child", str(size), "--database", str(database)],
                check=True,
                capture_output=True,
                text=True,
            )
            rows.append((size, json.loads(done.stdout.strip().splitlines()[-1])))
            database.unlink()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        "| challenges | format | peak traced memory | streamed | time "
        "| process peak RSS (with building the data) |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for size, result in rows:
        for kind in ("csv", "json"):
            r = result[kind]
            print(
                f"| {size:,} | {kind} | {r['peak_bytes'] / 1024:,.0f} KiB | "
                f"{r['streamed_bytes'] / 1024 / 1024:,.1f} MiB | {r['seconds']} s | "
                f"{result['max_rss_kb'] / 1024:,.0f} MiB |"
            )
    (small, first), (large, last) = rows[0], rows[-1]
    for kind in ("csv", "json"):
        ratio = last[kind]["peak_bytes"] / first[kind]["peak_bytes"]
        print(
            f"\n{kind}: peak at {large:,} rows / peak at {small:,} rows = {ratio:.2f} "
            f"({large // small}x the rows)"
        )


if __name__ == "__main__":
    main()
