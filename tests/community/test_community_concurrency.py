"""Two supports by one person at the same moment (a double click, two tabs), on a
real PostgreSQL server: one support is made, the other is refused with the same
message as a second click, never a server error. SQLite serialises every write, so
only PostgreSQL shows whether the lock and the unique constraint do their work."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from community import services
from community.models import Support
from core.errors import ServiceError
from tests.challenges.factories import UserFactory
from tests.community.factories import public_challenge

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _at_the_same_moment(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("ok", call())
        except Exception as error:  # noqa: BLE001 - reported to the test
            outcomes[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return outcomes


def test_two_supports_at_once_make_one():
    challenge = public_challenge()
    person = UserFactory()

    def add():
        return services.support_add(challenge=challenge, user=person, offer="Zaterdag")

    outcomes = _at_the_same_moment(add, add)
    assert sorted(kind for kind, _value in outcomes) == ["error", "ok"], outcomes
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, ServiceError), repr(error)
    with translation.override("en"):
        assert "already support" in " ".join(error.messages)
    assert Support.objects.filter(challenge=challenge, user=person).count() == 1


def test_a_double_post_over_http_at_once_makes_one_support():
    challenge = public_challenge()
    person = UserFactory()
    url = reverse("community:support", kwargs={"pk": challenge.pk})

    def post():
        client = Client()
        client.force_login(person)
        return client.post(url, {"offer": "Zaterdag"}).status_code

    outcomes = _at_the_same_moment(post, post)
    assert all(kind == "ok" and value in (200, 302) for kind, value in outcomes), outcomes
    assert Support.objects.filter(challenge=challenge, user=person).count() == 1
