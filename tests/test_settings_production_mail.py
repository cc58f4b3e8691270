"""Production refuses to start without a way to deliver mail, instead of printing the
confirmation and password reset mails to the console where nobody reads them.

Each case imports rtc_portal.settings.production in a fresh interpreter with exactly
the environment given (the settings read the environment once, at import)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SMTP = "django.core.mail.backends.smtp.EmailBackend"
# Stands for a provider's API backend: never imported by the settings themselves.
API_BACKEND = "mailprovider.backends.EmailBackend"


def _import_production(**env) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("EMAIL_") and k not in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY")
    }
    environment.update(SECRET_KEY="x" * 60, **env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import rtc_portal.settings.production as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST)",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"EMAIL_HOST": ""},
        {"EMAIL_HOST": "", "EMAIL_BACKEND": ""},
        {"EMAIL_BACKEND": SMTP},
        {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"},
        {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
        {"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"},
        {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"},
    ],
    ids=[
        "unset",
        "empty-host",
        "empty-both",
        "smtp-without-host",
        "console",
        "locmem",
        "dummy",
        "file",
    ],
)
def test_production_refuses_to_start_without_mail_delivery(env):
    result = _import_production(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "EMAIL_HOST must be set in production" in result.stderr


def test_production_sends_by_smtp_to_email_host():
    result = _import_production(EMAIL_HOST="smtp.gemeente.example")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [SMTP, "smtp.gemeente.example"]


def test_production_accepts_an_explicit_backend_without_smtp_server():
    result = _import_production(EMAIL_BACKEND=API_BACKEND)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [API_BACKEND]


def test_compose_refuses_to_start_without_email_host():
    """docker-compose.yml makes EMAIL_HOST required, so the web, worker and beat
    containers never reach the settings' refusal."""
    environment = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["x-django-env"]
    assert environment["EMAIL_HOST"].startswith("${EMAIL_HOST:?")
    assert environment["EMAIL_BACKEND"] == "${EMAIL_BACKEND:-}"
