"""Settings shared by every environment.

This is the only module that reads the environment. Every variable read here is
listed in the README with one line on what it does; `dev.py`, `test.py` and
`production.py` only set defaults or harden what is read here.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# SECRET_KEY: signs sessions, tokens and password-reset links. No default here;
# dev.py and test.py set a local one, production refuses to start without it.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# SITE_URL: the portal's public address, used for links in e-mails and the Atom feed.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The municipality that runs the portal: shown on the contact page, the privacy
# statement and the accessibility statement (README "Statements and contact"), and
# in the header of every page with its logo and colour (rtc_portal/theme.py).
MUNICIPALITY = {
    "name": os.environ.get("MUNICIPALITY_NAME", "Gemeente Voorbeeldstad"),
    "address": os.environ.get("MUNICIPALITY_ADDRESS", "Stadhuisplein 1, 1234 AB Voorbeeldstad"),
    "email": os.environ.get("MUNICIPALITY_EMAIL", "uitdaagrecht@voorbeeldstad.nl"),
    "phone": os.environ.get("MUNICIPALITY_PHONE", "14 020"),
    "website": os.environ.get("MUNICIPALITY_WEBSITE", "https://www.voorbeeldstad.nl"),
    "hours": os.environ.get("MUNICIPALITY_HOURS", ""),
    # The data protection officer (functionaris gegevensbescherming).
    "privacy_officer_email": os.environ.get(
        "MUNICIPALITY_PRIVACY_OFFICER_EMAIL", "privacy@voorbeeldstad.nl"
    ),
    # The logo in the header: a static file of the portal ("img/logo.svg") or a path
    # the portal serves ("/media/logo.png"); empty for none. Its alt text (empty:
    # "Logo of <name>", translated).
    "logo": os.environ.get("MUNICIPALITY_LOGO", "img/municipality-logo.svg"),
    "logo_alt": os.environ.get("MUNICIPALITY_LOGO_ALT", ""),
    # The primary colour (#rrggbb) for the header, links and buttons, through the NL
    # Design System tokens. Too light for AA contrast on white: darkened until it passes.
    "primary_colour": os.environ.get("MUNICIPALITY_PRIMARY_COLOUR", "#24578f"),
}
# The date the accessibility statement was last checked (ISO date), and how long
# challenge data is kept after a challenge ends (privacy statement), in years.
ACCESSIBILITY_STATEMENT_DATE = os.environ.get("ACCESSIBILITY_STATEMENT_DATE", "2026-12-01")
RETENTION_YEARS = int(os.environ.get("RETENTION_YEARS", "7"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    # A second factor (TOTP and recovery codes); required for staff by
    # accounts.middleware.StaffSecondFactorMiddleware. Before "accounts", whose admin
    # replaces allauth's Authenticator admin.
    "allauth.mfa",
    "crispy_forms",
    "accounts",
    "challenges",
    "partnerships",
    "community",
    "meetings",
    "notifications",
    "insights",
    "api",
    "privacy",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (CONTENT_SECURITY_POLICY below) and Permissions-Policy
    # on every response, error pages and the admin included.
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Staff without an authenticator app are sent from the admin to its enrolment.
    "accounts.middleware.StaffSecondFactorMiddleware",
]

ROOT_URLCONF = "rtc_portal.urls"
WSGI_APPLICATION = "rtc_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # The municipality's name, logo and colour for base.html.
                "rtc_portal.theme.identity_context",
            ],
        },
    },
]

# DATABASE_URL: e.g. postgres://postgres@127.0.0.1:5432/rtc. Unset: a local SQLite file.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# REDIS_URL: the Celery broker and the shared cache (rate limits). Unset: tasks run
# in-process and the cache is local memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # While Redis fails, the cache (allauth's rate limits included) answers from each
    # process's memory, so logins work during a broker outage (core/cache.py).
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            "FALLBACK_RETRY_SECONDS": 5,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# CELERY_TASK_ALWAYS_EAGER: run tasks in the web process instead of a worker
# (the one-command laptop set-up). Defaults to true when there is no REDIS_URL.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Amsterdam"
# Publishing must fail fast when Redis is down: the web request that commits a
# change enqueues its notifications on commit and must not wait for the broker (the
# outbox rows are committed; the sweeper re-queues them). Measured with Redis
# stopped: about 15 ms per refused publish with these values, 0.7 s with Celery's
# defaults; a broker that drops packets should cost at most about 2 s (two connect
# attempts of 0.5 s, or one read of 1.5 s; not measured). See docs/notifications.md.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
    "socket_connect_timeout": 0.5,
    "socket_timeout": 1.5,
    # Longer than the longest retry countdown (NOTIFICATION_RETRY_BACKOFF_MAX).
    "visibility_timeout": 3600,
}
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Queues: "notifications" delivers single notifications (kept short so a digest run
# never delays them), "periodic" runs beat's work and digest batches, "default" the rest.
CELERY_TASK_ROUTES = {
    "notifications.tasks.deliver_event": {"queue": "notifications"},
    "notifications.tasks.deliver_notifications": {"queue": "notifications"},
    "notifications.tasks.*": {"queue": "periodic"},
    "challenges.tasks.record_*": {"queue": "periodic"},
    "partnerships.tasks.*": {"queue": "periodic"},
    "community.tasks.*": {"queue": "periodic"},
    "meetings.tasks.*": {"queue": "periodic"},
}
# Times are Europe/Amsterdam (CELERY_TIMEZONE). Every entry is safe to run twice.
CELERY_BEAT_SCHEDULE = {
    "notifications-sweep": {
        "task": "notifications.tasks.sweep_pending",
        "schedule": 60.0,
    },
    "notifications-daily-digest": {
        "task": "notifications.tasks.send_digests",
        "schedule": crontab(hour=7, minute=0),
        "args": ("daily",),
    },
    "notifications-weekly-digest": {
        "task": "notifications.tasks.send_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
        "args": ("weekly",),
    },
    "challenges-no-progress": {
        "task": "challenges.tasks.record_no_progress",
        "schedule": crontab(hour=6, minute=0),
    },
    "challenges-deadline-reminders": {
        "task": "challenges.tasks.record_deadline_reminders",
        "schedule": crontab(hour=6, minute=10),
    },
    # The one way the portal asks for a reflection: on the agreement's evaluation
    # dates, on entering evaluation, and every REFLECTION_PROMPT_DAYS after the dates.
    "partnerships-due-reflections": {
        "task": "partnerships.tasks.open_due_reflections",
        "schedule": crontab(hour=6, minute=30),
    },
    # The day's number of supporters, as one public event per challenge whose count
    # changed (never one event per support).
    "community-support-counts": {
        "task": "community.tasks.record_support_counts",
        "schedule": crontab(hour=0, minute=15),
    },
    # Every hour: each scheduled meeting that begins within a day is reminded, once.
    "meetings-reminders": {
        "task": "meetings.tasks.record_meeting_reminders",
        "schedule": crontab(minute=20),
    },
}

# Community (docs/readme/community.md): how often one person may support, ask,
# answer, report or write to a supporter per hour (0: no limit). Not from the
# environment; override per key, e.g. {"ask": 10}.
COMMUNITY_RATE_LIMITS = {"support": 20, "ask": 5, "answer": 30, "report": 10, "message": 20}

# Notifications (docs/notifications.md).
# NO_PROGRESS_DAYS: days without news in a stage before the parties and followers
# get a "no progress" message (again after as many days of further silence).
NO_PROGRESS_DAYS = int(os.environ.get("NO_PROGRESS_DAYS", "21"))
# DEADLINE_REMINDER_DAYS: days before a response deadline that the municipality's
# people on the challenge are reminded (and once more when it has passed).
DEADLINE_REMINDER_DAYS = int(os.environ.get("DEADLINE_REMINDER_DAYS", "7"))
# REFLECTION_PROMPT_DAYS: once the agreement's evaluation dates are past, both sides
# of a partnership in execution are asked for a reflection this often (besides every
# evaluation date of the agreement, and once when the challenge enters evaluation).
REFLECTION_PROMPT_DAYS = int(os.environ.get("REFLECTION_PROMPT_DAYS", "90"))
# Not from the environment: tuning of the outbox (docs/notifications.md).
# Retry by time: a row that fails for now waits NOTIFICATION_RETRY_BASE seconds,
# doubling per failure up to NOTIFICATION_RETRY_MAX, with jitter; a failure
# NOTIFICATION_RETRY_HORIZON seconds after its first one is final.
NOTIFICATION_RETRY_BASE = 30
NOTIFICATION_RETRY_MAX = 3600
NOTIFICATION_RETRY_HORIZON = 24 * 3600
NOTIFICATION_SWEEP_AGE = 30  # seconds a new row is left to its own first task
NOTIFICATION_REQUEUE_INTERVAL = 300  # seconds before a row whose queued task was lost goes again
NOTIFICATION_BATCH_SIZE = 200  # e-mail rows per delivery task; recipients per digest task
NOTIFICATION_SWEEP_LIMIT = 5000  # rows queued per sweep at most
NOTIFICATION_RETRY_BACKOFF_MAX = 600  # seconds, the longest wait between digest task retries
# HEALTH_TOKEN: with `Authorization: Bearer <token>`, /health/ adds the details
# (database, broker, outbox queue, mail outage). Unset: details for staff only.
HEALTH_TOKEN = os.environ.get("HEALTH_TOKEN", "")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        # Ours: Django 5.2's own "too short" message has no Dutch translation yet.
        "NAME": "accounts.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# django-allauth: login by e-mail, mandatory verification, rate limits on (the
# default), and no answer that tells whether an address has an account.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Uitdaagrecht] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = os.environ.get("ACCOUNT_DEFAULT_HTTP_PROTOCOL", "https")
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Behind a reverse proxy (docker-compose runs one): TRUSTED_PROXY_COUNT is how many
# proxies we run in front of the portal; the client's address is then that many
# places from the right of X-Forwarded-For. Or TRUSTED_CLIENT_IP_HEADER names the one
# header our proxy sets to it (e.g. X-Real-IP). Used by the rate limits and our logs
# (core/client_ip.py); 0 and unset: the address the request came from.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
TRUSTED_CLIENT_IP_HEADER = os.environ.get("TRUSTED_CLIENT_IP_HEADER", "")
LOGIN_REDIRECT_URL = "challenges:mine"
LOGIN_URL = "account_login"
# allauth.mfa: an authenticator app (TOTP) with recovery codes; staff must have one
# (README "Second factor for staff (MFA)"). WebAuthn is off. A wrong code counts
# against allauth's "login_failed" rate limit of the account (ACCOUNT_RATE_LIMITS).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Uitdaagrecht"
# One 30-second step either side: a phone's clock may be a little off.
MFA_TOTP_TOLERANCE = 1
# The code is asked at every login: no "trust this browser".
MFA_TRUST_ENABLED = False
MFA_FORMS = {
    "authenticate": "accounts.forms.AuthenticateForm",
    "reauthenticate": "accounts.forms.ReauthenticateForm",
    "activate_totp": "accounts.forms.ActivateTOTPForm",
}

# E-mail: EMAIL_HOST unset means mail is printed to the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
# Seconds a mail server may take to answer before the send fails (and is retried
# later); without it a hanging server would hold a worker or a request indefinitely.
EMAIL_TIMEOUT = 10
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "uitdaagrecht@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "rtc_portal.staticfinders.NpmFileFinder",
]
# The NL Design System files we serve ourselves (installed by `npm ci`), by URL path.
_NPM = BASE_DIR / "node_modules" / "@utrecht"
NPM_STATIC_FILES = {
    "nlds/index.css": _NPM / "component-library-css" / "dist" / "index.css",
    "nlds-tokens/theme.css": _NPM / "design-tokens" / "dist" / "theme.css",
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
# Uploads (documents in a partnership's workspace): at most RTC_MAX_UPLOAD_SIZE bytes
# per file. Files larger than FILE_UPLOAD_MAX_MEMORY_SIZE are streamed to a temporary
# file instead of memory; DATA_UPLOAD_MAX_MEMORY_SIZE caps the rest of a request.
# MEDIA_ROOT is never served directly: documents are downloaded through a view.
RTC_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o640
# What an upload's content may be (core/uploads.py, which has the same defaults).
# Office files (a ZIP): at most this many entries, this many bytes unpacked in all, and
# compressed at most this many times, per entry and overall, once an entry or the
# whole unpacks to more than RTC_UPLOAD_ZIP_RATIO_FROM bytes.
RTC_UPLOAD_ZIP_MAX_ENTRIES = 1000
RTC_UPLOAD_ZIP_MAX_TOTAL_SIZE = 100 * 1024 * 1024
RTC_UPLOAD_ZIP_MAX_RATIO = 100
RTC_UPLOAD_ZIP_RATIO_FROM = 1024 * 1024
# PDF: at most this many pages and objects (each object is parsed to look for scripts,
# about 0.2 ms each: 50,000 objects take some 10 s).
RTC_UPLOAD_PDF_MAX_PAGES = 2000
RTC_UPLOAD_PDF_MAX_OBJECTS = 50_000
# PNG and JPEG: at most this many pixels (checked before decoding; 50 MP is about
# 150 MB of memory while the image is re-encoded).
RTC_UPLOAD_IMAGE_MAX_PIXELS = 50_000_000

CRISPY_ALLOWED_TEMPLATE_PACKS = ("nlds",)
CRISPY_TEMPLATE_PACK = "nlds"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts, styles, fonts and everything else
# from the portal itself only; no inline script or style, no plugins, no framing.
# Images may also be data: URLs (the QR code of an authenticator app).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# The portal's own rules.
RTC_PAGE_SIZE = 25
# Events shown at once on a challenge page and in the workspace (older ones a link away).
RTC_TIMELINE_SIZE = 50
# PAGE_CACHE_SECONDS: how long an anonymous public page may be served from the cache
# at most (a new event replaces it at once; this bounds only what changes without
# one, such as a due date passing). 0 turns the page cache off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))
# The coordinator's dashboard and the open data (insights).
# SILENT_DAYS: an open challenge without any event for this many days is listed as
# silent on the dashboard (reminders and "no progress" messages are no news).
SILENT_DAYS = int(os.environ.get("SILENT_DAYS", "30"))
# OPEN_DATA_LICENSE: the licence of the open datasets, an SPDX identifier (CC0-1.0,
# CC-BY-4.0) or the URL of a licence; on the open-data page and in the DCAT catalogue.
OPEN_DATA_LICENSE = os.environ.get("OPEN_DATA_LICENSE", "CC0-1.0")
# Where a member of a staff group lands after logging in (a URL name), when the login
# was not headed anywhere else; the first group that matches wins.
STAFF_LANDING_PAGES = {"Coordinator": "insights:dashboard"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # One-time keys in confirmation, password reset and invitation links never reach
    # the log (core/logging.py); on the handler, so every logger that writes here.
    "filters": {"redact_keys": {"()": "core.logging.RedactKeysFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_keys"],
        }
    },
    "loggers": {
        # Security and privacy audit (logins, exports, personal data), kept apart
        # from the domain timeline.
        "rtc.audit": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
        # runserver's request lines, through the same filter.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# The read-only API (api/, README "API"): Django REST Framework, described in OpenAPI 3
# by drf-spectacular. Anyone may read, nobody may write (api.permissions.ReadOnly),
# answers are JSON only (the browsable API needs inline script, which the CSP refuses),
# and every reader is rate-limited by the client's address as core/client_ip.py tells
# it (so TRUSTED_PROXY_COUNT applies): API_THROTTLE_ANON for anonymous readers,
# API_THROTTLE_USER for logged-in ones, each "<number>/<second|minute|hour|day>".
# The counts live in the default cache (Redis in production, shared by every worker).
INSTALLED_APPS += ["rest_framework", "drf_spectacular"]
REST_FRAMEWORK = {
    # Sessions only: a logged-in reader counts against the user rate. No Basic auth,
    # which would let anyone try passwords past allauth's rate limits.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.ClientAnonRateThrottle",
        "api.throttling.ClientUserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "120/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "240/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Right to Challenge portal API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "Read-only open data of the Right to Challenge portal: the public challenges, "
        "their public timelines, the hash-chained process log and its head, the "
        "assessment criteria, the challengeable tasks, the neighbourhoods and the "
        "statistics. Anonymous, rate-limited per client address, JSON only. It shows "
        "exactly what the public pages show: never a draft, never an event for the "
        "parties or the municipality only."
    ),
    # The licence of the open data (OPEN_DATA_LICENSE), as the open-data page states it.
    "LICENSE": {
        "name": OPEN_DATA_LICENSE,
        "url": OPEN_DATA_LICENSE
        if OPEN_DATA_LICENSE.startswith(("http://", "https://"))
        else f"https://spdx.org/licenses/{OPEN_DATA_LICENSE}.html",
    },
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["api.permissions.ReadOnly"],
    "SERVE_AUTHENTICATION": [],
    # Nothing differs by who asks, so the description names no way to log in.
    "AUTHENTICATION_WHITELIST": [],
    "ENUM_NAME_OVERRIDES": {"ChallengeStatusEnum": "challenges.constants.Status"},
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.document_errors",
    ],
}
