"""What a stage change still needs from the partnership, as translated phrases: the
reads behind the two guards that `partnerships.events` gives the transition table."""

from django.utils.translation import gettext_lazy as _

from challenges.models import Challenge
from core.text import interpolate_lazy, join_lazy

from ..constants import Side, VersionStatus
from .agreement import current_version, draft_version
from .contact_persons import missing_contact_persons


def missing_for_assessment(challenge: Challenge) -> list[str]:
    """What the challenge needs before it can leave intake, as translated phrases."""
    names = {
        Side.MUNICIPALITY: _("the municipality's contact person"),
        Side.CHALLENGER: _("the challenger's contact person"),
    }
    return [names[side] for side in missing_contact_persons(challenge)]


def missing_for_execution(challenge: Challenge) -> list:
    """Why execution cannot start yet: one sentence (lazy, in the reader's language),
    or an empty list when the current agreement version is signed by both."""
    names = {
        Side.MUNICIPALITY: _("the municipality's contact person"),
        Side.CHALLENGER: _("the challenger's contact person"),
    }
    current = current_version(challenge)
    if current is not None and current.status == VersionStatus.SIGNED:
        return []
    if current is None:
        draft = draft_version(challenge)
        if draft is not None:
            return [
                interpolate_lazy(
                    _(
                        "Version %(number)s is still a draft: propose it, then both contact "
                        "persons sign it."
                    ),
                    {"number": draft.number},
                )
            ]
        return [
            _(
                "There is no agreement yet: draft it, propose it and have both contact "
                "persons sign it."
            )
        ]
    signed = {signature.side for signature in current.signatures.all()}
    missing = [names[side] for side in Side.values if side not in signed]
    return [
        interpolate_lazy(
            _("Version %(number)s still needs the signature of %(missing)s."),
            {"number": current.number, "missing": join_lazy(missing)},
        )
    ]
