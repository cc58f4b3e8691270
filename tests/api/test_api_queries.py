"""The API's lists run the same number of queries with 10 and with 10,000 challenges
(and as many events): no N+1, no query per row, no OFFSET scan of the log."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from challenges.constants import EventCode, Role, Status, Visibility
from challenges.models import Challenge, Neighbourhood, Task, TimelineEvent
from tests.challenges.factories import UserFactory

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


def _grow(to: int, initiator) -> None:
    """Submitted challenges up to `to`, spread over 50 tasks and neighbourhoods, each
    with one public event; plus a draft with an internal event for every tenth."""
    have = Challenge.objects.count()
    if not Task.objects.exists():
        Task.objects.bulk_create(
            Task(
                name=f"Taak {i}",
                department="Stadsbeheer",
                current_yearly_cost=1000,
                description="-",
            )
            for i in range(50)
        )
        Neighbourhood.objects.bulk_create(Neighbourhood(name=f"Wijk {i}") for i in range(50))
    tasks, hoods = list(Task.objects.all()), list(Neighbourhood.objects.all())
    now = timezone.now()
    made = Challenge.objects.bulk_create(
        Challenge(
            title=f"Uitdaging {i}",
            summary="Samenvatting",
            task=tasks[i % len(tasks)],
            neighbourhood=hoods[i % len(hoods)],
            initiator=initiator,
            status=Status.DRAFT if i % 10 == 0 else Status.INTAKE,
            reference=None if i % 10 == 0 else f"RTC-2026-{next(_numbers):05d}",
            submitted_at=None if i % 10 == 0 else now,
            due_at=now,
        )
        for i in range(have, to)
    )
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            challenge=challenge,
            actor=initiator,
            actor_role=Role.REVIEWER,
            code=EventCode.STATUS_CHANGED if challenge.submitted_at else EventCode.NOTE,
            visibility=Visibility.PUBLIC if challenge.submitted_at else Visibility.INTERNAL,
            data={"from": "submitted", "to": "intake"}
            if challenge.submitted_at
            else {"text": "intern"},
            created_at=now,
        )
        for challenge in made
    )


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def _urls(first: Challenge, hood: Neighbourhood) -> list[str]:
    timeline = reverse("api:challenge-timeline", kwargs={"pk": first.pk})
    return [
        reverse("api:challenge-list"),
        reverse("api:challenge-list") + "?page=2&page_size=5",
        reverse("api:challenge-list") + f"?status=intake&neighbourhood={hood.pk}",
        reverse("api:log"),
        reverse("api:log") + "?after=5&limit=5",
        reverse("api:log") + f"?task={first.task_id}",
        timeline,
        reverse("api:challenge-detail", kwargs={"pk": first.pk}),
        reverse("api:log-head"),
        reverse("api:criterion-list"),
        reverse("api:task-list"),
        reverse("api:neighbourhood-list"),
        reverse("api:statistics"),
    ]


def test_the_same_queries_with_10_and_10000_challenges(client):
    initiator = UserFactory()
    _grow(10, initiator)
    first = Challenge.objects.exclude(status=Status.DRAFT).order_by("pk").first()
    hood = first.neighbourhood
    small = {url: _count(client, url) for url in _urls(first, hood)}

    _grow(10_000, initiator)
    # The first challenge's timeline grows too: 300 more public events.
    now = timezone.now()
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            challenge=first,
            actor_role=Role.REVIEWER,
            code=EventCode.NOTE,
            visibility=Visibility.PUBLIC,
            data={"text": f"Notitie {i}"},
            created_at=now,
        )
        for i in range(300)
    )
    assert Challenge.objects.count() == 10_000
    large = {url: _count(client, url) for url in _urls(first, hood)}
    assert large == small
    # And few: a page of challenges is a count and a page, an event page one query
    # (after the challenge), a catalogue one.
    assert small[reverse("api:challenge-list")] <= 2
    assert small[reverse("api:log")] <= 1
    assert small[reverse("api:criterion-list")] <= 1


def test_a_page_of_the_large_log_is_full_and_links_on(client):
    _grow(300, UserFactory())
    body = client.get(reverse("api:log"), {"limit": 100}).json()
    assert len(body["results"]) == 100
    seqs = [entry["seq"] for entry in body["results"]]
    assert seqs == sorted(seqs)
    assert body["last_seq"] == seqs[-1]
    assert f"after={seqs[-1]}" in body["next"] and "limit=100" in body["next"]
    following = client.get(body["next"]).json()
    assert following["results"][0]["seq"] > seqs[-1]
    # Nothing of a draft on any page: 270 public entries in all, 3 pages.
    total = len(body["results"]) + len(following["results"])
    last = client.get(following["next"]).json()
    total += len(last["results"])
    assert last["next"] is None
    assert total == 270
