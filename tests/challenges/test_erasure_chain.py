"""The erasure of personal data is itself on the chain: `timeline_erase_personal_data`
appends erasure events (one per challenge and visibility of the erased entries)
naming them by seq, in its own transaction; the log, the export and its parts still
verify; the pages (cached or not) show the erasure; and erasures made before erasure
events existed are named by migration 0008."""

import importlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from challenges import chain, registry, services
from challenges.constants import Status, Visibility
from challenges.models import TimelineEvent
from challenges.timeline import timeline_erase_personal_data
from tests.challenges.factories import (
    ReviewerFactory,
    UserFactory,
    add_co_initiator,
    challenge_in,
)

TOOL = Path(settings.BASE_DIR) / "tools" / "verify_log_export.py"
JSON_URL = reverse("challenges:log-export-json")
CSV_URL = reverse("challenges:log-export-csv")
ERASURE_SENTENCE = (
    "at the request of the person concerned or as a post the municipality hid (process log entr"
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def person_on_two_challenges(db):
    """A person on two submitted challenges, with public and parties entries on both,
    and entries of others (which the erasure leaves alone)."""
    reviewer = ReviewerFactory()
    first = challenge_in(Status.INTAKE, reviewer=reviewer)
    second = challenge_in(Status.SUBMITTED, reviewer=reviewer)
    person = add_co_initiator(first)  # joined: a parties event by the person
    add_co_initiator(second, user=person)
    for challenge in (first, second):
        for visibility in (Visibility.PUBLIC, Visibility.PARTIES):
            services.challenge_add_addition(
                challenge=challenge,
                actor=person,
                text=f"Persoonlijk {visibility} op {challenge.pk}.",
                visibility=visibility,
            )
    services.challenge_add_addition(
        challenge=second,
        actor=second.initiator,
        text="Van de initiatiefnemer.",
        visibility=Visibility.PUBLIC,
    )
    return person, first, second


def _erasure_events(after: int):
    return list(
        TimelineEvent.objects.filter(seq__gt=after, code=chain.ERASURE_CODE).order_by("seq")
    )


def _download(client, url, params=None) -> bytes:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _verify(tmp_path, parts, *extra, suffix="json") -> subprocess.CompletedProcess:
    paths = []
    for number, body in enumerate(parts):
        path = tmp_path / f"part-{number}.{suffix}"
        path.write_bytes(body)
        paths.append(str(path))
    return subprocess.run(
        [sys.executable, "-I", "-S", str(TOOL), *paths, *extra],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_an_erasure_appends_one_erasure_event_per_challenge_and_visibility(
    person_on_two_challenges,
):
    person, first, _second = person_on_two_challenges
    by_person = list(TimelineEvent.objects.filter(actor=person).order_by("seq"))
    assert {e.visibility for e in by_person} == {Visibility.PUBLIC, Visibility.PARTIES}
    head = chain.current_head()

    # The signature and the return value stay: the number of entries erased.
    assert timeline_erase_personal_data(user=person) == len(by_person)

    events = _erasure_events(head.size)
    assert chain.current_head().size == head.size + len(events)
    named = {}
    for event in events:
        assert event.actor_id is None and event.actor_role == ""
        assert registry.event_type(event.code).automated
        named[(event.challenge_id, event.visibility)] = event.data["erased_seqs"]
    expected = {}
    for event in by_person:
        expected.setdefault((event.challenge_id, event.visibility), []).append(event.seq)
    assert named == expected
    # Each erasure event comes after every entry it names.
    assert all(max(e.data["erased_seqs"]) < e.seq for e in events)
    assert "The log verifies" in _verify_log()

    # A second erasure finds nothing left and appends nothing.
    size = chain.current_head().size
    assert timeline_erase_personal_data(user=person) == 0
    assert chain.current_head().size == size


def test_nothing_to_erase_appends_nothing(db):
    challenge_in(Status.INTAKE)
    someone = UserFactory()  # wrote nothing
    head = chain.current_head()
    assert timeline_erase_personal_data(user=someone) == 0
    assert timeline_erase_personal_data(user=None) == 0
    assert chain.current_head() == head


def test_a_failing_erasure_event_rolls_the_whole_erasure_back(
    person_on_two_challenges, monkeypatch
):
    """The erased entries and their erasure events commit together or not at all."""
    person, _first, _second = person_on_two_challenges
    head = chain.current_head()

    def refuse(event):
        if event.code == chain.ERASURE_CODE:
            raise RuntimeError("subscriber down")

    monkeypatch.setattr(registry, "_SUBSCRIBERS", [*registry.subscribers(), refuse])
    with pytest.raises(RuntimeError):
        timeline_erase_personal_data(user=person)
    assert chain.current_head() == head
    assert not TimelineEvent.objects.filter(erased_at__isnull=False).exists()
    assert TimelineEvent.objects.filter(actor=person).exists()


def _verify_log() -> str:
    out = io.StringIO()
    call_command("verify_log", stdout=out)
    return out.getvalue()


def test_the_erasure_shows_on_the_pages_also_when_they_were_cached(
    client, person_on_two_challenges, django_capture_on_commit_callbacks
):
    person, first, _second = person_on_two_challenges
    cache.clear()
    url = first.get_absolute_url()
    secret = f"Persoonlijk public op {first.pk}."
    for page in (url, "/log/"):
        assert secret in client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        client.get(page, HTTP_ACCEPT_LANGUAGE="en")  # now served from the cache
    with django_capture_on_commit_callbacks(execute=True):
        timeline_erase_personal_data(user=person)
    public_erasure = TimelineEvent.objects.get(
        code=chain.ERASURE_CODE, challenge=first, visibility=Visibility.PUBLIC
    )
    for page in (url, "/log/"):
        text = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert secret not in text
        assert ERASURE_SENTENCE in text
        assert ", ".join(map(str, public_erasure.data["erased_seqs"])) in text
    # The parties erasure event is not public: an outsider does not see it.
    parties = TimelineEvent.objects.get(
        code=chain.ERASURE_CODE, challenge=first, visibility=Visibility.PARTIES
    )
    assert f"entry {parties.data['erased_seqs'][0]})" not in client.get(url).content.decode()


def test_the_export_of_a_real_erasure_verifies_whole_and_in_parts(
    client, person_on_two_challenges, tmp_path
):
    person, _first, second = person_on_two_challenges
    timeline_erase_personal_data(user=person)
    services.challenge_add_note(
        challenge=second, actor=ReviewerFactory(), text="Daarna.", visibility="public"
    )
    head = chain.current_head()
    document = json.loads(_download(client, JSON_URL))
    entries = document["entries"]
    erased = [e["seq"] for e in entries if e.get("withheld") == "erased"]
    erasure = [e for e in entries if e.get("code") == chain.ERASURE_CODE]
    # One public erasure event per challenge; the parties ones are withheld.
    assert erased and len(erasure) == 2
    assert sorted(n for e in erasure for n in e["data"]["erased_seqs"]) == erased

    whole = _verify(tmp_path, [_download(client, JSON_URL)])
    assert whole.returncode == 0, whole.stderr
    assert f"Head: {head}" in whole.stdout
    assert f"Erased entries: {len(erased)}" in whole.stdout

    # Parts that cut between an erased entry and its erasure event: the erasure
    # event in a later part justifies the entry in an earlier one.
    cut = erased[0]
    one = _download(client, JSON_URL, {"limit": cut, "size": head.size})
    two = _download(client, JSON_URL, {"after": cut, "size": head.size})
    parts = _verify(tmp_path, [one, two])
    assert parts.returncode == 0, parts.stderr
    assert f"Head: {head}" in parts.stdout

    # From a trusted head after the erased entry: it is outside, and the name of it in
    # the erasure event is not checked.
    trusted = f"{cut}:{entries[cut - 1]['chain_hash']}"
    alone = _verify(tmp_path, [two], "--from", trusted)
    assert alone.returncode == 0, alone.stderr

    # A CSV part that ends between the erased entry and its erasure event cannot
    # conclude: "not yet justified in this part" (exit 3), never "verifies".
    csv_one = _download(client, CSV_URL, {"limit": cut, "size": head.size})
    partial = _verify(tmp_path, [csv_one], suffix="csv")
    assert partial.returncode == 3, partial.stdout
    assert f"not yet justified in this part: seq {cut}" in partial.stderr
    assert "The log verifies" not in partial.stdout
    # The whole CSV, with its erasure event, verifies.
    full_csv = _verify(tmp_path, [_download(client, CSV_URL)], suffix="csv")
    assert full_csv.returncode == 0, full_csv.stderr


def test_earlier_erasures_are_named_by_the_migration(person_on_two_challenges):
    """An erasure as it was done before erasure events existed fails verify_log until
    migration 0008 names it; running the migration again appends nothing."""
    person, _first, _second = person_on_two_challenges
    erased_seqs = list(TimelineEvent.objects.filter(actor=person).values_list("seq", flat=True))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('rtc.erasure', 'on', true)")
        TimelineEvent.objects.filter(actor=person).erase_content(at=timezone.now())
    with pytest.raises(CommandError, match=rf"seq {min(erased_seqs)}: .*no later erasure event"):
        _verify_log()

    migration = importlib.import_module("challenges.migrations.0008_name_earlier_erasures")
    head = chain.current_head()
    with transaction.atomic():
        migration.name_earlier_erasures(django_apps, None)
    appended = _erasure_events(head.size)
    assert sorted(n for e in appended for n in e.data["erased_seqs"]) == sorted(erased_seqs)
    assert "The log verifies" in _verify_log()
    size = chain.current_head().size
    with transaction.atomic():
        migration.name_earlier_erasures(django_apps, None)
    assert chain.current_head().size == size
