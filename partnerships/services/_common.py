"""Checks and labels shared by the partnership services: which side the actor is on,
the role recorded for them on the timeline, whether the workspace is still open."""

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from challenges.constants import Role, Visibility
from challenges.permissions import staff_roles
from core.errors import ServiceError

from .. import permissions
from ..constants import PartnershipEvent, Side

E = PartnershipEvent
V = Visibility


def _side_label_capitalised(side: str):
    """The side's label with a capital, still lazy (translated when shown)."""
    return capfirst(Side(side).label)


def _acting_role(user, side: str) -> str:
    if side == Side.CHALLENGER:
        return Role.CHALLENGER
    roles = staff_roles(user)
    return Role.COORDINATOR if Role.COORDINATOR in roles else Role.REVIEWER


def _require_side(user, challenge) -> str:
    side = permissions.side_of(user, challenge)
    if side is None:
        raise ServiceError(_("Only the challenger team and the municipality can do this."))
    return side


def _text(value, message) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(message)
    return value


def _closed_message():
    return _("This challenge is closed; its workspace can be read but no longer changed.")


def _require_open(challenge) -> None:
    if not permissions.workspace_is_open(challenge):
        raise ServiceError(_closed_message())
