"""The API's rate limits, counted per client address.

Django REST Framework's own throttles tell the client by REMOTE_ADDR or their own
X-Forwarded-For rule; here the client is who core/client_ip.py says it is, the same
answer allauth's rate limits use, so TRUSTED_PROXY_COUNT and TRUSTED_CLIENT_IP_HEADER
apply and a client cannot choose its own address by sending X-Forwarded-For.

The rates are read when a request comes in, not when this module is imported, so a
changed REST_FRAMEWORK setting (a test's override) applies at once. A cache that is
down lets requests through: the limit protects the portal, it must not take it down.
"""

import logging

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from core.client_ip import client_ip

logger = logging.getLogger(__name__)


class _ClientAddressMixin:
    def get_ident(self, request) -> str:
        django_request = getattr(request, "_request", request)
        return client_ip(django_request) or "unknown"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:
            logger.warning(
                "API rate limit unavailable; letting the request through.", exc_info=True
            )
            return True


class ClientAnonRateThrottle(_ClientAddressMixin, AnonRateThrottle):
    """Anonymous readers: API_THROTTLE_ANON per client address."""


class ClientUserRateThrottle(_ClientAddressMixin, UserRateThrottle):
    """Logged-in readers: API_THROTTLE_USER per account (anonymous ones: per address)."""
