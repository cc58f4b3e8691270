"""Response headers that Django's SecurityMiddleware does not set.

`PermissionsPolicyMiddleware` sets a Permissions-Policy header on every response:
the portal is forms and text, so no page (nor anything framed in it) may use the
camera, the microphone, the location or other powerful browser features. WebAuthn
(`publickey-credentials-*`) is left at the browser's default (this origin only) on
purpose, so that security keys can be used for two-factor login.

Only features that browsers know are listed: an unknown feature name makes Chromium
log an error on every page. The Content-Security-Policy header comes from
django-csp (`CONTENT_SECURITY_POLICY` in the settings).
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

HEADER = "Permissions-Policy"

# Each feature with an empty allowlist: refused to this page and to every frame.
DISABLED_FEATURES = (
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)

PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in DISABLED_FEATURES)


class PermissionsPolicyMiddleware:
    """Add the Permissions-Policy header unless the response already has one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault(HEADER, PERMISSIONS_POLICY)
        return response
