"""Reads of the "My data" pages: what stands in the way of deleting an account."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from partnerships.constants import WORKSPACE_OPEN_STATUSES, Side
from partnerships.models import ContactPerson

# The e-mail address a deleted account keeps: unique, and on the reserved .invalid
# top-level domain (RFC 2606), so nothing is ever sent to it.
DELETED_EMAIL_DOMAIN = "deleted.invalid"


def is_deleted_account(user) -> bool:
    return bool(user.email) and user.email.endswith(f"@{DELETED_EMAIL_DOMAIN}")


def active_contact_roles(user) -> QuerySet[ContactPerson]:
    """The fixed contact person assignments the person holds on running partnerships."""
    return (
        ContactPerson.objects.filter(
            user=user, ended_at__isnull=True, challenge__status__in=WORKSPACE_OPEN_STATUSES
        )
        .select_related("challenge")
        .order_by("challenge__reference", "side")
    )


def deletion_refusal(user) -> str:
    """Why this person cannot delete their account now, in their language; "" if they can."""
    if user.is_staff or user.is_superuser:
        return _(
            "Accounts of the municipality's staff are managed by the municipality. Ask the "
            "functional administrator of the portal to close your account."
        )
    roles = list(active_contact_roles(user))
    if not roles:
        return ""
    references = ", ".join(role.challenge.reference or str(role.challenge) for role in roles)
    if any(role.side == Side.CHALLENGER for role in roles):
        return _(
            "You are the fixed contact person of the challenger for %(challenges)s. A "
            "partnership always needs one, so first ask your team or the municipality's "
            "contact person to hand the role over to someone else (in the workspace, "
            "under Contact persons). Then you can delete your account."
        ) % {"challenges": references}
    return _(
        "You are the municipality's fixed contact person for %(challenges)s. Ask a "
        "coordinator to hand the role over to a colleague first. Then you can delete "
        "your account."
    ) % {"challenges": references}
