"""Reflections: both sides score the partnership, and an answer stays hidden from the
other side until both have answered. Asked for by a side, or by the portal itself
(`reflections_open_due`, run daily by `tasks.open_due_reflections`)."""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.constants import Status
from challenges.models import Challenge
from challenges.services import locked_challenge
from challenges.timeline import record_event
from core.errors import ServiceError

from ..constants import (
    REFLECTION_QUESTIONS,
    REFLECTION_STATUSES,
    REFLECTION_TRIGGER_EVALUATION,
    REFLECTION_TRIGGER_EVALUATION_DATE,
    REFLECTION_TRIGGER_PERIODIC,
    Side,
)
from ..models import ReflectionAnswer, ReflectionRound
from ..selectors.agreement import agreement_in_force
from ._common import E, V, _acting_role, _require_side, _side_label_capitalised, _text


@transaction.atomic
def reflection_open(
    *,
    challenge: Challenge,
    actor=None,
    evaluation_date: date | None = None,
    reason: str = "",
    trigger: str = "",
) -> ReflectionRound:
    """Ask both sides to reflect: on request (an actor, with a reason), or by the portal
    itself (actor None) with the `trigger` of `reflections_open_due`."""
    locked = locked_challenge(challenge)
    side = None
    if actor is not None:
        side = _require_side(actor, locked)
        reason = _text(reason, _("Say why you ask for a reflection now."))
    if locked.status not in REFLECTION_STATUSES:
        raise ServiceError(
            _(
                "Reflections are held in the stages execution and evaluation; this challenge "
                "is in stage “%(stage)s”."
            ),
            params={"stage": Status(locked.status).label},
        )
    current = ReflectionRound.objects.filter(challenge=locked, revealed_at__isnull=True).first()
    if current is not None:
        raise ServiceError(
            _(
                "A reflection is already open (asked for on %(date)s). Answer that one first; "
                "a new one can be asked for once both sides have answered."
            ),
            params={"date": timezone.localtime(current.opened_at).date().isoformat()},
        )
    if (
        evaluation_date is not None
        and ReflectionRound.objects.filter(
            challenge=locked, evaluation_date=evaluation_date
        ).exists()
    ):
        raise ServiceError(
            _("The reflection for evaluation date %(date)s has already been asked for."),
            params={"date": evaluation_date.isoformat()},
        )
    round_ = ReflectionRound.objects.create(
        challenge=locked,
        evaluation_date=evaluation_date,
        reason=(reason or "").strip(),
        opened_by=actor,
        opened_at=timezone.now(),
    )
    record_event(
        challenge=locked,
        code=E.REFLECTION_OPENED,
        visibility=V.PARTIES,
        actor=actor,
        actor_role=_acting_role(actor, side) if actor is not None else "",
        data={
            "round": round_.pk,
            "evaluation_date": evaluation_date.isoformat() if evaluation_date else None,
            "reason": round_.reason,
            "side": side,
            "trigger": trigger if actor is None else "",
        },
    )
    return round_


def _score(key: str, value) -> int:
    if type(value) is not int or not 1 <= value <= 5:
        label = dict(REFLECTION_QUESTIONS)[key]
        raise ServiceError(
            _("Answer “%(question)s” with a whole number from 1 to 5."),
            params={"question": label},
        )
    return value


@transaction.atomic
def reflection_answer(
    *, round: ReflectionRound, actor, scores: dict, comments: dict
) -> ReflectionAnswer:
    """One side's answers. They stay hidden from the other side until both answered;
    the second answer shares both, side by side, on the timeline."""
    challenge = locked_challenge(round.challenge)
    locked = ReflectionRound.objects.select_for_update().get(pk=round.pk)
    side = _require_side(actor, challenge)
    if challenge.status not in REFLECTION_STATUSES:
        raise ServiceError(_("Reflections are answered in the stages execution and evaluation."))
    if locked.is_revealed:
        raise ServiceError(
            _("Both sides have already answered this reflection; ask for a new one.")
        )
    if locked.answers.filter(side=side).exists():
        raise ServiceError(
            _("%(side)s has already answered this reflection."),
            params={"side": _side_label_capitalised(side)},
        )
    values = {}
    for key, label in REFLECTION_QUESTIONS:
        values[key] = _score(key, (scores or {}).get(key))
        comment = ((comments or {}).get(key) or "").strip()
        if not comment:
            raise ServiceError(
                _("Add a comment to your answer to “%(question)s”."), params={"question": label}
            )
        values[f"{key}_comment"] = comment
    now = timezone.now()
    answer = ReflectionAnswer.objects.create(
        round=locked, side=side, respondent=actor, answered_at=now, **values
    )
    role = _acting_role(actor, side)
    record_event(
        challenge=challenge,
        code=E.REFLECTION_ANSWERED,
        visibility=V.PARTIES,
        actor=actor,
        actor_role=role,
        # Only who answered: the scores stay hidden until both sides have answered.
        data={"round": locked.pk, "side": side},
    )
    answers = {a.side: a for a in locked.answers.all()}
    if set(answers) == set(Side.values):
        locked.revealed_at = now
        locked.save(update_fields=["revealed_at"])
        record_event(
            challenge=challenge,
            code=E.REFLECTION_REVEALED,
            visibility=V.PARTIES,
            actor=actor,
            actor_role=role,
            data={
                "round": locked.pk,
                "evaluation_date": (
                    locked.evaluation_date.isoformat() if locked.evaluation_date else None
                ),
                "answers": {
                    side_key: {"scores": a.scores(), "comments": a.comments()}
                    for side_key, a in answers.items()
                },
            },
        )
    return answer


def _reflection_trigger(challenge: Challenge, *, today: date, every_days: int):
    """Why the portal should ask this challenge for a reflection now, if it should:
    (trigger, evaluation date or None), or None."""
    version = agreement_in_force(challenge)
    dates = version.evaluation_dates_parsed if version is not None else []
    if dates:
        done = set(
            ReflectionRound.objects.filter(
                challenge=challenge, evaluation_date__isnull=False
            ).values_list("evaluation_date", flat=True)
        )
        due = [d for d in dates if d <= today and d not in done]
        if due:
            return REFLECTION_TRIGGER_EVALUATION_DATE, max(due)
    since = challenge.status_changed_at
    latest = (
        ReflectionRound.objects.filter(challenge=challenge, opened_at__gte=since)
        .aggregate(latest=Max("opened_at"))
        .get("latest")
    )
    if challenge.status == Status.EVALUATION:
        return (REFLECTION_TRIGGER_EVALUATION, None) if latest is None else None
    if any(d > today for d in dates):  # the agreement's next evaluation date is the moment
        return None
    if today - timezone.localdate(latest or since) >= timedelta(days=every_days):
        return REFLECTION_TRIGGER_PERIODIC, None
    return None


def reflections_open_due(*, today: date | None = None, every_days: int | None = None) -> int:
    """Ask both sides to reflect wherever it is time (the daily task); the one
    mechanism by which the portal prompts a reflection:

    - an evaluation date of the agreement in force has come;
    - the challenge entered evaluation and has had no reflection since;
    - in execution once the agreement's evaluation dates are all past, every
      `every_days` days (REFLECTION_PROMPT_DAYS) since the latest reflection was
      asked for (or since execution started), so a long partnership keeps
      reflecting.

    A challenge with a reflection still open is left alone (that one waits for its
    answers). Safe to run twice: each moment opens one reflection.
    """
    today = today or timezone.localdate()
    every_days = settings.REFLECTION_PROMPT_DAYS if every_days is None else every_days
    opened = 0
    open_rounds = ReflectionRound.objects.filter(revealed_at__isnull=True).values("challenge_id")
    for challenge in Challenge.objects.filter(status__in=REFLECTION_STATUSES).exclude(
        pk__in=open_rounds
    ):
        due = _reflection_trigger(challenge, today=today, every_days=every_days)
        if due is None:
            continue
        trigger, evaluation_date = due
        try:
            reflection_open(challenge=challenge, evaluation_date=evaluation_date, trigger=trigger)
        except ServiceError:
            continue
        opened += 1
    return opened
