"""The My data page: what it shows, the profile form, and the link in the header."""

from pathlib import Path

from django.urls import reverse

from tests.challenges.factories import UserFactory

URL = reverse("privacy:my-data")


def test_the_page_shows_the_account_and_the_actions(client, db):
    person = UserFactory(display_name="Anna de Vries", language="en")
    client.force_login(person)
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert person.email in html and "Anna de Vries" in html
    assert "What the portal keeps about you" in html
    for name in ("account_email", "account_change_password", "privacy:export", "privacy:delete"):
        assert f'href="{reverse(name)}"' in html, name
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_the_header_links_to_my_data_for_a_logged_in_person_only(client, db):
    assert f'href="{URL}"' not in client.get(reverse("challenges:criteria")).content.decode()
    client.force_login(UserFactory())
    html = client.get(reverse("challenges:criteria")).content.decode()
    assert f'href="{URL}"' in html


def test_the_display_name_and_language_are_saved(client, db):
    person = UserFactory(display_name="", language="nl")
    client.force_login(person)
    response = client.post(
        URL, {"display_name": "  Anna  ", "language": "en"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302 and response.url == URL
    person.refresh_from_db()
    assert (person.display_name, person.language) == ("Anna", "en")
    assert (
        "Your details have been saved."
        in client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def test_a_bad_profile_changes_nothing_and_says_why(client, db):
    person = UserFactory(display_name="Anna", language="nl")
    client.force_login(person)
    for data in (
        {"display_name": "x" * 101, "language": "nl"},
        {"display_name": "Bert", "language": "fr"},
        {"display_name": "Bert"},
    ):
        response = client.post(URL, data, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, data
        assert 'id="error-summary"' in response.content.decode(), data
        person.refresh_from_db()
        assert (person.display_name, person.language) == ("Anna", "nl"), data


def test_the_profile_form_needs_its_csrf_token(db):
    from django.test import Client

    person = UserFactory(display_name="Anna")
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    assert client.post(URL, {"display_name": "Bert", "language": "nl"}).status_code == 403
    assert client.post(reverse("privacy:delete"), {"password": "x"}).status_code == 403
    person.refresh_from_db()
    assert person.display_name == "Anna" and person.is_active


def test_the_templates_hold_no_inline_script_or_style():
    # A strict Content-Security-Policy (no 'unsafe-inline') must not break these pages.
    folder = Path(__file__).resolve().parents[2] / "templates" / "privacy"
    templates = sorted(folder.glob("*.html"))
    assert templates
    for template in templates:
        text = template.read_text(encoding="utf-8")
        assert "<script" not in text and "style=" not in text and "<style" not in text, template
