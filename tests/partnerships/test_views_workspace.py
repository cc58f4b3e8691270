"""The shared workspace through its pages: both sides see the same, outsiders get
404, every page renders, and messages, knots and milestones go through their services."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from challenges.constants import Status, Visibility
from challenges.timeline import record_event
from partnerships import selectors, services
from partnerships.constants import MilestoneStatus, PartnershipEvent, Side
from partnerships.models import Knot, Message
from tests.challenges.factories import (
    ChallengeFactory,
    StaffUserFactory,
    challenge_in,
    propose_agreement,
)
from tests.core.upload_samples import pdf
from tests.partnerships.helpers import url

PDF = pdf()


def fill_workspace(p):
    """Something of every kind in the workspace, from both sides, and an internal note."""
    from django.db import transaction

    from challenges import services as challenge_services

    today = timezone.localdate()
    services.message_post(challenge=p.challenge, actor=p.challenger, text="Zullen we dinsdag?")
    services.message_post(challenge=p.challenge, actor=p.municipality, text="Dinsdag is goed.")
    services.document_upload(
        challenge=p.challenge,
        actor=p.challenger,
        file=SimpleUploadedFile("begroting.pdf", PDF),
        description="Begroting per post",
    )
    services.milestone_create(
        challenge=p.challenge,
        actor=p.municipality,
        title="Startbijeenkomst",
        owner_side=Side.MUNICIPALITY,
        due_date=today + timedelta(days=7),
        is_public=True,
    )
    services.knot_raise(
        challenge=p.challenge,
        actor=p.challenger,
        question="Wie betaalt de containers?",
        decision_needed="Besluit van team Afval.",
        needed_by=today + timedelta(days=14),
    )
    v1 = propose_agreement(p.challenge, actor=p.municipality)
    services.agreement_sign(version=v1, actor=p.municipality, digest=v1.digest)
    challenge_services.challenge_add_note(
        challenge=p.challenge,
        actor=p.municipality,
        text="Intern: budget krap.",
        visibility="internal",
    )
    with transaction.atomic():
        record_event(
            challenge=p.challenge,
            code="note",
            visibility=Visibility.PUBLIC,
            actor=p.municipality,
            data={"text": "Openbaar bericht."},
        )


def shown(response) -> dict:
    """What a workspace page shows, by ids read from its HTML."""
    html = response.content.decode()
    return {
        "events": re.findall(r'id="event-(\d+)"', html),
        "messages": re.findall(r'id="message-(\d+)"', html),
        "documents": re.findall(r'id="document-(\d+)"', html),
        "versions": re.findall(r"/agreement/v(\d+)/\"", html),
        "knots": re.findall(r'id="knot-(\d+)"', html),
    }


SECTIONS = [
    "workspace",
    "workspace-messages",
    "workspace-documents",
    "workspace-contact-persons",
    "organisation",
    "workspace-agreement",
    "workspace-milestones",
    "reflections",
    "workspace-knots",
    "workspace-timeline",
]


def test_both_contact_persons_see_the_same_workspace(client, in_agreement):
    p = in_agreement
    fill_workspace(p)
    seen = {}
    for side, person in (("municipality", p.municipality), ("challenger", p.challenger)):
        client.force_login(person)
        pages = {}
        for name in SECTIONS:
            response = client.get(url(name, p.challenge))
            assert response.status_code == 200, name
            pages[name] = response
        seen[side] = {name: shown(response) for name, response in pages.items()}
        seen[side]["context"] = (
            [e.pk for e in pages["workspace-timeline"].context["events"]],
            [m.pk for m in pages["workspace-messages"].context["messages_list"]],
            [d.pk for d in pages["workspace-documents"].context["documents"]],
            [v.number for v in pages["workspace-agreement"].context["versions"]],
        )
    assert seen["municipality"] == seen["challenger"]
    # And it is everything of the parties: events, both messages, the document, v1.
    expected_events = list(
        p.challenge.events.filter(visibility__in=[Visibility.PUBLIC, Visibility.PARTIES])
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
    )
    challenger = seen["challenger"]
    assert challenger["context"][0] == expected_events
    assert len(challenger["workspace-messages"]["messages"]) == 2
    assert len(challenger["workspace-documents"]["documents"]) == 1
    assert challenger["workspace-agreement"]["versions"] == ["1"]
    assert len(challenger["workspace-knots"]["knots"]) == 1
    # The overview shows the latest events only; the timeline section has them all.
    assert challenger["workspace"]["events"] == [str(pk) for pk in expected_events[:5]]
    # Internal notes of the municipality are not part of the shared workspace.
    internal = p.challenge.events.get(visibility=Visibility.INTERNAL)
    for side in ("municipality", "challenger"):
        for name in SECTIONS:
            assert str(internal.pk) not in seen[side][name]["events"], name


@pytest.mark.parametrize("who", ["outsider", "staff_without_role"])
def test_an_outsider_gets_404_on_every_workspace_page(client, in_execution, who):
    p = in_execution
    fill_workspace_minimal = services.message_post(
        challenge=p.challenge, actor=p.challenger, text="Alleen voor ons."
    )
    document = services.document_upload(
        challenge=p.challenge, actor=p.challenger, file=SimpleUploadedFile("a.pdf", PDF)
    )
    knot = services.knot_raise(
        challenge=p.challenge,
        actor=p.challenger,
        question="Vraag?",
        decision_needed="Besluit.",
        needed_by=timezone.localdate(),
    )
    user = p.outsider if who == "outsider" else StaffUserFactory()
    client.force_login(user)
    pages = [
        *(url(name, p.challenge) for name in SECTIONS),
        url("contact-person", p.challenge, side="challenger"),
        url("agreement-draft", p.challenge),
        url("agreement-version", p.challenge, number=1),
        url("milestone-new", p.challenge),
        url("knot-new", p.challenge),
        url("knot-resolve", p.challenge, knot_id=knot.pk),
        url("message-new", p.challenge),
        url("document-upload", p.challenge),
        url("document-download", p.challenge, document_id=document.pk),
        reverse("partnerships:knots"),
    ]
    for page in pages:
        assert client.get(page).status_code == 404, page
    assert client.post(url("message-new", p.challenge), {"text": "Hoi"}).status_code == 404
    assert Message.objects.filter(challenge=p.challenge).count() == 1
    assert fill_workspace_minimal.text == "Alleen voor ons."


def test_anonymous_visitors_are_sent_to_the_login(client, in_execution):
    for name in SECTIONS:
        response = client.get(url(name, in_execution.challenge))
        assert response.status_code == 302, name
        assert reverse("account_login") in response.url


def test_a_draft_has_no_workspace(client, resident):
    draft = ChallengeFactory(initiator=resident)
    client.force_login(resident)
    assert client.get(url("workspace", draft)).status_code == 404


def test_every_page_renders_for_both_sides(client, in_execution):
    p = in_execution
    fill_workspace_minimal = services.knot_raise(
        challenge=p.challenge,
        actor=p.challenger,
        question="Vraag?",
        decision_needed="Besluit.",
        needed_by=timezone.localdate(),
    )
    round_ = services.reflection_open(challenge=p.challenge, actor=p.challenger, reason="Nu.")
    milestone = services.milestone_create(
        challenge=p.challenge,
        actor=p.challenger,
        title="Mijlpaal",
        owner_side=Side.CHALLENGER,
        due_date=timezone.localdate(),
    )
    pages = [
        *(url(name, p.challenge) for name in SECTIONS),
        url("agreement-draft", p.challenge),
        url("agreement-version", p.challenge, number=1),
        url("milestone-new", p.challenge),
        url("milestone-edit", p.challenge, milestone_id=milestone.pk),
        url("reflection-answer", p.challenge, round_id=round_.pk),
        url("knot-new", p.challenge),
        url("knot-resolve", p.challenge, knot_id=fill_workspace_minimal.pk),
        url("message-new", p.challenge),
        url("document-upload", p.challenge),
    ]
    for person in (p.challenger, p.municipality):
        client.force_login(person)
        for page in pages:
            response = client.get(page, HTTP_ACCEPT_LANGUAGE="en")
            assert response.status_code == 200, (person, page)
    client.force_login(p.municipality)
    assert client.get(url("contact-person", p.challenge, side="municipality")).status_code == 200
    client.force_login(p.challenger)
    assert client.get(url("contact-person", p.challenge, side="challenger")).status_code == 200
    # The challenger cannot name the municipality's contact person.
    assert client.get(url("contact-person", p.challenge, side="municipality")).status_code == 403


def test_messages_knots_and_milestones_through_the_pages(client, in_execution):
    p = in_execution
    client.force_login(p.challenger)
    response = client.post(url("message-new", p.challenge), {"text": "Goedemorgen!"})
    assert response.status_code == 302
    assert Message.objects.get(challenge=p.challenge).text == "Goedemorgen!"
    needed_by = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(
        url("knot-new", p.challenge),
        {"question": "Sleutel?", "decision_needed": "Wie beheert hem?", "needed_by": needed_by},
    )
    assert response.status_code == 302
    knot = Knot.objects.get(challenge=p.challenge)
    client.force_login(p.coordinator)
    overview = client.get(reverse("partnerships:knots"))
    assert "Sleutel?" in overview.content.decode()
    response = client.post(
        url("knot-resolve", p.challenge, knot_id=knot.pk), {"decision": "De beheerder."}
    )
    assert response.status_code == 302
    knot.refresh_from_db()
    assert knot.decision == "De beheerder."
    assert "Sleutel?" not in client.get(reverse("partnerships:knots")).content.decode()

    response = client.post(
        url("milestone-new", p.challenge),
        {
            "title": "Oogstdag",
            "owner_side": "challenger",
            "due_date": needed_by,
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    milestone = selectors.milestones(p.challenge).get()
    response = client.post(
        url("milestone-edit", p.challenge, milestone_id=milestone.pk),
        {"status": MilestoneStatus.DONE, "due_date": needed_by, "note": ""},
    )
    assert response.status_code == 302
    # Public progress: on its public page and through the tag for the challenge page.
    client.logout()
    public = client.get(url("progress", p.challenge), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Oogstdag" in public and "1 of 1 public milestones done" in public
    assert p.challenge.events.filter(
        code=PartnershipEvent.MILESTONE_UPDATED, visibility=Visibility.PUBLIC
    ).exists()


def test_the_workspace_page_has_a_constant_number_of_queries(client, in_execution):
    p = in_execution

    def count() -> int:
        client.force_login(p.challenger)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("workspace", p.challenge)).status_code == 200
        return len(queries)

    fill = lambda n: [  # noqa: E731
        services.message_post(challenge=p.challenge, actor=p.challenger, text=f"Bericht {i}")
        for i in range(n)
    ]
    fill(1)
    first = count()
    fill(10)
    for i in range(5):
        services.knot_raise(
            challenge=p.challenge,
            actor=p.municipality,
            question=f"Knoop {i}",
            decision_needed="Besluit.",
            needed_by=timezone.localdate(),
        )
    assert count() <= first + 2  # the knot list and its empty/full branch, not per item


def test_a_closed_challenge_keeps_a_readable_workspace(client, db):
    challenge = challenge_in(Status.COMPLETED)
    client.force_login(challenge.initiator)
    response = client.get(url("workspace", challenge))
    assert response.status_code == 200
    assert response.context["can_work"] is False
    assert client.get(url("message-new", challenge)).status_code == 403
