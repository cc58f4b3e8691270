"""The dashboard, the statistics page and the open data as a reader meets them."""

import csv
import io
import json

import pytest
from django.urls import reverse

from challenges.constants import Status
from challenges.models import Challenge
from tests.challenges.factories import (
    ChallengeFactory,
    CoordinatorFactory,
    ReviewerFactory,
    StaffUserFactory,
    UserFactory,
    challenge_in,
)

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def some_challenges(db):
    challenge_in(Status.INTAKE, title="Park in intake")
    challenge_in(Status.EXECUTION, title="Park in execution")
    ChallengeFactory(title="A secret draft")


def _csv(response) -> list[dict]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode())))


# -- Access ---------------------------------------------------------------------------------

DASHBOARD_URLS = [
    reverse("insights:dashboard"),
    reverse("insights:dashboard-csv", kwargs={"table": "overdue"}),
]


@pytest.mark.parametrize("url", DASHBOARD_URLS)
def test_anonymous_gets_404(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", DASHBOARD_URLS)
def test_resident_gets_404(client, url):
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", DASHBOARD_URLS)
@pytest.mark.parametrize("make", [ReviewerFactory, lambda: StaffUserFactory(groups=[])])
def test_other_staff_get_403(client, url, make):
    client.force_login(make())
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", DASHBOARD_URLS)
def test_coordinator_gets_200(client, url, some_challenges):
    client.force_login(CoordinatorFactory())
    assert client.get(url).status_code == 200


def test_unknown_table_is_404(client):
    client.force_login(CoordinatorFactory())
    url = reverse("insights:dashboard-csv", kwargs={"table": "nope"})
    assert client.get(url).status_code == 404


def test_dashboard_refuses_post(client):
    client.force_login(CoordinatorFactory())
    assert client.post(reverse("insights:dashboard")).status_code == 405


# -- The dashboard --------------------------------------------------------------------------


def test_dashboard_shows_every_part_with_chart_and_table(client, some_challenges):
    client.force_login(CoordinatorFactory())
    html = client.get(reverse("insights:dashboard"), **EN).content.decode()
    for title in (
        "Pipeline",
        "Lead time per stage",
        "Overdue",
        "Open knots",
        "Partnership health",
        "Silent challenges",
        "Delivery of notifications",
    ):
        assert f">{title}</h2>" in html
    assert html.count('role="img"') >= 2
    assert "<title id=" in html and "<desc id=" in html
    assert f"{reverse('challenges:list')}?status=intake" in html
    assert "A secret draft" not in html


def test_bad_filters_are_reported_not_a_500(client, some_challenges):
    client.force_login(CoordinatorFactory())
    response = client.get(
        reverse("insights:dashboard"), {"neighbourhood": "x", "task": "99999", "period": "7"}, **EN
    )
    assert response.status_code == 200
    assert "That choice does not exist" in response.content.decode()


def test_filter_by_neighbourhood_narrows_the_pipeline(client, some_challenges):
    here = challenge_in(Status.ASSESSMENT)
    client.force_login(CoordinatorFactory())
    url = reverse("insights:dashboard-csv", kwargs={"table": "pipeline"})
    rows = _csv(client.get(url, {"neighbourhood": here.neighbourhood_id}, **EN))
    counts = {row["Stage"]: int(row["Challenges"]) for row in rows}
    assert counts["assessment"] == 1
    assert sum(counts.values()) == 1


def test_coordinator_sees_the_dashboard_in_the_menu_others_do_not(client):
    client.force_login(CoordinatorFactory())
    assert reverse("insights:dashboard") in client.get(reverse("challenges:list")).content.decode()
    client.force_login(ReviewerFactory())
    assert (
        reverse("insights:dashboard") not in client.get(reverse("challenges:list")).content.decode()
    )


def test_admin_index_links_the_dashboard_for_coordinators(client):
    client.force_login(CoordinatorFactory())
    html = client.get(reverse("admin:index"), **EN).content.decode()
    assert reverse("insights:dashboard") in html


# -- Statistics -----------------------------------------------------------------------------


def test_statistics_page_shows_tables_and_charts(client, some_challenges):
    response = client.get(reverse("insights:statistics"), **EN)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Challenges per stage" in html and "Challenges per neighbourhood" in html
    assert 'role="img"' in html and "<table" in html


@pytest.mark.parametrize("table", ["stages", "neighbourhoods", "tasks", "summary"])
def test_statistics_csv_parse(client, some_challenges, table):
    response = client.get(reverse("insights:statistics-csv", kwargs={"table": table}), **EN)
    assert response["Content-Type"].startswith("text/csv")
    assert _csv(response)


def test_statistics_stage_csv_counts_no_drafts(client, some_challenges):
    url = reverse("insights:statistics-csv", kwargs={"table": "stages"})
    rows = _csv(client.get(url, **EN))
    assert sum(int(row["Challenges"]) for row in rows) == 2


def test_unknown_statistics_table_is_404(client):
    url = reverse("insights:statistics-csv", kwargs={"table": "nope"})
    assert client.get(url).status_code == 404


# -- Open data ------------------------------------------------------------------------------


def test_open_data_page_documents_every_column_and_the_licence(client):
    from insights.opendata import COLUMNS

    html = client.get(reverse("insights:open-data"), **EN).content.decode()
    for column in COLUMNS:
        assert f"<code>{column.name}</code>" in html
    assert "CC0-1.0" in html
    assert reverse("challenges:log-export-csv") in html
    assert reverse("insights:catalog") in html


def test_challenges_csv_parses_and_has_no_draft(client, some_challenges):
    from insights.opendata import COLUMNS

    response = client.get(reverse("insights:challenges-csv"))
    assert response.streaming
    rows = _csv(response)
    assert [row["title"] for row in rows] == ["Park in intake", "Park in execution"]
    assert list(rows[0]) == [column.name for column in COLUMNS]
    assert rows[0]["status"] == "intake"


def test_challenges_json_parses_and_has_no_draft(client, some_challenges, settings):
    settings.OPEN_DATA_LICENSE = "CC-BY-4.0"
    response = client.get(reverse("insights:challenges-json"))
    assert response.streaming
    document = json.loads(b"".join(response.streaming_content))
    assert document["license"] == "http://creativecommons.org/licenses/by/4.0/"
    titles = [row["title"] for row in document["challenges"]]
    assert titles == ["Park in intake", "Park in execution"]
    assert document["challenges"][0]["url"].endswith(
        reverse("challenges:detail", kwargs={"pk": document["challenges"][0]["id"]})
    )


def test_empty_json_is_still_json(client):
    response = client.get(reverse("insights:challenges-json"))
    assert json.loads(b"".join(response.streaming_content))["challenges"] == []


def test_statistics_page_is_cached_and_a_new_event_refreshes_it(client, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from challenges import services

    settings.PAGE_CACHE_SECONDS = 300
    challenge = challenge_in(Status.SUBMITTED)
    url = reverse("insights:statistics")
    first = client.get(url, **EN).content.decode()
    with CaptureQueriesContext(connection) as cached:
        again = client.get(url, **EN).content.decode()
    assert again == first
    assert len(cached.captured_queries) <= 2
    services.challenge_transition(
        challenge=challenge,
        to_status=Status.INTAKE,
        actor=ReviewerFactory(),
        motivation="Ontvankelijk.",
    )
    rows = _csv(client.get(reverse("insights:statistics-csv", kwargs={"table": "stages"}), **EN))
    assert {row["Stage"]: int(row["Challenges"]) for row in rows}["intake"] == 1
    assert client.get(url, **EN).content.decode() != first


def test_the_challenges_dataset_counts_supporters_and_names_nobody(client, some_challenges):
    from community import services as community_services

    execution = Challenge.objects.get(title="Park in execution")
    supporters = [UserFactory(display_name=f"Buur {n}") for n in range(3)]
    for supporter in supporters:
        community_services.support_add(challenge=execution, user=supporter, offer="Ik help mee")
    rows = {row["title"]: row for row in _csv(client.get(reverse("insights:challenges-csv")))}
    assert rows["Park in execution"]["supporters"] == "3"
    assert rows["Park in intake"]["supporters"] == "0"
    body = b"".join(client.get(reverse("insights:challenges-json")).streaming_content).decode()
    document = json.loads(body)
    counts = {row["title"]: row["supporters"] for row in document["challenges"]}
    assert counts == {"Park in intake": 0, "Park in execution": 3}
    assert "Buur 1" not in body and "Ik help mee" not in body
