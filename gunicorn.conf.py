"""gunicorn's settings for the portal (read from the working directory by every
`gunicorn` run in the image and in `make bench`).

Slow clients: gunicorn's default sync worker serves one connection at a time, from
its first byte to its last, so a few clients that send their headers one byte a
second hold every worker and the site stops answering. Two defences, one in front of
the other (README, "Slow clients"):
- in docker-compose.yml, nginx sits in front of gunicorn: it reads each request
  whole (headers and body, with timeouts) before passing it on, and buffers the
  response, so gunicorn only ever talks to a fast local client;
- here, threaded workers (`gthread`): a connection waits in the worker's poller
  until its first bytes arrive, and a slow client holds one thread, not a whole
  worker. With WEB_CONCURRENCY workers of GUNICORN_THREADS threads, that many slow
  clients at once are survived even without the proxy (tests/test_slow_clients.py).

GUNICORN_THREADS (default 16): threads per worker. Each thread that has served a
request keeps its own database connection for DB_CONN_MAX_AGE seconds, so
WEB_CONCURRENCY x GUNICORN_THREADS must stay well below PostgreSQL's
max_connections (100 by default; 3 x 16 = 48).
GUNICORN_TIMEOUT (seconds, default 300): how long a worker process may be silent
before gunicorn restarts it. With threads the worker's main loop stays awake while a
request runs, so a long request (the process log's full export streams for about
12 s per 500,000 entries on two cores) is not cut off; a download that breaks off
anyway resumes with `?after=<seq>` (docs/verifiable-log.md). WEB_CONCURRENCY
(workers, default 3 in docker-compose.yml) is read by gunicorn itself.

The access log and the error log go through core.logging.redact: the one-time keys
of confirmation, password reset and invitation links are written as `[redacted]`.
"""

import os
import sys
from pathlib import Path

from gunicorn.glogging import Logger

# The config is read before gunicorn puts the working directory on sys.path.
_PROJECT_DIR = str(Path(__file__).resolve().parent)
if _PROJECT_DIR not in sys.path:
    sys.path.insert(0, _PROJECT_DIR)

from core.logging import RedactKeysFilter, redact  # noqa: E402

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))
graceful_timeout = 30
# Seconds an idle kept-alive connection may stay open; it waits in the poller, not in
# a thread, and is closed after this.
keepalive = 5
accesslog = "-"


class RedactingLogger(Logger):
    """gunicorn's logger with the one-time keys of known links redacted: in every
    atom of the access log (request line, path, query, Referer, headers) and in the
    error log ("Error handling request /invitations/...")."""

    def setup(self, cfg):
        super().setup(cfg)
        if not any(isinstance(f, RedactKeysFilter) for f in self.error_log.filters):
            self.error_log.addFilter(RedactKeysFilter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            name: redact(value) if isinstance(value, str) else value
            for name, value in atoms.items()
        }


logger_class = RedactingLogger
