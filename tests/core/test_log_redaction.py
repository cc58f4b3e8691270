"""One-time keys (e-mail confirmation, password reset, invitation) never reach a log:
not Django's request log, not gunicorn's access log or error log."""

import importlib.util
import io
import logging
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import reverse

from core.logging import REDACTED, RedactKeysFilter, redact

ROOT = Path(__file__).resolve().parents[2]
KEY = "MQ:1tQx7b:9dKqZrW-secret_Key"


def _links() -> dict[str, str]:
    return {
        "confirm-email": reverse("account_confirm_email", kwargs={"key": KEY}),
        "password-reset": reverse(
            "account_reset_password_from_key", kwargs={"uidb36": "4", "key": "cbx1k2-s3cr3t"}
        ),
        "invitation": reverse("challenges:invitation", kwargs={"token": "s3cr3t-T0ken_x"}),
    }


@pytest.mark.parametrize("name", ["confirm-email", "password-reset", "invitation"])
def test_redact_removes_the_key_of_each_link(name):
    link = _links()[name]
    line = f'127.0.0.1 - - "GET {link} HTTP/1.1" 200 512 "https://portal.example{link}"'
    redacted = redact(line)
    assert "s3cr3t" not in redacted and KEY not in redacted
    assert redacted.count(REDACTED) == 2
    # What is left still says which kind of link it was.
    assert link.rsplit("/", 2)[0] in redacted


def test_redact_finds_a_link_in_an_encoded_next_parameter():
    assert redact("/accounts/login/?next=%2Finvitations%2Fs3cr3t%2F") == (
        f"/accounts/login/?next=%2Finvitations%2F{REDACTED}%2F"
    )


def test_redact_leaves_other_paths_alone():
    for line in ["GET /challenges/12/ HTTP/1.1", "/accounts/confirm-email/", "/log/?after=5"]:
        assert redact(line) == line


def test_the_filter_redacts_a_key_passed_as_an_argument():
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        (_links()["invitation"],),
        None,
    )
    assert RedactKeysFilter().filter(record) is True
    assert record.getMessage() == f"Not Found: /invitations/{REDACTED}/"


@pytest.fixture
def console_output():
    """What Django's configured console handler writes, as text."""
    (handler,) = [h for h in logging.getLogger("django").handlers if h.name == "console"]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.mark.django_db
def test_django_request_log_of_an_unknown_invitation_shows_no_token(client, console_output):
    token = "unknown-s3cr3t-token"
    response = client.get(reverse("challenges:invitation", kwargs={"token": token}))
    assert response.status_code == 404
    logged = console_output.getvalue()
    assert f"Not Found: /invitations/{REDACTED}/" in logged
    assert token not in logged


def test_an_error_logged_on_django_request_shows_no_key(console_output):
    # The filter is on the handler, so it sees what django.request propagates to the
    # "django" logger.
    logging.getLogger("django.request").error("Failed on %s", _links()["confirm-email"])
    logged = console_output.getvalue()
    assert KEY not in logged
    assert f"/accounts/confirm-email/{REDACTED}/" in logged


def _gunicorn_config_module():
    spec = importlib.util.spec_from_file_location("rtc_gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gunicorn_access_and_error_log_redact_keys(tmp_path):
    from gunicorn.config import Config

    conf = _gunicorn_config_module()
    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("errorlog", str(tmp_path / "error.log"))
    cfg.set("logger_class", conf.RedactingLogger)
    logger = cfg.logger_class(cfg)
    assert isinstance(logger, conf.RedactingLogger)

    token = "s3cr3t-invitation-token"
    path = reverse("challenges:invitation", kwargs={"token": token})
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://portal.example{_links()['confirm-email']}",
        "HTTP_USER_AGENT": "test",
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    logger.access(response, request, environ, timedelta(milliseconds=5))
    logger.error("Error handling request %s", path)
    for handler in logger.access_log.handlers + logger.error_log.handlers:
        handler.flush()

    access = (tmp_path / "access.log").read_text()
    error = (tmp_path / "error.log").read_text()
    assert f'"GET /invitations/{REDACTED}/ HTTP/1.1" 200 512' in access
    assert f"/accounts/confirm-email/{REDACTED}/" in access
    assert f"Error handling request /invitations/{REDACTED}/" in error
    for text in (access, error):
        assert token not in text and KEY not in text
