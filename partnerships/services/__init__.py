"""Every change to a partnership goes through a function here.

Like `challenges.services`: keyword-only, one transaction, the challenge row locked
first (`challenges.services.locked_challenge`; one lock order everywhere, so two changes to
one partnership never deadlock), validated with a translated message
(`ServiceError`), the timeline event written in the same transaction, side effects
queued with `transaction.on_commit`. Refusals change nothing.

Workspace events are for the parties; milestone events of a public milestone are
public.

One module per sub-domain: `organisations`, `contact_persons`, `agreement`,
`milestones`, `reflections`, `knots` and `workspace` (messages and documents), with
the checks they share in `_common`. This package re-exports every service, so callers
write `from partnerships import services; services.agreement_sign(...)`.
"""

from .agreement import (
    TEXT_FIELDS,
    agreement_propose,
    agreement_save_draft,
    agreement_sign,
    clean_agreement_content,
)
from .contact_persons import contact_person_assign, contact_person_hand_over
from .knots import knot_raise, knot_resolve
from .milestones import milestone_create, milestone_update
from .organisations import (
    KVK_PATTERN,
    normalise_kvk,
    organisation_add_member,
    organisation_create,
    partnership_link_organisation,
    partnership_register_organisation,
    validate_kvk,
)
from .reflections import reflection_answer, reflection_open, reflections_open_due
from .workspace import document_upload, message_post

__all__ = [
    "KVK_PATTERN",
    "TEXT_FIELDS",
    "agreement_propose",
    "agreement_save_draft",
    "agreement_sign",
    "clean_agreement_content",
    "contact_person_assign",
    "contact_person_hand_over",
    "document_upload",
    "knot_raise",
    "knot_resolve",
    "message_post",
    "milestone_create",
    "milestone_update",
    "normalise_kvk",
    "organisation_add_member",
    "organisation_create",
    "partnership_link_organisation",
    "partnership_register_organisation",
    "reflection_answer",
    "reflection_open",
    "reflections_open_due",
    "validate_kvk",
]
