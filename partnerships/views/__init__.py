"""The shared workspace of a challenge, for the parties only.

Views check access with the named predicates (an outsider gets 404: the workspace
is not there for them), read through selectors and change things only through
services. A refused change is shown on the page it came from: every form goes
through `core.views.ServiceFormView` (form -> service -> message -> redirect), by way
of the workspace's base views in `_common`.

One module per sub-domain: `sections` (the overview and the section pages),
`conversation` (sending messages, sharing and downloading documents), `organisations`,
`contact_persons`, `agreement`, `milestones` (and the public progress page),
`reflections` and `knots`, with what the pages share in `_common`. This package
re-exports every view for the URLconf (`views.workspace`, `views.agreement_sign`, ...).

One view shares the name of its module: `views.reflections` is the view; the module
is `partnerships.views.reflections` (import it by that full name).
"""

from .agreement import agreement_draft, agreement_propose, agreement_sign, agreement_version
from .contact_persons import contact_person
from .conversation import document_download, document_upload, message_new
from .knots import knot_new, knot_overview, knot_resolve
from .milestones import milestone_edit, milestone_new, public_progress
from .organisations import organisation
from .reflections import reflection_answer, reflections
from .sections import (
    agreement_section,
    contact_persons_section,
    documents_section,
    knots_section,
    messages_section,
    milestones_section,
    timeline_section,
    workspace,
)

__all__ = [
    "agreement_draft",
    "agreement_propose",
    "agreement_section",
    "agreement_sign",
    "agreement_version",
    "contact_person",
    "contact_persons_section",
    "document_download",
    "document_upload",
    "documents_section",
    "knot_new",
    "knot_overview",
    "knot_resolve",
    "knots_section",
    "message_new",
    "messages_section",
    "milestone_edit",
    "milestone_new",
    "milestones_section",
    "organisation",
    "public_progress",
    "reflection_answer",
    "reflections",
    "timeline_section",
    "workspace",
]
