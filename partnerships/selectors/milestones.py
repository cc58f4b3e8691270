"""The milestones of a challenge (all, or the public ones) and the progress they add
up to."""

from dataclasses import dataclass

from django.db.models import QuerySet

from challenges.models import Challenge

from ..constants import MilestoneStatus
from ..models import Milestone


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
