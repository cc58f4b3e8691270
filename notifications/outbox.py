"""The transactional outbox: called by the timeline writer for every event, inside
the event's transaction. (Being built: see the transparency engine issue.)"""


def record_for_event(event) -> None:
    """Record who must hear about `event` (one row per recipient and channel)."""
