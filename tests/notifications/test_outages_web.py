"""What a person notices of a broken mail server or cache: nothing breaks. Logins
and their rate limits work while the cache (Redis) is down, sign-up and password
reset answer normally while the mail server is down, and /health/ tells one word to
anyone and the details only with the token or to staff."""

import socket

import pytest
from django.core.cache import caches
from django.test import override_settings

from accounts.models import User
from notifications import health
from notifications.models import DeliveryOutage
from tests.challenges.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the socket is


@pytest.fixture
def redis_down():
    """The cache is the fallback backend on a Redis that is not there."""
    config = {
        "default": {
            "BACKEND": "core.cache.FallbackRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
            "FALLBACK_RETRY_SECONDS": 60,
        }
    }
    with override_settings(CACHES=config):
        yield caches["default"]


def test_the_fallback_cache_answers_from_memory_and_warns_once(redis_down, caplog):
    with caplog.at_level("WARNING", logger="core.cache"):
        redis_down.set("a", 1)
        assert redis_down.get("a") == 1
        assert redis_down.add("b", 2) is True
        assert redis_down.incr("b") == 3
    assert redis_down.is_down
    assert len([r for r in caplog.records if r.name == "core.cache"]) == 1


def test_login_works_and_is_rate_limited_while_redis_is_down(redis_down, client):
    user = UserFactory()
    response = client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)

    other = UserFactory()
    client.logout()
    for _ in range(5):
        client.post("/accounts/login/", {"login": other.email, "password": "fout-wachtwoord"})
    response = client.post(
        "/accounts/login/",
        {"login": other.email, "password": DEFAULT_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_public_pages_render_while_redis_is_down(redis_down, client):
    assert client.get("/").status_code == 200


@override_settings(EMAIL_BACKEND="tests.notifications.failing_mail_backend.UnreachableBackend")
def test_sign_up_and_password_reset_answer_while_the_mail_server_is_down(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "nieuw@example.org",
            "password1": "lang-en-veilig-42",
            "password2": "lang-en-veilig-42",
        },
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert response.status_code == 200
    assert User.objects.filter(email="nieuw@example.org").exists()
    assert "We could not send you the e-mail just now" in response.content.decode()

    user = UserFactory()
    response = client.post(
        "/accounts/password/reset/", {"email": user.email}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302


# -- /health/ -----------------------------------------------------------------------------


def test_anonymous_callers_get_one_word(client, settings):
    settings.HEALTH_TOKEN = "s3cret-token"
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "up"}
    assert "Set-Cookie" not in response.headers
    wrong = client.get("/health/", HTTP_AUTHORIZATION="Bearer guess")
    assert wrong.json() == {"status": "up"}


def test_the_database_down_is_503(client, monkeypatch):
    monkeypatch.setattr(health, "database_ok", lambda: False)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "down"}


def test_the_broker_down_is_degraded(client, settings, monkeypatch):
    from rtc_portal.celery import app

    monkeypatch.setattr(
        app.conf, "broker_url", f"redis://:hunter2@127.0.0.1:{_closed_port()}/0", raising=False
    )
    settings.HEALTH_TOKEN = "s3cret-token"
    response = client.get("/health/", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["broker"] == "unreachable"
    assert "hunter2" not in response.content.decode()
    assert "redis://" not in response.content.decode()


def test_the_token_or_staff_get_the_outbox_and_the_outage(client, settings):
    settings.HEALTH_TOKEN = "s3cret-token"
    DeliveryOutage.objects.create(last_error="ConnectionRefusedError: refused", attempts=3)
    body = client.get("/health/", HTTP_AUTHORIZATION="Bearer s3cret-token").json()
    assert body["database"] == "ok"
    assert body["cache"] == "ok"
    assert set(body["notifications"]) >= {"pending", "failed", "oldest_pending_seconds", "outage"}
    assert body["notifications"]["outage"]["failed_attempts"] == 3

    client.force_login(UserFactory(is_staff=True))
    staff = client.get("/health/").json()
    assert staff["notifications"]["outage"]["last_error"] == "ConnectionRefusedError: refused"
    client.force_login(UserFactory())
    assert client.get("/health/").json() == {"status": "up"}


def test_a_handover_with_redis_down_answers_and_its_mail_waits_for_the_sweeper(
    redis_down, client, django_capture_on_commit_callbacks, monkeypatch
):
    from django.core import mail
    from django.urls import reverse
    from kombu.exceptions import OperationalError

    from challenges.constants import Status
    from notifications import tasks
    from notifications.constants import Channel, DeliveryStatus
    from notifications.models import Notification
    from partnerships.constants import PartnershipEvent
    from tests.challenges.factories import ReviewerFactory, challenge_in

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    municipality = ReviewerFactory()
    challenge = challenge_in(Status.AGREEMENT, reviewer=municipality, agreement=False)
    colleague = ReviewerFactory()
    monkeypatch.setattr(tasks.deliver_event, "apply_async", refuse)
    mail.outbox.clear()
    client.force_login(municipality)
    page = reverse(
        "partnerships:contact-person", kwargs={"pk": challenge.pk, "side": "municipality"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            page, {"user": colleague.pk, "mandate": "Alles.", "reason": "Verlof."}
        )
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200
    waiting = Notification.objects.filter(
        event__code=PartnershipEvent.CONTACT_PERSON_HANDED_OVER,
        channel=Channel.EMAIL,
        status=DeliveryStatus.PENDING,
    )
    assert waiting.exists()
    assert mail.outbox == []
