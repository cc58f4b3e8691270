"""Delivery frequencies, channels and statuses.

Preferences are per notification *kind*, which groups event codes the way a person
thinks about them ("tell me about stage changes at once, the conversation once a
day"). The apps declare their kinds, and the kind of each event code, in the
registries of `challenges.registry`; nothing here lists them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    OFF = "off", _("Off (only in the notification centre)")


# The frequencies that are collected into a digest rather than sent one by one.
DIGEST_FREQUENCIES = (Frequency.DAILY, Frequency.WEEKLY)


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    IN_APP = "in_app", _("Notification centre")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    # Nothing to send any more: the recipient was deactivated or has no address.
    SKIPPED = "skipped", _("Skipped")
    # Refused for good by the mail server, or too many failed attempts.
    FAILED = "failed", _("Failed")


class Reason(models.TextChoices):
    """Why a person hears about an event; said in the e-mail, so nobody wonders."""

    CONTACT_PERSON = "contact_person", _("You are a fixed contact person for this challenge.")
    TEAM = "team", _("You are on the team of this challenge.")
    MUNICIPALITY = "municipality", _("You handle this challenge for the municipality.")
    FOLLOWER = "follower", _("You follow this challenge.")
    INVITEE = "invitee", _("You were invited to join the team of this challenge.")
    # A targeted message names its recipients (recipients.addressed_to).
    ADDRESSED = "addressed", _("This message was sent to you through the portal.")
