"""The partnerships in the admin: read-only records, every change through a service."""

import html
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from partnerships import selectors, services
from partnerships.constants import KnotStatus, MilestoneStatus, PartnershipEvent, Side
from partnerships.models import (
    AgreementVersion,
    ContactPerson,
    Document,
    Knot,
    Message,
    Milestone,
    ReflectionRound,
)
from tests.challenges.factories import agreement_content
from tests.core import upload_samples

MODELS = [
    "organisation",
    "contactperson",
    "agreementversion",
    "milestone",
    "reflectionround",
    "knot",
    "message",
    "document",
]


def admin_url(model, action="changelist", *args):
    return reverse(f"admin:partnerships_{model}_{action}", args=args)


def test_staff_groups_may_view_and_add_but_never_delete(db):
    for name in ("Reviewer", "Coordinator"):
        codenames = set(
            Group.objects.get(name=name)
            .permissions.filter(content_type__app_label="partnerships")
            .values_list("codename", flat=True)
        )
        assert {f"view_{model}" for model in MODELS} <= codenames
        assert {"add_contactperson", "add_knot", "change_knot", "add_milestone"} <= codenames
        assert not any(codename.startswith("delete_") for codename in codenames)
        assert "view_reflectionanswer" not in codenames


def test_every_list_and_add_page_opens_for_a_reviewer(client, in_execution):
    p = in_execution
    client.force_login(p.colleague)
    for model in MODELS:
        assert client.get(admin_url(model)).status_code == 200, model
        if model != "organisation":
            assert client.get(admin_url(model, "add")).status_code == 200, model
    version = selectors.agreement_in_force(p.challenge)
    response = client.get(admin_url("agreementversion", "change", version.pk))
    assert response.status_code == 200
    assert version.digest in response.content.decode()


def test_a_resident_cannot_enter(client, in_execution):
    client.force_login(in_execution.challenger)
    assert client.get(admin_url("knot")).status_code == 302


def test_contact_person_handover_from_the_admin(client, in_execution):
    p = in_execution
    client.force_login(p.colleague)
    data = {
        "challenge": p.challenge.pk,
        "side": Side.MUNICIPALITY,
        "user": p.colleague.pk,
        "mandate": "Planning en budget.",
        "reason": "",
    }
    response = client.post(admin_url("contactperson", "add"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Say why the contact person changes." in response.content.decode()
    response = client.post(admin_url("contactperson", "add"), {**data, "reason": "Verlof."})
    assert response.status_code == 302
    active = selectors.active_contact_persons(p.challenge)[Side.MUNICIPALITY]
    assert active.user == p.colleague and active.reason == "Verlof."
    assert response.url == admin_url("contactperson", "change", active.pk)
    assert p.challenge.events.filter(code=PartnershipEvent.CONTACT_PERSON_HANDED_OVER).exists()
    assert ContactPerson.objects.filter(challenge=p.challenge).count() == 3


def test_agreement_drafted_proposed_and_signed_from_the_admin(client, in_agreement):
    p = in_agreement
    client.force_login(p.municipality)
    content = agreement_content()
    data = {
        **{k: v for k, v in content.items() if k != "evaluation_dates"},
        "evaluation_dates": "\n".join(d.isoformat() for d in content["evaluation_dates"]),
        "challenge": p.challenge.pk,
    }
    response = client.post(admin_url("agreementversion", "add"), data)
    assert response.status_code == 302
    version = AgreementVersion.objects.get(challenge=p.challenge)
    response = client.post(reverse("admin:partnerships_version_propose", args=[version.pk]))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.digest
    sign = reverse("admin:partnerships_version_sign", args=[version.pk])
    response = client.post(sign, {"digest": version.digest, "confirm": "on"})
    assert response.status_code == 302
    assert version.signatures.get().side == Side.MUNICIPALITY
    # Another reviewer is not the contact person: the service refuses, the form says so.
    client.force_login(p.colleague)
    response = client.post(sign, {"digest": version.digest, "confirm": "on"})
    assert response.status_code == 200
    assert version.signatures.count() == 1


def test_knots_are_listed_open_first_by_date_and_cut_from_the_admin(client, in_execution):
    p = in_execution
    today = timezone.localdate()
    later = services.knot_raise(
        challenge=p.challenge,
        actor=p.challenger,
        question="Later?",
        decision_needed="Besluit.",
        needed_by=today + timedelta(days=9),
    )
    sooner = services.knot_raise(
        challenge=p.challenge,
        actor=p.challenger,
        question="Eerder?",
        decision_needed="Besluit.",
        needed_by=today + timedelta(days=2),
    )
    client.force_login(p.coordinator)
    assert list(client.get(admin_url("knot")).context["cl"].result_list) == [sooner, later]
    response = client.post(
        reverse("admin:partnerships_knot_resolve", args=[sooner.pk]), {"decision": "Ja."}
    )
    assert response.status_code == 302
    sooner.refresh_from_db()
    assert sooner.status == KnotStatus.RESOLVED and sooner.resolved_by == p.coordinator
    assert list(client.get(admin_url("knot")).context["cl"].result_list) == [later]
    everything = client.get(admin_url("knot"), {"knot_status": "all"}).context["cl"].result_list
    assert set(everything) == {sooner, later}


def test_reflection_answers_stay_hidden_in_the_admin_until_both_answered(client, in_execution):
    p = in_execution
    round_ = services.reflection_open(challenge=p.challenge, actor=p.challenger, reason="Nu.")
    scores = {"right_things": 2, "doing_right": 2, "together": 2}
    comments = {"right_things": "GEHEIM", "doing_right": "GEHEIM", "together": "GEHEIM"}
    services.reflection_answer(round=round_, actor=p.challenger, scores=scores, comments=comments)
    client.force_login(p.colleague)
    page = client.get(admin_url("reflectionround", "change", round_.pk)).content.decode()
    assert "GEHEIM" not in page
    response = client.post(
        reverse("admin:partnerships_reflection_answer", args=[round_.pk]),
        {
            "right_things": "4",
            "right_things_comment": "Open.",
            "doing_right": "4",
            "doing_right_comment": "Open.",
            "together": "4",
            "together_comment": "Open.",
        },
    )
    assert response.status_code == 302
    assert ReflectionRound.objects.get(pk=round_.pk).is_revealed
    page = client.get(admin_url("reflectionround", "change", round_.pk)).content.decode()
    assert "GEHEIM" in page and "Open." in page


def test_milestones_messages_and_documents_from_the_admin(client, in_execution):
    p = in_execution
    client.force_login(p.municipality)
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = client.post(
        admin_url("milestone", "add"),
        {
            "challenge": p.challenge.pk,
            "title": "Schouw",
            "owner_side": "municipality",
            "due_date": due,
        },
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get(challenge=p.challenge)
    response = client.post(
        reverse("admin:partnerships_milestone_update", args=[milestone.pk]),
        {"status": MilestoneStatus.IN_PROGRESS, "due_date": due, "note": ""},
    )
    assert response.status_code == 302
    assert Milestone.objects.get().status == MilestoneStatus.IN_PROGRESS

    response = client.post(
        admin_url("message", "add"), {"challenge": p.challenge.pk, "text": "Vanuit de admin."}
    )
    assert response.status_code == 302
    assert Message.objects.get().side == Side.MUNICIPALITY

    web_page = SimpleUploadedFile("rapport.pdf", b"<html>geen pdf</html>")
    response = client.post(
        admin_url("document", "add"),
        {"challenge": p.challenge.pk, "file": web_page, "description": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "whatever its name says" in response.content.decode()
    pdf = SimpleUploadedFile("rapport.pdf", upload_samples.pdf())
    response = client.post(
        admin_url("document", "add"), {"challenge": p.challenge.pk, "file": pdf, "description": ""}
    )
    assert response.status_code == 302
    document = Document.objects.get()
    page = client.get(admin_url("document", "change", document.pk)).content.decode()
    assert (
        reverse(
            "partnerships:document-download",
            kwargs={"pk": p.challenge.pk, "document_id": document.pk},
        )
        in page
    )


@pytest.mark.parametrize("model", MODELS)
def test_nothing_is_deleted_from_the_admin(client, in_execution, model):
    client.force_login(in_execution.colleague)
    response = client.get(admin_url(model))
    assert 'value="delete_selected"' not in response.content.decode()


def test_knot_rows_are_the_model_rows(db):
    assert Knot._meta.ordering == ["needed_by", "pk"]


def test_the_admin_transition_form_says_what_is_missing(client, in_intake, in_agreement):
    """The guarded steps are offered; taking one too early explains what is missing."""
    for parties, target, expected in (
        (in_intake, "assessment", "Still missing: the municipality's contact person"),
        (in_agreement, "execution", "There is no agreement yet"),
    ):
        challenge = parties.challenge
        transition = reverse("admin:challenges_challenge_transition", args=[challenge.pk])
        client.force_login(parties.municipality)
        page = client.get(transition)
        assert target in dict(page.context["form"].fields["to_status"].choices)
        response = client.post(
            transition,
            {"to_status": target, "motivation": "", "expected_status": challenge.status},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 200
        assert expected in html.unescape(response.content.decode())
        before = challenge.status
        challenge.refresh_from_db()
        assert challenge.status == before
