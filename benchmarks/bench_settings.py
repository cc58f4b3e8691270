"""Production settings for `make bench`, on loopback: no HTTPS redirect, the bench
database, and a fixed-response baseline view (benchmarks/bench_urls.py)."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
# Production refuses to start without mail; the benchmark sends none (see below).
os.environ.setdefault("EMAIL_HOST", "bench-only.invalid")
# wrk asks from one address: the API's rate limit would answer 429 within a second.
os.environ.setdefault("API_THROTTLE_ANON", "100000000/minute")

from rtc_portal.settings.production import *  # noqa: E402, F403

EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

ROOT_URLCONF = "benchmarks.bench_urls"
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", "/tmp/rtc-bench-static")
LOGGING = {"version": 1, "disable_existing_loggers": False}
