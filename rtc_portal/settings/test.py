"""Settings for `make test`: SQLite unless DATABASE_URL is set, mail to the test outbox."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-insecure-key")
os.environ.setdefault("ACCOUNT_DEFAULT_HTTP_PROTOCOL", "http")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

from .base import *  # noqa: E402,F403
from .base import DATABASES  # noqa: E402

# The fault tests start real Celery workers that record what they send in a file
# (tests/notifications/recording_backend.py); everything else uses the test outbox.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
# Uploaded files of a test run go to a temporary folder, never into the repository.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="rtc-test-media-"))
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The browser tests need the real static files; the live server serves them.
DEBUG = False
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # RTC_TEST_DATABASE_NAME: another name lets two test runs share one server.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get(
        "RTC_TEST_DATABASE_NAME", "test_rtc_portal"
    )
# The API's rate limits are tested on purpose (tests/api/test_api_throttling.py); other
# tests may call it as often as they like.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
}
