"""Rate limits on what a person writes: so many supports, questions, answers,
reports and messages per hour.

A fixed window of one clock hour per person and action, counted in the shared cache
(Redis; `core.cache.FallbackRedisCache` keeps counting in each process's memory
while Redis is down). `settings.COMMUNITY_RATE_LIMITS` overrides the defaults of
`constants.RATE_LIMIT_DEFAULTS`; 0 switches an action's limit off.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache

from .constants import RATE_LIMIT_DEFAULTS

logger = logging.getLogger(__name__)
WINDOW_SECONDS = 3600


def limit_for(action: str) -> int:
    limits = {**RATE_LIMIT_DEFAULTS, **getattr(settings, "COMMUNITY_RATE_LIMITS", {})}
    return int(limits[action])


def consume(*, action: str, user) -> bool:
    """Count one `action` by `user`; False when they reached the hour's limit (then
    the attempt is not counted)."""
    limit = limit_for(action)
    if limit <= 0:
        return True
    window = int(time.time() // WINDOW_SECONDS)
    key = f"rtc:community:rate:{action}:{user.pk}:{window}"
    try:
        cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
        count = cache.incr(key)
    except Exception:  # a cache that fails counts nothing: allow, and say so
        logger.warning("Community rate limit not counted (cache failed).", exc_info=True)
        return True
    if count > limit:
        try:
            cache.decr(key)
        except Exception:  # noqa: S110 (only the count of a refused attempt)
            pass
        return False
    return True
