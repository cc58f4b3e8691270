"""The civil servants' side of the partnerships in the admin.

Every record is read-only here; every change is a small form that calls the same
service as the workspace (`ServiceAdminMixin.service_form_view`), so the same rules,
messages and timeline events apply. Reflection answers are shown only once both
sides have answered, exactly as in the workspace.

One module per sub-domain (`organisations`, `contact_persons`, `agreement`,
`milestones`, `reflections`, `knots`, `workspace`: messages and documents), each
registering its models; what they share is in `_common`. Importing this package (the
admin's autodiscovery does) registers them all.
"""

from ._common import ServiceAdminMixin, with_challenge
from .agreement import AgreementVersionAdmin, SignatureInline
from .contact_persons import ContactPersonAdmin, ContactPersonAdminForm
from .knots import KnotAdmin, OpenFirstFilter
from .milestones import MilestoneAdmin
from .organisations import OrganisationAdmin, OrganisationMemberInline
from .reflections import ReflectionRoundAdmin
from .workspace import DocumentAdmin, MessageAdmin

__all__ = [
    "AgreementVersionAdmin",
    "ContactPersonAdmin",
    "ContactPersonAdminForm",
    "DocumentAdmin",
    "KnotAdmin",
    "MessageAdmin",
    "MilestoneAdmin",
    "OpenFirstFilter",
    "OrganisationAdmin",
    "OrganisationMemberInline",
    "ReflectionRoundAdmin",
    "ServiceAdminMixin",
    "SignatureInline",
    "with_challenge",
]
