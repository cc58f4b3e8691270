"""`manage.py verify_log [--head SIZE:HASH ...] [--jobs N]`: prove the process log intact.

Recomputes the whole hash chain (rules: challenges.chain) from the database:
sequence numbers contiguous from 1, every entry's digest from its content (an
erased entry's digest is taken as stored: its content is gone), every chain hash
from the previous one, and the stored chain head equal to the last entry. Every
entry marked as erased must be named by a later erasure event (challenges.chain:
an erasure appends one), and every entry an erasure event names must be erased:
an erasure done by hand in the database is refused, naming its seq. With
`--head SIZE:HASH` (a head published earlier: /log/head.json, the Atom feed, a
notification message) it also proves the log only grew since: it still has at least
SIZE entries and entry SIZE still carries HASH. Prints `size:hash` of the head on
success; on failure exits non-zero naming the first bad sequence number.

Speed (1,000,000 entries in a few seconds; docs/benchmarks-verify-log.md):

- Rows come from a raw cursor, server-side on PostgreSQL, in seq order: no model
  instances and none of Django's per-value converters. The time arrives as UTC text
  (Django's own storage on SQLite, a cast on PostgreSQL) and is put in the canonical
  form by slicing.
- The canonical JSON is assembled from its parts instead of dumping a dict: the
  small strings (code, visibility, role) are JSON-encoded once and cached; data is
  parsed and re-encoded with the C scanner and encoder, reused for every row. On
  SQLite the stored data text is already canonical (the field's encoder writes it
  so) and is hashed as it is, once SQLite's json_valid has proved it one complete
  JSON value. On PostgreSQL jsonb keeps no text: turning it into text costs the
  server about as much as parsing and re-encoding it costs Python.
- Links are checked locally: entry n's chain hash must equal
  sha256(stored chain hash of n-1 : n : digest of n). If every link holds, the whole
  chain holds by induction, and the first bad link is the same one a sequential
  walk finds. So the range 1..size splits into parts that worker processes (one
  per core, up to 4) verify at the same time, each with its own connection.

The assembled text is only a fast way of writing the canonical JSON: every piece
put into it is either JSON-encoded here, an integer, a quote-free time, one
complete JSON value (parsed here, or checked by SQLite) or an alphanumeric salt:
each ends where the next begins, so no stored column can carry a piece of its
neighbour, and a matching hash proves the stored columns are the original content.
When a row does not match on the fast path it is read again through the ORM and
hashed with challenges.chain itself before it is reported, so an unusual (but
equivalent) stored form is never a false alarm.
"""

import hashlib
import json
import multiprocessing
import os
import time
from datetime import UTC
from json.encoder import c_make_encoder, encode_basestring
from json.scanner import c_make_scanner

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.db.models import Max

from challenges import chain
from challenges.models import ChainHead, TimelineEvent

CHUNK = 10_000
# Below this many entries forking workers costs more than it saves.
PARALLEL_FROM = 100_000
MAX_JOBS = 4
PARTS_PER_JOB = 4

MISSING = "missing: the entry was deleted (or the log renumbered)"
EDITED = "its content does not match its digest: the entry was edited"
BROKEN = (
    "its chain hash does not follow from the previous entry: entries were "
    "reordered, removed or rewritten"
)
NOT_ERASED = "it is marked as erased but still holds content"
ERASED_BY_HAND = (
    'it holds the erased marker (an empty salt or the data {"erased": true}) but is not '
    "marked as erased: its content was removed outside the erasure service"
)
NOT_NAMED = (
    "it is marked as erased but no later erasure event names it: its content was "
    "removed outside the erasure service (a fake erasure)"
)


class ErasureBook:
    """What a range of entries says about erasures, to be checked once all ranges
    are in (an erasure event may lie in another range than the entries it names).

    `erased`: seq -> (challenge, visibility) of every entry marked erased;
    `named`: (named seq, erasure event seq, challenge, visibility) per name;
    `malformed`: seqs of erasure events whose data names no entries. Plain values,
    so a book crosses a process boundary as it is.
    """

    def __init__(self):
        self.erased: dict[int, tuple[int, str]] = {}
        self.named: list[tuple[int, int, int, str]] = []
        self.malformed: list[int] = []

    def state(self) -> tuple:
        return self.erased, self.named, self.malformed

    def merge(self, state) -> None:
        erased, named, malformed = state
        self.erased.update(erased)
        self.named.extend(named)
        self.malformed.extend(malformed)

    def add_erasure_event(self, seq: int, challenge, visibility: str, data) -> None:
        try:
            value = _parse(data) if isinstance(data, str) else data
        except ValueError:
            value = None
        seqs = chain.erased_seqs(value)
        if seqs is None:
            self.malformed.append(seq)
            return
        self.named.extend((named, seq, challenge, visibility) for named in seqs)


def check_erasures(book: ErasureBook, size: int) -> None:
    """Raise LogVerificationError for the first entry (by seq) whose erasure does not
    hold: an erased entry no later erasure event names, an erasure event naming an
    entry that is not erased (or not before it, or on another challenge or
    visibility, or named twice), an erasure event that names nothing."""
    problems: list[tuple[int, str]] = [
        (seq, f'seq {seq}: an erasure event whose data is not {{"erased_seqs": [...]}}')
        for seq in book.malformed
    ]
    justified: dict[int, int] = {}
    for named, by, challenge, visibility in sorted(book.named, key=lambda n: n[1]):
        place = book.erased.get(named)
        if named >= by:
            problems.append((by, f"seq {by}: this erasure event names seq {named}, not before it"))
        elif place is None:
            problems.append(
                (by, f"seq {by}: this erasure event names seq {named}, which is not erased")
            )
        elif place != (challenge, visibility):
            justified[named] = by  # reported once, here, not also as unnamed
            problems.append(
                (
                    by,
                    f"seq {by}: this erasure event names seq {named}, which belongs to "
                    "another challenge or visibility",
                )
            )
        elif named in justified:
            problems.append(
                (
                    by,
                    f"seq {by}: this erasure event names seq {named}, already named by "
                    f"seq {justified[named]}",
                )
            )
        else:
            justified[named] = by
    unnamed = [seq for seq in book.erased if seq not in justified]
    if unnamed:
        # An erasure that committed after the head was read has its erasure event
        # beyond `size`: it is named there (that event is verified on the next run).
        later = TimelineEvent.objects.filter(code=chain.ERASURE_CODE, seq__gt=size)
        beyond = set()
        for data in later.values_list("data", flat=True).iterator():
            beyond.update(chain.erased_seqs(data) or ())
        problems.extend((seq, f"seq {seq}: {NOT_NAMED}") for seq in unnamed if seq not in beyond)
    if problems:
        seq, message = min(problems)
        raise LogVerificationError(message, seq)


class LogVerificationError(CommandError):
    """The log is not what was written. `seq` is the first bad entry (None: the head)."""

    def __init__(self, message: str, seq: int | None = None):
        super().__init__(message)
        self.seq = seq


# -- The hot loop -------------------------------------------------------------------


def _no_default(value):
    raise TypeError(f"{type(value).__name__} is not JSON")


_json = c_make_scanner(json.JSONDecoder()) if c_make_scanner else None
_encode = (
    # (markers, default, encoder, indent, key_sep, item_sep, sort_keys, skipkeys, allow_nan)
    c_make_encoder(None, _no_default, encode_basestring, None, ":", ",", True, False, False)
    if c_make_encoder
    else None
)


def _parse(text: str):
    """One complete JSON value, or ValueError."""
    if _json is None:
        return json.loads(text)
    value, end = _json(text, 0)
    if end != len(text):
        raise ValueError("trailing text")
    return value


def _canonical(value) -> str:
    if _encode is None:
        return chain.canonical_json(value)
    return "".join(_encode(value, 0))


_ERASED_TEXT = chain.canonical_json(chain.ERASED_DATA)


def _is_erased_content(data, salt) -> bool:
    try:
        value = _parse(data) if isinstance(data, str) else data
    except ValueError:
        return False
    return salt == "" and _canonical(value) == _ERASED_TEXT


def verify_rows(
    rows,
    *,
    start: int,
    previous: str,
    data_is_canonical: bool,
    recheck=None,
    erasures: ErasureBook | None = None,
):
    """Verify entries start, start+1, ... given as row tuples in seq order.

    A row is (seq, digest, chain_hash, erased_at, challenge_id, code, visibility,
    actor_role, corrects_id, salt, data, time text). `previous` is the chain hash of
    entry start-1. `data_is_canonical`: the database has already checked that every
    data text is one complete JSON value (None when it is not) and it is expected in
    canonical form, so it is hashed as it is (SQLite). `recheck(seq)` returns the
    authoritative digest of an entry whose fast-path digest did not match (or None).
    `erasures`, when given, collects the erased entries and the names of the erasure
    events (checked afterwards by check_erasures).
    Returns (next expected seq, last chain hash) or raises LogVerificationError for
    the first bad entry.
    """
    erasure_code = chain.ERASURE_CODE
    sha = hashlib.sha256
    strings: dict[str, str] = {}
    encode_string = encode_basestring
    parse, canonical = _parse, _canonical
    expected = start
    for (
        seq,
        digest,
        chain_hash,
        erased,
        challenge,
        code,
        vis,
        role,
        corrects,
        salt,
        data,
        at,
    ) in rows:
        if seq != expected:
            raise LogVerificationError(f"seq {expected}: {MISSING}", expected)
        if erased is None:
            ok = False
            try:
                if type(data) is not str:  # a driver that returns parsed JSON
                    value = data
                    text = canonical(data)
                elif data_is_canonical:
                    value = None  # parsed only if the stored text proves not canonical
                    text = data
                else:
                    value = parse(data)
                    text = canonical(value)
                # "YYYY-MM-DD HH:MM:SS[.f]" to "YYYY-MM-DDTHH:MM:SS.ffffffZ".
                at = f"{at[:10]}T{at[11:19]}.{at[20:]:0<6}Z"
                if (
                    type(challenge) is int
                    and (corrects is None or type(corrects) is int)
                    and len(at) == 27
                    and '"' not in at
                    and "\\" not in at
                    and len(salt) == 32
                    and salt.isalnum()
                ):
                    r = strings.get(role) or strings.setdefault(role, encode_string(role))
                    c = strings.get(code) or strings.setdefault(code, encode_string(code))
                    v = strings.get(vis) or strings.setdefault(vis, encode_string(vis))
                    content = (
                        f'{{"actor_role":{r},"challenge":{challenge},"code":{c},'
                        f'"corrects":{"null" if corrects is None else corrects},'
                        f'"created_at":"{at}","data":{text},"salt":"{salt}","visibility":{v}}}'
                    )
                    ok = sha(content.encode()).hexdigest() == digest
                    if not ok and data_is_canonical and type(data) is str:
                        # Equivalent JSON stored in another form: encode it canonically.
                        text = canonical(parse(data))
                        content = (
                            f'{{"actor_role":{r},"challenge":{challenge},"code":{c},'
                            f'"corrects":{"null" if corrects is None else corrects},'
                            f'"created_at":"{at}","data":{text},"salt":"{salt}",'
                            f'"visibility":{v}}}'
                        )
                        ok = sha(content.encode()).hexdigest() == digest
            except (ValueError, TypeError):
                ok = False
            if not ok and (recheck is None or recheck(seq) != digest):
                if salt == "" or _is_erased_content(data, ""):
                    raise LogVerificationError(f"seq {seq}: {ERASED_BY_HAND}", seq)
                raise LogVerificationError(f"seq {seq}: {EDITED}", seq)
            if code == erasure_code and erasures is not None:
                erasures.add_erasure_event(seq, challenge, vis, data)
        elif not _is_erased_content(data, salt):
            raise LogVerificationError(f"seq {seq}: {NOT_ERASED}", seq)
        elif erasures is not None:
            erasures.erased[seq] = (challenge, vis)
        if sha(f"{previous}:{seq}:{digest}".encode()).hexdigest() != chain_hash:
            raise LogVerificationError(f"seq {seq}: {BROKEN}", seq)
        previous = chain_hash
        expected += 1
    return expected, previous


# -- Reading the rows ---------------------------------------------------------------


def _time_sql(vendor: str, column: str) -> str:
    """The time as UTC text "YYYY-MM-DD HH:MM:SS[.ffffff]" (the canonical form is made
    in Python: cheaper than to_char, which costs PostgreSQL a microsecond a row)."""
    if vendor == "postgresql":
        # Fraction without trailing zeros, or none: the loop pads it.
        return f"({column} AT TIME ZONE 'UTC')::text"
    if vendor == "sqlite":
        # Django stores exactly this text (naive UTC). The cast keeps the driver from
        # parsing it into a datetime (Django registers a converter for the column type).
        return f"CAST({column} AS TEXT)"
    return column  # others: see _rows


def _select_sql(vendor: str) -> str:
    meta = TimelineEvent._meta
    q = connection.ops.quote_name

    def col(name: str) -> str:
        return q(meta.get_field(name).column)

    columns = [
        col(name)
        for name in (
            "seq",
            "digest",
            "chain_hash",
            "erased_at",
            "challenge",
            "code",
            "visibility",
            "actor_role",
            "corrects",
            "salt",
        )
    ]
    if vendor == "sqlite":
        # SQLite proves in C that the text is one complete JSON value (see
        # verify_rows): Python then hashes it without parsing it.
        columns.append(f"CASE WHEN json_valid({col('data')}) THEN {col('data')} END")
    else:
        columns.append(col("data"))
    columns.append(_time_sql(vendor, col("created_at")))
    seq = col("seq")
    return (
        f"SELECT {', '.join(columns)} FROM {q(meta.db_table)} "  # noqa: S608 (names from the model)
        f"WHERE {seq} >= %s AND {seq} <= %s ORDER BY {seq}"
    )


def _rows(sql: str, first: int, last: int):
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, [first, last])
        while rows := cursor.fetchmany(CHUNK):
            if connection.vendor not in ("postgresql", "sqlite"):
                rows = [(*row[:11], _time_text(row[11])) for row in rows]
            yield from rows


def _time_text(value) -> str:
    try:
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    except (AttributeError, ValueError):
        return str(value)  # fails the fast path; the recheck decides


def _recheck(seq: int) -> str | None:
    """The digest of entry `seq` computed from the model's own values (the slow path)."""
    row = (
        TimelineEvent.objects.filter(seq=seq)
        .values(
            "challenge_id",
            "code",
            "visibility",
            "actor_role",
            "data",
            "corrects_id",
            "created_at",
            "salt",
        )
        .first()
    )
    if row is None:
        return None
    try:
        return chain.content_digest(
            challenge=row["challenge_id"],
            code=row["code"],
            visibility=row["visibility"],
            actor_role=row["actor_role"],
            data=row["data"],
            corrects=row["corrects_id"],
            created_at=chain.canonical_time(row["created_at"]),
            salt=row["salt"],
        )
    except (TypeError, ValueError):
        return None


def verify_range(first: int, last: int) -> tuple[str, str, int | None, tuple]:
    """Verify entries first..last on this process's connection.

    Returns ("ok", chain hash of `last`, None, erasures) or ("error", message, seq,
    None); a tuple (not an exception) so that it crosses a process boundary as it
    is. `erasures` is the ErasureBook state of the range.
    """
    erasures = ErasureBook()
    vendor = connection.vendor
    sql = _select_sql(vendor)
    try:
        # A transaction: PostgreSQL then streams the server-side cursor instead of
        # materializing the whole result first (a WITH HOLD cursor in autocommit).
        with transaction.atomic():
            rows = _rows(sql, max(first - 1, 1), last)
            try:
                previous = chain.GENESIS
                if first > 1:
                    before = next(rows, None)
                    if before is None or before[0] != first - 1:
                        raise LogVerificationError(f"seq {first - 1}: {MISSING}", first - 1)
                    previous = before[2]
                expected, previous = verify_rows(
                    rows,
                    start=first,
                    previous=previous,
                    data_is_canonical=vendor == "sqlite",
                    recheck=_recheck,
                    erasures=erasures,
                )
            finally:
                rows.close()  # the cursor, before the transaction ends
            if expected != last + 1:
                raise LogVerificationError(f"seq {expected}: {MISSING}", expected)
    except LogVerificationError as error:
        return ("error", str(error), error.seq, None)
    return ("ok", previous, None, erasures.state())


def _verify_range_in_worker(first: int, last: int):
    try:
        return verify_range(first, last)
    finally:
        connections.close_all()


def _ranges(size: int, parts: int) -> list[tuple[int, int]]:
    step = -(-size // parts)
    return [(a, min(a + step - 1, size)) for a in range(1, size + 1, step)]


def _can_fork() -> bool:
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    if connection.in_atomic_block:
        return False  # other connections cannot see this transaction's rows
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        return False
    return True


def default_jobs(size: int) -> int:
    if size < PARALLEL_FROM or not _can_fork():
        return 1
    return max(1, min(MAX_JOBS, os.cpu_count() or 1))


def verify_log(*, heads=(), jobs: int | None = None, in_process: bool = False) -> chain.Head:
    """Verify the stored log (see the module docstring); returns its head or raises
    LogVerificationError. `in_process` runs the parts one after the other here
    (tests); otherwise more than one job forks worker processes."""
    heads = [chain.parse_head(h) if isinstance(h, str) else h for h in heads]
    # The head and the last entry under the writers' lock: both are of one moment.
    with transaction.atomic():
        stored = (
            ChainHead.objects.select_for_update()
            .filter(pk=ChainHead.SINGLETON)
            .values_list("size", "hash")
            .first()
        )
        last = TimelineEvent.objects.aggregate(last=Max("seq"))["last"] or 0
    if stored is None:
        raise LogVerificationError("The log has no chain head (migration 0003 creates it).")
    stored = chain.Head(*stored)
    size = max(stored.size, last)

    jobs = jobs or default_jobs(size)
    if jobs > 1 and not in_process and not _can_fork():
        raise CommandError("Parallel verification needs committed data and fork(); use --jobs 1.")
    # More parts than workers: a worker slowed down by something else on the machine
    # takes fewer of them, instead of leaving a core idle at the end.
    parts = _ranges(size, jobs if jobs == 1 else jobs * PARTS_PER_JOB) if size else []
    if not parts:
        results = []
    elif jobs == 1 or in_process:
        results = [verify_range(first, end) for first, end in parts]
    else:
        connections.close_all()  # a forked child must not share the parent's socket
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.starmap(_verify_range_in_worker, parts, chunksize=1)
    errors = [(seq, message) for status, message, seq, _book in results if status == "error"]
    if errors:
        seq, message = min(errors, key=lambda e: (e[0] is None, e[0] or 0))
        raise LogVerificationError(message, seq)
    computed = chain.Head(size, results[-1][1] if results else chain.GENESIS)
    erasures = ErasureBook()
    for _status, _hash, _seq, state in results:
        erasures.merge(state)
    check_erasures(erasures, size)

    if computed != stored:
        raise LogVerificationError(
            f"The stored chain head ({stored}) is not the last entry ({computed}): "
            "entries were added or removed without the head, or the head was changed.",
            None,
        )
    for earlier in heads:
        _check_grew_from(earlier, computed)
    return computed


def _check_grew_from(earlier: chain.Head, now: chain.Head) -> None:
    if earlier.size > now.size:
        raise LogVerificationError(
            f"seq {now.size + 1}: {MISSING}. The given head {earlier} has {earlier.size} "
            f"entries but the log has only {now.size}: its tail was removed (truncated).",
            now.size + 1,
        )
    if earlier.size == 0:
        if earlier.hash != chain.GENESIS:
            raise LogVerificationError(f"The given head {earlier} is not a head of this log.")
        return
    stored = TimelineEvent.objects.filter(seq=earlier.size).values_list("chain_hash", flat=True)
    if stored.first() != earlier.hash:
        raise LogVerificationError(
            f"seq {earlier.size}: the given head {earlier} does not match this log's entry "
            f"{earlier.size}: history up to it was rewritten.",
            earlier.size,
        )


class Command(BaseCommand):
    help = (
        "Recompute the hash chain of the process log and check that every erased entry "
        "is named by a later erasure event; with --head SIZE:HASH also prove the log "
        "only grew since that head."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            action="append",
            default=[],
            metavar="SIZE:HASH",
            help="A head published earlier (repeatable): entry SIZE must still carry HASH.",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help=f"Worker processes (default: one per core, at most {MAX_JOBS}; "
            f"one below {PARALLEL_FROM:,} entries).",
        )

    def handle(self, *args, head, jobs, **options):
        try:
            heads = [chain.parse_head(h) for h in head]
        except ValueError as error:
            raise CommandError(str(error)) from None
        if jobs is not None and jobs < 1:
            raise CommandError("--jobs is at least 1.")
        started = time.perf_counter()
        try:
            result = verify_log(heads=heads, jobs=jobs)
        except LogVerificationError as error:
            raise CommandError(f"The log does NOT verify. {error}") from None
        took = time.perf_counter() - started
        for earlier in heads:
            self.stdout.write(f"The log grew from {earlier} (or is still it).")
        self.stdout.write(
            f"The log verifies: {result.size} entries in {took:.1f} s. Head: {result}"
        )
