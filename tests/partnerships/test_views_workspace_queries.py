"""The workspace runs the same number of queries with 10 and with 1,000 events on
its timeline, and shows the latest with a way to read older ones."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from challenges.constants import Role, Visibility
from challenges.models import TimelineEvent
from partnerships.constants import PartnershipEvent

pytestmark = pytest.mark.django_db


def _messages(challenge, actor, n: int) -> None:
    TimelineEvent.objects.bulk_create(
        [
            TimelineEvent(
                challenge=challenge,
                actor=actor,
                actor_role=Role.CHALLENGER,
                code=PartnershipEvent.MESSAGE_POSTED,
                visibility=Visibility.PARTIES,
                data={"side": "challenger", "text": f"Bericht {i}"},
            )
            for i in range(n)
        ]
    )


def _count(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_the_workspace_costs_the_same_at_10_and_1000_events(client, in_agreement):
    p = in_agreement
    url = reverse("partnerships:workspace", kwargs={"pk": p.challenge.pk})
    client.force_login(p.challenger)
    existing = p.challenge.events.count()
    _messages(p.challenge, p.challenger, max(0, 10 - existing))
    small, _response = _count(client, url)
    _messages(p.challenge, p.challenger, 990)
    assert p.challenge.events.count() >= 1000
    many, response = _count(client, url)
    assert many == small
    events = response.context["events"]
    assert len(events) == 50 and events.older is not None
    # The oldest page costs the same, and ends with the very first event.
    oldest, response = _count(client, f"{url}?before={p.challenge.events.order_by('seq')[3].seq}")
    assert oldest == small
    assert response.context["events"].older is None
