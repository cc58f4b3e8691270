"""A person's support, questions, answers and reports are in their data download,
and deleting the account removes or erases them everywhere while the log verifies."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from challenges.constants import Status
from challenges.management.commands.verify_log import verify_log
from challenges.models import TimelineEvent
from community import services
from community.models import Question, Report, Support
from tests.challenges.factories import DEFAULT_PASSWORD, NeighbourhoodFactory, UserFactory
from tests.community.factories import answer, public_challenge, question, support

pytestmark = pytest.mark.django_db
TEXT = "Komt er ook een hondenuitlaatveld, vraagt Jantje Bakkersma?"


@pytest.fixture
def active_resident(db):
    person = UserFactory()
    challenge = public_challenge(Status.INTAKE)
    place = NeighbourhoodFactory(name="Schildersbuurt")
    support(challenge, person, neighbourhood=place, offer="Ik verf de bankjes", show_name=True)
    asked = question(challenge, person, TEXT)
    answer(asked, challenge.initiator)
    other = question(challenge, UserFactory(), "Andermans vraag")
    services.post_report(post=other, actor=person, reason="Dubbel gesteld")
    services.supporter_message(
        support=Support.objects.get(user=person), actor=challenge.initiator, text="Dank je!"
    )
    return person, challenge, asked


def test_the_download_holds_support_questions_and_reports(active_resident):
    person, challenge, _asked = active_resident
    client = Client()
    client.force_login(person)
    response = client.get(reverse("privacy:export"), HTTP_ACCEPT_LANGUAGE="en")
    data = json.loads(b"".join(response.streaming_content))
    assert [row["offer"] for row in data["supports"]] == ["Ik verf de bankjes"]
    assert data["supports"][0]["neighbourhood__name"] == "Schildersbuurt"
    assert [row["text"] for row in data["questions_asked"]] == [TEXT]
    assert [row["reason"] for row in data["posts_reported"]] == ["Dubbel gesteld"]
    assert "Andermans vraag" not in json.dumps(data)


def test_deleting_the_account_removes_support_and_erases_posts(
    active_resident, django_capture_on_commit_callbacks
):
    person, challenge, asked = active_resident
    client = Client()
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("privacy:delete"), {"password": DEFAULT_PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 302
    assert not Support.objects.filter(user=person).exists()
    assert not Report.objects.filter(reporter=person).exists()
    erased = Question.objects.get(pk=asked.pk)
    assert erased.text == "" and erased.author is None and erased.erased_at is not None
    assert TimelineEvent.objects.get(pk=asked.event_id).erased_at is not None
    # The team's message named them: erased as a mention.
    message = challenge.events.get(code="supporter_messaged")
    assert message.erased_at is not None
    page = Client().get(challenge.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert TEXT not in page
    assert (
        "Content removed (at the request of the person concerned, or a post the municipality hid)."
        in page
    )
    assert "1 person supports" not in page
    verify_log(in_process=True)
