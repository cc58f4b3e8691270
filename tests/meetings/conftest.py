"""Fixtures of the meeting tests: uploads in a temporary MEDIA_ROOT, and the parties
of a challenge in intake. The browser helpers come from tests/e2e/conftest.py."""

import os
from pathlib import Path

import pytest

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
from tests.meetings.factories import parties


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


@pytest.fixture
def side(db):
    """A challenge in intake with both contact persons and a co-initiator."""
    return parties()
