"""The public challenges as open data, and a DCAT description of every dataset.

/open-data/challenges.csv   one row per public challenge (never a draft)
/open-data/challenges.json  the same: a header object, then "challenges": [...]
/open-data/catalog.jsonld   a DCAT-AP(-NL) catalogue in JSON-LD: the challenges, the
                            process log (challenges.log_views) and the statistics

Every column is documented in COLUMNS (shown on /open-data/). Only what the public
challenge page already shows: the published plan fields and the stage. The exports
stream from one query (`iterator(chunk_size=...)`, a server-side cursor on
PostgreSQL inside one transaction), so the number of queries and the memory stay
flat with the number of challenges. The licence comes from settings.OPEN_DATA_LICENSE.
"""

import csv
import json
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.db import transaction
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from challenges import selectors as challenge_selectors
from challenges.models import ChainHead
from community.selectors import supporter_count

FORMAT = "rtc-public-challenges/1"
# Rows per round trip to the database, and per piece of the response: small enough
# that the memory is flat from a thousand rows on (benchmarks/bench_open_data.py).
CHUNK = 500


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # integer, string, decimal, date-time, boolean, url
    description: object  # lazy: in the reader's language


COLUMNS = [
    Column("id", "integer", _("The challenge's number in the portal; never reused.")),
    Column("reference", "string", _("The reference given at submission: RTC-<year>-<number>.")),
    Column("title", "string", _("The title the challenger gave the plan.")),
    Column("url", "url", _("The public page of the challenge.")),
    Column(
        "status",
        "string",
        _(
            "The stage: submitted, intake, assessment, decision, accepted, rejected, "
            "agreement, execution, evaluation, completed, withdrawn or on_hold."
        ),
    ),
    Column("task", "string", _("The public task challenged (from the catalogue of tasks).")),
    Column("neighbourhood", "string", _("The neighbourhood the plan is for.")),
    Column("summary", "string", _("The plan's summary, as published.")),
    Column(
        "budget_requested",
        "decimal",
        _("The budget asked per year, in euros, with two decimals; empty when not given."),
    ),
    Column(
        "legal_form",
        "string",
        _(
            "The challenger's legal form: foundation, association, cooperative, company, "
            "sole_trader or informal_group."
        ),
    ),
    Column("submitted_at", "date-time", _("When the challenge was submitted (ISO 8601, UTC).")),
    Column(
        "in_stage_since",
        "date-time",
        _("When the challenge entered its current stage (ISO 8601, UTC)."),
    ),
    Column(
        "response_due",
        "date-time",
        _(
            "When the municipality's response in this stage is due by its target (ISO "
            "8601, UTC); empty when the stage has no target."
        ),
    ),
    Column(
        "supporters",
        "integer",
        _("How many residents support the challenge in the portal (a count; nobody named)."),
    ),
]
_FIELDS = (
    "pk",
    "reference",
    "title",
    "task__name",
    "neighbourhood__name",
    "summary",
    "budget_requested",
    "legal_form",
    "submitted_at",
    "status_changed_at",
    "due_at",
    "status",
    "supporters",
)

KNOWN_LICENSES = {
    "CC0-1.0": "http://creativecommons.org/publicdomain/zero/1.0/",
    "CC-BY-4.0": "http://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "http://creativecommons.org/licenses/by-sa/4.0/",
    "ODbL-1.0": "http://opendatacommons.org/licenses/odbl/1-0/",
}
MEDIA_TYPES = {
    "csv": "https://www.iana.org/assignments/media-types/text/csv",
    "json": "https://www.iana.org/assignments/media-types/application/json",
}
FORMATS = {
    "csv": "http://publications.europa.eu/resource/authority/file-type/CSV",
    "json": "http://publications.europa.eu/resource/authority/file-type/JSON",
}


@dataclass(frozen=True)
class License:
    identifier: str
    url: str


def open_license() -> License:
    """The licence of the open data (settings.OPEN_DATA_LICENSE: SPDX id or URL)."""
    value = (settings.OPEN_DATA_LICENSE or "CC0-1.0").strip()
    if value in KNOWN_LICENSES:
        return License(value, KNOWN_LICENSES[value])
    if value.startswith(("http://", "https://")):
        return License(value, value)
    return License(value, f"https://spdx.org/licenses/{value}.html")


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _detail_url_prefix() -> tuple[str, str]:
    marker = 987654321
    url = _absolute(reverse("challenges:detail", kwargs={"pk": marker}))
    before, after = url.split(str(marker))
    return before, after


def _iso(moment) -> str:
    return moment.astimezone(UTC).isoformat() if moment else ""


def public_rows():
    """Every public challenge as a dict of COLUMNS, oldest first, streamed."""
    before, after = _detail_url_prefix()
    rows = (
        challenge_selectors.public_challenges()
        .annotate(supporters=supporter_count())
        .order_by("pk")
        .values_list(*_FIELDS)
        .iterator(chunk_size=CHUNK)
    )
    # One transaction around the one query: PostgreSQL then streams the server-side
    # cursor instead of materializing the result before the first row.
    with transaction.atomic():
        for (
            pk,
            reference,
            title,
            task,
            neighbourhood,
            summary,
            budget,
            legal_form,
            submitted_at,
            in_stage_since,
            due_at,
            status,
            supporters,
        ) in rows:
            yield {
                "id": pk,
                "reference": reference or "",
                "title": title,
                "url": f"{before}{pk}{after}",
                "status": status,
                "task": task or "",
                "neighbourhood": neighbourhood or "",
                "summary": summary,
                "budget_requested": "" if budget is None else f"{budget:.2f}",
                "legal_form": legal_form,
                "submitted_at": _iso(submitted_at),
                "in_stage_since": _iso(in_stage_since),
                "response_due": _iso(due_at),
                "supporters": supporters,
            }


class _Echo:
    def write(self, value):
        return value


def csv_stream():
    writer = csv.writer(_Echo(), lineterminator="\n")
    names = [column.name for column in COLUMNS]
    yield writer.writerow(names)
    buffer = []
    for row in public_rows():
        buffer.append(writer.writerow([row[name] for name in names]))
        if len(buffer) >= CHUNK:
            yield "".join(buffer)
            buffer = []
    yield "".join(buffer)


_line = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def json_stream(header: dict):
    text = _line(header)
    yield text[:-1] + ',"challenges":[\n'
    separator = ""
    buffer = []
    for row in public_rows():
        buffer.append(separator + _line(row))
        separator = ",\n"
        if len(buffer) >= CHUNK:
            yield "".join(buffer)
            buffer = []
    buffer.append("\n]}\n")
    yield "".join(buffer)


def _download(stream, content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(stream, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-cache"
    return response


def csv_download() -> StreamingHttpResponse:
    return _download(csv_stream(), "text/csv; charset=utf-8", "public-challenges.csv")


def json_download(request) -> StreamingHttpResponse:
    header = {
        "format": FORMAT,
        "generated_at": _iso(timezone.now()),
        "site": settings.SITE_URL,
        "license": open_license().url,
        "publisher": settings.MUNICIPALITY["name"],
        "columns": [column.name for column in COLUMNS],
        "description": _absolute(reverse("insights:open-data")),
    }
    return _download(
        json_stream(header), "application/json; charset=utf-8", "public-challenges.json"
    )


# -- DCAT -----------------------------------------------------------------------------------


def _in_every_language(text) -> list[dict]:
    values = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            values.append({"@value": str(text), "@language": code})
    return values


def datasets(request=None) -> list[dict]:
    """The datasets of the portal, each with its downloads: for the page and DCAT."""
    statistics = [
        (
            f"statistics-{table}",
            "csv",
            _absolute(reverse("insights:statistics-csv", kwargs={"table": table})),
        )
        for table in ("stages", "neighbourhoods", "tasks", "summary")
    ]
    return [
        {
            "key": "challenges",
            "title": _("Public challenges"),
            "description": _(
                "Every submitted challenge (never a draft) with its task, neighbourhood, "
                "plan summary, budget asked and stage; one row per challenge."
            ),
            "distributions": [
                ("challenges-csv", "csv", _absolute(reverse("insights:challenges-csv"))),
                ("challenges-json", "json", _absolute(reverse("insights:challenges-json"))),
            ],
        },
        {
            "key": "process-log",
            "title": _("Process log"),
            "description": _(
                "The hash-chained process log: every public event of every challenge in "
                "full, every other entry as its digest only, so anyone can verify it."
            ),
            "distributions": [
                ("log-csv", "csv", _absolute(reverse("challenges:log-export-csv"))),
                ("log-json", "json", _absolute(reverse("challenges:log-export-json"))),
            ],
        },
        {
            "key": "statistics",
            "title": _("Statistics"),
            "description": _(
                "Challenges per stage, neighbourhood and task; time from submission to "
                "decision against its target; share accepted; active partnerships."
            ),
            "distributions": statistics,
        },
    ]


def catalog(request=None) -> dict:
    """The catalogue as a JSON-LD document (DCAT-AP-NL: dcat:Catalog > dcat:Dataset >
    dcat:Distribution), with an inline context so a harvester needs nothing else."""
    page = _absolute(reverse("insights:open-data"))
    licence = {"@id": open_license().url}
    municipality = settings.MUNICIPALITY
    publisher = {
        "@id": municipality["website"],
        "@type": "foaf:Agent",
        "foaf:name": municipality["name"],
    }
    contact = {
        "@type": "vcard:Organization",
        "vcard:fn": municipality["name"],
        "vcard:hasEmail": {"@id": f"mailto:{municipality['email']}"},
    }
    head = ChainHead.objects.filter(pk=ChainHead.SINGLETON).values_list("updated_at").first()
    modified = head[0] if head and head[0] else None
    found = []
    for dataset in datasets(request):
        distributions = []
        for key, kind, url in dataset["distributions"]:
            distributions.append(
                {
                    "@id": f"{page}#{key}",
                    "@type": "dcat:Distribution",
                    "dct:title": key,
                    "dcat:accessURL": {"@id": url},
                    "dcat:downloadURL": {"@id": url},
                    "dcat:mediaType": {"@id": MEDIA_TYPES[kind]},
                    "dct:format": {"@id": FORMATS[kind]},
                    "dct:license": licence,
                }
            )
        entry = {
            "@id": f"{page}#{dataset['key']}",
            "@type": "dcat:Dataset",
            "dct:identifier": f"{page}#{dataset['key']}",
            "dct:title": _in_every_language(dataset["title"]),
            "dct:description": _in_every_language(dataset["description"]),
            "dct:publisher": publisher,
            "dcat:contactPoint": contact,
            "dct:license": licence,
            "dct:accessRights": {
                "@id": "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
            },
            "dct:language": {
                "@id": "http://publications.europa.eu/resource/authority/language/NLD"
            },
            "dcat:landingPage": {"@id": page},
            "dcat:distribution": distributions,
        }
        if modified is not None:
            entry["dct:modified"] = {"@value": _iso(modified), "@type": "xsd:dateTime"}
        found.append(entry)
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": _absolute(reverse("insights:catalog")),
        "@type": "dcat:Catalog",
        "dct:title": _in_every_language(_("Open data of Right to Challenge")),
        "dct:description": _in_every_language(
            _(
                "The challenges, the process log and the statistics of the Right to "
                "Challenge portal."
            )
        ),
        "dct:publisher": publisher,
        "dct:license": licence,
        "foaf:homepage": {"@id": settings.SITE_URL + "/"},
        "dcat:dataset": found,
    }
