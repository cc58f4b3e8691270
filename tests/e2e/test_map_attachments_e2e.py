"""The neighbourhood map (home page and challenge list) and the attachments of a
submission in headless Chromium: axe-core clean in Dutch and English, no sideways
scrolling at 320 px, every area reachable with the keyboard with a visible focus, and
a click on an area filtering the list."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges import services
from challenges.constants import Status
from tests.challenges.factories import ChallengeFactory, NeighbourhoodFactory, challenge_in
from tests.core.upload_samples import pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NARROW = {"width": 320, "height": 800}


def square(lon, lat, size=0.01):
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def town(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    hoods = [
        NeighbourhoodFactory(name="De Horsten", boundary=square(5.00, 52.00)),
        NeighbourhoodFactory(name="Het Zand", boundary=square(5.01, 52.00)),
        NeighbourhoodFactory(name="Kerkebuurt", boundary=square(5.00, 52.01)),
        NeighbourhoodFactory(name="Zonder grens op de kaart"),
    ]
    submitted = challenge_in(Status.INTAKE, neighbourhood=hoods[0])
    challenge_in(Status.SUBMITTED, neighbourhood=hoods[1])
    draft = ChallengeFactory(initiator=submitted.initiator, neighbourhood=hoods[2])
    for challenge, visibility in ((submitted, "public"), (submitted, "parties"), (draft, "public")):
        services.attachment_upload(
            challenge=challenge,
            actor=challenge.initiator,
            file=SimpleUploadedFile(f"Werkplan-{visibility}-{challenge.pk}.pdf", pdf()),
            kind="plan",
            visibility=visibility,
        )
    return {"hoods": hoods, "submitted": submitted, "draft": draft}


def _pages(town):
    s, d = town["submitted"], town["draft"]
    public = ["/", "/challenges/", f"/challenges/?neighbourhood={town['hoods'][0].pk}"]
    team = [
        f"/challenges/{s.pk}/",
        f"/challenges/{s.pk}/attachments/",
        f"/challenges/{d.pk}/attachments/",
        f"/challenges/{d.pk}/review/",
    ]
    return public, team


@pytest.mark.parametrize("language", ["en", "nl"])
def test_map_and_attachment_pages_are_axe_clean(open_context, axe_report, town, language):
    public, team = _pages(town)
    failures = []
    for user, urls in ((None, public), (town["submitted"].initiator, team)):
        page = open_context(language, user=user).new_page()
        for url in urls:
            response = page.goto(url)
            assert response.status == 200, url
            report = axe_report(page)
            if report:
                failures.append(f"{url}:\n{report}")
    assert not failures, "\n".join(failures)


def test_no_sideways_scrolling_at_320_px(open_context, town):
    public, team = _pages(town)
    failures = []
    for user, urls in ((None, public), (town["submitted"].initiator, team)):
        page = open_context("en", user=user).new_page()
        page.set_viewport_size(NARROW)
        for url in urls:
            assert page.goto(url).status == 200
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > NARROW["width"]:
                failures.append(f"{url}: {width} px")
    assert not failures, failures


def test_an_area_is_a_keyboard_link_that_filters_the_list(open_context, town):
    hood = town["hoods"][0]
    page = open_context("en").new_page()
    page.goto("/")
    area = page.locator(f'a.rtc-map__area[href$="neighbourhood={hood.pk}"]')
    assert area.get_attribute("aria-label") == "De Horsten: 1 challenge"
    area.focus()
    stroke = area.locator("path").evaluate("el => getComputedStyle(el).strokeWidth")
    assert float(stroke.replace("px", "")) >= 4  # the focus is visible
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/challenges/?neighbourhood={hood.pk}")
    assert page.get_by_text("1 challenge found").is_visible()
    assert page.locator("a.rtc-map__area--selected").count() == 1
