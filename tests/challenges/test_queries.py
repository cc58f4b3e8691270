"""The shape of the busiest pages: the same number of queries however many
challenges and events there are (no N+1), on the newest and the oldest page.

These measure rendering, so the page cache is off here (a cache hit is one query
whatever the page; tests/challenges/test_page_cache.py covers it)."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from challenges.constants import EventCode, Role, Status, Visibility
from challenges.models import Challenge, TimelineEvent
from tests.challenges.factories import (
    ChallengeFactory,
    NeighbourhoodFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
_numbers = itertools.count(9000)


@pytest.fixture(autouse=True)
def _render_every_time(settings):
    settings.PAGE_CACHE_SECONDS = 0


def _challenges(n: int, initiator) -> list[Challenge]:
    """n submitted challenges, each with its own task and neighbourhood (worst case)."""
    now = timezone.now()
    made = []
    for i in range(n):
        task = TaskFactory()
        hood = NeighbourhoodFactory()
        made.append(
            Challenge(
                title=f"Uitdaging {i}",
                summary="Samenvatting",
                task=task,
                neighbourhood=hood,
                initiator=initiator,
                status=Status.INTAKE,
                reference=f"RTC-2026-{next(_numbers)}",
                submitted_at=now,
                due_at=now,
            )
        )
    return Challenge.objects.bulk_create(made)


def _events(challenges: list[Challenge], n: int, actor) -> None:
    now = timezone.now()
    TimelineEvent.objects.bulk_create(
        [
            TimelineEvent(
                challenge=challenges[i % len(challenges)],
                actor=actor,
                actor_role=Role.REVIEWER,
                code=EventCode.STATUS_CHANGED,
                visibility=Visibility.PUBLIC,
                data={"from": "submitted", "to": "intake", "motivation": f"Stap {i}"},
                created_at=now,
            )
            for i in range(n)
        ]
    )


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/log/", "/log/?status=intake", "/log/feed/", "/"])
def test_log_pages_run_the_same_queries_for_10_and_1000_events(client, url):
    user = UserFactory()
    challenges = _challenges(5, user)
    _events(challenges, 10, user)
    small = _count(client, url)
    more = _challenges(20, user)
    _events(challenges + more, 990, user)
    assert TimelineEvent.objects.count() == 1000
    assert _count(client, url) == small


def test_challenge_list_runs_the_same_queries_for_few_and_many(client):
    user = UserFactory()
    _challenges(3, user)
    small = _count(client, "/challenges/")
    _challenges(60, user)
    assert _count(client, "/challenges/") == small
    assert _count(client, "/challenges/?page=2") == small


def test_challenge_page_runs_the_same_queries_for_few_and_many_events(client):
    challenge = ChallengeFactory()
    Challenge.objects.filter(pk=challenge.pk).update(status=Status.INTAKE, reference="RTC-1")
    actor = UserFactory()
    _events([challenge], 2, actor)
    _events([challenge], 8, actor)
    small = _count(client, challenge.get_absolute_url())
    _events([challenge], 990, actor)
    assert challenge.events.count() == 1000
    assert _count(client, challenge.get_absolute_url()) == small
    # The oldest page of its timeline costs the same as the newest.
    oldest = challenge.events.order_by("seq")[5].seq
    assert _count(client, f"{challenge.get_absolute_url()}?before={oldest}") == small


def test_the_oldest_page_of_the_log_runs_the_same_queries_as_the_first(client):
    user = UserFactory()
    challenges = _challenges(5, user)
    _events(challenges, 1000, user)
    first = _count(client, "/log/")
    page = client.get("/log/").context["page"]
    pages = 1
    while page.older is not None:  # walk to the oldest page, as a reader would
        page = client.get("/log/", {"before": page.older}).context["page"]
        pages += 1
    assert pages == 1000 // 25
    assert page.newer is not None and len(page) == 25
    assert _count(client, f"/log/?before={page.items[0].seq + 1}") == first


def test_my_challenges_runs_the_same_queries_for_10_and_1000_challenges(client):
    user = UserFactory()
    _challenges(10, user)
    _challenges(30, UserFactory())  # others' challenges are not looked at
    client.force_login(user)
    small = _count(client, "/challenges/mine/")
    _challenges(990, user)
    assert Challenge.objects.filter(initiator=user).count() == 1000
    assert _count(client, "/challenges/mine/") == small
