"""The reflection trend as an accessible inline SVG line chart.

The chart is an image with a title and a description that says the numbers in
words; the page puts a real table with the same numbers next to it. Both sides are
told apart by colour, line style, line width and marker shape, not by colour alone,
and stay visible when their scores are equal: the municipality's line is wide and
solid with large circles, the challenger's narrow and dashed with small squares on
top of it.

The geometry is computed here, not in the template, so that it can be tested: every
x-axis label fits inside the viewBox (the first and last are anchored at their
start and end, and labels too close to each other are left out; the table has
them all), and the legend is laid out in rows inside the SVG whose entries cannot
overlap. Text widths are estimated from the number of characters
(`TEXT_WIDTH_PER_CHAR` em per character, generous for the sans-serif used).
"""

import math
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .constants import Side

WIDTH, PLOT_HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 14, 44
SCALE = (1, 5)
FONT_SIZE = 12
TEXT_WIDTH_PER_CHAR = 0.62  # of the font size; wider than the average character
LABEL_GAP = 10  # the least room between two x-axis labels
EDGE = 2  # the least room between text and the edge of the viewBox
LEGEND_SAMPLE = 28  # the length of the line sample in a legend entry
LEGEND_GAP = 24  # between two legend entries on a row
LEGEND_ROW = 22  # the height of a legend row

STYLES = {
    Side.MUNICIPALITY.value: {
        "colour": "#24578f",
        "dash": "",
        "stroke_width": 5,
        "marker": "circle",
        "marker_size": 13,
    },
    Side.CHALLENGER.value: {
        "colour": "#8a4b00",
        "dash": "7 5",
        "stroke_width": 2,
        "marker": "square",
        "marker_size": 7,
    },
}


def text_width(text: str, font_size: float = FONT_SIZE) -> float:
    return len(text) * font_size * TEXT_WIDTH_PER_CHAR


@dataclass
class Point:
    x: float
    y: float
    value: int
    label: str
    size: float = 10

    @property
    def left(self) -> float:
        return self.x - self.size / 2

    @property
    def top(self) -> float:
        return self.y - self.size / 2

    @property
    def radius(self) -> float:
        return self.size / 2


@dataclass
class Series:
    side: str
    name: str
    colour: str
    dash: str
    stroke_width: float
    marker: str
    marker_size: float
    points: list[Point] = field(default_factory=list)

    @property
    def path(self) -> str:
        return " ".join(
            f"{'M' if i == 0 else 'L'}{p.x:.1f},{p.y:.1f}" for i, p in enumerate(self.points)
        )


@dataclass
class Label:
    """An x-axis label: `anchor` is the SVG text-anchor at `x`."""

    x: float
    text: str
    anchor: str = "middle"

    @property
    def width(self) -> float:
        return text_width(self.text)

    @property
    def left(self) -> float:
        return {"start": self.x, "middle": self.x - self.width / 2, "end": self.x - self.width}[
            self.anchor
        ]

    @property
    def right(self) -> float:
        return self.left + self.width


@dataclass
class LegendEntry:
    """One side in the legend: a line sample with its marker, then its name."""

    series: Series
    x: float
    y: float  # the middle of the row

    @property
    def sample_end(self) -> float:
        return self.x + LEGEND_SAMPLE

    @property
    def marker(self) -> Point:
        size = self.series.marker_size
        return Point(x=self.x + LEGEND_SAMPLE / 2, y=self.y, value=0, label="", size=size)

    @property
    def text_x(self) -> float:
        return self.sample_end + 6

    @property
    def width(self) -> float:
        return LEGEND_SAMPLE + 6 + text_width(self.series.name)

    @property
    def box(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of all the entry draws."""
        half = max(LEGEND_ROW / 2 - 2, self.series.marker_size / 2)
        return (self.x, self.y - half, self.x + self.width, self.y + half)


@dataclass
class Chart:
    key: str
    title: str
    description: str
    width: int
    height: int
    series: list[Series]
    labels: list[Label]
    y_ticks: list[tuple[float, int]]
    legend: list[LegendEntry]
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = PLOT_HEIGHT - BOTTOM
    y_label_x: int = LEFT - 8
    x_label_y: int = PLOT_HEIGHT - BOTTOM + 20
    font_size: int = FONT_SIZE

    @property
    def x_labels(self) -> list[tuple[float, str]]:
        return [(label.x, label.text) for label in self.labels]


def _y(value: float) -> float:
    low, high = SCALE
    return TOP + (high - value) / (high - low) * (PLOT_HEIGHT - TOP - BOTTOM)


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    if count <= 1:
        return LEFT + span / 2
    return LEFT + index * span / (count - 1)


def x_axis_labels(texts: list[str]) -> list[Label]:
    """The labels to draw under the points: inside the viewBox, none overlapping.

    The last is always drawn, and the first unless the last needs its room; in
    between, each one that keeps `LABEL_GAP` from the one drawn before it.
    """
    count = len(texts)
    labels = [Label(x=_x(i, count), text=text) for i, text in enumerate(texts)]
    for label in labels:
        if label.right > WIDTH - EDGE:
            label.anchor = "end"
            label.x = min(label.x, WIDTH - EDGE)
        elif label.left < EDGE:
            label.anchor = "start"
            label.x = max(label.x, EDGE)
    if count <= 1:
        return labels
    kept = [labels[0]]
    for label in labels[1:-1]:
        if label.left >= kept[-1].right + LABEL_GAP:
            kept.append(label)
    # The last is always drawn; those before it that it would touch give way.
    last = labels[-1]
    while kept and kept[-1].right + LABEL_GAP > last.left:
        kept.pop()
    return [*kept, last]


def legend_rows(series: list[Series], top: float) -> tuple[list[LegendEntry], float]:
    """The legend entries laid out left to right, wrapping to a new row before an
    entry would pass the right edge; and the height the rows take."""
    entries: list[LegendEntry] = []
    x, row = float(LEFT), 0
    for line in series:
        entry = LegendEntry(series=line, x=x, y=top + row * LEGEND_ROW + LEGEND_ROW / 2)
        if entries and entry.x + entry.width > WIDTH - EDGE:
            row += 1
            entry = LegendEntry(
                series=line, x=float(LEFT), y=top + row * LEGEND_ROW + LEGEND_ROW / 2
            )
        entries.append(entry)
        x = entry.x + entry.width + LEGEND_GAP
    return entries, (row + 1) * LEGEND_ROW if entries else 0


def trend_chart(points, key: str, question: str) -> Chart:
    """One chart for one question: a line per side over every shared reflection."""
    texts = [date_format(point.when, "j N Y") for point in points]
    names = {
        Side.MUNICIPALITY.value: _("The municipality"),
        Side.CHALLENGER.value: _("The challenger"),
    }
    series = []
    for side in (Side.MUNICIPALITY.value, Side.CHALLENGER.value):
        style = STYLES[side]
        line = Series(side=side, name=names[side], **style)
        for index, point in enumerate(points):
            value = point.scores[key][side]
            line.points.append(
                Point(
                    x=_x(index, len(points)),
                    y=_y(value),
                    value=value,
                    label=texts[index],
                    size=style["marker_size"],
                )
            )
        series.append(line)
    if points:
        said = "; ".join(
            _("%(side)s: %(values)s")
            % {"side": line.name, "values": ", ".join(str(p.value) for p in line.points)}
            for line in series
        )
        description = _(
            "Scores from 1 to 5 at %(count)d reflections, from %(first)s to %(last)s. %(said)s."
        ) % {"count": len(points), "first": texts[0], "last": texts[-1], "said": said}
    else:
        description = _("No reflection has been shared yet.")
    legend_top = PLOT_HEIGHT - BOTTOM + 34
    legend, legend_height = legend_rows(series, legend_top)
    return Chart(
        key=key,
        title=question,
        description=description,
        width=WIDTH,
        height=int(math.ceil(legend_top + legend_height + 4)),
        series=series,
        labels=x_axis_labels(texts),
        y_ticks=[(_y(v), v) for v in range(SCALE[0], SCALE[1] + 1)],
        legend=legend,
    )
