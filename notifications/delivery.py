"""Sending the e-mail rows of the outbox: one event's rows, or one person's digest.

The guarantee, precisely:

- In-app notifications are exactly once: the row is written in the event's
  transaction and the unique constraint (event, recipient, channel) forbids a second.
- An e-mail row is sent inside its own short database transaction: lock the row
  (`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, so two workers never take the
  same row), check it is still pending, hand the message to the mail server, mark
  it sent, COMMIT. A task that runs twice, or two tasks for the same event, find the
  row sent (or locked) and skip it: exactly once. A worker that dies before the mail
  server accepted the message leaves the row pending (its transaction is rolled
  back) and the sweeper re-queues it. Only a worker that dies in the instant between
  the mail server's acceptance and the COMMIT causes a second send: at-least-once in
  that window, which is why every message carries a deterministic Message-ID
  (`<notification-ID@host>`, `<digest-ID@host>`) that lets a receiving system drop
  the duplicate.

Messages are rendered in the recipient's language (`translation.override`) from
templates/emails/, reusing the wording of the timeline's event templates
(templates/timeline/events/) as plain text. A message does not depend on who
receives it beyond language and reason, so one event's message is rendered once per
(language, reason) and reused: that keeps a 1,000-follower event cheap.
"""

import html
import logging
import re
import smtplib
import time
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags

from challenges import chain
from challenges.models import TimelineEvent

from .constants import Channel, DeliveryStatus, Frequency, Reason
from .models import Digest, Notification

logger = logging.getLogger(__name__)


class DeliveryIncomplete(Exception):
    """Some rows could not be sent for now (mail server unreachable); retry later."""


def published_chain_head() -> tuple[int, str] | None:
    """(size, hash) of the published head of the hash-chained log (every e-mail
    quotes it, so a reader can check the log they are shown)."""
    return chain.current_head()


@lru_cache(maxsize=4)
def _host_of(site_url: str) -> str:
    return urlsplit(site_url).hostname or "localhost"


def _host() -> str:
    return _host_of(settings.SITE_URL)


def notification_message_id(notification_id: int) -> str:
    return f"<notification-{notification_id}@{_host()}>"


def digest_message_id(digest_id: int) -> str:
    return f"<digest-{digest_id}@{_host()}>"


def event_url(event: TimelineEvent) -> str:
    return f"{settings.SITE_URL}{event.challenge.get_absolute_url()}#event-{event.pk}"


def preferences_url() -> str:
    return settings.SITE_URL + reverse("notifications:preferences")


_BLANK_LINES = re.compile(r"\n\s*\n+")


def event_text(event: TimelineEvent) -> str:
    """The event as plain text, in the active language: its timeline template, untagged."""
    rendered = render_to_string(event.template_name, {"event": event, "data": event.data})
    text = html.unescape(strip_tags(rendered))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return _BLANK_LINES.sub("\n", "\n".join(line for line in lines if line)).strip()


def _subject(template: str, context: dict) -> str:
    return " ".join(render_to_string(template, context).split())


def _headers(message_id: str) -> dict:
    return {
        "Message-ID": message_id,
        "Auto-Submitted": "auto-generated",
        "List-Unsubscribe": f"<{preferences_url()}>",
    }


def _is_permanent(error: Exception) -> bool:
    """A refusal the mail server will repeat (5xx), as opposed to a passing failure."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


@dataclass
class Result:
    sent: int = 0
    skipped: int = 0
    failed: int = 0


# Rows another transaction held while we passed: looked at again this many times.
LOCKED_ROW_PASSES = 3
LOCKED_ROW_PAUSE = 0.2  # seconds between those passes


@dataclass(frozen=True)
class Row:
    """What sending one outbox row needs, loaded for all rows of a task at once."""

    pk: int
    attempts: int
    reason: str
    email: str
    language: str
    is_active: bool


class _NotClaimed(Exception):
    pass


class _SendFailed(Exception):
    pass


def _claim_sql() -> str:
    """Mark one pending row sent, taking its row lock; compiled once, as SQL: going
    through the ORM for every message would cost more than running it."""
    table = db_connection.ops.quote_name(Notification._meta.db_table)
    sql = f"UPDATE {table} SET status = %s, sent_at = %s, attempts = attempts + 1 WHERE "  # noqa: S608
    if db_connection.features.has_select_for_update_skip_locked:
        # A row another transaction holds is skipped (0 rows), not waited for.
        skip_locked = (
            f"(SELECT id FROM {table} WHERE id = %s AND status = %s FOR UPDATE SKIP LOCKED)"  # noqa: S608
        )
        return sql + "id = " + skip_locked
    return sql + "id = %s AND status = %s"


def _send_locked(row: Row, build, mail_connection, result: Result) -> bool | None:
    """Send one outbox row in its own transaction: mark it sent (which locks it), hand
    the message to the mail server, COMMIT. Two round trips to the database.

    Returns True when the row is done with (sent, skipped, failed for good, or found
    sent already), None when another transaction holds it right now, and False when
    the mail server is unreachable (stop, and retry later).
    """
    if not row.is_active or not row.email:
        result.skipped += Notification.objects.filter(
            pk=row.pk, status=DeliveryStatus.PENDING
        ).update(status=DeliveryStatus.SKIPPED)
        return True
    now = db_connection.ops.adapt_datetimefield_value(timezone.now())
    try:
        with transaction.atomic(), db_connection.cursor() as cursor:
            cursor.execute(_claim_sql(), [DeliveryStatus.SENT, now, row.pk, DeliveryStatus.PENDING])
            if cursor.rowcount != 1:
                raise _NotClaimed
            try:
                mail_connection.send_messages([build(row)])
            except (OSError, smtplib.SMTPException) as error:
                raise _SendFailed from error  # rolls the mark back
    except _NotClaimed:
        status = Notification.objects.filter(pk=row.pk).values_list("status", flat=True).first()
        # Still pending: another worker (or any other transaction) holds it now.
        return None if status == DeliveryStatus.PENDING else True
    except _SendFailed as failure:
        error = failure.__cause__
        attempts = row.attempts + 1
        permanent = _is_permanent(error) or attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
        Notification.objects.filter(pk=row.pk, status=DeliveryStatus.PENDING).update(
            attempts=attempts,
            last_error=f"{type(error).__name__}: {error}"[:500],
            status=DeliveryStatus.FAILED if permanent else DeliveryStatus.PENDING,
        )
        logger.warning("Sending notification %s failed: %s", row.pk, error)
        if permanent:
            result.failed += 1
            return True
        return False
    result.sent += 1
    return True


def _pending_rows(event_id: int, first_id: int | None, last_id: int | None) -> list[Row]:
    pending = Notification.objects.filter(
        event_id=event_id,
        channel=Channel.EMAIL,
        frequency=Frequency.IMMEDIATE,
        status=DeliveryStatus.PENDING,
    )
    if first_id is not None:
        pending = pending.filter(pk__gte=first_id)
    if last_id is not None:
        pending = pending.filter(pk__lte=last_id)
    return [
        Row(*values)
        for values in pending.order_by("pk").values_list(
            "pk",
            "attempts",
            "reason",
            "recipient__email",
            "recipient__language",
            "recipient__is_active",
        )
    ]


def deliver_event_emails(
    *, event_id: int, first_id: int | None = None, last_id: int | None = None
) -> Result:
    """Send the pending immediate e-mail rows of one event (optionally a range of them)."""
    result = Result()
    rows = _pending_rows(event_id, first_id, last_id)
    if not rows:
        return result
    event = TimelineEvent.objects.select_related("challenge").get(pk=event_id)
    head = published_chain_head()
    rendered: dict[tuple[str, str], tuple[str, str]] = {}
    reasons = dict(Reason.choices)
    headers = _headers("")

    def build(row: Row) -> EmailMessage:
        language = row.language or settings.LANGUAGE_CODE
        key = (language, row.reason)
        if key not in rendered:
            with translation.override(language):
                context = {
                    "event": event,
                    "challenge": event.challenge,
                    "event_text": event_text(event),
                    "url": event_url(event),
                    "preferences_url": preferences_url(),
                    "reason": reasons.get(row.reason, ""),
                    "chain_head": head,
                }
                rendered[key] = (
                    _subject("emails/event_subject.txt", context),
                    render_to_string("emails/event.txt", context),
                )
        subject, body = rendered[key]
        return EmailMessage(
            subject,
            body,
            None,
            [row.email],
            headers={**headers, "Message-ID": notification_message_id(row.pk)},
        )

    mail_connection = get_connection()
    try:
        mail_connection.open()
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryIncomplete(f"mail server unreachable: {error}") from error
    locked: list[Row] = []
    try:
        for attempt in range(LOCKED_ROW_PASSES + 1):
            if attempt:
                # Rows that were locked when we passed: usually another worker sending
                # them, but possibly a short UPDATE elsewhere. Look again, a few times;
                # what stays locked is left to its holder (and to the sweeper).
                time.sleep(LOCKED_ROW_PAUSE)
                still = set(
                    Notification.objects.filter(
                        pk__in=[row.pk for row in locked], status=DeliveryStatus.PENDING
                    ).values_list("pk", flat=True)
                )
                rows = [row for row in locked if row.pk in still]
            locked = []
            for row in rows:
                done = _send_locked(row, build, mail_connection, result)
                if done is False:
                    raise DeliveryIncomplete(f"event {event_id}: sending failed, will retry")
                if done is None:
                    locked.append(row)
            if not locked:
                break
    finally:
        mail_connection.close()
    return result


def _digest_group(rows: list[Notification]) -> list[dict]:
    """Events grouped per challenge; challenges in the order of their first event."""
    by_challenge: dict[int, list[Notification]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.event.created_at, r.event_id)):
        by_challenge[row.event.challenge_id].append(row)
    return [
        {
            "challenge": group[0].event.challenge,
            "url": settings.SITE_URL + group[0].event.challenge.get_absolute_url(),
            "items": [
                {"event": row.event, "text": event_text(row.event), "url": event_url(row.event)}
                for row in group
            ],
        }
        for group in by_challenge.values()
    ]


def send_digest(*, recipient_id: int, frequency: str, period_start, period_end) -> bool:
    """Send one person's digest for one period, if it has anything and was not sent.

    One transaction: the Digest row (unique per person, frequency and period) is
    created and locked, the pending rows up to the end of the period are locked,
    the message goes out and everything is marked sent together. A second run finds
    the Digest sent and does nothing; a person with nothing pending gets nothing.
    Rows of earlier periods that were never sent (a failed run) are included.
    """
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                recipient_id=recipient_id,
                channel=Channel.EMAIL,
                frequency=frequency,
                status=DeliveryStatus.PENDING,
                created_at__lt=period_end,
            )
            .select_related("recipient", "event", "event__challenge")
            .order_by("created_at", "pk")
        )
        if not rows:
            return False
        recipient = rows[0].recipient
        digest, _created = Digest.objects.select_for_update().get_or_create(
            recipient_id=recipient_id,
            frequency=frequency,
            period_start=period_start,
            defaults={"period_end": period_end},
        )
        if digest.sent_at is not None:
            return False
        ids = [row.pk for row in rows]
        if not recipient.is_active or not recipient.email:
            Notification.objects.filter(pk__in=ids).update(status=DeliveryStatus.SKIPPED)
            return False
        language = recipient.language or settings.LANGUAGE_CODE
        with translation.override(language):
            groups = _digest_group(rows)
            context = {
                "frequency": frequency,
                "groups": groups,
                "count": len(rows),
                "challenge_count": len(groups),
                "period_start": period_start,
                "period_end": period_end,
                "preferences_url": preferences_url(),
                "chain_head": published_chain_head(),
            }
            subject = _subject("emails/digest_subject.txt", context)
            body = render_to_string("emails/digest.txt", context)
        message = EmailMessage(
            subject, body, None, [recipient.email], headers=_headers(digest_message_id(digest.pk))
        )
        # Raises on failure: the transaction rolls back, the rows stay pending and
        # the task retries (or the next period's digest takes them).
        message.send()
        now = timezone.now()
        Notification.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.SENT, sent_at=now, digest=digest, attempts=F("attempts") + 1
        )
        digest.sent_at = now
        digest.save(update_fields=["sent_at"])
        return True
