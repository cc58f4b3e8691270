"""What the workspace shows of the conversation (messages, documents, the parties
timeline), and whose workspaces a user may open."""

from django.db.models import QuerySet

from challenges import selectors as challenge_selectors
from challenges.constants import Visibility
from challenges.models import Challenge, TimelineEvent

from .. import permissions
from ..models import Document, Message


def messages(challenge: Challenge) -> QuerySet[Message]:
    return Message.objects.filter(challenge=challenge).select_related("author")


def documents(challenge: Challenge) -> QuerySet[Document]:
    return Document.objects.filter(challenge=challenge).select_related("uploaded_by")


def parties_timeline(challenge: Challenge) -> QuerySet[TimelineEvent]:
    """The shared timeline of the parties: public and parties events, never internal ones.

    Both sides read exactly this, so they see the same events.
    """
    return (
        challenge.events.filter(visibility__in=[Visibility.PUBLIC, Visibility.PARTIES])
        .select_related("actor")
        .order_by("-seq")
    )


def workspace_challenges(user) -> QuerySet[Challenge]:
    """Challenges whose workspace the user may open (for lists)."""
    if permissions.can_see_knot_overview(user):
        return challenge_selectors.public_challenges()
    return challenge_selectors.team_challenges(user).exclude(status="draft")
