"""Who may do what with support and questions: named predicates, used by the
views, the sections of the challenge page and the services alike."""

from allauth.account.models import EmailAddress

from challenges import permissions as challenge_permissions
from challenges.constants import OPEN_STATUSES, Status

from .constants import AnswerRole

# From submission until the challenge is closed (rejected, completed, withdrawn): a
# challenge on hold still wants its neighbourhood behind it.
SUPPORT_STATUSES = frozenset([*OPEN_STATUSES, Status.ON_HOLD])
QUESTION_STATUSES = SUPPORT_STATUSES


def is_public(challenge) -> bool:
    """Everything submitted is public; a draft is the team's own."""
    return challenge.status != Status.DRAFT


def has_verified_email(user) -> bool:
    """The person showed an address to be theirs (allauth's verification). Cached on
    the user object for the request: the page asks it more than once."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cached = getattr(user, "_rtc_verified_email", None)
    if cached is None:
        cached = EmailAddress.objects.filter(user=user, verified=True).exists()
        user._rtc_verified_email = cached
    return cached


def is_open_for_support(challenge) -> bool:
    return challenge.status in SUPPORT_STATUSES


def can_support(user, challenge) -> bool:
    """A logged-in resident with a verified address, on a public challenge still
    open. The team backs its own plan already, so it does not count itself."""
    return (
        is_open_for_support(challenge)
        and has_verified_email(user)
        and not challenge_permissions.is_team_member(user, challenge)
    )


def can_see_all_offers(user, challenge) -> bool:
    """The team, and the municipality, see every offer with the supporter's name
    where it was allowed; the public sees offers, names only with consent."""
    return challenge_permissions.is_team_member(
        user, challenge
    ) or challenge_permissions.is_municipality(user)


def can_message_supporters(user, challenge) -> bool:
    return is_public(challenge) and challenge_permissions.is_team_member(user, challenge)


def can_ask(user, challenge) -> bool:
    return challenge.status in QUESTION_STATUSES and has_verified_email(user)


def answer_role(user, challenge) -> str:
    """The side an answer by `user` speaks for, or "" when they may not answer."""
    # Also once the challenge is closed: a question asked before deserves an answer.
    if not is_public(challenge):
        return ""
    if challenge_permissions.is_team_member(user, challenge):
        return AnswerRole.TEAM
    if challenge_permissions.is_municipality(user):
        return AnswerRole.MUNICIPALITY
    return ""


def can_answer(user, challenge) -> bool:
    return bool(answer_role(user, challenge))


def can_report(user, challenge) -> bool:
    return is_public(challenge) and getattr(user, "is_authenticated", False) and user.is_active


def can_hide(user, challenge) -> bool:
    """Staff with a role (a reviewer or coordinator) hide posts."""
    return is_public(challenge) and challenge_permissions.is_municipality(user)
