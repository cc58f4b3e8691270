"""Celery beat task of the meetings: thin, takes ids, safe to run twice."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def record_meeting_reminders() -> int:
    """Remind both sides of every scheduled meeting that begins within a day, once.
    Running it twice (or in two workers) reminds nobody twice: the service locks the
    meeting and finds it reminded."""
    from . import selectors, services
    from .models import Meeting

    recorded = 0
    for meeting in Meeting.objects.filter(pk__in=selectors.due_for_reminder()).order_by("pk"):
        try:
            recorded += services.meeting_record_reminder(meeting=meeting) is not None
        except Exception:
            logger.exception("The reminder of meeting %s failed", meeting.pk)
    return recorded
