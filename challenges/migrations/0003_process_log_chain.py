"""The hash chain of the process log (see challenges.chain).

Adds seq, salt, digest, chain_hash and erased_at to the timeline events, backfills
the existing events as entries 1..n in (created_at, id) order, and creates the
single ChainHead row. The hash rules are imported from challenges.chain on purpose:
they are a published format that never changes, so today's rules are the rules of
this migration too.
"""

import secrets

from django.db import migrations, models

import challenges.chain
from challenges import chain


def backfill_chain(apps, schema_editor):
    TimelineEvent = apps.get_model("challenges", "TimelineEvent")
    ChainHead = apps.get_model("challenges", "ChainHead")
    previous, seq, last_time = chain.GENESIS, 0, None
    batch = []
    # The historical manager is a plain one: the append-only overrides are not here.
    for event in TimelineEvent.objects.order_by("created_at", "id").iterator(chunk_size=2000):
        seq += 1
        event.seq = seq
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
        event.chain_hash = previous = chain.link(previous, seq, event.digest)
        last_time = event.created_at
        batch.append(event)
        if len(batch) >= 1000:
            TimelineEvent.objects.bulk_update(batch, ["seq", "salt", "digest", "chain_hash"])
            batch = []
    if batch:
        TimelineEvent.objects.bulk_update(batch, ["seq", "salt", "digest", "chain_hash"])
    ChainHead.objects.create(id=1, size=seq, hash=previous, updated_at=last_time)


class Migration(migrations.Migration):
    dependencies = [
        ("challenges", "0002_groups_criteria_targets"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChainHead",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(
                        default=1, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("size", models.PositiveBigIntegerField(default=0, verbose_name="size")),
                (
                    "hash",
                    models.CharField(default=chain.GENESIS, max_length=64, verbose_name="hash"),
                ),
                (
                    "updated_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="updated at"),
                ),
            ],
            options={
                "verbose_name": "chain head",
                "verbose_name_plural": "chain head",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="chain_head_is_a_singleton"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="timelineevent",
            name="seq",
            field=models.PositiveBigIntegerField(
                editable=False, null=True, verbose_name="sequence number"
            ),
        ),
        migrations.AddField(
            model_name="timelineevent",
            name="salt",
            field=models.CharField(blank=True, default="", editable=False, max_length=32),
        ),
        migrations.AddField(
            model_name="timelineevent",
            name="digest",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="digest"
            ),
        ),
        migrations.AddField(
            model_name="timelineevent",
            name="chain_hash",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="chain hash"
            ),
        ),
        migrations.AddField(
            model_name="timelineevent",
            name="erased_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="content erased at"
            ),
        ),
        migrations.AlterField(
            model_name="timelineevent",
            name="data",
            field=models.JSONField(
                blank=True, default=dict, encoder=challenges.chain.CanonicalJSONEncoder
            ),
        ),
        migrations.RunPython(backfill_chain, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="timelineevent",
            name="seq",
            field=models.PositiveBigIntegerField(
                editable=False, unique=True, verbose_name="sequence number"
            ),
        ),
        migrations.AlterField(
            model_name="timelineevent",
            name="salt",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.AlterField(
            model_name="timelineevent",
            name="digest",
            field=models.CharField(editable=False, max_length=64, verbose_name="digest"),
        ),
        migrations.AlterField(
            model_name="timelineevent",
            name="chain_hash",
            field=models.CharField(editable=False, max_length=64, verbose_name="chain hash"),
        ),
    ]
