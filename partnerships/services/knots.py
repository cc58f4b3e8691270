"""Knots: a blocking question raised by either side with the decision needed and by
when, cut with the decision recorded."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.models import Challenge
from challenges.services import locked_challenge
from challenges.timeline import record_event
from core.errors import ServiceError

from ..constants import KnotStatus
from ..models import Knot
from ._common import E, V, _acting_role, _require_open, _require_side, _text


@transaction.atomic
def knot_raise(
    *, challenge: Challenge, actor, question: str, decision_needed: str, needed_by: date
) -> Knot:
    locked = locked_challenge(challenge)
    side = _require_side(actor, locked)
    _require_open(locked)
    question = _text(question, _("Write the blocking question."))
    decision_needed = _text(decision_needed, _("Describe the decision that is needed."))
    if not isinstance(needed_by, date):
        raise ServiceError(_("Say by which date the decision is needed."))
    if needed_by < timezone.localdate():
        raise ServiceError(_("The date by which the decision is needed cannot be in the past."))
    knot = Knot.objects.create(
        challenge=locked,
        question=question,
        decision_needed=decision_needed,
        needed_by=needed_by,
        raised_by=actor,
        raised_by_side=side,
        raised_at=timezone.now(),
    )
    record_event(
        challenge=locked,
        code=E.KNOT_RAISED,
        visibility=V.PARTIES,
        actor=actor,
        actor_role=_acting_role(actor, side),
        data={
            "knot": knot.pk,
            "question": question,
            "decision_needed": decision_needed,
            "needed_by": needed_by.isoformat(),
            "side": side,
        },
    )
    return knot


@transaction.atomic
def knot_resolve(*, knot: Knot, actor, decision: str) -> Knot:
    challenge = locked_challenge(knot.challenge)
    locked = Knot.objects.select_for_update().get(pk=knot.pk)
    side = _require_side(actor, challenge)
    if locked.status == KnotStatus.RESOLVED:
        raise ServiceError(_("This knot has already been cut."))
    _require_open(challenge)
    decision = _text(decision, _("Write down the decision that cuts the knot."))
    now = timezone.now()
    locked.status = KnotStatus.RESOLVED
    locked.decision = decision
    locked.resolved_by = actor
    locked.resolved_at = now
    locked.save(update_fields=["status", "decision", "resolved_by", "resolved_at"])
    record_event(
        challenge=challenge,
        code=E.KNOT_RESOLVED,
        visibility=V.PARTIES,
        actor=actor,
        actor_role=_acting_role(actor, side),
        data={
            "knot": locked.pk,
            "question": locked.question,
            "decision": decision,
            "needed_by": locked.needed_by.isoformat(),
            "late": timezone.localdate(now) > locked.needed_by,
            "side": side,
        },
    )
    return locked
