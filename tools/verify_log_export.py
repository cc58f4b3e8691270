#!/usr/bin/env python3
"""Verify a downloaded export of the Right to Challenge process log.

    python3 verify_log_export.py process-log.json [--head SIZE:HASH ...]
    python3 verify_log_export.py process-log.csv  [--head SIZE:HASH ...]
    python3 verify_log_export.py part-1.json part-2.json ...   (a download in parts)

Needs Python 3.10+ and nothing else: no Django, nothing of the portal. Copy this one
file wherever you like. The export comes from /log/export.json or /log/export.csv.

It checks, entry by entry, in the order of the file:

- the sequence numbers run 1, 2, 3, ... without a gap;
- for every entry exported in full (a public event), its digest is the SHA-256 of
  its canonical content (rules below), so its content is what was written;
- every chain hash is SHA-256 of "<previous chain hash>:<seq>:<digest>", starting
  from 64 zeros, so no entry was changed, removed, inserted or moved;
- the JSON export's header head is the last entry;
- with --head SIZE:HASH (a head you kept earlier: /log/head.json, the Atom feed, a
  notification e-mail): the log still has entry SIZE and it still carries HASH, so
  the log only grew since.

A download in parts (`?after=K&size=N`, for example resumed after it broke off) is
verified as one log: give the parts in order. Each part after the first must
continue exactly where the one before it ended (its "from" is the previous part's
last entry and chain hash). The first part must start at entry 1, unless you give
--from SEQ:HASH, a head you trust, where it starts; then only what follows that head
is verified. A CSV part says where it starts only in the X-Log-From response header:
pass that value with --from.

It prints the head it computed (SIZE:HASH) and exits 0, or names the first bad entry
and exits 1 (2: the file or the arguments could not be read; 3: the chain verifies
but an erased entry is not yet justified in the part given, see below).

Canonical content (the same rules as the portal's challenges/chain.py; a test in
the portal proves both give the same hashes): the UTF-8 bytes of compact JSON (keys
sorted, separators "," and ":", non-ASCII not escaped) of an object with exactly
the keys actor_role, challenge, code, corrects, created_at, data, salt, visibility.

Entries that are not public (or whose content was erased) carry only seq,
created_at, digest and chain_hash: their place in the chain is checked, their
content is not yours to see. Each says why in "withheld" (the CSV's last column):

- "restricted": not public by design (parties, internal, a draft's event);
- "erased": a public entry whose content was erased at the request of the person
  concerned. The portal records every erasure as an erasure event (code
  content_erased, data {"erased_seqs": [...]}, public, later in the log), so such an
  entry must be named by an erasure event in the export. One that is not was
  stripped of its content (or erased by hand, outside the portal's erasure): the
  export does NOT verify.

A digest-only entry that does not say why is refused too (a public entry stripped
to its digest), unless you pass --legacy for an export made before the portal
marked them; then a stripped public entry cannot be told from a restricted one.
An entry relabelled "restricted" is caught with --earlier EXPORT: an export you
downloaded before, in which the entry was public (visibility is in the digest and
never changes, so an entry public then is public now: in full, or "erased"); its
head counts as a --head, so the log must have grown from it.

Erasures and parts: an erasure event always comes after the entries it names, so
it may be in a later part. Parts given together are checked as one log. With
--from, names of entries before the trusted head are outside what is verified and
not checked. When the verified entries do not reach the export's head (a CSV, which
does not say where the log ends), an erased entry whose erasure event is not in
the file is reported as "not yet justified in this part" with exit status 3: verify
it together with the later parts (or the JSON export) to conclude.
"""

import argparse
import csv
import hashlib
import json
import sys

GENESIS = "0" * 64
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
CSV_COLUMNS = [
    "seq",
    "created_at",
    "digest",
    "chain_hash",
    "challenge",
    "code",
    "visibility",
    "actor_role",
    "corrects",
    "salt",
    "data",
    "withheld",
]
# An export made before the portal said why an entry is digest-only has no
# "withheld" column (verified only with --legacy).
LEGACY_CSV_COLUMNS = CSV_COLUMNS[:-1]
ERASURE_CODE = "content_erased"
ERASED_SEQS = "erased_seqs"
WITHHELD = ("erased", "restricted")
NOT_JUSTIFIED = 3  # exit status: verifies so far, but an erasure is not yet justified


def canonical_content(content: dict) -> bytes:
    return json.dumps(
        {key: content[key] for key in CONTENT_KEYS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode("utf-8")


def content_digest(content: dict) -> str:
    return hashlib.sha256(canonical_content(content)).hexdigest()


def link(previous: str, seq: int, digest: str) -> str:
    return hashlib.sha256(f"{previous}:{seq}:{digest}".encode("ascii")).hexdigest()


def erased_seqs(data):
    """The entries an erasure event's data names (ascending, each once), or None."""
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


class Erasures:
    """The erasures seen so far, over all parts of one download.

    `erased`: seqs exported as "erased" (few: erasures are rare); `justified`: those
    an erasure event named, with the seq of that event; `start`: the first seq
    verified (names of entries before it are outside and not checked).
    """

    def __init__(self, start: int = 0, legacy: bool = False, earlier=None):
        self.start = start
        self.legacy = legacy
        self.erased: set[int] = set()
        self.justified: dict[int, int] = {}
        self.unmarked = 0
        # The seqs of the entries exported in full in an earlier export.
        self.earlier: set[int] = earlier or set()

    def withheld(self, seq: int, reason) -> None:
        if reason is None:
            if not self.legacy:
                raise Failure(
                    seq,
                    'it is exported by digest only without saying why ("withheld"): a '
                    "public entry stripped of its content (an export made before the "
                    "portal said why verifies only with --legacy)",
                )
            self.unmarked += 1
            reason = ""
        elif reason not in WITHHELD:
            raise FormatError(f'entry {seq} has "withheld": {reason!r}, not one of {WITHHELD}')
        if reason == "erased":
            self.erased.add(seq)
        elif seq in self.earlier:
            raise Failure(
                seq,
                "it was public in the earlier export but is now withheld as not public: "
                "a public entry stripped of its content",
            )

    def in_full(self, seq: int, entry: dict) -> None:
        if entry["code"] != ERASURE_CODE:
            return
        names = erased_seqs(entry["data"])
        if names is None:
            raise Failure(seq, 'an erasure event whose data is not {"erased_seqs": [...]}')
        for named in names:
            if named >= seq:
                raise Failure(seq, f"this erasure event names seq {named}, not before it")
            if named <= self.start:
                continue  # before the trusted head: outside what is verified
            if named in self.justified:
                raise Failure(
                    seq,
                    f"this erasure event names seq {named}, already named by seq "
                    f"{self.justified[named]}",
                )
            if named not in self.erased and not (self.legacy and self.unmarked):
                raise Failure(
                    seq,
                    f"this erasure event names seq {named}, which the export does not "
                    'withhold as "erased"',
                )
            self.justified[named] = seq

    def pending(self) -> list[int]:
        """Entries exported as erased that no erasure event (so far) names."""
        return sorted(self.erased - set(self.justified))


class Failure(Exception):
    def __init__(self, seq, message):
        super().__init__(f"seq {seq}: {message}" if seq is not None else message)
        self.seq = seq


class FormatError(Exception):
    pass


def parse_head(text: str) -> tuple[int, str]:
    size, sep, digest = text.strip().partition(":")
    if not sep or not size.isdigit() or len(digest) != 64:
        raise FormatError(f"a head is SIZE:HASH (a number, a colon, 64 hex digits), not {text!r}")
    try:
        int(digest, 16)
    except ValueError:
        raise FormatError(f"the hash of a head is 64 hex digits, not {digest!r}") from None
    return int(size), digest.lower()


# -- Reading the export ---------------------------------------------------------------


def _json_entries(path: str):
    """(header, iterator of entries). Reads the portal's line layout as a stream;
    any other layout of the same JSON is read whole."""
    handle = open(path, encoding="utf-8")  # noqa: SIM115 (closed by the generator)
    first = handle.readline()
    stripped = first.rstrip("\n")
    if stripped.startswith("{") and stripped.endswith('"entries":['):
        try:
            header = json.loads(stripped + "]}")
        except ValueError:
            header = None
        if header is not None:

            def stream():
                with handle:
                    for number, line in enumerate(handle, start=2):
                        line = line.rstrip("\n")
                        if line in ("]}", ""):
                            continue
                        try:
                            yield json.loads(line[:-1] if line.endswith(",") else line)
                        except ValueError:
                            raise FormatError(f"line {number} is not one JSON entry") from None

            return header, stream()
    handle.seek(0)
    with handle:
        try:
            document = json.load(handle)
        except ValueError as error:
            raise FormatError(f"not JSON: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise FormatError('not a process log export (no "entries" list)')
    entries = document.pop("entries")
    return document, iter(entries)


def _csv_entries(path: str):
    def stream():
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            columns = next(reader, None)
            if columns not in (CSV_COLUMNS, LEGACY_CSV_COLUMNS):
                raise FormatError(f"the CSV columns are not {','.join(CSV_COLUMNS)}")
            for number, row in enumerate(reader, start=2):
                if len(row) != len(columns):
                    raise FormatError(f"line {number} has {len(row)} columns")
                entry = dict(zip(columns, row, strict=True))
                try:
                    entry["seq"] = int(entry["seq"])
                    if entry["challenge"] == "":
                        withheld = entry.get("withheld")
                        entry = {key: entry[key] for key in CSV_COLUMNS[:4]}
                        if withheld:
                            entry["withheld"] = withheld
                    else:
                        if entry.pop("withheld", ""):
                            raise ValueError("content and withheld")
                        entry["challenge"] = int(entry["challenge"])
                        entry["corrects"] = int(entry["corrects"]) if entry["corrects"] else None
                        entry["data"] = json.loads(entry["data"])
                except ValueError:
                    raise FormatError(f"line {number} cannot be read") from None
                yield entry

    return {}, stream()


def read_export(path: str):
    if path.lower().endswith(".csv"):
        return _csv_entries(path)
    return _json_entries(path)


# -- Verifying ---------------------------------------------------------------------


def verify(entries, header_head=None, earlier_heads=(), start=(0, GENESIS), full=0, erasures=None):
    """Returns (size, hash, full, digest_only); raises Failure at the first bad entry.

    `start` is (seq, chain hash) of the entry before the first one given (a part of a
    download continues from the part before it); `full` counts on from earlier parts.
    A header head is checked only when the entries reach its size (the last part).
    `erasures` (an Erasures) collects the withheld entries and the erasure events;
    whether every erased entry was named is decided once all parts are read.
    """
    if erasures is None:
        erasures = Erasures(start[0])
    wanted = {size: digest for size, digest in earlier_heads}
    seen = {}
    previous, expected = start[1], start[0] + 1
    for entry in entries:
        if not isinstance(entry, dict):
            raise FormatError(f"entry {expected} is not an object")
        seq = entry.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise FormatError(f"entry {expected} has no sequence number")
        if seq != expected:
            raise Failure(expected, "missing: an entry was removed (or the log renumbered)")
        digest, chain_hash = entry.get("digest"), entry.get("chain_hash")
        if not isinstance(digest, str) or not isinstance(chain_hash, str):
            raise FormatError(f"entry {seq} has no digest or chain hash")
        if "challenge" in entry:
            missing = [key for key in CONTENT_KEYS if key not in entry]
            if missing:
                raise FormatError(f"entry {seq} lacks {', '.join(missing)}")
            try:
                recomputed = content_digest(entry)
            except (TypeError, ValueError):
                recomputed = None
            if recomputed != digest:
                raise Failure(seq, "its content does not match its digest: the entry was edited")
            if "withheld" in entry:
                raise FormatError(f'entry {seq} has both its content and "withheld"')
            erasures.in_full(seq, entry)
            full += 1
        else:
            erasures.withheld(seq, entry.get("withheld"))
        if link(previous, seq, digest) != chain_hash:
            raise Failure(
                seq,
                "its chain hash does not follow from the previous entry: entries were "
                "reordered, removed or rewritten",
            )
        if seq in wanted:
            seen[seq] = chain_hash
        previous = chain_hash
        expected += 1
    size = expected - 1
    if header_head is not None and (
        not isinstance(header_head.get("size"), int) or header_head.get("size") <= size
    ):
        if (header_head.get("size"), header_head.get("hash")) != (size, previous):
            raise Failure(
                None,
                f"the export's head {header_head.get('size')}:{header_head.get('hash')} "
                f"is not its last entry {size}:{previous}",
            )
    for earlier_size, earlier_hash in earlier_heads:
        if earlier_size <= start[0]:
            continue  # before this part; checked with the part that holds it
        if earlier_size > size:
            raise Failure(
                size + 1,
                f"the given head {earlier_size}:{earlier_hash} has {earlier_size} entries but "
                f"the log has only {size}: its tail was removed (truncated)",
            )
        if earlier_size == 0:
            if earlier_hash != GENESIS:
                raise Failure(None, f"the given head 0:{earlier_hash} is not a head of any log")
            continue
        if seen.get(earlier_size) != earlier_hash:
            raise Failure(
                earlier_size,
                f"the given head {earlier_size}:{earlier_hash} does not match this log's entry "
                f"{earlier_size}: history up to it was rewritten",
            )
    return size, previous, full, size - full


class NotYetJustified(Exception):
    """The entries verify, but erased entries are named by no erasure event in them,
    and they do not reach the log's end: a later part may name them."""

    def __init__(self, seqs, result):
        shown = ", ".join(str(seq) for seq in seqs[:20]) + (", ..." if len(seqs) > 20 else "")
        super().__init__(
            f"not yet justified in this part: seq {shown} (exported as erased; the erasure "
            "event naming them is not in the entries verified, which do not reach the "
            "export's head: verify together with the later parts, or the JSON export)"
        )
        self.seqs = seqs
        self.result = result


def verify_parts(paths, earlier_heads=(), start=(0, GENESIS), *, legacy=False, earlier=None):
    """Verify the files of one download, in order, as one log (see the docstring).

    Returns (size, hash, full, digest_only, erasures). Raises Failure; or
    NotYetJustified when erased entries are named by no erasure event and the
    entries do not reach a head named in the export (a CSV part).
    """
    size, digest, full = start[0], start[1], 0
    erasures = Erasures(start[0], legacy=legacy, earlier=earlier)
    header = {}
    for number, path in enumerate(paths):
        header, entries = read_export(path)
        begins = header.get("from")
        if begins is not None:
            if not isinstance(begins, dict):
                raise FormatError(f'{path}: its "from" is not an object')
            begins = (begins.get("seq"), begins.get("chain_hash"))
            if begins != (size, digest):
                where = "the head given with --from" if number == 0 else "the part before it"
                raise Failure(
                    begins[0],
                    f"{path} continues from {begins[0]}:{begins[1]}, but {where} ends at "
                    f"{size}:{digest}: parts are missing, out of order or from another log",
                )
        head = header.get("head")
        final = number == len(paths) - 1
        size, digest, full, _digest_only = verify(
            entries,
            head if final else None,
            earlier_heads,
            start=(size, digest),
            full=full,
            erasures=erasures,
        )
        if not final and isinstance(head, dict) and head.get("size") == size:
            raise FormatError(f"{path} already reaches the head; it must be the last part")
    head = header.get("head") if isinstance(header, dict) else None
    if isinstance(head, dict) and isinstance(head.get("size"), int) and head["size"] > size:
        raise Failure(
            size + 1,
            f"the download ends at entry {size} but its head has {head['size']} entries: "
            f"a part is missing (resume with ?after={size}&size={head['size']})",
        )
    result = (size, digest, full, size - start[0] - full, erasures)
    pending = erasures.pending()
    if pending:
        if isinstance(head, dict) and head.get("size") == size:
            # The whole log up to the export's head is here: nothing later can name it.
            raise Failure(
                pending[0],
                "it is exported as erased but no later erasure event names it: its "
                "content was removed outside the portal's erasure, or a public entry "
                "was stripped of its content",
            )
        raise NotYetJustified(pending, result)
    return result


def read_earlier(path: str) -> tuple[set[int], tuple[int, str]]:
    """The seqs of the entries exported in full in an earlier export (which must
    verify on its own; digest-only entries in it need not say why), and its head:
    the log verified must have grown from it, so it is the same log."""
    found: set[int] = set()
    header, entries = read_export(path)

    def keep():
        for entry in entries:
            if isinstance(entry, dict) and "challenge" in entry:
                found.add(entry.get("seq"))
            yield entry

    begins = header.get("from") if isinstance(header, dict) else None
    start = (0, GENESIS)
    if isinstance(begins, dict):
        start = (begins.get("seq"), begins.get("chain_hash"))
    size, digest, _full, _digest_only = verify(
        keep(), header.get("head"), start=start, erasures=Erasures(start[0], legacy=True)
    )
    return found, (size, digest)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Verify a downloaded export of the Right to Challenge process log."
    )
    parser.add_argument(
        "export", nargs="+", help="the downloaded export (.json or .csv), or its parts in order"
    )
    parser.add_argument(
        "--from",
        dest="start",
        metavar="SEQ:HASH",
        help="a head you trust where the (first) part starts: verify only what follows it",
    )
    parser.add_argument(
        "--head",
        action="append",
        default=[],
        metavar="SIZE:HASH",
        help="a head you kept earlier (repeatable): the log must have grown from it",
    )
    parser.add_argument(
        "--earlier",
        metavar="EXPORT",
        help="an export (.json or .csv) downloaded earlier: every entry public in it must "
        "still be public (in full, or erased and named by an erasure event)",
    )
    parser.add_argument(
        "--legacy",
        action="store_true",
        help='accept digest-only entries that do not say why ("withheld"), as in exports '
        "made before the portal marked them (a stripped public entry then goes unnoticed)",
    )
    args = parser.parse_args(argv)
    name = ", ".join(args.export)
    unsure = None
    try:
        heads = [parse_head(text) for text in args.head]
        start = parse_head(args.start) if args.start else (0, GENESIS)
        earlier = None
        if args.earlier:
            try:
                earlier, earlier_head = read_earlier(args.earlier)
            except (Failure, FormatError, OSError) as error:
                raise FormatError(f"the earlier export {args.earlier}: {error}") from None
            heads.append(earlier_head)
        try:
            size, digest, full, digest_only, erasures = verify_parts(
                args.export, heads, start, legacy=args.legacy, earlier=earlier
            )
        except NotYetJustified as error:
            unsure = error
            size, digest, full, digest_only, erasures = error.result
    except FormatError as error:
        print(f"Cannot read {name}: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"Cannot read {name}: {error}", file=sys.stderr)
        return 2
    except Failure as error:
        print(f"The log does NOT verify. {error}", file=sys.stderr)
        return 1
    for earlier_size, earlier_hash in heads:
        print(f"The log grew from {earlier_size}:{earlier_hash} (or is still it).")
    if start[0]:
        print(f"Verified from the trusted head {start[0]}:{start[1]} on.")
    if erasures.justified:
        print(f"Erased entries: {len(erasures.justified)}, each named by a later erasure event.")
    if erasures.unmarked:
        print(
            f"Legacy: {erasures.unmarked} digest-only entries do not say why; a public entry "
            "stripped of its content cannot be told apart among them."
        )
    if unsure is not None:
        print(
            f"The chain verifies up to {size}:{digest}, but NOT everything: {unsure}",
            file=sys.stderr,
        )
        return NOT_JUSTIFIED
    print(
        f"The log verifies: {size} entries ({full} in full, {digest_only} by digest only). "
        f"Head: {size}:{digest}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
