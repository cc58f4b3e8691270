"""The registries of challenges/registry.py: every app's event types, kinds and
guards arrive there, and the system checks fail when one is incomplete."""

import pytest
from django.core import checks
from django.urls import reverse

from challenges import registry, services, workflow
from challenges.checks import check_event_types, check_guard_slots
from challenges.constants import EventCode, Status
from challenges.models import TimelineEvent
from partnerships.constants import PartnershipEvent
from tests.challenges.factories import ReviewerFactory, UserFactory, challenge_in


@pytest.fixture
def scratch_registry(monkeypatch):
    """Registry contents that a test may change; the real ones come back after."""
    monkeypatch.setattr(registry, "_EVENT_TYPES", dict(registry._EVENT_TYPES))
    monkeypatch.setattr(registry, "_KINDS", dict(registry._KINDS))
    monkeypatch.setattr(registry, "_GUARDS", dict(registry._GUARDS))


def test_every_app_declares_its_codes_with_a_kind_and_template():
    codes = {t.code: t for t in registry.event_types()}
    assert set(EventCode.values) | set(PartnershipEvent.values) <= set(codes)
    assert {codes[c].app_label for c in EventCode.values} == {"challenges"}
    assert {codes[c].app_label for c in PartnershipEvent.values} == {"partnerships"}
    assert check_event_types() == []
    assert check_guard_slots() == []
    # Partnership events have kinds of their own, not all "progress".
    assert registry.kind_of(PartnershipEvent.MESSAGE_POSTED) == "conversation"
    assert registry.kind_of(PartnershipEvent.DOCUMENT_UPLOADED) == "documents"
    assert registry.kind_of(PartnershipEvent.AGREEMENT_SIGNED) == "agreement"
    assert registry.kind_of(PartnershipEvent.KNOT_RAISED) == "knots"
    assert registry.kind_of(PartnershipEvent.REFLECTION_OPENED) == "reflections"


def test_the_system_check_fails_for_a_code_without_template(scratch_registry):
    registry.register_event_types(
        "elsewhere", registry.EventType(code="made_up", label="Made up", kind="progress")
    )
    errors = check_event_types()
    assert [e.id for e in errors] == ["challenges.E001"]
    assert "made_up" in errors[0].msg and "timeline/events/made_up.html" in errors[0].msg
    # And `manage.py check` (every deploy and test run) reports it.
    assert "challenges.E001" in {e.id for e in checks.run_checks()}


def test_the_system_check_fails_for_a_code_without_a_known_kind(scratch_registry):
    registry.register_event_types(
        "elsewhere",
        registry.EventType(
            code="odd", label="Odd", kind="gossip", template="timeline/events/note.html"
        ),
    )
    errors = check_event_types()
    assert [e.id for e in errors] == ["challenges.E002"]
    assert "gossip" in errors[0].msg


def test_the_system_check_fails_for_an_empty_guard_slot(scratch_registry):
    del registry._GUARDS[workflow.AGREEMENT_IN_FORCE]
    errors = check_guard_slots()
    assert [e.id for e in errors] == ["challenges.E003"]
    assert workflow.AGREEMENT_IN_FORCE in errors[0].msg


def test_a_code_cannot_be_claimed_by_two_apps(scratch_registry):
    with pytest.raises(ValueError, match="registered by 'challenges'"):
        registry.register_event_types(
            "elsewhere", registry.EventType(code=EventCode.NOTE, label="Other", kind="team")
        )


def test_the_system_check_fails_for_a_guard_without_a_slot(scratch_registry):
    registry.register_guard("no_such_slot", lambda challenge, edge: [])
    errors = check_guard_slots()
    assert [e.id for e in errors] == ["challenges.E004"]
    assert "no_such_slot" in errors[0].msg


def test_an_edge_with_an_empty_slot_is_refused_not_skipped(scratch_registry, db):
    challenge = challenge_in(Status.AGREEMENT, agreement=False)
    del registry._GUARDS[workflow.AGREEMENT_IN_FORCE]
    edge = workflow.find_edge(Status.AGREEMENT, Status.EXECUTION)
    with pytest.raises(LookupError):
        edge.missing(challenge)


def test_a_subscriber_that_fails_rolls_the_change_back(monkeypatch, db):
    challenge = challenge_in(Status.SUBMITTED)
    before = TimelineEvent.objects.count()

    def broken(event):
        raise RuntimeError("subscriber down")

    monkeypatch.setattr(registry, "_SUBSCRIBERS", [*registry._SUBSCRIBERS, broken])
    reviewer = ReviewerFactory()

    with pytest.raises(RuntimeError):
        services.challenge_transition(challenge=challenge, to_status=Status.INTAKE, actor=reviewer)
    challenge.refresh_from_db()
    assert challenge.status == Status.SUBMITTED
    assert TimelineEvent.objects.count() == before


def test_the_admin_filters_on_every_event_code(client, db):
    challenge = challenge_in(Status.EXECUTION)
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    url = reverse("admin:challenges_timelineevent_changelist")
    page = client.get(url).content.decode()
    for event_type in registry.event_types():
        assert f"?code__exact={event_type.code}" in page, event_type.code
    # Filtering on a partnership code lists just those events.
    response = client.get(url, {"code__exact": PartnershipEvent.AGREEMENT_SIGNED})
    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert listed and {e.code for e in listed} == {PartnershipEvent.AGREEMENT_SIGNED}
    assert len(listed) == challenge.events.filter(code=PartnershipEvent.AGREEMENT_SIGNED).count()
