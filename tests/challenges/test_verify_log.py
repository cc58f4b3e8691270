"""Tamper detection: `manage.py verify_log` on the database and the standalone
`tools/verify_log_export.py` on a downloaded export find the same first bad entry,
and agree on the head of an untampered log.

The tampering is done the way an attacker with database access would: raw SQL on
the stored rows (on PostgreSQL with the append-only trigger disabled for the
statement, as the table's owner could)."""

import io
import json
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse

from challenges import chain, services
from challenges.constants import Status, Visibility
from challenges.management.commands.verify_log import verify_log
from challenges.models import ChainHead, TimelineEvent
from tests.challenges.factories import (
    ChallengeFactory,
    ReviewerFactory,
    add_co_initiator,
    challenge_in,
)

TOOL = Path(settings.BASE_DIR) / "tools" / "verify_log_export.py"
TABLE = TimelineEvent._meta.db_table


def build_log(reviewer) -> None:
    """Three challenges with public, parties and internal events, and a draft."""
    first = challenge_in(Status.ASSESSMENT, reviewer=reviewer)
    add_co_initiator(first)
    services.challenge_add_note(
        challenge=first, actor=reviewer, text="Intern: budget krap.", visibility="internal"
    )
    second = challenge_in(Status.INTAKE, reviewer=reviewer)
    services.challenge_add_addition(
        challenge=second, actor=second.initiator, text="Extra foto's.", visibility="public"
    )
    services.challenge_add_note(
        challenge=second, actor=reviewer, text="Gesprek op dinsdag.", visibility="parties"
    )
    add_co_initiator(ChallengeFactory())  # a draft with its own (parties) events
    third = challenge_in(Status.SUBMITTED, reviewer=reviewer)
    services.challenge_add_addition(
        challenge=third, actor=third.initiator, text="Nog een brief.", visibility="public"
    )


@pytest.fixture
def log(db, reviewer):
    build_log(reviewer)
    return chain.current_head()


@contextmanager
def trigger_disabled():
    """Raw changes on PostgreSQL need the append-only trigger off; a superuser (or the
    table's owner) can do that. The point of the chain is that it is detected anyway."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield
    finally:
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def raw(sql: str, params=()) -> None:
    with trigger_disabled(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def delete_entries(where: str, params) -> None:
    """DELETE entries, and first the rows of other apps that point at them (an attacker
    would have to; the database refuses dangling references)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {TABLE} WHERE {where}", params)  # noqa: S608
        ids = [row[0] for row in cursor.fetchall()]
    for relation in TimelineEvent._meta.related_objects:
        if relation.related_model is not TimelineEvent:
            relation.related_model._base_manager.filter(
                **{f"{relation.field.name}__in": ids}
            )._raw_delete(connection.alias)
    raw(f"DELETE FROM {TABLE} WHERE {where}", params)  # noqa: S608


def stored(seq: int, column: str):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {TABLE} WHERE seq = %s", [seq])  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else None


def public_seqs() -> list[int]:
    return list(
        TimelineEvent.objects.filter(visibility=Visibility.PUBLIC)
        .exclude(challenge__status=Status.DRAFT)
        .order_by("seq")
        .values_list("seq", flat=True)
    )


def set_head(size: int) -> None:
    ChainHead.objects.filter(pk=ChainHead.SINGLETON).update(
        size=size, hash=stored(size, "chain_hash") if size else chain.GENESIS
    )


# -- The tampering, each returning the seq a verifier must name ------------------------


def edit_public_entry(log) -> int:
    seq = public_seqs()[2]
    raw(f"UPDATE {TABLE} SET data = %s WHERE seq = %s", ['{"text":"Anders gezegd."}', seq])  # noqa: S608
    return seq


def delete_entry(log) -> int:
    seq = log.size // 2
    delete_entries("seq = %s", [seq])
    return seq


def swap_two_entries(log) -> int:
    seq = log.size // 2
    raw(f"UPDATE {TABLE} SET seq = %s WHERE seq = %s", [10**12, seq])  # noqa: S608
    raw(f"UPDATE {TABLE} SET seq = %s WHERE seq = %s", [seq, seq + 1])  # noqa: S608
    raw(f"UPDATE {TABLE} SET seq = %s WHERE seq = %s", [seq + 1, 10**12])  # noqa: S608
    return seq


def truncate_tail(log) -> int:
    """Remove the last three entries and move the head back: consistent in itself,
    so only an earlier head shows it."""
    keep = log.size - 3
    delete_entries("seq > %s", [keep])
    set_head(keep)
    return keep + 1


TAMPERING = {
    "edited": edit_public_entry,
    "deleted": delete_entry,
    "swapped": swap_two_entries,
    "truncated": truncate_tail,
}


# -- The two verifiers ------------------------------------------------------------------


def run_verify_log(*heads) -> str:
    out = io.StringIO()
    call_command("verify_log", *(f"--head={head}" for head in heads), stdout=out)
    return out.getvalue()


def download(client, tmp_path, kind: str = "json") -> Path:
    response = client.get(reverse(f"challenges:log-export-{kind}"))
    assert response.status_code == 200
    path = tmp_path / f"export.{kind}"
    path.write_bytes(b"".join(response.streaming_content))
    return path


def run_standalone(path: Path, *heads) -> subprocess.CompletedProcess:
    # -I -S: isolated, without site-packages, so Django cannot be imported: it runs
    # on the standard library alone, as it does on a stranger's machine.
    return subprocess.run(
        [sys.executable, "-I", "-S", str(TOOL), str(path), *(f"--head={h}" for h in heads)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def printed_head(output: str) -> str:
    return output.strip().rsplit("Head: ", 1)[1]


# -- Tests -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_the_untampered_log_verifies_and_both_verifiers_agree_on_the_head(
    log, client, tmp_path, kind
):
    assert log.size >= 12
    ours = run_verify_log()
    assert printed_head(ours) == str(log)

    result = run_standalone(download(client, tmp_path, kind))
    assert result.returncode == 0, result.stderr
    assert printed_head(result.stdout) == str(log)
    assert client.get(reverse("challenges:log-head")).json()["head"] == str(log)

    # An earlier head of the same log: it only grew.
    earlier = f"5:{stored(5, 'chain_hash')}"
    assert "grew from" in run_verify_log(earlier, str(log))
    result = run_standalone(download(client, tmp_path, kind), earlier, str(log))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("tamper", TAMPERING.values(), ids=TAMPERING.keys())
def test_tampering_is_detected_by_verify_log_and_the_standalone_verifier(
    log, client, tmp_path, tamper
):
    bad = tamper(log)
    heads = [str(log)] if tamper is truncate_tail else []

    with pytest.raises(CommandError, match=rf"seq {bad}\b") as info:
        run_verify_log(*heads)
    assert "does NOT verify" in str(info.value)

    for kind in ("json", "csv"):
        result = run_standalone(download(client, tmp_path, kind), *heads)
        assert result.returncode == 1, result.stdout
        assert "does NOT verify" in result.stderr
        assert f"seq {bad}:" in result.stderr


def test_a_truncated_tail_passes_only_without_an_earlier_head(log, client, tmp_path):
    keep = truncate_tail(log) - 1
    assert printed_head(run_verify_log()).startswith(f"{keep}:")
    result = run_standalone(download(client, tmp_path))
    assert result.returncode == 0
    # Against the head published before: the removed tail is named.
    with pytest.raises(CommandError, match=rf"has {log.size} entries but the log has only {keep}"):
        run_verify_log(str(log))
    assert "truncated" in run_standalone(download(client, tmp_path), str(log)).stderr


def test_a_tail_removed_without_moving_the_head_is_detected_without_any_earlier_head(log):
    delete_entries("seq > %s", [log.size - 2])
    with pytest.raises(CommandError, match=rf"seq {log.size - 1}: missing"):
        run_verify_log()


def test_rewritten_history_with_a_recomputed_chain_fails_against_an_earlier_head(
    log, client, tmp_path
):
    """An attacker who recomputes every digest and chain hash after an edit (and the
    head) makes a log that is consistent in itself; a head kept earlier exposes it."""
    seq = public_seqs()[1]
    raw(f"UPDATE {TABLE} SET data = %s WHERE seq = %s", ['{"text":"Herschreven."}', seq])  # noqa: S608
    previous = stored(seq - 1, "chain_hash")
    for row in TimelineEvent.objects.filter(seq__gte=seq).order_by("seq").values():
        digest = chain.content_digest(
            challenge=row["challenge_id"],
            code=row["code"],
            visibility=row["visibility"],
            actor_role=row["actor_role"],
            data=row["data"],
            corrects=row["corrects_id"],
            created_at=chain.canonical_time(row["created_at"]),
            salt=row["salt"],
        )
        previous = chain.link(previous, row["seq"], digest)
        raw(
            f"UPDATE {TABLE} SET digest = %s, chain_hash = %s WHERE seq = %s",  # noqa: S608
            [digest, previous, row["seq"]],
        )
    set_head(log.size)

    assert printed_head(run_verify_log()) != str(log)  # consistent in itself
    with pytest.raises(CommandError, match=rf"seq {log.size}: the given head .* rewritten"):
        run_verify_log(str(log))
    result = run_standalone(download(client, tmp_path), str(log))
    assert result.returncode == 1
    assert "rewritten" in result.stderr


def test_an_edited_entry_that_is_not_public_is_detected_by_verify_log(log, client, tmp_path):
    """Outsiders hold only its digest, which did not change: verify_log, which sees the
    content, finds the edit."""
    seq = TimelineEvent.objects.filter(visibility=Visibility.INTERNAL).values_list(
        "seq", flat=True
    )[0]
    raw(f"UPDATE {TABLE} SET visibility = %s WHERE seq = %s", ["parties", seq])  # noqa: S608
    with pytest.raises(CommandError, match=rf"seq {seq}: its content does not match"):
        run_verify_log()


def test_an_edited_digest_or_chain_hash_is_detected(log):
    seq = log.size - 4
    raw(f"UPDATE {TABLE} SET chain_hash = %s WHERE seq = %s", ["0" * 64, seq])  # noqa: S608
    with pytest.raises(CommandError, match=rf"seq {seq}: its chain hash"):
        run_verify_log()


def test_an_entry_marked_erased_must_hold_no_content(log):
    """Marking an edited entry as erased does not hide the edit."""
    seq = public_seqs()[0]
    raw(
        f"UPDATE {TABLE} SET erased_at = %s, data = %s WHERE seq = %s",  # noqa: S608
        ["2026-01-01 00:00:00", '{"text":"Verzonnen."}', seq],
    )
    with pytest.raises(CommandError, match=rf"seq {seq}: it is marked as erased"):
        run_verify_log()


def test_entries_appended_behind_the_heads_back_are_detected(log, reviewer):
    """An entry inserted without moving the head (the writer always moves it)."""
    ChainHead.objects.filter(pk=ChainHead.SINGLETON).update(size=log.size - 1, hash=log.hash)
    with pytest.raises(CommandError, match="stored chain head"):
        run_verify_log()


@pytest.mark.parametrize("tamper", TAMPERING.values(), ids=TAMPERING.keys())
def test_verifying_in_parts_finds_the_same_first_bad_entry(log, tamper):
    """The parallel path (parts verified separately, here one after the other)."""
    assert verify_log(jobs=4, in_process=True) == log
    bad = tamper(log)
    heads = [log] if tamper is truncate_tail else []
    for jobs in (1, 2, 3, 7):
        with pytest.raises(CommandError) as info:
            verify_log(heads=heads, jobs=jobs, in_process=True)
        assert info.value.seq == bad, (jobs, str(info.value))


def test_real_rows_verify_on_the_fast_path(log, monkeypatch):
    """The slow path (re-reading a row through the ORM) is for rows stored in an
    unusual form; rows as this database stores them never need it, or verifying a
    million entries would take a million extra queries."""
    from challenges.management.commands import verify_log as command

    def no_recheck(seq):
        raise AssertionError(f"seq {seq} needed the slow path on {connection.vendor}")

    monkeypatch.setattr(command, "_recheck", no_recheck)
    assert verify_log() == log


def test_an_empty_log_verifies_to_the_genesis_head(db):
    assert printed_head(run_verify_log()) == f"0:{chain.GENESIS}"


def test_a_malformed_head_is_refused(log):
    with pytest.raises(CommandError, match="SIZE:HASH"):
        run_verify_log("12:abc")
    result = subprocess.run(
        [sys.executable, "-I", "-S", str(TOOL), "/nonexistent.json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2


def test_the_standalone_verifier_reads_an_export_in_any_json_layout(log, client, tmp_path):
    path = download(client, tmp_path)
    document = json.loads(path.read_text(encoding="utf-8"))
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    result = run_standalone(pretty)
    assert result.returncode == 0, result.stderr
    assert printed_head(result.stdout) == str(log)


# -- Worker processes on PostgreSQL ------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_processes_verify_committed_data_on_postgresql():
    build_log(ReviewerFactory())
    head = chain.current_head()
    assert verify_log(jobs=2) == head
    seq = public_seqs()[1]
    with transaction.atomic():
        raw(f"UPDATE {TABLE} SET data = %s WHERE seq = %s", ['{"text":"Stil veranderd."}', seq])  # noqa: S608
    with pytest.raises(CommandError, match=rf"seq {seq}: its content") as info:
        verify_log(jobs=2)
    assert info.value.seq == seq
