"""The figures of the dashboard and the statistics page as tables: the same rows feed
the HTML table, its chart and its CSV download, so the three never disagree."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from notifications.selectors import delivery_health
from partnerships.constants import REFLECTION_QUESTIONS

from . import charts, selectors


@dataclass
class Cell:
    text: str
    href: str = ""
    numeric: bool = False
    raw: object = None  # the value in the CSV (text when None)

    @property
    def csv_value(self):
        return self.text if self.raw is None else self.raw


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    empty: str = ""
    chart: object = None
    note: str = ""
    more: int = 0  # rows left out of the page (all of them are in the CSV)

    def csv_response(self, filename: str) -> HttpResponse:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(["" if c.csv_value is None else c.csv_value for c in row])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response


def _num(value, *, decimals: int | None = None) -> Cell:
    if value is None:
        return Cell("–", numeric=True, raw="")
    if decimals is not None:
        return Cell(number_format(value, decimal_pos=decimals), numeric=True, raw=value)
    return Cell(number_format(value), numeric=True, raw=value)


def _share(value) -> Cell:
    if value is None:
        return Cell("–", numeric=True, raw="")
    return Cell(f"{number_format(value * 100, decimal_pos=0)}%", numeric=True, raw=value)


def _when(moment) -> Cell:
    if moment is None:
        return Cell("–", raw="")
    return Cell(date_format(timezone.localtime(moment), "DATE_FORMAT"), raw=moment.isoformat())


def _day(day) -> Cell:
    return Cell(date_format(day, "DATE_FORMAT"), raw=day.isoformat())


def _admin_link(challenge) -> Cell:
    return Cell(
        challenge.reference or str(challenge.pk),
        href=reverse("admin:challenges_challenge_change", args=[challenge.pk]),
    )


def _list_url(filters: selectors.Filters, status: str) -> str:
    return f"{reverse('challenges:list')}?{urlencode({'status': status, **filters.query()})}"


# -- The dashboard ------------------------------------------------------------------------

# How many rows of a long list the page shows (every row is in its CSV).
PAGE_ROWS = 50


def _cut(table: Table, limit: int | None, count) -> Table:
    """On the page: say how many rows the CSV has beyond the `limit` shown. Always
    counted, so the page runs the same queries however many rows there are."""
    if limit is not None:
        table.more = max(0, count() - len(table.rows))
    return table


def pipeline_table(filters: selectors.Filters, *, limit=None) -> Table:
    stops = selectors.pipeline(filters)
    table = Table(
        key="pipeline",
        title=_("Pipeline"),
        columns=[_("Stage"), _("Challenges"), _("On the main line")],
        rows=[
            [
                Cell(stop.label, href=_list_url(filters, stop.status), raw=stop.status),
                _num(stop.count),
                Cell(_("yes") if stop.main_line else _("no, beside it")),
            ]
            for stop in stops
        ],
    )
    described = ", ".join(f"{stop.label}: {stop.count}" for stop in stops)
    table.chart = charts.stops_chart(
        key="pipeline",
        title=_("Challenges per stage"),
        desc=_("The stages in order, with the number of challenges in each: %(figures)s.")
        % {"figures": described},
        stops=stops,
    )
    return table


def lead_time_table(filters: selectors.Filters, *, limit=None) -> Table:
    times = selectors.lead_times(filters)
    table = Table(
        key="lead-times",
        title=_("Lead time per stage"),
        columns=[
            _("Stage"),
            _("Stays ended in the period"),
            _("Median (days)"),
            _("90th percentile (days)"),
        ],
        rows=[
            [
                Cell(t.label, raw=t.status),
                _num(t.stays),
                _num(t.median_days, decimals=1),
                _num(t.p90_days, decimals=1),
            ]
            for t in times
        ],
        note=_(
            "How long challenges stayed in a stage, from the stage change into it to the "
            "next one; only stays that ended in the chosen period count."
        ),
    )
    described = "; ".join(
        _("%(stage)s: median %(median)s, 90th percentile %(p90)s")
        % {
            "stage": t.label,
            "median": "–" if t.median_days is None else number_format(t.median_days, 1),
            "p90": "–" if t.p90_days is None else number_format(t.p90_days, 1),
        }
        for t in times
    )
    table.chart = charts.bar_chart(
        key="lead-times",
        title=_("Lead time per stage in days"),
        desc=_("Days per stage. %(figures)s.") % {"figures": described},
        labels=[t.label for t in times],
        values=[[t.median_days, t.p90_days] for t in times],
        series=[_("Median"), _("90th percentile")],
    )
    return table


def overdue_table(filters: selectors.Filters, *, limit=None) -> Table:
    rows = selectors.overdue(filters, limit=limit)
    table = Table(
        key="overdue",
        title=_("Overdue"),
        columns=[
            _("Challenge"),
            _("Title"),
            _("Stage"),
            _("Response due"),
            _("Days past the target"),
            _("Contact person (municipality)"),
            _("Assigned reviewer"),
        ],
        rows=[
            [
                _admin_link(row.challenge),
                Cell(row.challenge.title),
                Cell(row.challenge.get_status_display(), raw=row.challenge.status),
                _when(row.challenge.due_at),
                _num(row.days_past),
                Cell(row.contact_person or _("none")),
                Cell(row.reviewer or _("none")),
            ]
            for row in rows
        ],
        empty=_("Nothing is past its target."),
    )
    return _cut(table, limit, selectors.overdue_challenges(filters).count)


def knots_table(filters: selectors.Filters, *, limit=None) -> Table:
    today = timezone.localdate()
    table = Table(
        key="knots",
        title=_("Open knots"),
        columns=[_("Decision needed by"), _("Challenge"), _("Blocking question"), _("Overdue")],
        rows=[
            [
                _day(knot.needed_by),
                _admin_link(knot.challenge),
                Cell(knot.question),
                Cell(_("yes") if knot.needed_by < today else _("no")),
            ]
            for knot in selectors.open_knots(filters)[:limit]
        ],
        empty=_("No knot is open."),
    )
    return _cut(table, limit, selectors.open_knots(filters).count)


def partnerships_table(filters: selectors.Filters, *, limit=None) -> Table:
    health = selectors.partnership_health(filters, limit=limit)
    questions = [str(label) for _key, label in REFLECTION_QUESTIONS]
    rows = []
    for item in health:
        trend = item.trend
        if trend is None:
            trend_cell = Cell("–", raw="")
        else:
            word = _("up") if trend > 0 else _("down") if trend < 0 else _("same")
            trend_cell = Cell(f"{word} ({number_format(trend, 2)})", raw=trend)
        rows.append(
            [
                _admin_link(item.challenge),
                Cell(item.challenge.title),
                _when(item.latest_at),
                *[_num(item.scores.get(key), decimals=1) for key, _label in REFLECTION_QUESTIONS],
                _num(item.overall, decimals=2),
                trend_cell,
                Cell(_("yes: none in the period") if item.missing else _("no"), raw=item.missing),
            ]
        )
    table = Table(
        key="partnerships",
        title=_("Partnership health"),
        columns=[
            _("Challenge"),
            _("Title"),
            _("Latest reflection"),
            *questions,
            _("Mean"),
            _("Trend since the previous one"),
            _("Reflection missing"),
        ],
        rows=rows,
        empty=_("No partnership is in execution or evaluation."),
        note=_(
            "Scores from 1 to 5, the mean of both sides, at the latest shared reflection. "
            "A reflection is missing when none was shared in the last %(days)s days."
        )
        % {"days": settings.REFLECTION_PROMPT_DAYS},
    )
    shown = [item for item in health if item.overall is not None]
    table.chart = charts.bar_chart(
        key="partnerships",
        title=_("Mean reflection score per partnership"),
        desc=_("The mean score (1 to 5) at the latest shared reflection: %(figures)s.")
        % {
            "figures": ", ".join(
                f"{item.challenge.reference}: {number_format(item.overall, 2)}" for item in shown
            )
            or _("no reflection was shared yet")
        },
        labels=[item.challenge.reference or str(item.challenge.pk) for item in shown],
        values=[[item.overall] for item in shown],
        series=[_("Mean score")],
    )
    if not shown:  # no reflection shared yet: the table says it, a chart would be empty
        table.chart = None
    return _cut(table, limit, selectors.partnerships_in_view(filters).count)


def silent_table(filters: selectors.Filters, *, limit=None) -> Table:
    days = settings.SILENT_DAYS
    table = Table(
        key="silent",
        title=_("Silent challenges"),
        columns=[_("Challenge"), _("Title"), _("Stage"), _("Last event"), _("Days silent")],
        rows=[
            [
                _admin_link(challenge),
                Cell(challenge.title),
                Cell(challenge.get_status_display(), raw=challenge.status),
                _when(challenge.last_event_at),
                _num(challenge.silent_days),
            ]
            for challenge in selectors.silent_challenges(filters, limit=limit)
        ],
        empty=_("Every open challenge had news in the last %(days)s days.") % {"days": days},
        note=_("Open challenges without any event for %(days)s days or more.") % {"days": days},
    )
    return _cut(table, limit, selectors.silent_query(filters).count)


def delivery_table(filters: selectors.Filters, *, limit=None) -> Table:
    health = delivery_health()
    rows = [
        [Cell(_("Waiting to be sent")), _num(health.pending)],
        [Cell(_("Of those, being retried")), _num(health.retrying)],
        [Cell(_("Failed for good")), _num(health.failed)],
        [Cell(_("Oldest waiting since")), _when(health.oldest_pending_at)],
        [Cell(_("Next attempt")), _when(health.next_attempt_at)],
        [
            Cell(_("Mail server unreachable since")),
            _when(health.outage.started_at) if health.outage else Cell(_("no outage"), raw=""),
        ],
    ]
    return Table(
        key="delivery",
        title=_("Delivery of notifications"),
        columns=[_("Measure"), _("Value")],
        rows=rows,
    )


def backlog_table(filters: selectors.Filters, *, limit=None) -> Table:
    rows = []
    for note in selectors.delivery_backlog():
        challenge = note.event.challenge
        rows.append(
            [
                _when(note.created_at),
                Cell(note.get_status_display(), raw=note.status),
                _num(note.attempts),
                Cell(note.event.get_code_display(), raw=note.event.code),
                Cell(challenge.reference or str(challenge.pk)),
            ]
        )
    return Table(
        key="backlog",
        title=_("Oldest e-mails waiting or failed"),
        columns=[_("Created"), _("Status"), _("Attempts"), _("Event"), _("Challenge")],
        rows=rows,
        empty=_("No e-mail is waiting or failed."),
    )


DASHBOARD_TABLES: dict[str, Callable[..., Table]] = {
    "pipeline": pipeline_table,
    "lead-times": lead_time_table,
    "overdue": overdue_table,
    "knots": knots_table,
    "partnerships": partnerships_table,
    "silent": silent_table,
    "delivery": delivery_table,
    "backlog": backlog_table,
}


# -- The public statistics ----------------------------------------------------------------


def statistics_tables(stats: dict) -> dict[str, Table]:
    """The tables of the statistics page, from `selectors.public_statistics()`."""
    stages = Table(
        key="stages",
        title=_("Challenges per stage"),
        columns=[_("Stage"), _("Challenges")],
        rows=[[Cell(r["label"], raw=r["status"]), _num(r["count"])] for r in stats["stages"]],
    )
    stages.chart = charts.bar_chart(
        key="stages",
        title=_("Challenges per stage"),
        desc=", ".join(f"{r['label']}: {r['count']}" for r in stats["stages"]),
        labels=[r["label"] for r in stats["stages"]],
        values=[[r["count"]] for r in stats["stages"]],
        series=[_("Challenges")],
    )
    tables = {"stages": stages}
    for key, title, column in (
        ("neighbourhoods", _("Challenges per neighbourhood"), _("Neighbourhood")),
        ("tasks", _("Challenges per task"), _("Task")),
    ):
        rows = stats[key]
        table = Table(
            key=key,
            title=title,
            columns=[column, _("Challenges")],
            rows=[[Cell(r["name"]), _num(r["count"])] for r in rows],
            empty=_("None yet."),
        )
        table.chart = charts.bar_chart(
            key=key,
            title=title,
            desc=", ".join(f"{r['name']}: {r['count']}" for r in rows) or _("None yet."),
            labels=[r["name"] for r in rows],
            values=[[r["count"]] for r in rows],
            series=[_("Challenges")],
        )
        tables[key] = table
    decision, decisions = stats["decision_time"], stats["decisions"]
    tables["summary"] = Table(
        key="summary",
        title=_("Decisions and partnerships"),
        columns=[_("Measure"), _("Value")],
        rows=[
            [Cell(_("Challenges submitted")), _num(stats["total"])],
            [Cell(_("Challenges decided")), _num(decision["decided"])],
            [
                Cell(_("Median days from submission to decision")),
                _num(decision["median_days"], decimals=1),
            ],
            [Cell(_("Target in days")), _num(decision["target_days"])],
            [Cell(_("Decided within the target")), _share(decision["share_within_target"])],
            [Cell(_("Accepted")), _num(decisions["accepted"])],
            [Cell(_("Rejected")), _num(decisions["rejected"])],
            [Cell(_("Share accepted")), _share(decisions["share_accepted"])],
            [Cell(_("Active partnerships")), _num(stats["active_partnerships"])],
        ],
    )
    return tables


STATISTICS_TABLES = ("stages", "neighbourhoods", "tasks", "summary")
