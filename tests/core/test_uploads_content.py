"""core.uploads judges a file by its content: every hostile file is built here (or in
tests/core/upload_samples.py) and refused with its own message; clean PDF, DOCX, ODT,
XLSX, ODS, PNG and JPEG files pass, an image re-encoded."""

import io
from unittest import mock

import pytest
from django.utils import translation
from PIL import Image

from core import uploads
from tests.core import upload_samples as samples


def check(data: bytes, name: str, **kwargs) -> uploads.CheckedFile:
    return uploads.check_upload(io.BytesIO(data), name=name, size=len(data), **kwargs)


def refusal(data: bytes, name: str, **kwargs) -> str:
    """The refusal's message, in English (a message is put together when it is raised,
    in the language of the request)."""
    with translation.override("en"), pytest.raises(uploads.UploadRefused) as refused:
        check(data, name, **kwargs)
    return str(refused.value.message).replace("\xa0", " ")


# -- Clean files are accepted ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "name", "kind"),
    [
        (samples.pdf, "begroting.pdf", "pdf"),
        (lambda: samples.pdf(pages=3), "drie.pdf", "pdf"),
        (samples.docx, "werkplan.docx", "docx"),
        (samples.odt, "werkplan.odt", "odt"),
        (samples.xlsx, "begroting.xlsx", "xlsx"),
        (samples.ods, "begroting.ods", "ods"),
    ],
)
def test_clean_documents_are_accepted_and_stored_as_uploaded(build, name, kind):
    data = build()
    checked = check(data, name)
    assert checked.kind.key == kind
    assert checked.content is None
    assert checked.size == len(data)


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (samples.png(), "plattegrond.png", "png"),
        (samples.png(mode="RGBA"), "logo.png", "png"),
        (samples.png(mode="P"), "kaart.png", "png"),
        (samples.jpeg(), "foto.jpg", "jpeg"),
    ],
)
def test_clean_images_are_accepted_and_re_encoded(data, name, kind):
    checked = check(data, name)
    assert checked.kind.key == kind
    assert checked.content is not None
    assert checked.size == len(checked.content)
    clean = Image.open(io.BytesIO(checked.content))
    assert clean.format == Image.open(io.BytesIO(data)).format
    assert clean.size == Image.open(io.BytesIO(data)).size


def test_a_jpeg_is_stored_without_its_exif_gps_and_comment():
    data = samples.jpeg(gps=True)
    original = Image.open(io.BytesIO(data))
    assert original.getexif().get_ifd(0x8825), "the sample must carry a GPS position"
    assert b"geheim" in data
    clean = check(data, "foto.jpg").content
    image = Image.open(io.BytesIO(clean))
    assert not image.getexif()
    assert "exif" not in image.info and "comment" not in image.info
    assert b"Exif" not in clean and b"geheim" not in clean
    assert clean.endswith(b"\xff\xd9")


def test_the_exif_orientation_is_applied_before_it_is_dropped():
    data = samples.jpeg(size=(40, 30), orientation=6)  # "rotate 90° to display"
    clean = Image.open(io.BytesIO(check(data, "staand.jpg").content))
    assert clean.size == (30, 40)
    assert not clean.getexif()


def test_a_png_is_stored_without_its_text_chunks():
    data = samples.png_with_text_chunk()
    assert b"<script>" in data
    clean = check(data, "kaart.png").content
    assert b"<script>" not in clean and b"tEXt" not in clean
    assert Image.open(io.BytesIO(clean)).info == {}


def test_a_jpeg_html_polyglot_is_stored_as_the_clean_jpeg_only():
    """Chosen: re-encode rather than refuse (phones append data to ordinary photos)."""
    data = samples.jpeg_html_polyglot()
    assert data.index(b"<html>") > data.index(b"\xff\xd9")
    checked = check(data, "foto.jpg")
    clean = checked.content
    assert b"<html" not in clean and b"<script" not in clean
    # Nothing after the end-of-image marker, and no EXIF segment.
    assert clean.endswith(b"\xff\xd9")
    assert b"Exif" not in clean
    assert checked.size == len(clean) < len(data)


# -- PDF ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (samples.pdf_with_open_action_javascript, "contains JavaScript"),
        (samples.pdf_with_names_javascript, "contains JavaScript"),
        (samples.pdf_with_page_aa_javascript_behind_a_reference, "contains JavaScript"),
        (samples.pdf_with_orphan_javascript, "contains JavaScript"),
        (samples.pdf_with_launch, "contains an action that starts another program"),
        (samples.pdf_with_embedded_file, "has other files embedded in it"),
        (samples.pdf_with_file_attachment_annotation, "has other files embedded in it"),
        (samples.pdf_with_xfa, "is an XFA form"),
        (samples.encrypted_pdf, "is protected with a password or encryption"),
    ],
)
def test_active_or_hidden_pdf_content_is_refused(build, expected):
    data = build()
    assert data.startswith(b"%PDF-")
    assert expected in refusal(data, "stuk.pdf")


def test_an_html_file_with_a_pdf_header_is_refused():
    message = refusal(samples.html_with_pdf_header(), "overeenkomst.pdf")
    assert "“overeenkomst.pdf” contains web page code (HTML) at its start" in message


def test_a_real_pdf_with_a_web_page_in_its_first_kilobyte_is_refused():
    data = samples.pdf()
    data = data.replace(b"%\xe2\xe3\xcf\xd3\n", b"%<html><script>alert(1)</script>\n", 1)
    assert "contains web page code" in refusal(data, "stuk.pdf")


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n%%EOF\n",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        samples.pdf()[:200],
        b"%PDF-1.4\n" + bytes(range(256)) * 40,
    ],
    ids=["only-a-header", "no-pages", "truncated", "noise"],
)
def test_a_file_that_does_not_parse_as_a_pdf_cannot_be_read(data):
    assert "“stuk.pdf” cannot be read as a PDF file" in refusal(data, "stuk.pdf")


@pytest.mark.parametrize("error", [KeyError("/Root"), RecursionError(), ValueError("x")])
def test_any_parser_exception_is_a_clear_refusal(error):
    with mock.patch("pypdf.PdfReader", side_effect=error):
        assert "cannot be read as a PDF file" in refusal(samples.pdf(), "stuk.pdf")


def test_the_page_and_object_limits(settings):
    settings.RTC_UPLOAD_PDF_MAX_PAGES = 2
    assert "has more than 2 pages" in refusal(samples.pdf(pages=3), "lang.pdf")
    assert check(samples.pdf(pages=2), "kort.pdf").kind.key == "pdf"
    settings.RTC_UPLOAD_PDF_MAX_PAGES = 100
    settings.RTC_UPLOAD_PDF_MAX_OBJECTS = 3
    assert "is built from more than 3 objects" in refusal(samples.pdf(), "stuk.pdf")


# -- Office packages -------------------------------------------------------------------------


def test_a_zip_bomb_docx_is_refused_on_its_unpacked_size():
    data = samples.docx_bomb(200 * samples.MIB)
    assert len(data) < 2 * samples.MIB
    message = refusal(data, "werkplan.docx")
    assert "“werkplan.docx” unpacks to more than 100.0 MB" in message
    assert "zip bomb" in message


def test_a_zip_bomb_within_the_total_is_refused_on_its_ratio(settings):
    settings.RTC_UPLOAD_ZIP_MAX_TOTAL_SIZE = 1024 * samples.MIB
    message = refusal(samples.docx_bomb(8 * samples.MIB), "werkplan.docx")
    assert "is compressed more than 100 times" in message


def test_a_header_that_lies_about_the_size_inflates_no_more_than_it_claims(settings):
    data = samples.docx_with_lying_header(real_size=4 * samples.MIB, claimed_size=4000)
    inflated = []
    real_read = uploads.zipfile.ZipExtFile.read

    def counting_read(self, n=-1):
        chunk = real_read(self, n)
        inflated.append(len(chunk))
        return chunk

    with mock.patch.object(uploads.zipfile.ZipExtFile, "read", counting_read):
        message = refusal(data, "werkplan.docx")
    assert "“werkplan.docx” cannot be read: the file is damaged" in message
    assert sum(inflated) < 64 * 1024


def test_the_total_cap_holds_while_inflating(settings):
    # The declared sizes pass the first look only when the cap is lowered afterwards:
    # the streaming read enforces it on the bytes themselves.
    data = samples.docx(**{"word/media/big.xml": b"a" * (3 * samples.MIB)})
    settings.RTC_UPLOAD_ZIP_MAX_TOTAL_SIZE = 2 * samples.MIB
    with mock.patch.object(
        uploads, "_check_package_limits", lambda package, name: package.infolist()
    ):
        assert "unpacks to more than 2.0 MB" in refusal(data, "werkplan.docx")


def test_too_many_entries_are_refused(settings):
    assert "consists of more than 1000 parts" in refusal(
        samples.docx_with_many_entries(1001), "werkplan.docx"
    )
    settings.RTC_UPLOAD_ZIP_MAX_ENTRIES = 10
    assert "consists of more than 10 parts" in refusal(
        samples.docx_with_many_entries(10), "werkplan.docx"
    )


@pytest.mark.parametrize(
    ("build", "name", "expected"),
    [
        (samples.docx_with_macros, "werkplan.docx", "contains macros"),
        (samples.docm_renamed, "werkplan.docx", "contains macros"),
        (samples.odt_with_basic_macros, "werkplan.odt", "contains macros"),
        (samples.docx_with_activex, "werkplan.docx", "contains ActiveX controls"),
        (samples.docx_with_remote_template, "werkplan.docx", "loads content from outside"),
    ],
)
def test_active_office_content_is_refused(build, name, expected):
    assert expected in refusal(build(), name)


def test_a_package_with_a_dtd_in_its_manifest_is_not_a_document():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Types>&b;</Types>'
    )
    data = samples.docx(**{"[Content_Types].xml": bomb})
    assert "whatever its name says" in refusal(data, "werkplan.docx")


def test_a_password_protected_zip_entry_cannot_be_read():
    data = bytearray(samples.docx())
    at = data.find(b"PK\x01\x02")
    data[at + 8] |= 0x1  # the "encrypted" flag of the first entry
    assert "cannot be read" in refusal(bytes(data), "werkplan.docx")


# -- Images --------------------------------------------------------------------------------


def test_a_decompression_bomb_png_is_refused_before_it_is_decoded():
    data = samples.png_bomb()
    assert len(data) < 10_000
    with mock.patch.object(Image.Image, "load", side_effect=AssertionError("decoded")):
        message = refusal(data, "kaart.png")
    assert "“kaart.png” has more than 50 million pixels" in message


def test_the_pixel_limit_is_a_setting(settings):
    settings.RTC_UPLOAD_IMAGE_MAX_PIXELS = 1_000_000
    assert "more than 1 million pixels" in refusal(samples.png(size=(1001, 1000)), "a.png")
    assert check(samples.png(size=(1000, 1000)), "b.png").kind.key == "png"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (samples.png()[:60], "kapot.png"),
        (samples.jpeg()[:200], "kapot.jpg"),
        (b"\xff\xd8\xff" + samples.SCRIPT, "nep.jpg"),
    ],
)
def test_a_broken_image_cannot_be_read(data, name):
    assert "cannot be read as a" in refusal(data, name)


# -- Which kinds a caller accepts ----------------------------------------------------------------


def test_a_caller_names_the_kinds_it_accepts():
    message = refusal(samples.xlsx(), "begroting.xlsx", kinds=("pdf", "png", "jpeg"))
    assert "Only PDF, PNG or JPEG files can be shared" in message
    message = refusal(samples.pdf(), "begroting.xlsx", kinds=("pdf", "xlsx"))
    assert "is a PDF file, but its name ends in “.xlsx”" in message


def test_the_workspace_keeps_its_five_kinds():
    from partnerships import uploads as workspace

    assert workspace.ACCEPTED_EXTENSIONS == ["docx", "jpeg", "jpg", "odt", "pdf", "png"]
    with translation.override("en"), pytest.raises(uploads.UploadRefused) as refused:
        workspace.check_upload(io.BytesIO(samples.ods()), name="a.ods", size=100)
    assert "Only PDF, ODT, DOCX, PNG or JPEG files" in str(refused.value.message)


def test_the_settings_hold_the_documented_defaults():
    from django.conf import settings as django_settings

    for name, default in uploads.DEFAULT_LIMITS.items():
        assert getattr(django_settings, name) == default, name


def test_a_file_object_checked_once_is_not_parsed_again():
    """The form checks the upload and the service checks the same object again."""
    upload = io.BytesIO(samples.pdf())
    size = len(upload.getvalue())
    first = uploads.check_upload(upload, name="a.pdf", size=size)
    with mock.patch.object(uploads, "_check_pdf", side_effect=AssertionError("parsed")):
        assert uploads.check_upload(upload, name="a.pdf", size=size) is first
        assert upload.tell() == 0
        with pytest.raises(AssertionError, match="parsed"):
            uploads.check_upload(upload, name="b.pdf", size=size)


def test_a_utf16_manifest_cannot_hide_a_dtd():
    bomb = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE t [<!ENTITY a "a">]><Types/>'
    data = samples.docx(**{"[Content_Types].xml": bomb.encode("utf-16")})
    assert "whatever its name says" in refusal(data, "werkplan.docx")
