"""The reflection trend as an accessible inline SVG line chart.

The chart is an image with a title and a description that says the numbers in
words; the page puts a real table with the same numbers next to it. Both sides are
told apart by colour, line style and marker shape, not by colour alone.
"""

from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .constants import Side

WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 14, 44
SCALE = (1, 5)

STYLES = {
    Side.MUNICIPALITY.value: {"colour": "#24578f", "dash": "", "marker": "circle"},
    Side.CHALLENGER.value: {"colour": "#8a4b00", "dash": "6 4", "marker": "square"},
}


@dataclass
class Point:
    x: float
    y: float
    value: int
    label: str

    @property
    def left(self) -> float:
        return self.x - 5

    @property
    def top(self) -> float:
        return self.y - 5


@dataclass
class Series:
    side: str
    name: str
    colour: str
    dash: str
    marker: str
    points: list[Point] = field(default_factory=list)

    @property
    def path(self) -> str:
        return " ".join(
            f"{'M' if i == 0 else 'L'}{p.x:.1f},{p.y:.1f}" for i, p in enumerate(self.points)
        )


@dataclass
class Chart:
    key: str
    title: str
    description: str
    width: int
    height: int
    series: list[Series]
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM
    y_label_x: int = LEFT - 8
    x_label_y: int = HEIGHT - BOTTOM + 20


def _y(value: float) -> float:
    low, high = SCALE
    return TOP + (high - value) / (high - low) * (HEIGHT - TOP - BOTTOM)


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    if count <= 1:
        return LEFT + span / 2
    return LEFT + index * span / (count - 1)


def trend_chart(points, key: str, question: str) -> Chart:
    """One chart for one question: a line per side over every shared reflection."""
    labels = [date_format(point.when, "j M Y") for point in points]
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
                Point(x=_x(index, len(points)), y=_y(value), value=value, label=labels[index])
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
        ) % {"count": len(points), "first": labels[0], "last": labels[-1], "said": said}
    else:
        description = _("No reflection has been shared yet.")
    return Chart(
        key=key,
        title=question,
        description=description,
        width=WIDTH,
        height=HEIGHT,
        series=series,
        x_labels=[(_x(i, len(points)), label) for i, label in enumerate(labels)],
        y_ticks=[(_y(v), v) for v in range(SCALE[0], SCALE[1] + 1)],
    )
