"""Fixtures shared by every test, and the rule for tests that need PostgreSQL.

Factories live next to the tests of their app (tests/<app>/factories.py) and are
imported as `tests.<app>.factories`: there are no __init__.py files under tests/,
so `tests` is a namespace package rooted at the project directory, which
pytest-django puts on sys.path. Import them by that one name only, so that every
test shares the same factory sequences.

Tests marked `@pytest.mark.postgres` need a real PostgreSQL server
(DATABASE_URL=postgres://...). Without one they are skipped with the reason
printed; under CI (CI=true) a missing service is a failure instead.
"""

import os
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from challenges import services
from challenges.constants import Status
from challenges.models import Challenge
from tests.challenges.factories import (
    ChallengeFactory,
    CoordinatorFactory,
    ReviewerFactory,
    StaffUserFactory,
    UserFactory,
    add_co_initiator,
    challenge_in,
)


def database_is_postgres() -> bool:
    """Whether the tests run against PostgreSQL (decided by DATABASE_URL)."""
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def running_under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # tryfirst: decide before any fixture (and so before the test database) is set up.
    if item.get_closest_marker("postgres") is None or database_is_postgres():
        return
    engine = settings.DATABASES["default"]["ENGINE"]
    reason = (
        f"needs PostgreSQL, but the tests run on {engine}; set "
        "DATABASE_URL=postgres://USER@HOST:PORT/NAME to run it"
    )
    if running_under_ci():
        pytest.fail(f"CI=true and PostgreSQL is missing: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def is_postgres() -> bool:
    return database_is_postgres()


@pytest.fixture
def anonymous():
    return AnonymousUser()


@pytest.fixture
def resident(db):
    """A resident with a verified e-mail address; the initiator of `complete_draft`."""
    return UserFactory()


@pytest.fixture
def other_resident(db):
    """A logged-in resident with no part in any challenge."""
    return UserFactory()


@pytest.fixture
def reviewer(db):
    """A civil servant: staff, in the "Reviewer" group."""
    return ReviewerFactory()


@pytest.fixture
def coordinator(db):
    """The RtC coordinator: staff, in the "Coordinator" group."""
    return CoordinatorFactory()


@pytest.fixture
def complete_draft(resident):
    """A draft by `resident` with every plan field filled in, ready to submit."""
    return ChallengeFactory(initiator=resident)


# -- One challenge in every stage, shared by a whole test module ------------------------

# Who acts on the shared challenges. The team is the same two people on every challenge.
PERSONAS = (
    "initiator",  # started the challenge
    "co_initiator",  # accepted an invitation: on the team
    "invitee",  # invited, has not accepted: not on the team yet
    "reviewer",
    "coordinator",
    "superuser",  # holds both staff roles
    "other_resident",  # logged in, no part in the challenge
    "staff_without_group",  # is_staff, but in neither staff group: no role
    "inactive_reviewer",  # a reviewer whose account was deactivated: no role
    "anonymous",
)


@dataclass
class StageWorld:
    people: dict
    # One challenge per stage, keyed by status value; "on_hold" was held from intake.
    challenges: dict = field(default_factory=dict)

    def fresh(self, status: str) -> Challenge:
        """The challenge in `status`, read again from the database."""
        return Challenge.objects.get(pk=self.challenges[status].pk)


@pytest.fixture(scope="module")
def stage_world(django_db_setup, django_db_blocker):
    """A challenge in every stage (drafts included), each with its co-initiator and a
    pending invitation, built once per test module through the services.

    Everything is created inside one transaction that is rolled back when the module
    is done; each test runs in a savepoint inside it (pytest-django's `db`), so what
    a test changes is undone before the next test. Use it only from tests that use
    the `db` fixture (not transactional ones), and read challenges with `fresh()`.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        people = {
            "initiator": UserFactory(),
            "co_initiator": UserFactory(),
            "invitee": UserFactory(),
            "reviewer": ReviewerFactory(),
            "coordinator": CoordinatorFactory(),
            "superuser": UserFactory(is_staff=True, is_superuser=True),
            "other_resident": UserFactory(),
            "staff_without_group": StaffUserFactory(),
            "inactive_reviewer": ReviewerFactory(is_active=False),
            "anonymous": AnonymousUser(),
        }
        world = StageWorld(people=people)
        for status in Status:
            draft = ChallengeFactory(initiator=people["initiator"])
            add_co_initiator(draft, people["co_initiator"])
            services.invitation_create(
                challenge=draft, actor=people["initiator"], email=people["invitee"].email
            )
            world.challenges[status.value] = challenge_in(
                status,
                challenge=draft,
                reviewer=people["reviewer"],
                coordinator=people["coordinator"],
            )
        yield world
        transaction.set_rollback(True)


class Clock:
    def __init__(self, now):
        self.now = now

    def set(self, moment):
        self.now = moment

    def advance(self, **delta):
        # In absolute time: aware arithmetic in a local zone would keep the wall
        # clock across a daylight-saving change instead.
        self.now = self.now.astimezone(UTC) + timedelta(**delta)


@pytest.fixture
def clock():
    """A controllable `timezone.now()` for services, tasks and the model defaults."""
    controlled = Clock(timezone.now())
    with mock.patch("django.utils.timezone.now", side_effect=lambda: controlled.now):
        yield controlled


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache (pages, rendered events, counts, rate
    limits), as a fresh deployment would."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _staff_force_login_includes_the_second_factor(monkeypatch):
    """`client.force_login(staff)` stands for a complete login; for a staff member with
    an authenticator app a complete login includes the code. So the session gets the
    records allauth writes after a password and a code (accounts/mfa.py). A staff
    member without an app (`second_factor=False` in the factories) gets none, as in
    real life; tests of the enforcement itself log in through the login pages."""
    import time

    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from django.test import Client

    from accounts.mfa import has_second_factor

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if user.is_staff and has_second_factor(user):
            session = self.session
            now = time.time()
            session[AUTHENTICATION_METHODS_SESSION_KEY] = [
                {"method": "password", "at": now, "email": user.email},
                {"method": "mfa", "at": now, "type": "totp"},
            ]
            session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)
