"""Attachments on a submission: checked by their content exactly as workspace
documents are, public or for the parties per file, downloads with object-level
permission, timeline events after the submission, constant queries."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from challenges import services
from challenges.constants import EventCode, Status, Visibility
from challenges.models import Attachment
from challenges.services import ServiceError
from tests.challenges.factories import (
    ChallengeFactory,
    ReviewerFactory,
    UserFactory,
    add_co_initiator,
    challenge_in,
)
from tests.core import upload_samples as samples
from tests.partnerships.test_upload_content_view import HOSTILE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PAGE_CACHE_SECONDS = 0
    return settings.MEDIA_ROOT


def upload(challenge, actor, name="plan.pdf", content=None, kind="plan", visibility="public"):
    return services.attachment_upload(
        challenge=challenge,
        actor=actor,
        file=SimpleUploadedFile(name, content if content is not None else samples.pdf()),
        kind=kind,
        visibility=visibility,
    )


def post(client, challenge, name, content, kind="plan", visibility="public"):
    return client.post(
        reverse("challenges:attachments", kwargs={"pk": challenge.pk}),
        {"file": SimpleUploadedFile(name, content), "kind": kind, "visibility": visibility},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def form_errors(response) -> str:
    errors = response.context["form"].errors.values()
    return " ".join(str(e) for errs in errors for e in errs).replace("\xa0", " ")


@pytest.mark.parametrize(
    ("name", "build", "file_type"),
    [
        ("plan.pdf", samples.pdf, "pdf"),
        ("plan.odt", samples.odt, "odt"),
        ("plan.docx", samples.docx, "docx"),
        ("begroting.ods", samples.ods, "ods"),
        ("begroting.xlsx", samples.xlsx, "xlsx"),
        ("foto.png", samples.png, "png"),
        ("foto.jpg", lambda: samples.jpeg(gps=True), "jpeg"),
    ],
)
def test_every_accepted_kind_is_stored_under_a_generated_name(
    client, _media_root, name, build, file_type
):
    draft = ChallengeFactory()
    client.force_login(draft.initiator)
    response = post(client, draft, name, build())
    assert response.status_code == 302
    attachment = Attachment.objects.get(challenge=draft)
    assert (attachment.original_name, attachment.file_type) == (name, file_type)
    assert name.rsplit(".", 1)[0] not in attachment.file.name
    assert (_media_root / attachment.file.name).is_file()
    assert not attachment.is_addition
    # A draft's attachment is part of the plan, not an event.
    assert not draft.events.exists()


@pytest.mark.parametrize(
    ("name", "build", "expected"), HOSTILE, ids=[h[1].__name__ for h in HOSTILE]
)
def test_hostile_files_are_refused_as_workspace_documents_are(
    client, _media_root, name, build, expected
):
    draft = ChallengeFactory()
    client.force_login(draft.initiator)
    response = post(client, draft, name, build())
    assert response.status_code == 400
    assert expected in form_errors(response)
    assert "error-summary" in response.content.decode()
    assert not Attachment.objects.exists()
    assert not [p for p in _media_root.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("plan.pdf", samples.SCRIPT, "whatever its name says"),
        ("plan.html", samples.SCRIPT, "Only PDF, ODT, DOCX, ODS, XLSX, PNG or JPEG files"),
        ("plan.pdf", samples.png(), "is a PNG file, but its name ends in “.pdf”"),
        ("plan.docx", samples.docx_with_remote_template(), ""),
        ("plan.odt", samples.odt_with_basic_macros(), ""),
        ("plan.pdf", samples.pdf_with_xfa(), "XFA"),
        ("leeg.pdf", b"", "The file is empty."),
    ],
)
def test_files_are_judged_by_their_content(client, name, content, expected):
    draft = ChallengeFactory()
    client.force_login(draft.initiator)
    response = post(client, draft, name, content)
    assert response.status_code == 400
    assert expected in form_errors(response)
    assert not Attachment.objects.exists()


def test_a_file_over_the_limit_is_refused(client, settings):
    settings.RTC_MAX_UPLOAD_SIZE = 1024
    draft = ChallengeFactory()
    client.force_login(draft.initiator)
    response = post(client, draft, "groot.pdf", samples.pdf_of_size(4096))
    assert response.status_code == 400
    assert "is larger than" in form_errors(response)
    assert not Attachment.objects.exists()


def test_the_service_refuses_a_path_in_the_name():
    draft = ChallengeFactory()
    with pytest.raises(ServiceError):
        services.attachment_upload(
            challenge=draft,
            actor=draft.initiator,
            file=SimpleUploadedFile("x.pdf", samples.pdf()),
            name="../../x.pdf",
            kind="plan",
            visibility="public",
        )
    assert not Attachment.objects.exists()


def test_bad_kind_or_visibility_and_outsiders_are_refused():
    draft = ChallengeFactory()
    for kind, visibility in [("nonsense", "public"), ("plan", "internal")]:
        with pytest.raises(ServiceError):
            upload(draft, draft.initiator, kind=kind, visibility=visibility)
    with pytest.raises(ServiceError):
        upload(draft, UserFactory())
    assert not Attachment.objects.exists()


def test_at_most_max_attachments(settings, monkeypatch):
    monkeypatch.setattr(services, "MAX_ATTACHMENTS", 2)
    draft = ChallengeFactory()
    upload(draft, draft.initiator)
    upload(draft, draft.initiator)
    with pytest.raises(ServiceError):
        upload(draft, draft.initiator)
    assert Attachment.objects.count() == 2


def test_after_submission_an_attachment_is_an_event_with_its_visibility(reviewer):
    challenge = challenge_in(Status.INTAKE, reviewer=reviewer)
    public = upload(challenge, challenge.initiator, "brief.pdf", visibility="public")
    parties = upload(challenge, challenge.initiator, "begroting.pdf", visibility="parties")
    assert public.is_addition and parties.is_addition
    events = challenge.events.filter(code=EventCode.ATTACHMENT_ADDED).order_by("seq")
    assert [(e.visibility, e.data["name"]) for e in events] == [
        (Visibility.PUBLIC, "brief.pdf"),
        (Visibility.PARTIES, "begroting.pdf"),
    ]
    html = Client().get(challenge.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "brief.pdf" in html and "begroting.pdf" not in html


def _download(client, attachment):
    return client.get(attachment.get_download_url())


def test_downloads_per_visibility_and_stage(reviewer):
    draft = ChallengeFactory()
    teammate = add_co_initiator(draft)
    public = upload(draft, draft.initiator, "plan.pdf", visibility="public")
    parties = upload(draft, teammate, "begroting.pdf", visibility="parties")
    outsider, colleague = UserFactory(), ReviewerFactory()

    def status(user, attachment):
        client = Client()
        if user is not None:
            client.force_login(user)
        return _download(client, attachment).status_code

    # A draft: its team only.
    for attachment in (public, parties):
        assert status(draft.initiator, attachment) == 200
        assert status(teammate, attachment) == 200
        for other in (None, outsider, reviewer):
            assert status(other, attachment) == 404
    challenge_in(Status.INTAKE, challenge=draft, reviewer=reviewer)
    # Submitted: the public file for anyone, the parties' file for the parties.
    for user in (None, outsider, draft.initiator, reviewer, colleague):
        assert status(user, public) == 200
    for user in (draft.initiator, teammate, reviewer, colleague):
        assert status(user, parties) == 200
    for user in (None, outsider):
        assert status(user, parties) == 404
    # Not reachable through another challenge.
    other = ChallengeFactory()
    url = reverse(
        "challenges:attachment-download", kwargs={"pk": other.pk, "attachment_id": public.pk}
    )
    client = Client()
    client.force_login(other.initiator)
    assert client.get(url).status_code == 404


def test_a_download_is_an_attachment_with_its_type_and_nosniff():
    draft = ChallengeFactory()
    attachment = upload(draft, draft.initiator, "foto.png", samples.png())
    client = Client()
    client.force_login(draft.initiator)
    response = _download(client, attachment)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="foto.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    with attachment.file.open("rb") as handle:
        assert b"".join(response.streaming_content) == handle.read()


def test_visibility_changes_and_deletion(reviewer, _media_root):
    draft = ChallengeFactory()
    client = Client()
    client.force_login(draft.initiator)
    attachment = upload(draft, draft.initiator, "plan.pdf", visibility="public")
    url = reverse(
        "challenges:attachment-visibility",
        kwargs={"pk": draft.pk, "attachment_id": attachment.pk},
    )
    assert client.post(url, {"visibility": "parties"}).status_code == 302
    attachment.refresh_from_db()
    assert attachment.visibility == "parties" and not draft.events.exists()
    # Bad input: nothing changes.
    client.post(url, {"visibility": "internal"})
    attachment.refresh_from_db()
    assert attachment.visibility == "parties"
    # Deleting while a draft removes the row and, on commit, the file.
    second = upload(draft, draft.initiator, "weg.pdf")
    delete = reverse(
        "challenges:attachment-delete", kwargs={"pk": draft.pk, "attachment_id": second.pk}
    )
    outsider = Client()
    outsider.force_login(UserFactory())
    assert outsider.post(delete).status_code == 404
    assert Attachment.objects.filter(pk=second.pk).exists()
    assert client.post(delete).status_code == 302
    assert not Attachment.objects.filter(pk=second.pk).exists()

    challenge = challenge_in(Status.INTAKE, challenge=draft, reviewer=reviewer)
    # After the submission: a change of visibility is on the timeline ...
    assert client.post(url, {"visibility": "public"}).status_code == 302
    event = challenge.events.get(code=EventCode.ATTACHMENT_VISIBILITY_CHANGED)
    assert (event.visibility, event.data["to"]) == ("public", "public")
    # ... and deleting is refused.
    delete = reverse(
        "challenges:attachment-delete", kwargs={"pk": draft.pk, "attachment_id": attachment.pk}
    )
    client.post(delete)
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_the_attachments_page_is_the_teams(reviewer):
    draft = ChallengeFactory()
    url = reverse("challenges:attachments", kwargs={"pk": draft.pk})
    assert Client().get(url).status_code == 302  # log in first
    outsider = Client()
    outsider.force_login(UserFactory())
    assert outsider.get(url).status_code == 404  # a draft they may not know
    team = Client()
    team.force_login(draft.initiator)
    assert team.get(url, HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    challenge_in(Status.INTAKE, challenge=draft, reviewer=reviewer)
    assert outsider.get(url).status_code == 403
    staff = Client()
    staff.force_login(reviewer)
    assert staff.get(url).status_code == 403
    response = post(outsider, draft, "plan.pdf", samples.pdf())
    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_uploading_needs_the_csrf_token():
    draft = ChallengeFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(draft.initiator)
    assert post(client, draft, "plan.pdf", samples.pdf()).status_code == 403
    assert not Attachment.objects.exists()


def test_deleting_a_draft_removes_its_attachments(_media_root):
    draft = ChallengeFactory()
    attachment = upload(draft, draft.initiator)
    path = _media_root / attachment.file.name
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.challenge_delete_draft(challenge=draft, actor=draft.initiator)
    assert not Attachment.objects.exists()
    assert not path.exists()


def _bulk(challenge, n: int, visibility: str) -> None:
    Attachment.objects.bulk_create(
        [
            Attachment(
                challenge=challenge,
                kind="support",
                visibility=visibility,
                file=f"challenges/{challenge.pk}/x{i}.pdf",
                original_name=f"bijlage-{i}.pdf",
                file_type="pdf",
                content_type="application/pdf",
                size=1000,
                sha256="0" * 64,
            )
            for i in range(n)
        ]
    )


@pytest.mark.parametrize("who", ["anonymous", "team"])
def test_constant_queries_with_10_and_1000_attachments(reviewer, who):
    counts = []
    for n in (10, 1000):
        challenge = challenge_in(Status.INTAKE, reviewer=reviewer)
        _bulk(challenge, n // 2, "public")
        _bulk(challenge, n - n // 2, "parties")
        client = Client()
        if who == "team":
            client.force_login(challenge.initiator)
        urls = [challenge.get_absolute_url()]
        if who == "team":
            urls.append(reverse("challenges:attachments", kwargs={"pk": challenge.pk}))
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.status_code == 200
            assert "bijlage-1.pdf" in response.content.decode()
            counts.append((url.split("/")[-2], len(ctx.captured_queries)))
    half = len(counts) // 2
    assert [c for _u, c in counts[:half]] == [c for _u, c in counts[half:]]


def test_the_review_page_lists_them(client):
    draft = ChallengeFactory()
    upload(draft, draft.initiator, "openbaar.pdf", visibility="public")
    upload(draft, draft.initiator, "intern.pdf", visibility="parties")
    client.force_login(draft.initiator)
    html = client.get(
        reverse("challenges:review", kwargs={"pk": draft.pk}), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "openbaar.pdf" in html and "intern.pdf" in html
    assert "Attachments for the team and the municipality only" in html


def test_the_privacy_download_lists_them():
    from django.utils import timezone

    from privacy import exporters

    draft = ChallengeFactory()
    upload(draft, draft.initiator, "mijnplan.pdf")
    text = "".join(exporters.stream(draft.initiator, generated_at=timezone.now()))
    assert "mijnplan.pdf" in text and "attachments_uploaded" in text


def test_the_cached_public_page_follows_a_change_of_visibility(
    settings, reviewer, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 300
    challenge = challenge_in(Status.INTAKE, reviewer=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        attachment = upload(challenge, challenge.initiator, "openbaar-plan.pdf")
    anonymous = Client()
    assert "openbaar-plan.pdf" in anonymous.get(challenge.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_set_visibility(
            attachment=attachment, actor=challenge.initiator, visibility="parties"
        )
    html = anonymous.get(challenge.get_absolute_url()).content.decode()
    assert "openbaar-plan.pdf" not in html.split('id="timeline"')[0]
    assert _download(anonymous, attachment).status_code == 404
