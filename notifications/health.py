"""`/health/`: is the portal up, for a load balancer, compose and monitoring.

Anonymous callers learn one word: `{"status": "up"}` (200), `{"status": "degraded"}`
(200: the database works, the broker does not, so pages and forms work and e-mail
waits in the outbox) or `{"status": "down"}` (503: the database is unreachable).
With `Authorization: Bearer <HEALTH_TOKEN>`, or for a logged-in staff member, the
answer adds the details: database, broker and cache, and the e-mail outbox
(`selectors.delivery_health`: queue depth, the oldest pending row's age, failed
rows, the current mail outage). It names no host, URL or password.

It lives in notifications because the outbox is what it reports on besides the
database and the broker; it needs no login and sets no cookie.
"""

import hmac
import logging

from celery import current_app
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import selectors

logger = logging.getLogger(__name__)

BROKER_TIMEOUT = 0.5  # seconds: a health check must answer quickly


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure of the database is "down", never a 500
        logger.warning("Health check: the database is unreachable.", exc_info=True)
        return False
    return True


def broker_ok() -> bool | None:
    """True or False for a broker that answers or not; None when there is none
    (tasks run in the web process)."""
    # The Celery app's own setting (CELERY_BROKER_URL), as the publishing side uses it.
    url = current_app.conf.broker_url or settings.CELERY_BROKER_URL
    if not url or url.startswith("memory://"):
        return None
    try:
        if url.startswith(("redis://", "rediss://", "unix://")):
            import redis

            client = redis.Redis.from_url(
                url, socket_connect_timeout=BROKER_TIMEOUT, socket_timeout=BROKER_TIMEOUT
            )
            try:
                return bool(client.ping())
            finally:
                client.close()
        from kombu import Connection

        with Connection(url, connect_timeout=BROKER_TIMEOUT) as broker:
            broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)
        return True
    except Exception:  # unreachable, refused, timed out, bad credentials: not ok
        return False


def cache_state() -> str:
    """ "ok", "fallback" (Redis failed: each process uses its own memory, see
    core/cache.py) or "failing"."""
    try:
        cache.get("rtc:health")
    except Exception:
        return "failing"
    return "fallback" if getattr(caches["default"], "is_down", False) else "ok"


def _may_see_details(request, database: bool) -> bool:
    token = settings.HEALTH_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        # As bytes: compare_digest refuses a str with non-ASCII characters.
        given = header.removeprefix("Bearer ").strip().encode("utf-8", "surrogateescape")
        return hmac.compare_digest(given, token.encode("utf-8"))
    if not database:
        return False  # who is logged in lives in the database
    try:
        user = request.user
        return bool(user.is_authenticated and user.is_active and user.is_staff)
    except Exception:
        return False


@never_cache
@require_safe
def health(request):
    database = database_ok()
    broker = broker_ok()
    if not database:
        status, code = "down", 503
    elif broker is False:
        status, code = "degraded", 200
    else:
        status, code = "up", 200
    body: dict = {"status": status}
    if _may_see_details(request, database):
        body["database"] = "ok" if database else "unreachable"
        body["broker"] = {None: "none (tasks run in the web process)", True: "ok"}.get(
            broker, "unreachable"
        )
        body["cache"] = cache_state()
        if database:
            try:
                body["notifications"] = selectors.delivery_health().as_dict()
            except Exception:
                logger.warning("Health check: could not read the outbox.", exc_info=True)
                body["notifications"] = None
    return JsonResponse(body, status=code)
