"""The neighbourhood map: boundaries validated as GeoJSON, an accessible SVG (a title,
one link per area with its name and number of challenges), a table beside it, the
counts right, constant queries, and the cache dropped when a boundary changes."""

import json
import re
from html import unescape
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from challenges import map as neighbourhood_map
from challenges import services
from challenges.constants import Status
from challenges.models import Challenge, Neighbourhood
from demo.loader import BUNDLED_SCENARIOS, read_scenarios
from tests.challenges.factories import ChallengeFactory, NeighbourhoodFactory, UserFactory

pytestmark = pytest.mark.django_db


def square(lon=5.0, lat=52.0, size=0.01) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


# -- Validation -------------------------------------------------------------------------


def test_polygons_and_multipolygons_are_accepted():
    neighbourhood_map.validate_boundary(square())
    multi = {"type": "MultiPolygon", "coordinates": [square()["coordinates"]] * 2}
    neighbourhood_map.validate_boundary(multi)
    feature = {"type": "Feature", "properties": {}, "geometry": square()}
    assert neighbourhood_map.clean_boundary(json.dumps(feature)) == square()
    collection = {"type": "FeatureCollection", "features": [feature]}
    assert neighbourhood_map.clean_boundary(collection) == square()
    assert neighbourhood_map.clean_boundary("  ") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"type": "Point", "coordinates": [5, 52]}, "Polygon or a MultiPolygon"),
        ({"type": "Polygon", "coordinates": []}, "no coordinates"),
        ({"type": "Polygon", "coordinates": [[[5, 52], [5.1, 52], [5, 52.1]]]}, "four"),
        ({"type": "Polygon", "coordinates": [[[5, 52], [5.1, 52], [5, 52.1], [5, 52.2]]]}, "end"),
        (
            {"type": "Polygon", "coordinates": [[[200, 52], [5.1, 52], [5, 52.1], [200, 52]]]},
            "outside",
        ),
        ({"type": "Polygon", "coordinates": [[[5, 52], ["a", 52], [5, 52.1], [5, 52]]]}, "numbers"),
        (
            {"type": "Polygon", "coordinates": [[[5, 52], [True, 52], [5, 52.1], [5, 52]]]},
            "numbers",
        ),
        (
            {"type": "Polygon", "coordinates": [[[5, 52], [float("nan"), 52], [5, 1], [5, 52]]]},
            "finite",
        ),
        ("{not json", "not valid JSON"),
        ("[1, 2]", "GeoJSON geometry"),
        ({"type": "FeatureCollection", "features": []}, "exactly one Feature"),
        ({"type": "Feature", "geometry": None}, "no geometry"),
    ],
)
def test_bad_boundaries_are_refused_with_a_clear_message(value, expected):
    from django.utils import translation

    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            neighbourhood_map.clean_boundary(value)
        # The messages are lazy: read them in English too.
        assert expected in " ".join(refused.value.messages)


def test_too_many_points_are_refused():
    ring = [[5 + i * 1e-5, 52 + (i % 2) * 1e-5] for i in range(neighbourhood_map.MAX_POINTS + 1)]
    ring.append(ring[0])
    with pytest.raises(ValidationError):
        neighbourhood_map.validate_boundary({"type": "Polygon", "coordinates": [ring]})


# -- The drawing on the home page and the list ------------------------------------------


def _map_html(html: str) -> str:
    match = re.search(r'<section class="rtc-section rtc-map".*?</section>', html, re.S)
    assert match, "no map on the page"
    return match.group(0)


@pytest.fixture
def town(reviewer):
    north = NeighbourhoodFactory(name="Noord", boundary=square(5.0, 52.01))
    south = NeighbourhoodFactory(name="Zuid", boundary=square(5.0, 52.0))
    loose = NeighbourhoodFactory(name="Zonder grens")
    initiator = UserFactory()
    for hood, count in ((north, 3), (south, 1), (loose, 2)):
        for _ in range(count):
            ChallengeFactory(neighbourhood=hood, initiator=initiator, status=Status.INTAKE)
    ChallengeFactory(neighbourhood=south, initiator=initiator)  # a draft: not counted
    return north, south, loose


@pytest.mark.parametrize("url", ["/", "/challenges/"])
def test_the_svg_has_a_title_and_an_accessible_link_per_area(client, town, url):
    north, south, loose = town
    html = _map_html(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    svg = re.search(r"<svg class=\"rtc-map__svg\"[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="group"' in svg and 'aria-labelledby="map-svg-title"' in svg
    assert re.search(r'<title id="map-svg-title">[^<]+</title>', svg)
    links = re.findall(r'<a class="rtc-map__area[^"]*" href="([^"]+)" aria-label="([^"]+)"', svg)
    assert sorted(links) == sorted(
        [
            (f"/challenges/?neighbourhood={north.pk}", "Noord: 3 challenges"),
            (f"/challenges/?neighbourhood={south.pk}", "Zuid: 1 challenge"),
        ]
    )
    for _href, name in links:
        assert f"<title>{name}</title>" in svg
    # Without a boundary: in the table only, with its count.
    assert "Zonder grens" not in svg
    rows = re.findall(
        r"<tr[^>]*><td><a[^>]*href=\"([^\"]+)\"[^>]*>([^<]+)</a></td><td>(\d+)</td>", html
    )
    assert sorted(rows) == sorted(
        [
            (f"/challenges/?neighbourhood={north.pk}", "Noord", "3"),
            (f"/challenges/?neighbourhood={south.pk}", "Zuid", "1"),
            (f"/challenges/?neighbourhood={loose.pk}", "Zonder grens", "2"),
        ]
    )
    # The legend says what the fills mean; no style attributes anywhere (CSP).
    assert "4 or more challenges" in html and "style=" not in html


def test_a_link_filters_the_list_and_marks_the_area(client, town):
    north, south, _loose = town
    response = client.get(f"/challenges/?neighbourhood={north.pk}", HTTP_ACCEPT_LANGUAGE="en")
    page = response.context["page"]
    assert page.paginator.count == 3
    assert {c.neighbourhood_id for c in page} == {north.pk}
    html = _map_html(response.content.decode())
    assert re.search(r'rtc-map__area--selected"[^>]*aria-current="true"', html)
    # The filter form stays.
    assert 'name="neighbourhood"' in response.content.decode()


def test_without_boundaries_only_the_table(client):
    NeighbourhoodFactory(name="Ergens")
    html = _map_html(client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "<svg" not in html and "Ergens" in html


def test_the_drawing_fits_the_view_box():
    rows = [
        type("Row", (), {"pk": 1, "name": "A", "count": 0, "boundary": square(5.0, 52.0)}),
        type("Row", (), {"pk": 2, "name": "B", "count": 7, "boundary": square(5.01, 52.0)}),
    ]
    drawing = neighbourhood_map.draw_map(rows)
    numbers = [float(n) for a in drawing["areas"] for n in re.findall(r"[\d.]+", a.path)]
    assert min(numbers) >= 0 and max(numbers) <= drawing["width"]
    assert [a.step for a in drawing["areas"]] == [0, 3]
    assert drawing["width"] > drawing["height"]  # two squares side by side


def _queries(client, url) -> int:
    from django.core.cache import cache

    cache.clear()  # the home page's stage counts are cached per state of the log
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _town_of(n_hoods: int, n_challenges: int):
    initiator = UserFactory()
    hoods = Neighbourhood.objects.bulk_create(
        [
            Neighbourhood(name=f"Buurt {n_hoods}-{i}", boundary=square(5 + i * 0.01, 52))
            for i in range(n_hoods)
        ]
    )
    template = ChallengeFactory.build(initiator=initiator)
    template.task.save()
    Challenge.objects.bulk_create(
        [
            Challenge(
                title=f"Uitdaging {i}",
                initiator=initiator,
                task=template.task,
                neighbourhood=hoods[i % n_hoods],
                status=Status.INTAKE,
                reference=f"RTC-{n_hoods}-{i:05d}",
            )
            for i in range(n_challenges)
        ]
    )


@pytest.mark.parametrize("url", ["/", "/challenges/"])
def test_constant_queries_with_10_and_1000(settings, url):
    settings.PAGE_CACHE_SECONDS = 0
    _town_of(10, 10)
    small = _queries(Client(), url)
    _town_of(300, 1000)
    assert _queries(Client(), url) == small


def test_an_admin_change_of_a_boundary_shows_on_the_cached_home_page(
    django_capture_on_commit_callbacks,
):
    hood = NeighbourhoodFactory(name="Nieuwbouw")
    anonymous = Client()
    assert "<svg" not in _map_html(anonymous.get("/").content.decode())
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/challenges/neighbourhood/{hood.pk}/change/"
    # Bad GeoJSON: a clear error, nothing changes.
    response = admin.post(
        url,
        {"name": "Nieuwbouw", "boundary": '{"type": "Point", "coordinates": [5, 52]}'},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "must be a Polygon or a MultiPolygon" in unescape(response.content.decode())
    hood.refresh_from_db()
    assert hood.boundary is None
    # A file upload.
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            url,
            {
                "name": "Nieuwbouw",
                "boundary": "",
                "boundary_file": SimpleUploadedFile(
                    "grens.geojson",
                    json.dumps({"type": "Feature", "geometry": square()}).encode(),
                ),
            },
        )
    assert response.status_code == 302
    hood.refresh_from_db()
    assert hood.boundary == square()
    assert "<svg" in _map_html(anonymous.get("/").content.decode())


def test_the_service_refuses_a_bad_boundary():
    hood = NeighbourhoodFactory()
    with pytest.raises(services.ServiceError):
        services.neighbourhood_set_boundary(neighbourhood=hood, boundary="{}x")
    hood.refresh_from_db()
    assert hood.boundary is None


# -- The demo's boundaries --------------------------------------------------------------


def _inside(point, ring) -> bool:
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        if (y0 > y) != (y1 > y) and x < (x1 - x0) * (y - y0) / (y1 - y0) + x0:
            inside = not inside
    return inside


def test_the_demo_boundaries_are_valid_and_do_not_overlap():
    scenarios = read_scenarios(BUNDLED_SCENARIOS)
    assert set(scenarios.boundaries) == set(scenarios.neighbourhoods)
    rings = {name: g["coordinates"][0] for name, g in scenarios.boundaries.items()}
    centres = {}
    for name, ring in rings.items():
        _area, cx, cy = neighbourhood_map._ring_area_and_centroid(ring)
        centres[name] = (cx, cy)
        assert _inside((cx, cy), ring), name
    for name, ring in rings.items():
        for other, centre in centres.items():
            if other != name:
                assert not _inside(centre, ring), (name, other)
    assert Path(BUNDLED_SCENARIOS / "neighbourhoods.geojson").is_file()
