"""Checking uploaded documents by their content, and reading file names as sent.

A document is accepted when its first bytes (and, for the ZIP-based office formats,
its package manifest) show it is a PDF, ODT, DOCX, PNG or JPEG file, when its name
has the extension of that type, and when it is at most `RTC_MAX_UPLOAD_SIZE` bytes.
The name it is stored under is generated (models.document_path); the name it was
sent with is only shown, and it is refused when it holds a folder path.

Django's multipart parser drops any folder part of a file name before a view sees
it. To refuse such a name with a clear message instead of silently shortening it,
`RawNameUploadHandler` takes over the parsing (the documented `handle_raw_input`
hook) with a parser that remembers the names exactly as the browser sent them. The
same handler stops storing a file as soon as it grows past the limit, so an
oversized upload is never written to disk in full.
"""

import hashlib
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http.multipartparser import MultiPartParser
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

DEFAULT_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# Read at most this much of a package manifest; a real one is a few kilobytes.
_MANIFEST_LIMIT = 256 * 1024

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


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
        Kind(
            "odt",
            "ODT",
            "application/vnd.oasis.opendocument.text",
            ("odt",),
        ),
        Kind(
            "docx",
            "DOCX",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ("docx",),
        ),
        Kind("png", "PNG", "image/png", ("png",)),
        Kind("jpeg", "JPEG", "image/jpeg", ("jpg", "jpeg")),
    )
}
ACCEPTED_EXTENSIONS = sorted(ext for kind in KINDS.values() for ext in kind.extensions)


class UploadRefused(Exception):
    """The file cannot be accepted; the message says why, for the person uploading."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def max_upload_size() -> int:
    return int(getattr(settings, "RTC_MAX_UPLOAD_SIZE", DEFAULT_MAX_UPLOAD_SIZE))


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


def _zip_kind(fileobj) -> str | None:
    try:
        with zipfile.ZipFile(fileobj) as package:
            names = set(package.namelist())
            if "mimetype" in names:
                info = package.getinfo("mimetype")
                if info.file_size <= 200 and package.read("mimetype").strip() == ODT_MIMETYPE:
                    return "odt" if "content.xml" in names else None
                return None
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                info = package.getinfo("[Content_Types].xml")
                if info.file_size > _MANIFEST_LIMIT:
                    return None
                if DOCX_MAIN in package.read("[Content_Types].xml"):
                    return "docx"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, RuntimeError):
        return None
    return None


def sniff(fileobj) -> str | None:
    """The kind of file by its content ("pdf", "odt", "docx", "png", "jpeg"), or None."""
    fileobj.seek(0)
    head = fileobj.read(16)
    fileobj.seek(0)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(fileobj)
    fileobj.seek(0)
    return kind


def _accepted_list() -> str:
    return _("PDF, ODT, DOCX, PNG or JPEG")


@dataclass(frozen=True)
class CheckedFile:
    name: str
    kind: Kind
    size: int
    sha256: str


def check_upload(fileobj, *, name: str, size: int) -> CheckedFile:
    """Check a file completely; raise UploadRefused with the reason, or describe it."""
    name = check_name(name)
    check_size(size)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ACCEPTED_EXTENSIONS:
        raise UploadRefused(
            _("Only %(kinds)s files can be shared; “%(name)s” is not one of those.")
            % {"kinds": _accepted_list(), "name": name}
        )
    key = sniff(fileobj)
    if key is None:
        raise UploadRefused(
            _(
                "The content of “%(name)s” is not a %(kinds)s file, whatever its name says. "
                "Only those kinds of files can be shared."
            )
            % {"name": name, "kinds": _accepted_list()}
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
    digest = hashlib.sha256()
    fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(64 * 1024), b""):
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
    """First upload handler of a document upload view (see the module docstring).

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
