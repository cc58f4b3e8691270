"""The pages work under the strict Content-Security-Policy: in a real Chromium, no page
of the public site, the workspace, the login or the admin triggers a
`securitypolicyviolation` event or writes anything to the console (a blocked inline
script or style shows up as both).

The listener is added by the test before any page script runs (an init script is
injected by Playwright, not by the page, so the policy does not apply to it). One
test checks that the listener does see a violation, so that a silent listener
cannot make the others pass.
"""

import pytest
from django.conf import settings

from challenges.constants import Status
from partnerships import services as partnership_services
from partnerships.constants import REFLECTION_QUESTIONS
from tests.challenges.factories import challenge_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || "?"}:${event.lineNumber} ${event.sample || ""}`
  );
}, true);
"""


def _with_second_factor(user):
    """Staff reach the admin only with an authenticator app (where MFA is installed)."""
    if "allauth.mfa" in settings.INSTALLED_APPS:
        from allauth.mfa.models import Authenticator
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, generate_totp_secret())
    return user


def _share_a_reflection(challenge, municipality, challenger) -> None:
    """Both sides answer one round, so the reflections page draws its trend charts."""
    round_ = partnership_services.reflection_open(
        challenge=challenge, actor=challenger, reason="Halfway through the first season."
    )
    for actor, score in ((challenger, 4), (municipality, 3)):
        partnership_services.reflection_answer(
            round=round_,
            actor=actor,
            scores={key: score for key, _label in REFLECTION_QUESTIONS},
            comments={key: "On track." for key, _label in REFLECTION_QUESTIONS},
        )


@pytest.fixture
def watched(open_context):
    """Open a page in a fresh context that records console messages, page errors and
    CSP violations; `visit(page, url)` returns what went wrong on that URL."""

    def _open(language: str = "en", user=None):
        context = open_context(language, user=user)
        context.add_init_script(LISTEN_FOR_VIOLATIONS)
        page = context.new_page()
        page.messages = []
        page.on("console", lambda message: _record_console(page, message))
        page.on("pageerror", lambda error: page.messages.append(f"page error: {error}"))
        return page

    return _open


def _record_console(page, message) -> None:
    where = message.location.get("url") or ""
    # The browser asks for /favicon.ico on its own, on the first page of a context; the
    # portal has no icon, and that 404 is not about the policy.
    if where.endswith("/favicon.ico"):
        return
    page.messages.append(f"{message.type}: {message.text} ({where})")


def visit(page, url: str) -> list[str]:
    page.messages.clear()
    response = page.goto(url)
    assert response.status == 200, (url, response.status)
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    page.wait_for_load_state("load")
    violations = page.evaluate("window.__cspViolations")
    return [f"{url}: {problem}" for problem in [*violations, *page.messages]]


def test_no_page_breaks_the_content_security_policy(watched, make_user):
    reviewer = _with_second_factor(make_user("reviewer@gemeente.example", reviewer=True))
    challenge = challenge_in(Status.EXECUTION, reviewer=reviewer)
    _share_a_reflection(challenge, reviewer, challenge.initiator)
    pk = challenge.pk

    pages = {
        None: ["/", "/challenges/", f"/challenges/{pk}/", "/accounts/login/"],
        challenge.initiator: [
            f"/challenges/{pk}/workspace/",
            f"/challenges/{pk}/workspace/reflections/",
        ],
        reviewer: [
            "/admin/",
            "/admin/challenges/challenge/",
            f"/admin/challenges/challenge/{pk}/change/",
        ],
    }
    problems = []
    for user, urls in pages.items():
        page = watched("en", user=user)
        for url in urls:
            problems += visit(page, url)
    assert not problems, "\n".join(problems)


def test_the_listener_sees_an_inline_style_refused(watched):
    page = watched("en")
    assert visit(page, "/") == []
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_function("window.__cspViolations.length > 0")
    (violation,) = page.evaluate("window.__cspViolations")
    assert violation.startswith("style-src-attr refused inline")
