"""The coordinator's dashboard, the public statistics and the open data.

The dashboard is the Coordinator group's (404 for whoever is not staff, 403 for staff
without the role). Statistics and open data are public and read only public data;
the HTML pages come from the page cache (`cached_public_page`), the streamed
datasets never sit in memory.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from challenges.page_cache import cached_public_page

from . import opendata, permissions, selectors, tables
from .forms import DashboardFilterForm


def _coordinator_only(request) -> None:
    if not permissions.knows_dashboard(request.user):
        raise Http404
    if not permissions.can_see_dashboard(request.user):
        raise PermissionDenied


@require_GET
def dashboard(request):
    _coordinator_only(request)
    form = DashboardFilterForm(request.GET or None)
    filters = form.filters()
    sections = [
        build(filters, limit=tables.PAGE_ROWS) for build in tables.DASHBOARD_TABLES.values()
    ]
    return render(
        request,
        "insights/dashboard.html",
        {"form": form, "sections": sections, "query": form.query()},
    )


@require_GET
def dashboard_csv(request, table):
    _coordinator_only(request)
    build = tables.DASHBOARD_TABLES.get(table)
    if build is None:
        raise Http404
    form = DashboardFilterForm(request.GET or None)
    return build(form.filters()).csv_response(f"dashboard-{table}")


@require_GET
@cached_public_page
def statistics(request):
    stats = selectors.public_statistics()
    return render(
        request,
        "insights/statistics.html",
        {"stats": stats, "sections": list(tables.statistics_tables(stats).values())},
    )


@require_GET
@cached_public_page
def statistics_csv(request, table):
    if table not in tables.STATISTICS_TABLES:
        raise Http404
    found = tables.statistics_tables(selectors.public_statistics())[table]
    return found.csv_response(f"statistics-{table}")


@require_GET
@cached_public_page
def open_data(request):
    return render(
        request,
        "insights/open_data.html",
        {
            "columns": opendata.COLUMNS,
            "license": opendata.open_license(),
            "datasets": opendata.datasets(request),
        },
    )


@require_GET
def challenges_csv(request):
    return opendata.csv_download()


@require_GET
def challenges_json(request):
    return opendata.json_download(request)


@require_GET
@cached_public_page
def catalog(request):
    response = JsonResponse(opendata.catalog(request), json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/ld+json; charset=utf-8"
    response["Access-Control-Allow-Origin"] = "*"
    return response
