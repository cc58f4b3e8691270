# The portal's production image: one image for the web, worker, beat and migrate
# services of docker-compose.yml (they differ only in their command).
#
#   docker build -t rtc-portal .
#
# Stages: "assets" installs the NL Design System CSS from npm; "build" installs the
# Python dependencies into a virtualenv, compiles the translations and collects the
# static files; the final stage copies the results and runs as a non-root user.

# --- assets: NL Design System CSS from npm (served by the portal itself, no CDN) ---
FROM node:22-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev: axe-core and vnu-jar are test tools, not needed at run time. Only the
# files listed in settings.NPM_STATIC_FILES are collected from node_modules.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- build: dependencies, translations, static files ---
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
WORKDIR /app
# The project is not a package ([tool.setuptools] packages = []): what matters is
# its dependency list, read from pyproject.toml so there is one source of truth.
# Copied on its own first, so the dependency layer is cached across code changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt
COPY . .
COPY --from=assets /app/node_modules ./node_modules
# Build-time only: the production settings refuse to load without a SECRET_KEY and
# an EMAIL_HOST, and neither command uses them.
RUN SECRET_KEY=build-only-not-secret EMAIL_HOST=build-only.invalid \
       DJANGO_SETTINGS_MODULE=rtc_portal.settings.production \
       python manage.py compilemessages --ignore=node_modules \
    && SECRET_KEY=build-only-not-secret EMAIL_HOST=build-only.invalid \
       DJANGO_SETTINGS_MODULE=rtc_portal.settings.production \
       python manage.py collectstatic --noinput

# --- runtime ---
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=rtc_portal.settings.production \
    MEDIA_ROOT=/var/lib/rtc/media
# The only places the portal writes to: uploaded files and the celery beat schedule.
RUN groupadd --system --gid 10001 rtc \
    && useradd --system --uid 10001 --gid rtc --home-dir /home/rtc --create-home rtc \
    && mkdir -p /var/lib/rtc/media /var/lib/rtc/beat \
    && chown -R rtc:rtc /var/lib/rtc
COPY --from=build /opt/venv /opt/venv
# The code stays owned by root: the portal process cannot change it.
COPY --from=build /app /app
WORKDIR /app
USER rtc
EXPOSE 8000
# docker-compose.yml runs the same command for its web service; worker, beat and
# migrate override it. gunicorn.conf.py (timeouts) is read from /app.
CMD ["gunicorn", "rtc_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
