"""Filters and paging of the API: they select what the page filters select, and a
bad value is a 400 that says what is wrong, never a 500 and never ignored."""

from datetime import timedelta

import pytest
from django.urls import reverse

from challenges import selectors
from challenges.constants import Status
from challenges.models import Challenge
from tests.challenges.factories import challenge_in

pytestmark = pytest.mark.django_db

LIST = "/api/v1/challenges/"
LOG = "/api/v1/log/"


@pytest.fixture
def challenges():
    return {
        "intake": challenge_in(Status.INTAKE),
        "submitted": challenge_in(Status.SUBMITTED),
        "completed": challenge_in(Status.COMPLETED),
    }


def _ids(client, url, **params):
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_the_list_filters_as_the_page_does(client, challenges):
    intake = challenges["intake"]
    assert _ids(client, LIST, status="intake") == [intake.pk]
    assert _ids(client, LIST, task=intake.task_id) == [intake.pk]
    assert _ids(client, LIST, neighbourhood=intake.neighbourhood_id) == [intake.pk]
    assert _ids(client, LIST, task=intake.task_id, status="completed") == []
    # An id that does not exist matches nothing.
    assert _ids(client, LIST, task=987654) == []
    everything = _ids(client, LIST)
    assert sorted(everything) == sorted(c.pk for c in challenges.values())
    expected = selectors.filter_challenges(
        selectors.public_challenges(), status=Status.INTAKE, task=intake.task
    )
    assert _ids(client, LIST, status="intake", task=intake.task_id) == [c.pk for c in expected]


def test_overdue_filter(client, challenges):
    late = challenges["submitted"]
    Challenge.objects.filter(pk=late.pk).update(due_at=late.submitted_at - timedelta(days=1))
    assert _ids(client, LIST, overdue="true") == [late.pk]
    body = client.get(reverse("api:challenge-detail", kwargs={"pk": late.pk})).json()
    assert body["is_overdue"] is True


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        (LIST, {"status": "draft"}, "status"),
        (LIST, {"status": "nonsense"}, "status"),
        (LIST, {"status": ""}, "status"),
        (LIST, {"task": "abc"}, "task"),
        (LIST, {"task": "0"}, "task"),
        (LIST, {"task": "9" * 30}, "task"),
        (LIST, {"neighbourhood": "1.5"}, "neighbourhood"),
        (LIST, {"overdue": "maybe"}, "overdue"),
        (LIST, {"page": "abc"}, "page"),
        (LIST, {"page": "0"}, "page"),
        (LIST, {"page_size": "101"}, "page_size"),
        (LOG, {"after": "-1"}, "after"),
        (LOG, {"after": "x"}, "after"),
        (LOG, {"limit": "0"}, "limit"),
        (LOG, {"limit": "1001"}, "limit"),
        (LOG, {"date_from": "0001-01-01"}, "date_from"),
        (LOG, {"date_to": "2026-02-30"}, "date_to"),
        (LOG, {"status": "draft"}, "status"),
    ],
)
def test_a_bad_parameter_is_a_400_that_names_it(client, url, params, field):
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    assert body[field] and all(isinstance(message, str) for message in body[field])


def test_errors_are_in_dutch_by_default(client):
    body = client.get(LOG, {"date_from": "1800-01-01"}).json()
    assert body == {"date_from": ["Vul een datum tussen 1900 en 2999 in."]}
    english = client.get(LOG, {"date_from": "1800-01-01"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english == {"date_from": ["Enter a date between 1900 and 2999."]}


def test_a_page_past_the_last_is_404(client, challenges):
    response = client.get(LIST, {"page": 2})
    assert response.status_code == 404
    body = client.get(LIST, {"page": 2, "page_size": 1}).json()
    assert len(body["results"]) == 1 and body["count"] == 3
    assert "page=3" in body["next"] and "page_size=1" in body["next"]


def test_the_log_filters_by_period_and_challenge(client, challenges):
    intake = challenges["intake"]
    today = intake.submitted_at.date().isoformat()
    seqs = [e["seq"] for e in client.get(LOG, {"task": intake.task_id}).json()["results"]]
    assert seqs == sorted(intake.events.filter(visibility="public").values_list("seq", flat=True))
    assert _ids(client, LOG, date_from="2999-01-01") == []
    assert _ids(client, LOG, date_to="1900-01-02") == []
    assert len(_ids(client, LOG, date_from=today, date_to=today)) > 0
    # A period that ends before it starts holds nothing.
    assert _ids(client, LOG, date_from="2026-02-01", date_to="2026-01-01") == []


def test_the_log_after_its_end_is_empty_and_says_where_it_stands(client, challenges):
    body = client.get(LOG, {"after": 10**6}).json()
    assert body == {"next": None, "last_seq": 10**6, "results": []}
    entries = client.get(LOG).json()["results"]
    middle = entries[len(entries) // 2]["seq"]
    after = client.get(LOG, {"after": middle}).json()["results"]
    assert [e["seq"] for e in after] == [e["seq"] for e in entries if e["seq"] > middle]


def test_head_requests_and_the_schema_by_accept_header(client):
    assert client.head(LIST).status_code == 200
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
    assert client.get("/api/schema/").content.startswith(b"openapi:")
