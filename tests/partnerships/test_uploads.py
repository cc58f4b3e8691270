"""Documents in the workspace: checked by their content, at most 10 MB, stored under a
generated name, and only ever downloaded as an attachment by the parties. (Hostile
content, file by file: tests/core/test_uploads_content.py.)"""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT
from django.urls import reverse
from django.utils import translation
from PIL import Image

from challenges.services import ServiceError
from partnerships import services
from partnerships.constants import PartnershipEvent
from partnerships.models import Document
from tests.core.upload_samples import jpeg, pdf, pdf_of_size, png

MB = 1024 * 1024
PDF = pdf()
PNG = png()
JPEG = jpeg()
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text"
        )  # stored first, uncompressed, as ODF requires
        package.writestr("content.xml", "<office:document-content/>")
        package.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    return buffer.getvalue()


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        package.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("notes.txt", "Geen document.")
    return buffer.getvalue()


def upload_url(challenge) -> str:
    return reverse("partnerships:document-upload", kwargs={"pk": challenge.pk})


def post_file(client, challenge, name: str, content: bytes, **headers):
    return client.post(
        upload_url(challenge),
        {"file": SimpleUploadedFile(name, content), "description": "Stuk"},
        HTTP_ACCEPT_LANGUAGE="en",
        **headers,
    )


def post_raw_name(client, challenge, raw_name: str, content: bytes):
    """Send a file name exactly as given (the test client would drop a folder part)."""
    body = (
        (
            f"--{BOUNDARY}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{raw_name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="description"\r\n\r\n'
        f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return client.generic(
        "POST",
        upload_url(challenge),
        body,
        content_type=MULTIPART_CONTENT,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def errors(response) -> str:
    text = " ".join(
        " ".join(str(e) for e in errs) for errs in response.context["form"].errors.values()
    )
    return text.replace("\xa0", " ")


@pytest.mark.parametrize(
    ("name", "content", "kind", "content_type"),
    [
        ("begroting.pdf", PDF, "pdf", "application/pdf"),
        ("Plattegrond.PNG", PNG, "png", "image/png"),
        ("foto.jpg", JPEG, "jpeg", "image/jpeg"),
        ("foto.jpeg", JPEG, "jpeg", "image/jpeg"),
        ("werkplan.odt", odt(), "odt", "application/vnd.oasis.opendocument.text"),
        (
            "werkplan.docx",
            docx(),
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_accepted_documents_are_stored_under_a_generated_name(
    client, in_agreement, _media_root, name, content, kind, content_type
):
    p = in_agreement
    client.force_login(p.challenger)
    response = post_file(client, p.challenge, name, content)
    assert response.status_code == 302, errors(response) if response.status_code == 400 else ""
    document = Document.objects.get(challenge=p.challenge)
    assert (document.original_name, document.kind, document.content_type) == (
        name,
        kind,
        content_type,
    )
    assert re.fullmatch(
        rf"partnerships/{p.challenge.pk}/[0-9a-f]{{32}}\.{kind}", document.file.name
    )
    stored = (_media_root / document.file.name).read_bytes()
    if kind in ("png", "jpeg"):
        # An image is stored re-encoded from its pixels (tests/core/test_uploads_content.py).
        assert Image.open(io.BytesIO(stored)).size == Image.open(io.BytesIO(content)).size
    else:
        assert stored == content
    assert document.size == len(stored)
    assert name.rsplit(".", 1)[0] not in document.file.name
    event = p.challenge.events.get(code=PartnershipEvent.DOCUMENT_UPLOADED)
    assert event.data["name"] == name and event.data["document"] == document.pk


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("plan.pdf", HTML, "is not a PDF, ODT, DOCX, PNG or JPEG file, whatever its name says"),
        ("plan.html", HTML, "Only PDF, ODT, DOCX, PNG or JPEG files can be shared"),
        ("plan.pdf", PNG, "is a PNG file, but its name ends in “.pdf”"),
        ("plan.docx", plain_zip(), "whatever its name says"),
        ("plan.odt", docx(), "is a DOCX file, but its name ends in “.odt”"),
        ("plan", PDF, "Only PDF"),
        ("leeg.pdf", b"", "The file is empty."),
    ],
)
def test_files_are_judged_by_their_content(client, in_agreement, name, content, expected):
    p = in_agreement
    client.force_login(p.challenger)
    response = post_file(client, p.challenge, name, content)
    assert response.status_code == 400
    assert expected in errors(response)
    assert "error-summary" in response.content.decode()
    assert not Document.objects.exists()


def test_an_html_file_renamed_to_pdf_is_refused(client, in_agreement, _media_root):
    p = in_agreement
    client.force_login(p.municipality)
    response = post_file(client, p.challenge, "overeenkomst.pdf", HTML)
    assert response.status_code == 400
    assert "The content of “overeenkomst.pdf” is not a PDF, ODT, DOCX, PNG or JPEG file" in errors(
        response
    )
    assert not Document.objects.exists()
    assert not list(_media_root.rglob("*.*"))


def test_a_file_over_10_mb_is_refused_and_never_stored(client, in_agreement, _media_root):
    p = in_agreement
    client.force_login(p.challenger)
    response = post_file(client, p.challenge, "groot.pdf", PDF + b"0" * (10 * MB + 1 - len(PDF)))
    assert response.status_code == 400
    assert "The file “groot.pdf” is larger than 10.0 MB" in errors(response)
    assert not Document.objects.exists()
    assert not list(_media_root.rglob("*.*"))
    # Exactly 10 MB is allowed.
    response = post_file(client, p.challenge, "precies.pdf", pdf_of_size(10 * MB))
    assert response.status_code == 302
    assert Document.objects.get().size == 10 * MB


@pytest.mark.parametrize(
    "raw_name",
    ["../../etc/passwd.pdf", "..\\..\\windows\\plan.pdf", "/tmp/plan.pdf", "C:\\plan.pdf", ".."],
)
def test_a_path_in_the_file_name_is_refused(client, in_agreement, raw_name, _media_root):
    p = in_agreement
    client.force_login(p.challenger)
    response = post_raw_name(client, p.challenge, raw_name, PDF)
    assert response.status_code == 400
    assert "contains a folder path" in errors(response)
    assert not Document.objects.exists()
    assert not list(_media_root.rglob("*.*"))


def test_the_service_refuses_a_path_in_the_name_too(in_agreement):
    p = in_agreement
    with pytest.raises(ServiceError) as refused:
        services.document_upload(
            challenge=p.challenge,
            actor=p.challenger,
            file=SimpleUploadedFile("x.pdf", PDF),
            name="../../x.pdf",
        )
    with translation.override("en"):
        assert "contains a folder path" in " ".join(refused.value.messages)


def test_a_document_is_downloaded_as_an_attachment_by_the_parties_only(client, in_agreement):
    p = in_agreement
    document = services.document_upload(
        challenge=p.challenge, actor=p.challenger, file=SimpleUploadedFile("foto.png", PNG)
    )
    url = reverse(
        "partnerships:document-download",
        kwargs={"pk": p.challenge.pk, "document_id": document.pk},
    )
    with document.file.open("rb") as handle:
        stored = handle.read()
    for person in (p.challenger, p.co_initiator, p.municipality, p.colleague):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="foto.png"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "image/png"
        assert "sandbox" in response["Content-Security-Policy"]
        assert b"".join(response.streaming_content) == stored
    client.force_login(p.outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    # A document of another challenge is not reachable through this one.
    other = reverse(
        "partnerships:document-download", kwargs={"pk": p.challenge.pk + 999, "document_id": 1}
    )
    client.force_login(p.challenger)
    assert client.get(other).status_code == 404


def test_uploading_needs_the_csrf_token(in_agreement):
    from django.test import Client

    p = in_agreement
    client = Client(enforce_csrf_checks=True)
    client.force_login(p.challenger)
    response = post_file(client, p.challenge, "plan.pdf", PDF)
    assert response.status_code == 403
    assert not Document.objects.exists()
