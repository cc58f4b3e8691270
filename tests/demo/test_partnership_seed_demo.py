"""The demo data has partnerships in every stage from agreement to completed, made
through the services, and seeding twice adds nothing."""

from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from challenges.constants import Status
from challenges.models import Challenge
from partnerships import selectors
from partnerships.constants import KnotStatus, PartnershipEvent, Side, VersionStatus
from partnerships.models import (
    AgreementSignature,
    ContactPerson,
    Document,
    Knot,
    Message,
    Milestone,
    Organisation,
    ReflectionRound,
)
from tests.challenges.factories import STAFF_TOTP_SECRET

SETTINGS_MODULE = django_settings.SETTINGS_MODULE
PARTNERSHIP_STAGES = [Status.AGREEMENT, Status.EXECUTION, Status.EVALUATION, Status.COMPLETED]


@pytest.fixture(scope="module")
def _seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with (
        # (SETTINGS_MODULE kept: seed_demo reads it to refuse production settings.)
        override_settings(MEDIA_ROOT=media, SETTINGS_MODULE=SETTINGS_MODULE),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
        yield media
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded, db, settings):
    settings.MEDIA_ROOT = _seeded
    settings.SETTINGS_MODULE = SETTINGS_MODULE
    return _seeded


def counts() -> dict:
    models = (
        Organisation,
        ContactPerson,
        AgreementSignature,
        Milestone,
        ReflectionRound,
        Knot,
        Message,
        Document,
    )
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.parametrize("status", PARTNERSHIP_STAGES)
def test_a_partnership_in_every_stage_from_agreement_to_completed(seeded, status):
    challenge = Challenge.objects.get(status=status)
    assert selectors.partnership_of(challenge).organisation is not None
    active = selectors.active_contact_persons(challenge)
    assert set(active) == {Side.MUNICIPALITY, Side.CHALLENGER}
    assert all(person.mandate for person in active.values())
    versions = list(selectors.agreement_versions(challenge))
    assert versions and all(v.digest and v.compute_digest() == v.digest for v in versions)
    assert all(s.digest == v.digest for v in versions for s in v.signatures.all())
    assert selectors.milestones(challenge).exists()
    assert Message.objects.filter(challenge=challenge).exists()
    assert Document.objects.filter(challenge=challenge).exists()
    if status == Status.AGREEMENT:
        # Negotiation: proposed, signed by one side only, not in force.
        assert selectors.agreement_in_force(challenge) is None
        assert versions[0].signatures.count() == 1
    else:
        assert selectors.agreement_in_force(challenge) is not None
    if status in (Status.EXECUTION, Status.EVALUATION, Status.COMPLETED):
        assert ReflectionRound.objects.filter(challenge=challenge, revealed_at__isnull=False)


def test_versions_handover_reflections_and_knots_are_all_there(seeded):
    assert Document.objects.count() >= 4
    for document in Document.objects.all():
        stored = seeded / document.file.name
        assert stored.read_bytes().startswith(b"%PDF-")
    # A change of the agreement: a superseded version whose signatures no longer count.
    assert selectors.agreement_versions(Challenge.objects.get(status=Status.EXECUTION))[
        1
    ].status == (VersionStatus.SUPERSEDED)
    # A handover, with its history.
    assert ContactPerson.objects.filter(ended_at__isnull=False).exists()
    assert Challenge.objects.get(status=Status.EVALUATION).events.filter(
        code=PartnershipEvent.CONTACT_PERSON_HANDED_OVER
    )
    # A reflection that is still half answered (its answers hidden), and a trend.
    half = ReflectionRound.objects.filter(revealed_at__isnull=True).get()
    assert half.answers.count() == 1
    assert len(selectors.reflection_trend(Challenge.objects.get(status=Status.COMPLETED))) == 2
    # One open knot (past its date) and resolved ones.
    (open_knot,) = selectors.open_knots()
    assert open_knot.is_overdue
    assert Knot.objects.filter(status=KnotStatus.RESOLVED).count() >= 3
    # Every challenge past intake has both contact persons (the transition table's guard).
    for challenge in Challenge.objects.filter(
        status__in=[
            Status.ASSESSMENT,
            Status.DECISION,
            Status.ACCEPTED,
            Status.REJECTED,
            *PARTNERSHIP_STAGES,
        ]
    ):
        assert selectors.missing_contact_persons(challenge) == [], challenge.title


def test_seeding_again_adds_no_partnership_data(seeded):
    before = counts()
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    assert counts() == before


def test_the_demo_workspace_opens_for_both_contact_persons(seeded, client):
    challenge = Challenge.objects.get(status=Status.EXECUTION)
    active = selectors.active_contact_persons(challenge)
    pages = []
    for person in (active[Side.MUNICIPALITY].user, active[Side.CHALLENGER].user):
        if person.is_staff:
            # Demo staff enrol their second factor at their first login; this one has.
            Authenticator.objects.create(
                user=person, type=Authenticator.Type.TOTP, data={"secret": STAFF_TOTP_SECRET}
            )
        client.force_login(person)
        response = client.get(f"/challenges/{challenge.pk}/workspace/")
        assert response.status_code == 200
        pages.append([e.pk for e in response.context["events"]])
        assert client.get(f"/challenges/{challenge.pk}/workspace/reflections/").status_code == 200
    assert pages[0] == pages[1]
