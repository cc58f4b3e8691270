"""Accounts: the portal's own user model and the allauth adapter.

A separate app because people (residents, civil servants) are neither a challenge
nor a partnership; every other app points at `accounts.User`.
"""
