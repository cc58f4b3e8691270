"""Who may do what in a partnership: named predicates used by views, services,
selectors and the admin alike.

The parties are the challenger team (`challenges.permissions.is_team_member`) and
the municipality (`is_municipality`: a reviewer or coordinator). Everybody else,
a logged-in resident outside the team included, does not know the workspace
exists: the views answer 404.
"""

from challenges.constants import Status
from challenges.permissions import is_municipality, is_team_member, staff_roles

from .constants import (
    AGREEMENT_STATUSES,
    MILESTONE_STATUSES,
    REFLECTION_STATUSES,
    WORKSPACE_OPEN_STATUSES,
    Side,
)


def side_of(user, challenge) -> str | None:
    """The side a user belongs to on this challenge, or None for an outsider."""
    if is_team_member(user, challenge):
        return Side.CHALLENGER
    if is_municipality(user):
        return Side.MUNICIPALITY
    return None


def is_party(user, challenge) -> bool:
    return side_of(user, challenge) is not None


def can_view_workspace(user, challenge) -> bool:
    """The parties, from submission on (also once the challenge is closed)."""
    return challenge.status != Status.DRAFT and is_party(user, challenge)


def workspace_is_open(challenge) -> bool:
    return challenge.status in WORKSPACE_OPEN_STATUSES


def can_work_in_workspace(user, challenge) -> bool:
    """Post messages, share documents, raise knots: the parties while the challenge runs."""
    return workspace_is_open(challenge) and is_party(user, challenge)


def can_manage_organisation(user, challenge) -> bool:
    return workspace_is_open(challenge) and is_team_member(user, challenge)


def is_active_contact_person(user, challenge, side: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return challenge.contact_persons.filter(user=user, side=side, ended_at__isnull=True).exists()


def can_assign_contact_person(user, challenge, side: str) -> bool:
    """The municipality names its own contact person; the challenger's is named by the
    team or recorded by the municipality (for instance after the exploratory talk)."""
    if not workspace_is_open(challenge):
        return False
    if side == Side.MUNICIPALITY:
        return is_municipality(user)
    return is_team_member(user, challenge) or is_municipality(user)


def can_be_contact_person(user, challenge, side: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if side == Side.MUNICIPALITY:
        return bool(staff_roles(user))
    return is_team_member(user, challenge)


def can_edit_agreement(user, challenge) -> bool:
    return challenge.status in AGREEMENT_STATUSES and is_party(user, challenge)


def can_sign_agreement(user, challenge) -> bool:
    """Only a side's active contact person signs for that side."""
    side = side_of(user, challenge)
    return (
        challenge.status in AGREEMENT_STATUSES
        and side is not None
        and is_active_contact_person(user, challenge, side)
    )


def can_manage_milestones(user, challenge) -> bool:
    return challenge.status in MILESTONE_STATUSES and is_party(user, challenge)


def can_reflect(user, challenge) -> bool:
    return challenge.status in REFLECTION_STATUSES and is_party(user, challenge)


def can_resolve_knot(user, challenge) -> bool:
    return can_work_in_workspace(user, challenge)


def can_see_knot_overview(user) -> bool:
    """The list of every open knot: the coordinator's (and the reviewers') overview."""
    return is_municipality(user)
