"""The hash chain of the process log: its rules (and the standalone verifier's copy of
them), the writer that chains every event, and the erasure of personal data."""

import importlib.util
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from challenges import chain, services
from challenges.constants import EventCode, Role, Status, Visibility
from challenges.management.commands.verify_log import LogVerificationError, verify_rows
from challenges.models import AppendOnlyError, ChainHead, TimelineEvent
from challenges.timeline import record_event, timeline_erase_personal_data
from tests.challenges.factories import ChallengeFactory, add_co_initiator, challenge_in

TOOL = Path(settings.BASE_DIR) / "tools" / "verify_log_export.py"


def _load_tool():
    spec = importlib.util.spec_from_file_location("verify_log_export", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = _load_tool()

# Contents chosen to catch every way two JSON encoders can differ: key order (also of
# non-ASCII keys), escapes, non-ASCII and astral characters, line separators, nesting,
# big integers, booleans, null and empty containers.
CONTENTS = [
    {
        "challenge": 1,
        "code": "submitted",
        "visibility": "public",
        "actor_role": "challenger",
        "data": {},
        "corrects": None,
        "created_at": "2026-01-01T00:00:00.000000Z",
        "salt": "0" * 32,
    },
    {
        "challenge": 7,
        "code": "status_changed",
        "visibility": "parties",
        "actor_role": "reviewer",
        "data": {"to": "intake", "from": "submitted", "motivation": 'Zie "bijlage" \\ map'},
        "corrects": 12,
        "created_at": "2026-03-29T01:59:59.500000Z",
        "salt": "0123456789abcdef0123456789abcdef",
    },
    {
        "challenge": 2**40,
        "code": "note",
        "visibility": "internal",
        "actor_role": "",
        "data": {
            "text": "Café 😀 中文 עברית \u2028 line\nbreak\ttab \x00\x1f",
            "zz": [1, -2, 2**63, True, False, None, {"b": [], "a": {}}],
            "Ä": "non-ASCII key",
            "a": "ascii key",
            "é": {"ß": "ss", "s": "ß"},
        },
        "corrects": None,
        "created_at": "1999-12-31T23:59:59.000001Z",
        "salt": "ffffffffffffffffffffffffffffffff",
    },
]


@pytest.mark.parametrize("content", CONTENTS, ids=["empty", "escapes", "unicode"])
def test_the_standalone_verifier_hashes_exactly_like_the_portal(content):
    portal = chain.canonical_content(**content)
    assert tool.canonical_content(content) == portal
    assert tool.content_digest(content) == chain.content_digest(**content)
    digest = chain.content_digest(**content)
    for previous, seq in [(chain.GENESIS, 1), ("ab" * 32, 987654321)]:
        assert tool.link(previous, seq, digest) == chain.link(previous, seq, digest)
    assert tool.GENESIS == chain.GENESIS
    assert tuple(tool.CONTENT_KEYS) == chain.CONTENT_KEYS
    # Compact, sorted, unescaped UTF-8: the format the docs promise.
    assert portal.decode("utf-8") == json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def _sqlite_time(canonical: str) -> str:
    """The time as Django stores it on SQLite: naive UTC, no fraction when it is zero."""
    text = canonical.replace("T", " ").removesuffix("Z")
    return text.removesuffix(".000000")


def _postgresql_time(canonical: str) -> str:
    """The time as PostgreSQL prints a UTC timestamp: trailing zeros of the fraction cut."""
    text = _sqlite_time(canonical)
    return text.rstrip("0").removesuffix(".") if "." in text else text


def _rows(contents, data_text, time_text=_sqlite_time):
    previous, rows = chain.GENESIS, []
    for seq, content in enumerate(contents, start=1):
        digest = chain.content_digest(**content)
        previous = chain.link(previous, seq, digest)
        rows.append(
            (
                seq,
                digest,
                previous,
                None,
                content["challenge"],
                content["code"],
                content["visibility"],
                content["actor_role"],
                content["corrects"],
                content["salt"],
                data_text(content["data"]),
                time_text(content["created_at"]),
            )
        )
    return rows, previous


@pytest.mark.parametrize(
    "data_text, data_is_canonical, time_text",
    [
        (chain.canonical_json, True, _sqlite_time),  # SQLite: the stored text is canonical
        (json.dumps, False, _postgresql_time),  # PostgreSQL: jsonb gives its own text
        (json.dumps, True, _sqlite_time),  # canonical expected, stored otherwise
        (lambda d: d, False, _sqlite_time),  # a driver that returns parsed JSON
    ],
    ids=["sqlite", "postgresql", "other-text-expected-canonical", "parsed"],
)
def test_verify_logs_fast_path_agrees_with_the_rules(data_text, data_is_canonical, time_text):
    assert {_postgresql_time(c["created_at"]) for c in CONTENTS} >= {
        "2026-01-01 00:00:00",
        "2026-03-29 01:59:59.5",
    }
    rows, last = _rows(CONTENTS, data_text, time_text)
    assert verify_rows(
        rows, start=1, previous=chain.GENESIS, data_is_canonical=data_is_canonical
    ) == (len(rows) + 1, last)


@pytest.mark.parametrize(
    "index, value",
    [
        (4, 8),  # challenge
        (5, "note"),  # code
        (6, "public"),  # visibility
        (7, "coordinator"),  # actor role
        (8, 3),  # corrects
        (9, "1" * 32),  # salt
        (10, '{"to":"accepted","from":"submitted","motivation":""}'),  # data
        (11, "2026-03-29 01:59:59.499999"),  # time
    ],
    ids=["challenge", "code", "visibility", "role", "corrects", "salt", "data", "time"],
)
def test_verify_logs_fast_path_catches_a_change_of_any_content_field(index, value):
    rows, _last = _rows(CONTENTS, chain.canonical_json)
    changed = list(rows[1])
    changed[index] = value
    rows[1] = tuple(changed)
    with pytest.raises(LogVerificationError, match="seq 2: its content does not match") as info:
        verify_rows(rows, start=1, previous=chain.GENESIS, data_is_canonical=True)
    assert info.value.seq == 2


def test_a_field_cannot_smuggle_text_into_its_neighbour():
    """The fast path assembles the canonical text from stored pieces; a piece shaped to
    swallow the next field must not make the assembled text match."""
    rows, _last = _rows(CONTENTS[1:2], chain.canonical_json)
    row = list(rows[0])
    data, salt = row[10], row[9]
    row[10] = data[:-1]  # the data text without its closing brace ...
    row[9] = '},"salt":"' + salt  # ... and the brace moved into the salt
    with pytest.raises(LogVerificationError, match="seq 1"):
        verify_rows([tuple(row)], start=1, previous=chain.GENESIS, data_is_canonical=False)
    # On SQLite the query turns a data text that is not one JSON value into NULL.
    row[10] = None
    with pytest.raises(LogVerificationError, match="seq 1"):
        verify_rows([tuple(row)], start=1, previous=chain.GENESIS, data_is_canonical=True)


def test_canonical_time_is_utc_with_microseconds():
    amsterdam = datetime(2026, 7, 1, 14, 30, tzinfo=UTC).astimezone(ZoneInfo("Europe/Amsterdam"))
    assert chain.canonical_time(amsterdam) == "2026-07-01T14:30:00.000000Z"
    assert (
        chain.canonical_time(datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC))
        == "2026-01-02T03:04:05.000006Z"
    )
    with pytest.raises(ValueError):
        chain.canonical_time(datetime(2026, 1, 1))


def test_a_head_is_parsed_from_size_colon_hash():
    assert chain.parse_head(f"12:{'AB' * 32}") == chain.Head(12, "ab" * 32)
    assert str(chain.Head(3, "c" * 64)) == f"3:{'c' * 64}"
    for bad in ["12", "x:" + "a" * 64, "12:" + "a" * 63, "12:" + "g" * 64]:
        with pytest.raises(ValueError):
            chain.parse_head(bad)


# -- The writer ---------------------------------------------------------------------


def _stored_chain():
    return list(
        TimelineEvent.objects.order_by("seq").values(
            "seq",
            "digest",
            "chain_hash",
            "challenge_id",
            "code",
            "visibility",
            "actor_role",
            "data",
            "corrects_id",
            "created_at",
            "salt",
        )
    )


def _assert_valid_chain(rows):
    assert [row["seq"] for row in rows] == list(range(1, len(rows) + 1))
    previous = chain.GENESIS
    for row in rows:
        assert row["digest"] == chain.content_digest(
            challenge=row["challenge_id"],
            code=row["code"],
            visibility=row["visibility"],
            actor_role=row["actor_role"],
            data=row["data"],
            corrects=row["corrects_id"],
            created_at=chain.canonical_time(row["created_at"]),
            salt=row["salt"],
        )
        assert row["chain_hash"] == chain.link(previous, row["seq"], row["digest"])
        previous = row["chain_hash"]
    return previous


@pytest.mark.django_db
def test_events_written_through_the_services_form_one_contiguous_valid_chain(reviewer):
    first = challenge_in(Status.ASSESSMENT, reviewer=reviewer)
    second = challenge_in(Status.SUBMITTED)
    add_co_initiator(second)
    services.challenge_add_note(
        challenge=first, actor=reviewer, text="Intern overleg.", visibility=Visibility.INTERNAL
    )
    note = services.challenge_add_note(
        challenge=second, actor=reviewer, text="Afspraak gemaakt.", visibility=Visibility.PARTIES
    )
    with transaction.atomic():
        record_event(
            challenge=second,
            code=EventCode.NOTE,
            visibility=Visibility.PARTIES,
            actor=reviewer,
            actor_role=Role.REVIEWER,
            data={"text": "Afspraak verzet."},
            corrects=note,
        )

    rows = _stored_chain()
    assert len(rows) >= 8
    assert len({row["salt"] for row in rows}) == len(rows)
    last = _assert_valid_chain(rows)
    head = ChainHead.objects.get()
    assert (head.size, head.hash) == (len(rows), last)
    assert chain.current_head() == (len(rows), last)
    assert head.updated_at == TimelineEvent.objects.get(seq=len(rows)).created_at


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_the_chain_and_its_head_as_they_were(reviewer):
    challenge = challenge_in(Status.SUBMITTED, reviewer=reviewer)
    before = chain.current_head()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        services.challenge_transition(challenge=challenge, to_status=Status.INTAKE, actor=reviewer)
        assert chain.current_head().size == before.size + 1
        1 / 0  # noqa: B018
    assert chain.current_head() == before
    services.challenge_transition(challenge=challenge, to_status=Status.INTAKE, actor=reviewer)
    assert chain.current_head().size == before.size + 1
    _assert_valid_chain(_stored_chain())


@pytest.mark.django_db
def test_bulk_created_events_are_chained_like_any_other(reviewer):
    challenge = challenge_in(Status.SUBMITTED, reviewer=reviewer)
    size = chain.current_head().size
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            challenge=challenge,
            code=EventCode.NOTE,
            visibility=Visibility.PUBLIC,
            data={"text": f"Import {i}"},
        )
        for i in range(5)
    )
    rows = _stored_chain()
    assert len(rows) == size + 5
    assert chain.current_head() == (size + 5, _assert_valid_chain(rows))


@pytest.mark.django_db
def test_an_event_cannot_be_written_around_the_chain():
    challenge = ChallengeFactory()
    with pytest.raises(AppendOnlyError, match="record_event"):
        TimelineEvent.objects.create(
            challenge=challenge, code=EventCode.NOTE, visibility=Visibility.PUBLIC
        )
    with pytest.raises(AppendOnlyError):
        TimelineEvent.objects.bulk_create(
            [TimelineEvent(challenge=challenge, code=EventCode.NOTE, visibility="public")],
            update_conflicts=True,
            unique_fields=["seq"],
            update_fields=["data"],
        )
    assert not TimelineEvent.objects.exists()
    assert chain.current_head() == (0, chain.GENESIS)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data", [{"score": 3.5}, {"nested": [{"x": 1e100}]}, {1: "integer key"}, {"when": datetime.now}]
)
def test_data_that_would_not_hash_the_same_after_storage_is_refused(data):
    challenge = ChallengeFactory()
    with pytest.raises(ValueError), transaction.atomic():
        record_event(challenge=challenge, code=EventCode.NOTE, visibility="public", data=data)
    assert not TimelineEvent.objects.exists()
    assert chain.current_head().size == 0


# -- Erasure ------------------------------------------------------------------------

ERASED_SENTENCE = (
    "Content removed (at the request of the person concerned, or a post the municipality hid)."
)


@pytest.fixture
def erasable(reviewer):
    """A submitted challenge whose co-initiator wrote a public and a parties addition."""
    challenge = challenge_in(Status.INTAKE, reviewer=reviewer)
    person = add_co_initiator(challenge)
    public = services.challenge_add_addition(
        challenge=challenge,
        actor=person,
        text="Mijn telefoonnummer is 06-12345678.",
        visibility=Visibility.PUBLIC,
    )
    parties = services.challenge_add_addition(
        challenge=challenge,
        actor=person,
        text="Ik woon op Kerkstraat 1.",
        visibility=Visibility.PARTIES,
    )
    return challenge, person, [public, parties]


def _columns(event):
    return TimelineEvent.objects.filter(pk=event.pk).values().get()


@pytest.mark.django_db
def test_erasing_a_persons_data_keeps_the_chain_verifiable(erasable, reviewer, client):
    challenge, person, additions = erasable
    by_person = list(TimelineEvent.objects.filter(actor=person))
    assert len(by_person) == 3  # joined the team, and the two additions
    others = {e.pk: _columns(e) for e in TimelineEvent.objects.exclude(actor=person)}
    before = {e.pk: _columns(e) for e in by_person}
    head = chain.current_head()

    assert timeline_erase_personal_data(user=person) == 3

    for event in by_person:
        row = _columns(event)
        old = before[event.pk]
        assert row["data"] == {"erased": True}
        assert row["actor_id"] is None
        assert row["salt"] == ""
        assert row["erased_at"] is not None
        for kept in ("seq", "digest", "chain_hash", "code", "visibility", "created_at"):
            assert row[kept] == old[kept]
    assert {e["id"]: e for e in TimelineEvent.objects.filter(pk__in=others).values()} == others
    # The erasure is on the chain: one erasure event per visibility of the erased
    # entries, on their challenge, naming them by seq and nothing of who asked.
    appended = list(TimelineEvent.objects.filter(seq__gt=head.size).order_by("seq"))
    assert chain.current_head().size == head.size + len(appended) == head.size + 2
    named = {}
    for event in appended:
        assert event.code == chain.ERASURE_CODE
        assert event.challenge_id == challenge.pk
        assert event.actor_id is None and event.actor_role == ""
        assert set(event.data) == {"erased_seqs"}
        named[event.visibility] = event.data["erased_seqs"]
    assert named == {
        visibility: sorted(e.seq for e in by_person if e.visibility == visibility)
        for visibility in {e.visibility for e in by_person}
    }
    call_command("verify_log", stdout=io.StringIO())

    # What people read: the removal, not the content.
    for url in [challenge.get_absolute_url(), reverse("challenges:log")]:
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "06-12345678" not in page
        assert ERASED_SENTENCE in page
    feed = client.get(reverse("challenges:log-feed"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "06-12345678" not in feed
    assert ERASED_SENTENCE in feed

    # Once erased, always erased; and nothing else may change an erased entry.
    assert timeline_erase_personal_data(user=person) == 0
    erased = TimelineEvent.objects.get(pk=additions[0].pk)
    erased.data = {"text": "Terug."}
    with pytest.raises(AppendOnlyError):
        erased.save()
    with pytest.raises(AppendOnlyError):
        TimelineEvent.objects.filter(pk=erased.pk).update(data={"text": "Terug."})
    assert _columns(erased)["data"] == {"erased": True}


@pytest.mark.django_db
def test_the_erasure_path_takes_no_other_change(erasable):
    _challenge, person, additions = erasable
    with pytest.raises(TypeError):
        TimelineEvent.objects.filter(pk=additions[1].pk).erase_content(
            at=datetime.now(UTC), visibility="public"
        )
    assert _columns(additions[1])["data"]["text"] == "Ik woon op Kerkstraat 1."
    assert TimelineEvent.objects.filter(actor=person).count() == 3
