"""The agreement services: a proposed version is frozen with a digest of its content,
both contact persons sign exactly that version, a change is a new version."""

import hashlib
import json
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from challenges.constants import Status, Visibility
from challenges.services import ServiceError
from partnerships import selectors, services
from partnerships.constants import PartnershipEvent, Side, VersionStatus
from partnerships.models import AgreementVersion
from tests.challenges.factories import (
    ReviewerFactory,
    agreement_content,
    challenge_in,
    propose_agreement,
)
from tests.partnerships.helpers import events, message

E = PartnershipEvent


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

    # Amounts read as people write them, in the language of the page.
    with translation.override("nl"):
        changes = {c.name: c for c in selectors.version_changes(v1, v2)}
    assert set(changes) == {"budget_amount", "results"}
    assert (changes["budget_amount"].old, changes["budget_amount"].new) == (
        "€ 95.000,00",
        "€ 99.000,00",
    )
    with translation.override("en"):
        english = {c.name: c for c in selectors.version_changes(v1, v2)}
    assert english["budget_amount"].new == "€ 99,000.00"
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
