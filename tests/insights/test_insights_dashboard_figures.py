"""The dashboard's figures against a hand-computed fixture, on a controlled clock.

T0 is a Monday; every challenge moves at whole days after it, and the dashboard is
read at T0 + 100 days. The stage targets are the data migration's: submitted 14 days,
intake 28, assessment 42 (from the stage's start), accepted 28.

In the neighbourhood "Noord":
  A: submitted T0, intake +10, assessment +20, decision +50, accepted +60
  B: submitted T0, intake +4, assessment +34 (still there)
  C: submitted T0 (still there, never moved)
Elsewhere:
  D: in execution since T0, reflections shared at +10 (mean 3.0) and +40 (mean 4.5)
  E: in execution since T0, no reflection
"""

from datetime import UTC, datetime, timedelta

import pytest

from challenges import services
from challenges.constants import Status
from insights import selectors
from insights.selectors import Filters
from partnerships import selectors as partnership_selectors
from partnerships import services as partnership_services
from partnerships.constants import Side
from tests.challenges.factories import (
    CoordinatorFactory,
    NeighbourhoodFactory,
    ReviewerFactory,
    assign_contact_persons,
    challenge_in,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=100)
COMMENTS = {"right_things": "Ja.", "doing_right": "Ja.", "together": "Ja."}


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def walk(clock, challenge, reviewer, steps):
    for days, to_status in steps:
        clock.set(at(days))
        challenge = services.challenge_transition(
            challenge=challenge, to_status=to_status, actor=reviewer, motivation="Verder."
        )
        if to_status == Status.INTAKE:
            assign_contact_persons(challenge, municipality=reviewer)
    return challenge


def reflect(clock, challenge, days, municipality, challenger):
    clock.set(at(days))
    round_ = partnership_services.reflection_open(challenge=challenge, trigger="periodic")
    people = partnership_selectors.active_contact_persons(challenge)
    for side, score in ((Side.MUNICIPALITY, municipality), (Side.CHALLENGER, challenger)):
        partnership_services.reflection_answer(
            round=round_,
            actor=people[side].user,
            scores=dict.fromkeys(COMMENTS, score),
            comments=COMMENTS,
        )


@pytest.fixture
def world(clock, settings):
    settings.SILENT_DAYS = 30
    noord = NeighbourhoodFactory(name="Noord")
    reviewer = ReviewerFactory(first_name="Rita", last_name="Reviewer", display_name="Rita R")
    coordinator = CoordinatorFactory()
    clock.set(T0)
    a = challenge_in(Status.SUBMITTED, neighbourhood=noord, title="A")
    b = challenge_in(Status.SUBMITTED, neighbourhood=noord, title="B")
    c = challenge_in(Status.SUBMITTED, neighbourhood=noord, title="C")
    d = challenge_in(Status.EXECUTION, reviewer=reviewer, title="D")
    e = challenge_in(Status.EXECUTION, reviewer=reviewer, title="E")
    a = walk(
        clock,
        a,
        reviewer,
        [
            (10, Status.INTAKE),
            (20, Status.ASSESSMENT),
            (50, Status.DECISION),
            (60, Status.ACCEPTED),
        ],
    )
    b = walk(clock, b, reviewer, [(4, Status.INTAKE), (34, Status.ASSESSMENT)])
    clock.set(at(35))
    services.challenge_assign_reviewer(challenge=b, actor=coordinator, reviewer=reviewer)
    reflect(clock, d, 10, municipality=4, challenger=2)
    reflect(clock, d, 40, municipality=5, challenger=4)
    clock.set(NOW)
    return {"noord": noord, "a": a, "b": b, "c": c, "d": d, "e": e, "reviewer": reviewer}


def test_pipeline_counts_per_stage_in_the_neighbourhood(world):
    stops = {s.status: s.count for s in selectors.pipeline(Filters(neighbourhood=world["noord"]))}
    assert stops[Status.SUBMITTED] == 1
    assert stops[Status.ASSESSMENT] == 1
    assert stops[Status.ACCEPTED] == 1
    assert sum(stops.values()) == 3
    everywhere = {s.status: s.count for s in selectors.pipeline(Filters())}
    assert everywhere[Status.EXECUTION] == 2


def test_lead_times_median_and_p90(world):
    times = {t.status: t for t in selectors.lead_times(Filters(neighbourhood=world["noord"]))}
    # submitted: A 10, B 4 days; intake: A 10, B 30; assessment: A 30; decision: A 10.
    assert (times["submitted"].stays, times["submitted"].median_days) == (2, 7.0)
    assert times["submitted"].p90_days == 10.0
    assert (times["intake"].median_days, times["intake"].p90_days) == (20.0, 30.0)
    assert (times["assessment"].stays, times["assessment"].median_days) == (1, 30.0)
    assert times["decision"].median_days == 10.0
    assert times["accepted"].stays == 0 and times["accepted"].median_days is None


def test_lead_times_only_count_stays_that_ended_in_the_period(world):
    # Since T0 + 25 days: only A's assessment (ended +50) and decision (+60), and B's
    # intake (ended +34).
    since = Filters(neighbourhood=world["noord"], since=at(25))
    times = {t.status: t for t in selectors.lead_times(since)}
    assert times["submitted"].stays == 0
    assert [times[s].stays for s in ("intake", "assessment", "decision")] == [1, 1, 1]
    assert times["intake"].median_days == 30.0


def test_overdue_by_days_past_target_with_contact_person_and_reviewer(world):
    rows = selectors.overdue(Filters(neighbourhood=world["noord"]))
    # C: due +14 (86 past); B: assessment from +34, due +76 (24 past); A: accepted from
    # +60, due +88 (12 past).
    assert [(r.challenge.title, r.days_past) for r in rows] == [("C", 86), ("B", 24), ("A", 12)]
    by_title = {r.challenge.title: r for r in rows}
    assert by_title["B"].reviewer == "Rita R"
    assert by_title["B"].contact_person == "Rita R"
    assert by_title["C"].contact_person == "" and by_title["C"].reviewer == ""


def test_open_knots_by_decision_date(world, clock):
    d = world["d"]
    person = partnership_selectors.active_contact_persons(d)[Side.MUNICIPALITY].user
    today = NOW.date()
    for days, question in ((20, "Later"), (10, "Sooner"), (15, "Cut")):
        partnership_services.knot_raise(
            challenge=d,
            actor=person,
            question=question,
            decision_needed="Besluit.",
            needed_by=today + timedelta(days=days),
        )
    cut = d.knots.get(question="Cut")
    partnership_services.knot_resolve(knot=cut, actor=person, decision="Zo doen we het.")
    assert [k.question for k in selectors.open_knots(Filters())] == ["Sooner", "Later"]
    assert list(selectors.open_knots(Filters(neighbourhood=world["noord"]))) == []


def test_partnership_health_latest_scores_trend_and_missing(world):
    health = {h.challenge.title: h for h in selectors.partnership_health(Filters())}
    d, e = health["D"], health["E"]
    assert d.scores == {"right_things": 4.5, "doing_right": 4.5, "together": 4.5}
    assert d.overall == 4.5 and d.trend == 1.5 and d.reflections == 2
    assert d.latest_at == at(40)
    # Shared 60 days ago: within the 90 days of REFLECTION_PROMPT_DAYS.
    assert d.missing is False
    # None since it entered execution at T0, 100 days ago.
    assert (e.overall, e.trend, e.reflections, e.missing) == (None, None, 0, True)


def test_silent_challenges_longest_first(world):
    silent = selectors.silent_challenges(Filters(neighbourhood=world["noord"]))
    # C: nothing since T0; B: reviewer assigned at +35; A: accepted at +60.
    assert [(c.title, c.silent_days) for c in silent] == [("C", 100), ("B", 65), ("A", 40)]
    assert selectors.silent_challenges(Filters(neighbourhood=world["noord"]), days=50) == silent[:2]


def test_dashboard_csv_has_the_same_figures(world, client):
    from django.urls import reverse

    client.force_login(CoordinatorFactory())
    url = reverse("insights:dashboard-csv", kwargs={"table": "overdue"})
    response = client.get(url, {"neighbourhood": world["noord"].pk}, HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("Challenge,Title,Stage,Response due,Days past the target")
    assert [line.split(",")[4] for line in lines[1:]] == ["86", "24", "12"]
