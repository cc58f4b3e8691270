"""Who may see and do what, role by role and stage by stage.

The predicates of challenges.permissions and the selectors the pages read through
are checked for every person of `stage_world` on a challenge in every stage. The
expectations are written out here from the product brief, not derived from the
code under test.
"""

import pytest
from django.core import mail
from django.db import transaction

from challenges import permissions, selectors, services
from challenges.constants import FINAL_STATUSES, STAGE_LINE, Role, Status, Visibility
from challenges.models import Challenge, Criterion, TimelineEvent
from challenges.timeline import record_event
from tests.challenges.factories import ChallengeFactory, add_co_initiator

S = Status
PUBLIC, PARTIES, INTERNAL = Visibility.PUBLIC, Visibility.PARTIES, Visibility.INTERNAL
TEAM = {"initiator", "co_initiator"}
STAFF = {"reviewer", "coordinator", "superuser"}
NOBODY = {"invitee", "other_resident", "staff_without_group", "inactive_reviewer", "anonymous"}
PERSONAS = sorted(TEAM | STAFF | NOBODY)
ROLES = {
    "initiator": {Role.CHALLENGER},
    "co_initiator": {Role.CHALLENGER},
    "reviewer": {Role.REVIEWER},
    "coordinator": {Role.COORDINATOR},
    "superuser": {Role.REVIEWER, Role.COORDINATOR},
}


def expected_rights(persona: str, status: str) -> dict[str, object]:
    team = persona in TEAM
    staff = persona in STAFF
    draft = status == S.DRAFT
    final = status in FINAL_STATUSES
    if staff:
        visibilities = [PUBLIC, PARTIES, INTERNAL]
    elif team:
        visibilities = [PUBLIC, PARTIES]
    else:
        visibilities = [PUBLIC]
    return {
        "roles_of": ROLES.get(persona, set()),
        "is_team_member": team,
        "is_municipality": staff,
        # Drafts are the team's own; everything submitted is public.
        "can_view": team or not draft,
        "can_see_parties": team or staff,
        "visibilities_for": visibilities,
        # The plan is the team's, and only while it is a draft.
        "can_edit_plan": team and draft,
        "can_invite": team and not final,
        "can_add_addition": team and not draft and not final,
        "can_add_note": staff and not draft,
        "can_assess": staff and status in (S.ASSESSMENT, S.DECISION),
    }


def actual_rights(user, challenge) -> dict[str, object]:
    return {
        "roles_of": permissions.roles_of(user, challenge),
        "is_team_member": permissions.is_team_member(user, challenge),
        "is_municipality": permissions.is_municipality(user),
        "can_view": permissions.can_view(user, challenge),
        "can_see_parties": permissions.can_see_parties(user, challenge),
        "visibilities_for": permissions.visibilities_for(user, challenge),
        "can_edit_plan": permissions.can_edit_plan(user, challenge),
        "can_invite": permissions.can_invite(user, challenge),
        "can_add_addition": permissions.can_add_addition(user, challenge),
        "can_add_note": permissions.can_add_note(user, challenge),
        "can_assess": permissions.can_assess(user, challenge),
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("status", S.values)
def test_rights_of_each_person_in_each_stage(db, stage_world, status, persona):
    challenge = stage_world.fresh(status)
    assert actual_rights(stage_world.people[persona], challenge) == expected_rights(persona, status)


@pytest.mark.parametrize("persona", PERSONAS)
def test_which_challenges_a_person_may_open(db, stage_world, persona):
    user = stage_world.people[persona]
    ours = {c.pk for c in stage_world.challenges.values()}
    draft = stage_world.challenges[S.DRAFT].pk
    visible = [c.pk for c in selectors.challenges_visible_to(user) if c.pk in ours]
    # Each challenge once, however many co-initiators joined it.
    assert len(visible) == len(set(visible))
    expected = ours if persona in TEAM else ours - {draft}
    assert set(visible) == expected
    # The list and the detail page agree.
    for challenge in stage_world.challenges.values():
        assert permissions.can_view(user, challenge) == (challenge.pk in expected)


@pytest.mark.parametrize("persona", PERSONAS)
def test_my_challenges_lists_the_team_s_own_including_drafts(db, stage_world, persona):
    user = stage_world.people[persona]
    mine = {c.pk for c in selectors.team_challenges(user)}
    ours = {c.pk for c in stage_world.challenges.values()}
    assert mine == (ours if persona in TEAM else set())


def test_the_team_is_the_initiator_and_who_accepted(db, stage_world):
    people = stage_world.people
    for challenge in stage_world.challenges.values():
        assert selectors.team_members(challenge) == sorted(
            [people["initiator"], people["co_initiator"]], key=lambda u: u.pk
        )


def test_public_lists_never_hold_a_draft(db, stage_world):
    extra_draft = ChallengeFactory(initiator=stage_world.people["initiator"])
    public = {c.pk for c in selectors.public_challenges()}
    assert stage_world.challenges[S.DRAFT].pk not in public
    assert extra_draft.pk not in public
    assert {c.pk for status, c in stage_world.challenges.items() if status != S.DRAFT} <= public
    # The home page counts: one challenge in each stage; the drafts are not counted.
    assert selectors.stage_counts() == [(s.value, s.label, 1) for s in STAGE_LINE]
    assert selectors.side_counts() == {S.ON_HOLD: 1, S.REJECTED: 1, S.WITHDRAWN: 1}


def _add_one_event_of_each_visibility(world, challenge):
    """Public and parties additions by the team, notes of every visibility by staff and
    an assessment, as far as the stage allows them."""
    people = world.people
    if permissions.can_add_addition(people["co_initiator"], challenge):
        for visibility in (PUBLIC, PARTIES):
            services.challenge_add_addition(
                challenge=challenge,
                actor=people["co_initiator"],
                text=f"Aanvulling ({visibility}).",
                visibility=visibility,
            )
    if permissions.can_add_note(people["reviewer"], challenge):
        for visibility in (PUBLIC, PARTIES, INTERNAL):
            services.challenge_add_note(
                challenge=challenge,
                actor=people["reviewer"],
                text=f"Notitie ({visibility}).",
                visibility=visibility,
            )
    if permissions.can_assess(people["coordinator"], challenge):
        services.assessment_record(
            challenge=challenge,
            criterion=Criterion.objects.first(),
            actor=people["coordinator"],
            score=4,
            motivation="Sterk plan.",
        )


@pytest.mark.parametrize("status", [s for s in S.values if s != S.DRAFT])
def test_each_person_reads_the_timeline_at_their_level(db, stage_world, status):
    challenge = stage_world.fresh(status)
    _add_one_event_of_each_visibility(stage_world, challenge)
    events = list(challenge.events.all())
    by_visibility = {
        v: {e.pk for e in events if e.visibility == v} for v in (PUBLIC, PARTIES, INTERNAL)
    }
    # Every stage has its stage events (public), the team's invitations (parties) and
    # the reviewer's notes (internal too).
    assert by_visibility[PUBLIC] and by_visibility[PARTIES] and by_visibility[INTERNAL]

    for persona in PERSONAS:
        seen = {e.pk for e in selectors.timeline_for(stage_world.people[persona], challenge)}
        if persona in STAFF:
            expected = by_visibility[PUBLIC] | by_visibility[PARTIES] | by_visibility[INTERNAL]
        elif persona in TEAM:
            expected = by_visibility[PUBLIC] | by_visibility[PARTIES]
        else:
            expected = by_visibility[PUBLIC]
        assert seen == expected, persona


@pytest.mark.parametrize("status", S.values)
def test_both_sides_see_exactly_the_same_parties_view(db, stage_world, status):
    challenge = stage_world.fresh(status)
    _add_one_event_of_each_visibility(stage_world, challenge)

    def shared_view(persona):
        # What both parties read: the public and parties events, newest first.
        return [
            (e.pk, e.code, e.visibility, e.data)
            for e in selectors.timeline_for(stage_world.people[persona], challenge)
            if e.visibility != INTERNAL
        ]

    team_view = shared_view("initiator")
    assert [row[2] for row in team_view].count(PARTIES) >= 2
    for persona in ("co_initiator", "reviewer", "coordinator", "superuser"):
        assert shared_view(persona) == team_view, persona
    # The team never reads an internal note.
    assert all(
        e.visibility != INTERNAL
        for e in selectors.timeline_for(stage_world.people["initiator"], challenge)
    )


def test_the_public_log_holds_only_public_events_of_submitted_challenges(db, stage_world):
    for status in S.values:
        _add_one_event_of_each_visibility(stage_world, stage_world.fresh(status))
    draft = stage_world.fresh(S.DRAFT)
    assert draft.events.exists()  # the team's invitations, while still a draft
    # No service writes a public event on a draft, but were one written, the log would
    # still not show it.
    with transaction.atomic():
        stray = record_event(
            challenge=draft, code="addition", visibility=PUBLIC, data={"text": "Concept"}
        )

    log = list(selectors.public_log())
    assert log, "the public log is empty"
    assert {e.visibility for e in log} == {PUBLIC}
    assert not [e for e in log if e.challenge.status == S.DRAFT]
    assert stray not in log
    expected = set(
        TimelineEvent.objects.filter(visibility=PUBLIC)
        .exclude(challenge__status=S.DRAFT)
        .values_list("pk", flat=True)
    )
    assert {e.pk for e in log} == expected
    # Newest first.
    assert [e.created_at for e in log] == sorted((e.created_at for e in log), reverse=True)

    # Filtering by stage still never lets a draft or a non-public event in.
    assert {e.challenge.status for e in selectors.public_log(status=S.DRAFT)} == set()
    for status in S.values:
        filtered = list(selectors.public_log(status=status))
        assert all(e.visibility == PUBLIC and e.challenge.status == status for e in filtered)


@pytest.mark.parametrize("persona", sorted(NOBODY))
def test_outsiders_read_nothing_of_a_draft(db, stage_world, persona):
    user = stage_world.people[persona]
    draft = stage_world.fresh(S.DRAFT)
    assert draft.pk not in {c.pk for c in selectors.challenges_visible_to(user)}
    assert draft.pk not in {c.pk for c in selectors.public_challenges()}
    assert not permissions.can_view(user, draft)
    assert not [e for e in selectors.public_log() if e.challenge_id == draft.pk]
    assert list(selectors.timeline_for(user, draft)) == []


def test_a_co_initiator_sees_the_draft_only_after_accepting(db, resident, other_resident):
    draft = ChallengeFactory(initiator=resident)
    invitation = services.invitation_create(
        challenge=draft, actor=resident, email=other_resident.email
    )
    assert draft.pk not in {c.pk for c in selectors.challenges_visible_to(other_resident)}
    assert not permissions.can_edit_plan(other_resident, draft)

    services.invitation_accept(invitation=invitation, user=other_resident)
    assert draft.pk in {c.pk for c in selectors.challenges_visible_to(other_resident)}
    assert permissions.can_view(other_resident, draft)
    assert permissions.can_edit_plan(other_resident, draft)
    assert {e.code for e in selectors.timeline_for(other_resident, draft)} == {
        "co_initiator_invited",
        "co_initiator_joined",
    }


def test_a_staff_member_without_a_staff_group_is_not_the_municipality(db, stage_world):
    # is_staff alone lets someone into the admin; acting for the municipality needs a role.
    user = stage_world.people["staff_without_group"]
    challenge = stage_world.fresh(S.ASSESSMENT)
    assert permissions.staff_roles(user) == set()
    assert {e.visibility for e in selectors.timeline_for(user, challenge)} == {PUBLIC}


def test_a_deactivated_team_member_has_no_role(db, complete_draft):
    challenge = services.challenge_transition(
        challenge=complete_draft, to_status=S.SUBMITTED, actor=complete_draft.initiator
    )
    co_initiator = add_co_initiator(challenge)
    co_initiator.is_active = False
    co_initiator.save()

    assert permissions.roles_of(co_initiator, challenge) == set()
    with pytest.raises(services.ServiceError):
        services.challenge_transition(
            challenge=challenge,
            to_status=S.WITHDRAWN,
            actor=co_initiator,
            motivation="Namens het team.",
        )
    assert Challenge.objects.get(pk=challenge.pk).status == S.SUBMITTED


def test_a_deactivated_team_member_is_not_mailed(
    db, django_capture_on_commit_callbacks, reviewer, complete_draft
):
    challenge = services.challenge_transition(
        challenge=complete_draft, to_status=S.SUBMITTED, actor=complete_draft.initiator
    )
    co_initiator = add_co_initiator(challenge)
    co_initiator.is_active = False
    co_initiator.save()

    assert selectors.team_members(challenge) == [challenge.initiator]
    with django_capture_on_commit_callbacks(execute=True):
        services.challenge_transition(challenge=challenge, to_status=S.INTAKE, actor=reviewer)
    assert [m.to for m in mail.outbox] == [[challenge.initiator.email]]
