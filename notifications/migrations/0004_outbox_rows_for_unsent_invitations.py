"""The invitation e-mail moved into the outbox. Invitations made before that whose
e-mail never went out (queued when the broker was down, or still on the queue at
the upgrade: the old task now sends nothing) get their outbox row here, so the
sweeper sends them. Only unsent, unaccepted invitations of the last 7 days: an
older one would arrive out of the blue."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone


def _mask(email: str) -> str:
    local, _sep, domain = email.partition("@")
    return f"{local[:1]}…@{domain}"


def forwards(apps, schema_editor):
    Invitation = apps.get_model("challenges", "Invitation")
    TimelineEvent = apps.get_model("challenges", "TimelineEvent")
    Notification = apps.get_model("notifications", "Notification")
    since = timezone.now() - timedelta(days=7)
    unsent = Invitation.objects.filter(
        sent_at__isnull=True, accepted_at__isnull=True, created_at__gte=since
    ).exclude(pk__in=Notification.objects.filter(invitation__isnull=False).values("invitation"))
    for invitation in unsent.iterator():
        events = TimelineEvent.objects.filter(
            challenge_id=invitation.challenge_id, code="co_initiator_invited"
        ).order_by("-pk")
        event = events.filter(data__email=_mask(invitation.email)).first() or events.first()
        if event is None:
            continue
        Notification.objects.create(
            event_id=event.pk,
            recipient=None,
            address=invitation.email,
            invitation_id=invitation.pk,
            channel="email",
            kind="team",
            frequency="immediate",
            reason="invitee",
            status="pending",
            created_at=timezone.now(),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_retry_by_time_and_outages"),
        ("challenges", "0007_keyset_indexes"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
