"""The two guards the partnerships give the transition table: intake is left only
with both contact persons, execution starts only with an agreement in force."""

import pytest

from challenges import services as challenge_services
from challenges.constants import Role, Status
from challenges.models import Challenge
from challenges.services import ServiceError
from partnerships import selectors, services
from partnerships.constants import Side
from tests.challenges.factories import (
    agreement_content,
    assign_contact_persons,
    challenge_in,
    sign_agreement,
)
from tests.partnerships.helpers import message


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


def test_assign_contact_persons_factory_meets_the_guard(db):
    challenge = challenge_in(Status.INTAKE, contact_persons=False)
    assign_contact_persons(challenge)
    assert selectors.missing_contact_persons(challenge) == []
    challenge = challenge_in(Status.AGREEMENT, agreement=False)
    sign_agreement(challenge)
    assert selectors.missing_for_execution(challenge) == []
