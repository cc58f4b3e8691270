"""The services besides the transitions: invitations, additions, notes, assessments."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from challenges import selectors, services, tasks
from challenges.constants import FINAL_STATUSES, EventCode, Role, Status, Visibility
from challenges.models import Assessment, Challenge, Invitation, TimelineEvent
from challenges.services import ServiceError
from tests.challenges.factories import (
    CriterionFactory,
    UserFactory,
    add_co_initiator,
    challenge_in,
)

pytestmark = pytest.mark.django_db

S = Status


def _messages(error: ServiceError) -> str:
    with translation.override("en"):
        return " ".join(error.messages)


def _event_count(challenge) -> int:
    return TimelineEvent.objects.filter(challenge=challenge).count()


# -- Invitations ----------------------------------------------------------------------


def test_an_invitation_is_mailed_once_after_commit_with_its_link(
    django_capture_on_commit_callbacks, complete_draft, resident
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = services.invitation_create(
            challenge=complete_draft, actor=resident, email="  Buur.Jansen@Example.org "
        )
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    assert invitation.email == "buur.jansen@example.org"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["buur.jansen@example.org"]
    link = settings.SITE_URL + reverse("challenges:invitation", args=[invitation.token])
    assert link in message.body
    assert Invitation.objects.get(pk=invitation.pk).sent_at is not None

    # The task may run twice (a retry, a redelivery): the invitee gets one e-mail.
    assert tasks.send_invitation_email.delay(invitation.pk).get() is False
    assert len(mail.outbox) == 1


def test_an_invitation_shows_on_the_team_timeline_without_the_full_address(
    complete_draft, resident, other_resident
):
    services.invitation_create(
        challenge=complete_draft, actor=resident, email="buur.jansen@example.org"
    )
    event = complete_draft.events.get()
    assert event.code == EventCode.CO_INITIATOR_INVITED
    assert event.visibility == Visibility.PARTIES
    assert "buur.jansen@example.org" not in str(event.data)
    assert event.data["email"].endswith("@example.org")
    assert list(selectors.timeline_for(other_resident, complete_draft)) == []


def test_the_invited_person_joins_and_then_sees_the_draft(complete_draft, resident):
    invitee = UserFactory(email="buur.jansen@example.org")
    invitation = services.invitation_create(
        challenge=complete_draft, actor=resident, email="Buur.Jansen@example.org"
    )
    assert complete_draft not in selectors.challenges_visible_to(invitee)

    accepted = services.invitation_accept(invitation=invitation, user=invitee)

    assert accepted.user == invitee and accepted.accepted_at is not None
    assert complete_draft in selectors.challenges_visible_to(invitee)
    assert invitee in selectors.team_members(complete_draft)
    joined = complete_draft.events.get(code=EventCode.CO_INITIATOR_JOINED)
    assert joined.visibility == Visibility.PARTIES
    assert joined.actor == invitee
    assert joined.data == {"name": invitee.name}
    # The new member may now edit the plan, like the initiator.
    services.challenge_update_draft(
        challenge=complete_draft, actor=invitee, data={"title": "Samen beheren"}
    )
    assert Challenge.objects.get(pk=complete_draft.pk).title == "Samen beheren"


def test_an_invitation_cannot_be_accepted_with_another_address(
    complete_draft, resident, other_resident
):
    invitation = services.invitation_create(
        challenge=complete_draft, actor=resident, email="buur.jansen@example.org"
    )
    events = _event_count(complete_draft)
    with pytest.raises(ServiceError) as refused:
        services.invitation_accept(invitation=invitation, user=other_resident)
    assert "sent to another e-mail address" in _messages(refused.value)
    stored = Invitation.objects.get(pk=invitation.pk)
    assert stored.user is None and stored.accepted_at is None
    assert complete_draft not in selectors.challenges_visible_to(other_resident)
    assert _event_count(complete_draft) == events


def test_a_used_invitation_cannot_be_used_by_someone_else(complete_draft, resident):
    invitee = UserFactory(email="buur.jansen@example.org")
    invitation = services.invitation_create(
        challenge=complete_draft, actor=resident, email=invitee.email
    )
    services.invitation_accept(invitation=invitation, user=invitee)
    events = _event_count(complete_draft)

    # Someone who got hold of the link, even with an account on the same address
    # changed afterwards, cannot take the place.
    intruder = UserFactory()
    with pytest.raises(ServiceError) as refused:
        services.invitation_accept(invitation=invitation, user=intruder)
    assert "already been used" in _messages(refused.value)
    assert Invitation.objects.get(pk=invitation.pk).user == invitee
    assert intruder not in selectors.team_members(complete_draft)

    # The invitee opening the link again is harmless: no second "joined" event.
    services.invitation_accept(invitation=invitation, user=invitee)
    assert _event_count(complete_draft) == events


@pytest.mark.parametrize("who", ["other_resident", "reviewer", "invitee"])
def test_only_the_team_can_invite(complete_draft, resident, other_resident, reviewer, who):
    invitee = UserFactory()
    services.invitation_create(challenge=complete_draft, actor=resident, email=invitee.email)
    actor = {"other_resident": other_resident, "reviewer": reviewer, "invitee": invitee}[who]
    with pytest.raises(ServiceError):
        services.invitation_create(
            challenge=complete_draft, actor=actor, email="vriend@example.org"
        )
    assert not Invitation.objects.filter(email="vriend@example.org").exists()


def test_the_same_address_is_not_invited_twice(complete_draft, resident):
    co_initiator = add_co_initiator(complete_draft)
    services.invitation_create(
        challenge=complete_draft, actor=resident, email="buur.jansen@example.org"
    )
    for actor, email in [
        (resident, "BUUR.JANSEN@example.org"),
        (co_initiator, "buur.jansen@example.org"),
    ]:
        with pytest.raises(ServiceError) as refused:
            services.invitation_create(challenge=complete_draft, actor=actor, email=email)
        assert "already been invited" in _messages(refused.value)
    with pytest.raises(ServiceError) as refused:
        services.invitation_create(challenge=complete_draft, actor=resident, email=resident.email)
    assert "already on the team" in _messages(refused.value)
    assert complete_draft.invitations.count() == 2  # the co-initiator's and the first one


def test_a_closed_challenge_takes_no_co_initiators(resident):
    challenge = challenge_in(S.SUBMITTED, initiator=resident)
    invitee = UserFactory()
    invitation = services.invitation_create(
        challenge=challenge, actor=resident, email=invitee.email
    )
    services.challenge_transition(
        challenge=challenge, to_status=S.WITHDRAWN, actor=resident, motivation="Gestopt."
    )
    with pytest.raises(ServiceError) as refused:
        services.invitation_accept(invitation=invitation, user=invitee)
    assert "closed" in _messages(refused.value)
    assert invitee not in selectors.team_members(challenge)
    with pytest.raises(ServiceError):
        services.invitation_create(challenge=challenge, actor=resident, email="laat@example.org")


# -- Additions by the challenger team --------------------------------------------------


@pytest.mark.parametrize("visibility", [Visibility.PUBLIC, Visibility.PARTIES])
def test_the_team_adds_to_the_timeline(django_capture_on_commit_callbacks, reviewer, visibility):
    challenge = challenge_in(S.INTAKE, reviewer=reviewer)
    co_initiator = add_co_initiator(challenge)
    with django_capture_on_commit_callbacks(execute=True):
        event = services.challenge_add_addition(
            challenge=challenge,
            actor=co_initiator,
            text="  Nieuwe steunbetuigingen van de school.  ",
            visibility=visibility,
        )
    assert event.code == EventCode.ADDITION
    assert event.visibility == visibility
    assert event.actor == co_initiator and event.actor_role == Role.CHALLENGER
    assert event.data == {"text": "Nieuwe steunbetuigingen van de school."}
    # The rest of the team and the reviewer handling it hear of it; the author does not.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [challenge.initiator.email, reviewer.email]
    )


def test_an_addition_cannot_be_internal_or_of_unknown_visibility(resident):
    challenge = challenge_in(S.INTAKE, initiator=resident)
    events = _event_count(challenge)
    for visibility in (Visibility.INTERNAL, "everyone", ""):
        with pytest.raises(ServiceError):
            services.challenge_add_addition(
                challenge=challenge, actor=resident, text="Geheim", visibility=visibility
            )
    with pytest.raises(ServiceError):
        services.challenge_add_addition(
            challenge=challenge, actor=resident, text="   ", visibility=Visibility.PUBLIC
        )
    assert _event_count(challenge) == events


@pytest.mark.parametrize("who", ["other_resident", "reviewer", "coordinator"])
def test_only_the_team_adds(resident, other_resident, reviewer, coordinator, who):
    challenge = challenge_in(S.INTAKE, initiator=resident)
    actor = {"other_resident": other_resident, "reviewer": reviewer, "coordinator": coordinator}
    events = _event_count(challenge)
    with pytest.raises(ServiceError):
        services.challenge_add_addition(
            challenge=challenge, actor=actor[who], text="Hallo", visibility=Visibility.PUBLIC
        )
    assert _event_count(challenge) == events


@pytest.mark.parametrize("status", [S.DRAFT, *FINAL_STATUSES])
def test_no_additions_on_a_draft_or_a_closed_challenge(resident, status):
    challenge = challenge_in(status, initiator=resident)
    events = _event_count(challenge)
    with pytest.raises(ServiceError):
        services.challenge_add_addition(
            challenge=challenge, actor=resident, text="Nog iets", visibility=Visibility.PARTIES
        )
    assert _event_count(challenge) == events


# -- Notes by the municipality --------------------------------------------------------


@pytest.mark.parametrize(
    ("visibility", "team_is_mailed"),
    [(Visibility.PUBLIC, True), (Visibility.PARTIES, True), (Visibility.INTERNAL, False)],
)
def test_staff_write_notes_and_internal_ones_stay_internal(
    django_capture_on_commit_callbacks, resident, reviewer, visibility, team_is_mailed
):
    challenge = challenge_in(S.INTAKE, initiator=resident, reviewer=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        event = services.challenge_add_note(
            challenge=challenge, actor=reviewer, text="Gesprek op 3 juni.", visibility=visibility
        )
    assert (event.code, event.visibility) == (EventCode.NOTE, visibility)
    assert event.actor == reviewer and event.actor_role == Role.REVIEWER
    assert event.data == {"text": "Gesprek op 3 juni."}
    assert [m.to for m in mail.outbox] == ([[resident.email]] if team_is_mailed else [])
    assert (event in selectors.timeline_for(resident, challenge)) is team_is_mailed


def test_a_coordinator_s_note_is_signed_as_coordinator(coordinator):
    challenge = challenge_in(S.SUBMITTED)
    event = services.challenge_add_note(
        challenge=challenge, actor=coordinator, text="Ik volg dit.", visibility="parties"
    )
    assert event.actor_role == Role.COORDINATOR


@pytest.mark.parametrize("who", ["initiator", "other_resident", "staff_without_group"])
def test_only_staff_write_notes(resident, other_resident, who):
    challenge = challenge_in(S.INTAKE, initiator=resident)
    actor = {
        "initiator": resident,
        "other_resident": other_resident,
        "staff_without_group": UserFactory(is_staff=True),
    }[who]
    events = _event_count(challenge)
    with pytest.raises(ServiceError):
        services.challenge_add_note(
            challenge=challenge, actor=actor, text="Notitie", visibility=Visibility.INTERNAL
        )
    assert _event_count(challenge) == events


def test_notes_need_a_submitted_challenge_a_visibility_and_a_text(reviewer, complete_draft):
    with pytest.raises(ServiceError):
        services.challenge_add_note(
            challenge=complete_draft, actor=reviewer, text="Alvast", visibility="internal"
        )
    assert _event_count(complete_draft) == 0
    challenge = challenge_in(S.SUBMITTED, reviewer=reviewer)
    events = _event_count(challenge)
    for text, visibility in [("Notitie", "secret"), (" \n ", Visibility.INTERNAL)]:
        with pytest.raises(ServiceError):
            services.challenge_add_note(
                challenge=challenge, actor=reviewer, text=text, visibility=visibility
            )
    assert _event_count(challenge) == events


# -- Assessments -----------------------------------------------------------------------


@pytest.mark.parametrize("status", S.values)
def test_criteria_are_assessed_only_in_assessment_and_decision(reviewer, status):
    challenge = challenge_in(status, reviewer=reviewer)
    criterion = CriterionFactory()
    events = _event_count(challenge)
    if status in (S.ASSESSMENT, S.DECISION):
        services.assessment_record(
            challenge=challenge, criterion=criterion, actor=reviewer, score=4, motivation="Goed."
        )
        assert Assessment.objects.filter(challenge=challenge, criterion=criterion).exists()
        assert _event_count(challenge) == events + 1
    else:
        with pytest.raises(ServiceError) as refused:
            services.assessment_record(
                challenge=challenge,
                criterion=criterion,
                actor=reviewer,
                score=4,
                motivation="Goed.",
            )
        assert "assessment and decision stages" in _messages(refused.value)
        assert not Assessment.objects.filter(challenge=challenge).exists()
        assert _event_count(challenge) == events


@pytest.mark.parametrize("who", ["initiator", "other_resident"])
def test_only_staff_assess(resident, other_resident, reviewer, who):
    challenge = challenge_in(S.ASSESSMENT, initiator=resident, reviewer=reviewer)
    actor = {"initiator": resident, "other_resident": other_resident}[who]
    with pytest.raises(ServiceError):
        services.assessment_record(
            challenge=challenge,
            criterion=CriterionFactory(),
            actor=actor,
            score=5,
            motivation="Top.",
        )
    assert not Assessment.objects.filter(challenge=challenge).exists()


@pytest.mark.parametrize("score", [0, 6, -1, 2.5, "3", None])
def test_a_score_is_a_whole_number_from_one_to_five(reviewer, score):
    challenge = challenge_in(S.ASSESSMENT, reviewer=reviewer)
    events = _event_count(challenge)
    with pytest.raises(ServiceError) as refused:
        services.assessment_record(
            challenge=challenge,
            criterion=CriterionFactory(),
            actor=reviewer,
            score=score,
            motivation="Mwah.",
        )
    assert "1 to 5" in _messages(refused.value)
    assert not Assessment.objects.filter(challenge=challenge).exists()
    assert _event_count(challenge) == events


@pytest.mark.parametrize("score", [1, 5])
def test_the_extreme_scores_are_allowed(reviewer, score):
    challenge = challenge_in(S.DECISION, reviewer=reviewer)
    assessment = services.assessment_record(
        challenge=challenge,
        criterion=CriterionFactory(),
        actor=reviewer,
        score=score,
        motivation="Duidelijk.",
    )
    assert Assessment.objects.get(pk=assessment.pk).score == score


def test_an_assessment_needs_a_motivation(reviewer):
    challenge = challenge_in(S.ASSESSMENT, reviewer=reviewer)
    with pytest.raises(ServiceError) as refused:
        services.assessment_record(
            challenge=challenge,
            criterion=CriterionFactory(),
            actor=reviewer,
            score=3,
            motivation="  ",
        )
    assert "motivation" in _messages(refused.value)
    assert not Assessment.objects.filter(challenge=challenge).exists()


def test_an_assessment_is_internal_and_revised_without_the_team(resident, reviewer, coordinator):
    # Changed with the publication step: a save is an internal event listing its
    # criteria; the team sees the scores only once published (test_reviewing_flow.py).
    challenge = challenge_in(S.ASSESSMENT, initiator=resident, reviewer=reviewer)
    criterion = CriterionFactory(name_nl="Draagvlak", name_en="Support")
    events = _event_count(challenge)

    services.assessment_record(
        challenge=challenge, criterion=criterion, actor=reviewer, score=3, motivation="Redelijk."
    )
    first = challenge.events.get(code=EventCode.ASSESSMENT_RECORDED)
    assert first.visibility == Visibility.INTERNAL
    assert first.actor == reviewer and first.actor_role == Role.REVIEWER
    assert first.data == {
        "criteria": [
            {
                "criterion_nl": "Draagvlak",
                "criterion_en": "Support",
                "score": 3,
                "motivation": "Redelijk.",
                "revised": False,
            }
        ],
        "unpublished": False,
    }
    assert first not in selectors.timeline_for(resident, challenge)

    # Saving the same score and motivation again (a double click) writes nothing new.
    services.assessment_record(
        challenge=challenge,
        criterion=criterion,
        actor=coordinator,
        score=3,
        motivation=" Redelijk. ",
    )
    assert _event_count(challenge) == events + 1
    assessment = Assessment.objects.get(challenge=challenge, criterion=criterion)
    assert (assessment.score, assessment.reviewer) == (3, reviewer)

    # A real revision is a new event; the first one stays as it was.
    services.assessment_record(
        challenge=challenge,
        criterion=criterion,
        actor=coordinator,
        score=4,
        motivation="Meer handtekeningen ontvangen.",
    )
    assert _event_count(challenge) == events + 2
    assessment.refresh_from_db()
    assert (assessment.score, assessment.motivation, assessment.reviewer) == (
        4,
        "Meer handtekeningen ontvangen.",
        coordinator,
    )
    revised = challenge.events.filter(code=EventCode.ASSESSMENT_RECORDED).first()
    assert revised.data["criteria"][0]["revised"] is True
    assert revised.data["criteria"][0]["score"] == 4
    assert revised.actor_role == Role.COORDINATOR
    assert TimelineEvent.objects.get(pk=first.pk).data["criteria"][0]["score"] == 3
