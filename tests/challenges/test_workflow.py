"""The transition table as a whole, through `services.challenge_transition`.

Every (source stage, target stage, person) triple is tried on a challenge that was
brought to the source stage through the services: an edge of the table taken by
someone it names succeeds and writes exactly one timeline event; everything else
is refused and changes nothing at all.
"""

import itertools
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone, translation

from challenges import services, workflow
from challenges.constants import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    EventCode,
    Role,
    Status,
    TargetBasis,
    Visibility,
)
from challenges.models import Challenge, ReferenceCounter, StageTarget
from challenges.services import ServiceError
from notifications import outbox
from tests.challenges.factories import (
    ChallengeFactory,
    ReviewerFactory,
    UserFactory,
    add_co_initiator,
    assign_contact_persons,
    challenge_in,
    sign_agreement,
)

S = Status
C, R, K = Role.CHALLENGER, Role.REVIEWER, Role.COORDINATOR

# The roles each person of `stage_world` holds on its challenges, written out by hand
# (not read from permissions.roles_of), so that a wrong role shows up as a failure.
PERSONA_ROLES = {
    "initiator": {C},
    "co_initiator": {C},
    "invitee": set(),
    "reviewer": {R},
    "coordinator": {K},
    "superuser": {R, K},
    "other_resident": set(),
    "staff_without_group": set(),
    "inactive_reviewer": set(),
    "anonymous": set(),
}
HELD_FROM = S.INTAKE  # the stage stage_world's on-hold challenge was held from


def _expected_table() -> set[tuple[str, str, frozenset, bool]]:
    """The process of PRODUCT.md as (source, target, roles, motivation required)."""
    staff = frozenset({R, K})
    team = frozenset({C})
    main_line = [
        (S.DRAFT, S.SUBMITTED, team, False),
        (S.SUBMITTED, S.INTAKE, staff, False),
        (S.INTAKE, S.ASSESSMENT, staff, False),
        (S.INTAKE, S.REJECTED, staff, True),  # not admissible, public motivation
        (S.ASSESSMENT, S.DECISION, staff, False),
        (S.DECISION, S.ACCEPTED, staff, True),  # public motivation
        (S.DECISION, S.REJECTED, staff, True),  # public motivation
        (S.ACCEPTED, S.AGREEMENT, staff, False),
        (S.AGREEMENT, S.EXECUTION, staff, False),
        (S.EXECUTION, S.EVALUATION, staff, False),
        (S.EVALUATION, S.COMPLETED, frozenset({K}), False),
    ]
    side = []
    for stage in OPEN_STATUSES:
        side.append((stage, S.WITHDRAWN, team, True))
        side.append((stage, S.ON_HOLD, staff, True))
        side.append((S.ON_HOLD, stage, staff, False))
    side.append((S.ON_HOLD, S.WITHDRAWN, team, True))
    return {(str(s), str(t), roles, m) for s, t, roles, m in main_line + side}


def _guard_holds(source: str, target: str) -> bool:
    """For stage_world's challenges: drafts are complete; on hold resumes to HELD_FROM."""
    if source == S.ON_HOLD and target in OPEN_STATUSES:
        return target == HELD_FROM
    return True


def _snapshot(challenge: Challenge) -> dict:
    stored = Challenge.objects.get(pk=challenge.pk)
    return {
        "status": stored.status,
        "status_changed_at": stored.status_changed_at,
        "due_at": stored.due_at,
        "held_from_status": stored.held_from_status,
        "reference": stored.reference,
        "submitted_at": stored.submitted_at,
        "decision_motivation": stored.decision_motivation,
        "updated_at": stored.updated_at,
        "events": list(stored.events.order_by("pk").values_list("pk", flat=True)),
        "references_handed_out": list(ReferenceCounter.objects.values_list("year", "last")),
    }


def _messages(error: ServiceError) -> str:
    with translation.override("en"):
        return " ".join(error.messages)


def test_the_table_is_the_process_of_the_product_brief():
    table = {
        (e.source, e.target, frozenset(e.roles), e.motivation_required)
        for e in workflow.TRANSITIONS
    }
    assert table == _expected_table()
    # Every edge explains itself and has a button label.
    assert all(e.why and str(e.label) for e in workflow.TRANSITIONS)
    # Nothing leaves a final stage.
    assert not [e for e in workflow.TRANSITIONS if e.source in FINAL_STATUSES]


TRIPLES = list(itertools.product(S.values, S.values, PERSONA_ROLES))


@pytest.mark.parametrize(
    ("source", "target", "persona"),
    TRIPLES,
    ids=[f"{s}->{t}-by-{p}" for s, t, p in TRIPLES],
)
def test_every_transition_for_every_person(db, stage_world, source, target, persona):
    challenge = stage_world.fresh(source)
    actor = stage_world.people[persona]
    edge = workflow.find_edge(source, target)
    allowed = (
        edge is not None
        and bool(PERSONA_ROLES[persona] & edge.roles)
        and _guard_holds(source, target)
    )
    before = _snapshot(challenge)

    if not allowed:
        with pytest.raises(ServiceError) as refused:
            services.challenge_transition(
                challenge=challenge,
                to_status=target,
                actor=actor,
                motivation="We hebben hier goed over nagedacht.",
            )
        assert _messages(refused.value).strip()
        assert _snapshot(challenge) == before
        return

    started = timezone.now()
    motivation = "Het besluit is genomen." if edge.motivation_required else ""
    returned = services.challenge_transition(
        challenge=challenge, to_status=target, actor=actor, motivation=motivation
    )
    stored = Challenge.objects.get(pk=challenge.pk)
    assert stored.status == returned.status == target
    assert stored.status_changed_at >= started
    new_events = list(stored.events.exclude(pk__in=before["events"]))
    assert len(new_events) == 1
    event = new_events[0]
    assert event.code == (EventCode.SUBMITTED if source == S.DRAFT else EventCode.STATUS_CHANGED)
    assert event.visibility == Visibility.PUBLIC
    assert event.actor_id == actor.pk
    assert event.actor_role in PERSONA_ROLES[persona] & edge.roles
    assert (event.data["from"], event.data["to"]) == (source, target)
    assert event.data["motivation"] == motivation
    if target == S.ON_HOLD:
        assert stored.held_from_status == source
    elif source == S.ON_HOLD:
        assert stored.held_from_status == ""
    else:
        assert stored.held_from_status == before["held_from_status"]
    if target in (S.ACCEPTED, S.REJECTED):
        assert stored.decision_motivation == motivation
    if source != S.DRAFT:
        assert stored.reference == before["reference"]
        assert stored.submitted_at == before["submitted_at"]


def test_an_unknown_stage_is_refused(db, stage_world):
    challenge = stage_world.fresh(S.SUBMITTED)
    before = _snapshot(challenge)
    with pytest.raises(ServiceError) as refused:
        services.challenge_transition(
            challenge=challenge, to_status="archived", actor=stage_world.people["superuser"]
        )
    assert "archived" in _messages(refused.value)
    assert _snapshot(challenge) == before


MOTIVATED_EDGES = [e for e in workflow.TRANSITIONS if e.motivation_required]


@pytest.mark.parametrize("motivation", ["", "   \n\t  ", None])
@pytest.mark.parametrize(
    "edge", MOTIVATED_EDGES, ids=[f"{e.source}->{e.target}" for e in MOTIVATED_EDGES]
)
def test_a_required_motivation_cannot_be_left_out(db, stage_world, edge, motivation):
    challenge = stage_world.fresh(edge.source)
    actor = stage_world.people["initiator" if C in edge.roles else "reviewer"]
    before = _snapshot(challenge)
    with pytest.raises(ServiceError) as refused:
        services.challenge_transition(
            challenge=challenge, to_status=edge.target, actor=actor, motivation=motivation
        )
    assert "motivation" in _messages(refused.value)
    assert _snapshot(challenge) == before


def test_the_motivation_is_stored_without_surrounding_whitespace(db, stage_world):
    challenge = stage_world.fresh(S.DECISION)
    services.challenge_transition(
        challenge=challenge,
        to_status=S.REJECTED,
        actor=stage_world.people["reviewer"],
        motivation="  Past niet binnen de aanbestedingsregels.\n",
    )
    stored = Challenge.objects.get(pk=challenge.pk)
    assert stored.decision_motivation == "Past niet binnen de aanbestedingsregels."
    assert stored.events.first().data["motivation"] == stored.decision_motivation


@pytest.mark.parametrize("held_from", OPEN_STATUSES)
def test_a_challenge_on_hold_resumes_only_in_the_stage_it_was_held_from(db, held_from):
    reviewer = ReviewerFactory()
    challenge = challenge_in(S.ON_HOLD, held_from=held_from, reviewer=reviewer)
    assert challenge.held_from_status == held_from
    before = _snapshot(challenge)
    for other in OPEN_STATUSES:
        if other == held_from:
            continue
        with pytest.raises(ServiceError) as refused:
            services.challenge_transition(challenge=challenge, to_status=other, actor=reviewer)
        assert "only resume in the stage it was put on hold from" in _messages(refused.value)
        assert _snapshot(challenge) == before

    resumed = services.challenge_transition(
        challenge=challenge, to_status=held_from, actor=reviewer
    )
    stored = Challenge.objects.get(pk=resumed.pk)
    assert stored.status == held_from
    assert stored.held_from_status == ""
    assert stored.events.first().data == {
        "from": S.ON_HOLD,
        "to": held_from,
        "motivation": "",
        "due_at": stored.due_at.isoformat() if stored.due_at else None,
    }


def test_a_challenge_on_hold_can_be_withdrawn_by_its_challenger(db, reviewer):
    challenge = challenge_in(S.ON_HOLD, held_from=S.ASSESSMENT, reviewer=reviewer)
    services.challenge_transition(
        challenge=challenge,
        to_status=S.WITHDRAWN,
        actor=challenge.initiator,
        motivation="We stoppen ermee.",
    )
    stored = Challenge.objects.get(pk=challenge.pk)
    assert stored.status == S.WITHDRAWN
    # Once withdrawn, the challenge is final: even the held-from stage is closed.
    with pytest.raises(ServiceError):
        services.challenge_transition(challenge=stored, to_status=S.ASSESSMENT, actor=reviewer)


PLAN_LABELS = {
    "task": "task",
    "neighbourhood": "neighbourhood",
    "title": "title",
    "summary": "summary",
    "approach": "approach",
    "social_value": "social value",
    "budget_requested": "budget asked per year (EUR)",
    "legal_form": "legal form",
    "team_description": "team and capability",
    "support_evidence": "support in the neighbourhood",
}


@pytest.mark.parametrize("field_name", list(PLAN_LABELS))
def test_submitting_a_draft_with_a_missing_answer_names_it(db, resident, field_name):
    blank = None if field_name in ("task", "neighbourhood", "budget_requested") else ""
    draft = ChallengeFactory(initiator=resident, **{field_name: blank})
    before = _snapshot(draft)
    with pytest.raises(ServiceError) as refused:
        services.challenge_transition(challenge=draft, to_status=S.SUBMITTED, actor=resident)
    message = _messages(refused.value)
    assert message.startswith("The plan is not complete yet. Still missing: ")
    missing = message.removeprefix("The plan is not complete yet. Still missing: ")
    assert missing == f"{PLAN_LABELS[field_name]}."
    # Nothing changed, and no reference number was used up.
    assert _snapshot(draft) == before
    assert before["reference"] is None


def test_submitting_an_empty_draft_lists_everything_that_is_missing(db, resident):
    draft = services.challenge_create_draft(initiator=resident)
    with pytest.raises(ServiceError) as refused:
        services.challenge_transition(challenge=draft, to_status=S.SUBMITTED, actor=resident)
    message = _messages(refused.value)
    for label in PLAN_LABELS.values():
        assert label in message
    assert Challenge.objects.get(pk=draft.pk).status == S.DRAFT
    assert not draft.events.exists()


def test_a_stale_page_is_refused_when_the_stage_changed_in_the_meantime(db, reviewer):
    challenge = challenge_in(S.INTAKE, reviewer=reviewer)
    before = _snapshot(challenge)
    # The reviewer's form still shows "submitted"; somebody else started the intake.
    with pytest.raises(ServiceError) as refused:
        services.challenge_transition(
            challenge=challenge,
            to_status=S.ASSESSMENT,
            actor=reviewer,
            expected_status=S.SUBMITTED,
        )
    message = _messages(refused.value)
    assert "changed in the meantime" in message
    assert "Intake" in message
    assert _snapshot(challenge) == before

    services.challenge_transition(
        challenge=challenge, to_status=S.ASSESSMENT, actor=reviewer, expected_status=S.INTAKE
    )
    assert Challenge.objects.get(pk=challenge.pk).status == S.ASSESSMENT


def test_submission_hands_out_consecutive_references_of_the_year(db):
    year = timezone.localtime().year
    # Other challenges of this module may have been submitted already this year.
    counter = ReferenceCounter.objects.filter(year=year).first()
    last = counter.last if counter else 0
    submitted = []
    for _n in range(3):
        draft = ChallengeFactory()
        # A refused attempt first: it must not use up a number.
        with pytest.raises(ServiceError):
            services.challenge_transition(
                challenge=draft, to_status=S.SUBMITTED, actor=UserFactory()
            )
        submitted.append(
            services.challenge_transition(
                challenge=draft, to_status=S.SUBMITTED, actor=draft.initiator
            )
        )
    assert [c.reference for c in submitted] == [
        f"RTC-{year}-{last + 1:04d}",
        f"RTC-{year}-{last + 2:04d}",
        f"RTC-{year}-{last + 3:04d}",
    ]
    # The reference stays with the challenge for the rest of its life.
    withdrawn = services.challenge_transition(
        challenge=submitted[0],
        to_status=S.WITHDRAWN,
        actor=submitted[0].initiator,
        motivation="Toch niet.",
    )
    assert withdrawn.reference == submitted[0].reference
    assert ChallengeFactory().reference is None


def test_references_restart_at_one_in_a_new_year(db, clock):
    clock.set(datetime(2031, 12, 31, 22, 0, tzinfo=timezone.get_current_timezone()))
    first = challenge_in(S.SUBMITTED)
    clock.advance(hours=3)  # past midnight in Amsterdam
    second = challenge_in(S.SUBMITTED)
    assert (first.reference, second.reference) == ("RTC-2031-0001", "RTC-2032-0001")


@pytest.fixture
def clock():
    """A controllable `timezone.now()` for the services and the model defaults."""

    class Clock:
        def __init__(self):
            self.now = timezone.now()

        def set(self, moment):
            self.now = moment

        def advance(self, **delta):
            self.now += timedelta(**delta)

    controlled = Clock()
    with mock.patch("django.utils.timezone.now", side_effect=lambda: controlled.now):
        yield controlled


def test_due_dates_follow_the_stage_targets(db, clock, reviewer):
    StageTarget.objects.update_or_create(
        status=S.INTAKE, defaults={"days": 10, "basis": TargetBasis.STAGE_START}
    )
    StageTarget.objects.update_or_create(
        status=S.DECISION, defaults={"days": 60, "basis": TargetBasis.SUBMISSION}
    )
    StageTarget.objects.filter(status=S.EXECUTION).delete()
    # Summer time all along: the dates below cross no DST change.
    start = datetime(2030, 5, 6, 9, 0, tzinfo=timezone.get_current_timezone())
    clock.set(start)
    challenge = challenge_in(S.SUBMITTED)
    assert challenge.submitted_at == start

    clock.advance(days=3)
    challenge = services.challenge_transition(
        challenge=challenge, to_status=S.INTAKE, actor=reviewer
    )
    # Counted from the start of the stage.
    assert challenge.due_at == start + timedelta(days=3 + 10)
    assert challenge.events.first().data["due_at"] == challenge.due_at.isoformat()
    assign_contact_persons(challenge, municipality=reviewer)  # the guard of leaving intake

    clock.advance(days=10)
    challenge = services.challenge_transition(
        challenge=challenge, to_status=S.ASSESSMENT, actor=reviewer
    )
    clock.advance(days=10)
    challenge = services.challenge_transition(
        challenge=challenge, to_status=S.DECISION, actor=reviewer
    )  # day 23
    # Counted from the submission, not from the start of the decision stage.
    assert Challenge.objects.get(pk=challenge.pk).due_at == start + timedelta(days=60)

    # On hold there is no target; resuming counts from the submission again.
    clock.advance(days=1)
    challenge = services.challenge_transition(
        challenge=challenge, to_status=S.ON_HOLD, actor=reviewer, motivation="Wacht op advies."
    )
    assert challenge.due_at is None
    clock.advance(days=10)
    challenge = services.challenge_transition(
        challenge=challenge, to_status=S.DECISION, actor=reviewer
    )  # day 34
    assert challenge.due_at == start + timedelta(days=60)
    assert challenge.is_overdue is False
    clock.advance(days=27)  # day 61
    assert Challenge.objects.get(pk=challenge.pk).is_overdue is True

    # A stage without a target has no due date.
    for step in (S.ACCEPTED, S.AGREEMENT, S.EXECUTION):
        if step == S.EXECUTION:
            sign_agreement(challenge)  # the guard: execution needs an agreement in force
        challenge = services.challenge_transition(
            challenge=challenge, to_status=step, actor=reviewer, motivation="Akkoord."
        )
    assert Challenge.objects.get(pk=challenge.pk).due_at is None


def test_the_team_is_told_on_commit_and_the_actor_is_not(
    db, django_capture_on_commit_callbacks, reviewer, complete_draft
):
    co_initiator = add_co_initiator(complete_draft)
    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.challenge_transition(
            challenge=complete_draft, to_status=S.SUBMITTED, actor=complete_draft.initiator
        )
    # The initiator submitted: the co-initiator hears of it, and so does the
    # municipality (no reviewer has acted on it yet, so every reviewer does), once each.
    told = [m.to[0] for m in mail.outbox]
    assert {co_initiator.email, reviewer.email} <= set(told)
    assert complete_draft.initiator.email not in told
    assert len(told) == len(set(told))
    assert submitted.reference in mail.outbox[0].subject + mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.challenge_transition(challenge=submitted, to_status=S.INTAKE, actor=reviewer)
    # Nothing is sent before the transaction commits: one delivery waits for it
    # (besides the page cache learning the new head).
    deliveries = [c for c in callbacks if getattr(c, "func", None) is outbox.enqueue_delivery]
    assert len(deliveries) == 1
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    # The reviewer is not on the team: both team members hear of it, once each.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [complete_draft.initiator.email, co_initiator.email]
    )
    assert reviewer.email not in [m.to[0] for m in mail.outbox]


def test_a_refused_transition_sends_nothing(db, django_capture_on_commit_callbacks, resident):
    challenge = challenge_in(S.SUBMITTED, initiator=resident)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ServiceError):
            services.challenge_transition(challenge=challenge, to_status=S.INTAKE, actor=resident)
    assert callbacks == []
    assert mail.outbox == []
