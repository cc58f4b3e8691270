"""The municipality's identity: its name and logo (with alt text) in the header of
every page, its colour through the design tokens in a stylesheet served by the
portal (no inline style), validated as a hex colour and kept at AA contrast."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st

from rtc_portal import theme

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
NL = {"HTTP_ACCEPT_LANGUAGE": "nl"}


@pytest.fixture
def municipality(settings):
    """settings.MUNICIPALITY to change per test; the page cache emptied around it."""
    cache.clear()
    settings.MUNICIPALITY = {**settings.MUNICIPALITY}
    yield settings.MUNICIPALITY
    cache.clear()


# -- Colours --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("#24578F", "#24578f"),
        ("24578f", "#24578f"),
        ("#abc", "#aabbcc"),
        (" #000000 ", "#000000"),
        ("red", None),
        ("#12345", None),
        ("#1234567", None),
        ("#fff;}body{display:none", None),
        ("rgb(0,0,0)", None),
        ("", None),
    ],
)
def test_only_hex_colours_are_taken(value, parsed):
    assert theme.parse_hex(value) == parsed


def test_contrast_follows_wcag():
    assert theme.contrast("#ffffff", "#000000") == pytest.approx(21)
    assert theme.contrast("#ffffff", "#ffffff") == pytest.approx(1)
    # #767676 is the lightest grey that passes AA on white; #777777 just fails.
    assert theme.contrast("#767676", "#ffffff") >= 4.5 > theme.contrast("#777777", "#ffffff")


def test_the_default_colour_passes_unchanged():
    assert theme.accessible_colour("#24578f") == ("#24578f", "")
    assert theme.contrast("#24578f", "#ffffff") >= 4.5


def test_a_colour_too_light_is_darkened_until_it_passes():
    colour, why = theme.accessible_colour("#ffcc00")
    assert why == "too light for AA contrast"
    assert colour != "#ffcc00"
    assert theme.contrast(colour, "#ffffff") >= 4.5
    assert theme.contrast(colour, "#f2f5f8") >= 4.5


def test_a_value_that_is_no_colour_gives_the_portals_own():
    assert theme.accessible_colour("#fff;}body{display:none") == (
        theme.DEFAULT_COLOUR,
        "not a hex colour",
    )


@given(st.from_regex(r"#[0-9a-fA-F]{6}", fullmatch=True))
def test_every_hex_colour_ends_up_readable_on_white(value):
    colour, _why = theme.accessible_colour(value)
    assert theme.contrast(colour, "#ffffff") >= 4.5
    assert theme.contrast(theme.darken(colour, 0.35), "#ffffff") >= 4.5


# -- The stylesheet ---------------------------------------------------------------------


def test_the_theme_stylesheet_carries_the_colour_as_design_tokens(client, municipality):
    municipality["primary_colour"] = "#1b5e20"
    current = theme.identity()
    response = client.get(current.css_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    css = response.content.decode()
    assert "--utrecht-link-color: #1b5e20;" in css
    assert "--utrecht-button-primary-action-background-color: #1b5e20;" in css
    assert "--rtc-brand: #1b5e20;" in css
    assert f"--rtc-brand-dark: {theme.darken('#1b5e20', 0.35)};" in css
    # Its versioned URL is kept a year; asked again with its ETag: nothing is sent.
    assert "max-age=31536000" in response["Cache-Control"]
    again = client.get(current.css_url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert "max-age=300" in client.get("/theme.css")["Cache-Control"]


def test_a_light_colour_is_served_darkened(client, municipality):
    municipality["primary_colour"] = "#ffcc00"
    css = client.get(theme.identity().css_url).content.decode()
    used = re.search(r"--rtc-brand: (#[0-9a-f]{6});", css).group(1)
    assert used != "#ffcc00"
    assert theme.contrast(used, "#ffffff") >= 4.5


def test_a_value_that_is_no_colour_cannot_reach_the_stylesheet(client, municipality):
    municipality["primary_colour"] = "#fff;}body{display:none"
    css = client.get(theme.identity().css_url).content.decode()
    assert "display" not in css and "body" not in css
    assert f"--rtc-brand: {theme.DEFAULT_COLOUR};" in css


def test_a_new_colour_gets_a_new_stylesheet_url(municipality):
    municipality["primary_colour"] = "#1b5e20"
    first = theme.identity().css_url
    municipality["primary_colour"] = "#4a148c"
    assert theme.identity().css_url != first


def test_the_stylesheet_only_answers_get_and_head(client):
    assert client.head("/theme.css").status_code == 200
    assert client.post("/theme.css").status_code == 405


# -- The header -------------------------------------------------------------------------


def _header(html: str) -> str:
    return re.search(r'<header class="rtc-header">(.*?)</header>', html, re.S).group(1)


@pytest.mark.django_db
def test_the_header_shows_the_municipalitys_name_and_logo(client, municipality):
    municipality["name"] = "Gemeente Zuiderhaven"
    html = client.get("/", **EN).content.decode()
    header = _header(html)
    assert '<span class="rtc-header__municipality">Gemeente Zuiderhaven</span>' in header
    assert '<span class="rtc-header__product">Right to Challenge</span>' in header
    logo = re.search(r'<img class="rtc-header__logo" src="([^"]+)" alt="([^"]+)"', header)
    assert logo, "the logo is in the header"
    assert logo.group(1) == "/static/img/municipality-logo.svg"
    assert logo.group(2) == "Logo of Gemeente Zuiderhaven"
    # Served by the portal itself: one of its static files.
    assert finders.find("img/municipality-logo.svg")
    # The stylesheet with the colour is linked, after the portal's own.
    link = f'<link rel="stylesheet" href="{theme.identity().css_url}">'
    assert link in html and html.index("css/rtc.css") < html.index(link)
    assert "style=" not in html and "<style" not in html


@pytest.mark.django_db
def test_the_logo_alt_text_can_be_set(client, municipality):
    municipality["logo_alt"] = "Wapen van Zuiderhaven"
    header = _header(client.get("/", **NL).content.decode())
    assert 'alt="Wapen van Zuiderhaven"' in header


@pytest.mark.django_db
def test_a_logo_from_another_site_is_not_shown(client, municipality):
    municipality["logo"] = "https://elders.example/logo.png"
    header = _header(client.get("/", **EN).content.decode())
    assert "<img" not in header and "elders.example" not in header


@pytest.mark.django_db
def test_no_logo_when_none_is_set(client, municipality):
    municipality["logo"] = ""
    municipality["name"] = "Gemeente Zuiderhaven"
    header = _header(client.get("/", **EN).content.decode())
    assert "<img" not in header and "Gemeente Zuiderhaven" in header


@pytest.mark.django_db
def test_a_logo_path_served_by_the_portal_is_used_as_it_is(client, municipality):
    municipality["logo"] = "/media/logo.png"
    header = _header(client.get("/", **EN).content.decode())
    assert 'src="/media/logo.png"' in header
