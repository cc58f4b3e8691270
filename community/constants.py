"""Codes of the community app: its timeline events and the kinds of post."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CommunityEvent(models.TextChoices):
    # Written once a day by the beat task (tasks.record_support_counts) when the
    # number of supporters changed: never one event per support.
    SUPPORT_COUNTED = "support_counted", _("Support counted")
    # The team writes to one supporter through the portal (a targeted message).
    SUPPORTER_MESSAGED = "supporter_messaged", _("Message to a supporter")
    QUESTION_ASKED = "question_asked", _("Question asked")
    QUESTION_ANSWERED = "question_answered", _("Question answered")
    # The municipality hid a question or answer; the reason is public.
    POST_HIDDEN = "post_hidden", _("Post hidden")


class PostKind(models.TextChoices):
    QUESTION = "question", _("Question")
    ANSWER = "answer", _("Answer")


class AnswerRole(models.TextChoices):
    """Who an answer speaks for, shown with it ("Answer by the challenger team")."""

    TEAM = "team", _("the challenger team")
    MUNICIPALITY = "municipality", _("the municipality")


# Rate limits per person per hour (settings.COMMUNITY_RATE_LIMITS overrides them).
RATE_LIMIT_DEFAULTS = {"support": 20, "ask": 5, "answer": 30, "report": 10, "message": 20}

OFFER_MAX_LENGTH = 500
POST_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 500
