"""The contact person services: who may be and name one, one active per side, a
handover with its reason told to both sides, and a deleted account."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from challenges.constants import Role, Status, Visibility
from challenges.services import ServiceError
from partnerships import selectors, services
from partnerships.constants import PartnershipEvent, Side
from partnerships.models import ContactPerson
from tests.challenges.factories import ReviewerFactory, challenge_in
from tests.partnerships.helpers import events, message

E = PartnershipEvent


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
