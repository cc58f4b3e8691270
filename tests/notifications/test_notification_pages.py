"""The notification pages are valid HTML (the Nu Html Checker, as the browser tests
use it), in both languages: the centre with read and unread items, the preferences
page with and without errors, and the challenge page with the follow button."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from challenges import services
from tests.conftest import running_under_ci

VNU_JAR = Path(__file__).resolve().parents[2] / "node_modules/vnu-jar/build/dist/vnu.jar"

pytestmark = pytest.mark.django_db


def _vnu() -> list[str]:
    java = shutil.which("java")
    reason = None
    if java is None:
        reason = "Java is missing: the Nu Html Checker (vnu.jar) needs it"
    elif not VNU_JAR.exists():
        reason = f"the Nu Html Checker is missing at {VNU_JAR} (npm ci)"
    if reason:
        if running_under_ci():
            pytest.fail(f"CI=true and {reason}", pytrace=False)
        pytest.skip(reason)
    return [java, "-jar", str(VNU_JAR), "--format", "json", "--errors-only", "--stdout"]


def test_notification_pages_are_valid_html(client, circle, tmp_path):
    command = _vnu()
    for i in range(3):
        services.challenge_add_note(
            challenge=circle.challenge, actor=circle.reviewer, text=f"Nota {i}", visibility="public"
        )
    pages = {}
    for language in ("nl", "en"):
        client.cookies["django_language"] = language
        client.force_login(circle.follower)
        first = client.get("/notifications/").context["page"].object_list[0]
        client.post(f"/notifications/{first.pk}/read/")
        pages[f"centre-{language}"] = client.get("/notifications/")
        pages[f"preferences-{language}"] = client.get("/notifications/preferences/")
        pages[f"preferences-errors-{language}"] = client.post(
            "/notifications/preferences/", {"progress": "hourly"}
        )
        pages[f"unfollow-{language}"] = client.get(circle.challenge.get_absolute_url())
        client.force_login(circle.bystander)
        pages[f"follow-{language}"] = client.get(circle.challenge.get_absolute_url())
        pages[f"empty-centre-{language}"] = client.get("/notifications/")
    files = []
    for name, response in pages.items():
        assert response.status_code == 200, name
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    assert "Stop following" in pages["unfollow-en"].content.decode()
    assert "Follow this challenge" in pages["follow-en"].content.decode()

    result = subprocess.run(
        [*command, *files], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode in (0, 1) and result.stdout.strip(), result.stderr[-2000:]
    errors = []
    for message in json.loads(result.stdout)["messages"]:
        where = f"{Path(message.get('url', '')).name}:{message.get('lastLine', '?')}"
        extract = re.sub(r"\s+", " ", message.get("extract") or "")[:120]
        errors.append(f"{where}: {message.get('message')} [{extract}]")
    assert not errors, "\n".join(errors)
