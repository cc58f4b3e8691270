"""The conversation of the workspace: messages, and documents shared with the other
side (checked by their content, stored under a generated name)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.models import Challenge
from challenges.services import locked_challenge
from challenges.timeline import record_event
from core.errors import ServiceError
from core.uploads import store_checked

from ..models import Document, Message
from ..uploads import UploadRefused, check_upload
from ._common import E, V, _acting_role, _require_open, _require_side, _text


@transaction.atomic
def message_post(*, challenge: Challenge, actor, text: str) -> Message:
    locked = locked_challenge(challenge)
    side = _require_side(actor, locked)
    _require_open(locked)
    text = _text(text, _("Write the message first."))
    message = Message.objects.create(
        challenge=locked, author=actor, side=side, text=text, created_at=timezone.now()
    )
    record_event(
        challenge=locked,
        code=E.MESSAGE_POSTED,
        visibility=V.PARTIES,
        actor=actor,
        actor_role=_acting_role(actor, side),
        data={"message": message.pk, "side": side, "excerpt": text[:200]},
    )
    return message


@transaction.atomic
def document_upload(
    *, challenge: Challenge, actor, file, name: str | None = None, description: str = ""
) -> Document:
    """Share a document with the other side: checked by its content (an image is
    re-encoded, and the clean copy is what is stored), stored under a generated name."""
    locked = locked_challenge(challenge)
    side = _require_side(actor, locked)
    _require_open(locked)
    try:
        checked = check_upload(file, name=name if name is not None else file.name, size=file.size)
    except UploadRefused as refusal:
        raise ServiceError(refusal.message) from refusal
    document = Document(
        challenge=locked,
        uploaded_by=actor,
        side=side,
        original_name=checked.name,
        description=(description or "").strip()[:300],
        kind=checked.kind.key,
        content_type=checked.kind.content_type,
        size=checked.size,
        sha256=checked.sha256,
        created_at=timezone.now(),
    )
    store_checked(document.file, checked, file)
    try:
        document.save()
        record_event(
            challenge=locked,
            code=E.DOCUMENT_UPLOADED,
            visibility=V.PARTIES,
            actor=actor,
            actor_role=_acting_role(actor, side),
            data={
                "document": document.pk,
                "name": checked.name,
                "kind": checked.kind.key,
                "size": checked.size,
                "description": document.description,
                "side": side,
            },
        )
    except Exception:
        document.file.delete(save=False)
        raise
    # A transaction rolled back after this point leaves the file without a row: it is
    # never served (downloads go through the row) and has a name nobody can guess.
    return document
