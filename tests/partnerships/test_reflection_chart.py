"""The geometry of the reflection chart, read from the rendered SVG: every x-axis
label lies inside the viewBox and no two overlap, the legend's entries do not
intersect and sit inside the viewBox below the labels, and two series with equal
scores stay both visible (distinct dash patterns, markers and widths)."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from partnerships.charts import (
    EDGE,
    LEGEND_ROW,
    WIDTH,
    Series,
    legend_rows,
    text_width,
    trend_chart,
)
from partnerships.selectors import TrendPoint

SVG = "{http://www.w3.org/2000/svg}"
KEY = "together"


def _points(scores: list[tuple[int, int]], start=datetime.date(2026, 1, 28), days=91):
    return [
        TrendPoint(
            when=start + datetime.timedelta(days=days * i),
            scores={KEY: {"municipality": m, "challenger": c}},
        )
        for i, (m, c) in enumerate(scores)
    ]


def _svg(points, language="en") -> ET.Element:
    with translation.override(language):
        chart = trend_chart(points, KEY, "Do we work well together?")
        html = render_to_string("partnerships/_trend_chart.html", {"chart": chart})
    start = html.index("<svg")
    svg = html[start : html.index("</svg>") + len("</svg>")]
    return ET.fromstring(svg.replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))  # noqa: S314 - our own template


def _viewbox(svg) -> tuple[float, float]:
    _x, _y, width, height = (float(v) for v in svg.get("viewBox").split())
    return width, height


def _extent(text: ET.Element) -> tuple[float, float]:
    """Left and right of a <text>, its width estimated from its characters."""
    x = float(text.get("x"))
    width = text_width(text.text, float(text.get("font-size")))
    anchor = text.get("text-anchor", "start")
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return left, left + width


def _x_labels(svg):
    return [t for t in svg.iter(f"{SVG}text") if t.get("class") == "rtc-chart__x-label"]


def _intersect(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8, 13, 40])
@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_x_labels_fit_in_the_viewbox_and_do_not_overlap(count, language):
    svg = _svg(_points([(3, 4)] * count), language)
    width, _height = _viewbox(svg)
    labels = _x_labels(svg)
    assert labels, "at least one date is drawn under the points"
    extents = [_extent(label) for label in labels]
    for left, right in extents:
        assert left >= 0 and right <= width, (left, right, width)
    for (_l1, right), (left, _r2) in zip(extents, extents[1:], strict=False):
        assert right < left, "two labels overlap"
    # The last reflection's date is always shown.
    with translation.override(language):
        last = trend_chart(_points([(3, 4)] * count), KEY, "?").labels[-1].text
    assert labels[-1].text == last


def test_the_last_label_is_no_longer_cut_off():
    """Before: the last label was centred on the right edge of the plot, half of it
    outside the 480-wide viewBox."""
    svg = _svg(_points([(2, 3), (4, 4)]))
    width, _height = _viewbox(svg)
    last = _x_labels(svg)[-1]
    assert _extent(last)[1] <= width - EDGE
    assert last.get("text-anchor") == "end"


def _legend_boxes(svg) -> list[tuple[float, float, float, float]]:
    boxes = []
    for entry in svg.iter(f"{SVG}g"):
        if "rtc-chart__legend-entry" not in (entry.get("class") or ""):
            continue
        line = entry.find(f"{SVG}line")
        text = entry.find(f"{SVG}text")
        left = float(line.get("x1"))
        _text_left, right = _extent(text)
        middle = float(text.get("y"))
        boxes.append((left, middle - LEGEND_ROW / 2 + 1, right, middle + LEGEND_ROW / 2 - 1))
    return boxes


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_legend_entries_do_not_collide_and_sit_below_the_labels(language):
    svg = _svg(_points([(2, 3), (3, 3), (4, 5)]), language)
    width, height = _viewbox(svg)
    boxes = _legend_boxes(svg)
    assert len(boxes) == 2
    assert not _intersect(boxes[0], boxes[1])
    label_bottom = max(float(t.get("y")) for t in _x_labels(svg))
    for left, top, right, bottom in boxes:
        assert 0 <= left and right <= width and bottom <= height
        assert top > label_bottom, "the legend is below the dates"


def test_long_legend_names_wrap_into_rows_that_cannot_overlap():
    long = [
        Series(
            side=f"side{i}",
            name="De gemeente Voorbeeldstad en haar uitvoeringsorganisatie"[: 20 + 9 * i],
            colour="#24578f",
            dash="",
            stroke_width=3,
            marker="circle",
            marker_size=10,
        )
        for i in range(4)
    ]
    entries, height = legend_rows(long, top=200)
    assert len({entry.y for entry in entries}) > 1, "the entries take more than one row"
    boxes = [entry.box for entry in entries]
    for i, a in enumerate(boxes):
        assert a[2] <= WIDTH - EDGE or a[0] == entries[0].x  # only a lone entry may be wider
        for b in boxes[i + 1 :]:
            assert not _intersect(a, b), (a, b)
    assert height == len({entry.y for entry in entries}) * LEGEND_ROW


def test_equal_series_are_both_visible():
    svg = _svg(_points([(4, 4), (4, 4), (3, 3)]))
    groups = [
        g for g in svg.iter(f"{SVG}g") if "rtc-chart__series " in (g.get("class") or "") + " "
    ]
    assert len(groups) == 2
    municipality, challenger = groups
    m_path, c_path = municipality.find(f"{SVG}path"), challenger.find(f"{SVG}path")
    # The same points: the lines coincide ...
    assert m_path.get("d") == c_path.get("d")
    # ... so they differ in everything else: dash pattern, width, marker shape.
    assert m_path.get("stroke-dasharray") != c_path.get("stroke-dasharray")
    assert c_path.get("stroke-dasharray"), "the challenger's line is dashed"
    # The line drawn on top is narrower: the one beneath shows on both sides of it.
    assert float(c_path.get("stroke-width")) < float(m_path.get("stroke-width"))
    circles = municipality.findall(f"{SVG}circle")
    squares = challenger.findall(f"{SVG}rect")
    assert len(circles) == 3 and len(squares) == 3
    assert not municipality.findall(f"{SVG}rect") and not challenger.findall(f"{SVG}circle")
    # The marker on top is smaller than the one beneath: both show at every point.
    for circle, square in zip(circles, squares, strict=True):
        assert float(square.get("width")) < 2 * float(circle.get("r"))
        centre_x = float(square.get("x")) + float(square.get("width")) / 2
        assert centre_x == pytest.approx(float(circle.get("cx")), abs=0.1)
    # Distinct colours too, each with AA contrast on white.
    from rtc_portal.theme import contrast

    colours = {m_path.get("stroke"), c_path.get("stroke")}
    assert len(colours) == 2
    assert all(contrast(colour, "#ffffff") >= 4.5 for colour in colours)


def test_the_chart_has_no_style_attributes():
    svg = _svg(_points([(1, 5), (5, 1)]))
    assert all("style" not in element.attrib for element in svg.iter())
