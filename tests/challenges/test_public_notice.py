"""The submission pages say exactly which parts of the plan become public, and the
public page shows exactly those (the notice is held against the rendered page)."""

import re
from html import unescape

import pytest

from challenges.constants import PUBLISHED_ON_SUBMIT, Status
from tests.challenges.factories import ChallengeFactory, add_co_initiator, challenge_in

pytestmark = pytest.mark.django_db


def _texts(html, pattern):
    return [unescape(re.sub(r"<[^>]+>", "", m)).strip() for m in re.findall(pattern, html, re.S)]


def _notice_parts(html):
    block = re.search(r'<ul class="[^"]*rtc-published-parts">(.*?)</ul>', html, re.S)
    assert block, "the page has no notice of what becomes public"
    return _texts(block.group(1), r"<li[^>]*>(.*?)</li>")


@pytest.fixture
def published(reviewer):
    challenge = ChallengeFactory(
        title="Bewoners beheren het buurtpark",
        team_description="Wij zijn met zes buren uit de wijk.",
    )
    teammate = add_co_initiator(challenge)
    return challenge_in(Status.INTAKE, challenge=challenge, reviewer=reviewer), teammate


def test_the_review_page_names_every_published_part(client):
    draft = ChallengeFactory()
    client.force_login(draft.initiator)
    html = client.get(f"/challenges/{draft.pk}/review/", HTTP_ACCEPT_LANGUAGE="en").content
    assert _notice_parts(html.decode()) == [str(label) for _f, label in PUBLISHED_ON_SUBMIT]


def test_the_start_page_says_it_before_anything_is_typed(client, resident):
    client.force_login(resident)
    html = client.get("/challenges/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _notice_parts(html) == [str(label) for _f, label in PUBLISHED_ON_SUBMIT]


def test_the_public_page_shows_exactly_the_parts_the_notice_names(client, published):
    challenge, teammate = published
    html = client.get(f"/challenges/{challenge.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    labels = [str(label) for field, label in PUBLISHED_ON_SUBMIT if field != "title"]
    # The plan's facts on the public page are the published parts, no more, no fewer.
    assert _texts(html, r'<dl class="rtc-facts">(.*?)</dl>') and labels == _texts(
        re.search(r'<dl class="rtc-facts">(.*?)</dl>', html, re.S).group(1), r"<dt>(.*?)</dt>"
    )
    assert challenge.title in html
    assert unescape("Wij zijn met zes buren uit de wijk.") in unescape(html)


def test_what_the_notice_says_is_not_public_is_not_on_the_public_page(client, published):
    challenge, teammate = published
    html = client.get(f"/challenges/{challenge.pk}/").content.decode()
    for person in (challenge.initiator, teammate):
        assert person.email not in html
        assert person.name not in html
