"""The one writer of timeline events.

Every event is written inside the transaction of the change it records, so a
rolled-back change leaves no event and a committed change always has one.
"""

from django.db import transaction

from notifications import outbox

from .models import Challenge, TimelineEvent


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
    event.save()
    # Who must hear about it is recorded in the same transaction (the outbox).
    outbox.record_for_event(event)
    return event
