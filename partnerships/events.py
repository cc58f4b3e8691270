"""The event types, notification kinds and guards that `partnerships` declares.

Registered from `PartnershipsConfig.ready()` in the registries of `challenges`
(see `challenges.registry`): `challenges` never imports this app.
"""

from django.utils.translation import gettext_lazy as _

from challenges.events import CONVERSATION, PROGRESS, TEAM
from challenges.registry import EventType, NotificationKind

from . import selectors
from .constants import PartnershipEvent

DOCUMENTS = "documents"
AGREEMENT = "agreement"
KNOTS = "knots"
REFLECTIONS = "reflections"

KINDS = [
    NotificationKind(DOCUMENTS, _("Documents: files shared in the workspace")),
    NotificationKind(AGREEMENT, _("Agreement: versions proposed and signed")),
    NotificationKind(KNOTS, _("Knots: blocking questions raised and cut")),
    NotificationKind(REFLECTIONS, _("Reflections: asked for, answered and shared")),
]

E = PartnershipEvent
_KIND_OF = {
    E.ORGANISATION_LINKED: TEAM,
    E.CONTACT_PERSON_ASSIGNED: TEAM,
    E.CONTACT_PERSON_HANDED_OVER: TEAM,
    E.AGREEMENT_PROPOSED: AGREEMENT,
    E.AGREEMENT_SIGNED: AGREEMENT,
    E.AGREEMENT_IN_FORCE: AGREEMENT,
    E.MILESTONE_ADDED: PROGRESS,
    E.MILESTONE_UPDATED: PROGRESS,
    E.REFLECTION_OPENED: REFLECTIONS,
    E.REFLECTION_ANSWERED: REFLECTIONS,
    E.REFLECTION_REVEALED: REFLECTIONS,
    E.KNOT_RAISED: KNOTS,
    E.KNOT_RESOLVED: KNOTS,
    E.MESSAGE_POSTED: CONVERSATION,
    E.DOCUMENT_UPLOADED: DOCUMENTS,
}
EVENT_TYPES = [EventType(code=c.value, label=c.label, kind=_KIND_OF[c]) for c in E]


def contact_persons_assigned(challenge, edge) -> list:
    """Guard: both sides have an active fixed contact person (what is missing)."""
    return selectors.missing_for_assessment(challenge)


def agreement_in_force(challenge, edge) -> list:
    """Guard: both contact persons signed the current agreement version."""
    return selectors.missing_for_execution(challenge)
