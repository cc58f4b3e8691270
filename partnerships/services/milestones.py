"""Milestones of the partnership, planned and updated from the agreement stage on;
the events of a public milestone are public, the others are for the parties."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.constants import Status
from challenges.models import Challenge
from challenges.services import locked_challenge
from challenges.timeline import record_event
from core.errors import ServiceError

from .. import permissions
from ..constants import MilestoneStatus, Side
from ..models import Milestone
from ._common import E, V, _acting_role, _require_side, _text


def _require_milestones(actor, challenge) -> str:
    side = _require_side(actor, challenge)
    if not permissions.can_manage_milestones(actor, challenge):
        raise ServiceError(
            _(
                "Milestones are planned and updated in the stages agreement, execution and "
                "evaluation; this challenge is in stage “%(stage)s”."
            ),
            params={"stage": Status(challenge.status).label},
        )
    return side


def _milestone_visibility(milestone: Milestone) -> str:
    return V.PUBLIC if milestone.is_public else V.PARTIES


@transaction.atomic
def milestone_create(
    *,
    challenge: Challenge,
    actor,
    title: str,
    owner_side: str,
    due_date: date,
    is_public: bool = False,
    status: str = MilestoneStatus.PLANNED,
) -> Milestone:
    locked = locked_challenge(challenge)
    side = _require_milestones(actor, locked)
    title = _text(title, _("Give the milestone a title."))
    if owner_side not in Side.values:
        raise ServiceError(_("Choose whose milestone it is."))
    if status not in MilestoneStatus.values:
        raise ServiceError(_("Choose a status from the list."))
    if not isinstance(due_date, date):
        raise ServiceError(_("Give the milestone a due date."))
    now = timezone.now()
    milestone = Milestone.objects.create(
        challenge=locked,
        title=title,
        owner_side=owner_side,
        due_date=due_date,
        status=status,
        is_public=bool(is_public),
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    record_event(
        challenge=locked,
        code=E.MILESTONE_ADDED,
        visibility=_milestone_visibility(milestone),
        actor=actor,
        actor_role=_acting_role(actor, side),
        data={
            "milestone": milestone.pk,
            "title": title,
            "owner_side": owner_side,
            "due_date": due_date.isoformat(),
            "status": status,
        },
    )
    return milestone


@transaction.atomic
def milestone_update(
    *, milestone: Milestone, actor, status: str, due_date: date | None = None, note: str = ""
) -> Milestone:
    challenge_row = locked_challenge(milestone.challenge)
    side = _require_milestones(actor, challenge_row)
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if status not in MilestoneStatus.values:
        raise ServiceError(_("Choose a status from the list."))
    due_date = due_date or locked.due_date
    note = (note or "").strip()
    if status == locked.status and due_date == locked.due_date:
        raise ServiceError(_("Nothing changed: choose another status or due date."))
    previous_status, previous_due = locked.status, locked.due_date
    locked.status = status
    locked.due_date = due_date
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "due_date", "updated_at"])
    record_event(
        challenge=challenge_row,
        code=E.MILESTONE_UPDATED,
        visibility=_milestone_visibility(locked),
        actor=actor,
        actor_role=_acting_role(actor, side),
        data={
            "milestone": locked.pk,
            "title": locked.title,
            "from": previous_status,
            "to": status,
            "previous_due_date": previous_due.isoformat(),
            "due_date": due_date.isoformat(),
            "note": note,
        },
    )
    return locked
