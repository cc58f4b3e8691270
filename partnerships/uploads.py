"""Which files a partnership's workspace accepts as documents.

The checks themselves (name, size, content: PDF parsed, office packages within ZIP
limits, images re-encoded) are `core.uploads`, shared with any app that accepts
files; this module names the kinds a workspace document may be and how a refusal
lists them. The names below are re-exported so that existing imports keep working.
"""

from django.utils.translation import gettext_lazy as _

from core import uploads as _core
from core.uploads import (
    CheckedFile,
    Kind,
    RawNameUploadHandler,
    UploadRefused,
    check_name,
    check_size,
    max_upload_size,
    sniff,
)

__all__ = [
    "ACCEPTED_EXTENSIONS",
    "DOCUMENT_KINDS",
    "KINDS",
    "CheckedFile",
    "Kind",
    "RawNameUploadHandler",
    "UploadRefused",
    "check_name",
    "check_size",
    "check_upload",
    "max_upload_size",
    "sniff",
]

# XLSX and ODS are known to core.uploads too; the workspace does not take them (yet).
DOCUMENT_KINDS = ("pdf", "odt", "docx", "png", "jpeg")
KINDS = {key: _core.KINDS[key] for key in DOCUMENT_KINDS}
ACCEPTED_EXTENSIONS = _core.accepted_extensions(DOCUMENT_KINDS)


def _accepted_list() -> str:
    return _("PDF, ODT, DOCX, PNG or JPEG")


def check_upload(fileobj, *, name: str, size: int) -> CheckedFile:
    """Check a workspace document completely; raise UploadRefused with the reason.
    An image comes back re-encoded (`CheckedFile.content`): store that."""
    return _core.check_upload(
        fileobj, name=name, size=size, kinds=DOCUMENT_KINDS, kinds_text=_accepted_list()
    )
