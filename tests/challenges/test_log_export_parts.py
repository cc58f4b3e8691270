"""The export in resumable parts: `?after=K&size=N&limit=L` gives one part of one
snapshot, the parts chain on from each other, and the standalone verifier checks
them in order as one log (and refuses a missing or misplaced part)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from challenges import chain, services
from challenges.constants import Status, Visibility
from tests.challenges.factories import ReviewerFactory, challenge_in

TOOL = Path(settings.BASE_DIR) / "tools" / "verify_log_export.py"
JSON_URL = reverse("challenges:log-export-json")
CSV_URL = reverse("challenges:log-export-csv")

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(db):
    reviewer = ReviewerFactory()
    for _number in range(3):
        challenge = challenge_in(Status.INTAKE, reviewer=reviewer)
        services.challenge_add_note(
            challenge=challenge, actor=reviewer, text="Intern.", visibility=Visibility.INTERNAL
        )
    return chain.current_head()


def _get(client, url, params=None):
    response = client.get(url, params or {})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def _verify(tmp_path, parts, *extra) -> subprocess.CompletedProcess:
    paths = []
    for number, body in enumerate(parts):
        path = tmp_path / f"part-{number}.json"
        path.write_bytes(body)
        paths.append(str(path))
    return subprocess.run(
        [sys.executable, str(TOOL), *paths, *extra], capture_output=True, text=True, timeout=60
    )


def test_following_next_downloads_the_snapshot_in_parts(client, log, tmp_path):
    assert log.size > 12
    parts, url, params = [], JSON_URL, {"limit": 5}
    while url:
        response, body = _get(client, url, params)
        assert response.status_code == 200
        assert response["X-Log-Head"] == str(log)
        header = json.loads(body.split(b"\n", 1)[0].decode() + "]}")
        parts.append(body)
        if len(parts) == 1:  # new events while downloading do not move the snapshot
            challenge_in(Status.SUBMITTED)
        url, params = header.get("next"), None
    assert len(parts) == -(-log.size // 5)
    result = _verify(tmp_path, parts)
    assert result.returncode == 0, result.stderr
    assert f"Head: {log}" in result.stdout
    # The whole download in one piece verifies to the same head as the parts.
    _response, whole = _get(client, JSON_URL, {"size": log.size})
    result = _verify(tmp_path, [whole])
    assert result.returncode == 0 and f"Head: {log}" in result.stdout


def test_a_broken_download_resumes_after_its_last_entry(client, log, tmp_path):
    _response, first = _get(client, JSON_URL, {"limit": 4})
    lines = first.decode().split("\n")
    # The download broke off after entry 3: keep what arrived, ask for the rest.
    kept = "\n".join(lines[:4]).rstrip(",") + "\n]}\n"
    _response, rest = _get(client, JSON_URL, {"after": 3, "size": log.size})
    result = _verify(tmp_path, [kept.encode(), rest])
    assert result.returncode == 0, result.stderr
    assert f"Head: {log}" in result.stdout


def test_a_missing_or_misplaced_part_is_refused(client, log, tmp_path):
    _r, one = _get(client, JSON_URL, {"limit": 4})
    _r, two = _get(client, JSON_URL, {"after": 4, "limit": 4, "size": log.size})
    _r, three = _get(client, JSON_URL, {"after": 8, "size": log.size})
    assert _verify(tmp_path, [one, two, three]).returncode == 0
    skipped = _verify(tmp_path, [one, three])
    assert skipped.returncode == 1 and "parts are missing" in skipped.stderr
    swapped = _verify(tmp_path, [two, one, three])
    assert swapped.returncode == 1
    short = _verify(tmp_path, [one, two])
    assert short.returncode == 1 and "a part is missing" in short.stderr
    # A part on its own verifies only from a head you trust.
    assert _verify(tmp_path, [three]).returncode == 1
    header = json.loads(three.split(b"\n", 1)[0].decode() + "]}")
    trusted = f"{header['from']['seq']}:{header['from']['chain_hash']}"
    alone = _verify(tmp_path, [three], "--from", trusted)
    assert alone.returncode == 0 and "trusted head" in alone.stdout


def test_the_csv_says_where_a_part_starts_and_what_comes_next(client, log):
    response, body = _get(client, CSV_URL, {"after": 2, "limit": 3, "size": log.size})
    assert response.status_code == 200
    rows = body.decode().strip().split("\n")
    assert [row.split(",")[0] for row in rows[1:]] == ["3", "4", "5"]
    assert response["X-Log-From"].startswith("2:")
    assert 'rel="next"' in response["Link"] and "after=5" in response["Link"]


@pytest.mark.parametrize(
    "params",
    [{"after": "abc"}, {"after": "-1"}, {"size": "99999"}, {"limit": "0"}, {"after": "9" * 30}],
)
def test_bad_part_parameters_get_a_clear_400(client, log, params):
    response = client.get(JSON_URL, params)
    assert response.status_code == 400
    assert json.loads(response.content)["error"]
    response = client.get(CSV_URL, params)
    assert response.status_code == 400
