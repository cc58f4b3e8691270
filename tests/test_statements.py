"""The privacy statement, the accessibility statement and the contact page: reachable
from every page, in both languages, with the municipality's details from settings."""

import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = {
    "/privacy/": ("Privacyverklaring", "Privacy statement"),
    "/accessibility/": ("Toegankelijkheidsverklaring", "Accessibility statement"),
    "/contact/": ("Contact", "Contact"),
}

MUNICIPALITY = {
    "name": "Gemeente Testdorp",
    "address": "Dorpsstraat 1, 9999 ZZ Testdorp",
    "email": "rtc@testdorp.nl",
    "phone": "14 0999",
    "website": "https://testdorp.nl",
    "hours": "",
    "privacy_officer_email": "fg@testdorp.nl",
}


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 0


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(("language", "index"), [("nl", 0), ("en", 1)])
def test_each_statement_in_each_language(client, path, language, index):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<h1 class="utrecht-heading-1">{PAGES[path][index]}</h1>' in html
    assert f'<html lang="{language}"' in html


@override_settings(MUNICIPALITY=MUNICIPALITY, PAGE_CACHE_SECONDS=0)
@pytest.mark.parametrize("path", PAGES)
def test_the_municipality_details_come_from_settings(client, path):
    html = client.get(path).content.decode()
    assert "Gemeente Testdorp" in html
    assert "Voorbeeldstad" not in html


@override_settings(MUNICIPALITY=MUNICIPALITY, PAGE_CACHE_SECONDS=0)
def test_contact_and_privacy_name_the_addresses_to_write_to(client):
    contact = client.get("/contact/").content.decode()
    assert 'href="mailto:rtc@testdorp.nl"' in contact
    assert "14 0999" in contact
    privacy = client.get("/privacy/").content.decode()
    assert 'href="mailto:fg@testdorp.nl"' in privacy
    assert f'href="{reverse("privacy:my-data")}"' in privacy


def test_the_accessibility_statement_follows_the_model_statement(client):
    html = client.get("/accessibility/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    for section in (
        "Verklaring",
        "Nalevingsstatus",
        "Bekende problemen",
        "Feedback en contact",
        "Handhavingsprocedure",
    ):
        assert f'<h2 class="utrecht-heading-2">{section}</h2>' in html
    assert "WCAG 2.1" in html


def test_every_page_links_to_the_statements(client):
    html = client.get("/").content.decode()
    for path in PAGES:
        assert f'href="{path}"' in html
