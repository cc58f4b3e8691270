"""Celery tasks of the partnerships: thin, take ids, safe to run twice.

`notify_parties_of_event` tells both sides of a change that must not go unnoticed
(a handover of a contact person). Other events reach the parties through the
notifications outbox that the timeline writer fills.

`open_due_reflections` is meant for Celery beat, once a day: it asks both sides
for their reflection at every evaluation date of an agreement in force.
"""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def _render(context: dict, language: str) -> tuple[str, str]:
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string("partnerships/emails/event_subject.txt", context)
        body = render_to_string("partnerships/emails/event.txt", context)
    return " ".join(subject.split()), body


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_parties_of_event(event_id: int, extra_user_ids: list[int] | None = None) -> int:
    """Mail both sides of the event: the challenger team, the active contact persons
    and anybody named in `extra_user_ids` (a contact person who just handed over),
    except the person who acted."""
    from challenges.models import TimelineEvent
    from challenges.selectors import team_members

    from .models import ContactPerson

    event = TimelineEvent.objects.select_related("challenge").filter(pk=event_id).first()
    if event is None:
        return 0
    challenge = event.challenge
    recipients = {user.pk: user for user in team_members(challenge)}
    contact_ids = set(
        ContactPerson.objects.filter(challenge=challenge, ended_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    others = get_user_model().objects.filter(
        pk__in=contact_ids | set(extra_user_ids or []), is_active=True
    )
    for user in others:
        recipients.setdefault(user.pk, user)
    url = settings.SITE_URL + reverse("partnerships:workspace", kwargs={"pk": challenge.pk})
    sent = 0
    for user in sorted(recipients.values(), key=lambda u: u.pk):
        if user.pk == event.actor_id or not user.email:
            continue
        subject, body = _render(
            {"event": event, "data": event.data, "challenge": challenge, "url": url},
            user.language,
        )
        send_mail(subject, body, None, [user.email])
        sent += 1
    return sent


@shared_task(acks_late=True)
def open_due_reflections() -> int:
    from .services import reflections_open_due

    return reflections_open_due()
