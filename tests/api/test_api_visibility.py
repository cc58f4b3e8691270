"""The API never shows a draft, a parties or an internal event: endpoint by endpoint,
also when asked by id, and also when the one asking is on the team or staff (the API
reads as an anonymous visitor, whoever asks). An erased entry keeps its place and
says so, with no content, as the pages show it."""

import pytest
from django.urls import reverse

from challenges import chain, selectors
from challenges.constants import Visibility
from tests.api.factories import SECRET, visibility_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return visibility_world()


def _get(client, url, **params):
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")
    return response, response.json()


ENDPOINTS = [
    "api:root",
    "api:challenge-list",
    "api:log",
    "api:log-head",
    "api:criterion-list",
    "api:task-list",
    "api:neighbourhood-list",
    "api:statistics",
]


@pytest.mark.parametrize("name", ENDPOINTS)
@pytest.mark.parametrize("who", ["anonymous", "initiator", "reviewer"])
def test_no_endpoint_ever_shows_a_secret(client, world, name, who):
    if who != "anonymous":
        client.force_login(getattr(world, who))
    response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert SECRET not in response.content.decode()


def test_the_list_has_the_submitted_challenge_and_never_the_draft(client, world):
    response, body = _get(client, reverse("api:challenge-list"))
    ids = [item["id"] for item in body["results"]]
    assert ids == [world.public.pk]
    assert body["count"] == 1
    item = body["results"][0]
    assert item["reference"] == world.public.reference
    assert item["status"] == "intake"
    assert item["status_label"] == "Intake"
    assert item["url"].endswith(world.public.get_absolute_url())
    # No one on the team is named.
    assert world.initiator.email not in response.content.decode()
    assert world.initiator.last_name not in response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "initiator", "reviewer"])
def test_a_draft_is_404_by_id_for_everyone(client, world, who):
    if who != "anonymous":
        client.force_login(getattr(world, who))
    for name in ("api:challenge-detail", "api:challenge-timeline"):
        response = client.get(reverse(name, kwargs={"pk": world.draft.pk}))
        assert response.status_code == 404
        assert response.json() == {"detail": "Niet gevonden."}
        assert SECRET not in response.content.decode()


def test_the_detail_is_the_published_plan(client, world):
    response, body = _get(client, reverse("api:challenge-detail", kwargs={"pk": world.public.pk}))
    assert response.status_code == 200
    challenge = world.public
    assert body["approach"] == challenge.approach
    assert body["support_evidence"] == challenge.support_evidence
    assert body["budget_requested"] == f"{challenge.budget_requested:.2f}"
    assert body["legal_form_label"] == "Foundation"
    assert body["task"] == {"id": challenge.task_id, "name": challenge.task.name}
    assert body["timeline_url"].endswith(
        reverse("api:challenge-timeline", kwargs={"pk": challenge.pk})
    )
    for private in ("initiator", "assigned_reviewer", "invitations", "assessments"):
        assert private not in body


def test_the_timeline_is_the_public_one_with_the_erased_entry_marked(client, world):
    response, body = _get(client, reverse("api:challenge-timeline", kwargs={"pk": world.public.pk}))
    assert response.status_code == 200
    events = body["results"]
    ids = [event["id"] for event in events]
    expected = list(
        world.public.events.filter(visibility=Visibility.PUBLIC)
        .order_by("seq")
        .values_list("pk", flat=True)
    )
    assert ids == expected
    assert world.public_event.pk in ids
    for hidden in world.hidden_ids:
        assert hidden not in ids
    assert world.parties_event.pk not in ids and world.internal_event.pk not in ids
    # The same events as the public page (one selector for both).
    anonymous_page = client.get(world.public.get_absolute_url()).content.decode()
    for event in events:
        assert f'id="event-{event["id"]}"' in anonymous_page
    erased = next(event for event in events if event["id"] == world.erased_event.pk)
    assert erased["erased"] is True
    assert erased["data"] is None
    assert erased["label"] == "Addition by the challenger"
    public = next(event for event in events if event["id"] == world.public_event.pk)
    assert public["erased"] is False
    assert public["data"] == {"text": "Openbare aanvulling"}
    assert public["actor_role"] == "challenger"
    assert "actor" not in public
    assert SECRET not in response.content.decode()


def test_the_log_is_the_public_log_in_seq_order(client, world):
    response, body = _get(client, reverse("api:log"))
    seqs = [entry["seq"] for entry in body["results"]]
    expected = sorted(selectors.public_log().values_list("seq", flat=True))
    assert seqs == expected
    ids = {entry["id"] for entry in body["results"]}
    assert not ids & set(world.hidden_ids)
    assert world.draft_event.pk not in ids
    assert world.erased_event.pk in ids
    assert {entry["challenge"]["id"] for entry in body["results"]} == {world.public.pk}
    # The chain fields match the export's, so an entry can be found there.
    first = body["results"][0]
    from challenges.models import TimelineEvent

    stored = TimelineEvent.objects.get(pk=first["id"])
    assert (first["digest"], first["chain_hash"]) == (stored.digest, stored.chain_hash)
    assert body["next"] is None
    assert body["last_seq"] == seqs[-1]


def test_the_log_filters_never_reach_a_draft(client, world):
    response, body = _get(client, reverse("api:log"), task=world.draft.task_id)
    assert response.status_code == 200
    assert body["results"] == []
    response, body = _get(client, reverse("api:challenge-list"), task=world.draft.task_id)
    assert body["results"] == [] and body["count"] == 0


def test_the_head_is_the_chains(client, world):
    _response, body = _get(client, reverse("api:log-head"))
    head = chain.current_head()
    assert body == {"size": head.size, "hash": head.hash, "head": str(head)}
    # The head counts every entry (parties and internal ones too): it is the chain's.
    from challenges.models import TimelineEvent

    assert head.size == TimelineEvent.objects.count()
    assert head.size > len(client.get(reverse("api:log")).json()["results"])


def test_only_criteria_in_use_are_published(client, world):
    _response, body = _get(client, reverse("api:criterion-list"))
    ids = [criterion["id"] for criterion in body]
    assert world.active_criterion.pk in ids
    assert world.inactive_criterion.pk not in ids
    mine = next(c for c in body if c["id"] == world.active_criterion.pk)
    assert mine["name"] == world.active_criterion.name_en
    response = client.get(reverse("api:criterion-list"), HTTP_ACCEPT_LANGUAGE="nl")
    mine = next(c for c in response.json() if c["id"] == world.active_criterion.pk)
    assert mine["name"] == world.active_criterion.name_nl


def test_statistics_count_submitted_challenges_only(client, world):
    _response, body = _get(client, reverse("api:statistics"))
    assert body["total"] == 1
    counts = {stage["status"]: stage["count"] for stage in body["stages"]}
    assert counts["intake"] == 1
    assert "draft" not in counts
    draft_hood = next(n for n in body["neighbourhoods"] if n["id"] == world.draft.neighbourhood_id)
    assert draft_hood["count"] == 0


def test_labels_are_in_the_language_asked_for(client, world):
    url = reverse("api:challenge-detail", kwargs={"pk": world.public.pk})
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="nl").json()["legal_form_label"] == "Stichting"
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["legal_form_label"] == "Foundation"
    timeline = reverse("api:challenge-timeline", kwargs={"pk": world.public.pk})
    for language, label in (
        ("nl", "Aanvulling van de uitdager"),
        ("en", "Addition by the challenger"),
    ):
        events = client.get(timeline, HTTP_ACCEPT_LANGUAGE=language).json()["results"]
        public = next(event for event in events if event["id"] == world.public_event.pk)
        assert public["label"] == label
