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
and exits 1 (2: the file or the arguments could not be read).

Canonical content (the same rules as the portal's challenges/chain.py; a test in
the portal proves both give the same hashes): the UTF-8 bytes of compact JSON (keys
sorted, separators "," and ":", non-ASCII not escaped) of an object with exactly
the keys actor_role, challenge, code, corrects, created_at, data, salt, visibility.

Entries that are not public (or whose content was erased) carry only seq,
created_at, digest and chain_hash: their place in the chain is checked, their
content is not yours to see.
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
]


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
            if columns != CSV_COLUMNS:
                raise FormatError(f"the CSV columns are not {','.join(CSV_COLUMNS)}")
            for number, row in enumerate(reader, start=2):
                if len(row) != len(CSV_COLUMNS):
                    raise FormatError(f"line {number} has {len(row)} columns")
                entry = dict(zip(CSV_COLUMNS, row, strict=True))
                try:
                    entry["seq"] = int(entry["seq"])
                    if entry["challenge"] == "":
                        entry = {key: entry[key] for key in CSV_COLUMNS[:4]}
                    else:
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


def verify(entries, header_head=None, earlier_heads=(), start=(0, GENESIS), full=0):
    """Returns (size, hash, full, digest_only); raises Failure at the first bad entry.

    `start` is (seq, chain hash) of the entry before the first one given (a part of a
    download continues from the part before it); `full` counts on from earlier parts.
    A header head is checked only when the entries reach its size (the last part).
    """
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
            full += 1
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


def verify_parts(paths, earlier_heads=(), start=(0, GENESIS)):
    """Verify the files of one download, in order, as one log (see the docstring)."""
    size, digest, full = start[0], start[1], 0
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
            entries, head if final else None, earlier_heads, start=(size, digest), full=full
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
    return size, digest, full, size - start[0] - full


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
    args = parser.parse_args(argv)
    name = ", ".join(args.export)
    try:
        heads = [parse_head(text) for text in args.head]
        start = parse_head(args.start) if args.start else (0, GENESIS)
        size, digest, full, digest_only = verify_parts(args.export, heads, start)
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
    print(
        f"The log verifies: {size} entries ({full} in full, {digest_only} by digest only). "
        f"Head: {size}:{digest}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
