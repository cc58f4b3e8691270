"""The published state of the process log: /log/head.json, the JSON and CSV exports,
the head in the Atom feed and on /log/. What is exported in full, what only by its
digest, and the shape (queries) of each."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from challenges import chain, services
from challenges.constants import EventCode, Role, Status, Visibility
from challenges.models import TimelineEvent
from challenges.timeline import record_event, timeline_erase_personal_data
from tests.challenges.factories import (
    ChallengeFactory,
    UserFactory,
    add_co_initiator,
    challenge_in,
)

pytestmark = pytest.mark.django_db

DIGEST_ONLY = {"seq", "created_at", "digest", "chain_hash"}
FULL = DIGEST_ONLY | set(chain.CONTENT_KEYS)


def export_json(client) -> dict:
    response = client.get(reverse("challenges:log-export-json"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.streaming
    return json.loads(b"".join(response.streaming_content))


def export_csv(client) -> list[dict]:
    response = client.get(reverse("challenges:log-export-csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def mixed_log(reviewer):
    """Public, parties and internal events of a submitted challenge, events of a
    draft (also a public one, written directly), and an erased public event, each
    with a text that must never leave the portal unless public."""
    challenge = challenge_in(Status.INTAKE, reviewer=reviewer, title="Openbaar plan")
    person = add_co_initiator(challenge)
    services.challenge_add_addition(
        challenge=challenge, actor=person, text="WISSEN-06-123", visibility=Visibility.PUBLIC
    )
    timeline_erase_personal_data(user=person)
    services.challenge_add_addition(
        challenge=challenge,
        actor=challenge.initiator,
        text="OPENBAAR-toelichting",
        visibility=Visibility.PUBLIC,
    )
    services.challenge_add_note(
        challenge=challenge, actor=reviewer, text="PARTIJEN-notitie", visibility="parties"
    )
    services.challenge_add_note(
        challenge=challenge, actor=reviewer, text="INTERN-notitie", visibility="internal"
    )
    draft = ChallengeFactory(title="CONCEPT-titel")
    add_co_initiator(draft)
    with transaction.atomic():
        record_event(
            challenge=draft,
            code=EventCode.NOTE,
            visibility=Visibility.PUBLIC,
            actor=reviewer,
            actor_role=Role.REVIEWER,
            data={"text": "CONCEPT-openbaar"},
        )
    return challenge, draft


SECRETS = ["WISSEN-06-123", "PARTIJEN-notitie", "INTERN-notitie", "CONCEPT-openbaar"]


def test_the_export_holds_every_entry_but_only_public_content(client, mixed_log):
    challenge, draft = mixed_log
    document = export_json(client)
    head = chain.current_head()
    assert document["format"] == "rtc-process-log/1"
    assert document["head"] == {"size": head.size, "hash": head.hash}
    entries = document["entries"]
    assert [e["seq"] for e in entries] == list(range(1, head.size + 1))
    assert entries[-1]["chain_hash"] == head.hash

    text = json.dumps(document, ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in text
    assert "OPENBAAR-toelichting" in text

    events = {e.seq: e for e in TimelineEvent.objects.select_related("challenge")}
    for entry in entries:
        event = events[entry["seq"]]
        assert entry["digest"] == event.digest
        assert entry["created_at"] == chain.canonical_time(event.created_at)
        public = (
            event.visibility == Visibility.PUBLIC
            and event.challenge.status != Status.DRAFT
            and not event.is_erased
        )
        if public:
            assert set(entry) == FULL
            assert entry["challenge"] == challenge.pk
            assert entry["data"] == event.data
            assert entry["salt"] == event.salt
        else:
            # Only seq, time, digest and why: not who, nor which challenge or visibility.
            assert set(entry) == DIGEST_ONLY | {"withheld"}, entry
            withheld_erased = (
                event.is_erased
                and event.visibility == Visibility.PUBLIC
                and event.challenge.status != Status.DRAFT
            )
            assert entry["withheld"] == ("erased" if withheld_erased else "restricted")
    kinds = {set(entry) == FULL for entry in entries}
    assert kinds == {True, False}
    assert {e.get("withheld") for e in entries} == {None, "erased", "restricted"}
    assert not any(e.get("challenge") == draft.pk for e in entries)


def test_the_csv_export_has_the_same_entries(client, mixed_log):
    rows = export_csv(client)
    entries = export_json(client)["entries"]
    assert len(rows) == len(entries)
    text = json.dumps(rows, ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in text
    for row, entry in zip(rows, entries, strict=True):
        assert int(row["seq"]) == entry["seq"]
        assert row["digest"] == entry["digest"] and row["chain_hash"] == entry["chain_hash"]
        if "data" in entry:
            assert json.loads(row["data"]) == entry["data"]
            assert int(row["challenge"]) == entry["challenge"]
            assert row["withheld"] == ""
        else:
            assert row["data"] == row["challenge"] == row["code"] == row["visibility"] == ""
            assert row["withheld"] == entry["withheld"]


def test_head_json_is_the_head_of_the_log(client, mixed_log):
    response = client.get(reverse("challenges:log-head"))
    assert response.status_code == 200
    body = response.json()
    last = TimelineEvent.objects.order_by("-seq").first()
    assert (body["size"], body["hash"]) == (last.seq, last.chain_hash)
    assert body["head"] == f"{last.seq}:{last.chain_hash}"
    assert body["updated_at"] == chain.canonical_time(last.created_at)
    assert response["Access-Control-Allow-Origin"] == "*"


def test_the_exports_are_a_snapshot_of_the_head_they_start_with(client, mixed_log, reviewer):
    challenge, _draft = mixed_log
    head = chain.current_head()
    response = client.get(reverse("challenges:log-export-json"))
    services.challenge_add_note(
        challenge=challenge, actor=reviewer, text="Later geschreven.", visibility="public"
    )
    document = json.loads(b"".join(response.streaming_content))
    assert document["head"]["size"] == head.size == len(document["entries"])
    assert response["X-Log-Head"] == str(head)


def test_the_atom_feed_and_the_log_page_carry_the_head(client, mixed_log):
    head = chain.current_head()
    feed = ET.fromstring(client.get(reverse("challenges:log-feed")).content)  # noqa: S314
    element = feed.find("{urn:x-rtc-portal:process-log:1}head")
    assert element is not None
    assert (int(element.get("size")), element.get("hash")) == head
    assert element.get("href").endswith(reverse("challenges:log-head"))
    assert head.hash in feed.find("{http://www.w3.org/2005/Atom}subtitle").text

    page = client.get(reverse("challenges:log")).content.decode()
    assert str(head.size) in page
    assert head.hash[:16] in page and head.hash[48:] in page
    for name in ("log-head", "log-export-json", "log-export-csv"):
        assert f'href="{reverse(f"challenges:{name}")}"' in page
    assert "verify_log_export.py" in page


def test_the_log_views_refuse_other_methods(client, mixed_log):
    for name in ("log-head", "log-export-json", "log-export-csv"):
        assert client.post(reverse(f"challenges:{name}")).status_code == 405


# -- Shape: the same queries for 10 and 1000 events --------------------------------------


def _add_events(n: int, actor) -> None:
    challenges = [challenge_in(Status.SUBMITTED) for _ in range(2)] if n else []
    now = timezone.now()
    with transaction.atomic():
        TimelineEvent.objects.bulk_create(
            TimelineEvent(
                challenge=challenges[i % 2],
                actor=actor,
                actor_role=Role.REVIEWER,
                code=EventCode.NOTE,
                visibility=[Visibility.PUBLIC, Visibility.PARTIES, Visibility.INTERNAL][i % 3],
                data={"text": f"Notitie {i}"},
                created_at=now,
            )
            for i in range(n)
        )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(context.captured_queries)


@pytest.mark.parametrize("name", ["log-head", "log-export-json", "log-export-csv", "log-feed"])
def test_the_log_views_run_the_same_queries_for_10_and_1000_events(client, name, settings):
    settings.PAGE_CACHE_SECONDS = 0  # rendering is measured here, not the page cache
    actor = UserFactory()
    _add_events(10, actor)
    url = reverse(f"challenges:{name}")
    few = _queries(client, url)
    _add_events(990, actor)
    assert TimelineEvent.objects.count() > 1000
    assert _queries(client, url) == few
