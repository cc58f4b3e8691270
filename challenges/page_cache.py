"""The public pages, rebuilt only when the log grows.

An anonymous GET (or HEAD) of a public page (home, the challenge list, a challenge
page, the criteria, /log/ and its feed) is served from the cache when nothing it
shows can have changed. A page is stored under its language, path, sorted query
and today's date, together with the version it was rendered for, made of:

- the chain head (size and hash): every change that a public page can show writes
  a timeline event, and every event moves the head, so a new event is visible on
  the very next request. The head is read from the cache (see `_state`), so a
  cache hit runs no query at all;
- a generation number in the cache, bumped with every recorded event (the
  timeline's announcement, `registry.subscribe`) and by `invalidate()` when the
  catalogue, the criteria or the stage targets change in the admin.

The date is in the key because a due date passing turns a challenge "overdue"
without an event; PAGE_CACHE_SECONDS bounds how long such a page can lag. One cache
round trip fetches the generation, the head and the stored page together.

Each cached page carries an ETag (its version) and Last-Modified (the head's
time), and a conditional request that matches gets 304 without rendering.

Only responses without cookies are stored (a page that set a session or CSRF
cookie is personal), and a request that carries pending messages is never served
from the cache. The cache is an optimisation, never a dependency: when the cache
backend fails (Redis down), the page is rendered as if there were no cache.
"""

import hashlib
import logging
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe, quote_etag

from .models import ChainHead

logger = logging.getLogger(__name__)

GENERATION_KEY = "rtc:page-cache:generation"
HEAD_KEY = "rtc:page-cache:head"
HEAD_SECONDS = 5
_STORED_HEADERS = ("Content-Type", "Content-Language", "Content-Disposition", "X-Log-Head")


def invalidate() -> None:
    """Drop every cached page (catalogue, criteria or stage targets changed)."""
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # not set yet
            cache.add(GENERATION_KEY, 1, timeout=None)
    except Exception:
        logger.warning("Could not invalidate the page cache.", exc_info=True)


def on_event_recorded(event) -> None:
    """Subscriber of the timeline: the cached pages go, and once the event is
    committed the cache learns the new head (before the response that made the
    change is sent, so the next request sees it)."""
    invalidate()
    transaction.on_commit(_refresh_head)


def _head_from_database() -> tuple[int, str, object]:
    row = (
        ChainHead.objects.filter(pk=ChainHead.SINGLETON)
        .values_list("size", "hash", "updated_at")
        .first()
    )
    return row or (0, "", None)


def _state(page_key: str) -> tuple[int, tuple, object] | None:
    """(generation, head, the stored page or None) in one cache round trip; None
    when the cache is down.

    The head is kept in the cache too (set when an event is committed, and read
    from the database when missing), so a cache hit needs no query. It lives at most
    HEAD_SECONDS, which bounds how stale a page can be where web processes do not
    share one cache (the production shape shares Redis: there it is exact)."""
    try:
        found = cache.get_many([GENERATION_KEY, HEAD_KEY, page_key])
    except Exception:  # the cache backend is down: no cache at all
        logger.warning("Page cache unavailable; rendering without it.", exc_info=True)
        return None
    head = found.get(HEAD_KEY)
    if head is None:
        head = _head_from_database()
        _remember_head(head)
    return int(found.get(GENERATION_KEY) or 0), head, found.get(page_key)


def _remember_head(head) -> None:
    try:
        cache.set(HEAD_KEY, head, timeout=HEAD_SECONDS)
    except Exception:
        logger.warning("Could not store the chain head in the cache.", exc_info=True)


def _refresh_head() -> None:
    _remember_head(_head_from_database())


def _cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD") or not settings.PAGE_CACHE_SECONDS:
        return False
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return False
    # Pending messages (a "signed out" notice) belong to this reader only.
    return not any(True for _message in messages.get_messages(request))


def _page_key(request) -> str:
    """Where a page is stored: its language, path, sorted query and the date. The
    stored value names the generation and head it was rendered for."""
    query = "&".join(sorted(request.GET.urlencode().split("&"))) if request.GET else ""
    parts = [
        translation.get_language() or "",
        request.path,
        query,
        timezone.localdate().isoformat(),
    ]
    return "rtc:page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _version(page_key: str, generation: int, head) -> str:
    """The page's version (its ETag): the page, the generation and the head."""
    size, digest, _updated = head
    text = f"{page_key}\n{generation}\n{size}:{digest}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _not_modified(request, etag: str, last_modified: int | None) -> bool:
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        return etag in {tag.strip() for tag in if_none_match.split(",")} or if_none_match == "*"
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return since is not None and last_modified is not None and last_modified <= since


def _finish(request, response, etag: str, last_modified: int | None):
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    # Browsers and proxies may keep it, but must ask again (and get a 304).
    response["Cache-Control"] = "no-cache"
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


def cached_public_page(view):
    """Serve `view` from the page cache for anonymous readers (module docstring)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        page_key = _page_key(request)
        state = _state(page_key)
        if state is None:
            return view(request, *args, **kwargs)
        generation, head, stored = state
        version = _version(page_key, generation, head)
        etag = quote_etag(version)
        updated = head[2]
        last_modified = int(updated.timestamp()) if updated else None
        if _not_modified(request, etag, last_modified):
            return _finish(request, HttpResponseNotModified(), etag, last_modified)
        if stored is not None and stored[0] == version:
            _version_, status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers.items():
                response[name] = value
            return _finish(request, response, etag, last_modified)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        personal = (
            response.cookies
            or response.has_header("Set-Cookie")
            or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            or getattr(getattr(request, "session", None), "modified", False)
        )
        if response.status_code == 200 and not response.streaming and not personal:
            headers = {
                name: response[name] for name in _STORED_HEADERS if response.has_header(name)
            }
            try:
                cache.set(
                    page_key,
                    (version, response.status_code, headers, response.content),
                    timeout=settings.PAGE_CACHE_SECONDS,
                )
            except Exception:
                logger.warning("Could not store a page in the cache.", exc_info=True)
            return _finish(request, response, etag, last_modified)
        return response

    return wrapper
