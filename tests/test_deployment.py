"""The production shape: docker-compose.yml and the Dockerfile agree with each other
and with the settings, without a Docker engine (the files are read, not run)."""

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ["web", "worker", "beat"]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def dockerfile() -> str:
    # Join continuation lines, drop comments: one instruction per line.
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    return re.sub(r"\\\n\s*", " ", "\n".join(lines))


def _instructions(dockerfile: str, name: str) -> list[str]:
    return [
        line.split(None, 1)[1]
        for line in dockerfile.splitlines()
        if line.strip() and line.split(None, 1)[0].upper() == name
    ]


def _final_stage(dockerfile: str) -> str:
    return re.split(r"^FROM\s", dockerfile, flags=re.M)[-1]


def _command(service: dict) -> list[str]:
    command = service.get("command")
    return shlex.split(command) if isinstance(command, str) else list(command or [])


def _environment(service: dict) -> dict:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return env


def test_the_five_services_exist(services):
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)


def test_web_runs_gunicorn_with_the_production_settings(services):
    command = _command(services["web"])
    assert command[0] == "gunicorn"
    assert "rtc_portal.wsgi:application" in command or "rtc_portal.wsgi" in command
    assert "0.0.0.0:8000" in command
    assert _environment(services["web"])["DJANGO_SETTINGS_MODULE"] == (
        "rtc_portal.settings.production"
    )


@pytest.mark.parametrize("name,role", [("worker", "worker"), ("beat", "beat")])
def test_celery_runs_on_the_portal_app(services, name, role):
    command = _command(services[name])
    assert command[:4] == ["celery", "-A", "rtc_portal", role]
    assert _environment(services[name])["DJANGO_SETTINGS_MODULE"] == (
        "rtc_portal.settings.production"
    )


def test_every_app_service_uses_the_broker_and_the_database(services):
    for name in APP_SERVICES:
        env = _environment(services[name])
        assert env["REDIS_URL"].startswith("redis://redis:"), name
        assert "@db:5432/" in env["DATABASE_URL"], name
        assert env["DATABASE_URL"].startswith("postgres"), name


def test_db_and_redis_have_health_checks(services):
    db_check = " ".join(services["db"]["healthcheck"]["test"])
    redis_check = " ".join(services["redis"]["healthcheck"]["test"])
    assert "pg_isready" in db_check
    assert "redis-cli ping" in redis_check
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert any(":/var/lib/postgresql/data" in volume for volume in services["db"]["volumes"])


def test_web_health_check_asks_the_portal_itself(services):
    test = services["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    code = test[3]
    compile(code, "web healthcheck", "exec")  # the YAML quoting kept it valid Python
    assert "http://127.0.0.1:8000/" in code
    assert "ALLOWED_HOSTS" in code  # sends a Host header the portal accepts


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_db_and_redis(services, name):
    depends_on = services[name]["depends_on"]
    assert depends_on["db"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"


def test_migrations_run_once_before_the_app_starts(services):
    migrate = services["migrate"]
    assert _command(migrate)[:3] == ["python", "manage.py", "migrate"]
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    for name in APP_SERVICES:
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )


def test_secret_key_is_not_hard_coded(services, dockerfile):
    for name in ["migrate", *APP_SERVICES]:
        value = _environment(services[name])["SECRET_KEY"]
        # Taken from the environment, and compose refuses to start without it.
        assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]*\}", value), (name, value)
    for instruction in _instructions(dockerfile, "ENV") + _instructions(dockerfile, "ARG"):
        assert "SECRET_KEY" not in instruction


def test_secrets_stay_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for pattern in [".env", ".git", ".venv", "node_modules", "*.sqlite3"]:
        assert pattern in ignored


def test_dockerfile_cmd_is_the_web_command(services, dockerfile):
    cmds = _instructions(dockerfile, "CMD")
    assert cmds, "the Dockerfile has no CMD"
    assert not _instructions(dockerfile, "ENTRYPOINT")  # the compose commands run as written
    assert json.loads(cmds[-1]) == _command(services["web"])


def test_compose_commands_run_programs_the_image_installs(services, dockerfile):
    installed = {"gunicorn", "celery", "python"}
    for name in ["migrate", *APP_SERVICES]:
        assert _command(services[name])[0] in installed, name
    deps = (ROOT / "pyproject.toml").read_text()
    assert '"gunicorn' in deps and '"celery' in deps


def test_image_builds_assets_translations_and_static_files(dockerfile):
    froms = _instructions(dockerfile, "FROM")
    assert any(line.startswith("node:") for line in froms)
    assert froms[-1].startswith("python:3.11-slim")
    runs = " ".join(_instructions(dockerfile, "RUN"))
    assert "npm ci --omit=dev" in runs
    assert "gettext" in runs and "compilemessages" in runs
    assert "collectstatic --noinput" in runs
    assert (ROOT / "package-lock.json").exists()


def test_image_runs_as_a_non_root_user(dockerfile):
    users = _instructions(_final_stage(dockerfile), "USER")
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert "DJANGO_SETTINGS_MODULE=rtc_portal.settings.production" in " ".join(
        _instructions(_final_stage(dockerfile), "ENV")
    )


def test_compose_sets_every_variable_the_settings_read(services):
    """A variable read by the settings but absent here silently takes its laptop default."""
    sources = "".join(
        (ROOT / "rtc_portal" / "settings" / name).read_text()
        for name in ("base.py", "production.py")
    )
    read = set(re.findall(r"""os\.environ\.get\(\s*["']([A-Z_]+)["']""", sources))
    read |= set(re.findall(r"""env_(?:bool|list)\(\s*["']([A-Z_]+)["']""", sources))
    read.discard("DEBUG")  # production.py forces DEBUG off
    assert "SECRET_KEY" in read  # the pattern still finds what it looks for
    for name in APP_SERVICES:
        missing = read - set(_environment(services[name]))
        assert not missing, f"{name} does not set {sorted(missing)}"
