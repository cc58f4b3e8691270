"""Support: once per person, withdrawal, counts per neighbourhood, who may support,
the daily count on the timeline, and the figures beside the support criterion."""

import pytest
from allauth.account.models import EmailAddress
from django.db import IntegrityError
from django.urls import reverse
from django.utils import translation

from challenges.constants import Status
from challenges.models import TimelineEvent
from community import selectors, services
from community.constants import CommunityEvent
from community.models import Support
from community.selectors import support_counts
from community.tasks import record_support_counts
from core.errors import ServiceError
from tests.challenges.factories import (
    ChallengeFactory,
    NeighbourhoodFactory,
    UserFactory,
    add_co_initiator,
)
from tests.community.factories import public_challenge, support, supports

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _message(error) -> str:
    with translation.override("en"):
        return " ".join(error.messages)


def test_one_support_per_person_the_second_is_refused():
    challenge = public_challenge()
    person = UserFactory()
    support(challenge, person)
    with pytest.raises(ServiceError) as refused:
        support(challenge, person)
    assert "already support" in _message(refused.value)
    assert Support.objects.filter(challenge=challenge).count() == 1


def test_the_database_refuses_a_second_support_too():
    challenge = public_challenge()
    person = UserFactory()
    Support.objects.create(challenge=challenge, user=person)
    with pytest.raises(IntegrityError):
        Support.objects.create(challenge=challenge, user=person)


def test_a_double_post_that_passes_the_check_meets_the_constraint(monkeypatch):
    """Two requests at once both pass the "already?" check; the second insert hits the
    unique constraint and is refused with the same message, not a 500."""
    challenge = public_challenge()
    person = UserFactory()
    support(challenge, person)
    real_filter = Support.objects.filter

    class Blind:
        def exists(self):
            return False

    def filter_blind(*args, **kwargs):
        if kwargs.get("user") == person and "challenge" in kwargs:
            return Blind()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Support.objects, "filter", filter_blind)
    with pytest.raises(ServiceError) as refused:
        services.support_add(challenge=challenge, user=person)
    assert "already support" in _message(refused.value)
    monkeypatch.undo()
    assert Support.objects.filter(challenge=challenge, user=person).count() == 1


def test_a_double_post_over_http_leaves_one_support(client):
    challenge = public_challenge()
    person = UserFactory()
    client.force_login(person)
    url = reverse("community:support", kwargs={"pk": challenge.pk})
    first = client.post(url, {"offer": "Zaterdag maaien"}, **EN)
    second = client.post(url, {"offer": "Zaterdag maaien"}, **EN)
    assert first.status_code == 302 and second.status_code == 302
    assert Support.objects.filter(challenge=challenge, user=person).count() == 1


def test_withdrawal_removes_the_support_and_a_second_withdrawal_is_refused():
    challenge = public_challenge()
    person = UserFactory()
    support(challenge, person, offer="Ik kan snoeien")
    assert services.support_withdraw(challenge=challenge, user=person) is True
    assert not Support.objects.filter(challenge=challenge).exists()
    with pytest.raises(ServiceError):
        services.support_withdraw(challenge=challenge, user=person)
    # And they may support again later.
    support(challenge, person)
    assert Support.objects.filter(challenge=challenge, user=person).count() == 1


def test_withdrawal_over_http(client):
    challenge = public_challenge()
    person = UserFactory()
    support(challenge, person)
    client.force_login(person)
    url = reverse("community:withdraw", kwargs={"pk": challenge.pk})
    assert client.get(url, **EN).status_code == 200
    response = client.post(url, **EN)
    assert response.status_code == 302
    assert not Support.objects.filter(challenge=challenge, user=person).exists()


def test_counts_per_neighbourhood():
    challenge = public_challenge()
    north, south = NeighbourhoodFactory(name="Noord"), NeighbourhoodFactory(name="Zuid")
    for place in [north, north, north, south, None]:
        support(challenge, neighbourhood=place)
    support(challenge, neighbourhood=south, offer="Ik breng koffie")
    summary = selectors.support_summary(challenge)
    assert summary.count == 6
    assert summary.offers == 1
    assert summary.by_neighbourhood == [("Noord", 3), ("Zuid", 2), ("", 1)]
    other = public_challenge()
    assert support_counts([challenge.pk, other.pk]) == {challenge.pk: 6, other.pk: 0}


def test_the_challenge_page_shows_count_neighbourhoods_and_offers_names_only_with_consent(client):
    challenge = public_challenge()
    place = NeighbourhoodFactory(name="Oosterpark")
    named = UserFactory(first_name="Fatima", last_name="Zwart")
    unnamed = UserFactory(first_name="Geheime", last_name="Buurvrouw")
    support(challenge, named, neighbourhood=place, offer="Ik help op zaterdag", show_name=True)
    support(challenge, unnamed, neighbourhood=place, offer="Ik kan gereedschap lenen")
    page = client.get(challenge.get_absolute_url(), **EN).content.decode()
    assert "2 people support this challenge." in page
    assert "Oosterpark" in page
    assert "Ik help op zaterdag" in page and "Ik kan gereedschap lenen" in page
    assert named.name in page
    assert unnamed.name not in page
    assert "A supporter (name not shown)" in page


def test_unverified_resident_is_refused_with_a_message(client):
    challenge = public_challenge()
    person = UserFactory()
    EmailAddress.objects.filter(user=person).update(verified=False)
    client.force_login(person)
    url = reverse("community:support", kwargs={"pk": challenge.pk})
    response = client.post(url, {"offer": "x"}, follow=True, **EN)
    assert "Confirm your e-mail address first" in response.content.decode()
    assert not Support.objects.exists()
    with pytest.raises(ServiceError):
        services.support_add(challenge=challenge, user=person)


def test_anonymous_is_sent_to_the_login(client):
    challenge = public_challenge()
    url = reverse("community:support", kwargs={"pk": challenge.pk})
    response = client.post(url, {"offer": "x"})
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert not Support.objects.exists()


def test_a_draft_is_404_and_cannot_be_supported(client):
    draft = ChallengeFactory()
    client.force_login(UserFactory())
    for name in ("support", "withdraw", "supporters", "questions", "ask"):
        assert client.get(reverse(f"community:{name}", kwargs={"pk": draft.pk})).status_code == 404
    with pytest.raises(ServiceError):
        services.support_add(challenge=draft, user=UserFactory())


@pytest.mark.parametrize("status", [Status.REJECTED, Status.WITHDRAWN, Status.COMPLETED])
def test_a_closed_challenge_cannot_be_supported(status):
    challenge = public_challenge(status)
    with pytest.raises(ServiceError):
        support(challenge)


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.INTAKE, Status.ON_HOLD])
def test_an_open_challenge_can_be_supported(status):
    challenge = public_challenge(status)
    support(challenge)
    assert Support.objects.filter(challenge=challenge).count() == 1


def test_the_team_does_not_support_its_own_challenge():
    challenge = public_challenge()
    mate = add_co_initiator(ChallengeFactory())  # on another team: may support this one
    support(challenge, mate)
    with pytest.raises(ServiceError):
        support(challenge, challenge.initiator)


def test_the_offer_is_length_limited_and_plain_text(client):
    challenge = public_challenge()
    client.force_login(UserFactory())
    url = reverse("community:support", kwargs={"pk": challenge.pk})
    too_long = client.post(url, {"offer": "x" * 501}, **EN)
    assert too_long.status_code == 200 and "501" in too_long.content.decode()
    tricky = client.post(url, {"offer": "\u202egnp.exe"}, **EN)
    assert tricky.status_code == 200
    assert not Support.objects.exists()


def test_a_support_drops_the_cached_public_page(client, django_capture_on_commit_callbacks):
    challenge = public_challenge()
    url = challenge.get_absolute_url()
    assert "0 people support this challenge." in client.get(url, **EN).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        support(challenge)
    assert "1 person supports this challenge." in client.get(url, **EN).content.decode()


def test_the_daily_count_is_one_public_event_and_safe_to_run_twice():
    challenge = public_challenge()
    supports(challenge, 3)
    assert record_support_counts() == 1
    assert record_support_counts() == 0  # nothing changed: no second event
    events = TimelineEvent.objects.filter(challenge=challenge, code=CommunityEvent.SUPPORT_COUNTED)
    assert [(e.visibility, e.data) for e in events] == [("public", {"count": 3, "previous": 0})]
    person = Support.objects.filter(challenge=challenge).first().user
    services.support_withdraw(challenge=challenge, user=person)
    assert record_support_counts() == 1
    latest = events.order_by("-seq").first()
    assert latest.data == {"count": 2, "previous": 3}


def test_the_beat_schedule_runs_the_count(settings):
    entries = [e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "community.tasks.record_support_counts" in entries


def test_the_reviewer_sees_the_figures_beside_the_support_criterion(client):
    from tests.challenges.factories import ReviewerFactory

    reviewer = ReviewerFactory()
    challenge = public_challenge(Status.INTAKE, reviewer=reviewer)
    place = NeighbourhoodFactory(name="Binnenstad")
    support(challenge, neighbourhood=place, offer="Ik help")
    support(challenge, neighbourhood=place)
    client.force_login(reviewer)
    page = client.get(
        reverse("admin:challenges_challenge_change", args=[challenge.pk]), **EN
    ).content.decode()
    assert "Supporters on the portal" in page
    assert "Binnenstad: 2" in page
