"""Who must hear about a timeline event.

- *public* events: the parties and the challenge's followers;
- *parties* events: the parties, that is the challenger team (initiator and accepted
  co-initiators) and the municipality's people on this challenge;
- *internal* events: the municipality's people only;
- events on a draft: the team only (a draft is the team's own; nobody else may see it).

The person who caused the event never hears about it; deactivated accounts never do.

"The municipality's people on this challenge": until fixed contact persons exist
(a later issue), the staff who have acted on the challenge (an event with a reviewer
or coordinator role, the current one included) and still hold a staff role; if no
one has yet, every active reviewer, so a new submission always reaches somebody.

Everything is one query, however large the audience: the people are selected with
subqueries, and each row carries why the person hears about it (`reason`) and their
preference for this kind of event (`frequency`, immediately when they never chose).
"""

from django.contrib.auth import get_user_model
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from challenges.constants import Role, Status, Visibility
from challenges.models import Invitation, TimelineEvent
from challenges.permissions import COORDINATOR_GROUP, REVIEWER_GROUP

from .constants import Frequency, Reason, kind_of
from .models import Follow, Preference


def _group_members(*names: str) -> QuerySet:
    User = get_user_model()
    return User.groups.through.objects.filter(group__name__in=names).values("user_id")


def municipality_people(challenge) -> QuerySet:
    """The active staff who handle `challenge` (see the module docstring)."""
    User = get_user_model()
    # The same rule as challenges.permissions.staff_roles, in SQL.
    staff = User.objects.filter(is_active=True).filter(
        Q(is_superuser=True)
        | Q(is_staff=True, pk__in=_group_members(REVIEWER_GROUP, COORDINATOR_GROUP))
    )
    acted = staff.filter(
        pk__in=TimelineEvent.objects.filter(
            challenge_id=challenge.pk,
            actor_role__in=[Role.REVIEWER, Role.COORDINATOR],
            actor__isnull=False,
        ).values("actor_id")
    )
    reviewers = staff.filter(is_staff=True, pk__in=_group_members(REVIEWER_GROUP))
    return staff.filter(
        Q(pk__in=acted.values("pk")) | (Q(pk__in=reviewers.values("pk")) & ~Exists(acted))
    )


def team_q(challenge) -> Q:
    accepted = Invitation.objects.filter(
        challenge_id=challenge.pk, accepted_at__isnull=False, user__isnull=False
    ).values("user_id")
    return Q(pk=challenge.initiator_id) | Q(pk__in=accepted)


def recipients_for(event) -> QuerySet:
    """Users to notify of `event`, each annotated with `reason` and `frequency`."""
    User = get_user_model()
    challenge = event.challenge
    team = team_q(challenge)
    people = Q(pk__in=municipality_people(challenge).values("pk"))
    followers = Q(pk__in=Follow.objects.filter(challenge_id=challenge.pk).values("user_id"))

    if challenge.status == Status.DRAFT:
        who = team
    elif event.visibility == Visibility.PUBLIC:
        who = team | people | followers
    elif event.visibility == Visibility.PARTIES:
        who = team | people
    else:
        who = people
    preference = Preference.objects.filter(user=OuterRef("pk"), kind=kind_of(event.code))
    qs = (
        User.objects.filter(who, is_active=True)
        .annotate(
            reason=Case(
                When(team, then=Value(Reason.TEAM)),
                When(people, then=Value(Reason.MUNICIPALITY)),
                default=Value(Reason.FOLLOWER),
            ),
            frequency=Coalesce(
                Subquery(preference.values("frequency")[:1]), Value(Frequency.IMMEDIATE)
            ),
        )
        .order_by("pk")
    )
    if event.actor_id is not None:
        qs = qs.exclude(pk=event.actor_id)
    return qs
