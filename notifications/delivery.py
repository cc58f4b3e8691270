"""Sending the e-mail rows of the outbox: one event's rows, a batch the sweeper
picked, or one person's digest.

The guarantee, precisely:

- In-app notifications are exactly once: the row is written in the event's
  transaction and the unique constraint (event, recipient, channel) forbids a second.
- An e-mail row is sent inside its own short database transaction: claim the row
  (an UPDATE that marks it sent, on a row chosen with `FOR UPDATE SKIP LOCKED` on
  PostgreSQL, and only while it is due: `next_attempt_at` empty or past), hand the
  message to the mail server, COMMIT. Two workers never send the same row; a task
  that runs twice, or two tasks for the same rows, find the row sent, locked or
  not yet due and skip it. A worker that dies before the mail server accepted the
  message leaves the row pending (its transaction is rolled back) and the sweeper
  queues it again. Only a worker that dies in the instant between the mail server's
  acceptance and the COMMIT causes a second send: at-least-once in that window,
  which is why every message carries a deterministic Message-ID
  (`<notification-ID@host>`, `<digest-ID@host>`) that lets a receiving system drop
  the duplicate.

Retry by time, per row. A failure is recorded on the row in the same transaction
that claimed it (the row lock is held throughout, so no other worker slips in):

- a permanent refusal (5xx for that recipient) fails the row at once, with the
  reason;
- a passing failure (4xx, connection refused, timeout, disconnect) counts the
  attempt and sets the row's own `next_attempt_at`: exponential backoff from
  NOTIFICATION_RETRY_BASE, doubling up to NOTIFICATION_RETRY_MAX, with jitter
  (`next_attempt_delay`). The first failure sets `give_up_at` =
  NOTIFICATION_RETRY_HORIZON (24 hours) later; a failure after that is final;
- a refusal for one recipient does not stop the others: the task goes on with the
  next row. When the mail server cannot be reached at all, the rows the task held
  are recorded as attempted with that error (so the outage shows on them), and
  the outage is recorded once (`DeliveryOutage`, see `outage_begin`).

Messages are rendered in the recipient's language (`translation.override`) from
templates/emails/, reusing the wording of the timeline's event templates
(templates/timeline/events/) as plain text. A message does not depend on who
receives it beyond language and reason, so one event's message is rendered once per
(language, reason) and reused: that keeps a 1,000-follower event cheap. An
invitation row is rendered from its Invitation (the token is read there, at send
time) in the inviter's language, and marks the invitation sent in the same
transaction.
"""

import html
import logging
import random
import re
import smtplib
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags

from challenges import chain, registry
from challenges.constants import Visibility
from challenges.models import Invitation, TimelineEvent

from .constants import Channel, DeliveryStatus, Frequency, Reason
from .models import DeliveryOutage, Digest, Notification

logger = logging.getLogger(__name__)


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


def addressed_url(event: TimelineEvent, reason: str) -> str:
    """Where the message leads: the event on the challenge's timeline, or, for a person
    addressed by an event they may not read there (a team's message to a supporter),
    their notifications, where they can."""
    if reason == Reason.ADDRESSED and event.visibility != Visibility.PUBLIC:
        return settings.SITE_URL + reverse("notifications:list")
    return event_url(event)


def preferences_url() -> str:
    return settings.SITE_URL + reverse("notifications:preferences")


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("challenges:invitation", args=[invitation.token])


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


# -- What a failure means -------------------------------------------------------------

PERMANENT, PASSING, UNREACHABLE = "permanent", "passing", "unreachable"


def classify(error: Exception) -> str:
    """PERMANENT: the server refuses this message for good (5xx), fail the row.
    PASSING: it refuses it for now (4xx), retry this row later, go on with the others.
    UNREACHABLE: the connection is gone or never came (refused, timeout, disconnect,
    421 "closing channel"): retry later, and stop trying the others now."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in error.recipients.values()]
        return PERMANENT if codes and all(code >= 500 for code in codes) else PASSING
    if isinstance(error, smtplib.SMTPResponseException):
        if error.smtp_code == 421 or isinstance(error, smtplib.SMTPConnectError):
            return UNREACHABLE
        return PERMANENT if error.smtp_code >= 500 else PASSING
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return UNREACHABLE
    if isinstance(error, smtplib.SMTPException):
        return PASSING
    return UNREACHABLE  # OSError: refused, reset, timed out, no route


def _is_permanent(error: Exception) -> bool:
    """A refusal the mail server will repeat (5xx), as opposed to a passing failure."""
    return classify(error) == PERMANENT


def _error_text(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def next_attempt_delay(attempts: int) -> float:
    """Seconds before the next attempt after `attempts` failed ones: the base doubled
    per failure, at most NOTIFICATION_RETRY_MAX, and "equal jitter" (between half and
    all of it) so that rows failing together do not all come back together."""
    base = settings.NOTIFICATION_RETRY_BASE
    ceiling = settings.NOTIFICATION_RETRY_MAX
    delay = min(ceiling, base * 2 ** max(0, attempts - 1))
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 (not for secrets)


def _failure_update(*, attempts: int, give_up_at, now, error: Exception, kind: str) -> dict:
    """The fields a failed attempt sets (the row's attempts already include it)."""
    give_up_at = give_up_at or now + timedelta(seconds=settings.NOTIFICATION_RETRY_HORIZON)
    final = kind == PERMANENT or now >= give_up_at
    return {
        "status": DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
        "sent_at": None,
        "attempts": attempts,
        "last_attempt_at": now,
        "last_error": _error_text(error),
        "give_up_at": give_up_at,
        "next_attempt_at": None if final else now + timedelta(seconds=next_attempt_delay(attempts)),
    }


# -- Outages of the mail server --------------------------------------------------------


def outage_begin(error: Exception | str) -> DeliveryOutage:
    """Record a failed connection: the open outage counts it, or one is opened (and
    the warning logged, once per outage however many workers and rows fail)."""
    now = timezone.now()
    text = error if isinstance(error, str) else _error_text(error)
    fields = {"attempts": F("attempts") + 1, "last_error": text[:500], "last_failure_at": now}
    if DeliveryOutage.objects.filter(ended_at__isnull=True).update(**fields):
        return DeliveryOutage.objects.filter(ended_at__isnull=True).first()
    try:
        with transaction.atomic():
            outage = DeliveryOutage.objects.create(
                started_at=now, last_failure_at=now, last_error=text[:500], attempts=1
            )
    except IntegrityError:  # another worker opened it a moment ago
        DeliveryOutage.objects.filter(ended_at__isnull=True).update(**fields)
        return DeliveryOutage.objects.filter(ended_at__isnull=True).first()
    logger.warning(
        "Mail server outage started at %s: %s. E-mail waits in the outbox and is retried.",
        now.isoformat(timespec="seconds"),
        text,
    )
    return outage


def outage_end() -> bool:
    """The mail server accepted a message again: close the open outage (logged once)."""
    open_ids = list(
        DeliveryOutage.objects.filter(ended_at__isnull=True).values_list("pk", "started_at")
    )
    if not open_ids:
        return False
    now = timezone.now()
    pk, started_at = open_ids[0]
    if not DeliveryOutage.objects.filter(pk=pk, ended_at__isnull=True).update(ended_at=now):
        return False
    waiting = Notification.objects.filter(
        channel=Channel.EMAIL, frequency=Frequency.IMMEDIATE, status=DeliveryStatus.PENDING
    ).count()
    logger.warning(
        "Mail server outage ended after %d s; %d e-mails still waiting are being sent.",
        (now - started_at).total_seconds(),
        waiting,
    )
    return True


# -- Sending the rows -------------------------------------------------------------------


@dataclass
class Result:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retrying: int = 0
    unreachable: bool = False
    last_error: str = ""


# Rows another transaction held while we passed: looked at again this many times.
LOCKED_ROW_PASSES = 3
LOCKED_ROW_PAUSE = 0.2  # seconds between those passes


@dataclass(frozen=True)
class Row:
    """What sending one outbox row needs, loaded for all rows of a task at once."""

    pk: int
    event_id: int
    attempts: int
    reason: str
    email: str
    language: str
    is_active: bool
    invitation_id: int | None
    give_up_at: object


class _Unreachable(Exception):
    """The mail server went away while sending: stop this task's loop."""


def _claim_sql() -> str:
    """Mark one pending, due row sent, taking its row lock; compiled once, as SQL:
    going through the ORM for every message would cost more than running it."""
    table = db_connection.ops.quote_name(Notification._meta.db_table)
    sql = (
        f"UPDATE {table} SET status = %s, sent_at = %s, attempts = attempts + 1, "  # noqa: S608
        "last_attempt_at = %s WHERE "
    )
    due = "status = %s AND (next_attempt_at IS NULL OR next_attempt_at <= %s)"
    if db_connection.features.has_select_for_update_skip_locked:
        # A row another transaction holds is skipped (0 rows), not waited for.
        return sql + f"id = (SELECT id FROM {table} WHERE id = %s AND {due} FOR UPDATE SKIP LOCKED)"  # noqa: S608
    return sql + f"id = %s AND {due}"


def _send_locked(row: Row, build, mail_connection, result: Result) -> bool | None:
    """Send one outbox row in its own transaction: claim it (which locks it), hand the
    message to the mail server, COMMIT; on a failure, record it on the row before the
    COMMIT (the lock is held throughout).

    Returns True when the row is done with for now (sent, skipped, failed, retried
    later, or found sent or not due), None when another transaction holds it right
    now. Raises _Unreachable when the mail server went away (the row is recorded).
    """
    if not row.is_active or not row.email:
        result.skipped += Notification.objects.filter(
            pk=row.pk, status=DeliveryStatus.PENDING
        ).update(status=DeliveryStatus.SKIPPED)
        return True
    now = timezone.now()
    db_now = db_connection.ops.adapt_datetimefield_value(now)
    unreachable = message = None
    with transaction.atomic(), db_connection.cursor() as cursor:
        cursor.execute(
            _claim_sql(),
            [DeliveryStatus.SENT, db_now, db_now, row.pk, DeliveryStatus.PENDING, db_now],
        )
        if cursor.rowcount != 1:
            claimed = False
        else:
            claimed = True
            try:
                message = build(row)
            except Exception as error:  # a row that cannot be rendered blocks no other
                logger.exception("Notification %s could not be rendered.", row.pk)
                message = None
                Notification.objects.filter(pk=row.pk).update(
                    **_failure_update(
                        attempts=row.attempts + 1,
                        give_up_at=row.give_up_at,
                        now=now,
                        error=error,
                        kind=PERMANENT,
                    )
                )
                result.failed += 1
        if claimed and message is not None:
            try:
                mail_connection.send_messages([message])
            except (OSError, smtplib.SMTPException) as error:
                kind = classify(error)
                fields = _failure_update(
                    attempts=row.attempts + 1,
                    give_up_at=row.give_up_at,
                    now=now,
                    error=error,
                    kind=kind,
                )
                Notification.objects.filter(pk=row.pk).update(**fields)
                result.last_error = fields["last_error"]
                if fields["status"] == DeliveryStatus.FAILED:
                    result.failed += 1
                    logger.warning("Notification %s failed for good: %s", row.pk, error)
                else:
                    result.retrying += 1
                if kind == UNREACHABLE:
                    unreachable = error
            else:
                if row.invitation_id is not None:
                    Invitation.objects.filter(pk=row.invitation_id, sent_at__isnull=True).update(
                        sent_at=now
                    )
                result.sent += 1
    if unreachable is not None:
        raise _Unreachable from unreachable
    if claimed:
        return True
    pending_due = Notification.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=row.pk,
        status=DeliveryStatus.PENDING,
    ).exists()
    # Still pending and due: another worker (or any other transaction) holds it now.
    return None if pending_due else True


def _hold_up(rows: list[Row], error: Exception, result: Result) -> None:
    """The mail server is unreachable: record the attempt on every row the task held
    (grouped by their attempts so far, one UPDATE per group), each row keeping its
    own backoff and horizon."""
    now = timezone.now()
    groups: dict[tuple, list[int]] = defaultdict(list)
    for row in rows:
        groups[(row.attempts, row.give_up_at)].append(row.pk)
    for (attempts, give_up_at), pks in groups.items():
        fields = _failure_update(
            attempts=attempts + 1, give_up_at=give_up_at, now=now, error=error, kind=UNREACHABLE
        )
        fields.pop("sent_at")
        due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        # A row another worker is sending is waited for, then no longer pending.
        count = Notification.objects.filter(due, pk__in=pks, status=DeliveryStatus.PENDING).update(
            **fields
        )
        if fields["status"] == DeliveryStatus.FAILED:
            result.failed += count
        else:
            result.retrying += count
    result.last_error = _error_text(error)


def due_rows(scope: Q) -> list[Row]:
    """The pending immediate e-mail rows in `scope` whose attempt is due, in id order."""
    now = timezone.now()
    pending = Notification.objects.filter(
        scope,
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        channel=Channel.EMAIL,
        frequency=Frequency.IMMEDIATE,
        status=DeliveryStatus.PENDING,
    )
    rows = []
    for values in pending.order_by("pk").values_list(
        "pk",
        "event_id",
        "attempts",
        "reason",
        "recipient__email",
        "recipient__language",
        "recipient__is_active",
        "address",
        "invitation_id",
        "give_up_at",
    ):
        pk, event_id, attempts, reason, email, language, active, address, invitation, give_up = (
            values
        )
        if address:  # no account: the address of the row (an invitation)
            email, language, active = address, "", True
        rows.append(
            Row(pk, event_id, attempts, reason, email, language or "", active, invitation, give_up)
        )
    return rows


class _Builder:
    """Builds the message of a row; one rendering per (event, language, reason)."""

    def __init__(self, rows: list[Row]):
        event_ids = {row.event_id for row in rows}
        self.events = TimelineEvent.objects.select_related("challenge").in_bulk(event_ids)
        invitation_ids = {row.invitation_id for row in rows if row.invitation_id}
        self.invitations = (
            Invitation.objects.select_related("challenge", "invited_by").in_bulk(invitation_ids)
            if invitation_ids
            else {}
        )
        self.head = published_chain_head()
        self.rendered: dict[tuple, tuple | list] = {}
        self.reasons = dict(Reason.choices)
        self.headers = _headers("")

    def _event_message(self, row: Row) -> tuple[str, str]:
        event = self.events[row.event_id]
        language = row.language or settings.LANGUAGE_CODE
        key = (row.event_id, language, row.reason)
        if key not in self.rendered:
            with translation.override(language):
                context = {
                    "event": event,
                    "challenge": event.challenge,
                    "event_text": event_text(event),
                    "url": addressed_url(event, row.reason),
                    "preferences_url": preferences_url(),
                    "reason": self.reasons.get(row.reason, ""),
                    "chain_head": self.head,
                }
                self.rendered[key] = (
                    _subject("emails/event_subject.txt", context),
                    render_to_string("emails/event.txt", context),
                )
        return self.rendered[key]

    def _invitation_message(self, row: Row) -> tuple[str, str]:
        invitation = self.invitations[row.invitation_id]
        inviter = invitation.invited_by
        with translation.override(inviter.language or settings.LANGUAGE_CODE):
            context = {
                "invitation": invitation,
                "challenge": invitation.challenge,
                "inviter": inviter.name,
                "url": invitation_url(invitation),
            }
            return (
                _subject("emails/invitation_subject.txt", context),
                render_to_string("emails/invitation.txt", context),
            )

    def __call__(self, row: Row) -> EmailMessage:
        if row.invitation_id is not None:
            subject, body = self._invitation_message(row)
            headers = {
                "Message-ID": notification_message_id(row.pk),
                "Auto-Submitted": "auto-generated",
            }
        else:
            subject, body = self._event_message(row)
            headers = {**self.headers, "Message-ID": notification_message_id(row.pk)}
        message = EmailMessage(subject, body, None, [row.email], headers=headers)
        if row.event_id is not None:
            for filename, content, mimetype in self._attachments(row):
                message.attach(filename, content, mimetype)
        return message

    def _attachments(self, row: Row) -> list:
        """The files the event type attaches (`EventType.attachments`), made in the
        recipient's language, once per event and language for all its recipients."""
        language = row.language or settings.LANGUAGE_CODE
        key = ("attachments", row.event_id, language)
        if key not in self.rendered:
            event = self.events[row.event_id]
            declared = registry.event_type(event.code)
            make = declared.attachments if declared is not None else None
            with translation.override(language):
                self.rendered[key] = list(make(event)) if make is not None else []
        return self.rendered[key]


def deliver(scope: Q) -> Result:
    """Try every due row in `scope` once: send it, or record why not and when next.

    One row's refusal does not stop the others. When the mail server cannot be
    reached, the remaining rows are recorded as held up by it and the outage is
    recorded; the sweeper brings each row back at its own next attempt time.
    """
    result = Result()
    rows = due_rows(scope)
    if not rows:
        return result
    build = _Builder(rows)
    mail_connection = get_connection()
    try:
        mail_connection.open()
    except (OSError, smtplib.SMTPException) as error:
        _hold_up(rows, error, result)
        result.unreachable = True
        outage_begin(error)
        return result
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
            for index, row in enumerate(rows):
                try:
                    done = _send_locked(row, build, mail_connection, result)
                except _Unreachable as stop:
                    _hold_up(rows[index + 1 :], stop.__cause__, result)
                    result.unreachable = True
                    break
                if done is None:
                    locked.append(row)
            if result.unreachable or not locked:
                break
    finally:
        try:
            mail_connection.close()
        except (OSError, smtplib.SMTPException):
            pass  # the server is gone already; nothing to close
    if result.sent:
        outage_end()
    elif result.unreachable or result.retrying >= 2:
        # Nothing got through: unreachable, or refusing every message for now (two or
        # more: one recipient's full mailbox or greylisting is not an outage).
        outage_begin(result.last_error)
    return result


def deliver_event_emails(
    *, event_id: int, first_id: int | None = None, last_id: int | None = None
) -> Result:
    """Send the due immediate e-mail rows of one event (optionally a range of them)."""
    scope = Q(event_id=event_id)
    if first_id is not None:
        scope &= Q(pk__gte=first_id)
    if last_id is not None:
        scope &= Q(pk__lte=last_id)
    return deliver(scope)


def deliver_notifications(ids: list[int]) -> Result:
    """Send these rows (a batch the sweeper claimed), those that are still due."""
    return deliver(Q(pk__in=list(ids)))


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
                {
                    "event": row.event,
                    "text": event_text(row.event),
                    "url": addressed_url(row.event, row.reason),
                }
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
