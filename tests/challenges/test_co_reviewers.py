"""A coordinator assigns one or more reviewers: a lead and others beside them, and
reassigns them; each finds the challenge under "Assigned to me"."""

import pytest
from django.urls import reverse

from challenges import services
from challenges.constants import Status, Visibility
from challenges.events import ReviewingEvent
from tests.challenges.factories import ReviewerFactory, UserFactory, challenge_in

pytestmark = pytest.mark.django_db


def _mine(client, user):
    client.force_login(user)
    response = client.get(reverse("admin:challenges_challenge_changelist"), {"assigned": "me"})
    return list(response.context["cl"].result_list)


def test_a_coordinator_assigns_a_lead_and_two_others_in_one_go(client, coordinator):
    lead, second, third, bystander = (ReviewerFactory() for _ in range(4))
    challenge = challenge_in(Status.INTAKE, reviewer=lead)
    url = reverse("admin:challenges_challenge_assign_reviewer", args=[challenge.pk])
    client.force_login(coordinator)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Other reviewers" in page and 'type="checkbox"' in page
    response = client.post(url, {"reviewer": lead.pk, "co_reviewers": [second.pk, third.pk]})
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.assigned_reviewer == lead
    assert set(challenge.co_reviewers.all()) == {second, third}
    events = challenge.events.filter(code=ReviewingEvent.REVIEWER_ASSIGNED)
    assert events.count() == 1
    event = events.get()
    assert event.visibility == Visibility.INTERNAL
    assert {o["reviewer"] for o in event.data["others"]} == {second.pk, third.pk}
    for person in (lead, second, third):
        assert _mine(client, person) == [challenge]
    assert _mine(client, bystander) == []


def test_reassigning_replaces_the_others_and_the_same_again_writes_nothing(coordinator):
    lead, second, third = (ReviewerFactory() for _ in range(3))
    challenge = challenge_in(Status.INTAKE, reviewer=lead)
    services.challenge_assign_reviewer(
        challenge=challenge, actor=coordinator, reviewer=lead, co_reviewers=[second]
    )
    services.challenge_assign_reviewer(
        challenge=challenge, actor=coordinator, reviewer=second, co_reviewers=[third, second]
    )
    challenge.refresh_from_db()
    assert challenge.assigned_reviewer == second
    assert list(challenge.co_reviewers.all()) == [third]  # the lead is not also "other"
    count = challenge.events.filter(code=ReviewingEvent.REVIEWER_ASSIGNED).count()
    services.challenge_assign_reviewer(
        challenge=challenge, actor=coordinator, reviewer=second, co_reviewers=[third]
    )
    assert challenge.events.filter(code=ReviewingEvent.REVIEWER_ASSIGNED).count() == count
    # None keeps the others; an empty list removes them.
    services.challenge_assign_reviewer(challenge=challenge, actor=coordinator, reviewer=lead)
    assert list(challenge.co_reviewers.all()) == [third]
    services.challenge_assign_reviewer(
        challenge=challenge, actor=coordinator, reviewer=lead, co_reviewers=[]
    )
    assert list(challenge.co_reviewers.all()) == []


def test_a_resident_cannot_be_made_a_reviewer_and_nothing_changes(client, coordinator):
    lead = ReviewerFactory()
    resident = UserFactory()
    challenge = challenge_in(Status.INTAKE, reviewer=lead)
    with pytest.raises(services.ServiceError):
        services.challenge_assign_reviewer(
            challenge=challenge, actor=coordinator, reviewer=lead, co_reviewers=[resident]
        )
    challenge.refresh_from_db()
    assert challenge.assigned_reviewer is None and not challenge.co_reviewers.exists()
    url = reverse("admin:challenges_challenge_assign_reviewer", args=[challenge.pk])
    client.force_login(coordinator)
    response = client.post(
        url, {"reviewer": lead.pk, "co_reviewers": [resident.pk]}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "Choose active reviewers only." in response.content.decode()
    response = client.post(url, {"reviewer": lead.pk, "co_reviewers": ["x"]})
    assert response.status_code == 200
    assert not challenge.co_reviewers.exists()


def test_the_timeline_names_the_other_reviewers(client, coordinator):
    lead, second = (
        ReviewerFactory(display_name="Lea Lood"),
        ReviewerFactory(display_name="Sam Tweede"),
    )
    challenge = challenge_in(Status.INTAKE, reviewer=lead)
    services.challenge_assign_reviewer(
        challenge=challenge, actor=coordinator, reviewer=lead, co_reviewers=[second]
    )
    client.force_login(lead)
    html = client.get(challenge.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Assigned to reviewer Lea Lood" in html
    assert "With the other reviewers: Sam Tweede" in html
