"""A challenge in every stage, brought there through the real services (contact
persons, an agreement, notes): whatever each stage writes on the timeline, the API
shows the public part only, exactly as the public page does, and no draft at all."""

import pytest
from django.urls import reverse

from challenges import services
from challenges.constants import Status, Visibility
from challenges.models import TimelineEvent

pytestmark = pytest.mark.django_db


def _all_log(client) -> list[dict]:
    entries, url = [], reverse("api:log") + "?limit=1000"
    while url:
        body = client.get(url).json()
        entries += body["results"]
        url = body["next"]
    return entries


def _add_notes(stage_world) -> None:
    """An internal and a parties note on every submitted challenge."""
    for status in stage_world.challenges:
        if status == Status.DRAFT:
            continue
        for visibility in (Visibility.INTERNAL, Visibility.PARTIES):
            services.challenge_add_note(
                challenge=stage_world.fresh(status),
                actor=stage_world.people["reviewer"],
                text=f"Notitie ({visibility})",
                visibility=visibility,
            )


def test_every_stage_shows_its_public_timeline_only(client, stage_world):
    _add_notes(stage_world)
    hidden_events = TimelineEvent.objects.exclude(visibility=Visibility.PUBLIC)
    assert hidden_events.filter(visibility=Visibility.PARTIES).exists()
    assert hidden_events.filter(visibility=Visibility.INTERNAL).exists()
    for status, challenge in stage_world.challenges.items():
        detail = client.get(reverse("api:challenge-detail", kwargs={"pk": challenge.pk}))
        timeline = client.get(reverse("api:challenge-timeline", kwargs={"pk": challenge.pk}))
        if status == Status.DRAFT:
            assert detail.status_code == timeline.status_code == 404
            continue
        assert detail.status_code == 200, status
        assert detail.json()["status"] == status
        shown = [event["id"] for event in timeline.json()["results"]]
        public = list(
            challenge.events.filter(visibility=Visibility.PUBLIC)
            .order_by("seq")
            .values_list("pk", flat=True)
        )
        assert shown == public, status
        page = client.get(challenge.get_absolute_url()).content.decode()
        for pk in challenge.events.exclude(visibility=Visibility.PUBLIC).values_list(
            "pk", flat=True
        ):
            assert pk not in shown
            assert f'id="event-{pk}"' not in page  # the page agrees


def test_the_log_and_the_list_hold_no_draft_and_no_hidden_event(client, stage_world):
    _add_notes(stage_world)
    draft = stage_world.challenges[Status.DRAFT]
    entries = _all_log(client)
    ids = {entry["id"] for entry in entries}
    visibilities = set(
        TimelineEvent.objects.filter(pk__in=ids).values_list("visibility", flat=True)
    )
    assert visibilities == {Visibility.PUBLIC}
    assert draft.pk not in {entry["challenge"]["id"] for entry in entries}
    expected = TimelineEvent.objects.filter(visibility=Visibility.PUBLIC).exclude(
        challenge__status=Status.DRAFT
    )
    assert ids == set(expected.values_list("pk", flat=True))
    listed = client.get(reverse("api:challenge-list"), {"page_size": 100}).json()
    assert draft.pk not in [item["id"] for item in listed["results"]]
    assert listed["count"] == len(stage_world.challenges) - 1


def test_statistics_match_the_stages(client, stage_world):
    body = client.get(reverse("api:statistics")).json()
    counts = {stage["status"]: stage["count"] for stage in body["stages"]}
    for status in stage_world.challenges:
        if status != Status.DRAFT:
            assert counts[status] == 1, status
    assert body["total"] == len(stage_world.challenges) - 1
