"""Fixtures of the partnership tests.

Every test here stores uploads in a temporary MEDIA_ROOT. The browser helpers are
those of tests/e2e/conftest.py (imported, not copied), except the fix that keeps
`serialized_rollback` working under Playwright: there it is autouse for every
browser test; here it is requested by the browser tests only (`e2e_database`), so
the other partnership tests do not start a browser.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from challenges.constants import Status
from tests.challenges.factories import (
    CoordinatorFactory,
    ReviewerFactory,
    UserFactory,
    add_co_initiator,
    challenge_in,
)
from tests.e2e.conftest import (  # noqa: F401 - fixtures re-exported for the browser tests
    AXE_JS,
    CHROMIUM,
    axe_report,
    browser_type_launch_args,
    log_in_context,
    open_context,
    skip_or_fail,
    vnu,
)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("e2e") is not None and not Path(CHROMIUM).exists():
        skip_or_fail(f"Chromium is missing at {CHROMIUM} (apt-get install -y chromium)")


@pytest.fixture(scope="session")
def e2e_database(request, django_db_setup):
    """See tests/e2e/conftest.py `_serialized_rollback_under_playwright`."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections

    contents = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    request.getfixturevalue("playwright")
    for alias, data in contents.items():
        if not hasattr(connections[alias], "_test_serialized_contents"):
            connections[alias]._test_serialized_contents = data


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@dataclass
class Parties:
    """A challenge and the people around it.

    `municipality` and `challenger` are the active contact persons; `colleague` is
    another reviewer, `co_initiator` another team member, `outsider` a logged-in
    resident with no part in it.
    """

    challenge: object
    municipality: object
    challenger: object
    co_initiator: object
    colleague: object
    coordinator: object
    outsider: object

    def refresh(self):
        self.challenge.refresh_from_db()
        return self.challenge


def _parties(status: str, **options) -> Parties:
    municipality = ReviewerFactory()
    coordinator = CoordinatorFactory()
    challenge = challenge_in(status, reviewer=municipality, coordinator=coordinator, **options)
    co_initiator = add_co_initiator(challenge)
    return Parties(
        challenge=challenge,
        municipality=municipality,
        challenger=challenge.initiator,
        co_initiator=co_initiator,
        colleague=ReviewerFactory(),
        coordinator=coordinator,
        outsider=UserFactory(),
    )


@pytest.fixture
def in_agreement(db) -> Parties:
    """A challenge in the agreement stage, both contact persons named, no agreement yet."""
    return _parties(Status.AGREEMENT, agreement=False)


@pytest.fixture
def in_execution(db) -> Parties:
    """A challenge in execution: an agreement (version 1) in force."""
    return _parties(Status.EXECUTION)


@pytest.fixture
def in_intake(db) -> Parties:
    """A challenge in intake without contact persons."""
    return _parties(Status.INTAKE, contact_persons=False)
