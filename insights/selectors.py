"""Reads behind the public statistics, the open data and the coordinator's dashboard.

`public_statistics()` is shared by the statistics page, its CSV and the read-only
API (/api/statistics/): one function, so that they can never disagree. It reads only
what is public already: the stage of every submitted challenge (never a draft), its
task and neighbourhood, and the public `status_changed` events of the timeline.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from django.conf import settings
from django.db.models import Count, Max, Min, Prefetch, Q

from challenges import registry
from challenges import selectors as challenge_selectors
from challenges.constants import (
    FINAL_STATUSES,
    STAGE_LINE,
    EventCode,
    Status,
    TargetBasis,
    Visibility,
)
from challenges.models import Challenge, Neighbourhood, StageTarget, Task, TimelineEvent
from core import clock
from notifications.constants import Channel, DeliveryStatus
from notifications.models import Notification
from partnerships.constants import REFLECTION_QUESTIONS, REFLECTION_STATUSES, KnotStatus, Side
from partnerships.models import ContactPerson, Knot, ReflectionRound

# Rows fetched per round trip when a read streams (lead times, the open data).
CHUNK = 2000

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


# -- The coordinator's dashboard ---------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the dashboard is narrowed to; `since` bounds the lead times (None: all)."""

    neighbourhood: Neighbourhood | None = None
    task: Task | None = None
    since: datetime | None = None

    def challenges(self, qs=None):
        qs = challenge_selectors.public_challenges() if qs is None else qs
        if self.neighbourhood is not None:
            qs = qs.filter(neighbourhood=self.neighbourhood)
        if self.task is not None:
            qs = qs.filter(task=self.task)
        return qs

    def query(self) -> dict:
        """The filters as query parameters of the public challenge list."""
        params = {}
        if self.neighbourhood is not None:
            params["neighbourhood"] = self.neighbourhood.pk
        if self.task is not None:
            params["task"] = self.task.pk
        return params


@dataclass(frozen=True)
class Stop:
    status: str
    label: str
    count: int
    main_line: bool


def pipeline(filters: Filters) -> list[Stop]:
    """Challenges per stage: the main line in order, then the stops beside it."""
    counts = dict(filters.challenges().order_by().values_list("status").annotate(n=Count("pk")))
    return [Stop(s.value, str(s.label), counts.get(s.value, 0), True) for s in STAGE_LINE] + [
        Stop(s.value, str(s.label), counts.get(s.value, 0), False) for s in SIDE_STATUSES
    ]


def percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile (the 90th: the value 90% of the stays are at or
    below); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class LeadTime:
    status: str
    label: str
    stays: int  # completed stays in this stage that ended in the period
    median_days: float | None
    p90_days: float | None


# Stages a challenge stays in and then leaves (the final ones it never leaves).
LEAD_TIME_STATUSES = [s for s in STAGE_LINE if s not in FINAL_STATUSES] + [Status.ON_HOLD]


def lead_times(filters: Filters, *, until: datetime | None = None) -> list[LeadTime]:
    """Per stage, how long challenges stayed in it: median and 90th percentile in days.

    A stay runs from the stage change into the stage to the next stage change; only
    stays that ended in the period (from `filters.since` to `until`) count. Read from
    the public stage changes of the timeline in one streamed query.
    """
    until = until or clock.now()
    events = TimelineEvent.objects.filter(
        code__in=[EventCode.SUBMITTED, EventCode.STATUS_CHANGED],
        visibility=Visibility.PUBLIC,
        challenge__in=filters.challenges().order_by().values("pk"),
        created_at__lte=until,
    )
    stays: dict[str, list[float]] = {s.value: [] for s in LEAD_TIME_STATUSES}
    current, entered_status, entered_at = None, None, None
    rows = events.order_by("challenge_id", "seq").values_list(
        "challenge_id", "data__to", "created_at"
    )
    for challenge_id, to_status, at in rows.iterator(chunk_size=CHUNK):
        if challenge_id == current and entered_status in stays:
            if filters.since is None or at >= filters.since:
                stays[entered_status].append(_days(entered_at, at))
        current, entered_status, entered_at = challenge_id, to_status, at
    result = []
    for status in LEAD_TIME_STATUSES:
        values = stays[status.value]
        middle = median(values) if values else None
        high = percentile(values, 0.9)
        result.append(
            LeadTime(
                status=status.value,
                label=str(status.label),
                stays=len(values),
                median_days=None if middle is None else round(middle, 1),
                p90_days=None if high is None else round(high, 1),
            )
        )
    return result


def _municipal_contacts() -> Prefetch:
    return Prefetch(
        "contact_persons",
        queryset=ContactPerson.objects.filter(
            ended_at__isnull=True, side=Side.MUNICIPALITY, user__isnull=False
        ).select_related("user"),
        to_attr="municipal_contacts",
    )


@dataclass(frozen=True)
class Overdue:
    challenge: Challenge
    days_past: int
    contact_person: str  # the municipality's fixed contact person, or ""
    reviewer: str  # the assigned reviewer, or ""


def overdue_challenges(filters: Filters, *, now: datetime | None = None):
    """Open challenges past their stage's target, the longest past first."""
    now = now or clock.now()
    return (
        filters.challenges()
        .filter(due_at__lt=now)
        .exclude(status__in=FINAL_STATUSES)
        .order_by("due_at", "pk")
    )


def overdue(filters: Filters, *, now: datetime | None = None, limit=None) -> list[Overdue]:
    """The overdue challenges (the first `limit`) with their people, in three queries."""
    now = now or clock.now()
    qs = (
        overdue_challenges(filters, now=now)
        .select_related("assigned_reviewer")
        .prefetch_related(_municipal_contacts())
    )
    result = []
    for challenge in qs[:limit]:
        contacts = challenge.municipal_contacts
        result.append(
            Overdue(
                challenge=challenge,
                days_past=int(_days(challenge.due_at, now)),
                contact_person=contacts[0].user.name if contacts else "",
                reviewer=challenge.assigned_reviewer.name if challenge.assigned_reviewer else "",
            )
        )
    return result


def open_knots(filters: Filters):
    """Every open knot of the challenges in view, the one needed first on top."""
    return (
        Knot.objects.filter(
            status=KnotStatus.OPEN,
            challenge__in=filters.challenges().order_by().values("pk"),
        )
        .select_related("challenge")
        .order_by("needed_by", "raised_at", "pk")
    )


@dataclass(frozen=True)
class Health:
    """One partnership's latest shared reflection and how it moved since the one before.

    Scores are the mean of both sides per question (1 to 5); `trend` is the change of
    the overall mean since the previous shared reflection (None with fewer than two).
    """

    challenge: Challenge
    latest_at: datetime | None
    scores: dict  # {question: mean of both sides}
    overall: float | None
    trend: float | None
    reflections: int
    missing: bool  # no reflection shared within the period (REFLECTION_PROMPT_DAYS)


def _round_mean(answers: list) -> dict:
    return {
        key: sum(getattr(answer, key) for answer in answers) / len(answers)
        for key, _label in REFLECTION_QUESTIONS
    }


def partnerships_in_view(filters: Filters):
    """Challenges in execution or evaluation: the running partnerships."""
    return filters.challenges().filter(status__in=REFLECTION_STATUSES).order_by("reference", "pk")


def partnership_health(
    filters: Filters, *, now: datetime | None = None, limit: int | None = None
) -> list[Health]:
    """Every partnership in execution or evaluation with its latest reflection scores.

    `missing`: no reflection was shared in the last REFLECTION_PROMPT_DAYS days, counted
    from the latest shared reflection or, without one, from when the challenge entered
    its current stage. Three queries, whatever the number of partnerships.
    """
    now = now or clock.now()
    period = timedelta(days=settings.REFLECTION_PROMPT_DAYS)
    shared = (
        ReflectionRound.objects.filter(revealed_at__isnull=False)
        .prefetch_related("answers")
        .order_by("revealed_at", "pk")
    )
    qs = partnerships_in_view(filters).prefetch_related(
        Prefetch("reflection_rounds", queryset=shared, to_attr="shared")
    )
    result = []
    for challenge in qs[:limit]:
        means = [_round_mean(list(r.answers.all())) for r in challenge.shared if r.answers.all()]
        overall = [sum(m.values()) / len(m) for m in means]
        latest = challenge.shared[-1].revealed_at if challenge.shared else None
        since = latest or challenge.status_changed_at
        result.append(
            Health(
                challenge=challenge,
                latest_at=latest,
                scores={k: round(v, 1) for k, v in means[-1].items()} if means else {},
                overall=round(overall[-1], 2) if overall else None,
                trend=round(overall[-1] - overall[-2], 2) if len(overall) > 1 else None,
                reflections=len(means),
                missing=now - since > period,
            )
        )
    return result


def silent_query(filters: Filters, *, days: int | None = None, now=None):
    """Open challenges with no event (of any visibility) for `days` days (SILENT_DAYS),
    the longest silent first. What the portal writes by itself (reminders, "no
    progress") is no news and does not end a silence."""
    now = now or clock.now()
    days = settings.SILENT_DAYS if days is None else days
    not_news = [*registry.automated_codes(), EventCode.NO_PROGRESS.value]
    return (
        filters.challenges()
        .exclude(status__in=FINAL_STATUSES)
        .annotate(last_event_at=Max("events__created_at", filter=~Q(events__code__in=not_news)))
        .filter(last_event_at__lt=now - timedelta(days=days))
        .order_by("last_event_at", "pk")
    )


def silent_challenges(filters: Filters, *, days: int | None = None, now=None, limit=None) -> list:
    """The silent challenges (the first `limit`), each with `silent_days`."""
    now = now or clock.now()
    challenges = list(silent_query(filters, days=days, now=now)[:limit])
    for challenge in challenges:
        challenge.silent_days = int(_days(challenge.last_event_at, now))
    return challenges


def delivery_backlog(*, limit: int = 10) -> list[Notification]:
    """The oldest e-mails still waiting or failed for good, oldest first (no addresses:
    the event and its challenge only)."""
    return list(
        Notification.objects.filter(
            channel=Channel.EMAIL, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]
        )
        .select_related("event__challenge")
        .only(
            "pk",
            "status",
            "attempts",
            "created_at",
            "next_attempt_at",
            "kind",
            "event__code",
            "event__challenge__reference",
            "event__challenge__title",
        )
        .order_by("created_at", "pk")[:limit]
    )
