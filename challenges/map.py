"""The neighbourhood map: boundaries as GeoJSON, drawn by the server as an SVG.

A neighbourhood's `boundary` is a GeoJSON geometry (RFC 7946), a Polygon or a
MultiPolygon in longitude/latitude (WGS 84), stored as JSON. `clean_boundary` turns
what an administrator pastes or uploads (a geometry, a Feature or a
FeatureCollection of one Feature) into that geometry, or refuses it with a message
that says what is wrong; `validate_boundary` is the model field's validator.

`draw_map` projects the boundaries onto an SVG viewBox (an equirectangular
projection, the longitude shortened by the cosine of the middle latitude, which is
what a town-sized map needs) and gives the template (`challenges/_map.html`) one
area per neighbourhood with a boundary: its path, where its label goes, its
accessible name ("De Horsten: 3 challenges"), its link to the filtered challenge
list and a fill step by its count. Neighbourhoods without a boundary are only in
the table beside the map. No tiles, no scripts, nothing loaded from elsewhere.
"""

import json
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# A neighbourhood is drawn from at most this many points (all rings together): far
# more than a real boundary needs on a map this size, and it bounds the page.
MAX_POINTS = 5000
MAX_POLYGONS = 50
# The size of the drawing; the browser scales it to the width available.
WIDTH = 640
PADDING = 8
# The fill steps: counts of challenges from these numbers up (a legend names them).
STEPS = (0, 1, 2, 4)


def _refuse(message, **params) -> ValidationError:
    return ValidationError(message, code="invalid_boundary", params=params or None)


def _position(value, where: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) < 2:
        raise _refuse(
            _("Every position in %(where)s must be a pair [longitude, latitude]."), where=where
        )
    lon, lat = value[0], value[1]
    for number in (lon, lat):
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise _refuse(_("The coordinates in %(where)s must be numbers."), where=where)
        if not math.isfinite(number):
            raise _refuse(_("The coordinates in %(where)s must be finite numbers."), where=where)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise _refuse(
            _(
                "A position in %(where)s lies outside the earth: the longitude must be "
                "between -180 and 180 and the latitude between -90 and 90 (GeoJSON puts "
                "the longitude first)."
            ),
            where=where,
        )
    return float(lon), float(lat)


def _polygon(rings, where: str) -> list[list[tuple[float, float]]]:
    if not isinstance(rings, list) or not rings:
        raise _refuse(_("%(where)s must be a list of rings (lists of positions)."), where=where)
    cleaned = []
    for ring in rings:
        if not isinstance(ring, list) or len(ring) < 4:
            raise _refuse(_("Every ring of %(where)s needs at least four positions."), where=where)
        points = [_position(value, where) for value in ring]
        if points[0] != points[-1]:
            raise _refuse(
                _("Every ring of %(where)s must end where it starts (a closed line)."),
                where=where,
            )
        cleaned.append(points)
    return cleaned


def polygons(geometry: dict) -> list[list[list[tuple[float, float]]]]:
    """The polygons of a valid boundary: each a list of rings, the outer one first."""
    if geometry["type"] == "Polygon":
        return [_polygon(geometry["coordinates"], str(_("the polygon")))]
    return [
        _polygon(rings, str(_("polygon %(number)s") % {"number": number}))
        for number, rings in enumerate(geometry["coordinates"], start=1)
    ]


def validate_boundary(value) -> None:
    """A Polygon or MultiPolygon with closed rings of real positions, within limits."""
    if value in (None, ""):
        return
    if not isinstance(value, dict):
        raise _refuse(_("The boundary must be a GeoJSON geometry (an object with a type)."))
    kind = value.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise _refuse(
            _("The boundary must be a Polygon or a MultiPolygon, not %(type)s."),
            type=json.dumps(kind) if kind is not None else _("an object without a type"),
        )
    coordinates = value.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates:
        raise _refuse(_("The boundary has no coordinates."))
    if kind == "MultiPolygon" and len(coordinates) > MAX_POLYGONS:
        raise _refuse(_("The boundary has more than %(limit)s polygons."), limit=MAX_POLYGONS)
    found = polygons(value)
    points = sum(len(ring) for polygon in found for ring in polygon)
    if points > MAX_POINTS:
        raise _refuse(
            _(
                "The boundary has %(points)s points; at most %(limit)s can be drawn. "
                "Simplify it and try again."
            ),
            points=points,
            limit=MAX_POINTS,
        )


def clean_boundary(value):
    """What an administrator gave (text, or parsed JSON) as a valid geometry, or None
    for an empty value. A Feature gives its geometry; a FeatureCollection must hold
    exactly one Feature."""
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise _refuse(_("The GeoJSON file must be UTF-8 text.")) from error
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            value = json.loads(value)
        except (ValueError, RecursionError) as error:
            raise _refuse(
                _("This is not valid JSON (GeoJSON is JSON): %(error)s"), error=str(error)[:200]
            ) from error
    if value in (None, "", {}):
        return None
    if isinstance(value, dict) and value.get("type") == "FeatureCollection":
        features = value.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise _refuse(
                _(
                    "A FeatureCollection must hold exactly one Feature here: the boundary "
                    "of this one neighbourhood."
                )
            )
        value = features[0]
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
        if value is None:
            raise _refuse(_("The Feature has no geometry."))
    validate_boundary(value)
    return {"type": value["type"], "coordinates": value["coordinates"]}


# -- Drawing ----------------------------------------------------------------------------


@dataclass
class Area:
    pk: int
    name: str
    count: int
    path: str
    label_x: float
    label_y: float
    step: int

    @property
    def accessible_name(self) -> str:
        return challenges_label(self.name, self.count)


def challenges_label(name: str, count: int) -> str:
    return ngettext("%(name)s: %(count)s challenge", "%(name)s: %(count)s challenges", count) % {
        "name": name,
        "count": count,
    }


def step_of(count: int) -> int:
    """The fill step of a count: the index of the highest STEPS entry it reaches."""
    return max(index for index, start in enumerate(STEPS) if count >= start)


def legend() -> list[dict]:
    """The fill steps with what they mean: "No challenges", "1 challenge",
    "2–3 challenges", "4 or more challenges"."""
    entries = []
    for index, start in enumerate(STEPS):
        last = index + 1 == len(STEPS)
        end = None if last else STEPS[index + 1] - 1
        if start == 0 and end == 0:
            text = _("No challenges")
        elif last:
            text = _("%(count)s or more challenges") % {"count": start}
        elif end == start:
            text = ngettext("%(count)s challenge", "%(count)s challenges", start) % {"count": start}
        else:
            text = _("%(first)s–%(last)s challenges") % {"first": start, "last": end}
        entries.append({"step": index, "text": text})
    return entries


def _ring_area_and_centroid(ring) -> tuple[float, float, float]:
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if abs(area) < 1e-12:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return area, cx / (6 * area), cy / (6 * area)


def draw_map(rows, *, width: int = WIDTH) -> dict | None:
    """The drawing of `rows` (objects with pk, name, boundary and count), or None when
    no row has a boundary: {"width", "height", "areas", "legend"}."""
    shapes = []
    for row in rows:
        if not row.boundary:
            continue
        try:
            shapes.append((row, polygons(row.boundary)))
        except (ValidationError, KeyError, TypeError):
            continue  # stored before validation existed: left off the map, still in the table
    if not shapes:
        return None
    points = [p for _row, found in shapes for polygon in found for ring in polygon for p in ring]
    min_lon = min(p[0] for p in points)
    max_lon = max(p[0] for p in points)
    min_lat = min(p[1] for p in points)
    max_lat = max(p[1] for p in points)
    scale_lon = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x = max((max_lon - min_lon) * scale_lon, 1e-9)
    span_y = max(max_lat - min_lat, 1e-9)
    inner = width - 2 * PADDING
    factor = inner / max(span_x, span_y)
    height = round(span_y * factor + 2 * PADDING)
    drawn_width = round(span_x * factor + 2 * PADDING)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (
            round(PADDING + (lon - min_lon) * scale_lon * factor, 1),
            round(PADDING + (max_lat - lat) * factor, 1),
        )

    areas = []
    for row, found in shapes:
        parts = []
        best = (-1.0, 0.0, 0.0)
        for polygon in found:
            for number, ring in enumerate(polygon):
                projected = [project(lon, lat) for lon, lat in ring]
                parts.append("M" + " L".join(f"{x:g},{y:g}" for x, y in projected[:-1]) + " Z")
                if number == 0:
                    area, cx, cy = _ring_area_and_centroid(projected)
                    if abs(area) > best[0]:
                        best = (abs(area), cx, cy)
        areas.append(
            Area(
                pk=row.pk,
                name=row.name,
                count=row.count,
                path=" ".join(parts),
                label_x=round(best[1], 1),
                label_y=round(best[2], 1),
                step=step_of(row.count),
            )
        )
    return {"width": drawn_width, "height": height, "areas": areas, "legend": legend()}
