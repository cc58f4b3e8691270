"""core.uploads refuses documents that load or run content from elsewhere when they
are opened: ODF links outside the package and DDE, OLE objects and DDE in DOCX and
XLSX, PDF actions that open another file or send or fetch form data. Clean files with
hyperlinks, pictures and ordinary fields are still accepted. Each hostile file is
built in tests/core/upload_samples.py."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from challenges.constants import Status
from core import uploads
from partnerships.models import Document
from tests.challenges.factories import CoordinatorFactory, ReviewerFactory, challenge_in
from tests.core import upload_samples as samples

OUTSIDE_ODF = "loads content from outside the file when it is opened (a linked picture"
DDE = "contains a DDE link or field, which can start another program"
OLE = "contains an embedded OLE object, which can run a program"
REMOTE_PDF = "contains an action that opens another file or sends or fetches form data"


def check(data: bytes, name: str) -> uploads.CheckedFile:
    return uploads.check_upload(io.BytesIO(data), name=name, size=len(data))


def refusal(data: bytes, name: str) -> str:
    with translation.override("en"), pytest.raises(uploads.UploadRefused) as refused:
        check(data, name)
    return str(refused.value.message).replace("\xa0", " ")


# -- Clean files stay accepted --------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "name", "kind"),
    [
        (samples.odt_with_picture_and_hyperlink, "werkplan.odt", "odt"),
        (samples.docx_with_fields_picture_and_hyperlink, "werkplan.docx", "docx"),
        (samples.pdf_with_uri_link, "begroting.pdf", "pdf"),
        (samples.odt, "leeg.odt", "odt"),
        (samples.docx, "leeg.docx", "docx"),
        (samples.xlsx, "leeg.xlsx", "xlsx"),
    ],
)
def test_clean_files_with_links_pictures_and_fields_are_accepted(build, name, kind):
    data = build()
    assert check(data, name).kind.key == kind


def test_the_clean_samples_hold_what_they_claim():
    """The accepted samples are not accepted for lacking the things they are about."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(samples.odt_with_picture_and_hyperlink())) as package:
        content = package.read("content.xml").decode()
        assert 'xlink:href="Pictures/kaart.png"' in content
        assert 'xlink:href="https://www.example.org/plan"' in content
        assert "Pictures/kaart.png" in package.namelist()
    with zipfile.ZipFile(io.BytesIO(samples.docx_with_fields_picture_and_hyperlink())) as p:
        document = p.read("word/document.xml").decode()
        assert "HYPERLINK" in document and "fldSimple" in document
        assert "word/media/image1.png" in p.namelist()
    assert b"/URI" in samples.pdf_with_uri_link()


# -- ODF: links outside the package, DDE -----------------------------------------------------


@pytest.mark.parametrize("link", sorted(samples.ODF_REMOTE_LINKS))
def test_an_odt_link_to_outside_the_package_is_refused(link):
    data = samples.odt_with_link(samples.ODF_REMOTE_LINKS[link])
    message = refusal(data, "werkplan.odt")
    assert f"“werkplan.odt” {OUTSIDE_ODF}" in message


def test_a_remote_picture_in_the_styles_is_refused():
    assert OUTSIDE_ODF in refusal(samples.odt_with_styles_remote_image(), "werkplan.odt")


def test_a_remote_picture_in_an_embedded_objects_content_is_refused():
    element = samples.ODF_REMOTE_LINKS["remote_image"]
    data = samples.odt(**{"Object 1/content.xml": samples.odt_content(element)})
    assert OUTSIDE_ODF in refusal(data, "werkplan.odt")


def test_an_embedded_object_may_refer_to_the_packages_pictures_from_its_folder():
    element = '<draw:frame><draw:image xlink:href="../Pictures/kaart.png"/></draw:frame>'
    data = samples.odt(
        **{"Object 1/content.xml": samples.odt_content(element), "Pictures/kaart.png": b"x"}
    )
    assert check(data, "werkplan.odt").kind.key == "odt"
    # The same reference from the package's root is a file next to the document.
    assert OUTSIDE_ODF in refusal(samples.odt_with_link(element), "werkplan.odt")


def test_an_ods_with_a_linked_sheet_is_refused():
    assert OUTSIDE_ODF in refusal(samples.ods_with_linked_sheet(), "begroting.ods")


@pytest.mark.parametrize("build", [samples.odt_with_dde_source, samples.odt_with_dde_connection])
def test_odf_dde_is_refused(build):
    assert f"“werkplan.odt” {DDE}" in refusal(build(), "werkplan.odt")


def test_a_dtd_in_the_content_is_not_expanded_but_refused():
    message = refusal(samples.odt_with_dtd_in_content(), "werkplan.odt")
    assert "“werkplan.odt” cannot be read: the file is damaged" in message


def test_a_content_part_that_is_not_xml_cannot_be_read():
    data = samples.odt(**{"content.xml": "<office:document-content><text:p>"})
    assert "cannot be read" in refusal(data, "werkplan.odt")


# -- DOCX and XLSX: OLE objects, DDE ---------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "name"),
    [
        (samples.docx_with_ole_object, "werkplan.docx"),
        (samples.docx_with_ole_part_only, "werkplan.docx"),
        (samples.docx_with_ole_content_type_only, "werkplan.docx"),
        (samples.xlsx_with_ole_object, "begroting.xlsx"),
    ],
)
def test_an_ole_object_is_refused(build, name):
    assert f"“{name}” {OLE}" in refusal(build(), name)


@pytest.mark.parametrize(
    ("build", "name"),
    [
        (samples.docx_with_ddeauto_field, "werkplan.docx"),
        (samples.docx_with_split_dde_field, "werkplan.docx"),
        (samples.docx_with_dde_simple_field, "werkplan.docx"),
        (samples.docx_with_dde_in_footer, "werkplan.docx"),
        (samples.docx_with_computed_field_name, "werkplan.docx"),
        (samples.xlsx_with_dde_link, "begroting.xlsx"),
    ],
)
def test_dde_is_refused(build, name):
    assert f"“{name}” {DDE}" in refusal(build(), name)


# -- PDF: actions that open another file or send or fetch form data --------------------------


@pytest.mark.parametrize(
    ("build", "action"),
    [
        (samples.pdf_with_open_action_gotor_unc, "GoToR"),
        (samples.pdf_with_gotor_link, "GoToR"),
        (samples.pdf_with_page_aa_submit_form, "SubmitForm"),
        (samples.pdf_with_outline_import_data, "ImportData"),
    ],
)
def test_a_pdf_action_to_elsewhere_is_refused(build, action):
    message = refusal(build(), "stuk.pdf")
    assert f"“stuk.pdf” {REMOTE_PDF} ({action})" in message


def test_a_pdf_go_to_embedded_action_is_refused():
    assert "has other files embedded in it" in refusal(samples.pdf_with_gotoe_link(), "stuk.pdf")


def test_a_launch_action_in_an_annotation_is_refused():
    message = refusal(samples.pdf_with_launch_in_annotation(), "stuk.pdf")
    assert "contains an action that starts another program" in message


# -- Through the workspace: nothing is stored -------------------------------------------------

THROUGH_THE_FORM = [
    ("werkplan.odt", lambda: samples.odt_with_link(samples.ODF_REMOTE_LINKS["remote_image"])),
    ("werkplan.docx", samples.docx_with_ole_object),
    ("werkplan.docx", samples.docx_with_ddeauto_field),
    ("stuk.pdf", samples.pdf_with_open_action_gotor_unc),
]


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def challenge(db):
    """A challenge in the agreement stage, where its team shares documents."""
    return challenge_in(
        Status.AGREEMENT,
        reviewer=ReviewerFactory(),
        coordinator=CoordinatorFactory(),
        agreement=False,
    )


def test_the_workspace_accepts_a_clean_document_with_links(client, challenge, media_root):
    client.force_login(challenge.initiator)
    response = client.post(
        reverse("partnerships:document-upload", kwargs={"pk": challenge.pk}),
        {
            "file": SimpleUploadedFile("werkplan.odt", samples.odt_with_picture_and_hyperlink()),
            "description": "Stuk",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    assert Document.objects.filter(challenge=challenge).count() == 1


@pytest.mark.parametrize(("name", "build"), THROUGH_THE_FORM)
def test_the_workspace_refuses_on_the_form_and_stores_nothing(
    client, challenge, media_root, name, build
):
    client.force_login(challenge.initiator)
    response = client.post(
        reverse("partnerships:document-upload", kwargs={"pk": challenge.pk}),
        {"file": SimpleUploadedFile(name, build()), "description": "Stuk"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert name in response.content.decode()
    assert not Document.objects.exists()
    assert not [path for path in media_root.rglob("*") if path.is_file()]
    assert not challenge.events.filter(code="document_uploaded").exists()
