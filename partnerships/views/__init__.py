"""The shared workspace of a challenge, for the parties only.

Views check access with the named predicates (an outsider gets 404: the workspace
is not there for them), read through selectors and change things only through
services. A refused change is shown on the page it came from: every form goes
through `core.views.ServiceFormView` (form -> service -> message -> redirect), by way
of the workspace's base views in `_common`.

One module per sub-domain: `workspace` (the page itself, messages and documents),
`organisations`, `contact_persons`, `agreement`, `milestones` (and the public progress
page), `reflections` and `knots`, with what the pages share in `_common`. This package
re-exports every view for the URLconf (`views.workspace`, `views.agreement_sign`, ...).

Two views share the name of their module: `views.workspace` and `views.reflections`
are the views; the modules are `partnerships.views.workspace` and
`partnerships.views.reflections` (import them by that full name).
"""

from .agreement import agreement_draft, agreement_propose, agreement_sign, agreement_version
from .contact_persons import contact_person
from .knots import knot_new, knot_overview, knot_resolve
from .milestones import milestone_edit, milestone_new, public_progress
from .organisations import organisation
from .reflections import reflection_answer, reflections
from .workspace import document_download, document_upload, message_new, workspace

__all__ = [
    "agreement_draft",
    "agreement_propose",
    "agreement_sign",
    "agreement_version",
    "contact_person",
    "document_download",
    "document_upload",
    "knot_new",
    "knot_overview",
    "knot_resolve",
    "message_new",
    "milestone_edit",
    "milestone_new",
    "organisation",
    "public_progress",
    "reflection_answer",
    "reflections",
    "workspace",
]
