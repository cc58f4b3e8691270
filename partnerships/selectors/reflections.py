"""Reflections as the reader may see them (the other side's answer only once both
answered) and the trend of the scores that both sides have shared."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from challenges.models import Challenge

from .. import permissions
from ..constants import REFLECTION_QUESTIONS, Side
from ..models import ReflectionRound


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
