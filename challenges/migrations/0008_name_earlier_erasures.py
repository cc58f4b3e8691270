"""Put the erasures made before erasure events existed on the chain.

Since this version every erasure appends erasure events (challenges.chain:
ERASURE_CODE, data {"erased_seqs": [...]}) naming the entries it erased, and
`verify_log` refuses an erased entry that no later erasure event names. Entries
erased earlier are named here, by appended erasure events grouped the way the
erasure service groups them (one per challenge and visibility, on that challenge,
with that visibility, no actor), so an upgraded log verifies. The events are new
entries at the end of the log: the head moves, and nothing written is changed
(the append-only trigger of 0004 allows inserts).

Like 0003 it uses today's chain rules on purpose: they are a published format
that never changes.
"""

import secrets

from django.db import migrations
from django.utils import timezone

from challenges import chain


def name_earlier_erasures(apps, schema_editor):
    TimelineEvent = apps.get_model("challenges", "TimelineEvent")
    ChainHead = apps.get_model("challenges", "ChainHead")
    named = set()
    for data in TimelineEvent.objects.filter(code=chain.ERASURE_CODE).values_list(
        "data", flat=True
    ):
        named.update(chain.erased_seqs(data) or ())
    groups: dict[tuple[int, str], list[int]] = {}
    erased = (
        TimelineEvent.objects.filter(erased_at__isnull=False)
        .order_by("seq")
        .values_list("seq", "challenge_id", "visibility")
    )
    for seq, challenge_id, visibility in erased.iterator(chunk_size=2000):
        if seq not in named:
            groups.setdefault((challenge_id, visibility), []).append(seq)
    if not groups:
        return
    head = ChainHead.objects.select_for_update().get(pk=1)
    size, previous = head.size, head.hash
    now = timezone.now()
    for (challenge_id, visibility), seqs in sorted(groups.items(), key=lambda g: g[1][0]):
        size += 1
        data = chain.erasure_data(seqs)
        salt = secrets.token_hex(16)
        digest = chain.content_digest(
            challenge=challenge_id,
            code=chain.ERASURE_CODE,
            visibility=visibility,
            actor_role="",
            data=data,
            corrects=None,
            created_at=chain.canonical_time(now),
            salt=salt,
        )
        previous = chain.link(previous, size, digest)
        TimelineEvent.objects.create(
            challenge_id=challenge_id,
            actor=None,
            actor_role="",
            code=chain.ERASURE_CODE,
            visibility=visibility,
            data=data,
            corrects=None,
            created_at=now,
            seq=size,
            salt=salt,
            digest=digest,
            chain_hash=previous,
        )
    head.size, head.hash, head.updated_at = size, previous, now
    head.save(update_fields=["size", "hash", "updated_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("challenges", "0007_keyset_indexes"),
    ]

    operations = [
        # Not reversed: entries of the log are never removed.
        migrations.RunPython(name_earlier_erasures, migrations.RunPython.noop, elidable=False),
    ]
