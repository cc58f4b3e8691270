"""Reads of a partnership shared by the workspace pages, the admin, the guards of the
transition table and the demo data, so that they never disagree."""

import difflib
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges import selectors as challenge_selectors
from challenges.constants import Visibility
from challenges.models import Challenge, TimelineEvent
from challenges.permissions import COORDINATOR_GROUP, REVIEWER_GROUP
from core.text import interpolate_lazy, join_lazy

from . import permissions
from .constants import REFLECTION_QUESTIONS, KnotStatus, MilestoneStatus, Side, VersionStatus
from .models import (
    CONTENT_FIELDS,
    AgreementVersion,
    ContactPerson,
    Document,
    Knot,
    Message,
    Milestone,
    Partnership,
    ReflectionRound,
)

# -- Contact persons -----------------------------------------------------------------------


def active_contact_persons(challenge: Challenge) -> dict[str, ContactPerson]:
    """The active contact person per side ({"municipality": ..., "challenger": ...})."""
    return {
        person.side: person
        for person in ContactPerson.objects.filter(
            challenge=challenge, ended_at__isnull=True, user__isnull=False
        ).select_related("user")
    }


def eligible_contact_persons(challenge: Challenge, side: str):
    """Who can be named contact person of a side: a team member for the challenger, a
    reviewer or coordinator for the municipality."""
    User = get_user_model()
    if side == Side.CHALLENGER:
        ids = [user.pk for user in challenge_selectors.team_members(challenge)]
        return User.objects.filter(pk__in=ids).order_by("first_name", "last_name", "pk")
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(groups__name__in=[REVIEWER_GROUP, COORDINATOR_GROUP]))
        .distinct()
        .order_by("first_name", "last_name", "pk")
    )


def contact_person_history(challenge: Challenge) -> QuerySet[ContactPerson]:
    return ContactPerson.objects.filter(challenge=challenge).select_related("user", "assigned_by")


def missing_contact_persons(challenge: Challenge) -> list[str]:
    """Sides (values) that have no active contact person (or whose account is deleted)."""
    active = set(
        ContactPerson.objects.filter(
            challenge=challenge, ended_at__isnull=True, user__isnull=False
        ).values_list("side", flat=True)
    )
    return [side.value for side in Side if side.value not in active]


# -- Agreement -----------------------------------------------------------------------------


def agreement_versions(challenge: Challenge) -> QuerySet[AgreementVersion]:
    return (
        AgreementVersion.objects.filter(challenge=challenge)
        .select_related("created_by", "proposed_by")
        .prefetch_related("signatures__signer")
        .order_by("-number")
    )


def current_version(challenge: Challenge) -> AgreementVersion | None:
    """The version on the table: proposed (awaiting signatures) or signed (in force)."""
    return (
        AgreementVersion.objects.filter(
            challenge=challenge, status__in=[VersionStatus.PROPOSED, VersionStatus.SIGNED]
        )
        .prefetch_related("signatures__signer")
        .first()
    )


def draft_version(challenge: Challenge) -> AgreementVersion | None:
    return AgreementVersion.objects.filter(challenge=challenge, status=VersionStatus.DRAFT).first()


def agreement_in_force(challenge: Challenge) -> AgreementVersion | None:
    """The version in force: the current version, once both contact persons signed it."""
    return AgreementVersion.objects.filter(challenge=challenge, status=VersionStatus.SIGNED).first()


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # (" " | "-" | "+", text)


def _display(version: AgreementVersion, name: str) -> str:
    value = getattr(version, name)
    if name == "reporting_rhythm":
        return str(version.get_reporting_rhythm_display())
    if name == "evaluation_dates":
        return "\n".join(value or [])
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def version_changes(old: AgreementVersion | None, new: AgreementVersion) -> list[FieldChange]:
    """What changed from `old` to `new`, field by field; every field when there is no old."""
    changes = []
    for name in CONTENT_FIELDS:
        label = str(AgreementVersion._meta.get_field(name).verbose_name)
        after = _display(new, name)
        before = _display(old, name) if old is not None else ""
        if old is not None and before == after:
            continue
        lines = []
        for line in difflib.ndiff(before.splitlines(), after.splitlines()):
            marker = line[:1]
            if marker in ("-", "+", " "):
                lines.append((marker, line[2:]))
        changes.append(FieldChange(name=name, label=label, old=before, new=after, lines=lines))
    return changes


def previous_version(version: AgreementVersion) -> AgreementVersion | None:
    return (
        AgreementVersion.objects.filter(
            challenge_id=version.challenge_id, number__lt=version.number
        )
        .exclude(status=VersionStatus.DRAFT)
        .order_by("-number")
        .first()
    )


# -- Milestones ----------------------------------------------------------------------------


@dataclass
class Progress:
    total: int
    done: int
    at_risk: int
    in_progress: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def milestones(challenge: Challenge, *, public_only: bool = False) -> QuerySet[Milestone]:
    qs = Milestone.objects.filter(challenge=challenge)
    if public_only:
        qs = qs.filter(is_public=True)
    return qs.order_by("due_date", "pk")


def progress(items) -> Progress:
    items = list(items)
    return Progress(
        total=len(items),
        done=sum(1 for m in items if m.status == MilestoneStatus.DONE),
        at_risk=sum(1 for m in items if m.status == MilestoneStatus.AT_RISK),
        in_progress=sum(1 for m in items if m.status == MilestoneStatus.IN_PROGRESS),
    )


# -- Reflections ---------------------------------------------------------------------------


def open_reflection(challenge: Challenge) -> ReflectionRound | None:
    return ReflectionRound.objects.filter(challenge=challenge, revealed_at__isnull=True).first()


@dataclass
class RoundView:
    """A reflection as one side may see it: the other side's answer only once shared."""

    round: ReflectionRound
    own: object | None  # ReflectionAnswer of the reader's side
    other: object | None  # ReflectionAnswer of the other side, only when revealed
    answered_sides: list[str]
    municipality: object | None = None  # both, side by side, only when revealed
    challenger: object | None = None


def reflections_for(user, challenge: Challenge) -> list[RoundView]:
    """Every reflection round of the challenge as `user` may see it."""
    side = permissions.side_of(user, challenge)
    rounds = ReflectionRound.objects.filter(challenge=challenge).prefetch_related("answers")
    views = []
    for round_ in rounds:
        answers = {answer.side: answer for answer in round_.answers.all()}
        revealed = round_.is_revealed
        own = answers.get(side) if side else None
        other_side = Side.CHALLENGER if side == Side.MUNICIPALITY else Side.MUNICIPALITY
        views.append(
            RoundView(
                round=round_,
                own=own,
                other=answers.get(other_side) if revealed else None,
                answered_sides=sorted(answers),
                municipality=answers.get(Side.MUNICIPALITY) if revealed else None,
                challenger=answers.get(Side.CHALLENGER) if revealed else None,
            )
        )
    return views


@dataclass
class TrendPoint:
    when: date
    scores: dict  # {question: {"municipality": n, "challenger": n}}


def reflection_trend(challenge: Challenge) -> list[TrendPoint]:
    """The scores of every shared reflection, oldest first (hidden rounds are left out)."""
    points = []
    rounds = (
        ReflectionRound.objects.filter(challenge=challenge, revealed_at__isnull=False)
        .prefetch_related("answers")
        .order_by("revealed_at", "pk")
    )
    for round_ in rounds:
        answers = {answer.side: answer for answer in round_.answers.all()}
        if set(answers) != {Side.MUNICIPALITY, Side.CHALLENGER}:
            continue
        points.append(
            TrendPoint(
                when=round_.evaluation_date or timezone.localdate(round_.revealed_at),
                scores={
                    key: {
                        Side.MUNICIPALITY.value: getattr(answers[Side.MUNICIPALITY], key),
                        Side.CHALLENGER.value: getattr(answers[Side.CHALLENGER], key),
                    }
                    for key, _label in REFLECTION_QUESTIONS
                },
            )
        )
    return points


# -- Knots ---------------------------------------------------------------------------------


def knots(challenge: Challenge) -> QuerySet[Knot]:
    return (
        Knot.objects.filter(challenge=challenge)
        .select_related("raised_by", "resolved_by")
        .order_by("status", "needed_by", "pk")
    )


def open_knots() -> QuerySet[Knot]:
    """Every open knot of every challenge, the one needed first at the top."""
    return (
        Knot.objects.filter(status=KnotStatus.OPEN)
        .select_related("challenge", "raised_by")
        .order_by("needed_by", "raised_at", "pk")
    )


# -- Messages, documents and the parties timeline ------------------------------------------


def messages(challenge: Challenge) -> QuerySet[Message]:
    return Message.objects.filter(challenge=challenge).select_related("author")


def documents(challenge: Challenge) -> QuerySet[Document]:
    return Document.objects.filter(challenge=challenge).select_related("uploaded_by")


def parties_timeline(challenge: Challenge) -> QuerySet[TimelineEvent]:
    """The shared timeline of the parties: public and parties events, never internal ones.

    Both sides read exactly this, so they see the same events.
    """
    return (
        challenge.events.filter(visibility__in=[Visibility.PUBLIC, Visibility.PARTIES])
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )


def workspace_challenges(user) -> QuerySet[Challenge]:
    """Challenges whose workspace the user may open (for lists)."""
    if permissions.can_see_knot_overview(user):
        return challenge_selectors.public_challenges()
    return challenge_selectors.team_challenges(user).exclude(status="draft")


def partnership_of(challenge: Challenge) -> Partnership | None:
    return (
        Partnership.objects.filter(challenge=challenge)
        .select_related("organisation")
        .prefetch_related(
            Prefetch("organisation__members", queryset=_members_queryset()),
        )
        .first()
    )


def _members_queryset():
    from .models import OrganisationMember

    return OrganisationMember.objects.select_related("user").order_by("pk")


# -- What a stage change still needs -------------------------------------------------------


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
