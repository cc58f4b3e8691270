"""public_statistics(): the public figures, checked against a hand-computed fixture."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from challenges import services
from challenges.constants import Status
from insights.selectors import public_statistics
from tests.challenges.factories import (
    ChallengeFactory,
    NeighbourhoodFactory,
    ReviewerFactory,
    TaskFactory,
    challenge_in,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _delta(days):
    return timedelta(days=days)


@pytest.fixture
def world(clock):
    """Two neighbourhoods, two tasks; A accepted after 30 days, B rejected after 70,
    C in intake, D a draft (never counted)."""
    north, south = NeighbourhoodFactory(name="Noord"), NeighbourhoodFactory(name="Zuid")
    parks, buses = TaskFactory(name="Parken"), TaskFactory(name="Buurtbus")
    reviewer = ReviewerFactory()
    clock.set(T0)
    a = challenge_in(Status.DECISION, reviewer=reviewer, neighbourhood=north, task=parks)
    b = challenge_in(Status.DECISION, reviewer=reviewer, neighbourhood=north, task=buses)
    c = challenge_in(Status.INTAKE, reviewer=reviewer, neighbourhood=south, task=parks)
    ChallengeFactory(neighbourhood=south, task=buses)  # a draft
    clock.set(T0 + _delta(30))
    services.challenge_transition(
        challenge=a, to_status=Status.ACCEPTED, actor=reviewer, motivation="Goed plan."
    )
    clock.set(T0 + _delta(70))
    services.challenge_transition(
        challenge=b, to_status=Status.REJECTED, actor=reviewer, motivation="Te duur."
    )
    return {"a": a, "b": b, "c": c, "north": north, "south": south}


def test_figures_match_the_hand_computed_fixture(world):
    with translation.override("en"):
        stats = public_statistics()
    assert stats["total"] == 3
    stages = {row["status"]: row["count"] for row in stats["stages"]}
    assert stages[Status.ACCEPTED] == 1
    assert stages[Status.REJECTED] == 1
    assert stages[Status.INTAKE] == 1
    assert Status.DRAFT not in stages
    assert sum(stages.values()) == 3
    assert [row["status"] for row in stats["stages"]][:2] == ["submitted", "intake"]
    assert {row["name"]: row["count"] for row in stats["neighbourhoods"]} == {
        "Noord": 2,
        "Zuid": 1,
    }
    assert {row["name"]: row["count"] for row in stats["tasks"]} == {"Buurtbus": 1, "Parken": 2}
    # (30 + 70) / 2 days; only A is within the 56-day decision target.
    assert stats["decision_time"] == {
        "decided": 2,
        "median_days": 50.0,
        "target_days": 56,
        "target_basis": "submission",
        "within_target": 1,
        "share_within_target": 0.5,
    }
    assert stats["decisions"] == {"accepted": 1, "rejected": 1, "share_accepted": 0.5}
    assert stats["active_partnerships"] == 0
    assert next(r for r in stats["stages"] if r["status"] == "intake")["label"] == "Intake"


def test_the_dict_is_json_serialisable(world):
    assert json.loads(json.dumps(public_statistics()))["total"] == 3


def test_empty_portal_has_no_median_and_no_shares(db):
    stats = public_statistics()
    assert stats["total"] == 0
    assert stats["decision_time"]["median_days"] is None
    assert stats["decision_time"]["share_within_target"] is None
    assert stats["decisions"]["share_accepted"] is None


def test_active_partnerships_count_execution_and_evaluation(db):
    challenge_in(Status.EXECUTION)
    challenge_in(Status.EVALUATION)
    challenge_in(Status.AGREEMENT)
    assert public_statistics()["active_partnerships"] == 2


def test_only_public_stage_changes_count_as_decisions(world, clock):
    """An internal event that claims a decision (written by hand; no service does) is not
    public data and changes nothing."""
    from django.db import transaction

    from challenges.constants import EventCode, Visibility
    from challenges.models import TimelineEvent

    with transaction.atomic():
        TimelineEvent.objects.bulk_create(
            [
                TimelineEvent(
                    challenge=world["c"],
                    code=EventCode.STATUS_CHANGED,
                    visibility=Visibility.INTERNAL,
                    data={"from": "decision", "to": "accepted"},
                    created_at=T0 + timedelta(days=5),
                )
            ]
        )
    stats = public_statistics()
    assert stats["decisions"] == {"accepted": 1, "rejected": 1, "share_accepted": 0.5}
    assert stats["decision_time"]["decided"] == 2
