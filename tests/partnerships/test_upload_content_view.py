"""Hostile files through the workspace's upload page: the refusal is on the form (and in
its error summary), and nothing is stored, neither a row nor
a file. An image is stored as its re-encoded, clean copy."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from partnerships.models import Document
from tests.core import upload_samples as samples


def post(client, challenge, name: str, content: bytes):
    return client.post(
        reverse("partnerships:document-upload", kwargs={"pk": challenge.pk}),
        {"file": SimpleUploadedFile(name, content), "description": "Stuk"},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def form_errors(response) -> str:
    errors = response.context["form"].errors.values()
    return " ".join(str(e) for errs in errors for e in errs).replace("\xa0", " ")


HOSTILE = [
    ("overeenkomst.pdf", samples.html_with_pdf_header, "contains web page code (HTML)"),
    ("stuk.pdf", samples.pdf_with_open_action_javascript, "contains JavaScript"),
    ("stuk.pdf", samples.pdf_with_launch, "starts another program"),
    ("stuk.pdf", samples.pdf_with_embedded_file, "has other files embedded in it"),
    ("stuk.pdf", samples.encrypted_pdf, "is protected with a password or encryption"),
    ("stuk.pdf", lambda: b"%PDF-1.4\n%%EOF\n", "cannot be read as a PDF file"),
    ("werkplan.docx", samples.docx_bomb, "unpacks to more than 100.0 MB"),
    ("werkplan.docx", lambda: samples.docx_with_many_entries(1001), "more than 1000 parts"),
    ("werkplan.docx", samples.docx_with_macros, "contains macros"),
    ("kaart.png", samples.png_bomb, "has more than 50 million pixels"),
]


@pytest.mark.parametrize(
    ("name", "build", "expected"), HOSTILE, ids=[h[1].__name__ for h in HOSTILE]
)
def test_a_hostile_file_is_refused_on_the_form_and_nothing_is_stored(
    client, in_agreement, _media_root, name, build, expected
):
    p = in_agreement
    client.force_login(p.challenger)
    response = post(client, p.challenge, name, build())
    # A refused upload answers 400 with the page and the reason on the form.
    assert response.status_code == 400
    assert expected in form_errors(response)
    page = response.content.decode().replace("\xa0", " ")
    assert "error-summary" in page
    assert name in page
    assert not Document.objects.exists()
    assert not [path for path in _media_root.rglob("*") if path.is_file()]
    assert not p.challenge.events.filter(code="document_uploaded").exists()


def test_a_polyglot_jpeg_is_stored_as_the_clean_jpeg(client, in_agreement, _media_root):
    p = in_agreement
    client.force_login(p.challenger)
    data = samples.jpeg_html_polyglot()
    response = post(client, p.challenge, "foto.jpg", data)
    assert response.status_code == 302
    document = Document.objects.get()
    stored = (_media_root / document.file.name).read_bytes()
    assert b"<html" not in stored and b"<script" not in stored
    assert stored.endswith(b"\xff\xd9")
    assert b"Exif" not in stored
    image = Image.open(io.BytesIO(stored))
    assert (image.format, image.size) == ("JPEG", (40, 30))
    assert not image.getexif()
    assert document.size == len(stored) < len(data)
    assert p.challenge.events.get(code="document_uploaded").data["size"] == len(stored)


@pytest.mark.parametrize(
    ("name", "build", "kind"),
    [
        ("begroting.pdf", samples.pdf, "pdf"),
        ("werkplan.docx", samples.docx, "docx"),
        ("werkplan.odt", samples.odt, "odt"),
        ("kaart.png", samples.png, "png"),
        ("foto.jpg", lambda: samples.jpeg(gps=True), "jpeg"),
    ],
)
def test_clean_files_are_still_accepted(client, in_agreement, _media_root, name, build, kind):
    p = in_agreement
    client.force_login(p.municipality)
    response = post(client, p.challenge, name, build())
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.kind == kind
    assert (_media_root / document.file.name).is_file()
