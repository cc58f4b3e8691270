"""Celery tasks: thin, take ids, safe to run twice.

The beat tasks below record the portal's own events ("no progress", deadline
reminders) through the services; the outbox then tells the people concerned.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone


@shared_task(acks_late=True)
def send_invitation_email(invitation_id: int) -> bool:
    """Kept only so that messages queued before the outbox took over the invitation
    e-mail are not "unknown tasks". It sends nothing: the invitation e-mail is an
    outbox row written with the invitation (notifications.outbox), and the
    notifications migration 0004 gave every recent unsent invitation its row."""
    return False


logger = logging.getLogger(__name__)

_RELIABLE = {"acks_late": True, "reject_on_worker_lost": True}


def _each(challenge_ids, record, **kwargs) -> int:
    """Call a recording service for each challenge; one failure does not stop the rest."""
    from .models import Challenge

    recorded = 0
    for challenge in Challenge.objects.filter(pk__in=challenge_ids).order_by("pk"):
        try:
            recorded += record(challenge=challenge, **kwargs) is not None
        except Exception:
            logger.exception("%s failed for challenge %s", record.__name__, challenge.pk)
    return recorded


@shared_task(**_RELIABLE)
def record_no_progress(days: int | None = None) -> int:
    """Record a public "no progress" event on every open challenge silent for too long."""
    from . import registry, services
    from .constants import OPEN_STATUSES, Visibility
    from .models import Challenge

    days = settings.NO_PROGRESS_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    candidates = (
        Challenge.objects.filter(status__in=OPEN_STATUSES, status_changed_at__lte=cutoff)
        .annotate(
            latest=Max(
                "events__created_at",
                filter=Q(events__visibility__in=[Visibility.PUBLIC, Visibility.PARTIES])
                & ~Q(events__code__in=registry.automated_codes()),
            )
        )
        .filter(Q(latest__isnull=True) | Q(latest__lte=cutoff))
        .values_list("pk", flat=True)
    )
    return _each(list(candidates), services.challenge_record_no_progress, days=days)


@shared_task(**_RELIABLE)
def record_deadline_reminders(days_before: int | None = None) -> int:
    """Remind the municipality's people of a response deadline ahead and once passed."""
    from . import services
    from .constants import OPEN_STATUSES
    from .models import Challenge

    days_before = settings.DEADLINE_REMINDER_DAYS if days_before is None else days_before
    now = timezone.now()
    due_soon = Challenge.objects.filter(
        status__in=OPEN_STATUSES, due_at__gt=now, due_at__lte=now + timedelta(days=days_before)
    ).values_list("pk", flat=True)
    passed = Challenge.objects.filter(status__in=OPEN_STATUSES, due_at__lte=now).values_list(
        "pk", flat=True
    )
    return _each(
        list(due_soon), services.challenge_record_deadline_reminder, days_before=days_before
    ) + _each(list(passed), services.challenge_record_deadline_passed)
