"""The API in a real browser: its page is accessible (axe-core, keyboard, 320 px, no
CSP violation) in Dutch and English, and a page on another site can read the API
with fetch() (CORS), without cookies."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from challenges.constants import Status
from tests.challenges.factories import challenge_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.effectiveDirective} refused ${event.blockedURI}`);
}, true);
"""


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_api_page_is_accessible(open_context, axe_report, language):
    context = open_context(language)
    context.add_init_script(LISTEN_FOR_VIOLATIONS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto("/api/")
    assert response.status == 200
    assert page.evaluate("window.__cspViolations") == []
    assert errors == []
    assert axe_report(page) == ""
    expect(page.locator("h1")).to_have_count(1)

    # A keyboard user reaches the schema link, and sees where the focus is.
    schema_link = page.locator('a[href="/api/schema/?format=json"]')
    for _ in range(40):
        page.keyboard.press("Tab")
        if schema_link.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the schema link cannot be reached with Tab")
    outline = schema_link.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"

    # Reflow: nothing scrolls sideways at 320 CSS pixels.
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


@pytest.fixture
def other_site():
    """Another origin: a one-page web server of its own on a free loopback port."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the name http.server calls)
            body = b"<!DOCTYPE html><html lang=en><title>Another site</title></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_another_site_can_read_the_api(open_context, live_server, other_site):
    challenge = challenge_in(Status.INTAKE)
    page = open_context("en").new_page()
    page.goto(other_site)
    result = page.evaluate(
        """async (url) => {
            const response = await fetch(url, {headers: {"Accept-Language": "en"}});
            return {status: response.status, body: await response.json()};
        }""",
        f"{live_server.url}/api/v1/challenges/",
    )
    assert result["status"] == 200
    assert [item["id"] for item in result["body"]["results"]] == [challenge.pk]
    assert result["body"]["results"][0]["status_label"] == "Intake"
    # Without the header the browser would refuse it: the page really is elsewhere.
    blocked = page.evaluate(
        """async (url) => {
            try { await fetch(url); return "read"; } catch (error) { return "refused"; }
        }""",
        f"{live_server.url}/challenges/",
    )
    assert blocked == "refused"
