"""On PostgreSQL, the database itself refuses to change or remove a log entry.

A row trigger on challenges_timelineevent refuses every DELETE and every UPDATE,
with two narrow exceptions that keep personal data erasable:

- the erasure (challenges.timeline.timeline_erase_personal_data): only while the
  transaction-local setting rtc.erasure is 'on', only when erased_at goes from null
  to a time, data becomes {"erased": true}, the salt becomes '' and the actor null,
  and none of the columns the chain commits to changes;
- unlinking a deleted account: the actor's foreign key is ON DELETE SET NULL, so
  deleting a user sets actor_id to null; that, and nothing else, is allowed.

TRUNCATE is not refused: Django's `flush` (and so every transactional test) empties
the tables with one TRUNCATE statement, and a trigger cannot tell that apart.

The trigger keeps the application (and a careless UPDATE in psql) from rewriting
history; it does not stop the table's owner, who can disable it. What proves the log
unchanged to everyone else is the hash chain and the heads they hold.

Other databases (SQLite in development) get no trigger: the model and queryset
refuse updates and deletes there, and verify_log detects what gets past them.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION rtc_timelineevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'timeline events are append-only: DELETE of seq % refused', OLD.seq
            USING HINT = 'Corrections are new events; personal data is erased, not deleted.';
    END IF;
    IF (NEW.id, NEW.seq, NEW.digest, NEW.chain_hash, NEW.challenge_id, NEW.code,
        NEW.visibility, NEW.actor_role, NEW.corrects_id, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.seq, OLD.digest, OLD.chain_hash, OLD.challenge_id, OLD.code,
        OLD.visibility, OLD.actor_role, OLD.corrects_id, OLD.created_at) THEN
        RAISE EXCEPTION 'timeline events are append-only: UPDATE of seq % refused', OLD.seq;
    END IF;
    -- A deleted account: ON DELETE SET NULL of the actor, nothing else.
    IF OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
       AND NEW.data = OLD.data AND NEW.salt = OLD.salt
       AND NEW.erased_at IS NOT DISTINCT FROM OLD.erased_at THEN
        RETURN NEW;
    END IF;
    -- The erasure of personal data.
    IF current_setting('rtc.erasure', true) = 'on'
       AND OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL
       AND NEW.data = '{"erased": true}'::jsonb AND NEW.salt = '' AND NEW.actor_id IS NULL THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'timeline events are append-only: UPDATE of seq % refused', OLD.seq
        USING HINT = 'Only an erasure of personal data may change an entry.';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS rtc_timelineevent_append_only ON challenges_timelineevent;
CREATE TRIGGER rtc_timelineevent_append_only
    BEFORE UPDATE OR DELETE ON challenges_timelineevent
    FOR EACH ROW EXECUTE FUNCTION rtc_timelineevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS rtc_timelineevent_append_only ON challenges_timelineevent;
DROP FUNCTION IF EXISTS rtc_timelineevent_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("challenges", "0003_process_log_chain"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger, elidable=False),
    ]
