"""The state machine of a challenge: one table, read by the transition service,
the views and the admin alike.

Each edge names the stage it leaves and the one it enters, who may take it, whether
a motivation is required and why the edge exists. Anything not in the table is
refused.

An edge may name a *guard slot* (`GUARD_SLOTS`): a condition the step needs, with
the one refusal message the transition service shows. The app that knows the
condition fills the slot from its `AppConfig.ready()` through
`registry.register_guard` (`challenges` fills its own: a complete plan, resuming
in the held stage; `partnerships` fills "contact persons" and "agreement in
force"). A guard returns what is still missing, as phrases in the reader's language;
empty means allowed. A slot with `offered=True` keeps its edge on offer while
something is missing, so that taking the step tells the person what is missing
instead of hiding it. The system check `challenges.E003` fails when a slot has no
guard.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import registry
from .constants import OPEN_STATUSES, Role, Status

CHALLENGER = frozenset({Role.CHALLENGER})
REVIEWER = frozenset({Role.REVIEWER, Role.COORDINATOR})
COORDINATOR = frozenset({Role.COORDINATOR})


@dataclass(frozen=True)
class GuardSlot:
    """A named condition of the table; `refusal` may use %(missing)s."""

    name: str
    refusal: str | Promise
    offered: bool
    why: str


PLAN_COMPLETE = "plan_complete"
RESUMES_TO_HELD_STAGE = "resumes_to_held_stage"
CONTACT_PERSONS_ASSIGNED = "contact_persons_assigned"
AGREEMENT_IN_FORCE = "agreement_in_force"

GUARD_SLOTS: dict[str, GuardSlot] = {
    slot.name: slot
    for slot in [
        GuardSlot(
            PLAN_COMPLETE,
            _("The plan is not complete yet. Still missing: %(missing)s."),
            offered=False,
            why="Only a complete plan can be handed in (filled by challenges).",
        ),
        GuardSlot(
            RESUMES_TO_HELD_STAGE,
            _("A challenge on hold can only resume in the stage it was put on hold from."),
            offered=False,
            why="Resuming goes back to exactly the stage that was paused (challenges).",
        ),
        GuardSlot(
            CONTACT_PERSONS_ASSIGNED,
            _(
                "The assessment can start only when both sides have a fixed contact "
                "person. Still missing: %(missing)s."
            ),
            offered=True,
            why="Both sides name a fixed contact person with a mandate (partnerships).",
        ),
        GuardSlot(
            AGREEMENT_IN_FORCE,
            _(
                "Execution can start only with an agreement signed by both contact "
                "persons. %(missing)s"
            ),
            offered=True,
            why="Both contact persons signed the current agreement version (partnerships).",
        ),
    ]
}


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    roles: frozenset
    motivation_required: bool
    why: str
    label: str = ""
    guard: str = ""  # a key of GUARD_SLOTS, or "" for none
    # A code the stage change records as its reason (rendered by the timeline
    # template status_changed.html), or "" for none.
    reason: str = ""

    def missing(self, challenge) -> list:
        """What the challenge still lacks for this edge (empty: allowed)."""
        if not self.guard:
            return []
        guard = registry.guard_for(self.guard)
        if guard is None:  # the system check reports it; refuse rather than skip it
            raise LookupError(f"No guard fills the slot {self.guard!r}.")
        return list(guard(challenge, self))


NOT_ADMISSIBLE = "not_admissible"

S = Status
TRANSITIONS: list[Edge] = [
    Edge(
        S.DRAFT,
        S.SUBMITTED,
        CHALLENGER,
        False,
        "The challenger team hands in a complete plan.",
        _("Submit"),
        PLAN_COMPLETE,
    ),
    Edge(
        S.SUBMITTED,
        S.INTAKE,
        REVIEWER,
        False,
        "A reviewer starts the intake: admissibility and an exploratory talk.",
        _("Start intake"),
    ),
    Edge(
        S.INTAKE,
        S.ASSESSMENT,
        REVIEWER,
        False,
        "The challenge is admissible; assess it against the published criteria.",
        _("Start assessment"),
        CONTACT_PERSONS_ASSIGNED,
    ),
    Edge(
        S.INTAKE,
        S.REJECTED,
        REVIEWER,
        True,
        "The challenge is not admissible; the public motivation says why.",
        _("Reject: not admissible"),
        reason=NOT_ADMISSIBLE,
    ),
    Edge(
        S.ASSESSMENT,
        S.DECISION,
        REVIEWER,
        False,
        "The assessment is done; the municipal executive decides.",
        _("Send for decision"),
    ),
    Edge(
        S.DECISION,
        S.ACCEPTED,
        REVIEWER,
        True,
        "The challenge is accepted; the public motivation says why.",
        _("Accept"),
    ),
    Edge(
        S.DECISION,
        S.REJECTED,
        REVIEWER,
        True,
        "The challenge is rejected; the public motivation says why.",
        _("Reject"),
    ),
    Edge(
        S.ACCEPTED,
        S.AGREEMENT,
        REVIEWER,
        False,
        "Both sides start negotiating the agreement.",
        _("Start agreement"),
    ),
    Edge(
        S.AGREEMENT,
        S.EXECUTION,
        REVIEWER,
        False,
        "The agreement is signed; the challenger carries out the task.",
        _("Start execution"),
        AGREEMENT_IN_FORCE,
    ),
    Edge(
        S.EXECUTION,
        S.EVALUATION,
        REVIEWER,
        False,
        "Time to evaluate the partnership together.",
        _("Start evaluation"),
    ),
    Edge(
        S.EVALUATION,
        S.COMPLETED,
        COORDINATOR,
        False,
        "The evaluation is done; the coordinator closes the challenge.",
        _("Complete"),
    ),
]
for _status in OPEN_STATUSES:
    TRANSITIONS.append(
        Edge(
            _status,
            S.WITHDRAWN,
            CHALLENGER,
            True,
            "The challenger may withdraw at any open stage, saying why.",
            _("Withdraw"),
        )
    )
    TRANSITIONS.append(
        Edge(
            _status,
            S.ON_HOLD,
            REVIEWER,
            True,
            "The municipality pauses the challenge, with a reason.",
            _("Put on hold"),
        )
    )
    TRANSITIONS.append(
        Edge(
            S.ON_HOLD,
            _status,
            REVIEWER,
            False,
            "Resume exactly where the challenge was put on hold.",
            _("Resume"),
            RESUMES_TO_HELD_STAGE,
        )
    )
TRANSITIONS.append(
    Edge(
        S.ON_HOLD,
        S.WITHDRAWN,
        CHALLENGER,
        True,
        "A challenge on hold can still be withdrawn by its challenger.",
        _("Withdraw"),
    )
)

_BY_PAIR: dict[tuple[str, str], Edge] = {(e.source, e.target): e for e in TRANSITIONS}
assert len(_BY_PAIR) == len(TRANSITIONS), "duplicate edge in the transition table"


def find_edge(source: str, target: str) -> Edge | None:
    return _BY_PAIR.get((source, target))


def edges_from(source: str) -> list[Edge]:
    return [e for e in TRANSITIONS if e.source == source]


def _offered(edge: Edge, challenge) -> bool:
    if not edge.guard or GUARD_SLOTS[edge.guard].offered:
        return True
    return not edge.missing(challenge)


def available_edges(challenge, roles: set) -> list[Edge]:
    """The edges these roles may take from the challenge's current stage now."""
    return [e for e in edges_from(challenge.status) if e.roles & roles and _offered(e, challenge)]


def slots_in_use() -> set[str]:
    return {edge.guard for edge in TRANSITIONS if edge.guard}
