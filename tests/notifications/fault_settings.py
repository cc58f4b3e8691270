"""Settings of the Celery worker and beat subprocesses of the fault tests
(tests/notifications/fault_rig.py): the test settings with the retry waits scaled
down, so that a 180-second outage holds many attempts per row. The rule is the
production one (base doubling to a ceiling, with jitter, the 24-hour horizon);
only the numbers are 15 times smaller, and the sweeper runs every 2 s."""

from rtc_portal.settings.test import *  # noqa: F403
from rtc_portal.settings.test import CELERY_BEAT_SCHEDULE

NOTIFICATION_RETRY_BASE = 2
NOTIFICATION_RETRY_MAX = 20
NOTIFICATION_SWEEP_AGE = 3
NOTIFICATION_REQUEUE_INTERVAL = 30
CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,
    "notifications-sweep": {**CELERY_BEAT_SCHEDULE["notifications-sweep"], "schedule": 2.0},
}
