"""`manage.py seed_demo`: demo data in every stage, made through the services, with
a believable history, and safe to run twice."""

from datetime import timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from challenges import permissions
from challenges.constants import EventCode, Role, Status, Visibility
from challenges.models import (
    Assessment,
    Challenge,
    Criterion,
    Invitation,
    Neighbourhood,
    Task,
    TimelineEvent,
)
from demo.loader import read_scenarios

pytestmark = pytest.mark.django_db

ACCOUNTS = read_scenarios().accounts
LOGIN_ACCOUNTS = [account for account in ACCOUNTS if account.password]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            Challenge,
            TimelineEvent,
            Assessment,
            Invitation,
            Task,
            Neighbourhood,
            EmailAddress,
            get_user_model(),
        )
    }


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    """Seed once for the whole module (it takes seconds) and roll it all back at the end.

    Each test still runs in its own savepoint (the `db` fixture), so a test that
    writes cannot disturb the next one.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_once, db) -> str:
    return _seeded_once


def test_every_stage_has_a_demo_challenge(seeded):
    present = set(Challenge.objects.values_list("status", flat=True))
    assert present == set(Status.values)


def test_catalogue_and_accounts_are_there(seeded):
    assert Task.objects.count() >= 8
    assert Neighbourhood.objects.count() >= 6
    assert all(task.description and task.current_yearly_cost > 0 for task in Task.objects.all())
    assert "bewoner@example.org" in seeded and "demo-bewoner-2026" in seeded


def test_second_run_creates_nothing_and_does_not_fail(seeded):
    before = counts()
    output = seed()
    assert counts() == before
    assert "nothing new" in output


def test_drafts_have_no_public_event(seeded):
    drafts = Challenge.objects.filter(status=Status.DRAFT)
    assert drafts.exists()
    assert not TimelineEvent.objects.filter(
        challenge__in=drafts, visibility=Visibility.PUBLIC
    ).exists()
    assert all(draft.reference is None and draft.submitted_at is None for draft in drafts)


def test_history_is_spread_over_months(seeded):
    now = timezone.now()
    moments = list(TimelineEvent.objects.values_list("created_at", flat=True))
    days = {timezone.localdate(moment) for moment in moments}
    assert len(days) > 50
    assert max(moments) - min(moments) > timedelta(days=180)
    assert max(moments) < now
    # The backdated clock reached the records themselves, not only the events.
    for challenge in Challenge.objects.exclude(status=Status.DRAFT):
        submitted = challenge.events.get(code=EventCode.SUBMITTED)
        assert submitted.created_at == challenge.submitted_at
        assert challenge.created_at < challenge.submitted_at <= challenge.status_changed_at
        assert challenge.reference.startswith(
            f"RTC-{timezone.localtime(submitted.created_at).year}-"
        )


def test_event_order_follows_the_dates(seeded):
    by_id = list(TimelineEvent.objects.order_by("pk").values_list("created_at", flat=True))
    assert by_id == sorted(by_id)


def test_some_challenge_is_overdue(seeded):
    overdue = [c for c in Challenge.objects.exclude(due_at=None) if c.is_overdue]
    assert overdue
    assert any(not c.is_overdue for c in Challenge.objects.exclude(due_at=None))


def test_each_stage_was_reached_through_the_transition_table(seeded):
    for challenge in Challenge.objects.exclude(status=Status.DRAFT):
        moves = challenge.events.filter(
            code__in=[EventCode.SUBMITTED, EventCode.STATUS_CHANGED]
        ).order_by("created_at", "pk")
        path = [Status.DRAFT] + [event.data["to"] for event in moves]
        assert path[-1] == challenge.status, challenge.title
        for event in moves:
            assert event.visibility == Visibility.PUBLIC
    for challenge in Challenge.objects.filter(status__in=[Status.ACCEPTED, Status.REJECTED]):
        assert challenge.decision_motivation
    held = Challenge.objects.get(status=Status.ON_HOLD)
    assert held.held_from_status in Status.values
    assert (
        held.events.filter(code=EventCode.STATUS_CHANGED, data__to=Status.ON_HOLD)
        .get()
        .data["motivation"]
    )


def test_challenges_past_assessment_are_scored_on_every_criterion(seeded):
    past_assessment = [
        Status.DECISION,
        Status.ACCEPTED,
        Status.REJECTED,
        Status.AGREEMENT,
        Status.EXECUTION,
        Status.EVALUATION,
        Status.COMPLETED,
    ]
    criteria = Criterion.objects.filter(is_active=True).count()
    assert criteria
    for challenge in Challenge.objects.filter(status__in=past_assessment):
        assert challenge.assessments.count() == criteria, challenge.title
    partly = Challenge.objects.get(status=Status.ASSESSMENT)
    assert 0 < partly.assessments.count() < criteria


def test_team_and_conversation_events_are_there(seeded):
    events = TimelineEvent.objects
    assert events.filter(code=EventCode.NOTE, visibility=Visibility.INTERNAL).exists()
    assert events.filter(code=EventCode.NOTE, visibility=Visibility.PUBLIC).exists()
    assert events.filter(code=EventCode.ADDITION).exists()
    assert events.filter(code=EventCode.CO_INITIATOR_JOINED).exists()
    assert Invitation.objects.filter(accepted_at__isnull=False).exists()
    assert Invitation.objects.filter(accepted_at__isnull=True).exists()


def test_demo_accounts_can_log_in(seeded):
    for account in LOGIN_ACCOUNTS:
        user = authenticate(username=account.username, password=account.password)
        assert user is not None, account.email
        assert user.email == account.email
        assert EmailAddress.objects.filter(
            user=user, email=account.email, verified=True, primary=True
        ).exists()
        validate_password(account.password, user)  # the portal's own password rules


def test_demo_staff_have_their_roles(seeded):
    User = get_user_model()
    reviewer = User.objects.get(email="beoordelaar@example.org")
    coordinator = User.objects.get(email="coordinator@example.org")
    admin = User.objects.get(email="beheer@example.org")
    resident = User.objects.get(email="bewoner@example.org")
    assert reviewer.is_staff and permissions.staff_roles(reviewer) == {Role.REVIEWER}
    assert coordinator.is_staff and Role.COORDINATOR in permissions.staff_roles(coordinator)
    assert admin.is_superuser and admin.is_staff
    assert not resident.is_staff and not permissions.staff_roles(resident)
    # The resident has a challenge of her own and is on a neighbour's team.
    assert Challenge.objects.filter(initiator=resident).exists()
    assert Invitation.objects.filter(user=resident, accepted_at__isnull=False).exists()


def test_background_challengers_cannot_log_in(seeded):
    for account in ACCOUNTS:
        if not account.password:
            user = get_user_model().objects.get(email=account.email)
            assert not user.has_usable_password()


def test_refuses_to_run_with_the_production_settings(settings):
    before = counts()
    settings.SETTINGS_MODULE = "rtc_portal.settings.production"
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", stdout=StringIO())
    assert counts() == before
