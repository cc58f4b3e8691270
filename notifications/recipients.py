"""Who must hear about a timeline event.

- *public* events: the parties and the challenge's followers;
- *parties* events: the parties, that is the challenger team (initiator and accepted
  co-initiators) and the municipality's people on this challenge;
- *internal* events: the municipality's people only;
- events on a draft: the team only (a draft is the team's own; nobody else may see it).

The person who caused the event never hears about it; deactivated accounts never do.

A targeted message: an event (not on a draft) whose data holds "recipient_ids" (a
list of user ids, written by the service that records it, never taken from a form)
also reaches those people, with the reason "addressed"; so the team can write to
one supporter through the portal (community) whatever the event's visibility.

"The municipality's people on this challenge": the municipality's active fixed
contact person (partnerships), and the staff who have acted on the challenge (an
event with a reviewer or coordinator role, the current one included) and still hold
a staff role (the rule of `challenges.permissions.staff_roles`); if there is no such
person yet, every active reviewer, so that a new submission always reaches somebody.

The parties also include both sides' active fixed contact persons (a challenger's
contact person need not be on the team), and on a handover the contact person who
handed over, so that both the incoming and the outgoing person hear of it.

Why SQL by hand: the outbox writes every row with one `INSERT ... SELECT` per
channel inside the request that makes the change, so its cost must not grow with
the audience, and compiling the equivalent ORM query (nested subqueries, used
twice for the `reason`) cost more than running it. The SQL is plain (subqueries,
CASE, COALESCE) and runs on PostgreSQL and SQLite alike; the tests in
tests/notifications/test_recipients.py pin the rules down.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection

from challenges.constants import Role, Status, Visibility
from challenges.models import Challenge, Invitation, TimelineEvent
from challenges.permissions import COORDINATOR_GROUP, REVIEWER_GROUP
from challenges.registry import event_type, kind_of
from partnerships.constants import PartnershipEvent, Side
from partnerships.models import ContactPerson

from .constants import Frequency, Reason
from .models import Follow, Preference


@dataclass
class Audience:
    """A SQL condition on the user table (aliased `u`) and a `reason` expression."""

    where: str
    where_params: list
    reason: str
    reason_params: list


def _tables() -> dict[str, str]:
    User = get_user_model()
    return {
        "user": User._meta.db_table,
        "user_groups": User.groups.through._meta.db_table,
        "group": Group._meta.db_table,
        "invitation": Invitation._meta.db_table,
        "event": TimelineEvent._meta.db_table,
        "follow": Follow._meta.db_table,
        "co_reviewer": Challenge.co_reviewers.through._meta.db_table,
        "preference": Preference._meta.db_table,
        "contact": ContactPerson._meta.db_table,
    }


def _outgoing_contact_person(event) -> int | None:
    """On a handover: the user who handed over (the side's most recently ended
    assignment when the event was written, in the same transaction)."""
    if event.code != PartnershipEvent.CONTACT_PERSON_HANDED_OVER:
        return None
    return (
        ContactPerson.objects.filter(
            challenge_id=event.challenge_id,
            side=(event.data or {}).get("side"),
            ended_at__isnull=False,
            ended_at__lte=event.created_at,
            user__isnull=False,
        )
        .order_by("-ended_at", "-pk")
        .values_list("user_id", flat=True)
        .first()
    )


def _contacts(challenge, *, sides, outgoing: int | None) -> tuple[str, list]:
    """The active fixed contact persons of these sides (and the outgoing one)."""
    table = connection.ops.quote_name(ContactPerson._meta.db_table)
    marks = ", ".join(["%s"] * len(sides))
    sql = (
        f"u.id IN (SELECT c.user_id FROM {table} c WHERE c.challenge_id = %s "  # noqa: S608
        f"AND c.user_id IS NOT NULL AND c.ended_at IS NULL AND c.side IN ({marks}))"
    )
    params = [challenge.pk, *sides]
    if outgoing is not None:
        sql = f"({sql} OR u.id = %s)"
        params.append(outgoing)
    return sql, params


def _conditions(challenge) -> tuple[tuple[str, list], tuple[str, list], tuple[str, list]]:
    """(team, municipality people, followers) as SQL conditions on `u` with params,
    each with the subquery of candidate ids it can only be true for (below)."""
    t = {name: connection.ops.quote_name(table) for name, table in _tables().items()}

    def in_groups(alias: str, *names: str) -> tuple[str, list]:
        marks = ", ".join(["%s"] * len(names))
        return (
            f"{alias}.id IN (SELECT ug.user_id FROM {t['user_groups']} ug "  # noqa: S608
            f"JOIN {t['group']} g ON g.id = ug.group_id WHERE g.name IN ({marks}))",
            list(names),
        )

    def staff(alias: str) -> tuple[str, list]:
        groups, params = in_groups(alias, REVIEWER_GROUP, COORDINATOR_GROUP)
        return (
            f"{alias}.is_active = %s AND ({alias}.is_superuser = %s "
            f"OR ({alias}.is_staff = %s AND {groups}))",
            [True, True, True, *params],
        )

    acted_sql = (
        f"SELECT e.actor_id FROM {t['event']} e WHERE e.challenge_id = %s "  # noqa: S608
        "AND e.actor_role IN (%s, %s) AND e.actor_id IS NOT NULL"
    )
    acted_params = [challenge.pk, Role.REVIEWER, Role.COORDINATOR]
    contact_sql = (
        f"SELECT c.user_id FROM {t['contact']} c WHERE c.challenge_id = %s "  # noqa: S608
        "AND c.side = %s AND c.ended_at IS NULL AND c.user_id IS NOT NULL"
    )
    contact_params = [challenge.pk, Side.MUNICIPALITY]
    staff_u, staff_u_params = staff("u")
    staff_s, staff_s_params = staff("s")
    reviewer_u, reviewer_u_params = in_groups("u", REVIEWER_GROUP)
    # The reviewer a coordinator assigned is one of the municipality's people at once;
    # with one assigned, the challenge is no longer everybody's to pick up.
    assigned = getattr(challenge, "assigned_reviewer_id", None)
    people = (
        f"({staff_u} AND (u.id IN ({contact_sql}) OR u.id IN ({acted_sql}) "  # noqa: S608
        f"OR u.id = %s "
        f"OR u.id IN (SELECT r.user_id FROM {t['co_reviewer']} r WHERE r.challenge_id = %s) "
        f"OR (u.is_staff = %s AND {reviewer_u} AND %s "
        f"AND NOT EXISTS (SELECT 1 FROM {t['user']} s WHERE {staff_s} "
        f"AND s.id IN ({acted_sql})) AND NOT EXISTS ({contact_sql}))))",
        [
            *staff_u_params,
            *contact_params,
            *acted_params,
            assigned if assigned is not None else -1,
            challenge.pk,
            True,
            *reviewer_u_params,
            assigned is None,
            *staff_s_params,
            *acted_params,
            *contact_params,
        ],
    )
    team = (
        f"(u.id = %s OR u.id IN (SELECT i.user_id FROM {t['invitation']} i "  # noqa: S608
        "WHERE i.challenge_id = %s AND i.accepted_at IS NOT NULL AND i.user_id IS NOT NULL))",
        [challenge.initiator_id, challenge.pk],
    )
    followers = (
        f"u.id IN (SELECT f.user_id FROM {t['follow']} f WHERE f.challenge_id = %s)",  # noqa: S608
        [challenge.pk],
    )
    return team, people, followers


def _candidates(
    challenge, *, team: bool, people: bool, followers: bool, contact_sides=(), outgoing=None
) -> tuple[str, list]:
    """A UNION of the ids that can possibly qualify, so the database looks up those
    few users by primary key instead of testing every account of the portal."""
    t = {name: connection.ops.quote_name(table) for name, table in _tables().items()}
    parts: list[tuple[str, list]] = []
    if team:
        parts.append(("SELECT %s", [challenge.initiator_id]))
        parts.append(
            (
                f"SELECT i.user_id FROM {t['invitation']} i WHERE i.challenge_id = %s "  # noqa: S608
                "AND i.user_id IS NOT NULL",
                [challenge.pk],
            )
        )
    if people:
        parts.append(
            (
                f"SELECT e.actor_id FROM {t['event']} e WHERE e.challenge_id = %s "  # noqa: S608
                "AND e.actor_id IS NOT NULL AND e.actor_role IN (%s, %s)",
                [challenge.pk, Role.REVIEWER, Role.COORDINATOR],
            )
        )
        parts.append(
            (
                f"SELECT ug.user_id FROM {t['user_groups']} ug "  # noqa: S608
                f"JOIN {t['group']} g ON g.id = ug.group_id WHERE g.name = %s",
                [REVIEWER_GROUP],
            )
        )
        if getattr(challenge, "assigned_reviewer_id", None) is not None:
            parts.append(("SELECT %s", [challenge.assigned_reviewer_id]))
        parts.append(
            (
                f"SELECT r.user_id FROM {t['co_reviewer']} r WHERE r.challenge_id = %s",  # noqa: S608
                [challenge.pk],
            )
        )
        contact_sides = {*contact_sides, Side.MUNICIPALITY}
    if contact_sides:
        marks = ", ".join(["%s"] * len(contact_sides))
        parts.append(
            (
                f"SELECT c.user_id FROM {t['contact']} c WHERE c.challenge_id = %s "  # noqa: S608
                f"AND c.user_id IS NOT NULL AND c.side IN ({marks})",
                [challenge.pk, *sorted(contact_sides)],
            )
        )
    if outgoing is not None:
        parts.append(("SELECT %s", [outgoing]))
    if followers:
        parts.append(
            (
                f"SELECT f.user_id FROM {t['follow']} f WHERE f.challenge_id = %s",  # noqa: S608
                [challenge.pk],
            )
        )
    return (
        "u.id IN (" + " UNION ".join(sql for sql, _params in parts) + ")",
        [param for _sql, params in parts for param in params],
    )


def addressed_to(event) -> list[int]:
    """The user ids a targeted message names in its data ("recipient_ids"), or []."""
    ids = (event.data or {}).get("recipient_ids") if isinstance(event.data, dict) else None
    if not isinstance(ids, list):
        return []
    return sorted({n for n in ids if type(n) is int and n > 0})


def audience(event) -> Audience:
    """Who is concerned by `event` (see the module docstring), as SQL."""
    challenge = event.challenge
    team, people, followers = _conditions(challenge)
    outgoing = _outgoing_contact_person(event)
    # The municipality's contact person is one of its people (above, as staff).
    both_sides = _contacts(challenge, sides=[Side.CHALLENGER], outgoing=outgoing)
    if challenge.status == Status.DRAFT:
        parts, wanted = [team], {"team": True, "people": False, "followers": False}
    elif event.visibility == Visibility.PUBLIC:
        parts = [team, both_sides, people, followers]
        wanted = {
            "team": True,
            "people": True,
            "followers": True,
            "contact_sides": [Side.CHALLENGER],
        }
    elif event.visibility == Visibility.PARTIES:
        parts = [team, both_sides, people]
        wanted = {
            "team": True,
            "people": True,
            "followers": False,
            "contact_sides": [Side.CHALLENGER],
        }
    else:
        parts, wanted = [people], {"team": False, "people": True, "followers": False}
    if outgoing is not None and "contact_sides" in wanted:
        wanted["outgoing"] = outgoing
    candidates, candidate_params = _candidates(challenge, **wanted)
    addressed_ids = [] if challenge.status == Status.DRAFT else addressed_to(event)
    if addressed_ids:
        marks = ", ".join(["%s"] * len(addressed_ids))
        addressed = (f"u.id IN ({marks})", addressed_ids)
        parts = [*parts, addressed]
        candidates = f"({candidates} OR {addressed[0]})"
        candidate_params = [*candidate_params, *addressed_ids]
    else:
        addressed = ("1 = 0", [])
    where = (
        f"{candidates} AND ("
        + " OR ".join(sql for sql, _params in parts)
        + ") AND u.is_active = %s"
    )
    where_params = [
        *candidate_params,
        *(param for _sql, params in parts for param in params),
        True,
    ]
    declared = event_type(event.code)
    if event.actor_id is not None and not (declared is not None and declared.tells_actor):
        where += " AND u.id <> %s"
        where_params.append(event.actor_id)
    contacts = both_sides if "contact_sides" in wanted else ("1 = 0", [])
    reason = (
        f"CASE WHEN {team[0]} THEN %s WHEN {contacts[0]} THEN %s WHEN {people[0]} THEN %s "
        f"WHEN {addressed[0]} THEN %s ELSE %s END"
    )
    reason_params = [
        *team[1],
        Reason.TEAM,
        *contacts[1],
        Reason.CONTACT_PERSON,
        *people[1],
        Reason.MUNICIPALITY,
        *addressed[1],
        Reason.ADDRESSED,
        Reason.FOLLOWER,
    ]
    return Audience(where, where_params, reason, reason_params)


def preference_join(event) -> tuple[str, list]:
    """LEFT JOIN of the person's preference for the event's kind, aliased `p`."""
    table = connection.ops.quote_name(Preference._meta.db_table)
    return (
        f"LEFT JOIN {table} p ON p.user_id = u.id AND p.kind = %s",
        [kind_of(event.code)],
    )


def recipients_for(event) -> list[tuple[int, str, str]]:
    """(user id, reason, frequency) of everyone concerned by `event`, by user id.

    The same selection the outbox inserts from; for reading and checking it.
    """
    who = audience(event)
    join, join_params = preference_join(event)
    user = connection.ops.quote_name(get_user_model()._meta.db_table)
    sql = (
        f"SELECT u.id, {who.reason}, COALESCE(p.frequency, %s) FROM {user} u {join} "  # noqa: S608
        f"WHERE {who.where} ORDER BY u.id"
    )
    params = [*who.reason_params, Frequency.IMMEDIATE, *join_params, *who.where_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def municipality_people(challenge) -> list[int]:
    """Ids of the active staff who handle `challenge` (see the module docstring)."""
    _team, (people, params), _followers = _conditions(challenge)
    user = connection.ops.quote_name(get_user_model()._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT u.id FROM {user} u WHERE {people} ORDER BY u.id", params)  # noqa: S608
        return [row[0] for row in cursor.fetchall()]
