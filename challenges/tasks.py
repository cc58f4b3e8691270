"""Celery tasks: thin, take ids, safe to run twice, send in the recipient's language."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation


def _render(template: str, context: dict, language: str) -> tuple[str, str]:
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
        body = render_to_string(f"emails/{template}.txt", context)
    return " ".join(subject.split()), body


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(invitation_id: int) -> bool:
    from .models import Invitation

    invitation = (
        Invitation.objects.select_related("challenge", "invited_by")
        .filter(pk=invitation_id, sent_at__isnull=True)
        .first()
    )
    if invitation is None:  # gone, or already sent
        return False
    context = {
        "invitation": invitation,
        "challenge": invitation.challenge,
        "inviter": invitation.invited_by.name,
        "url": settings.SITE_URL + reverse("challenges:invitation", args=[invitation.token]),
    }
    subject, body = _render("invitation", context, invitation.invited_by.language)
    send_mail(subject, body, None, [invitation.email])
    type(invitation).objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return True
