"""The workspace pages are valid HTML (Nu Html Checker), in Dutch and in English, in
their interesting states: filled, with errors, with the reflection chart."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from partnerships import services
from partnerships.constants import Side
from partnerships.models import CONTENT_FIELDS, AgreementVersion
from tests.core.upload_samples import pdf

PDF = pdf()
SCORES = {"right_things": 4, "doing_right": 3, "together": 5}
COMMENTS = {"right_things": "Ja.", "doing_right": "Redelijk.", "together": "Goed."}


def url(name, challenge, **kwargs):
    return reverse(f"partnerships:{name}", kwargs={"pk": challenge.pk, **kwargs})


@pytest.mark.parametrize("language", ["nl", "en"])
def test_workspace_pages_are_valid_html(client, in_execution, vnu, tmp_path, language):
    p = in_execution
    today = timezone.localdate()
    services.message_post(challenge=p.challenge, actor=p.challenger, text="Hallo <b>daar</b>")
    services.document_upload(
        challenge=p.challenge, actor=p.municipality, file=SimpleUploadedFile("a.pdf", PDF)
    )
    services.milestone_create(
        challenge=p.challenge,
        actor=p.challenger,
        title="Oogstdag",
        owner_side=Side.CHALLENGER,
        due_date=today,
        is_public=True,
    )
    knot = services.knot_raise(
        challenge=p.challenge,
        actor=p.challenger,
        question="Vraag?",
        decision_needed="Besluit.",
        needed_by=today + timedelta(days=2),
    )
    for _ in range(2):
        round_ = services.reflection_open(challenge=p.challenge, actor=p.challenger, reason="Nu.")
        for person in (p.challenger, p.municipality):
            services.reflection_answer(round=round_, actor=person, scores=SCORES, comments=COMMENTS)
    services.agreement_save_draft(
        challenge=p.challenge,
        actor=p.challenger,
        data={
            **{
                name: getattr(AgreementVersion.objects.get(number=1), name)
                for name in CONTENT_FIELDS
            },
            "results": "Meer.",
        },
    )
    services.agreement_propose(version=AgreementVersion.objects.get(number=2), actor=p.challenger)
    client.force_login(p.challenger)
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    pages = {
        "workspace": client.get(url("workspace", p.challenge), **headers),
        **{
            section: client.get(url(f"workspace-{section}", p.challenge), **headers)
            for section in (
                "messages",
                "documents",
                "contact-persons",
                "agreement",
                "milestones",
                "knots",
                "timeline",
            )
        },
        "version": client.get(url("agreement-version", p.challenge, number=2), **headers),
        "superseded": client.get(url("agreement-version", p.challenge, number=1), **headers),
        "reflections": client.get(url("reflections", p.challenge), **headers),
        "organisation": client.get(url("organisation", p.challenge), **headers),
        "agreement-errors": client.post(url("agreement-draft", p.challenge), {}, **headers),
        "knot-errors": client.post(
            url("knot-resolve", p.challenge, knot_id=knot.pk), {}, **headers
        ),
        "upload-errors": client.post(url("document-upload", p.challenge), {}, **headers),
        "sign-errors": client.post(url("agreement-sign", p.challenge, number=2), {}, **headers),
        "progress": client.get(url("progress", p.challenge), **headers),
    }
    client.force_login(p.coordinator)
    pages["knots"] = client.get(reverse("partnerships:knots"), **headers)
    files = []
    for name, response in pages.items():
        assert response.status_code in (200, 400), (name, response.status_code)
        path = tmp_path / f"{name}-{language}.html"
        path.write_bytes(response.content)
        files.append(path)
    assert vnu(files) == []
