"""A Redis cache that falls back to this process's memory while Redis is down.

The shared cache holds things the portal can do without for a while (cached pages,
rendered events, counts) and one thing it cannot: allauth's rate limits, which a
login, a sign-up and a password reset read and write. With Django's plain
`RedisCache` a stopped Redis turns every one of those requests into a 500, so
nobody can log in during a broker outage. This backend answers every call from
Redis while it works; when Redis raises (connection refused, timeout), it logs a
warning once, answers from a local-memory cache instead and tries Redis again
after `FALLBACK_RETRY_SECONDS` (default 5; in between no call waits for Redis).
When Redis answers again it logs that once and is used again.

What the fallback means while it lasts: the rate limits hold per web process (a
gunicorn with 3 workers allows at most 3 times the limit; each process still
limits), cached pages and fragments are per process, and what was written to the
local cache is not copied to Redis afterwards (counts and pages are rebuilt; a page
is keyed on the chain head, so an event recorded during the outage is shown at
once afterwards too). Sessions do not live in the cache (the database backend).

Configured in settings as::

    CACHES = {"default": {
        "BACKEND": "core.cache.FallbackRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        "FALLBACK_RETRY_SECONDS": 5,
    }}
"""

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

try:  # redis-py is there whenever this backend is configured (celery[redis])
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover
    RedisError = OSError

_FAILURES = (RedisError, OSError)

_METHODS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


class FallbackRedisCache(RedisCache):
    """`RedisCache`, with a local-memory cache standing in while Redis fails."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self.retry_seconds = float(params.get("FALLBACK_RETRY_SECONDS", 5))
        local_params = {
            key: params[key] for key in ("TIMEOUT", "KEY_PREFIX", "VERSION") if key in params
        }
        self.local = LocMemCache(f"fallback-{id(self)}", local_params)
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _failed(self, error: Exception) -> None:
        with self._lock:
            first = self._down_until == 0.0
            self._down_until = time.monotonic() + self.retry_seconds
        if first:
            logger.warning(
                "The shared cache (Redis) failed (%s); using this process's memory until "
                "it answers again.",
                error,
            )

    def _recovered(self) -> None:
        with self._lock:
            was_down = self._down_until != 0.0
            self._down_until = 0.0
        if was_down:
            logger.warning("The shared cache (Redis) answers again; using it.")

    def _call(self, name: str, *args, **kwargs):
        if self.is_down:
            return getattr(self.local, name)(*args, **kwargs)
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except _FAILURES as error:
            self._failed(error)
            return getattr(self.local, name)(*args, **kwargs)
        if self._down_until:
            self._recovered()
        return result


def _delegate(name: str):
    def method(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"`{name}` on Redis, or on the local memory while Redis fails."
    return method


for _name in _METHODS:
    setattr(FallbackRedisCache, _name, _delegate(_name))
