"""Accessible inline SVG charts drawn by the server, from the same figures as the table
beside them.

A chart is an image (`role="img"`) named by its `<title>` and described by its `<desc>`,
which says the figures in words; the page always shows a table with the same numbers
next to it, so the chart is never the only way to read them. Series are told apart by
their fill pattern and the value written beside every bar, not by colour alone. No
style attributes (the Content-Security-Policy allows none): classes from
static/css/insights.css, and presentation attributes only.

The templates draw the SVG (`insights/_bar_chart.html`, `insights/_stops_chart.html`);
this module only computes the geometry.
"""

from dataclasses import dataclass, field

from django.utils.formats import number_format

LABEL_WIDTH = 190
BAR_AREA = 260
VALUE_WIDTH = 70
WIDTH = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
BAR_HEIGHT = 16
ROW_GAP = 10
TOP = 8
# SVG text does not wrap: longer labels are cut in the chart (the table has them whole).
LABEL_CHARACTERS = 26


def _short(label: str) -> str:
    label = str(label)
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def _number(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return number_format(value, decimal_pos=1)
    return number_format(value)


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    text: str
    text_x: float
    text_y: float


@dataclass
class Row:
    label: str
    label_y: float
    bars: list[Bar] = field(default_factory=list)


@dataclass
class BarChart:
    """A horizontal bar chart: one row per label, one bar per series in each row."""

    key: str
    title: str
    desc: str
    series: list[str]
    rows: list[Row]
    height: float
    width: int = WIDTH
    label_width: int = LABEL_WIDTH

    @property
    def title_id(self) -> str:
        return f"chart-{self.key}-title"

    @property
    def desc_id(self) -> str:
        return f"chart-{self.key}-desc"

    @property
    def axis_x(self) -> int:
        return LABEL_WIDTH


def bar_chart(
    *, key: str, title: str, desc: str, labels: list, values: list[list], series: list[str]
) -> BarChart:
    """`values[i][s]` is the value of series `s` in row `i` (None: no bar)."""
    numbers = [v for row in values for v in row if v is not None]
    top = max(numbers, default=0) or 1
    per_row = BAR_HEIGHT * len(series) + ROW_GAP
    rows = []
    for index, (label, row_values) in enumerate(zip(labels, values, strict=True)):
        y0 = TOP + index * per_row
        row = Row(label=_short(label), label_y=y0 + BAR_HEIGHT * len(series) / 2 + 5)
        for s, value in enumerate(row_values):
            y = y0 + s * BAR_HEIGHT
            width = 0 if value is None else max(1.0, BAR_AREA * value / top) if value else 0
            row.bars.append(
                Bar(
                    x=LABEL_WIDTH,
                    y=y + 1,
                    width=round(width, 1),
                    height=BAR_HEIGHT - 2,
                    css=f"rtc-chart__bar rtc-chart__bar--{s + 1}",
                    text=_number(value),
                    text_x=round(LABEL_WIDTH + width + 4, 1),
                    text_y=y + BAR_HEIGHT - 4,
                )
            )
        rows.append(row)
    return BarChart(
        key=key,
        title=title,
        desc=desc,
        series=series,
        rows=rows,
        height=TOP * 2 + max(1, len(rows)) * per_row,
    )


@dataclass
class StopMark:
    label: str
    count: int
    cy: float
    bar_width: float
    main_line: bool


@dataclass
class StopsChart:
    """The pipeline as a line of stops, top to bottom, with the count at each."""

    key: str
    title: str
    desc: str
    stops: list[StopMark]
    height: float
    line_end: float
    width: int = WIDTH

    @property
    def title_id(self) -> str:
        return f"chart-{self.key}-title"

    @property
    def desc_id(self) -> str:
        return f"chart-{self.key}-desc"


STOP_GAP = 34
STOP_TOP = 22


def stops_chart(*, key: str, title: str, desc: str, stops) -> StopsChart:
    top = max((stop.count for stop in stops), default=0) or 1
    marks = []
    main_count = sum(1 for stop in stops if stop.main_line)
    for index, stop in enumerate(stops):
        # A gap between the main line and the stops beside it.
        cy = STOP_TOP + index * STOP_GAP + (STOP_GAP / 2 if not stop.main_line else 0)
        marks.append(
            StopMark(
                label=_short(stop.label),
                count=stop.count,
                cy=cy,
                bar_width=round(200 * stop.count / top, 1),
                main_line=stop.main_line,
            )
        )
    line_end = STOP_TOP + (main_count - 1) * STOP_GAP if main_count else STOP_TOP
    return StopsChart(
        key=key,
        title=title,
        desc=desc,
        stops=marks,
        height=STOP_TOP * 2 + len(stops) * STOP_GAP,
        line_end=line_end,
    )
