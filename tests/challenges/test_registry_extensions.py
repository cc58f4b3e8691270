"""The registries through which higher apps add to a challenge's pages and mails:
sections of the challenge page, facts for the reviewer, attachments of an e-mail."""

import dataclasses

import pytest
from django.core import mail
from django.urls import reverse

from challenges import registry, services
from challenges.constants import EventCode, Status
from tests.challenges.factories import ReviewerFactory, challenge_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def scratch(monkeypatch, settings):
    settings.PAGE_CACHE_SECONDS = 0
    monkeypatch.setattr(registry, "_DETAIL_SECTIONS", dict(registry._DETAIL_SECTIONS))
    monkeypatch.setattr(registry, "_REVIEW_FACTS", list(registry._REVIEW_FACTS))
    monkeypatch.setattr(registry, "_EVENT_TYPES", dict(registry._EVENT_TYPES))


def _section(code, place, *, shown=True, order=100):
    def context(request, challenge, page_context):
        if not shown:
            return None
        return {"text": f"{code} of {challenge.reference}"}

    return registry.DetailSection(
        code=code,
        template="includes/error_summary.html",
        context=context,
        place=place,
        order=order,
    )


def test_a_section_appears_in_its_place_with_its_context(scratch, client, monkeypatch):
    challenge = challenge_in(Status.SUBMITTED)
    seen = []

    def context(request, challenge_, page_context):
        seen.append((challenge_.pk, page_context["challenge"].pk, page_context["is_team"]))
        return {"reference": challenge_.reference}

    registry.register_detail_section(
        registry.DetailSection(
            code="probe", template="includes/error_summary.html", context=context, place="aside"
        )
    )
    registry.register_detail_section(_section("hidden", "main", shown=False))
    response = client.get(challenge.get_absolute_url())
    assert response.status_code == 200
    assert seen == [(challenge.pk, challenge.pk, False)]
    sections = response.context["sections"]
    probes = {
        place: [s for s in placed if s["template"] == "includes/error_summary.html"]
        for place, placed in sections.items()
    }
    assert probes["aside"] == [
        {"template": "includes/error_summary.html", "context": {"reference": challenge.reference}}
    ]
    assert probes["main"] == []  # the section that said None is not drawn


def test_sections_are_sorted_and_a_code_is_registered_once(scratch):
    registry.register_detail_section(_section("b", "main", order=20))
    registry.register_detail_section(_section("a", "main", order=10))
    codes = [s.code for s in registry.detail_sections()]
    assert codes.index("a") < codes.index("b")
    with pytest.raises(ValueError):
        registry.register_detail_section(_section("a", "aside", order=10))


def test_review_facts_appear_on_the_admin_challenge_page(scratch, client):
    reviewer = ReviewerFactory()
    challenge = challenge_in(Status.ASSESSMENT, reviewer=reviewer)
    registry.register_review_facts(lambda c: [("Probe figure", f"{c.reference}-42")])
    client.force_login(reviewer)
    response = client.get(
        reverse("admin:challenges_challenge_change", args=[challenge.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert f"{challenge.reference}-42" in response.content.decode()
    assert "For the assessment" in response.content.decode()


def test_an_event_type_attaches_its_files_to_every_mail_about_it(
    scratch, django_capture_on_commit_callbacks
):
    reviewer = ReviewerFactory()
    challenge = challenge_in(Status.SUBMITTED, reviewer=reviewer)
    made = []

    def attachments(event):
        made.append(event.pk)
        return [("probe.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")]

    declared = registry.event_type(EventCode.STATUS_CHANGED)
    registry._EVENT_TYPES[declared.code] = dataclasses.replace(declared, attachments=attachments)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.challenge_transition(challenge=challenge, to_status=Status.INTAKE, actor=reviewer)
    assert mail.outbox, "the initiator is told of the stage change"
    for message in mail.outbox:
        assert [(a[0], a[2]) for a in message.attachments] == [("probe.ics", "text/calendar")]
        assert "BEGIN:VCALENDAR" in message.message().as_string()
    assert len(set(made)) == 1 and len(made) == 1  # made once for all recipients
