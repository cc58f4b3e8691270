"""Rate limits, methods and CORS of the API.

The limits count per client address as core/client_ip.py tells it: behind our
proxies the address they saw, never one the client wrote into X-Forwarded-For."""

import pytest
from django.urls import reverse

from tests.challenges.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/neighbourhoods/"


@pytest.fixture
def rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "5/minute"},
    }


def _get(client, address: str, forwarded: str | None = None, url: str = URL):
    extra = {"REMOTE_ADDR": address, "HTTP_ACCEPT_LANGUAGE": "en"}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.get(url, **extra)


def test_an_address_gets_429_after_its_limit_and_others_do_not(client, rates):
    for _ in range(3):
        assert _get(client, "10.0.0.1").status_code == 200
    refused = _get(client, "10.0.0.1")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused["Content-Type"] == "application/json"
    assert "throttled" in refused.json()["detail"].lower()
    # Readable by the page that asked, like every other answer.
    assert refused["Access-Control-Allow-Origin"] == "*"
    # Every endpoint shares the limit: it counts the client, not the address asked.
    assert _get(client, "10.0.0.1", url="/api/v1/log/").status_code == 429
    assert _get(client, "10.0.0.2").status_code == 200


def test_the_limit_counts_the_client_behind_our_proxy(client, rates, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.9"
    for _ in range(3):
        assert _get(client, proxy, "203.0.113.5").status_code == 200
    assert _get(client, proxy, "203.0.113.5").status_code == 429
    # Another client behind the same proxy has its own count...
    assert _get(client, proxy, "203.0.113.6").status_code == 200
    # ...and the limited one cannot escape by writing another address in front.
    assert _get(client, proxy, "198.51.100.1, 203.0.113.5").status_code == 429


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, rates):
    for n in range(3):
        assert _get(client, "10.0.0.3", f"198.51.100.{n}").status_code == 200
    assert _get(client, "10.0.0.3", "198.51.100.99").status_code == 429


def test_a_logged_in_reader_has_the_user_limit(client, rates):
    client.force_login(UserFactory())
    for _ in range(5):
        assert _get(client, "10.0.0.4").status_code == 200
    assert _get(client, "10.0.0.4").status_code == 429


def test_a_failing_cache_lets_requests_through(client, rates, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    for _ in range(5):
        assert _get(client, "10.0.0.5").status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_nothing_can_be_written(client, method):
    response = getattr(client, method)(URL, data="{}", content_type="application/json")
    assert response.status_code == 405
    assert "GET" in response["Allow"] and method.upper() not in response["Allow"]


def test_a_logged_in_post_is_refused_too(client):
    from django.test import Client

    client.force_login(UserFactory())
    response = client.post(URL, data="{}", content_type="application/json")
    assert response.status_code == 405
    # A forged cross-site POST with the session cookie: refused before anything else.
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(UserFactory())
    assert forged.post(URL, data="{}", content_type="application/json").status_code == 403


def test_any_site_may_read_the_api(client):
    response = client.get(URL, HTTP_ORIGIN="https://elsewhere.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    preflight = client.options(
        URL,
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="accept-language",
    )
    assert preflight.status_code == 200
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "Accept-Language" in preflight["Access-Control-Allow-Headers"]


def test_unknown_addresses_under_the_api_are_json_404(client):
    for url in (
        "/api/v1/nothing/",
        "/api/v1/challenges/abc/",
        "/api/v1/challenges/-1/",
        "/api/v1/challenges/" + "9" * 40 + "/",
        "/api/v1/challenges/١٢/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json", url


def test_no_browsable_api(client):
    response = client.get(URL, HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    assert b"<script" not in response.content


def test_the_schema_is_served_as_json_and_yaml(client):
    import json

    import yaml

    as_json = client.get(reverse("api:schema") + "?format=json")
    assert as_json.status_code == 200
    schema = json.loads(as_json.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/log/" in schema["paths"]
    as_yaml = client.get(reverse("api:schema") + "?format=yaml")
    assert as_yaml.status_code == 200
    assert yaml.safe_load(as_yaml.content)["paths"].keys() == schema["paths"].keys()
    assert schema["info"]["license"]["name"]


def test_the_served_schema_is_valid_openapi_3(client):
    import json

    from drf_spectacular.validation import validate_schema

    for language in ("nl", "en"):
        response = client.get(reverse("api:schema") + "?format=json", HTTP_ACCEPT_LANGUAGE=language)
        validate_schema(json.loads(response.content))  # raises when it is not


def test_the_schema_generates_without_warnings():
    from django.core.management import call_command

    # --fail-on-warn: a view drf-spectacular cannot describe (a guessed type, an
    # enum name clash) fails here instead of going out as a vague description.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
