"""Celery tasks of the partnerships: thin, take ids, safe to run twice.

`open_due_reflections` runs from Celery beat once a day: the one way the portal asks
both sides for a reflection (see `services.reflections.reflections_open_due`). Every message
about a partnership event goes through the notifications outbox.
"""

from celery import shared_task

from .services.reflections import reflections_open_due


@shared_task(acks_late=True, reject_on_worker_lost=True)
def open_due_reflections(every_days: int | None = None) -> int:
    return reflections_open_due(every_days=every_days)
