"""The public pages are served from a cache keyed on the chain head: a repeated
request runs no query, a conditional one gets 304, and a new event (or a change
of the catalogue) is visible on the very next request."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from challenges import page_cache, registry, services
from challenges.constants import Status, Visibility
from challenges.models import Criterion
from challenges.timeline import timeline_erase_personal_data
from tests.challenges.factories import ReviewerFactory, UserFactory, challenge_in

pytestmark = pytest.mark.django_db
PAGES = ["/", "/challenges/", "/criteria/", "/log/", "/log/feed/", "/log/?status=intake"]


def _get(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    return response, len(ctx.captured_queries)


@pytest.fixture
def challenge(db):
    return challenge_in(Status.INTAKE)


@pytest.mark.parametrize("url", PAGES)
def test_a_repeated_request_is_one_query_and_a_conditional_one_gets_304(client, challenge, url):
    first, rendered = _get(client, url)
    assert first.status_code == 200 and rendered > 1
    second, queries = _get(client, url)
    assert second.status_code == 200 and queries == 0
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert "Last-Modified" in second
    again, queries = _get(client, url, if_none_match=first["ETag"])
    assert again.status_code == 304 and again.content == b"" and queries == 0
    since, _queries = _get(client, url, if_modified_since=first["Last-Modified"])
    assert since.status_code == 304


def test_the_challenge_page_too(client, challenge):
    url = challenge.get_absolute_url()
    first, _queries = _get(client, url)
    second, queries = _get(client, url)
    assert queries == 0 and second.content == first.content


def test_a_new_event_is_visible_on_the_very_next_request(
    client, challenge, django_capture_on_commit_callbacks
):
    url = challenge.get_absolute_url()
    before, _queries = _get(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        services.challenge_add_note(
            challenge=challenge,
            actor=ReviewerFactory(),
            text="Het verkennend gesprek is op 3 maart.",
            visibility=Visibility.PUBLIC,
        )
    after, queries = _get(client, url)
    assert queries > 1  # rendered again
    assert "Het verkennend gesprek is op 3 maart." in after.content.decode()
    assert after["ETag"] != before["ETag"]
    # The old ETag no longer matches: the reader gets the new page, not a 304.
    conditional, _queries = _get(client, url, if_none_match=before["ETag"])
    assert conditional.status_code == 200
    log, _queries = _get(client, "/log/")
    assert "Het verkennend gesprek is op 3 maart." in log.content.decode()


def test_a_process_that_missed_the_announcement_lags_at_most_the_head_lifetime(client, challenge):
    """Web processes without a shared cache (not the production shape) learn the
    new head when the one they hold expires (page_cache.HEAD_SECONDS): the head is
    part of the key, so then the page is rendered again."""
    _get(client, "/log/")
    others = [s for s in registry.subscribers() if s is not page_cache.on_event_recorded]
    with mock.patch.object(registry, "_SUBSCRIBERS", others):
        services.challenge_add_note(
            challenge=challenge, actor=ReviewerFactory(), text="Nieuw.", visibility="public"
        )
    assert "Nieuw." not in client.get("/log/").content.decode()  # still the old head
    cache.delete(page_cache.HEAD_KEY)  # as if HEAD_SECONDS passed
    response, queries = _get(client, "/log/")
    assert queries > 1 and "Nieuw." in response.content.decode()


def test_a_catalogue_change_in_the_admin_drops_the_cached_pages(
    client, challenge, django_capture_on_commit_callbacks
):
    _get(client, "/criteria/")
    assert _get(client, "/criteria/")[1] == 0
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    criterion = Criterion.objects.filter(is_active=True).first()
    admin = client.__class__()
    admin.force_login(admin_user)
    change = reverse("admin:challenges_criterion_change", args=[criterion.pk])
    form = admin.get(change).context["adminform"].form
    data = {name: form.initial.get(name, "") for name in form.fields}
    data["name_en"] = "Value for the neighbourhood"
    data["is_active"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(change, {k: v for k, v in data.items() if v is not None})
    assert response.status_code == 302
    _page, queries = _get(client, "/criteria/")
    assert queries > 0  # rendered again (a hit runs none)
    client.cookies["django_language"] = "en"
    assert "Value for the neighbourhood" in client.get("/criteria/").content.decode()


def test_languages_are_cached_apart(client, challenge):
    dutch, _queries = _get(client, "/")
    client.cookies["django_language"] = "en"
    english, queries = _get(client, "/")
    assert queries > 1 and english.content != dutch.content
    assert english["ETag"] != dutch["ETag"]
    assert 'lang="en"' in english.content.decode()


def test_logged_in_readers_always_get_their_own_page(client, challenge):
    _get(client, "/")
    user = UserFactory()
    client.force_login(user)
    response, queries = _get(client, "/")
    assert queries > 1
    assert "ETag" not in response
    # Their own header (log out, notifications), not the anonymous page.
    assert reverse("account_logout") in response.content.decode()
    assert reverse("notifications:list") in response.content.decode()


def test_pending_messages_are_never_served_from_or_into_the_cache(client, challenge):
    _get(client, "/")
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    after_logout, queries = _get(client, "/")
    assert queries > 1  # the "signed out" notice is this reader's own


def test_a_failing_cache_never_breaks_a_page(client, challenge):
    with (
        mock.patch.object(cache, "get", side_effect=ConnectionError("cache down")),
        mock.patch.object(cache, "get_many", side_effect=ConnectionError("cache down")),
        mock.patch.object(cache, "set", side_effect=ConnectionError("cache down")),
        mock.patch.object(cache, "set_many", side_effect=ConnectionError("cache down")),
        mock.patch.object(cache, "incr", side_effect=ConnectionError("cache down")),
    ):
        for url in [*PAGES, challenge.get_absolute_url()]:
            assert client.get(url).status_code == 200
        services.challenge_add_note(
            challenge=challenge, actor=ReviewerFactory(), text="Toch.", visibility="public"
        )
        assert "Toch." in client.get(challenge.get_absolute_url()).content.decode()


def test_an_erased_event_is_never_served_from_an_old_page(
    client, challenge, django_capture_on_commit_callbacks
):
    author = challenge.initiator
    services.challenge_add_addition(
        challenge=challenge, actor=author, text="Mijn adres is Dorpsstraat 1.", visibility="public"
    )
    url = challenge.get_absolute_url()
    assert "Dorpsstraat 1" in client.get(url).content.decode()
    # The erasure appends its erasure event (the head moves) and drops the pages too.
    with django_capture_on_commit_callbacks(execute=True):
        timeline_erase_personal_data(user=author)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Dorpsstraat 1" not in page
    assert "at the request of the person concerned, or a post the municipality hid" in page
    assert "Dorpsstraat 1" not in client.get("/log/").content.decode()
