"""Reads shared by several views, so that lists and detail pages never disagree
about who sees what."""

from datetime import date, datetime, time

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from . import chain, permissions
from .constants import STAGE_LINE, Status, Visibility
from .models import Attachment, Challenge, Criterion, Invitation, Neighbourhood, TimelineEvent


def public_criteria() -> QuerySet[Criterion]:
    """The assessment criteria in use, as the criteria page and the API publish them."""
    return Criterion.objects.filter(is_active=True)


def public_challenges() -> QuerySet[Challenge]:
    """Everything submitted, never a draft."""
    return Challenge.objects.exclude(status=Status.DRAFT).select_related("task", "neighbourhood")


def team_challenge_ids(user) -> set[int]:
    """Ids of the challenges the user is on the team of: two index lookups (initiator,
    accepted invitations), never a scan of all challenges."""
    if not getattr(user, "is_authenticated", False):
        return set()
    own = Challenge.objects.filter(initiator=user).order_by().values_list("pk", flat=True)
    joined = (
        Invitation.objects.filter(user=user, accepted_at__isnull=False)
        .order_by()
        .values_list("challenge_id", flat=True)
    )
    return set(own.union(joined))


def team_challenges(user) -> QuerySet[Challenge]:
    """Every challenge (drafts included) the user is on the team of."""
    if not getattr(user, "is_authenticated", False):
        return Challenge.objects.none()
    return (
        Challenge.objects.filter(pk__in=team_challenge_ids(user))
        .select_related("task", "neighbourhood")
        .order_by("-updated_at")
    )


def challenges_visible_to(user) -> QuerySet[Challenge]:
    """What a user may open: everything submitted, plus their own team's drafts."""
    qs = Challenge.objects.select_related("task", "neighbourhood")
    if not getattr(user, "is_authenticated", False):
        return qs.exclude(status=Status.DRAFT)
    team = Q(initiator=user) | Q(invitations__user=user, invitations__accepted_at__isnull=False)
    return qs.filter(~Q(status=Status.DRAFT) | team).distinct()


def team_members(challenge: Challenge) -> list:
    User = get_user_model()
    return list(
        User.objects.filter(
            Q(pk=challenge.initiator_id)
            | Q(
                co_initiatorships__challenge=challenge, co_initiatorships__accepted_at__isnull=False
            ),
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def timeline_for(user, challenge: Challenge) -> QuerySet[TimelineEvent]:
    """The events of a challenge this user may read, newest (highest seq) first.

    With an anonymous user: the public timeline, as the API serves it too."""
    return (
        challenge.events.filter(visibility__in=permissions.visibilities_for(user, challenge))
        .select_related("actor")
        .order_by("-seq")
    )


def filter_challenges(
    qs: QuerySet[Challenge], *, status=None, neighbourhood=None, task=None, overdue=None
) -> QuerySet[Challenge]:
    if status:
        qs = qs.filter(status=status)
    if neighbourhood:
        qs = qs.filter(neighbourhood=neighbourhood)
    if task:
        qs = qs.filter(task=task)
    if overdue:
        qs = qs.filter(due_at__lt=timezone.now())
    return qs


def public_log(
    *,
    status=None,
    neighbourhood=None,
    task=None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[TimelineEvent]:
    """Every public event of every submitted challenge, newest (highest seq) first."""
    qs = (
        TimelineEvent.objects.filter(visibility=Visibility.PUBLIC)
        .exclude(challenge__status=Status.DRAFT)
        .select_related("challenge", "challenge__task", "challenge__neighbourhood")
        .order_by("-seq")
    )
    if status:
        qs = qs.filter(challenge__status=status)
    if neighbourhood:
        qs = qs.filter(challenge__neighbourhood=neighbourhood)
    if task:
        qs = qs.filter(challenge__task=task)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(created_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(created_at__lte=datetime.combine(date_to, time.max, tzinfo=tz))
    return qs


def _status_counts() -> dict[str, int]:
    """Challenges per status, counted once per state of the log: every status change
    writes an event and so moves the chain head, which is part of the cache key."""
    head = chain.current_head()
    key = f"rtc:status-counts:{head.size}:{head.hash}"
    try:
        counts = cache.get(key)
    except Exception:  # the cache is down: count
        counts = None
    if counts is None:
        counts = dict(Challenge.objects.values_list("status").annotate(n=Count("pk")).order_by())
        try:
            cache.set(key, counts, timeout=24 * 3600)
        except Exception:  # noqa: S110 (counting again next time is the fallback)
            pass
    return counts


def stage_counts() -> list[tuple[str, str, int]]:
    """(status, label, number of challenges) for every stop of the main line."""
    counts = _status_counts()
    return [(s.value, s.label, counts.get(s.value, 0)) for s in STAGE_LINE]


def side_counts() -> dict[str, int]:
    counts = _status_counts()
    return {s: counts.get(s, 0) for s in (Status.ON_HOLD, Status.REJECTED, Status.WITHDRAWN)}


def attachments_for(user, challenge: Challenge) -> QuerySet[Attachment]:
    """The attachments of a challenge this user may see, oldest first."""
    return challenge.attachments.filter(
        visibility__in=permissions.attachment_visibilities_for(user, challenge)
    ).order_by("created_at", "pk")


def neighbourhood_counts() -> QuerySet[Neighbourhood]:
    """Every neighbourhood with `count`, its number of submitted challenges (drafts
    are nobody's business but their team's), by name: one query."""
    return Neighbourhood.objects.annotate(
        count=Count("challenges", filter=~Q(challenges__status=Status.DRAFT))
    ).order_by("name")
