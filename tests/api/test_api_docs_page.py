"""The page about the API (/api/): in Dutch and English, it lists every endpoint the
schema describes and links the schema, with no script or inline style."""

import json
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_page_lists_every_endpoint_of_the_schema(client):
    html = client.get(reverse("api:docs"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    schema = json.loads(client.get(reverse("api:schema") + "?format=json").content)
    for path in schema["paths"]:
        if path == "/api/v1/":
            continue
        shown = path.replace("{id}", "&lt;id&gt;")
        assert shown in html, path
    assert 'href="/api/schema/?format=json"' in html
    assert 'href="/api/schema/?format=yaml"' in html
    assert "<title>Open data API | Right to Challenge</title>" in html
    # The rate as the settings have it (the tests' own, high one).
    assert "100000 per minute" in html


def test_the_page_is_dutch_by_default(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    assert response["Content-Language"] == "nl"


def test_the_page_has_no_script_or_inline_style(client):
    html = client.get(reverse("api:docs")).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html and "<style" not in html


def test_the_page_follows_the_rate_setting(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "30/hour", "user": "60/hour"},
    }
    html = client.get(reverse("api:docs"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "30 per hour" in html
