"""The state machine of a challenge: one table, read by the transition service,
the views and the admin alike.

Each edge names the stage it leaves and the one it enters, who may take it, whether
a motivation is required and why the edge exists. Anything not in the table is
refused. Putting a challenge on hold remembers the stage; resuming goes back to
exactly that stage (the guard below).

Two guards belong to the partnership: a challenge leaves intake only with both
fixed contact persons, and starts execution only with an agreement in force. They
refuse by raising a `ServiceError` that names what is missing, so that the
transition service passes that message on; `available_edges` still offers such an
edge, so that taking it shows the person what is missing instead of hiding the step.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .constants import OPEN_STATUSES, Role, Status

CHALLENGER = frozenset({Role.CHALLENGER})
REVIEWER = frozenset({Role.REVIEWER, Role.COORDINATOR})
COORDINATOR = frozenset({Role.COORDINATOR})


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    roles: frozenset
    motivation_required: bool
    why: str
    label: str = ""
    guard: Callable | None = field(default=None, compare=False)

    def allows(self, challenge) -> bool:
        return self.guard is None or self.guard(challenge)


def _resumes_to(status: str) -> Callable:
    def guard(challenge) -> bool:
        return challenge.held_from_status == status

    return guard


def _ready_to_submit(challenge) -> bool:
    from .services import missing_for_submission

    return not missing_for_submission(challenge)


def _contact_persons_assigned(challenge) -> bool:
    """Both sides have an active fixed contact person (partnerships)."""
    from partnerships.selectors import missing_for_assessment

    from .services import ServiceError, _join_lazy

    missing = missing_for_assessment(challenge)
    if missing:
        raise ServiceError(
            _(
                "The assessment can start only when both sides have a fixed contact "
                "person. Still missing: %(missing)s."
            ),
            params={"missing": _join_lazy(missing)},
        )
    return True


def _agreement_in_force(challenge) -> bool:
    """Both contact persons signed the current version of the agreement (partnerships)."""
    from partnerships.selectors import missing_for_execution

    from .services import ServiceError

    missing = missing_for_execution(challenge)
    if missing:
        message, params = missing
        raise ServiceError(message, params=params)
    return True


S = Status
TRANSITIONS: list[Edge] = [
    Edge(
        S.DRAFT,
        S.SUBMITTED,
        CHALLENGER,
        False,
        "The challenger team hands in a complete plan.",
        _("Submit"),
        _ready_to_submit,
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
        _contact_persons_assigned,
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
        _agreement_in_force,
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
            _resumes_to(_status),
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
    try:
        return edge.allows(challenge)
    except ValidationError:
        # The guard explains what is missing: offer the step, so taking it says so.
        return True


def available_edges(challenge, roles: set) -> list[Edge]:
    """The edges these roles may take from the challenge's current stage now."""
    return [e for e in edges_from(challenge.status) if e.roles & roles and _offered(e, challenge)]
