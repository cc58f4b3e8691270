"""Checking uploaded files by their content, for any app that accepts files.

A file is accepted when its name is a plain file name with the extension of its
kind, when it is at most `RTC_MAX_UPLOAD_SIZE` bytes, and when its content really
is a file of that kind and holds nothing active:

- **PDF**: parsed with pypdf. Refused when it does not parse, has no page, is
  encrypted (its content cannot be checked), has more pages or objects than the
  limits, or holds JavaScript (anywhere: `/JS`, `/JavaScript` name trees, actions),
  a Launch action, an action that opens another file or sends or fetches form
  data (`/GoToR`, `/SubmitForm`, `/ImportData`), embedded files (`/EmbeddedFiles`,
  file specifications with `/EF`, file attachment annotations, `/GoToE`) or an XFA
  form (which carries its own scripts). Links (`/URI`) are allowed: they are
  clicked, not run. Every object of the file is visited, referenced or not, so a script
  cannot hide in an object the page tree does not reach.
- **Office files** (DOCX, XLSX; ODT, ODS): opened as a ZIP within limits on the
  number of entries, the total uncompressed size and the compression ratio per
  entry and overall; every entry is then inflated in a stream with a hard cap, so a
  header that lies about a size cannot make the server inflate more than the cap.
  The kind is read from the package manifest (`[Content_Types].xml`, the ODF
  `mimetype` entry). Refused: macros (`vbaProject.bin`, macro-enabled content
  types, ODF `Basic/` and `Scripts/`), ActiveX controls, OLE objects
  (`*/embeddings/*.bin`, the OLE object content type), DDE (a `DDE` or `DDEAUTO`
  field in a Word part, a `ddeLink` in a workbook's external links, an ODF DDE
  source or connection), relationships to content outside the file other than
  hyperlinks (a linked template, object or picture is fetched when the file is
  opened), and in ODF `content.xml`/`styles.xml` an `xlink:href` on anything but a
  hyperlink (`text:a`, `draw:a`) that points outside the package (a remote or
  `file:` picture, object or text section). These parts are parsed as a stream
  while they are inflated, with expat, refusing a DTD or entity declaration.
- **Images** (PNG, JPEG): decoded with Pillow within a pixel limit (against
  decompression bombs: a small file that claims huge dimensions), then re-encoded
  to a fresh file of the same kind from the pixels alone. The re-encoded file is
  what is stored (`CheckedFile.content`): it has no metadata (EXIF with a GPS
  position, comments, text chunks) and nothing after the image data, so a JPEG
  with a web page appended (a polyglot) is stored as the clean JPEG. Trailing data
  is not refused, because phones append data to ordinary photos. The EXIF
  orientation is applied to the pixels before it is dropped.
- PDF and office files whose first kilobyte holds web page markup (`<html`,
  `<script`, ...) are refused, so that no browser that guesses a type from the
  content can take them for a web page.

The limits are settings (defaults in `DEFAULT_LIMITS`): `RTC_UPLOAD_ZIP_MAX_ENTRIES`,
`RTC_UPLOAD_ZIP_MAX_TOTAL_SIZE`, `RTC_UPLOAD_ZIP_MAX_RATIO` (applied to entries and
packages that unpack to more than `RTC_UPLOAD_ZIP_RATIO_FROM` bytes: small XML
parts compress well without being a bomb), `RTC_UPLOAD_PDF_MAX_PAGES`,
`RTC_UPLOAD_PDF_MAX_OBJECTS` and `RTC_UPLOAD_IMAGE_MAX_PIXELS`.

Django's multipart parser drops any folder part of a file name before a view sees
it. To refuse such a name with a clear message instead of silently shortening it,
`RawNameUploadHandler` takes over the parsing (the documented `handle_raw_input`
hook) with a parser that remembers the names exactly as the browser sent them. The
same handler stops storing a file as soon as it grows past the limit, so an
oversized upload is never written to disk in full.

Django, pypdf and Pillow only, like the rest of `core`: an app says which kinds it
accepts (`check_upload(..., kinds=...)`).
"""

import hashlib
import io
import posixpath
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote
from xml.etree import ElementTree

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http.multipartparser import MultiPartParser
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .text import interpolate_lazy, join_lazy

DEFAULT_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
DEFAULT_LIMITS = {
    "RTC_UPLOAD_ZIP_MAX_ENTRIES": 1000,
    "RTC_UPLOAD_ZIP_MAX_TOTAL_SIZE": 100 * 1024 * 1024,
    "RTC_UPLOAD_ZIP_MAX_RATIO": 100,
    "RTC_UPLOAD_ZIP_RATIO_FROM": 1024 * 1024,
    "RTC_UPLOAD_PDF_MAX_PAGES": 2000,
    "RTC_UPLOAD_PDF_MAX_OBJECTS": 50_000,
    "RTC_UPLOAD_IMAGE_MAX_PIXELS": 50_000_000,
}
# The package parts that are read into memory to be parsed: a real one is a few
# kilobytes; a larger one is not a document.
_MANIFEST_LIMIT = 1024 * 1024
_CHUNK = 64 * 1024
_HTML_MARKERS = (
    b"<!doctype",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<svg",
    b"<object",
    b"<embed",
)

ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
OOXML_MAIN = {
    # content type of the main part: (kind, the main part, macro-enabled)
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        "docx",
        "word/document.xml",
        False,
    ),
    "application/vnd.ms-word.document.macroEnabled.main+xml": (
        "docx",
        "word/document.xml",
        True,
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        "xlsx",
        "xl/workbook.xml",
        False,
    ),
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": ("xlsx", "xl/workbook.xml", True),
}


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


KINDS = {
    kind.key: kind
    for kind in (
        Kind("pdf", "PDF", "application/pdf", ("pdf",)),
        Kind("odt", "ODT", "application/vnd.oasis.opendocument.text", ("odt",)),
        Kind(
            "docx",
            "DOCX",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ("docx",),
        ),
        Kind("ods", "ODS", "application/vnd.oasis.opendocument.spreadsheet", ("ods",)),
        Kind(
            "xlsx",
            "XLSX",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ("xlsx",),
        ),
        Kind("png", "PNG", "image/png", ("png",)),
        Kind("jpeg", "JPEG", "image/jpeg", ("jpg", "jpeg")),
    )
}
OFFICE_KINDS = ("odt", "docx", "ods", "xlsx")
IMAGE_KINDS = ("png", "jpeg")


class UploadRefused(Exception):
    """The file cannot be accepted; the message says why, for the person uploading."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _setting(name: str) -> int:
    return int(getattr(settings, name, DEFAULT_LIMITS[name]))


def max_upload_size() -> int:
    return int(getattr(settings, "RTC_MAX_UPLOAD_SIZE", DEFAULT_MAX_UPLOAD_SIZE))


def accepted_extensions(kinds: Iterable[str]) -> list[str]:
    return sorted(ext for key in kinds for ext in KINDS[key].extensions)


def kinds_label(kinds: Iterable[str]):
    """ "PDF, PNG or JPEG": the kinds as a list to show, in the reader's language."""
    labels = [KINDS[key].label for key in kinds]
    if len(labels) == 1:
        return labels[0]
    return interpolate_lazy(
        _("%(first)s or %(last)s"), {"first": join_lazy(labels[:-1]), "last": labels[-1]}
    )


# -- The name and the size --------------------------------------------------------------


def check_name(name: str) -> str:
    """The file name as sent, refused when it is not a plain file name."""
    name = (name or "").strip()
    if not name:
        raise UploadRefused(_("The file has no name. Give it a name and upload it again."))
    if "/" in name or "\\" in name or name in {".", ".."} or ":" in name:
        raise UploadRefused(
            _(
                "The file name “%(name)s” contains a folder path. Upload the file with a "
                "plain file name, such as “report.pdf”."
            )
            % {"name": name}
        )
    if any(not char.isprintable() for char in name):
        raise UploadRefused(
            _("The file name contains invisible characters. Rename the file and try again.")
        )
    if len(name) > 150:
        raise UploadRefused(
            _("The file name is longer than 150 characters. Shorten it and try again.")
        )
    return name


def check_size(size: int) -> None:
    limit = max_upload_size()
    if size > limit:
        raise UploadRefused(
            _("The file is %(size)s; files can be at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    if size == 0:
        raise UploadRefused(_("The file is empty."))


# -- Office files: a ZIP package ----------------------------------------------------------


@dataclass
class _Package:
    kind: str | None
    macros: bool = False
    activex: bool = False
    external: bool = False
    ole: bool = False
    dde: bool = False


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_xml(data: bytes):
    """A package part as XML, or None. Office parts have no DTD: one is refused
    rather than expanded (entity expansion is how an XML bomb works). They are UTF-8,
    too: a NUL byte (UTF-16) could hide a DTD from the search for one."""
    upper = data.upper()
    if b"\x00" in data or b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        return None
    try:
        return ElementTree.fromstring(data)  # noqa: S314 (no DTD, see above)
    except (ElementTree.ParseError, ValueError):
        return None


def _unreadable_package(name: str) -> UploadRefused:
    return UploadRefused(
        _(
            "“%(name)s” cannot be read: the file is damaged or protected with a password. "
            "Save it again, without a password, and upload it again."
        )
        % {"name": name}
    )


def _check_package_limits(package: zipfile.ZipFile, name: str) -> list[zipfile.ZipInfo]:
    infos = package.infolist()
    max_entries = _setting("RTC_UPLOAD_ZIP_MAX_ENTRIES")
    if len(infos) > max_entries:
        raise UploadRefused(
            _(
                "“%(name)s” consists of more than %(limit)s parts, far more than a document "
                "has. It cannot be shared."
            )
            % {"name": name, "limit": max_entries}
        )
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        # Two entries of one name: a reader may see another part than the check did.
        raise _unreadable_package(name)
    max_total = _setting("RTC_UPLOAD_ZIP_MAX_TOTAL_SIZE")
    ratio = _setting("RTC_UPLOAD_ZIP_MAX_RATIO")
    ratio_from = _setting("RTC_UPLOAD_ZIP_RATIO_FROM")
    total = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos)
    if total > max_total:
        raise _too_large_unpacked(name, max_total)
    for info in infos:
        if info.flag_bits & 0x1:
            raise _unreadable_package(name)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _unreadable_package(name)
        if info.file_size > ratio_from and info.file_size > ratio * max(info.compress_size, 1):
            raise _too_compressed(name, ratio)
    if total > ratio_from and total > ratio * max(compressed, 1):
        raise _too_compressed(name, ratio)
    return infos


def _too_large_unpacked(name: str, limit: int) -> UploadRefused:
    return UploadRefused(
        _(
            "“%(name)s” unpacks to more than %(limit)s, more than a document of its size "
            "can hold (a “zip bomb”). It cannot be shared."
        )
        % {"name": name, "limit": filesizeformat(limit)}
    )


def _too_compressed(name: str, ratio: int) -> UploadRefused:
    return UploadRefused(
        _(
            "“%(name)s” is compressed more than %(ratio)s times, far more than a real "
            "document (a “zip bomb”). It cannot be shared."
        )
        % {"name": name, "ratio": ratio}
    )


# Hyperlinks: followed when the reader clicks them, never loaded on opening.
_ODF_LINK_ELEMENTS = {"a"}
_DDE_FIELDS = {"DDE", "DDEAUTO"}
_FIELD_CODE_KEPT = 256


class _ForbiddenXml(Exception):
    """A scanned part declares a DTD or an entity (how an XML bomb works)."""


def _forbid(*args):
    raise _ForbiddenXml()


def _local(name: str) -> str:
    """`office:dde-source` or `{ns}dde-source` as `dde-source`."""
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _inside_package(href: str, folder: str = "") -> bool:
    """Whether an ODF `xlink:href` in a part in `folder` names a part of the package
    itself ("Pictures/x.png", "./Object 1", "#bookmark"; "../Pictures/x.png" from an
    embedded object's folder) rather than a file or address elsewhere ("http://...",
    "file:///...", "/etc/...", "\\\\server\\share", "../x" from the root)."""
    href = unquote(href).strip()  # "%2F%2Fserver" is "//server" to a reader too
    if not href or href.startswith("#"):
        return True
    if ":" in href or "\\" in href or href.startswith("/"):
        return False
    path = posixpath.normpath(posixpath.join(folder or ".", href))
    return path != ".." and not path.startswith("../")


class _PartScanner:
    """Reads one XML part as it is inflated (expat, no tree kept) and notes what it
    loads or runs from elsewhere: `external` (an ODF link to outside the package) and
    `dde` (a DDE source, link or field). Namespace prefixes are not resolved:
    elements and attributes are matched on their local name, whatever prefix they
    carry."""

    def __init__(self, family: str, folder: str = ""):
        from xml.parsers import expat

        self.family = family
        self.folder = folder
        self.findings: set[str] = set()
        self._parser = expat.ParserCreate()
        self._parser.buffer_text = True
        self._parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self._parser.StartDoctypeDeclHandler = _forbid
        self._parser.EntityDeclHandler = _forbid
        self._parser.ExternalEntityRefHandler = _forbid
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.CharacterDataHandler = self._text
        # Word: the code of each open field (fields nest), and whether the text being
        # read is field code.
        self._fields: list[list] = []
        self._in_instr = False

    def feed(self, data: bytes, final: bool = False) -> None:
        self._parser.Parse(data, final)

    def _start(self, tag: str, attributes: dict) -> None:
        local = _local(tag)
        if self.family == "odf":
            if local.startswith("dde-"):
                self.findings.add("dde")
            if local not in _ODF_LINK_ELEMENTS:
                for key, value in attributes.items():
                    if _local(key) == "href" and not _inside_package(value, self.folder):
                        self.findings.add("external")
            return
        if local in {"ddeLink", "oleLink"}:
            self.findings.add("dde")
        elif local == "fldSimple":
            instr = next((v for k, v in attributes.items() if _local(k) == "instr"), "")
            self._check_field(instr)
        elif local == "fldChar":
            kind = next((v for k, v in attributes.items() if _local(k) == "fldCharType"), "")
            if kind == "begin":
                if self._fields and not self._fields[-1][0].strip():
                    # A field whose name is the result of another field: the name is
                    # only known when Word runs it.
                    self.findings.add("dde")
                self._fields.append([""])
            elif kind in {"separate", "end"} and self._fields:
                self._check_field(self._fields[-1][0])
                if kind == "end":
                    self._fields.pop()
        elif local == "instrText":
            self._in_instr = True

    def _end(self, tag: str) -> None:
        if _local(tag) == "instrText":
            self._in_instr = False

    def _text(self, text: str) -> None:
        if self._in_instr and self._fields and len(self._fields[-1][0]) < _FIELD_CODE_KEPT:
            self._fields[-1][0] += text

    def _check_field(self, code: str) -> None:
        words = code.replace('"', " ").split()
        if words and words[0].upper() in _DDE_FIELDS:
            self.findings.add("dde")


def _scanned_family(filename: str, odf: bool) -> str | None:
    """Which parts are read for links and DDE: an ODF document's content and styles
    (an embedded object's too), a Word document's parts (the body, headers, footers,
    notes, comments, the glossary), a workbook's external links."""
    if odf:
        return "odf" if posixpath.basename(filename) in {"content.xml", "styles.xml"} else None
    folder, base = posixpath.split(filename)
    if not base.endswith(".xml"):
        return None
    if folder in {"word", "word/glossary", "xl/externalLinks"}:
        return "ooxml"
    return None


def _is_manifest(filename: str) -> bool:
    return filename in {"mimetype", "[Content_Types].xml"} or filename.endswith(".rels")


def _read_package(package: zipfile.ZipFile, infos, name: str) -> tuple[dict[str, bytes], set[str]]:
    """Inflate every entry as a stream, never more than it declared nor more than the
    total cap; return the manifest parts, which are parsed afterwards, and what the
    scanned parts (`_scanned_family`) were found to load or run from elsewhere."""
    budget = _setting("RTC_UPLOAD_ZIP_MAX_TOTAL_SIZE")
    kept: dict[str, bytes] = {}
    findings: set[str] = set()
    odf = any(info.filename == "mimetype" for info in infos)
    for info in infos:
        if info.is_dir():
            continue
        family = _scanned_family(info.filename, odf)
        scanner = _PartScanner(family, posixpath.dirname(info.filename)) if family else None
        keep = _is_manifest(info.filename)
        if keep and info.file_size > _MANIFEST_LIMIT:
            raise _unreadable_package(name)
        parts = []
        read = 0
        try:
            with package.open(info) as entry:
                while chunk := entry.read(_CHUNK):
                    read += len(chunk)
                    budget -= len(chunk)
                    if read > info.file_size:
                        raise _unreadable_package(name)
                    if budget < 0:
                        raise _too_large_unpacked(name, _setting("RTC_UPLOAD_ZIP_MAX_TOTAL_SIZE"))
                    if keep:
                        parts.append(chunk)
                    if scanner:
                        scanner.feed(chunk)
            if scanner:
                scanner.feed(b"", final=True)
        except UploadRefused:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError):
            raise _unreadable_package(name) from None
        except Exception:  # a scanned part that is not XML, or declares a DTD
            raise _unreadable_package(name) from None
        if keep:
            kept[info.filename] = b"".join(parts)
        if scanner:
            findings |= scanner.findings
    return kept, findings


def _content_types(data: bytes) -> set[str] | None:
    root = _parse_xml(data)
    if root is None or _local_name(root.tag) != "Types":
        return None
    return {
        element.get("ContentType", "")
        for element in root.iter()
        if _local_name(element.tag) in {"Default", "Override"}
    }


def _external_relationships(parts: dict[str, bytes]) -> bool:
    """Whether a relationship points outside the file for anything but a hyperlink:
    a linked template, OLE object, frame or picture is fetched when it is opened."""
    for filename, data in parts.items():
        if not filename.endswith(".rels"):
            continue
        root = _parse_xml(data)
        if root is None:
            return True
        for element in root.iter():
            if _local_name(element.tag) != "Relationship":
                continue
            if (element.get("TargetMode") or "").lower() == "external" and not (
                element.get("Type") or ""
            ).endswith("/hyperlink"):
                return True
    return False


_OLE_CONTENT_TYPES = {"application/vnd.openxmlformats-officedocument.oleobject"}


def _inspect_package(fileobj, name: str) -> _Package:
    try:
        package = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return _Package(kind=None)
    with package:
        infos = _check_package_limits(package, name)
        parts, findings = _read_package(package, infos, name)
    names = {info.filename for info in infos}
    lowered = {filename.lower() for filename in names}
    result = _Package(kind=None)
    result.external = "external" in findings
    result.dde = "dde" in findings
    result.ole = any(
        filename.endswith(".bin") and "/embeddings/" in f"/{posixpath.dirname(filename)}/"
        for filename in lowered
    )
    result.macros = any(
        posixpath.basename(filename) in {"vbaproject.bin", "vbadata.xml"} for filename in lowered
    ) or any(
        filename.startswith(("basic/", "scripts/")) and not filename.endswith("/")
        for filename in lowered
    )
    result.activex = any("/activex/" in f"/{filename}" for filename in lowered)
    if "mimetype" in parts:
        kind = ODF_MIMETYPES.get(parts["mimetype"].strip())
        if kind and "content.xml" in names:
            result.kind = kind
        return result
    if "[Content_Types].xml" in parts:
        types = _content_types(parts["[Content_Types].xml"])
        if types is None:
            return result
        for content_type, (kind, main_part, macro_enabled) in OOXML_MAIN.items():
            if content_type in types and main_part in names:
                result.kind = kind
                result.macros = result.macros or macro_enabled
                break
        result.macros = result.macros or any(
            "macroenabled" in t.lower() or "vbaproject" in t.lower() for t in types
        )
        result.activex = result.activex or any("activex" in t.lower() for t in types)
        result.ole = result.ole or any(t.lower() in _OLE_CONTENT_TYPES for t in types)
        result.external = result.external or _external_relationships(parts)
    return result


def _check_package(package: _Package, kind: Kind, name: str) -> None:
    if package.macros:
        raise UploadRefused(
            _(
                "“%(name)s” contains macros. Documents with macros cannot be shared: save "
                "it without macros, as a plain %(kind)s file, and upload it again."
            )
            % {"name": name, "kind": kind.label}
        )
    if package.activex:
        raise UploadRefused(
            _(
                "“%(name)s” contains ActiveX controls, which can run programs. Remove them, "
                "save the file and upload it again."
            )
            % {"name": name}
        )
    if package.ole:
        raise UploadRefused(
            _(
                "“%(name)s” contains an embedded OLE object, which can run a program when "
                "it is opened. Remove the object (paste its content as a picture or a "
                "table instead), save the file and upload it again."
            )
            % {"name": name}
        )
    if package.dde:
        raise UploadRefused(
            _(
                "“%(name)s” contains a DDE link or field, which can start another program "
                "when the file is opened. Remove it, save the file and upload it again."
            )
            % {"name": name}
        )
    if package.external and kind.key in ("odt", "ods"):
        raise UploadRefused(
            _(
                "“%(name)s” loads content from outside the file when it is opened (a "
                "linked picture, object or text section). Embed that content or remove "
                "the link, and upload it again."
            )
            % {"name": name}
        )
    if package.external:
        raise UploadRefused(
            _(
                "“%(name)s” loads content from outside the file when it is opened (a linked "
                "template, object or picture). Embed that content or remove the link, and "
                "upload it again."
            )
            % {"name": name}
        )


# -- PDF ----------------------------------------------------------------------------------


def _unreadable_pdf(name: str) -> UploadRefused:
    return UploadRefused(
        _(
            "“%(name)s” cannot be read as a PDF file: it is damaged or it is not a PDF at "
            "all. Save or export it as PDF again and upload that file."
        )
        % {"name": name}
    )


def _name(dictionary, key: str) -> str:
    """A name in a PDF dictionary, followed through a reference (`dict.get` does not)."""
    value = dictionary.get(key)
    try:
        value = value.get_object() if value is not None else ""
    except Exception:  # a dangling reference names nothing
        return ""
    return str(value)


# Actions that open another file (GoToR: a remote PDF, a UNC path) or send the form's
# data away or fetch data into it; /URI (a link the reader clicks) is not one.
_REMOTE_ACTIONS = {"/GoToR": "GoToR", "/SubmitForm": "SubmitForm", "/ImportData": "ImportData"}


def _pdf_findings(reader) -> set[str]:
    """What active or hidden content the PDF holds: every object is visited, from the
    trailer and from the cross-reference table, each once, within the object limit."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    limit = _setting("RTC_UPLOAD_PDF_MAX_OBJECTS")
    findings: set[str] = set()
    seen: set[tuple[int, int]] = set()
    references = [
        (number, generation)
        for generation, table in reader.xref.items()
        for number in table
        if number
    ] + [(number, 0) for number in reader.xref_objStm]
    stack: list = [reader.trailer]
    stack.extend(IndirectObject(number, generation, reader) for number, generation in references)
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > limit:
                findings.add("objects")
                return findings
            item = reader.get_object(item)
        if isinstance(item, DictionaryObject):
            keys = {str(k) for k in item}
            action = _name(item, "/S")
            if keys & {"/JS", "/JavaScript"} or action == "/JavaScript":
                findings.add("javascript")
            if action == "/Launch":
                findings.add("launch")
            if action in _REMOTE_ACTIONS:
                findings.add(action)
            if (
                keys & {"/EmbeddedFiles", "/EF"}
                or action == "/GoToE"
                or _name(item, "/Type") == "/EmbeddedFile"
                or _name(item, "/Subtype") == "/FileAttachment"
            ):
                findings.add("embedded")
            if "/XFA" in keys:
                findings.add("xfa")
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return findings


def _check_pdf(fileobj, name: str) -> None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(fileobj, strict=False)
        if reader.is_encrypted:
            raise UploadRefused(
                _(
                    "“%(name)s” is protected with a password or encryption, so its content "
                    "cannot be checked. Save it without protection and upload it again."
                )
                % {"name": name}
            )
        max_objects = _setting("RTC_UPLOAD_PDF_MAX_OBJECTS")
        declared = int(reader.trailer.get("/Size", 0) or 0)
        if declared > max_objects:
            raise _too_complex_pdf(name, max_objects)
        root = reader.trailer["/Root"].get_object()
        if _name(root, "/Type") not in {"/Catalog", ""}:
            raise _unreadable_pdf(name)
        pages = len(reader.pages)
        if pages == 0:
            raise _unreadable_pdf(name)
        max_pages = _setting("RTC_UPLOAD_PDF_MAX_PAGES")
        if pages > max_pages:
            raise UploadRefused(
                _("“%(name)s” has more than %(limit)s pages. Split it and upload the parts.")
                % {"name": name, "limit": max_pages}
            )
        findings = _pdf_findings(reader)
    except UploadRefused:
        raise
    except Exception:  # whatever the parser trips over, the file is unreadable
        raise _unreadable_pdf(name) from None
    if "objects" in findings:
        raise _too_complex_pdf(name, max_objects)
    if "javascript" in findings:
        raise UploadRefused(
            _(
                "“%(name)s” contains JavaScript, which runs when the file is opened. PDF "
                "files with scripts cannot be shared: print it to a new PDF file and upload "
                "that."
            )
            % {"name": name}
        )
    if "launch" in findings:
        raise UploadRefused(
            _(
                "“%(name)s” contains an action that starts another program. Such PDF files "
                "cannot be shared: print it to a new PDF file and upload that."
            )
            % {"name": name}
        )
    remote = sorted(_REMOTE_ACTIONS[action] for action in findings & set(_REMOTE_ACTIONS))
    if remote:
        raise UploadRefused(
            _(
                "“%(name)s” contains an action that opens another file or sends or fetches "
                "form data (%(actions)s) without the reader choosing a link. Such PDF "
                "files cannot be shared: print it to a new PDF file and upload that."
            )
            % {"name": name, "actions": ", ".join(remote)}
        )
    if "embedded" in findings:
        raise UploadRefused(
            _(
                "“%(name)s” has other files embedded in it. Share those files separately, "
                "and the PDF without them."
            )
            % {"name": name}
        )
    if "xfa" in findings:
        raise UploadRefused(
            _(
                "“%(name)s” is an XFA form, which can hold scripts. Print it to a new PDF "
                "file and upload that."
            )
            % {"name": name}
        )


def _too_complex_pdf(name: str, limit: int) -> UploadRefused:
    return UploadRefused(
        _(
            "“%(name)s” is built from more than %(limit)s objects, too many to check. "
            "Print it to a new PDF file or split it, and upload that."
        )
        % {"name": name, "limit": limit}
    )


# -- Images -------------------------------------------------------------------------------

_PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG"}


def _unreadable_image(name: str, kind: Kind) -> UploadRefused:
    return UploadRefused(
        _(
            "“%(name)s” cannot be read as a %(kind)s image: it is damaged or it is not an "
            "image at all. Save it again and upload it again."
        )
        % {"name": name, "kind": kind.label}
    )


def _too_many_pixels(name: str) -> UploadRefused:
    return UploadRefused(
        _(
            "“%(name)s” has more than %(limit)s million pixels, more than an image can "
            "have here. Make it smaller and upload it again."
        )
        % {"name": name, "limit": _setting("RTC_UPLOAD_IMAGE_MAX_PIXELS") // 1_000_000}
    )


def _open_image(fileobj, kind: Kind, name: str):
    from PIL import Image

    fileobj.seek(0)
    image = Image.open(fileobj, formats=[_PIL_FORMATS[kind.key]])
    # The dimensions come from the header: refuse before a single pixel is decoded.
    width, height = image.size
    if width * height > _setting("RTC_UPLOAD_IMAGE_MAX_PIXELS"):
        raise _too_many_pixels(name)
    return image


def _clean_image(fileobj, kind: Kind, name: str) -> bytes:
    """The image re-encoded from its pixels: no metadata, nothing after the image."""
    from PIL import Image, ImageOps, JpegImagePlugin

    try:
        _open_image(fileobj, kind, name).verify()
        image = _open_image(fileobj, kind, name)
        image.load()
        quantization = getattr(image, "quantization", None)
        sampling = JpegImagePlugin.get_sampling(image) if kind.key == "jpeg" else -1
        transparency = image.info.get("transparency")
        try:
            clean = ImageOps.exif_transpose(image)
        except Exception:  # a damaged EXIF block: keep the pixels as they are stored
            clean = image.copy()
        # The pixels (and a palette) only: EXIF, comments and text chunks stay behind.
        clean.info = {}
        out = io.BytesIO()
        if kind.key == "jpeg":
            options = {}
            if quantization:
                options["qtables"] = quantization
            if sampling != -1:
                options["subsampling"] = sampling
            clean.save(out, "JPEG", **options)
        else:
            options = {"transparency": transparency} if transparency is not None else {}
            clean.save(out, "PNG", **options)
    except UploadRefused:
        raise
    except Image.DecompressionBombError:
        # Pillow's own limit, should the setting be set above it.
        raise _too_many_pixels(name) from None
    except Exception:  # whatever the decoder trips over, the file is unreadable
        raise _unreadable_image(name, kind) from None
    return out.getvalue()


# -- Putting it together ------------------------------------------------------------------


def _sniff(fileobj, name: str) -> tuple[str | None, _Package | None]:
    fileobj.seek(0)
    head = fileobj.read(16)
    fileobj.seek(0)
    kind, package = None, None
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head.startswith(b"PK\x03\x04"):
        package = _inspect_package(fileobj, name)
        kind = package.kind
    fileobj.seek(0)
    return kind, package


def sniff(fileobj) -> str | None:
    """The kind of file by its content ("pdf", "docx", "png", ...), or None. A package
    beyond the ZIP limits raises UploadRefused."""
    return _sniff(fileobj, getattr(fileobj, "name", "") or "")[0]


@dataclass(frozen=True)
class CheckedFile:
    """An accepted file. `content` is what to store instead of the upload (a
    re-encoded image), or None to store the upload as it is; `size` and `sha256`
    describe what is stored."""

    name: str
    kind: Kind
    size: int
    sha256: str
    content: bytes | None = None


def _looks_like_html(fileobj) -> bool:
    fileobj.seek(0)
    head = fileobj.read(1024).lower()
    fileobj.seek(0)
    return any(marker in head for marker in _HTML_MARKERS)


def check_upload(
    fileobj, *, name: str, size: int, kinds: Iterable[str] | None = None, kinds_text=None
) -> CheckedFile:
    """Check a file completely; raise UploadRefused with the reason, or describe it.

    `kinds` are the kinds the caller accepts (default: all of `KINDS`), `kinds_text`
    how to name them in a refusal (default: "PDF, ODT, ... or JPEG" from `kinds`).
    """
    kinds = tuple(kinds) if kinds is not None else tuple(KINDS)
    # The form checks the upload and the service checks it again (the service has the
    # last word, for every caller): the same file object is parsed once.
    memo_key = (name, size, kinds)
    memo = getattr(fileobj, _MEMO, None)
    if memo is not None and memo[0] == memo_key:
        fileobj.seek(0)
        return memo[1]
    checked = _check_upload(fileobj, name=name, size=size, kinds=kinds, kinds_text=kinds_text)
    try:
        setattr(fileobj, _MEMO, (memo_key, checked))
    except (AttributeError, TypeError):
        pass
    return checked


_MEMO = "_rtc_checked_upload"


def _check_upload(fileobj, *, name: str, size: int, kinds: tuple, kinds_text) -> CheckedFile:
    accepted = kinds_text if kinds_text is not None else kinds_label(kinds)
    name = check_name(name)
    check_size(size)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in accepted_extensions(kinds):
        raise UploadRefused(
            _("Only %(kinds)s files can be shared; “%(name)s” is not one of those.")
            % {"kinds": accepted, "name": name}
        )
    key, package = _sniff(fileobj, name)
    if key is None or key not in kinds:
        raise UploadRefused(
            _(
                "The content of “%(name)s” is not a %(kinds)s file, whatever its name says. "
                "Only those kinds of files can be shared."
            )
            % {"name": name, "kinds": accepted}
        )
    kind = KINDS[key]
    if extension not in kind.extensions:
        raise UploadRefused(
            _(
                "The content of “%(name)s” is a %(kind)s file, but its name ends in "
                "“.%(extension)s”. Give the file the right extension and upload it again."
            )
            % {"name": name, "kind": kind.label, "extension": extension}
        )
    content = None
    if key not in IMAGE_KINDS and _looks_like_html(fileobj):
        raise UploadRefused(
            _(
                "“%(name)s” contains web page code (HTML) at its start, which a %(kind)s "
                "file does not. It cannot be shared."
            )
            % {"name": name, "kind": kind.label}
        )
    if key == "pdf":
        _check_pdf(fileobj, name)
    elif package is not None:
        _check_package(package, kind, name)
    else:
        content = _clean_image(fileobj, kind, name)
    fileobj.seek(0)
    if content is not None:
        return CheckedFile(
            name=name,
            kind=kind,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
        )
    digest = hashlib.sha256()
    for chunk in iter(lambda: fileobj.read(_CHUNK), b""):
        digest.update(chunk)
    fileobj.seek(0)
    return CheckedFile(name=name, kind=kind, size=size, sha256=digest.hexdigest())


# -- Reading the request ----------------------------------------------------------------


class _RawNameParser(MultiPartParser):
    """Django's parser, remembering each file name as it was sent."""

    def __init__(self, *args, raw_names: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self._raw_names = raw_names

    def sanitize_file_name(self, file_name):
        cleaned = super().sanitize_file_name(file_name)
        self._raw_names[cleaned or ""] = file_name
        return cleaned


class RawNameUploadHandler(FileUploadHandler):
    """First upload handler of a file upload view (see the module docstring).

    Afterwards, `request.upload_raw_names` maps each received name to the name as
    sent, and `request.upload_too_large` lists the names of files that were skipped
    for being larger than the limit.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self._parsing = False
        self._received = 0
        request.upload_raw_names = {}
        request.upload_too_large = []

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if self._parsing:
            return None
        self._parsing = True
        try:
            parser = _RawNameParser(
                META,
                input_data,
                self.request.upload_handlers,
                encoding,
                raw_names=self.request.upload_raw_names,
            )
            return parser.parse()
        finally:
            self._parsing = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self._received = 0

    def receive_data_chunk(self, raw_data, start):
        self._received += len(raw_data)
        if self._received > max_upload_size():
            self.request.upload_too_large.append(self.file_name)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None


def store_checked(field_file, checked: "CheckedFile", upload) -> None:
    """Write an accepted upload to the row's file field under its generated name (the
    field's `upload_to`): the clean copy the check made when there is one (an image
    re-encoded: no metadata, nothing appended), else the upload itself, rewound. The
    row is saved by the caller."""
    from django.core.files.base import ContentFile

    if checked.content is not None:
        stored = ContentFile(checked.content)
    else:
        stored = upload
        stored.seek(0)
    field_file.save(checked.name, stored, save=False)
