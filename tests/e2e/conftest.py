"""Helpers for the browser tests: headless Chromium (Debian's) driven by Playwright,
served by pytest-django's live server.

These tests use a transactional database, which is flushed after every test; mark
them `@pytest.mark.django_db(transaction=True, serialized_rollback=True)` so the rows
of the data migrations (staff groups, criteria, stage targets) are back for each.

Chromium missing: the browser tests are skipped with the reason printed, except under
CI (CI=true), where that is a failure.
"""

import os
import re
from pathlib import Path

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests
# make next to it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
PROJECT_DIR = Path(__file__).resolve().parents[2]
AXE_JS = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = PROJECT_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "Kiwi-Lantern-8472"
LANGUAGE_COOKIE = settings.LANGUAGE_COOKIE_NAME


def running_under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def skip_or_fail(reason: str) -> None:
    """Skip locally with the reason; under CI a missing tool is a failure."""
    if running_under_ci():
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # tryfirst: decide before Playwright tries to launch a browser that is not there.
    if item.get_closest_marker("e2e") is not None and not CHROMIUM.exists():
        skip_or_fail(f"Chromium is missing at {CHROMIUM} (apt-get install -y chromium)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # `playwright install` cannot download browsers here: use Debian's Chromium.
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session", autouse=True)
def _serialized_rollback_under_playwright(request, django_db_setup):
    """Make `serialized_rollback` work in the browser tests, whatever ran before them.

    Once Playwright has started, its event loop counts as running in this thread, and
    Django then hands out other connection objects (`connections` is a thread-critical
    asgiref Local, which switches to per-context storage when a loop runs). The
    migration data serialized when the test database was created sits on the first
    connection objects; without this, the flush after a browser test deletes the staff
    groups, criteria and stage targets for good (pytest-django issue #1117). So: read
    the serialized data before Playwright starts, and put it on the new connections.
    """
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


@pytest.fixture
def open_context(browser, live_server):
    """Open a fresh browser context (its own cookies) in "nl" or "en".

    The language is pinned with both the language cookie and the browser locale, so
    that neither Chromium's Accept-Language nor a default decides it.
    """
    contexts = []

    def _open(language: str = "en", user=None):
        context = browser.new_context(base_url=live_server.url, locale=language)
        context.set_default_timeout(10_000)
        context.add_cookies([{"name": LANGUAGE_COOKIE, "value": language, "url": live_server.url}])
        if user is not None:
            log_in_context(context, user, live_server.url)
        contexts.append(context)
        return context

    yield _open
    for context in contexts:
        context.close()


def log_in_context(context, user, url: str) -> None:
    """Give the browser context a session of `user`, without the login form."""
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": url,
            }
        ]
    )


@pytest.fixture
def make_user(transactional_db):
    """Make a user who can log in by e-mail (verified address); a reviewer if asked.

    A reviewer has an authenticator app, as after enrolment, unless
    `second_factor=False` (a member of staff who has not enrolled yet).

    The password is on the user as `raw_password`, for the login form.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from tests.challenges.factories import STAFF_TOTP_SECRET

    def _make(email: str, *, reviewer: bool = False, second_factor: bool | None = None):
        user = get_user_model().objects.create_user(
            username=email.split("@")[0],
            email=email,
            password=PASSWORD,
            is_staff=reviewer,
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        if reviewer:
            # The group and its permissions come from the data migration.
            user.groups.add(Group.objects.get(name="Reviewer"))
        if (reviewer if second_factor is None else second_factor) and user.is_staff:
            # Staff reach the admin only with an authenticator app (accounts/mfa.py);
            # its codes come from STAFF_TOTP_SECRET (tests.challenges.factories.totp_code).
            Authenticator.objects.create(
                user=user, type=Authenticator.Type.TOTP, data={"secret": STAFF_TOTP_SECRET}
            )
        user.raw_password = PASSWORD
        return user

    return _make


@pytest.fixture
def catalogue(transactional_db):
    """One open task and two neighbourhoods to choose from: (task, neighbourhood)."""
    from decimal import Decimal

    from challenges.models import Neighbourhood, Task

    task = Task.objects.create(
        name="Maintaining park De Horsten",
        department="Public Space",
        current_yearly_cost=Decimal("50000"),
        description="Mowing, pruning and litter picking in park De Horsten.",
    )
    Neighbourhood.objects.create(name="Binnenstad")
    neighbourhood = Neighbourhood.objects.create(name="Oosterpark")
    return task, neighbourhood


PLAN = {  # what a challenger types into the submission steps
    "title": "Residents run park De Horsten",
    "summary": "We, the residents around the park, want to maintain it ourselves.",
    "approach": "Twelve volunteers and one paid gardener work in the park every week.",
    "social_value": "Work for two local job seekers and a weekly meeting place.",
    "budget_requested": "42500",
    "legal_form": "foundation",
    "team_description": "A foundation of neighbours with two professional gardeners.",
    "support_evidence": "312 signatures and letters from the school and the church.",
}


@pytest.fixture
def plan() -> dict:
    return dict(PLAN)


@pytest.fixture
def make_draft(catalogue):
    """Make a draft by `initiator` through the services; with the whole plan if asked."""
    from decimal import Decimal

    from challenges import services

    task, neighbourhood = catalogue

    def _make(initiator, *, complete: bool = False):
        draft = services.challenge_create_draft(initiator=initiator)
        if complete:
            data = {
                **PLAN,
                "task": task,
                "neighbourhood": neighbourhood,
                "budget_requested": Decimal(PLAN["budget_requested"]),
            }
            draft = services.challenge_update_draft(challenge=draft, actor=initiator, data=data)
        return draft

    return _make


@pytest.fixture
def axe_report():
    """Run axe-core on the page; return its WCAG 2.0/2.1 A and AA violations as text
    ("" when there are none)."""

    def _report(page) -> str:
        # Evaluated, not added as a <script> tag: the Content-Security-Policy refuses
        # inline scripts, and what the test evaluates is not subject to it.
        page.evaluate(AXE_JS.read_text())
        # resultTypes: list only one node per passed rule, which makes the run cheaper;
        # violations still list every node.
        result = page.evaluate(
            "async (tags) => await axe.run(document,"
            " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        # axe ran its rules on this page (a page it cannot read would pass nothing).
        assert result["passes"], f"axe-core checked nothing on {page.url}"
        return _describe_violations(result["violations"])

    return _report


def _describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {node['target']}: {node['html'][:200]}")
            summary = re.sub(r"\s+", " ", node.get("failureSummary") or "")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


@pytest.fixture
def vnu():
    """Validate HTML files with the Nu Html Checker in one call; return its errors as
    "file:line: message" lines. Java missing: skipped locally, a failure under CI."""
    import json
    import shutil
    import subprocess

    java = shutil.which("java")
    if java is None:
        skip_or_fail("Java is missing: the Nu Html Checker (vnu.jar) needs it")
    if not VNU_JAR.exists():
        skip_or_fail(f"the Nu Html Checker is missing at {VNU_JAR} (npm ci)")

    def _validate(files: list[Path]) -> list[str]:
        result = subprocess.run(
            [
                java,
                "-jar",
                str(VNU_JAR),
                "--format",
                "json",
                "--errors-only",
                "--stdout",
                *map(str, files),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode not in (0, 1) or not result.stdout.strip():
            pytest.fail(f"vnu did not run (exit {result.returncode}): {result.stderr[-2000:]}")
        errors = []
        for message in json.loads(result.stdout)["messages"]:
            where = f"{Path(message.get('url', '')).name}:{message.get('lastLine', '?')}"
            extract = re.sub(r"\s+", " ", message.get("extract") or "").strip()[:120]
            errors.append(f"{where}: {message.get('message')} [{extract}]")
        return errors

    return _validate
