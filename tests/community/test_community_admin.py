"""The admin lists of the community app: read-only, no drafts, reports of questions
and of answers both listed, and a reviewer reaches them (view permission from the
data migration)."""

import pytest
from django.test import Client
from django.urls import reverse

from community import services
from community.models import Answer, Question, Report, Support
from tests.challenges.factories import (
    ChallengeFactory,
    ReviewerFactory,
    StaffUserFactory,
    UserFactory,
)
from tests.community.factories import answer, public_challenge, question, support

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_lists_show_no_drafts_and_both_kinds_of_report():
    reviewer = ReviewerFactory()
    challenge = public_challenge()
    support(challenge, offer="Zichtbaar aanbod")
    asked = question(challenge, text="Zichtbare vraag")
    given = answer(asked, challenge.initiator, "Zichtbaar antwoord")
    services.post_report(post=asked, actor=UserFactory(), reason="Melding bij vraag")
    services.post_report(post=given, actor=UserFactory(), reason="Melding bij antwoord")
    # Rows on a draft cannot be made through the services; written by hand here.
    draft = ChallengeFactory()
    Support.objects.create(challenge=draft, user=UserFactory(), offer="Concept aanbod")
    hidden_question = Question.objects.create(challenge=draft, text="Conceptvraag")
    hidden_answer = Answer.objects.create(
        question=hidden_question, text="Conceptantwoord", role="team"
    )
    Report.objects.create(answer=hidden_answer, reporter=UserFactory(), reason="Conceptmelding")

    client = Client()
    client.force_login(reviewer)
    pages = {
        name: client.get(reverse(f"admin:community_{name}_changelist"), **EN).content.decode()
        for name in ("support", "question", "answer", "report")
    }
    assert "Zichtbare vraag" in pages["question"]
    assert "Zichtbaar antwoord" in pages["answer"]
    assert "Melding bij vraag" in pages["report"] and "Melding bij antwoord" in pages["report"]
    for html in pages.values():
        for secret in ("Concept aanbod", "Conceptvraag", "Conceptantwoord", "Conceptmelding"):
            assert secret not in html
    # One public support listed, not the draft's (the list shows no offer text).
    assert "1 support\n" in pages["support"] or "1 support<" in pages["support"]
    assert client.get(reverse("admin:community_question_add")).status_code == 403


def test_staff_without_a_role_does_not_see_the_lists():
    client = Client()
    client.force_login(StaffUserFactory())
    assert client.get(reverse("admin:community_question_changelist")).status_code == 403
