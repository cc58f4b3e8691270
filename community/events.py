"""The event types and notification kinds that `community` declares (its sections of
the challenge page are in `sections`, its facts for the reviewer in `selectors`).

Registered from `CommunityConfig.ready()` in the registries of `challenges` (see
`challenges.registry`): `challenges` never imports this app.
"""

from django.utils.translation import gettext_lazy as _

from challenges.events import PROGRESS
from challenges.registry import EventType, NotificationKind

from .constants import CommunityEvent

SUPPORTER_MESSAGES = "supporter_messages"
QUESTIONS = "questions"

KINDS = [
    NotificationKind(
        SUPPORTER_MESSAGES, _("Messages to supporters: the challenger team writes to you")
    ),
    NotificationKind(QUESTIONS, _("Questions: public questions, their answers and hidden posts")),
]

E = CommunityEvent
EVENT_TYPES = [
    # Written by the portal itself once a day: not news that ends a silence. Progress
    # for the followers, so under the kind "progress" of challenges.
    EventType(
        code=E.SUPPORT_COUNTED.value, label=E.SUPPORT_COUNTED.label, kind=PROGRESS, automated=True
    ),
    EventType(
        code=E.SUPPORTER_MESSAGED.value, label=E.SUPPORTER_MESSAGED.label, kind=SUPPORTER_MESSAGES
    ),
    EventType(code=E.QUESTION_ASKED.value, label=E.QUESTION_ASKED.label, kind=QUESTIONS),
    EventType(code=E.QUESTION_ANSWERED.value, label=E.QUESTION_ANSWERED.label, kind=QUESTIONS),
    EventType(code=E.POST_HIDDEN.value, label=E.POST_HIDDEN.label, kind=QUESTIONS),
]
