"""The rules of the hash-chained process log, and its published head.

Every timeline event is one entry of a single, global, append-only log:

    digest     = sha256(canonical content).hexdigest()
    chain_hash = sha256(f"{previous chain_hash}:{seq}:{digest}" as ASCII).hexdigest()

with the previous chain hash of entry 1 being GENESIS (64 zeros). The chain head is
(size, chain_hash of the last entry); whoever holds an earlier head can check that
the log only grew: entry `size` of today's log must still carry that hash.

The canonical content of an event is compact JSON (keys sorted by code point,
separators "," and ":", non-ASCII characters as UTF-8, not escaped) of exactly
these keys:

    actor_role  "challenger", "reviewer", "coordinator" or ""
    challenge   the challenge's id (integer)
    code        the event code
    corrects    the id of the event this one corrects, or null
    created_at  UTC, "YYYY-MM-DDTHH:MM:SS.ffffffZ" (always six fraction digits)
    data        the event's data (an object of strings, integers, booleans, null,
                lists and objects; floats are refused when an event is written,
                because a database may give them back in another notation)
    salt        32 random hex digits, drawn when the event is written
    visibility  "public", "parties" or "internal"

Two choices a reader could not guess:

- The actor (a person) is not in the digest: it is personal data that must stay
  erasable, and erasing it must not break the chain. The role is in it.
- The salt is not in the issue's list. The export publishes the digest of every
  event, also of the ones only the parties or the municipality may read; without a
  secret salt anyone could confirm a guess about such an event ("did the note say
  'Agreed.'?", "did Jan Jansen join?") by hashing candidates. The salt is exported
  only with public events, and erasing an event wipes it, so an erased content can
  never be confirmed afterwards either.

An erased entry keeps seq, digest and chain hash (so the chain still verifies) but
its data becomes {"erased": true}, its salt "" and its actor null; a verifier
checks its place in the chain but cannot recompute its digest.

An erasure is itself on the chain: in the same transaction the erasure appends an
erasure event (code ERASURE_CODE, no actor, no role) with the data
{"erased_seqs": [n, ...]}, naming the entries it erased by seq (sorted, each once),
one event per challenge and visibility of the erased entries, on that challenge and
with that visibility (a public erasure event never tells which challenge a parties
or internal entry belongs to). So an entry marked erased that no later erasure
event names was not erased by the portal: `verify_log` refuses it, and the
standalone verifier refuses a public entry exported by digest only that no erasure
event in the export names.

This module's top level uses the standard library only: `tools/verify_log_export.py`
holds its own copy of these rules (it must run without Django), and
tests/challenges/test_chain.py proves the two give identical hashes. The rules are
a published format: changing them breaks every copy of every head ever published.
"""

import hashlib
import json
from datetime import UTC, datetime
from typing import NamedTuple

GENESIS = "0" * 64
ERASED_DATA = {"erased": True}
# The event that records an erasure, and the key of its data that names the entries.
ERASURE_CODE = "content_erased"
ERASED_SEQS = "erased_seqs"
# The keys of the canonical content, in their canonical (sorted) order.
CONTENT_KEYS = (
    "actor_role",
    "challenge",
    "code",
    "corrects",
    "created_at",
    "data",
    "salt",
    "visibility",
)
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class Head(NamedTuple):
    """The state of the log: how many entries, and the chain hash of the last one."""

    size: int
    hash: str

    def __str__(self) -> str:
        # The form `verify_log --head` and the standalone verifier take.
        return f"{self.size}:{self.hash}"


class CanonicalJSONEncoder(json.JSONEncoder):
    """json.dumps with the canonical options; also the timeline's JSONField encoder,
    so that on SQLite the stored data text is already canonical (verify_log then
    hashes it as it is; on PostgreSQL jsonb keeps no text and it is re-encoded)."""

    def __init__(self, **kwargs):
        kwargs.update(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        super().__init__(**kwargs)


_encoder = CanonicalJSONEncoder()


def canonical_json(value) -> str:
    """The canonical JSON text of a value."""
    return _encoder.encode(value)


def canonical_time(moment: datetime) -> str:
    """An aware datetime as canonical UTC text with microseconds."""
    if moment.tzinfo is None:
        raise ValueError("Timeline times are aware datetimes.")
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def check_data(data) -> None:
    """Refuse data that would not hash the same after a round trip through a database."""
    if isinstance(data, float):
        raise ValueError(
            "Timeline data cannot hold floats (a database may return them in another "
            "notation, and the digest would no longer match); store a string or an integer."
        )
    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(key, str):
                raise ValueError("Timeline data keys are strings.")
            check_data(value)
    elif isinstance(data, list | tuple):
        for value in data:
            check_data(value)
    elif not (data is None or isinstance(data, str | int | bool)):
        raise ValueError(f"Timeline data cannot hold {type(data).__name__} values.")


def canonical_content(
    *,
    challenge: int,
    code: str,
    visibility: str,
    actor_role: str,
    data,
    corrects: int | None,
    created_at: str,
    salt: str,
) -> bytes:
    """The exact bytes an event's digest is the SHA-256 of. `created_at` is the
    canonical time text (see canonical_time)."""
    return canonical_json(
        {
            "actor_role": actor_role,
            "challenge": challenge,
            "code": code,
            "corrects": corrects,
            "created_at": created_at,
            "data": data,
            "salt": salt,
            "visibility": visibility,
        }
    ).encode("utf-8")


def content_digest(**content) -> str:
    """SHA-256 (hex) of the canonical content; takes canonical_content's arguments."""
    return hashlib.sha256(canonical_content(**content)).hexdigest()


def erasure_data(seqs) -> dict:
    """The data of an erasure event naming the entries `seqs`."""
    return {ERASED_SEQS: sorted(set(seqs))}


def erased_seqs(data) -> list[int] | None:
    """The entries an erasure event's data names, or None when the data is not
    exactly {"erased_seqs": [positive integers, ascending, each once]}."""
    if not isinstance(data, dict) or set(data) != {ERASED_SEQS}:
        return None
    seqs = data[ERASED_SEQS]
    if (
        not isinstance(seqs, list)
        or not seqs
        or not all(type(n) is int and n > 0 for n in seqs)
        or any(a >= b for a, b in zip(seqs, seqs[1:], strict=False))
    ):
        return None
    return seqs


def link(previous: str, seq: int, digest: str) -> str:
    """The chain hash of entry `seq`: it commits to the previous entry's chain hash."""
    return hashlib.sha256(f"{previous}:{seq}:{digest}".encode("ascii")).hexdigest()


def parse_head(text: str) -> Head:
    """'SIZE:HASH' as printed by verify_log and served by /log/head.json."""
    size, sep, digest = text.strip().partition(":")
    if not sep or not size.isdigit() or len(digest) != 64:
        raise ValueError(f"A head is SIZE:HASH (a number, a colon, 64 hex digits), not {text!r}.")
    try:
        int(digest, 16)
    except ValueError:
        raise ValueError(f"The hash of a head is 64 hex digits, not {digest!r}.") from None
    return Head(int(size), digest.lower())


def current_head() -> Head:
    """The published head of the log (size, hash): one query, no lock.

    For pages, feeds and notification messages. Everything up to `size` is
    committed; events written after this call are not counted.
    """
    from .models import ChainHead  # here, so that importing the rules needs no Django

    row = ChainHead.objects.filter(pk=ChainHead.SINGLETON).values_list("size", "hash").first()
    return Head(*row) if row else Head(0, GENESIS)
