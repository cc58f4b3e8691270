"""The API against its own served OpenAPI description (schemathesis).

The description is read from /api/schema/ as a client would read it, and every
operation in it is called with inputs generated from it: valid ones and invalid ones.
No answer may be a server error, and every answer must be what the description
promises (status code, content type, body schema). The data behind the API holds
one event of every visibility, an erased one and a draft (tests/api/factories.py);
hypothesis' examples are bounded so the whole run takes well under two minutes.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from tests.api.factories import SECRET, visibility_world

pytestmark = pytest.mark.django_db


# Read when the module is collected, from the portal itself, as any client reads it.
# (Not a lazy fixture: schemathesis' fixture loader does not run under pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture
def world(db):
    """The data, and the portal's WSGI handler kept from closing the test's database
    connection at the end of each request (as Django's test client does): on
    PostgreSQL that would end the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield visibility_world()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_its_description(case, world):
    response = case.call_and_validate(headers={"Accept-Language": "en"})
    assert SECRET not in response.text
