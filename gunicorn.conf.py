"""gunicorn's settings for the portal (read from the working directory by every
`gunicorn` run in the image and in `make bench`).

GUNICORN_TIMEOUT (seconds, default 300): how long one request may take before
gunicorn restarts its worker. The process log's full export streams for about 12 s
per 500,000 entries on two cores, so gunicorn's own default of 30 s would cut a log
of a little over a million entries; a download that breaks off anyway resumes with
`?after=<seq>` (docs/verifiable-log.md). WEB_CONCURRENCY (workers, default 3) is
read by gunicorn itself.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))
graceful_timeout = 30
keepalive = 5
accesslog = "-"
