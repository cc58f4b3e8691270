"""Titles and names take no invisible or direction-changing characters (spoofing)."""

import pytest
from django.utils import translation

from challenges.forms import TaskStepForm
from challenges.models import Challenge
from partnerships.forms import OrganisationForm
from tests.challenges.factories import ChallengeFactory, NeighbourhoodFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _task_step(**overrides):
    data = {
        "task": TaskFactory().pk,
        "neighbourhood": NeighbourhoodFactory().pk,
        "title": "Bewoners beheren het park",
        "summary": "Wij maaien het gras en houden de paden schoon.",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("char", ["\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069"])
def test_a_title_with_a_direction_override_is_refused(char):
    form = TaskStepForm(data=_task_step(title=f"Park{char}fdp.exe"))
    assert not form.is_valid()
    assert "direction" in " ".join(form.errors["title"])


@pytest.mark.parametrize("char", ["\u200b", "\u200d", "\ufeff", "\u2060", "\u00ad"])
def test_a_title_with_a_zero_width_character_is_refused(char):
    form = TaskStepForm(data=_task_step(title=f"Park{char}beheer"))
    assert not form.is_valid()
    assert "invisible" in " ".join(form.errors["title"])


def test_a_summary_may_hold_an_emoji_sequence_but_no_override():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert TaskStepForm(data=_task_step(summary=f"Voor iedereen {family} in de wijk.")).is_valid()
    form = TaskStepForm(data=_task_step(summary="Voor iedereen \u202ein de wijk."))
    assert not form.is_valid()
    assert "summary" in form.errors


def test_an_organisation_name_with_invisible_characters_is_refused():
    form = OrganisationForm(data={"name": "Stichting\u200bBuurtpark", "legal_form": "foundation"})
    assert not form.is_valid()
    assert "name" in form.errors


def test_the_step_page_refuses_it_and_keeps_the_old_title(client):
    challenge = ChallengeFactory(title="Bewoners beheren het park")
    client.force_login(challenge.initiator)
    response = client.post(
        f"/challenges/{challenge.pk}/plan/task/",
        _task_step(title="Park\u202efdp.exe"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "change the direction of the text" in response.content.decode()
    assert Challenge.objects.get(pk=challenge.pk).title == "Bewoners beheren het park"


def test_a_display_name_with_invisible_characters_is_refused():
    from privacy.forms import ProfileForm

    form = ProfileForm(data={"display_name": "Jan\u200b de Vries", "language": "nl"})
    assert not form.is_valid()
    assert "display_name" in form.errors
    assert ProfileForm(data={"display_name": "Jan de Vries", "language": "nl"}).is_valid()
