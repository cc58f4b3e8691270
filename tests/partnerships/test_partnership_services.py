"""The partnership services: what each one changes, writes on the timeline and
refuses, and the two guards they give the transition table."""

import hashlib
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from challenges import services as challenge_services
from challenges.constants import LegalForm, Role, Status, Visibility
from challenges.models import Challenge
from challenges.services import ServiceError
from partnerships import selectors, services
from partnerships.constants import (
    KnotStatus,
    MemberRole,
    MilestoneStatus,
    PartnershipEvent,
    Side,
    VersionStatus,
)
from partnerships.models import (
    AgreementVersion,
    ContactPerson,
    Organisation,
    ReflectionRound,
)
from tests.challenges.factories import (
    OrganisationFactory,
    ReviewerFactory,
    UserFactory,
    agreement_content,
    assign_contact_persons,
    challenge_in,
    propose_agreement,
    sign_agreement,
)

E = PartnershipEvent


def message(error: ServiceError) -> str:
    with translation.override("en"):
        return " ".join(error.messages)


def events(challenge, code):
    return list(challenge.events.filter(code=code).order_by("pk"))


# -- Organisations -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("legal_form", "kvk", "stored"),
    [
        (LegalForm.FOUNDATION, "12345678", "12345678"),
        (LegalForm.COMPANY, "1234 5678", "12345678"),
        (LegalForm.COOPERATIVE, "12.34.56.78", "12345678"),
        (LegalForm.INFORMAL_GROUP, "", ""),
    ],
)
def test_an_organisation_is_registered_with_its_kvk_number(db, legal_form, kvk, stored):
    actor = UserFactory()
    organisation = services.organisation_create(
        actor=actor, name="Stichting De Horsten", legal_form=legal_form, kvk_number=kvk
    )
    assert organisation.kvk_number == stored
    assert organisation.members.get().user == actor


@pytest.mark.parametrize(
    ("legal_form", "kvk", "expected"),
    [
        (LegalForm.FOUNDATION, "", "Enter the KvK number"),
        (LegalForm.ASSOCIATION, "1234567", "exactly 8 digits"),
        (LegalForm.SOLE_TRADER, "123456789", "exactly 8 digits"),
        (LegalForm.COMPANY, "1234567a", "exactly 8 digits"),
        (LegalForm.INFORMAL_GROUP, "12345678", "has no KvK number"),
    ],
)
def test_a_wrong_kvk_number_is_refused_with_the_reason(db, legal_form, kvk, expected):
    with pytest.raises(ServiceError) as refused:
        services.organisation_create(
            actor=UserFactory(), name="Vereniging", legal_form=legal_form, kvk_number=kvk
        )
    assert expected in message(refused.value)
    assert not Organisation.objects.exists()


def test_the_database_refuses_a_registered_form_without_kvk_number(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(legal_form=LegalForm.FOUNDATION, kvk_number="")


def test_a_kvk_number_is_registered_once(db):
    OrganisationFactory(kvk_number="87654321")
    with pytest.raises(ServiceError) as refused:
        services.organisation_create(
            actor=UserFactory(), name="Dubbel", legal_form=LegalForm.COMPANY, kvk_number="87654321"
        )
    assert "already registered" in message(refused.value)


def test_linking_the_organisation_makes_the_co_initiators_members(in_agreement):
    p = in_agreement
    organisation = services.partnership_register_organisation(
        challenge=p.challenge,
        actor=p.challenger,
        name="Vereniging Vrienden van het Park",
        legal_form=LegalForm.ASSOCIATION,
        kvk_number="11223344",
        role=MemberRole.CHAIR,
    )
    members = {m.user: m.role for m in organisation.members.all()}
    assert members == {p.challenger: MemberRole.CHAIR, p.co_initiator: MemberRole.MEMBER}
    assert selectors.partnership_of(p.challenge).organisation == organisation
    (event,) = events(p.challenge, E.ORGANISATION_LINKED)
    assert event.visibility == Visibility.PARTIES
    assert event.data["name"] == "Vereniging Vrienden van het Park"

    services.organisation_add_member(
        organisation=organisation,
        actor=p.challenger,
        user=p.co_initiator,
        role=MemberRole.TREASURER,
    )
    assert organisation.members.get(user=p.co_initiator).role == MemberRole.TREASURER


def test_only_the_team_links_an_organisation(in_agreement):
    p = in_agreement
    organisation = OrganisationFactory(created_by=p.municipality)
    for actor in (p.municipality, p.outsider):
        with pytest.raises(ServiceError):
            services.partnership_link_organisation(
                challenge=p.challenge, actor=actor, organisation=organisation
            )
    # A team member may link only an organisation they are a member of.
    with pytest.raises(ServiceError) as refused:
        services.partnership_link_organisation(
            challenge=p.challenge, actor=p.challenger, organisation=organisation
        )
    assert "member of" in message(refused.value)


# -- Contact persons -----------------------------------------------------------------------


def test_assigning_the_contact_persons(in_intake):
    p = in_intake
    services.contact_person_assign(
        challenge=p.challenge,
        side=Side.MUNICIPALITY,
        user=p.municipality,
        mandate="Beslist over de planning.",
        actor=p.municipality,
    )
    services.contact_person_assign(
        challenge=p.challenge,
        side=Side.CHALLENGER,
        user=p.co_initiator,
        mandate="Beslist over de uitvoering.",
        actor=p.challenger,
    )
    active = selectors.active_contact_persons(p.challenge)
    assert active[Side.MUNICIPALITY].user == p.municipality
    assert active[Side.CHALLENGER].user == p.co_initiator
    assert active[Side.CHALLENGER].mandate == "Beslist over de uitvoering."
    assigned = events(p.challenge, E.CONTACT_PERSON_ASSIGNED)
    assert [(e.data["side"], e.visibility, e.actor_role) for e in assigned] == [
        (Side.MUNICIPALITY, Visibility.PARTIES, Role.REVIEWER),
        (Side.CHALLENGER, Visibility.PARTIES, Role.CHALLENGER),
    ]


@pytest.mark.parametrize(
    ("side", "who", "actor", "expected"),
    [
        (Side.MUNICIPALITY, "municipality", "challenger", "Only the municipality"),
        (Side.MUNICIPALITY, "challenger", "municipality", "reviewer or coordinator"),
        (Side.CHALLENGER, "outsider", "challenger", "member of the challenger team"),
        (Side.CHALLENGER, "municipality", "municipality", "member of the challenger team"),
        (Side.CHALLENGER, "challenger", "outsider", "Only the challenger team"),
    ],
)
def test_who_may_be_and_name_a_contact_person(in_intake, side, who, actor, expected):
    p = in_intake
    with pytest.raises(ServiceError) as refused:
        services.contact_person_assign(
            challenge=p.challenge,
            side=side,
            user=getattr(p, who),
            mandate="Alles.",
            actor=getattr(p, actor),
        )
    assert expected in message(refused.value)
    assert not ContactPerson.objects.filter(challenge=p.challenge).exists()


def test_a_mandate_is_required(in_intake):
    p = in_intake
    with pytest.raises(ServiceError) as refused:
        services.contact_person_assign(
            challenge=p.challenge,
            side=Side.MUNICIPALITY,
            user=p.municipality,
            mandate="   ",
            actor=p.municipality,
        )
    assert "mandate" in message(refused.value)


def test_a_second_active_contact_person_for_a_side_is_refused(in_agreement):
    p = in_agreement
    with pytest.raises(ServiceError) as refused:
        services.contact_person_assign(
            challenge=p.challenge,
            side=Side.MUNICIPALITY,
            user=p.colleague,
            mandate="Ook alles.",
            actor=p.colleague,
        )
    assert "already has a contact person" in message(refused.value)
    assert "hand over" in message(refused.value)
    # And the database itself refuses it, whatever writes it.
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactPerson.objects.create(
            challenge=p.challenge,
            side=Side.MUNICIPALITY,
            user=p.colleague,
            mandate="Buiten de service om.",
            assigned_by=p.colleague,
        )
    assert ContactPerson.objects.filter(challenge=p.challenge, ended_at=None).count() == 2


def test_a_handover_ends_the_old_assignment_and_tells_both_sides(
    in_agreement, django_capture_on_commit_callbacks
):
    p = in_agreement
    old = selectors.active_contact_persons(p.challenge)[Side.MUNICIPALITY]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        new = services.contact_person_hand_over(
            challenge=p.challenge,
            side=Side.MUNICIPALITY,
            user=p.colleague,
            mandate="Beslist over planning en budget tot 10.000 euro.",
            reason="Sanne gaat met verlof; Piet neemt het over.",
            actor=p.municipality,
        )
    old.refresh_from_db()
    assert old.ended_at is not None and old.ended_at == new.started_at
    assert new.reason == "Sanne gaat met verlof; Piet neemt het over."
    assert selectors.active_contact_persons(p.challenge)[Side.MUNICIPALITY] == new
    history = list(selectors.contact_person_history(p.challenge).filter(side=Side.MUNICIPALITY))
    assert history == [new, old]
    (event,) = events(p.challenge, E.CONTACT_PERSON_HANDED_OVER)
    assert event.visibility == Visibility.PARTIES
    assert event.data["from_name"] == p.municipality.name
    assert event.data["name"] == p.colleague.name
    assert event.data["reason"] == new.reason
    # Both sides hear of it through the outbox, each person exactly once: the team,
    # the new contact person; the person who made the change does not.
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([p.challenger.email, p.co_initiator.email, p.colleague.email])
    assert all(new.reason in m.body and p.colleague.name in m.body for m in mail.outbox)


def test_contact_persons_hear_of_events_and_the_outgoing_one_of_the_handover(
    in_agreement, django_capture_on_commit_callbacks
):
    """A contact person who never acted on the challenge still hears what happens on
    it, and hears of their own handover exactly once, even when someone else makes it."""
    p = in_agreement
    stand_in = ReviewerFactory()  # never acted on this challenge
    with django_capture_on_commit_callbacks(execute=True):
        services.contact_person_hand_over(
            challenge=p.challenge,
            side=Side.MUNICIPALITY,
            user=stand_in,
            mandate="Beslist over de planning.",
            reason="Sanne gaat met verlof.",
            actor=p.municipality,
        )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(challenge=p.challenge, actor=p.challenger, text="Hoe staat het?")
    assert stand_in.email in [m.to[0] for m in mail.outbox]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.contact_person_hand_over(
            challenge=p.challenge,
            side=Side.MUNICIPALITY,
            user=p.colleague,
            mandate="Beslist over planning en budget.",
            reason="Piet neemt het definitief over.",
            actor=p.colleague,
        )
    recipients = sorted(m.to[0] for m in mail.outbox)
    # The outgoing stand-in once, the team, and the municipality's people who acted;
    # the actor (the new contact person) not at all.
    assert recipients.count(stand_in.email) == 1
    assert p.colleague.email not in recipients
    assert len(recipients) == len(set(recipients))
    assert {p.challenger.email, p.co_initiator.email, stand_in.email} <= set(recipients)
    # Once the handover is told, the stand-in hears no more of this challenge.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(challenge=p.challenge, actor=p.challenger, text="En nu?")
    assert stand_in.email not in [m.to[0] for m in mail.outbox]


def test_a_handover_needs_a_reason_and_another_person(in_agreement):
    p = in_agreement
    with pytest.raises(ServiceError) as refused:
        services.contact_person_hand_over(
            challenge=p.challenge,
            side=Side.CHALLENGER,
            user=p.co_initiator,
            mandate="Alles.",
            reason="",
            actor=p.challenger,
        )
    assert "why" in message(refused.value)
    with pytest.raises(ServiceError) as refused:
        services.contact_person_hand_over(
            challenge=p.challenge,
            side=Side.CHALLENGER,
            user=p.challenger,
            mandate="Alles.",
            reason="Niets verandert.",
            actor=p.challenger,
        )
    assert "already the contact person" in message(refused.value)


def test_no_contact_person_changes_once_the_challenge_is_closed(db):
    reviewer = ReviewerFactory()
    challenge = challenge_in(Status.COMPLETED, reviewer=reviewer)
    with pytest.raises(ServiceError) as refused:
        services.contact_person_hand_over(
            challenge=challenge,
            side=Side.MUNICIPALITY,
            user=ReviewerFactory(),
            mandate="Alles.",
            reason="Te laat.",
            actor=reviewer,
        )
    assert "closed" in message(refused.value)


# -- The guards of the transition table ----------------------------------------------------


def test_intake_is_left_only_with_both_contact_persons(in_intake):
    p = in_intake
    before = list(p.challenge.events.values_list("pk", flat=True))
    with pytest.raises(ServiceError) as refused:
        challenge_services.challenge_transition(
            challenge=p.challenge, to_status=Status.ASSESSMENT, actor=p.municipality
        )
    text = message(refused.value)
    assert "the municipality's contact person" in text
    assert "the challenger's contact person" in text
    assert Challenge.objects.get(pk=p.challenge.pk).status == Status.INTAKE
    assert list(p.challenge.events.values_list("pk", flat=True)) == before

    services.contact_person_assign(
        challenge=p.challenge,
        side=Side.MUNICIPALITY,
        user=p.municipality,
        mandate="Planning.",
        actor=p.municipality,
    )
    with pytest.raises(ServiceError) as refused:
        challenge_services.challenge_transition(
            challenge=p.challenge, to_status=Status.ASSESSMENT, actor=p.municipality
        )
    text = message(refused.value)
    assert "Still missing: the challenger's contact person." in text
    assert "municipality's contact person" not in text

    services.contact_person_assign(
        challenge=p.challenge,
        side=Side.CHALLENGER,
        user=p.challenger,
        mandate="Uitvoering.",
        actor=p.challenger,
    )
    moved = challenge_services.challenge_transition(
        challenge=p.challenge, to_status=Status.ASSESSMENT, actor=p.municipality
    )
    assert moved.status == Status.ASSESSMENT


def test_the_guarded_step_is_offered_so_that_taking_it_explains(in_intake):
    from challenges import workflow

    edges = workflow.available_edges(in_intake.challenge, {Role.REVIEWER})
    assert Status.ASSESSMENT in [edge.target for edge in edges]


def test_execution_starts_only_with_an_agreement_in_force(in_agreement):
    p = in_agreement

    def refusal() -> str:
        with pytest.raises(ServiceError) as refused:
            challenge_services.challenge_transition(
                challenge=p.challenge, to_status=Status.EXECUTION, actor=p.municipality
            )
        assert Challenge.objects.get(pk=p.challenge.pk).status == Status.AGREEMENT
        return message(refused.value)

    assert "There is no agreement yet" in refusal()
    draft = services.agreement_save_draft(
        challenge=p.challenge, actor=p.challenger, data=agreement_content()
    )
    assert "Version 1 is still a draft" in refusal()
    version = services.agreement_propose(version=draft, actor=p.challenger)
    text = refusal()
    assert "Version 1 still needs the signature of" in text
    assert "the municipality's contact person, the challenger's contact person" in text
    services.agreement_sign(version=version, actor=p.challenger, digest=version.digest)
    text = refusal()
    assert "the municipality's contact person" in text
    assert "the challenger's contact person" not in text
    services.agreement_sign(version=version, actor=p.municipality, digest=version.digest)
    moved = challenge_services.challenge_transition(
        challenge=p.challenge, to_status=Status.EXECUTION, actor=p.municipality
    )
    assert moved.status == Status.EXECUTION


# -- Agreement -----------------------------------------------------------------------------


def test_a_proposed_version_is_frozen_and_its_digest_is_of_its_content(in_agreement):
    p = in_agreement
    draft = services.agreement_save_draft(
        challenge=p.challenge, actor=p.municipality, data=agreement_content()
    )
    # A draft can still change.
    draft = services.agreement_save_draft(
        challenge=p.challenge,
        actor=p.challenger,
        data=agreement_content(budget_amount=Decimal("90000")),
    )
    assert draft.number == 1 and draft.budget_amount == Decimal("90000.00")
    version = services.agreement_propose(version=draft, actor=p.challenger)
    assert version.status == VersionStatus.PROPOSED

    content = agreement_content(budget_amount=Decimal("90000"))
    canonical = {
        "scope": content["scope"],
        "tasks_challenger": content["tasks_challenger"],
        "tasks_municipality": content["tasks_municipality"],
        "budget_amount": "90000.00",
        "payment_schedule": content["payment_schedule"],
        "budget_from_current_cost": "95000.00",
        "start_date": content["start_date"].isoformat(),
        "end_date": content["end_date"].isoformat(),
        "results": content["results"],
        "evaluation_dates": [d.isoformat() for d in content["evaluation_dates"]],
        "reporting_rhythm": "quarterly",
        "termination_terms": content["termination_terms"],
    }
    expected = hashlib.sha256(
        json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()
    assert version.digest == expected

    stored = AgreementVersion.objects.get(pk=version.pk)
    stored.budget_amount = Decimal("1.00")
    with pytest.raises(Exception, match="cannot be changed"):
        stored.save()
    with pytest.raises(Exception, match="cannot be deleted"):
        AgreementVersion.objects.get(pk=version.pk).delete()
    with pytest.raises(ServiceError) as refused:
        services.agreement_propose(version=version, actor=p.challenger)
    assert "already been proposed" in message(refused.value)
    (event,) = events(p.challenge, E.AGREEMENT_PROPOSED)
    assert event.data["digest"] == expected and event.visibility == Visibility.PARTIES


def test_both_contact_persons_sign_one_exact_version(in_agreement):
    p = in_agreement
    version = propose_agreement(p.challenge, actor=p.municipality)
    for who in ("colleague", "co_initiator", "outsider"):
        with pytest.raises(ServiceError) as refused:
            services.agreement_sign(version=version, actor=getattr(p, who), digest=version.digest)
        assert message(refused.value)
    with pytest.raises(ServiceError) as refused:
        services.agreement_sign(version=version, actor=p.municipality, digest="0" * 64)
    assert "not the version on the table" in message(refused.value)
    assert not version.signatures.exists()

    first = services.agreement_sign(version=version, actor=p.municipality, digest=version.digest)
    assert (first.side, first.signer, first.digest) == (
        Side.MUNICIPALITY,
        p.municipality,
        version.digest,
    )
    assert selectors.agreement_in_force(p.challenge) is None
    with pytest.raises(ServiceError) as refused:
        services.agreement_sign(version=version, actor=p.municipality, digest=version.digest)
    assert "already signed" in message(refused.value)

    started = timezone.now()
    services.agreement_sign(version=version, actor=p.challenger, digest=version.digest)
    in_force = selectors.agreement_in_force(p.challenge)
    assert in_force.pk == version.pk and in_force.in_force_at >= started
    signed = events(p.challenge, E.AGREEMENT_SIGNED)
    assert [(e.data["side"], e.data["digest"]) for e in signed] == [
        (Side.MUNICIPALITY, version.digest),
        (Side.CHALLENGER, version.digest),
    ]
    (event,) = events(p.challenge, E.AGREEMENT_IN_FORCE)
    assert event.data["number"] == 1


def test_a_change_is_a_new_version_and_the_old_signatures_no_longer_count(in_execution):
    p = in_execution
    v1 = selectors.agreement_in_force(p.challenge)
    assert v1.number == 1
    changed = agreement_content(
        budget_amount=Decimal("99000.00"),
        results="Beeldkwaliteit A; acht vaste vrijwilligers.",
        change_note="Meer budget voor de vijverrand.",
    )
    draft = services.agreement_save_draft(challenge=p.challenge, actor=p.challenger, data=changed)
    assert draft.number == 2
    # A draft changes nothing yet: version 1 is still in force.
    assert selectors.agreement_in_force(p.challenge).pk == v1.pk
    v2 = services.agreement_propose(version=draft, actor=p.challenger)

    v1.refresh_from_db()
    assert v1.status == VersionStatus.SUPERSEDED and v1.signatures.count() == 2
    assert selectors.agreement_in_force(p.challenge) is None
    assert selectors.current_version(p.challenge).pk == v2.pk
    assert v2.digest != v1.digest
    (event,) = events(p.challenge, E.AGREEMENT_PROPOSED)[-1:]
    assert event.data["previous"] == 1 and event.data["previous_was_in_force"] is True
    assert set(event.data["changed"]) == {"budget_amount", "results"}

    # Signing the superseded version is refused, saying which version to sign.
    with pytest.raises(ServiceError) as refused:
        services.agreement_sign(version=v1, actor=p.municipality, digest=v1.digest)
    assert "superseded by version 2" in message(refused.value)
    # Signing with the old digest is refused too.
    with pytest.raises(ServiceError):
        services.agreement_sign(version=v2, actor=p.municipality, digest=v1.digest)

    changes = {c.name: c for c in selectors.version_changes(v1, v2)}
    assert set(changes) == {"budget_amount", "results"}
    assert (changes["budget_amount"].old, changes["budget_amount"].new) == ("95000.00", "99000.00")
    assert ("-", "Beeldkwaliteit B of beter; vijf vaste vrijwilligers.") in changes["results"].lines
    assert ("+", "Beeldkwaliteit A; acht vaste vrijwilligers.") in changes["results"].lines

    for person in (p.municipality, p.challenger):
        services.agreement_sign(version=v2, actor=person, digest=v2.digest)
    assert selectors.agreement_in_force(p.challenge).pk == v2.pk


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("scope", "  ", "Still missing: scope and tasks"),
        ("budget_amount", Decimal("-1"), "cannot be negative"),
        ("end_date", date(2000, 1, 1), "cannot end before it starts"),
        ("evaluation_dates", [], "at least one evaluation date"),
        ("evaluation_dates", [date(2000, 1, 1)], "between the start and the end"),
        ("reporting_rhythm", "daily", "reporting rhythm"),
    ],
)
def test_an_incomplete_agreement_is_refused(in_agreement, field, value, expected):
    p = in_agreement
    with pytest.raises(ServiceError) as refused:
        services.agreement_save_draft(
            challenge=p.challenge, actor=p.challenger, data=agreement_content(**{field: value})
        )
    assert expected in message(refused.value)
    assert not AgreementVersion.objects.filter(challenge=p.challenge).exists()


def test_the_agreement_is_drafted_from_the_agreement_stage_on(db):
    reviewer = ReviewerFactory()
    challenge = challenge_in(Status.ACCEPTED, reviewer=reviewer)
    with pytest.raises(ServiceError) as refused:
        services.agreement_save_draft(challenge=challenge, actor=reviewer, data=agreement_content())
    assert "agreement, execution and evaluation" in message(refused.value)


# -- Milestones ----------------------------------------------------------------------------


def test_milestones_and_their_visibility(in_execution):
    p = in_execution
    due = timezone.localdate() + timedelta(days=30)
    public = services.milestone_create(
        challenge=p.challenge,
        actor=p.challenger,
        title="Bloemenweide ingezaaid",
        owner_side=Side.CHALLENGER,
        due_date=due,
        is_public=True,
    )
    private = services.milestone_create(
        challenge=p.challenge,
        actor=p.municipality,
        title="Gereedschap geleverd",
        owner_side=Side.MUNICIPALITY,
        due_date=due,
    )
    added = events(p.challenge, E.MILESTONE_ADDED)
    assert [(e.data["title"], e.visibility) for e in added] == [
        ("Bloemenweide ingezaaid", Visibility.PUBLIC),
        ("Gereedschap geleverd", Visibility.PARTIES),
    ]
    services.milestone_update(milestone=public, actor=p.municipality, status=MilestoneStatus.DONE)
    services.milestone_update(
        milestone=private, actor=p.challenger, status=MilestoneStatus.AT_RISK, note="Vertraagd."
    )
    updated = events(p.challenge, E.MILESTONE_UPDATED)
    assert [(e.data["to"], e.visibility) for e in updated] == [
        (MilestoneStatus.DONE, Visibility.PUBLIC),
        (MilestoneStatus.AT_RISK, Visibility.PARTIES),
    ]
    progress = selectors.progress(selectors.milestones(p.challenge))
    assert (progress.total, progress.done, progress.at_risk, progress.percent) == (2, 1, 1, 50)
    public_progress = selectors.progress(selectors.milestones(p.challenge, public_only=True))
    assert (public_progress.total, public_progress.done) == (1, 1)
    with pytest.raises(ServiceError) as refused:
        services.milestone_update(milestone=public, actor=p.challenger, status=MilestoneStatus.DONE)
    assert "Nothing changed" in message(refused.value)
    with pytest.raises(ServiceError):
        services.milestone_update(
            milestone=public, actor=p.outsider, status=MilestoneStatus.PLANNED
        )


# -- Reflections ---------------------------------------------------------------------------

SCORES = {"right_things": 4, "doing_right": 3, "together": 5}
COMMENTS = {
    "right_things": "Het park is schoner.",
    "doing_right": "De planning schuift nog.",
    "together": "Korte lijnen.",
}


def test_answers_stay_hidden_from_the_other_side_until_both_answered(in_execution):
    p = in_execution
    round_ = services.reflection_open(
        challenge=p.challenge, actor=p.challenger, reason="Halverwege het eerste jaar."
    )
    services.reflection_answer(round=round_, actor=p.challenger, scores=SCORES, comments=COMMENTS)

    (challenger_view,) = selectors.reflections_for(p.challenger, p.challenge)
    (municipality_view,) = selectors.reflections_for(p.municipality, p.challenge)
    assert challenger_view.own.scores() == SCORES and challenger_view.other is None
    assert municipality_view.own is None and municipality_view.other is None
    assert municipality_view.municipality is None and municipality_view.challenger is None
    assert municipality_view.answered_sides == [Side.CHALLENGER]
    # The timeline says who answered, never what.
    (answered,) = events(p.challenge, E.REFLECTION_ANSWERED)
    assert answered.data == {"round": round_.pk, "side": Side.CHALLENGER}
    assert not events(p.challenge, E.REFLECTION_REVEALED)
    assert selectors.reflection_trend(p.challenge) == []

    other = {"right_things": 5, "doing_right": 4, "together": 4}
    services.reflection_answer(
        round=round_, actor=p.colleague, scores=other, comments=COMMENTS
    )  # any reviewer answers for the municipality
    round_.refresh_from_db()
    assert round_.is_revealed
    (municipality_view,) = selectors.reflections_for(p.municipality, p.challenge)
    assert municipality_view.other.scores() == SCORES
    assert municipality_view.challenger.scores() == SCORES
    assert municipality_view.municipality.scores() == other
    (revealed,) = events(p.challenge, E.REFLECTION_REVEALED)
    assert revealed.visibility == Visibility.PARTIES
    assert revealed.data["answers"][Side.CHALLENGER]["scores"] == SCORES
    assert revealed.data["answers"][Side.MUNICIPALITY]["scores"] == other
    (point,) = selectors.reflection_trend(p.challenge)
    assert point.scores["together"] == {"municipality": 4, "challenger": 5}


def test_a_side_answers_once_and_scores_are_whole_numbers_from_1_to_5(in_execution):
    p = in_execution
    round_ = services.reflection_open(challenge=p.challenge, actor=p.municipality, reason="Nu.")
    for bad in (0, 6, "4", 4.0, None):
        with pytest.raises(ServiceError) as refused:
            services.reflection_answer(
                round=round_,
                actor=p.challenger,
                scores={**SCORES, "doing_right": bad},
                comments=COMMENTS,
            )
        assert "whole number from 1 to 5" in message(refused.value)
    with pytest.raises(ServiceError) as refused:
        services.reflection_answer(
            round=round_, actor=p.challenger, scores=SCORES, comments={**COMMENTS, "together": ""}
        )
    assert "comment" in message(refused.value)
    services.reflection_answer(round=round_, actor=p.challenger, scores=SCORES, comments=COMMENTS)
    with pytest.raises(ServiceError) as refused:
        services.reflection_answer(
            round=round_, actor=p.co_initiator, scores=SCORES, comments=COMMENTS
        )
    assert "already answered" in message(refused.value)
    # One open reflection at a time.
    with pytest.raises(ServiceError) as refused:
        services.reflection_open(challenge=p.challenge, actor=p.challenger, reason="Nog een.")
    assert "already open" in message(refused.value)


def test_reflections_open_at_the_evaluation_dates_once(in_execution):
    p = in_execution
    version = selectors.agreement_in_force(p.challenge)
    first, second = version.evaluation_dates_parsed
    assert services.reflections_open_due(today=first - timedelta(days=1)) == 0
    assert services.reflections_open_due(today=first) == 1
    assert services.reflections_open_due(today=first) == 0  # safe to run twice
    round_ = ReflectionRound.objects.get(challenge=p.challenge)
    assert round_.evaluation_date == first and round_.opened_by is None
    (event,) = events(p.challenge, E.REFLECTION_OPENED)
    assert event.data["evaluation_date"] == first.isoformat()
    # The next date waits until this one has been answered by both.
    assert services.reflections_open_due(today=second) == 0
    for person in (p.challenger, p.municipality):
        services.reflection_answer(round=round_, actor=person, scores=SCORES, comments=COMMENTS)
    assert services.reflections_open_due(today=second) == 1


def test_reflections_belong_to_execution_and_evaluation(in_agreement):
    p = in_agreement
    with pytest.raises(ServiceError) as refused:
        services.reflection_open(challenge=p.challenge, actor=p.challenger, reason="Te vroeg.")
    assert "execution and evaluation" in message(refused.value)


# -- Knots ---------------------------------------------------------------------------------


def test_a_knot_is_raised_listed_by_date_and_cut_with_a_decision(in_execution, in_agreement):
    today = timezone.localdate()
    later = services.knot_raise(
        challenge=in_execution.challenge,
        actor=in_execution.challenger,
        question="Mogen wij de vijverrand zelf herstellen?",
        decision_needed="Toestemming van team Water.",
        needed_by=today + timedelta(days=20),
    )
    sooner = services.knot_raise(
        challenge=in_agreement.challenge,
        actor=in_agreement.municipality,
        question="Valt de zaalverhuur onder staatssteun?",
        decision_needed="Advies van Juridische Zaken.",
        needed_by=today + timedelta(days=5),
    )
    assert list(selectors.open_knots()) == [sooner, later]
    (raised,) = events(in_execution.challenge, E.KNOT_RAISED)
    assert raised.visibility == Visibility.PARTIES
    assert raised.data["side"] == Side.CHALLENGER
    assert raised.data["needed_by"] == (today + timedelta(days=20)).isoformat()

    resolved = services.knot_resolve(
        knot=later,
        actor=in_execution.municipality,
        decision="Ja, onder begeleiding van team Water.",
    )
    assert (
        resolved.status == KnotStatus.RESOLVED and resolved.resolved_by == in_execution.municipality
    )
    assert list(selectors.open_knots()) == [sooner]
    (cut,) = events(in_execution.challenge, E.KNOT_RESOLVED)
    assert cut.data["decision"] == "Ja, onder begeleiding van team Water."
    assert cut.data["late"] is False
    with pytest.raises(ServiceError) as refused:
        services.knot_resolve(knot=later, actor=in_execution.challenger, decision="Nog eens.")
    assert "already been cut" in message(refused.value)


def test_a_knot_needs_a_question_a_decision_and_a_date_not_past(in_execution):
    p = in_execution
    today = timezone.localdate()
    cases = [
        ({"question": ""}, "blocking question"),
        ({"decision_needed": " "}, "decision that is needed"),
        ({"needed_by": today - timedelta(days=1)}, "cannot be in the past"),
    ]
    for override, expected in cases:
        data = {"question": "Vraag?", "decision_needed": "Besluit.", "needed_by": today, **override}
        with pytest.raises(ServiceError) as refused:
            services.knot_raise(challenge=p.challenge, actor=p.challenger, **data)
        assert expected in message(refused.value)
    with pytest.raises(ServiceError):
        services.knot_raise(
            challenge=p.challenge,
            actor=p.outsider,
            question="Vraag?",
            decision_needed="Besluit.",
            needed_by=today,
        )


# -- Messages ------------------------------------------------------------------------------


def test_messages_are_for_the_parties(in_agreement):
    p = in_agreement
    sent = services.message_post(challenge=p.challenge, actor=p.challenger, text="  Hallo!  ")
    assert (sent.text, sent.side) == ("Hallo!", Side.CHALLENGER)
    (event,) = events(p.challenge, E.MESSAGE_POSTED)
    assert event.visibility == Visibility.PARTIES and event.data["message"] == sent.pk
    with pytest.raises(ServiceError):
        services.message_post(challenge=p.challenge, actor=p.outsider, text="Mag ik meelezen?")
    with pytest.raises(ServiceError) as refused:
        services.message_post(challenge=p.challenge, actor=p.municipality, text=" ")
    assert "Write the message" in message(refused.value)


def test_assign_contact_persons_factory_meets_the_guard(db):
    challenge = challenge_in(Status.INTAKE, contact_persons=False)
    assign_contact_persons(challenge)
    assert selectors.missing_contact_persons(challenge) == []
    challenge = challenge_in(Status.AGREEMENT, agreement=False)
    sign_agreement(challenge)
    assert selectors.missing_for_execution(challenge) == []


def test_an_account_can_be_deleted_and_its_side_needs_a_new_contact_person(client, in_execution):
    """Privacy: a person can delete their account. Their partnership records stay, without
    them; an active assignment of theirs no longer counts."""
    from django.contrib.auth import get_user_model

    p = in_execution
    services.message_post(challenge=p.challenge, actor=p.municipality, text="Tot ziens.")
    services.knot_raise(
        challenge=p.challenge,
        actor=p.municipality,
        question="Vraag?",
        decision_needed="Besluit.",
        needed_by=timezone.localdate(),
    )
    get_user_model().objects.filter(pk=p.municipality.pk).delete()

    assert selectors.missing_contact_persons(p.challenge) == [Side.MUNICIPALITY]
    version = selectors.agreement_in_force(p.challenge)
    assert {s.signer_id for s in version.signatures.all()} == {None, p.challenger.pk}
    client.force_login(p.challenger)
    page = client.get(
        f"/challenges/{p.challenge.pk}/workspace/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "(account deleted)" in page
    # The side names a new contact person; the old assignment ends then.
    services.contact_person_assign(
        challenge=p.challenge,
        side=Side.MUNICIPALITY,
        user=p.colleague,
        mandate="Alles.",
        actor=p.colleague,
    )
    assert selectors.active_contact_persons(p.challenge)[Side.MUNICIPALITY].user == p.colleague
    assert selectors.missing_contact_persons(p.challenge) == []
    assert ContactPerson.objects.filter(challenge=p.challenge, side=Side.MUNICIPALITY).count() == 2
