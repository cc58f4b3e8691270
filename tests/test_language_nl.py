"""No English on a Dutch page.

The main pages are rendered in Dutch (the test client, not a browser) for a visitor, a
resident in a running partnership, a reviewer and a coordinator, and every visible text
(text nodes and the attributes a screen reader reads) is checked against the merged
Dutch catalogue, ours with Django's and allauth's: a text that is an English msgid
with a Dutch translation was left untranslated while rendering (a string translated at
import time, in the wrong language, or with a msgid that changed). A second check
catches English that is in no catalogue at all: a text with several words that only
English has ("the", "your", "must", ...).

Also: the password validators speak Dutch, and no date shows a month in the English
"Jul"/"Oct" abbreviation style.
"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.password_validation import get_default_password_validators
from django.utils import translation
from django.utils.translation import trans_real

from challenges import services as challenge_services
from challenges.constants import Status
from partnerships import services as partnership_services
from partnerships.constants import Side
from tests.challenges.factories import (
    CoordinatorFactory,
    ReviewerFactory,
    add_co_initiator,
    challenge_in,
)

pytestmark = pytest.mark.django_db

# Words that are English and not Dutch: two of them in one text are English text.
ENGLISH_ONLY = {
    "the", "your", "you", "this", "that", "these", "those", "must", "please", "with",
    "which", "should", "would", "could", "cannot", "been", "there", "here", "what",
    "when", "and", "characters", "password", "required", "enter", "valid", "field",
    "yet", "already", "any", "every", "only", "than",
}  # fmt: skip
# The English three-letter month style ("18 Jul 2026"): Dutch writes "18 juli 2026".
ENGLISH_MONTH = re.compile(
    r"\b\d{1,2} (Jan|Feb|Mar|Mrt|Apr|May|Mei|Jun|Jul|Aug|Sep|Oct|Okt|Nov|Dec)\b"
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
SPOKEN_ATTRIBUTES = {"title", "aria-label", "alt", "placeholder", "aria-description"}
SKIPPED_ELEMENTS = {"script", "style", "template", "code", "pre"}
SCORES = {"right_things": 4, "doing_right": 3, "together": 5}
# The reflection chart (partnerships/charts.py) labels its dates "j N Y": Dutch
# abbreviates in lower case with a full stop ("1 dec. 2026"), never "Okt" or "Jul".
CHART_PAGE = "/workspace/reflections/"


class VisibleText(HTMLParser):
    """The texts a person sees or hears: text nodes and spoken attributes, outside
    scripts and styles and outside anything marked as another language."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, hidden from this check)

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}  # fmt: skip

    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self._stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = attrs.get("lang")
        skip = tag in SKIPPED_ELEMENTS or (lang is not None and not lang.startswith("nl"))
        if not skip and not self._skipping():
            for name in SPOKEN_ATTRIBUTES & attrs.keys():
                self._add(attrs[name])
            if tag == "input" and attrs.get("type") in {"submit", "button", "reset"}:
                self._add(attrs.get("value"))
        if tag not in self.VOID:
            self._stack.append((tag, skip))

    def handle_endtag(self, tag):
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                del self._stack[index:]
                return

    def handle_data(self, data):
        if not self._skipping():
            self._add(data)

    def _add(self, text):
        text = " ".join((text or "").split())
        if text:
            self.texts.append(text)


def visible_texts(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.texts


def _normal(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def english_msgids() -> tuple[set[str], list[str]]:
    """The English msgids of the merged Dutch catalogue that have a different Dutch
    text: (whole msgids, placeholder-free pieces of three words or more)."""
    catalogue = trans_real.translation("nl")._catalog
    # A piece that the Dutch texts themselves use (a name kept in English by the
    # translator) is a choice of wording, not a string left untranslated.
    all_dutch = "\n".join(_normal(dutch) for _key, dutch in catalogue.items())
    whole, pieces = set(), set()
    for key, dutch in catalogue.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if "\x04" in msgid:  # a context: "context\x04msgid"
            msgid = msgid.split("\x04", 1)[1]
        msgid = _normal(msgid)
        if not msgid or _normal(dutch) == msgid or len(msgid) < 3:
            continue
        if not PLACEHOLDER.search(msgid):
            whole.add(msgid)
        for piece in PLACEHOLDER.split(msgid):
            piece = piece.strip(" .,:;“”\"'()")
            if len(piece.split()) >= 3 and piece not in all_dutch:
                pieces.add(piece)
    return whole, sorted(pieces)


def english_on(html: str, msgids) -> list[str]:
    whole, pieces = msgids
    found = []
    texts = visible_texts(html)
    joined = "\n".join(texts)
    for text in texts:
        if text in whole:
            found.append(f"untranslated msgid: {text!r}")
            continue
        words = set(re.findall(r"[a-z]+", text.lower()))
        if len(words & ENGLISH_ONLY) >= 2:
            found.append(f"English words: {text!r}")
        if ENGLISH_MONTH.search(text):
            found.append(f"English month abbreviation: {text!r}")
    found += [f"untranslated msgid piece: {piece!r}" for piece in pieces if piece in joined]
    return found


@pytest.fixture
def walk(client, settings, tmp_path):
    """The pages of the walk as (who, url, client): a visitor, a resident on the team
    of a running partnership, a reviewer and a coordinator."""
    settings.PAGE_CACHE_SECONDS = 0
    settings.MEDIA_ROOT = tmp_path / "media"
    reviewer, coordinator = ReviewerFactory(), CoordinatorFactory()
    staff = {"reviewer": reviewer, "coordinator": coordinator}
    running = challenge_in(Status.EXECUTION, **staff)
    resident = running.initiator
    add_co_initiator(running)
    assessment = challenge_in(Status.ASSESSMENT, **staff)
    rejected = challenge_in(Status.REJECTED, **staff)
    draft = challenge_services.challenge_create_draft(initiator=resident)
    for _ in range(2):  # two shared reflections: a chart with two dates
        round_ = partnership_services.reflection_open(
            challenge=running, actor=resident, reason="Tijd voor een terugblik."
        )
        for person in (resident, reviewer):
            partnership_services.reflection_answer(
                round=round_,
                actor=person,
                scores=SCORES,
                comments={key: "Het gaat goed." for key in SCORES},
            )

    pk, w = running.pk, f"/challenges/{running.pk}/workspace/"
    public = ["/", "/challenges/", "/log/", "/criteria/", "/privacy/", "/accessibility/"]
    public += ["/contact/", f"/challenges/{pk}/", f"/challenges/{assessment.pk}/"]
    public += [f"/challenges/{rejected.pk}/", f"/challenges/{pk}/progress/"]
    public += ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
    team = [f"/challenges/{pk}/", "/challenges/mine/", "/challenges/new/"]
    team += [f"/challenges/{draft.pk}/plan/{step}/" for step in ("task", "plan", "budget")]
    team += [f"/challenges/{draft.pk}/review/", "/notifications/", "/notifications/preferences/"]
    team += ["/my-data/", w, f"{w}organisation/", f"{w}contact-persons/{Side.CHALLENGER}/"]
    team += [f"{w}agreement/v1/", f"{w}milestones/new/", f"{w}reflections/", f"{w}knots/new/"]
    team += [f"{w}messages/new/", f"{w}documents/new/"]
    admin = "/admin/challenges/challenge/"
    review = ["/admin/", admin, f"{admin}?assigned=queue", f"{admin}{assessment.pk}/change/"]
    review += [f"{admin}{pk}/change/", f"{admin}{assessment.pk}/transition/"]
    review += [f"{admin}{assessment.pk}/note/", f"{admin}{assessment.pk}/publish-assessment/"]
    review += ["/admin/challenges/timelineevent/", "/admin/challenges/task/"]
    coordinate = ["/knots/", f"{admin}{assessment.pk}/assign-reviewer/", "/admin/"]
    return [
        ("visitor", None, public),
        ("resident", resident, team),
        ("reviewer", reviewer, review),
        ("coordinator", coordinator, coordinate),
    ]


def test_no_english_on_the_dutch_pages_of_the_walk(client, walk, english_msgids):
    failures, visited = [], 0
    for who, user, urls in walk:
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="nl")
            assert response.status_code == 200, (who, url, response.status_code)
            html = response.content.decode()
            assert '<html lang="nl"' in html, (who, url)
            visited += 1
            for found in english_on(html, english_msgids):
                failures.append(f"{who} {url}: {found}")
    assert visited >= 45
    assert not failures, "English on Dutch pages:\n" + "\n".join(failures)


def test_the_check_finds_english_that_slipped_through(english_msgids):
    """The check can fail: an untranslated msgid, a piece of one inside a longer text,
    English that is in no catalogue, and an English month abbreviation."""
    page = (
        '<html lang="nl"><body><main><p>Startpagina</p><button>Save</button>'
        "<p>Wachtwoord: This password is too common.</p>"
        "<p>Please check your input and try again.</p><p>18 Jul 2026</p>"
        '<p lang="en">English, on purpose</p><img alt="Log in" src="x.png">'
        "<script>var the = 'your';</script></main></body></html>"
    )
    found = english_on(page, english_msgids)
    assert "untranslated msgid: 'Save'" in found
    assert "untranslated msgid: 'Log in'" in found
    assert "untranslated msgid piece: 'This password is too common'" in found
    assert "English words: 'Please check your input and try again.'" in found
    assert "English month abbreviation: '18 Jul 2026'" in found
    # The Dutch text, the lang="en" text and the script pass; the password message is
    # found twice (its msgid piece and its English words).
    assert len(found) == 6, found


def test_the_reflection_chart_dates_are_dutch(client, walk, english_msgids):
    _who, resident, urls = walk[1]
    client.force_login(resident)
    (url,) = [url for url in urls if url.endswith(CHART_PAGE)]
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "<svg" in html  # the chart is drawn
    months = [found for found in english_on(html, english_msgids) if "month" in found]
    assert not months, months


@pytest.mark.parametrize("password", ["kort", "1234567890123", "wachtwoord"])
def test_the_password_messages_are_dutch_on_the_dutch_sign_up(client, password):
    data = {"email": "nieuw@example.org", "password1": password, "password2": password}
    html = client.post("/accounts/signup/", data, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    errors = re.findall(r'href="#id_password1">Wachtwoord: ([^<]+)<', html)
    assert errors, html[:2000]
    english = client.post("/accounts/signup/", data, HTTP_ACCEPT_LANGUAGE="en")
    english_errors = re.findall(
        r'href="#id_password1">Password: ([^<]+)<', english.content.decode()
    )
    assert len(english_errors) == len(errors)
    # Every message differs from its English version: each one was translated.
    assert not set(errors) & set(english_errors), (errors, english_errors)
    if password == "kort":
        assert "Dit wachtwoord is te kort. De minimale lengte is 10 tekens." in errors


def test_every_password_validator_speaks_dutch():
    """Each validator's message and help text has a Dutch translation: a Django upgrade
    that changes a msgid shows up here, not on the sign-up page."""
    for validator in get_default_password_validators():
        texts = {}
        for language in ("nl", "en"):
            with translation.override(language):
                texts[language] = [validator.get_help_text()]
                if hasattr(validator, "get_error_message"):
                    message = validator.get_error_message()
                    # The similarity message names a field: fill it in the same way.
                    texts[language].append(message % {"verbose_name": "e-mail"})
        for dutch, english in zip(texts["nl"], texts["en"], strict=True):
            assert dutch != english, f"{type(validator).__name__}: {english!r} in Dutch"
