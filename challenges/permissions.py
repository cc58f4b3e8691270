"""Who may do what with a challenge: named predicates used by views, selectors,
services and the admin alike.

Staff roles come from the groups created by the data migration ("Reviewer",
"Coordinator"); a superuser holds both. The challenger team is the initiator plus
every co-initiator who accepted an invitation.
"""

from .constants import FINAL_STATUSES, Role, Status, Visibility

REVIEWER_GROUP = "Reviewer"
COORDINATOR_GROUP = "Coordinator"


def staff_roles(user) -> set:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    cached = getattr(user, "_rtc_staff_roles", None)
    if cached is not None:
        return cached
    roles: set = set()
    if user.is_superuser:
        roles = {Role.REVIEWER, Role.COORDINATOR}
    elif user.is_staff:
        names = set(user.groups.values_list("name", flat=True))
        if REVIEWER_GROUP in names:
            roles.add(Role.REVIEWER)
        if COORDINATOR_GROUP in names:
            roles.add(Role.COORDINATOR)
    user._rtc_staff_roles = roles
    return roles


def is_municipality(user) -> bool:
    return bool(staff_roles(user))


def is_team_member(user, challenge) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if challenge.pk is None:
        return False
    if challenge.initiator_id == user.pk:
        return True
    remembered = getattr(challenge, "_rtc_team_member", None)
    if remembered is not None and remembered[0] == user.pk:
        return remembered[1]
    return challenge.invitations.filter(user=user, accepted_at__isnull=False).exists()


def remember_team_membership(user, challenge) -> None:
    """For one request's page: look the user's membership up once, so the many
    predicates a page asks do not each query it. Only for the challenge instance a
    view loaded and reads; a service always works on a freshly locked row."""
    if getattr(user, "is_authenticated", False) and challenge.pk is not None:
        challenge._rtc_team_member = (user.pk, is_team_member(user, challenge))


def roles_of(user, challenge) -> set:
    roles = set(staff_roles(user))
    if is_team_member(user, challenge):
        roles.add(Role.CHALLENGER)
    return roles


def can_view(user, challenge) -> bool:
    """Drafts are the team's own; everything submitted is public."""
    if challenge.status != Status.DRAFT:
        return True
    return is_team_member(user, challenge)


def can_see_parties(user, challenge) -> bool:
    return is_municipality(user) or is_team_member(user, challenge)


def visibilities_for(user, challenge) -> list[str]:
    if is_municipality(user):
        return [Visibility.PUBLIC, Visibility.PARTIES, Visibility.INTERNAL]
    if is_team_member(user, challenge):
        return [Visibility.PUBLIC, Visibility.PARTIES]
    return [Visibility.PUBLIC]


def can_edit_plan(user, challenge) -> bool:
    return challenge.status == Status.DRAFT and is_team_member(user, challenge)


def can_invite(user, challenge) -> bool:
    return challenge.status not in FINAL_STATUSES and is_team_member(user, challenge)


def can_add_addition(user, challenge) -> bool:
    return (
        challenge.status not in FINAL_STATUSES
        and challenge.status != Status.DRAFT
        and is_team_member(user, challenge)
    )


def can_add_note(user, challenge) -> bool:
    return is_municipality(user) and challenge.status != Status.DRAFT


def can_assess(user, challenge) -> bool:
    return bool(staff_roles(user)) and challenge.status in (Status.ASSESSMENT, Status.DECISION)


# -- Attachments to a submission -------------------------------------------------------


def can_add_attachment(user, challenge) -> bool:
    """The team adds files while a draft (part of the plan) and afterwards (as
    additions, on the timeline), until the challenge is closed."""
    return challenge.status not in FINAL_STATUSES and is_team_member(user, challenge)


def can_change_attachment_visibility(user, challenge) -> bool:
    return challenge.status not in FINAL_STATUSES and is_team_member(user, challenge)


def can_delete_attachment(user, challenge) -> bool:
    """Only while a draft: what was submitted stays part of the record."""
    return challenge.status == Status.DRAFT and is_team_member(user, challenge)


def attachment_visibilities_for(user, challenge) -> list[str]:
    """Which attachments a reader may see and download: a draft's only its team; a
    submitted challenge's public ones anyone, the parties' ones the parties."""
    if challenge.status == Status.DRAFT:
        if is_team_member(user, challenge):
            return [Visibility.PUBLIC, Visibility.PARTIES]
        return []
    if can_see_parties(user, challenge):
        return [Visibility.PUBLIC, Visibility.PARTIES]
    return [Visibility.PUBLIC]


def can_download_attachment(user, attachment) -> bool:
    return attachment.visibility in attachment_visibilities_for(user, attachment.challenge)
