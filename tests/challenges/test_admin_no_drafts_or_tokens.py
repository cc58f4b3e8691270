"""The admin shows no draft, none of a draft's events or invitations, and no token.

A draft belongs to its team until it is submitted; an invitation token is the
invitee's key to the team. Every reviewer can open the admin, so neither may appear
on any admin page: lists, change pages, search and filters.
"""

import pytest
from django.urls import reverse

from challenges import services
from challenges.constants import Status
from challenges.models import Invitation, TimelineEvent
from tests.challenges.factories import ChallengeFactory, challenge_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(reviewer, coordinator):
    draft = ChallengeFactory(title="Geheim concept over de speeltuin")
    draft_invitation = services.invitation_create(
        challenge=draft, actor=draft.initiator, email="concept-uitnodiging@example.org"
    )
    public = challenge_in(Status.INTAKE, reviewer=reviewer, coordinator=coordinator)
    public_invitation = services.invitation_create(
        challenge=public, actor=public.initiator, email="openbaar@example.org"
    )
    return {
        "draft": draft,
        "draft_invitation": draft_invitation,
        "public": public,
        "public_invitation": public_invitation,
    }


@pytest.fixture
def staff_client(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.fixture
def superuser_client(db):
    from django.test import Client

    from tests.challenges.factories import UserFactory

    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def page(client, url, **query):
    response = client.get(url, query)
    return response.status_code, response.content.decode()


def test_invitation_list_hides_a_drafts_invitations(staff_client, world, superuser_client):
    for client in (staff_client, superuser_client):
        status, html = page(client, reverse("admin:challenges_invitation_changelist"))
        assert status == 200
        assert "openbaar@example.org" in html
        assert "concept-uitnodiging@example.org" not in html
        status, html = page(client, reverse("admin:challenges_invitation_changelist"), q="concept")
        assert "concept-uitnodiging@example.org" not in html


def test_invitation_change_page_shows_no_token(superuser_client, world):
    invitation = world["public_invitation"]
    status, html = page(
        superuser_client, reverse("admin:challenges_invitation_change", args=[invitation.pk])
    )
    assert status == 200
    assert invitation.email in html
    assert invitation.token not in html
    # Nor does any other page of the admin that lists invitations.
    status, html = page(superuser_client, reverse("admin:challenges_invitation_changelist"))
    assert invitation.token not in html


def test_a_drafts_invitation_cannot_be_opened_in_the_admin(superuser_client, world):
    invitation = world["draft_invitation"]
    response = superuser_client.get(
        reverse("admin:challenges_invitation_change", args=[invitation.pk])
    )
    # The admin answers an object outside its queryset by going back to the index.
    assert response.status_code == 302
    assert invitation.token not in response.content.decode()


def test_timeline_event_admin_hides_a_drafts_events(superuser_client, world):
    draft_events = TimelineEvent.objects.filter(challenge=world["draft"])
    assert draft_events.exists()
    status, html = page(superuser_client, reverse("admin:challenges_timelineevent_changelist"))
    assert status == 200
    assert world["public"].reference in html
    assert "Geheim concept" not in html
    for event in draft_events:
        response = superuser_client.get(
            reverse("admin:challenges_timelineevent_change", args=[event.pk])
        )
        assert response.status_code == 302
        assert "Geheim concept" not in response.content.decode()


def test_the_challenge_admin_still_hides_the_draft(superuser_client, world):
    status, html = page(superuser_client, reverse("admin:challenges_challenge_changelist"))
    assert status == 200
    assert "Geheim concept" not in html


def test_an_invitation_token_is_nowhere_in_the_admin(superuser_client, world):
    """Every admin change list and the change page of every invitation."""
    from django.contrib import admin

    tokens = list(Invitation.objects.values_list("token", flat=True))
    assert tokens
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        status, html = page(superuser_client, url)
        assert status == 200, url
        for token in tokens:
            assert token not in html, url


def test_the_outbox_admin_does_not_show_a_drafts_messages(superuser_client, world):
    from notifications.models import Notification

    rows = Notification.objects.filter(event__challenge=world["draft"])
    assert rows.exists(), "the draft's invitation is in the outbox"
    url = reverse("admin:notifications_notification_changelist")
    for query in ({}, {"q": "concept-uitnodiging"}):
        status, html = page(superuser_client, url, **query)
        assert status == 200
        assert "concept-uitnodiging@example.org" not in html
    for row in rows:
        response = superuser_client.get(
            reverse("admin:notifications_notification_change", args=[row.pk])
        )
        assert response.status_code == 302
