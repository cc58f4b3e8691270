"""The notification centre, the unread count in the header, the preferences page and
following a challenge: permissions, CSRF, and a constant number of queries."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from challenges import registry, services
from challenges.constants import Status
from notifications.constants import Channel, Frequency
from notifications.models import Follow, Notification, Preference
from tests.challenges.factories import ChallengeFactory, UserFactory, challenge_in

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
PREFERENCES = reverse("notifications:preferences")


def _notes(circle, n: int, visibility="public"):
    for i in range(n):
        services.challenge_add_note(
            challenge=circle.challenge,
            actor=circle.reviewer,
            text=f"Bericht {i}",
            visibility=visibility,
        )


def _unread_in_header(html: str) -> str:
    match = re.search(r'href="/notifications/"[^>]*>([^<]*)</a>', html)
    return match.group(1) if match else ""


def test_the_centre_lists_newest_first_and_links_to_the_event(client, circle):
    _notes(circle, 2)
    client.force_login(circle.follower)
    response = client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Bericht 1") < html.index("Bericht 0")
    latest = circle.challenge.events.latest("created_at")
    assert f'href="/challenges/{circle.challenge.pk}/#event-{latest.pk}"' in html
    assert circle.challenge.reference in html


def test_the_header_shows_the_unread_count_in_words(client, circle):
    client.force_login(circle.follower)
    before = Notification.objects.filter(recipient=circle.follower, channel=Channel.IN_APP)
    base = before.count()
    _notes(circle, 3)
    html = client.get("/").content.decode()
    assert _unread_in_header(html) == f"Meldingen ({base + 3} ongelezen)" or (
        _unread_in_header(html) == f"Notifications ({base + 3} unread)"
    )
    client.post(reverse("notifications:read-all"))
    assert _unread_in_header(client.get("/").content.decode()) in {"Meldingen", "Notifications"}


def test_the_header_count_is_one_query_and_only_for_logged_in_people(client, circle):
    with CaptureQueriesContext(connection) as anonymous:
        client.get("/criteria/")
    assert not any("notifications_notification" in q["sql"] for q in anonymous.captured_queries)
    client.force_login(circle.follower)
    with CaptureQueriesContext(connection) as logged_in:
        client.get("/criteria/")
    counts = [q for q in logged_in.captured_queries if "notifications_notification" in q["sql"]]
    assert len(counts) == 1


def test_mark_one_as_read(client, circle):
    _notes(circle, 2)
    client.force_login(circle.follower)
    mine = Notification.objects.filter(
        recipient=circle.follower, channel=Channel.IN_APP, read_at__isnull=True
    )
    target = mine.latest("created_at")
    unread = mine.count()
    response = client.post(reverse("notifications:read", args=[target.pk]), {"next": LIST})
    assert response.status_code == 302 and response.url == LIST
    target.refresh_from_db()
    assert target.read_at is not None
    assert mine.count() == unread - 1


def test_an_unsafe_next_is_ignored(client, circle):
    _notes(circle, 1)
    client.force_login(circle.follower)
    target = Notification.objects.filter(recipient=circle.follower, channel=Channel.IN_APP).first()
    response = client.post(
        reverse("notifications:read", args=[target.pk]), {"next": "https://evil.example/"}
    )
    assert response.url == LIST


def test_another_person_s_notification_is_a_404(client, circle):
    _notes(circle, 1)
    theirs = Notification.objects.filter(recipient=circle.initiator).first()
    client.force_login(circle.bystander)
    response = client.post(reverse("notifications:read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    # E-mail rows are not part of the centre either.
    own_email = Notification.objects.filter(
        recipient=circle.initiator, channel=Channel.EMAIL
    ).first()
    client.force_login(circle.initiator)
    assert client.post(reverse("notifications:read", args=[own_email.pk])).status_code == 404


def test_the_centre_needs_a_login(client):
    for url in (LIST, PREFERENCES):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_posts_need_a_csrf_token(circle):
    _notes(circle, 1)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(circle.follower)
    target = Notification.objects.filter(recipient=circle.follower, channel=Channel.IN_APP).first()
    for url in (
        reverse("notifications:read", args=[target.pk]),
        reverse("notifications:read-all"),
        reverse("notifications:unfollow", args=[circle.challenge.pk]),
        reverse("notifications:follow", args=[circle.challenge.pk]),
        PREFERENCES,
    ):
        assert strict.post(url).status_code == 403, url
    target.refresh_from_db()
    assert target.read_at is None
    assert Follow.objects.filter(user=circle.follower).exists()


def test_mark_all_is_a_post(client, circle):
    client.force_login(circle.follower)
    assert client.get(reverse("notifications:read-all")).status_code == 405


def test_the_centre_runs_the_same_queries_for_few_and_many(client, circle):
    client.force_login(circle.follower)
    _notes(circle, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    _notes(circle, 60)
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST).status_code == 200
    with CaptureQueriesContext(connection) as page_two:
        assert client.get(LIST + "?page=2").status_code == 200
    assert len(many) == len(few) == len(page_two)


def test_follow_and_unfollow_from_the_challenge_page(client, circle):
    client.force_login(circle.bystander)
    page = client.get(circle.challenge.get_absolute_url()).content.decode()
    assert f'action="/notifications/follow/{circle.challenge.pk}/"' in page
    response = client.post(reverse("notifications:follow", args=[circle.challenge.pk]))
    assert response.status_code == 302 and response.url == circle.challenge.get_absolute_url()
    assert Follow.objects.filter(user=circle.bystander, challenge=circle.challenge).exists()
    # Twice is still once.
    client.post(reverse("notifications:follow", args=[circle.challenge.pk]))
    assert Follow.objects.filter(user=circle.bystander).count() == 1
    page = client.get(circle.challenge.get_absolute_url()).content.decode()
    assert f'action="/notifications/unfollow/{circle.challenge.pk}/"' in page

    # A public event now reaches the new follower.
    _notes(circle, 1)
    assert Notification.objects.filter(recipient=circle.bystander).exists()

    client.post(reverse("notifications:unfollow", args=[circle.challenge.pk]))
    assert not Follow.objects.filter(user=circle.bystander).exists()


def test_anonymous_visitors_see_no_follow_button_and_cannot_follow(client, circle):
    page = client.get(circle.challenge.get_absolute_url()).content.decode()
    assert "/notifications/follow/" not in page
    response = client.post(reverse("notifications:follow", args=[circle.challenge.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not Follow.objects.filter(user__isnull=True).exists()


def test_the_team_sees_no_follow_button(client, circle):
    """The team hears about every event of its challenge already."""
    client.force_login(circle.co_initiator)
    page = client.get(circle.challenge.get_absolute_url()).content.decode()
    assert "/notifications/follow/" not in page


@pytest.mark.parametrize("who", ["initiator", "other"])
def test_drafts_cannot_be_followed(client, who):
    draft = ChallengeFactory()
    client.force_login(draft.initiator if who == "initiator" else UserFactory())
    assert client.post(reverse("notifications:follow", args=[draft.pk])).status_code == 404
    assert client.post(reverse("notifications:follow", args=[99999])).status_code == 404
    assert not Follow.objects.exists()
    if who == "initiator":
        page = client.get(draft.get_absolute_url()).content.decode()
        assert "/notifications/follow/" not in page


def test_preferences_page_saves_one_choice_per_kind(client, circle):
    client.force_login(circle.follower)
    page = client.get(PREFERENCES).content.decode()
    # Every kind any app registered (at least the nine of challenges and
    # partnerships), four choices each.
    kinds = registry.kinds()
    assert len(kinds) >= 9
    assert page.count('type="radio"') == len(kinds) * 4
    assert page.count("<fieldset") == len(kinds)
    data = {kind.code: Frequency.IMMEDIATE for kind in kinds}
    data |= {
        "progress": Frequency.IMMEDIATE,
        "conversation": Frequency.DAILY,
        "team": Frequency.WEEKLY,
        "assessment": Frequency.OFF,
        "reminder": Frequency.IMMEDIATE,
        "documents": Frequency.IMMEDIATE,
        "agreement": Frequency.IMMEDIATE,
        "knots": Frequency.OFF,
        "reflections": Frequency.IMMEDIATE,
    }
    response = client.post(PREFERENCES, data)
    assert response.status_code == 302
    assert dict(
        Preference.objects.filter(user=circle.follower).values_list("kind", "frequency")
    ) == {"conversation": "daily", "team": "weekly", "assessment": "off", "knots": "off"}
    page = client.get(PREFERENCES).content.decode()
    assert re.search(r'value="daily" checked', page)


def test_an_invalid_preferences_post_shows_the_error_summary(client, circle):
    client.force_login(circle.follower)
    response = client.post(PREFERENCES, {"progress": "hourly"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert not Preference.objects.filter(user=circle.follower).exists()


def test_a_closed_challenge_can_still_be_followed(client):
    challenge = challenge_in(Status.REJECTED)
    client.force_login(UserFactory())
    response = client.post(reverse("notifications:follow", args=[challenge.pk]))
    assert response.status_code == 302


def test_administrators_see_the_outbox_read_only(client, circle):
    _notes(circle, 1)
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    listing = client.get("/admin/notifications/notification/?status__exact=sent")
    assert listing.status_code == 200
    row = Notification.objects.first()
    assert client.get(f"/admin/notifications/notification/{row.pk}/change/").status_code == 200
    assert client.get("/admin/notifications/notification/add/").status_code == 403
    assert client.post(f"/admin/notifications/notification/{row.pk}/delete/").status_code == 403
    client.force_login(circle.reviewer)  # a reviewer has no business here
    assert client.get("/admin/notifications/notification/").status_code == 403
