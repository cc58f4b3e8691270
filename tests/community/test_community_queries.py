"""The challenge page and this app's pages run as many queries with 10 supports and
questions as with 1,000 (no N+1), for each kind of reader. 5 is measured too: the
challenge page shows 10 offers and questions at most, so only a size below that
would show a query per row there."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from challenges.constants import Status
from community.models import Answer, Question, Support
from tests.challenges.factories import NeighbourhoodFactory, ReviewerFactory, UserFactory
from tests.community.factories import public_challenge

pytestmark = pytest.mark.django_db


def _fill(challenge, n: int) -> None:
    """n supporters (spread over three neighbourhoods, half with an offer) and n
    questions, each with an answer; written in bulk, as only the reads matter here."""
    places = [NeighbourhoodFactory(name=f"Wijk Q{i}") for i in range(3)]
    start = User.objects.count()
    users = User.objects.bulk_create(
        User(username=f"bulk{start}-{i}", email=f"bulk{start}-{i}@example.org") for i in range(n)
    )
    Support.objects.bulk_create(
        Support(
            challenge=challenge,
            user=user,
            neighbourhood=places[i % 3],
            offer=f"Aanbod {i}" if i % 2 else "",
            show_name=bool(i % 3),
        )
        for i, user in enumerate(users)
    )
    questions = Question.objects.bulk_create(
        Question(challenge=challenge, author=users[i], text=f"Vraag {i}") for i in range(n)
    )
    Answer.objects.bulk_create(
        Answer(question=q, author=challenge.initiator, text=f"Antwoord {i}", role="team")
        for i, q in enumerate(questions)
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("reader", ["anonymous", "resident", "team", "reviewer"])
@pytest.mark.parametrize("page_name", ["detail", "questions", "supporters"])
def test_constant_queries_with_10_and_1000(settings, reader, page_name):
    settings.PAGE_CACHE_SECONDS = 0  # measure the rendering, not the cache
    reviewer = ReviewerFactory()
    counts = []
    for n in (5, 10, 1000):
        challenge = public_challenge(Status.INTAKE, reviewer=reviewer)
        _fill(challenge, n)
        client = Client()
        user = {
            "anonymous": None,
            "resident": UserFactory(),
            "team": challenge.initiator,
            "reviewer": reviewer,
        }[reader]
        if user is not None:
            client.force_login(user)
        url = (
            challenge.get_absolute_url()
            if page_name == "detail"
            else reverse(f"community:{page_name}", kwargs={"pk": challenge.pk})
        )
        _queries(client, url)  # warm per-process caches (content types, sessions)
        counts.append(_queries(client, url))
    assert counts[0] == counts[1] == counts[2], counts
