"""The demo shows support with offers and a question with its answers on public
challenges, made through the services, and seeding twice adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from challenges.constants import Status
from community.constants import AnswerRole, CommunityEvent
from community.models import Answer, Question, Support

pytestmark = pytest.mark.django_db


def seed() -> None:
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())


def test_the_demo_has_supports_offers_and_answered_questions():
    seed()
    supports = Support.objects.select_related("challenge")
    assert supports.count() >= 5
    assert all(s.challenge.status != Status.DRAFT for s in supports)
    assert supports.exclude(offer="").count() >= 3
    assert supports.filter(show_name=True).exists()
    question = Question.objects.get(text__startswith="Blijft het grasveld")
    roles = set(Answer.objects.filter(question=question).values_list("role", flat=True))
    assert roles == {AnswerRole.TEAM, AnswerRole.MUNICIPALITY}
    assert question.event.code == CommunityEvent.QUESTION_ASKED
    assert question.challenge.events.filter(code=CommunityEvent.SUPPORT_COUNTED).exists()
    before = (Support.objects.count(), Question.objects.count(), Answer.objects.count())
    seed()
    assert (Support.objects.count(), Question.objects.count(), Answer.objects.count()) == before
