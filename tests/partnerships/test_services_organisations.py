"""The organisation services: registered with a valid KvK number, once; linked by
the challenger team, whose members become its members."""

import pytest
from django.db import IntegrityError, transaction

from challenges.constants import LegalForm, Visibility
from challenges.services import ServiceError
from partnerships import selectors, services
from partnerships.constants import MemberRole, PartnershipEvent
from partnerships.models import Organisation
from tests.challenges.factories import OrganisationFactory, UserFactory
from tests.partnerships.helpers import events, message

E = PartnershipEvent


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
