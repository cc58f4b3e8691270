"""A fake erasure is detected: content removed outside the erasure service, on the
server (`verify_log`) and in a downloaded export (`tools/verify_log_export.py`).

On the server the fake is made the way someone with database access would: on
SQLite a direct UPDATE; on PostgreSQL through the trigger's own erasure path
(set_config('rtc.erasure', 'on', true), as the service opens it), so the trigger
lets it through and only the chain's erasure events can tell. In the export, a
public entry is stripped to its digest in the downloaded JSON (or CSV)."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from challenges import chain, services
from challenges.constants import Status, Visibility
from challenges.management.commands.verify_log import verify_log
from challenges.models import TimelineEvent
from challenges.timeline import record_event, timeline_erase_personal_data
from tests.challenges.factories import ReviewerFactory, add_co_initiator, challenge_in

TOOL = Path(settings.BASE_DIR) / "tools" / "verify_log_export.py"
TABLE = TimelineEvent._meta.db_table

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(db):
    """Two submitted challenges with public, parties and internal entries; the
    co-initiator of the first really erased their data (an erasure on the chain)."""
    reviewer = ReviewerFactory()
    first = challenge_in(Status.INTAKE, reviewer=reviewer)
    person = add_co_initiator(first)
    services.challenge_add_addition(
        challenge=first, actor=person, text="Bel me: 06-11111111.", visibility=Visibility.PUBLIC
    )
    services.challenge_add_note(
        challenge=first, actor=reviewer, text="Intern overleg.", visibility=Visibility.INTERNAL
    )
    assert timeline_erase_personal_data(user=person) == 2
    second = challenge_in(Status.SUBMITTED, reviewer=reviewer)
    services.challenge_add_addition(
        challenge=second,
        actor=second.initiator,
        text="Openbare toelichting.",
        visibility=Visibility.PUBLIC,
    )
    services.challenge_add_note(
        challenge=second, actor=reviewer, text="Voor de partijen.", visibility=Visibility.PARTIES
    )
    return chain.current_head()


def run_verify_log() -> str:
    out = io.StringIO()
    call_command("verify_log", stdout=out)
    return out.getvalue()


def erase_by_hand(seq: int) -> None:
    """What the erasure service does to the row, without the service (and so without
    an erasure event)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('rtc.erasure', 'on', true)")
        cursor.execute(
            f"UPDATE {TABLE} SET data = %s, salt = '', actor_id = NULL, "  # noqa: S608
            "erased_at = CURRENT_TIMESTAMP WHERE seq = %s",
            [chain.canonical_json(chain.ERASED_DATA), seq],
        )
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('rtc.erasure', 'off', true)")


def public_entry_of_a_challenger() -> TimelineEvent:
    return (
        TimelineEvent.objects.filter(
            visibility=Visibility.PUBLIC, erased_at=None, actor__isnull=False
        )
        .exclude(code=chain.ERASURE_CODE)
        .order_by("-seq")
        .first()
    )


def download(client, tmp_path, kind="json", name="export") -> Path:
    response = client.get(reverse(f"challenges:log-export-{kind}"))
    assert response.status_code == 200
    path = tmp_path / f"{name}.{kind}"
    path.write_bytes(b"".join(response.streaming_content))
    return path


def run_standalone(*args) -> subprocess.CompletedProcess:
    # -I -S: the standard library only, as on a stranger's machine.
    return subprocess.run(
        [sys.executable, "-I", "-S", str(TOOL), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def rewrite_json(path: Path, change) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document["entries"])
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def strip(entry: dict, withheld: str | None = None) -> dict:
    kept = {key: entry[key] for key in ("seq", "created_at", "digest", "chain_hash")}
    if withheld is not None:
        kept["withheld"] = withheld
    return kept


# -- On the server: verify_log ---------------------------------------------------------


def test_the_real_erasure_verifies(log):
    assert f"Head: {log}" in run_verify_log()


def test_an_erasure_by_hand_makes_verify_log_fail_naming_the_seq(log):
    event = public_entry_of_a_challenger()
    erase_by_hand(event.seq)
    stored = TimelineEvent.objects.get(pk=event.pk)
    # The row looks exactly like a real erasure, and the trigger let it through.
    assert stored.data == chain.ERASED_DATA and stored.salt == "" and stored.is_erased
    with pytest.raises(CommandError, match=rf"seq {event.seq}: .*no later erasure event") as info:
        run_verify_log()
    assert "does NOT verify" in str(info.value)
    assert "fake erasure" in str(info.value)


def test_the_erased_marker_without_erased_at_is_named_too(log):
    """Data and salt wiped by hand, erased_at left empty: the trigger refuses it on
    PostgreSQL, even on its erasure path; on SQLite verify_log names it."""
    event = public_entry_of_a_challenger()
    wipe = f"UPDATE {TABLE} SET data = %s, salt = '', actor_id = NULL WHERE seq = %s"  # noqa: S608
    params = [chain.canonical_json(chain.ERASED_DATA), event.seq]
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('rtc.erasure', 'on', true)")
                cursor.execute(wipe, params)
        assert TimelineEvent.objects.get(pk=event.pk).data == event.data
        assert f"Head: {log}" in run_verify_log()
        return
    with connection.cursor() as cursor:
        cursor.execute(wipe, params)
    with pytest.raises(CommandError, match=rf"seq {event.seq}: it holds the erased marker"):
        run_verify_log()


def test_an_erasure_event_naming_an_entry_that_is_not_erased_is_reported(log):
    event = public_entry_of_a_challenger()
    with transaction.atomic():
        fake = record_event(
            challenge=event.challenge,
            code=chain.ERASURE_CODE,
            visibility=Visibility.PUBLIC,
            data=chain.erasure_data([event.seq]),
        )
    with pytest.raises(
        CommandError, match=rf"seq {fake.seq}: this erasure event names seq {event.seq}, which is"
    ):
        run_verify_log()


def test_an_erasure_event_on_another_challenge_is_reported(log):
    """The erasure event lives on the challenge (and visibility) of what it names."""
    event = public_entry_of_a_challenger()
    other = challenge_in(Status.SUBMITTED)
    erase_by_hand(event.seq)
    with transaction.atomic():
        fake = record_event(
            challenge=other,
            code=chain.ERASURE_CODE,
            visibility=Visibility.PUBLIC,
            data=chain.erasure_data([event.seq]),
        )
    with pytest.raises(CommandError, match=rf"seq {fake.seq}: .*another challenge"):
        run_verify_log()


# -- In a downloaded export: the standalone verifier -------------------------------------


def test_a_real_erasure_passes_the_standalone_verifier(log, client, tmp_path):
    for kind in ("json", "csv"):
        result = run_standalone(download(client, tmp_path, kind))
        assert result.returncode == 0, result.stderr
        assert f"Head: {log}" in result.stdout
        # The public addition, named by the public erasure event. The person's joined
        # event (parties) is named by an erasure event that is not public either.
        assert "Erased entries: 1, each named by a later erasure event." in result.stdout


@pytest.mark.parametrize("withheld", [None, "erased"], ids=["unmarked", "marked-erased"])
def test_a_public_entry_stripped_to_its_digest_is_refused(log, client, tmp_path, withheld):
    path = download(client, tmp_path)
    seq = public_entry_of_a_challenger().seq

    def stripped(entries):
        entries[seq - 1] = strip(entries[seq - 1], withheld)

    rewrite_json(path, stripped)
    result = run_standalone(path)
    assert result.returncode == 1, result.stdout
    assert "does NOT verify" in result.stderr
    assert f"seq {seq}:" in result.stderr


def _strip_csv(path: Path, seq: int, withheld: str) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[seq][0] == str(seq)
    rows[seq] = rows[seq][:4] + [""] * 7 + [withheld]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def test_a_stripped_entry_in_the_csv_is_refused(log, client, tmp_path):
    path = download(client, tmp_path, "csv")
    seq = public_entry_of_a_challenger().seq
    _strip_csv(path, seq, "")
    result = run_standalone(path)
    assert result.returncode == 1, result.stdout
    assert f"seq {seq}: it is exported by digest only without saying why" in result.stderr


def test_a_csv_entry_stripped_and_marked_erased_is_never_said_to_verify(log, client, tmp_path):
    path = download(client, tmp_path, "csv")
    seq = public_entry_of_a_challenger().seq
    _strip_csv(path, seq, "erased")
    result = run_standalone(path)
    # A CSV does not say where the log ends: the erasure event could be in a later
    # part, so the verifier cannot conclude; it never says the log verifies.
    assert result.returncode == 3, result.stdout
    assert f"not yet justified in this part: seq {seq}" in result.stderr
    assert "The log verifies" not in result.stdout


def test_a_fake_erasure_in_the_database_fails_the_export_too(log, client, tmp_path):
    seq = public_entry_of_a_challenger().seq
    erase_by_hand(seq)
    path = download(client, tmp_path)
    entry = json.loads(path.read_text(encoding="utf-8"))["entries"][seq - 1]
    assert entry["withheld"] == "erased"
    result = run_standalone(path)
    assert result.returncode == 1, result.stdout
    assert f"seq {seq}: it is exported as erased but no later erasure event names it" in (
        result.stderr
    )


def test_an_entry_relabelled_restricted_is_caught_against_an_earlier_export(log, client, tmp_path):
    earlier = download(client, tmp_path, name="earlier")
    path = download(client, tmp_path)
    seq = public_entry_of_a_challenger().seq

    def relabelled(entries):
        entries[seq - 1] = strip(entries[seq - 1], "restricted")

    rewrite_json(path, relabelled)
    # On its own, "restricted" cannot be told from a parties entry...
    assert run_standalone(path).returncode == 0
    # ...but the entry was public in the export downloaded before.
    result = run_standalone(path, "--earlier", earlier)
    assert result.returncode == 1, result.stdout
    assert f"seq {seq}: it was public in the earlier export" in result.stderr
    # The untouched export passes, and the earlier export's head counts as a --head.
    services.challenge_add_note(
        challenge=public_entry_of_a_challenger().challenge,
        actor=ReviewerFactory(),
        text="Later.",
        visibility=Visibility.PUBLIC,
    )
    result = run_standalone(download(client, tmp_path), "--earlier", earlier)
    assert result.returncode == 0, result.stderr
    assert f"The log grew from {log} (or is still it)." in result.stdout


def test_an_erasure_event_naming_an_entry_exported_in_full_is_refused(log, client, tmp_path):
    """An erasure event written for an entry that was not erased (its digest is right:
    it is a real entry of the log) does not pass for an erasure."""
    event = public_entry_of_a_challenger()
    with transaction.atomic():
        fake = record_event(
            challenge=event.challenge,
            code=chain.ERASURE_CODE,
            visibility=Visibility.PUBLIC,
            data=chain.erasure_data([event.seq]),
        )
    result = run_standalone(download(client, tmp_path))
    assert result.returncode == 1, result.stdout
    assert (
        f"seq {fake.seq}: this erasure event names seq {event.seq}, which the export does "
        'not withhold as "erased"'
    ) in result.stderr


def test_an_erasure_event_whose_content_was_edited_is_refused(log, client, tmp_path):
    """Adding a name to a real erasure event in the download breaks its digest."""
    event = public_entry_of_a_challenger()
    erasure = TimelineEvent.objects.get(code=chain.ERASURE_CODE, visibility=Visibility.PUBLIC)
    path = download(client, tmp_path)

    def named_one_more(entries):
        data = entries[erasure.seq - 1]["data"]
        data["erased_seqs"] = sorted([*data["erased_seqs"], event.seq])
        entries[event.seq - 1] = strip(entries[event.seq - 1], "erased")

    rewrite_json(path, named_one_more)
    result = run_standalone(path)
    assert result.returncode == 1
    assert f"seq {event.seq}: " in result.stderr or f"seq {erasure.seq}: " in result.stderr
    assert "does not match its digest" in result.stderr


def test_an_export_from_before_the_marker_needs_legacy(log, client, tmp_path):
    path = download(client, tmp_path)

    def old_layout(entries):
        for entry in entries:
            entry.pop("withheld", None)

    rewrite_json(path, old_layout)
    result = run_standalone(path)
    assert result.returncode == 1
    assert "without saying why" in result.stderr
    result = run_standalone(path, "--legacy")
    assert result.returncode == 0, result.stderr
    assert "Legacy:" in result.stdout and f"Head: {log}" in result.stdout


# -- Worker processes on PostgreSQL ------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_processes_check_erasures_across_their_ranges():
    """An erased entry and its erasure event verified by different workers: the
    erasures are checked once all ranges are in; a fake one is still named."""
    reviewer = ReviewerFactory()
    challenge = challenge_in(Status.INTAKE, reviewer=reviewer)
    person = add_co_initiator(challenge)
    services.challenge_add_addition(
        challenge=challenge, actor=person, text="Weg ermee.", visibility=Visibility.PUBLIC
    )
    for _number in range(3):  # enough entries between the two for separate ranges
        challenge_in(Status.SUBMITTED, reviewer=reviewer)
    assert timeline_erase_personal_data(user=person) == 2
    head = chain.current_head()
    assert verify_log(jobs=2) == head
    seq = public_entry_of_a_challenger().seq
    erase_by_hand(seq)
    with pytest.raises(CommandError, match=rf"seq {seq}: .*no later erasure event") as info:
        verify_log(jobs=2)
    assert info.value.seq == seq
