"""Notifications: who hears about which timeline event, and how.

Its own app because delivery (the outbox, e-mail, the in-app notification centre,
digests, follows and preferences) is neither a challenge nor a partnership: every
app's timeline events flow through it.
"""
