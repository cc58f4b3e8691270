"""The dashboard, the statistics and the open-data exports run the same number of
queries with 10 and with 10,000 challenges (no N+1), the rows made with bulk_create.

The page cache is off (a cache hit is one query whatever the page)."""

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from challenges.constants import EventCode, Role, Status, Visibility
from challenges.models import Challenge, TimelineEvent
from notifications.constants import Channel, DeliveryStatus, Frequency
from notifications.models import Notification
from partnerships.constants import Side
from partnerships.models import ContactPerson, Knot, ReflectionAnswer, ReflectionRound
from tests.challenges.factories import (
    CoordinatorFactory,
    NeighbourhoodFactory,
    ReviewerFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)

# Every kind of row each part of the dashboard reads, in turn.
STATUSES = [
    Status.SUBMITTED,
    Status.INTAKE,
    Status.ASSESSMENT,
    Status.DECISION,
    Status.ACCEPTED,
    Status.REJECTED,
    Status.EXECUTION,
    Status.EVALUATION,
    Status.ON_HOLD,
    Status.WITHDRAWN,
]


@pytest.fixture(autouse=True)
def _render_every_time(settings):
    settings.PAGE_CACHE_SECONDS = 0


class World:
    def __init__(self):
        self.initiator = UserFactory()
        self.reviewer = ReviewerFactory()
        self.places = [NeighbourhoodFactory() for _ in range(4)]
        self.tasks = [TaskFactory() for _ in range(4)]

    def grow(self, n: int) -> None:
        now = timezone.now()
        long_ago = now - timedelta(days=200)
        made = []
        for i in range(n):
            number = next(_numbers)
            status = STATUSES[i % len(STATUSES)]
            made.append(
                Challenge(
                    title=f"Uitdaging {number}",
                    summary='Samenvatting, met een komma en "aanhalingstekens".',
                    task=self.tasks[i % 4],
                    neighbourhood=self.places[(i // 10) % 4],
                    initiator=self.initiator,
                    assigned_reviewer=self.reviewer,
                    status=status,
                    reference=f"RTC-2026-{number:05d}",
                    submitted_at=long_ago,
                    status_changed_at=long_ago + timedelta(days=20),
                    due_at=long_ago + timedelta(days=40),
                    budget_requested=1000 + i,
                    legal_form="foundation",
                )
            )
        made = Challenge.objects.bulk_create(made)
        events = []
        for challenge in made:
            events.append(self._event(challenge, EventCode.SUBMITTED, "submitted", long_ago))
            events.append(
                self._event(
                    challenge, EventCode.STATUS_CHANGED, challenge.status, long_ago + timedelta(20)
                )
            )
        TimelineEvent.objects.bulk_create(events)
        running = [c for c in made if c.status in (Status.EXECUTION, Status.EVALUATION)]
        ContactPerson.objects.bulk_create(
            ContactPerson(challenge=c, side=Side.MUNICIPALITY, user=self.reviewer, mandate="M")
            for c in made
        )
        rounds = ReflectionRound.objects.bulk_create(
            ReflectionRound(challenge=c, revealed_at=now - timedelta(days=d))
            for c in running
            for d in (150, 50)
        )
        ReflectionAnswer.objects.bulk_create(
            ReflectionAnswer(
                round=r,
                side=side,
                right_things=3,
                doing_right=4,
                together=score,
                right_things_comment="c",
                doing_right_comment="c",
                together_comment="c",
            )
            for r in rounds
            for side, score in ((Side.MUNICIPALITY, 5), (Side.CHALLENGER, 2))
        )
        Knot.objects.bulk_create(
            Knot(
                challenge=c,
                question="Wie betaalt de bladblazer?",
                decision_needed="Besluit",
                needed_by=(now + timedelta(days=i % 30)).date(),
                raised_by_side=Side.CHALLENGER,
            )
            for i, c in enumerate(running)
        )
        first_events = TimelineEvent.objects.filter(challenge__in=made[:50], code="submitted")
        Notification.objects.bulk_create(
            Notification(
                event=event,
                recipient=self.initiator,
                channel=Channel.EMAIL,
                kind="progress",
                frequency=Frequency.IMMEDIATE,
                reason="team",
                status=DeliveryStatus.PENDING if i % 2 else DeliveryStatus.FAILED,
            )
            for i, event in enumerate(first_events)
        )

    def _event(self, challenge, code, to_status, at):
        return TimelineEvent(
            challenge=challenge,
            actor=self.reviewer,
            actor_role=Role.REVIEWER,
            code=code,
            visibility=Visibility.PUBLIC,
            data={"from": "draft", "to": to_status, "motivation": "Stap"},
            created_at=at,
        )


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _urls(world) -> list[str]:
    urls = [
        reverse("insights:dashboard"),
        reverse("insights:dashboard") + f"?neighbourhood={world.places[0].pk}&period=all",
        reverse("insights:statistics"),
        reverse("insights:open-data"),
        reverse("insights:challenges-csv"),
        reverse("insights:challenges-json"),
        reverse("insights:catalog"),
    ]
    urls += [
        reverse("insights:dashboard-csv", kwargs={"table": table})
        for table in (
            "pipeline",
            "lead-times",
            "overdue",
            "knots",
            "partnerships",
            "silent",
            "delivery",
            "backlog",
        )
    ]
    urls += [
        reverse("insights:statistics-csv", kwargs={"table": table})
        for table in ("stages", "neighbourhoods", "tasks", "summary")
    ]
    return urls


def test_the_same_queries_for_10_and_10000_challenges(client):
    world = World()
    client.force_login(CoordinatorFactory())
    world.grow(10)
    urls = _urls(world)
    small = {url: _count(client, url) for url in urls}
    world.grow(9990)
    assert Challenge.objects.count() == 10_000
    large = {url: _count(client, url) for url in urls}
    assert large == small


def test_the_dashboard_lists_are_cut_and_say_how_many_more(client):
    world = World()
    world.grow(200)
    client.force_login(CoordinatorFactory())
    html = client.get(reverse("insights:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # 200 challenges, 8 of every 10 open and past their due date: 160, 50 shown.
    assert "And 110 more rows, in the CSV download." in html
    url = reverse("insights:dashboard-csv", kwargs={"table": "overdue"})
    lines = client.get(url).content.decode().strip().splitlines()
    assert len(lines) == 1 + 160
