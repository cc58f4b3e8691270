"""Every page's <title> is "<page> | Right to Challenge", and one navigation link at
most is marked as the current page."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 0


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/", "Home | Right to Challenge"),
        ("/challenges/", None),
        ("/log/", None),
        ("/criteria/", "Assessment criteria | Right to Challenge"),
        ("/accounts/login/", None),
        ("/no-such-page/", "Page not found | Right to Challenge"),
    ],
)
def test_the_title_has_its_separator(client, path, title):
    html = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    found = " ".join(re.search(r"<title>(.*?)</title>", html, re.S).group(1).split())
    assert re.fullmatch(r"\S.* \| Right to Challenge", found), found
    if title:
        assert found == title


@pytest.mark.parametrize("path", ["/challenges/", "/notifications/", "/log/", "/challenges/mine/"])
def test_one_current_page_in_the_navigation(client, resident, path):
    client.force_login(resident)
    html = client.get(path).content.decode()
    assert html.count('aria-current="page"') == 1
