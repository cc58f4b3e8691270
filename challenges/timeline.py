"""The one writer of timeline events, and the erasure of their personal content.

Every event is written inside the transaction of the change it records, so a
rolled-back change leaves no event and a committed change always has one. The
writer then announces the event to the subscribers of `challenges.registry`
(notifications records its outbox rows there), still inside that transaction.

Every event is also the next entry of the hash-chained process log (rules in
`challenges.chain`): the writer locks the single ChainHead row, gives the event
seq = size + 1, its digest and its chain hash, and moves the head, all in the
caller's transaction. The lock serializes event writes across all challenges; a
service locks its challenge row first and the head last, always in that order, so
two services cannot deadlock on them.
"""

import secrets
from collections.abc import Sequence

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from . import chain, page_cache, registry
from .models import ChainHead, Challenge, TimelineEvent


def _locked_head() -> ChainHead:
    head = ChainHead.objects.select_for_update().filter(pk=ChainHead.SINGLETON).first()
    if head is not None:
        return head
    # Migration 0003 creates the row; it can only be missing from a database whose
    # tables were emptied by hand (or flushed by a test). Continue from the last
    # entry, if any: the head is derived from the log, never the other way round.
    last = TimelineEvent.objects.order_by("-seq").values_list("seq", "chain_hash").first()
    size, digest = last or (0, chain.GENESIS)
    ChainHead.objects.create(pk=ChainHead.SINGLETON, size=size, hash=digest)
    return ChainHead.objects.select_for_update().get(pk=ChainHead.SINGLETON)


def chain_new_events(events: Sequence[TimelineEvent]) -> None:
    """Make unsaved events the next entries of the chain, in order, and move the head.

    The caller saves the events in the same transaction (record_event; the
    queryset's bulk_create for tests and imports).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Timeline events are written inside the transaction of their change.")
    if not events:
        return
    head = _locked_head()
    size, previous = head.size, head.hash
    for event in events:
        if event.pk is not None or event.seq is not None:
            raise ValueError("Only new events can be chained.")
        chain.check_data(event.data)
        size += 1
        event.seq = size
        event.salt = secrets.token_hex(16)
        event.digest = chain.content_digest(
            challenge=event.challenge_id,
            code=event.code,
            visibility=event.visibility,
            actor_role=event.actor_role,
            data=event.data,
            corrects=event.corrects_id,
            created_at=chain.canonical_time(event.created_at),
            salt=event.salt,
        )
        event.chain_hash = previous = chain.link(previous, size, event.digest)
    head.size, head.hash, head.updated_at = size, previous, events[-1].created_at
    head.save(update_fields=["size", "hash", "updated_at"])


def record_event(
    *,
    challenge: Challenge,
    code: str,
    visibility: str,
    actor=None,
    actor_role: str = "",
    data: dict | None = None,
    corrects: TimelineEvent | None = None,
) -> TimelineEvent:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Timeline events are written inside the transaction of their change.")
    event = TimelineEvent(
        challenge=challenge,
        code=code,
        visibility=visibility,
        actor=actor,
        actor_role=actor_role,
        data=data or {},
        corrects=corrects,
    )
    chain_new_events([event])
    event.save()
    # The subscribers (the notifications outbox, the page cache) act in the same
    # transaction: a subscriber that fails rolls the change back with its event.
    registry.announce(event)
    return event


# The locked entries are erased in batches of this many ids (a person may have
# written thousands of events; databases bound the parameters of one statement).
ERASE_BATCH = 500


@transaction.atomic
def timeline_erase_personal_data(*, user) -> int:
    """Erase the content of every event `user` wrote (privacy law: right to erasure).

    Each such event keeps its place in the log, its code, visibility, role, time and
    its digest and chain hash, so the chain still verifies; its data becomes
    {"erased": true}, its salt is wiped (so no one can confirm a guess of the old
    content against the digest) and the actor is unlinked. Pages show "Content
    removed at the request of the person concerned". Returns how many events were
    erased (events erased before are left alone).

    The erasure is itself on the chain: in the same transaction it appends one
    erasure event (`chain.ERASURE_CODE`, data {"erased_seqs": [...]}) per challenge
    and visibility of the erased events, on that challenge, with that visibility, no
    actor and no role: it names the entries, not their content and not who asked.
    `verify_log` refuses an erased entry that no later erasure event names, so an
    erasure done by hand is detected. These new events move the head, so the page
    cache and the cached fragments show the erasure.

    Only events *by* the person are erased; a mention of them in someone else's
    event (an invitation to their address) is not.
    """
    if user is None or user.pk is None:
        return 0
    # Locked first: a second erasure of the same person at the same time waits here
    # and then finds nothing left, so every entry is erased and named exactly once.
    rows = list(
        TimelineEvent.objects.select_for_update()
        .filter(actor=user, erased_at__isnull=True)
        .order_by("seq")
        .values_list("pk", "seq", "challenge_id", "visibility")
    )
    return _erase(rows)


@transaction.atomic
def timeline_erase_challenge_events(*, challenge: Challenge) -> int:
    """Erase the content of every event of one challenge, the way
    `timeline_erase_personal_data` does (the chain still verifies; erasure events
    name the erased entries). For a draft its initiator deletes: a draft's events
    (invitations of co-initiators) are on the chain, so they cannot be removed.
    Returns how many events were erased."""
    rows = list(
        TimelineEvent.objects.select_for_update()
        .filter(challenge=challenge, erased_at__isnull=True)
        .exclude(code=chain.ERASURE_CODE)
        .order_by("seq")
        .values_list("pk", "seq", "challenge_id", "visibility")
    )
    return _erase(rows)


@transaction.atomic
def timeline_erase_events(*, event_ids) -> int:
    """Erase the content of the events `event_ids`, the way
    `timeline_erase_personal_data` does (the chain still verifies; erasure events
    name the erased entries). For a public post the municipality hides (community):
    its text must leave the log, the feed, the exports and the notifications, while
    the entry keeps its place. Erasure events themselves are never erased. Returns
    how many events were erased (events erased before are left alone)."""
    ids = [int(pk) for pk in event_ids if pk is not None]
    if not ids:
        return 0
    rows = list(
        TimelineEvent.objects.select_for_update()
        .filter(pk__in=ids, erased_at__isnull=True)
        .exclude(code=chain.ERASURE_CODE)
        .order_by("seq")
        .values_list("pk", "seq", "challenge_id", "visibility")
    )
    return _erase(rows)


# The keys under which an event's data names a person (contact persons assigned and
# handed over: "name" is the incoming one, "from_name" the outgoing one).
NAME_KEYS = ("name", "from_name")


@transaction.atomic
def timeline_erase_mentions(*, challenge_ids, names) -> int:
    """Erase the content of every event on `challenge_ids` whose data names one of
    `names` (a deleted account's former names) under `NAME_KEYS`, though someone
    else wrote it: the municipality naming them contact person, a handover naming
    them as the one who left. Erased as `timeline_erase_personal_data` erases (the
    chain still verifies; erasure events name the entries). Returns how many."""
    names = {name for name in names if name}
    if not names or not challenge_ids:
        return 0
    mentions = Q()
    for key in NAME_KEYS:
        mentions |= Q(**{f"data__{key}__in": sorted(names)})
    rows = list(
        TimelineEvent.objects.select_for_update()
        .filter(challenge_id__in=list(challenge_ids), erased_at__isnull=True)
        .filter(mentions)
        .exclude(code=chain.ERASURE_CODE)
        .order_by("seq")
        .values_list("pk", "seq", "challenge_id", "visibility")
    )
    return _erase(rows)


def _erase(rows: list) -> int:
    """Erase the locked entries `rows` (pk, seq, challenge id, visibility) and append
    the erasure events that name them, in the caller's transaction."""
    if not rows:
        return 0
    vendor = connection.vendor
    if vendor == "postgresql":
        # Opens the trigger's erasure path for this transaction only (migration 0004).
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('rtc.erasure', 'on', true)")
    at = timezone.now()
    erased = 0
    for start in range(0, len(rows), ERASE_BATCH):
        ids = [row[0] for row in rows[start : start + ERASE_BATCH]]
        erased += TimelineEvent.objects.filter(pk__in=ids).erase_content(at=at)
    if vendor == "postgresql":
        # Closed again at once: nothing else in the caller's transaction may use it.
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('rtc.erasure', 'off', true)")
    if erased != len(rows):
        # The rows are locked, so this cannot happen; if it does, erase nothing.
        raise RuntimeError("The events to erase changed during their erasure.")

    groups: dict[tuple[int, str], list[int]] = {}
    for _pk, seq, challenge_id, visibility in rows:
        groups.setdefault((challenge_id, visibility), []).append(seq)
    challenges = Challenge.objects.in_bulk({challenge_id for challenge_id, _v in groups})
    # In the order of the first entry each names, so the log reads in erasure order.
    for (challenge_id, visibility), seqs in sorted(groups.items(), key=lambda g: g[1][0]):
        record_event(
            challenge=challenges[challenge_id],
            code=chain.ERASURE_CODE,
            visibility=visibility,
            data=chain.erasure_data(seqs),
        )
    # The new events move the head (and bump the page cache's generation); dropping
    # the cached pages as well keeps that true whatever a subscriber does.
    transaction.on_commit(page_cache.invalidate)
    return erased
