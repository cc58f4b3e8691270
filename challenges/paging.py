"""Keyset pagination of timeline events by `seq`, newest first.

The process log, its feed, a challenge's timeline and the workspace only ever grow,
so pages are cut by sequence number instead of OFFSET: `?before=<seq>` shows the
entries older than that one, `?after=<seq>` the ones newer. A page costs one query
of at most `size + 1` rows through an index on `seq`, however deep in the archive it
is, and a link keeps pointing at the same entries while new ones arrive. There is no
COUNT(*): a page knows only whether there is more on either side.

A cursor that is not a whole number (typed by hand, cut off) is ignored: the reader
gets the newest page, never an error.
"""

from dataclasses import dataclass, field

from django.db.models import QuerySet

MAX_CURSOR = 2**63 - 1


def _cursor(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= MAX_CURSOR else None


@dataclass
class KeysetPage:
    items: list = field(default_factory=list)
    older: int | None = None  # link to ?before=<older>
    newer: int | None = None  # link to ?after=<newer>

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def is_newest(self) -> bool:
        return self.newer is None

    @property
    def has_other_pages(self) -> bool:
        return self.older is not None or self.newer is not None


def keyset_page(queryset: QuerySet, params, *, size: int) -> KeysetPage:
    """The page of `queryset` (events, any order) that `params` (request.GET) asks for."""
    before = _cursor(params.get("before"))
    after = None if before is not None else _cursor(params.get("after"))
    if after is not None:
        rows = list(queryset.filter(seq__gt=after).order_by("seq")[: size + 1])
        more_newer = len(rows) > size
        items = list(reversed(rows[:size]))
        if not items:  # past the newest entry: show the newest page
            return keyset_page(queryset, {}, size=size)
        return KeysetPage(
            items=items,
            older=items[-1].seq,
            newer=items[0].seq if more_newer else None,
        )
    if before is not None:
        rows = list(queryset.filter(seq__lt=before).order_by("-seq")[: size + 1])
        items = rows[:size]
        return KeysetPage(
            items=items,
            older=items[-1].seq if len(rows) > size else None,
            # Coming from a newer page, there is one; an empty page links back to it.
            newer=items[0].seq if items else before - 1,
        )
    rows = list(queryset.order_by("-seq")[: size + 1])
    items = rows[:size]
    return KeysetPage(items=items, older=items[-1].seq if len(rows) > size else None)
