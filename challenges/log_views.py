"""The verifiable process log as open data: its head and its full export.

/log/head.json   the chain head: {"size", "hash", "head": "SIZE:HASH", "updated_at"}
/log/export.json every entry 1..size in seq order (format below)
/log/export.csv  the same, one row per entry

Both exports are resumable: `?after=K` starts after entry K, `?size=N` pins the
snapshot to the head of size N (so every part of one download ends at the same
head), `?limit=L` stops after L entries. A download cut off at entry K is resumed
with `?after=K&size=N`; tools/verify_log_export.py verifies the parts in order as
one log. The JSON header then carries "from": {"seq": K, "chain_hash": ...} (the
chain hash of entry K, from which the part continues) and, when a limit cut it
short, "next" (the address of the next part). The CSV says the same in the
response headers X-Log-From and Link (rel="next").

An entry is exported in full only when everyone may read it: a public event of a
challenge that is no longer a draft, whose content was not erased. Then it carries
the exact canonical content fields (challenge, code, visibility, actor_role, data,
corrects, created_at, salt) next to seq, digest and chain_hash, so anyone can
recompute its digest. Every other entry (parties, internal, a draft's, erased)
carries only seq, created_at, digest and chain_hash: enough to check its place in
the chain, nothing of what it says (the salt keeps the digest from confirming a
guess; see challenges.chain), and `withheld`, why its content is not there:

- "erased": it would be exported in full, but its content was erased; an erasure
  event in the export (public, on the same challenge, later in the log) names it;
- "restricted": not public by design (parties, internal, or a draft's event; also
  when such an entry was erased: its erasure event is not public either).

So the standalone verifier refuses a public entry stripped to its digest: it must
say "erased" and be named by an erasure event, or claim "restricted" and be caught
by anyone holding an earlier export in which it was public (its visibility is in
its digest and never changes). The marker tells only "public or not", never which
of parties and internal, nor the challenge. The CSV carries it as its last column.

The export is a snapshot of the head read first: entries written while it streams
are not in it, so the last entry always matches the head in the header. It streams
from one query (a server-side cursor on PostgreSQL), so a million entries never sit
in memory and the number of queries does not grow with the log.

JSON layout: the first line is the header object up to `"entries":[`, then one
entry per line, then `]}`. It is one ordinary JSON document; the line layout only
lets tools/verify_log_export.py read it as a stream.
"""

import csv
import json
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import chain
from .constants import Status, Visibility
from .models import ChainHead, TimelineEvent

FORMAT = "rtc-process-log/1"
CHUNK = 2000
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
    # Added later, so last: why a digest-only entry has no content (see above).
    "withheld",
]
WITHHELD_ERASED = "erased"
WITHHELD_RESTRICTED = "restricted"
_FIELDS = (
    "seq",
    "created_at",
    "digest",
    "chain_hash",
    "visibility",
    "erased_at",
    "challenge__status",
    "challenge_id",
    "code",
    "actor_role",
    "corrects_id",
    "salt",
    "data",
)
_line = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _head_row() -> tuple[chain.Head, str | None]:
    row = (
        ChainHead.objects.filter(pk=ChainHead.SINGLETON).values_list("size", "hash", "updated_at")
    ).first()
    if row is None:
        return chain.Head(0, chain.GENESIS), None
    size, digest, updated = row
    return chain.Head(size, digest), chain.canonical_time(updated) if updated else None


def _open_data(response):
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def head_json(request):
    head, updated_at = _head_row()
    return _open_data(
        JsonResponse(
            {
                "size": head.size,
                "hash": head.hash,
                "head": str(head),
                "updated_at": updated_at,
                "generated_at": chain.canonical_time(timezone.now()),
                "export": request.build_absolute_uri(reverse("challenges:log-export-json")),
            }
        )
    )


def export_entries(size: int, after: int = 0):
    """(seq, created_at, digest, chain_hash, content or None, withheld) for entries
    after+1..size.

    content is the dict of canonical content fields when the entry is public;
    otherwise withheld says why not ("erased" or "restricted"; "" with content).
    """
    rows = (
        TimelineEvent.objects.filter(seq__gt=after, seq__lte=size)
        .order_by("seq")
        .values_list(*_FIELDS)
        .iterator(chunk_size=CHUNK)
    )
    # One transaction around the one query: PostgreSQL streams the server-side
    # cursor instead of materializing the whole result before the first row.
    with transaction.atomic():
        for (
            seq,
            created_at,
            digest,
            chain_hash,
            visibility,
            erased_at,
            status,
            challenge,
            code,
            actor_role,
            corrects,
            salt,
            data,
        ) in rows:
            at = chain.canonical_time(created_at)
            public = visibility == Visibility.PUBLIC and status != Status.DRAFT
            if not public:
                yield seq, at, digest, chain_hash, None, WITHHELD_RESTRICTED
            elif erased_at is not None:
                yield seq, at, digest, chain_hash, None, WITHHELD_ERASED
            else:
                content = {
                    "challenge": challenge,
                    "code": code,
                    "visibility": visibility,
                    "actor_role": actor_role,
                    "data": data,
                    "corrects": corrects,
                    "created_at": at,
                    "salt": salt,
                }
                yield seq, at, digest, chain_hash, content, ""


def _json_stream(head: chain.Head, updated_at: str | None, part: "_Part"):
    fields = {
        "format": FORMAT,
        "head": {"size": head.size, "hash": head.hash},
        "updated_at": updated_at,
        "generated_at": chain.canonical_time(timezone.now()),
        "site": settings.SITE_URL,
    }
    if part.after:
        fields["from"] = {"seq": part.after, "chain_hash": part.from_hash}
    if part.next_url:
        fields["next"] = part.next_url
    header = _line(fields)
    yield header[:-1] + ',"entries":[\n'
    separator = ""
    buffer = []
    for seq, at, digest, chain_hash, content, withheld in export_entries(part.until, part.after):
        entry = {"seq": seq, "created_at": at, "digest": digest, "chain_hash": chain_hash}
        if content is not None:
            entry.update(content)
        else:
            entry["withheld"] = withheld
        buffer.append(separator + _line(entry))
        separator = ",\n"
        if len(buffer) >= CHUNK:
            yield "".join(buffer)
            buffer = []
    buffer.append("\n]}\n")
    yield "".join(buffer)


class _Echo:
    def write(self, value):
        return value


def _csv_stream(part: "_Part"):
    writer = csv.writer(_Echo(), lineterminator="\n")
    yield writer.writerow(CSV_COLUMNS)
    buffer = []
    for seq, at, digest, chain_hash, content, withheld in export_entries(part.until, part.after):
        row = [seq, at, digest, chain_hash]
        if content is not None:
            row += [
                content["challenge"],
                content["code"],
                content["visibility"],
                content["actor_role"],
                "" if content["corrects"] is None else content["corrects"],
                content["salt"],
                chain.canonical_json(content["data"]),
                "",
            ]
        else:
            row += [""] * 7 + [withheld]
        buffer.append(writer.writerow(row))
        if len(buffer) >= CHUNK:
            yield "".join(buffer)
            buffer = []
    yield "".join(buffer)


@dataclass
class _Part:
    """Which entries one response of the export carries: after+1 .. until."""

    after: int
    until: int
    from_hash: str
    next_url: str


def _number(request, name: str) -> int | None:
    value = request.GET.get(name)
    if value in (None, ""):
        return None
    if not value.isdigit() or len(value) > 18:
        raise ValueError(name)
    return int(value)


def _part(request, head: chain.Head) -> tuple[chain.Head, _Part]:
    """The snapshot head and the part asked for; ValueError names a bad parameter."""
    size = _number(request, "size")
    if size is not None:
        if size > head.size:
            raise ValueError("size")
        if size < head.size:
            pinned = TimelineEvent.objects.filter(seq=size).values_list("chain_hash", flat=True)
            head = chain.Head(size, pinned.first() or chain.GENESIS)
    after = _number(request, "after") or 0
    if after > head.size:
        raise ValueError("after")
    limit = _number(request, "limit")
    if limit == 0:
        raise ValueError("limit")
    until = head.size if limit is None else min(head.size, after + limit)
    from_hash = chain.GENESIS
    if after:
        found = TimelineEvent.objects.filter(seq=after).values_list("chain_hash", flat=True)
        from_hash = found.first() or chain.GENESIS
    next_url = ""
    if until < head.size:
        next_url = request.build_absolute_uri(
            f"{request.path}?{urlencode({'after': until, 'size': head.size, 'limit': limit})}"
        )
    return head, _Part(after, until, from_hash, next_url)


def _refuse(name: str):
    messages = {
        "size": _("“size” must be a whole number no larger than the log's current size."),
        "after": _("“after” must be a whole number no larger than the size of the export."),
        "limit": _("“limit” must be a whole number larger than 0."),
    }
    return _open_data(JsonResponse({"error": str(messages[name])}, status=400))


def _download(stream, content_type: str, head: chain.Head, extension: str, part: _Part):
    response = StreamingHttpResponse(stream, content_type=content_type)
    name = f"process-log-{head.size}"
    if part.after or part.until < head.size:
        name += f"-{part.after + 1}-{part.until}"
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    response["X-Log-Head"] = str(head)
    if part.after:
        response["X-Log-From"] = f"{part.after}:{part.from_hash}"
    if part.next_url:
        response["Link"] = f'<{part.next_url}>; rel="next"'
    return _open_data(response)


@require_GET
def export_json(request):
    head, updated_at = _head_row()
    try:
        head, part = _part(request, head)
    except ValueError as error:
        return _refuse(str(error))
    return _download(
        _json_stream(head, updated_at, part), "application/json; charset=utf-8", head, "json", part
    )


@require_GET
def export_csv(request):
    head, _updated_at = _head_row()
    try:
        head, part = _part(request, head)
    except ValueError as error:
        return _refuse(str(error))
    return _download(_csv_stream(part), "text/csv; charset=utf-8", head, "csv", part)
