"""After the decision the published assessment is public: scores and motivations,
on the challenge page, for everybody (issue: the municipality is open about its
considerations). Before the decision, or while unpublished, the public sees none."""

import pytest

from challenges import services
from challenges.constants import Status
from challenges.models import Challenge, Criterion
from tests.challenges.factories import ReviewerFactory, challenge_in

pytestmark = pytest.mark.django_db

MOTIVATION = "De buurt draagt het plan breed."


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 0


def _assessed(*, publish: bool) -> Challenge:
    reviewer = ReviewerFactory()
    challenge = challenge_in(Status.ASSESSMENT, reviewer=reviewer)
    services.assessment_record_many(
        challenge=challenge,
        actor=reviewer,
        scores=[(c, 4, MOTIVATION) for c in Criterion.objects.filter(is_active=True)],
    )
    if publish:
        services.assessment_publish(challenge=challenge, actor=reviewer)
    return challenge


def _public_page(client, challenge) -> str:
    response = client.get(challenge.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("stage", [Status.ACCEPTED, Status.REJECTED, Status.EXECUTION])
def test_a_decided_challenge_shows_its_published_assessment_to_everybody(client, stage):
    challenge = _assessed(publish=True)
    Challenge.objects.filter(pk=challenge.pk).update(status=stage)
    html = _public_page(client, challenge)
    assert MOTIVATION in html
    assert "published with it" in html
    first = Criterion.objects.filter(is_active=True).order_by("order", "pk").first()
    assert first.name_en in html


def test_before_the_decision_the_public_sees_no_scores(client):
    challenge = _assessed(publish=True)  # published to the parties, still in assessment
    assert MOTIVATION not in _public_page(client, challenge)
    Challenge.objects.filter(pk=challenge.pk).update(status=Status.DECISION)
    assert MOTIVATION not in _public_page(client, challenge)


def test_an_unpublished_assessment_stays_internal_after_the_decision(client):
    challenge = _assessed(publish=False)
    Challenge.objects.filter(pk=challenge.pk).update(status=Status.ACCEPTED)
    assert MOTIVATION not in _public_page(client, challenge)


def test_on_hold_after_acceptance_still_shows_it(client):
    challenge = _assessed(publish=True)
    Challenge.objects.filter(pk=challenge.pk).update(
        status=Status.ON_HOLD, held_from_status=Status.EXECUTION
    )
    assert MOTIVATION in _public_page(client, challenge)
