"""Production: PostgreSQL, Redis, Celery workers; hardened for `check --deploy`."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import EMAIL_BACKEND, EMAIL_HOST, SECRET_KEY, env_bool

if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")

# Mail must be delivered: without EMAIL_HOST, base.py would print it to the console,
# and nobody could confirm an address or reset a password. EMAIL_BACKEND (read only
# here): a backend that delivers without an SMTP server, such as an e-mail
# provider's API; unset, SMTP to EMAIL_HOST.
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
UNDELIVERED_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
}
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "").strip() or EMAIL_BACKEND
if EMAIL_BACKEND in UNDELIVERED_BACKENDS or (EMAIL_BACKEND == SMTP_BACKEND and not EMAIL_HOST):
    raise ImproperlyConfigured(
        "EMAIL_HOST must be set in production (the SMTP server), or EMAIL_BACKEND to a "
        f"backend that delivers mail without one; {EMAIL_BACKEND} would not deliver it."
    )

DEBUG = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# A monitor asks /health/ over plain HTTP inside the network; it must get the answer,
# not a redirect (the answer holds nothing without the token).
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
