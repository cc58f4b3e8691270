"""How the API cuts long answers into pages.

- The challenges: page numbers (`?page=2&page_size=50`), newest submission first,
  with the total `count`. One COUNT and one page query, however many there are.
- Timeline events (the process log, a challenge's timeline): a keyset on `seq`,
  oldest first. `?after=<seq>` gives the entries after that one, at most `limit`;
  `next` is the address of the following page (null on the last), and `last_seq`
  the seq to continue from later, so a harvester polls `?after=<last_seq>` and
  never misses or repeats an entry, however many are added in between. A page is
  one query of at most limit + 1 rows through the index on seq, never an OFFSET.
"""

from django.conf import settings
from rest_framework import serializers
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from challenges.paging import MAX_CURSOR

MAX_PAGE_SIZE = 100
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class PageParams(serializers.Serializer):
    page = serializers.IntegerField(required=False, default=1, min_value=1, max_value=MAX_CURSOR)
    page_size = serializers.IntegerField(
        required=False, default=settings.RTC_PAGE_SIZE, min_value=1, max_value=MAX_PAGE_SIZE
    )


class ChallengePagination(PageNumberPagination):
    """Page numbers; a page number or size that is not a whole number in range is
    refused (400), a page past the last one is not found (404)."""

    page_size = settings.RTC_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        params = PageParams(data=query_values(request))
        params.is_valid(raise_exception=True)
        self._page_size = params.validated_data["page_size"]
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request):
        return getattr(self, "_page_size", self.page_size)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "required": False,
                "in": "query",
                "description": "The page number (1: the newest submissions).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_CURSOR},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"Challenges per page (1 to {MAX_PAGE_SIZE}, default "
                f"{settings.RTC_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]


def query_values(request) -> dict:
    """The query parameters as a plain dict (the last value of each), so that a
    parameter given empty is refused like any other invalid value, instead of being
    taken as absent the way an HTML form's empty field is."""
    return dict(request.query_params.items())


class SeqCursorParams(serializers.Serializer):
    after = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        max_value=MAX_CURSOR,
        help_text="Only entries with a larger seq (0: from the start).",
    )
    limit = serializers.IntegerField(
        required=False,
        default=DEFAULT_LIMIT,
        min_value=1,
        max_value=MAX_LIMIT,
        help_text=f"At most this many entries (1 to {MAX_LIMIT}).",
    )


class SeqCursorPagination(BasePagination):
    """Keyset pages of timeline events by seq (module docstring)."""

    def paginate_queryset(self, queryset, request, view=None):
        params = SeqCursorParams(data=query_values(request))
        params.is_valid(raise_exception=True)
        after, limit = params.validated_data["after"], params.validated_data["limit"]
        rows = list(queryset.filter(seq__gt=after).order_by("seq")[: limit + 1])
        items = rows[:limit]
        self.request = request
        self.last_seq = items[-1].seq if items else after
        self.has_more = len(rows) > limit
        return items

    def next_link(self) -> str | None:
        if not self.has_more:
            return None
        return replace_query_param(self.request.build_absolute_uri(), "after", self.last_seq)

    def get_paginated_response(self, data):
        return Response({"next": self.next_link(), "last_seq": self.last_seq, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "last_seq", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page; null when this is the last one.",
                },
                "last_seq": {
                    "type": "integer",
                    "description": "The seq of the last entry on this page (or the "
                    "`after` asked for, when the page is empty): ask `?after=` it later "
                    "for what was added since.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "after",
                "required": False,
                "in": "query",
                "description": "Only entries with a larger seq (0: from the start).",
                "schema": {"type": "integer", "minimum": 0, "maximum": MAX_CURSOR},
            },
            {
                "name": "limit",
                "required": False,
                "in": "query",
                "description": f"At most this many entries (1 to {MAX_LIMIT}, default "
                f"{DEFAULT_LIMIT}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            },
        ]
