"""Reads behind the public statistics, the open data and the coordinator's dashboard.

`public_statistics()` is shared by the statistics page, its CSV and the read-only
API (/api/statistics/): one function, so that they can never disagree. It reads only
what is public already: the stage of every submitted challenge (never a draft), its
task and neighbourhood, and the public `status_changed` events of the timeline.
"""

from datetime import datetime
from statistics import median

from django.db.models import Count, Min, Q

from challenges import selectors as challenge_selectors
from challenges.constants import STAGE_LINE, EventCode, Status, TargetBasis, Visibility
from challenges.models import Neighbourhood, StageTarget, Task, TimelineEvent
from core import clock

# The two outcomes of the decision stage.
DECISION_OUTCOMES = (Status.ACCEPTED, Status.REJECTED)
# A partnership is active while the challenger carries out the task under a signed
# agreement (execution needs one, see the transition table) and while it is evaluated.
ACTIVE_PARTNERSHIP_STATUSES = (Status.EXECUTION, Status.EVALUATION)
# The stops beside the main line, shown after it.
SIDE_STATUSES = (Status.ON_HOLD, Status.REJECTED, Status.WITHDRAWN)

SECONDS_PER_DAY = 86400


def _days(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / SECONDS_PER_DAY


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def decision_moments(*, challenge_ids=None) -> dict[int, tuple[datetime, datetime, str]]:
    """Per decided challenge: (submitted_at, decided_at, outcome).

    The decision is the first public stage change to accepted or rejected. One query,
    grouped per challenge (the first decision and its outcome come from two grouped
    aggregates: a challenge is decided once).
    """
    events = TimelineEvent.objects.filter(
        code=EventCode.STATUS_CHANGED,
        visibility=Visibility.PUBLIC,
        data__to__in=[s.value for s in DECISION_OUTCOMES],
        challenge__submitted_at__isnull=False,
    ).exclude(challenge__status=Status.DRAFT)
    if challenge_ids is not None:
        events = events.filter(challenge_id__in=challenge_ids)
    rows = (
        events.order_by()
        .values("challenge_id", "challenge__submitted_at")
        .annotate(
            decided_at=Min("created_at"),
            accepted=Count("pk", filter=Q(data__to=Status.ACCEPTED.value)),
        )
    )
    return {
        row["challenge_id"]: (
            row["challenge__submitted_at"],
            row["decided_at"],
            Status.ACCEPTED.value if row["accepted"] else Status.REJECTED.value,
        )
        for row in rows
    }


def decision_target() -> StageTarget | None:
    """The target of the decision stage (by default 56 days from the submission)."""
    return StageTarget.objects.filter(status=Status.DECISION).first()


def public_statistics() -> dict:
    """The public figures of the whole portal, as a JSON-serialisable dict.

    Only public data: submitted challenges (never a draft) and public events. Shape
    (kept stable: the API serves it as is)::

        {
          "generated_at": "2026-12-01T12:00:00+00:00",   # ISO 8601
          "total": 42,                     # public (submitted) challenges
          "stages": [                      # the main line in order, then the side stops
            {"status": "submitted", "label": "Submitted", "count": 3, "main_line": true},
            ...
            {"status": "on_hold", "label": "On hold", "count": 1, "main_line": false},
          ],
          "neighbourhoods": [{"id": 1, "name": "Centrum", "count": 5}, ...],  # by name
          "tasks": [{"id": 1, "name": "Groenonderhoud", "count": 7}, ...],     # by name
          "decision_time": {
            "decided": 12,                 # challenges with a decision
            "median_days": 41.5,           # submission -> decision; null when none
            "target_days": 56,             # the decision stage's target; null if unset
            "target_basis": "submission",  # what the target counts from
            "within_target": 10,           # decided within target_days of submission
            "share_within_target": 0.8333, # 0..1; null when nothing was decided
          },
          "decisions": {"accepted": 9, "rejected": 3, "share_accepted": 0.75},
          "active_partnerships": 4,        # challenges in execution or evaluation
        }

    Labels and names are in the active language. Every count is a whole number,
    every share a fraction between 0 and 1 rounded to four decimals.
    """
    counts = dict(
        challenge_selectors.public_challenges()
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    main_line = [
        {
            "status": s.value,
            "label": str(s.label),
            "count": counts.get(s.value, 0),
            "main_line": True,
        }
        for s in STAGE_LINE
    ]
    side = [
        {
            "status": s.value,
            "label": str(s.label),
            "count": counts.get(s.value, 0),
            "main_line": False,
        }
        for s in SIDE_STATUSES
    ]
    public = ~Q(challenges__status=Status.DRAFT)
    neighbourhoods = [
        {"id": pk, "name": name, "count": n}
        for pk, name, n in Neighbourhood.objects.annotate(
            n=Count("challenges", filter=public)
        ).values_list("pk", "name", "n")
    ]
    tasks = [
        {"id": pk, "name": name, "count": n}
        for pk, name, n in Task.objects.annotate(n=Count("challenges", filter=public))
        .filter(Q(is_active=True) | Q(n__gt=0))
        .values_list("pk", "name", "n")
    ]

    decided = decision_moments()
    durations = [_days(submitted, at) for submitted, at, _outcome in decided.values()]
    target = decision_target()
    target_days = target.days if target is not None else None
    within = sum(1 for d in durations if d <= target_days) if target_days is not None else 0
    accepted = sum(1 for *_times, outcome in decided.values() if outcome == Status.ACCEPTED)
    rejected = len(decided) - accepted
    return {
        "generated_at": clock.now().isoformat(),
        "total": sum(counts.values()),
        "stages": main_line + side,
        "neighbourhoods": neighbourhoods,
        "tasks": tasks,
        "decision_time": {
            "decided": len(durations),
            "median_days": round(median(durations), 1) if durations else None,
            "target_days": target_days,
            "target_basis": target.basis if target is not None else TargetBasis.SUBMISSION.value,
            "within_target": within,
            "share_within_target": _share(within, len(durations)) if target_days else None,
        },
        "decisions": {
            "accepted": accepted,
            "rejected": rejected,
            "share_accepted": _share(accepted, accepted + rejected),
        },
        "active_partnerships": sum(counts.get(s.value, 0) for s in ACTIVE_PARTNERSHIP_STATUSES),
    }
