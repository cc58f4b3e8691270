"""Celery tasks: thin, take ids, safe to run twice."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def record_support_counts() -> int:
    """Once a day: a public "support counted" event on every challenge whose number
    of supporters changed since its last such event (not one event per support, so
    the log is not flooded). A second run the same day finds nothing changed."""
    from django.db.models import Count

    from challenges.models import Challenge

    from . import services
    from .constants import CommunityEvent

    # Candidates: challenges with supporters now, or with a count recorded before
    # (their supporters may all have withdrawn). The service decides.
    with_support = set(
        Challenge.objects.annotate(n=Count("supports")).filter(n__gt=0).values_list("pk", flat=True)
    )
    counted = set(
        Challenge.objects.filter(events__code=CommunityEvent.SUPPORT_COUNTED)
        .values_list("pk", flat=True)
        .distinct()
    )
    recorded = 0
    for challenge in Challenge.objects.filter(pk__in=with_support | counted).order_by("pk"):
        try:
            recorded += services.support_record_count(challenge=challenge) is not None
        except Exception:
            logger.exception("support_record_count failed for challenge %s", challenge.pk)
    return recorded
