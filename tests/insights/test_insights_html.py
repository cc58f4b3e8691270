"""The dashboard, the statistics and the open-data pages are valid HTML (Nu Html
Checker), in Dutch and in English, with their charts and tables filled."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges.constants import Status
from challenges.models import Challenge
from tests.challenges.factories import CoordinatorFactory, challenge_in
from tests.e2e.conftest import vnu  # noqa: F401 - the Nu Html Checker fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["nl", "en"])
def test_insights_pages_are_valid_html(client, vnu, tmp_path, language):  # noqa: F811
    for status in (Status.SUBMITTED, Status.ASSESSMENT, Status.EXECUTION, Status.REJECTED):
        challenge_in(status, title=f"Buurtpark <{status}> & co")
    Challenge.objects.filter(status=Status.ASSESSMENT).update(
        due_at=timezone.now() - timedelta(days=3)
    )
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    pages = {
        "statistics": client.get(reverse("insights:statistics"), **headers),
        "open-data": client.get(reverse("insights:open-data"), **headers),
    }
    client.force_login(CoordinatorFactory())
    pages["dashboard"] = client.get(reverse("insights:dashboard"), **headers)
    pages["dashboard-errors"] = client.get(
        reverse("insights:dashboard"), {"task": "nope", "period": "2"}, **headers
    )
    pages["admin-index"] = client.get(reverse("admin:index"), **headers)
    files = []
    for name, response in pages.items():
        assert response.status_code == 200, name
        path = tmp_path / f"{name}-{language}.html"
        path.write_bytes(response.content)
        files.append(path)
    assert vnu(files) == []
