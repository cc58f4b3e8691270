"""The step kinds of a demo scenario: the fields each one takes and the service it calls.

`STEP_KINDS` is the one table both halves use: the loader checks every `[[steps]]`
entry of a scenario file against it (kind known, required fields there, no unknown
field, account keys and choices valid) and the runner calls the kind's function with
the clock already set to the step's moment. One small function per kind; adding a
kind is adding a function here and a paragraph to `demo/scenarios/README.md`.

A function only calls services (and selectors to find what a service needs): the
demo makes everything exactly as the portal would have made it.
"""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

from django.core.files.base import ContentFile
from django.utils import timezone

from challenges import services as challenge_services
from challenges.constants import (
    ATTACHMENT_VISIBILITIES,
    AttachmentKind,
    LegalForm,
    Status,
    Visibility,
)
from challenges.models import Invitation
from community import services as community_services
from meetings import services as meeting_services
from meetings.constants import MAX_SLOTS, MeetingKind
from partnerships import selectors as partnership_selectors
from partnerships import services as partnership_services
from partnerships.constants import (
    REFLECTION_QUESTIONS,
    MemberRole,
    MilestoneStatus,
    ReportingRhythm,
    Side,
)

from .errors import ScenarioError, type_name

# The three questions of a reflection, by key, in the order of the portal.
SCORE_KEYS = tuple(key for key, _label in REFLECTION_QUESTIONS)

# The terms of an agreement a step may set; each version keeps the terms set before it.
AGREEMENT_TERMS = (
    "scope",
    "tasks_challenger",
    "tasks_municipality",
    "budget_amount",
    "payment_schedule",
    "budget_from_current_cost",
    "results",
    "reporting_rhythm",
    "termination_terms",
)


@contextmanager
def frozen_clock(at: datetime) -> Iterator[None]:
    """Make every `timezone.now()` inside (services, model defaults) return `at`."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


@dataclass
class World:
    """What every challenge's steps share: the database objects the run looked up or
    made, by their key or name, and the folder's defaults."""

    users: dict  # account key -> user
    tasks: dict  # task name -> Task
    neighbourhoods: dict  # name -> Neighbourhood
    criteria: dict  # English name -> active Criterion
    defaults: dict
    warn: Callable[[str], None] = print


@dataclass
class ChallengeRun:
    """One challenge while its steps run: the challenge itself and what its steps named."""

    scenario: Any  # loader.Scenario
    world: World
    challenge: Any = None
    milestones: dict = field(default_factory=dict)  # step key -> Milestone
    knots: dict = field(default_factory=dict)  # step key -> Knot
    questions: dict = field(default_factory=dict)  # step key -> community Question
    meetings: dict = field(default_factory=dict)  # step key -> Meeting
    reflection: Any = None  # the round opened last
    terms: dict = field(default_factory=dict)  # agreement terms set so far
    start: date | None = None  # the agreement's start date, fixed by its first version

    def user(self, key: str):
        return self.world.users[key]


@dataclass(frozen=True)
class StepKind:
    run: Callable[[ChallengeRun, Any], None]
    required: tuple[str, ...] = ()
    # Optional fields with their default; a default of None leaves the field out.
    optional: dict[str, Any] = field(default_factory=dict)
    accounts: tuple[str, ...] = ("actor",)  # fields that hold an account key
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    types: dict[str, type] = field(default_factory=dict)  # fields that are not text
    names: bool = False  # this step gives a thing a `key` that later steps refer to
    refers_to: str = ""  # this step's `key` must be named by an earlier step of this kind
    needs: str = ""  # an earlier step of this kind must exist
    extra_check: Callable[[Any], None] | None = None

    def check(self, step, context: dict) -> None:
        """Refuse fields of the wrong type, unknown account keys and invalid choices."""
        for name, value in step.fields.items():
            if value is None:
                continue
            expected = self.types.get(name, str)
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                raise ScenarioError(f"field {name} must be {type_name(expected)}, not {value!r}.")
        for name in self.accounts:
            key = step.fields.get(name)
            if key is not None and key not in context["accounts"]:
                raise ScenarioError(f"{name} {key!r} is not an account key in accounts.toml.")
        for name, allowed in self.choices.items():
            value = step.fields.get(name)
            if value is not None and value not in allowed:
                raise ScenarioError(f"{name} must be one of {', '.join(allowed)}, not {value!r}.")
        if self.extra_check:
            self.extra_check(step)


STEP_KINDS: dict[str, StepKind] = {}


def step_kind(name: str, **spec) -> Callable:
    def register(function: Callable) -> Callable:
        STEP_KINDS[name] = StepKind(run=function, **spec)
        return function

    return register


# -- the challenge ---------------------------------------------------------------------


@step_kind("create", accounts=())
def create(run: ChallengeRun, step) -> None:
    """Start the draft as the initiator, with its task, neighbourhood, title and summary."""
    scenario = run.scenario
    initiator = run.user(scenario.initiator)
    run.challenge = challenge_services.challenge_create_draft(initiator=initiator)
    challenge_services.challenge_update_draft(
        challenge=run.challenge,
        actor=initiator,
        data={
            "task": run.world.tasks[scenario.task],
            "neighbourhood": run.world.neighbourhoods[scenario.neighbourhood],
            "title": scenario.title,
            "summary": scenario.summary,
        },
    )


@step_kind("plan", accounts=())
def plan(run: ChallengeRun, step) -> None:
    """Fill in the rest of the plan as the initiator."""
    scenario = run.scenario
    challenge_services.challenge_update_draft(
        challenge=run.challenge,
        actor=run.user(scenario.initiator),
        data={
            "approach": scenario.approach,
            "social_value": scenario.social_value,
            "budget_requested": scenario.budget,
            "legal_form": scenario.legal_form,
            "team_description": scenario.team,
            "support_evidence": scenario.support,
        },
    )


@step_kind("invite", required=("actor", "email"))
def invite(run: ChallengeRun, step) -> None:
    challenge_services.invitation_create(
        challenge=run.challenge, actor=run.user(step["actor"]), email=step["email"]
    )


@step_kind("accept", required=("actor",), needs="invite")
def accept(run: ChallengeRun, step) -> None:
    """The actor accepts the invitation sent to their e-mail address."""
    actor = run.user(step["actor"])
    invitation = Invitation.objects.filter(
        challenge=run.challenge, email__iexact=actor.email
    ).first()
    if invitation is None:
        raise ScenarioError(f"no invitation was sent to {actor.email}.")
    challenge_services.invitation_accept(invitation=invitation, user=actor)


@step_kind(
    "move",
    required=("actor", "to"),
    optional={"motivation": ""},
    choices={"to": tuple(Status.values)},
)
def move(run: ChallengeRun, step) -> None:
    """Take an edge of the transition table (submit, withdraw, hold, decide, ...)."""
    challenge_services.challenge_transition(
        challenge=run.challenge,
        to_status=step["to"],
        actor=run.user(step["actor"]),
        motivation=step["motivation"],
    )


@step_kind(
    "addition",
    required=("actor", "text"),
    optional={"visibility": Visibility.PARTIES.value},
    choices={"visibility": tuple(Visibility.values)},
)
def addition(run: ChallengeRun, step) -> None:
    challenge_services.challenge_add_addition(
        challenge=run.challenge,
        actor=run.user(step["actor"]),
        text=step["text"],
        visibility=step["visibility"],
    )


@step_kind(
    "note",
    required=("actor", "text"),
    optional={"visibility": Visibility.PARTIES.value},
    choices={"visibility": tuple(Visibility.values)},
)
def note(run: ChallengeRun, step) -> None:
    challenge_services.challenge_add_note(
        challenge=run.challenge,
        actor=run.user(step["actor"]),
        text=step["text"],
        visibility=step["visibility"],
    )


def _check_criteria(step) -> None:
    for number, entry in enumerate(step["criteria"], start=1):
        if not isinstance(entry, dict) or set(entry) != {"criterion", "score", "motivation"}:
            raise ScenarioError(
                f"criteria entry {number} needs exactly criterion, score and motivation."
            )
        if not isinstance(entry["score"], int) or isinstance(entry["score"], bool):
            raise ScenarioError(f"criteria entry {number}: score must be a whole number.")


@step_kind(
    "assess",
    required=("actor", "criteria"),
    types={"criteria": list},
    extra_check=_check_criteria,
)
def assess(run: ChallengeRun, step) -> None:
    """Score criteria, one every six minutes, as a reviewer would. A criterion that is
    not active in this portal (by its English name) is skipped with a warning."""
    at = timezone.now()
    for offset, entry in enumerate(step["criteria"]):
        criterion = run.world.criteria.get(entry["criterion"])
        if criterion is None:
            run.world.warn(f"{step.where}: no active criterion {entry['criterion']!r}; not scored.")
            continue
        with frozen_clock(at + timedelta(minutes=6 * offset)):
            challenge_services.assessment_record(
                challenge=run.challenge,
                criterion=criterion,
                actor=run.user(step["actor"]),
                score=entry["score"],
                motivation=entry["motivation"],
            )


# -- the partnership ---------------------------------------------------------------------


@step_kind(
    "organisation",
    required=("actor", "name", "legal_form"),
    optional={"kvk": "", "role": MemberRole.CHAIR.value},
    choices={"legal_form": tuple(LegalForm.values), "role": tuple(MemberRole.values)},
)
def organisation(run: ChallengeRun, step) -> None:
    partnership_services.partnership_register_organisation(
        challenge=run.challenge,
        actor=run.user(step["actor"]),
        name=step["name"],
        legal_form=step["legal_form"],
        kvk_number=step["kvk"],
        role=step["role"],
    )


@step_kind(
    "contacts",
    required=("municipality",),
    optional={"challenger": None, "municipality_mandate": None, "challenger_mandate": None},
    accounts=("municipality", "challenger"),
)
def contacts(run: ChallengeRun, step) -> None:
    """Name the municipality's contact person, and the challenger's when given; each
    names themselves."""
    mandates = run.world.defaults["mandates"]
    person = run.user(step["municipality"])
    partnership_services.contact_person_assign(
        challenge=run.challenge,
        side=Side.MUNICIPALITY,
        user=person,
        mandate=step.fields.get("municipality_mandate") or mandates["municipality"],
        actor=person,
    )
    if step.fields.get("challenger"):
        person = run.user(step["challenger"])
        partnership_services.contact_person_assign(
            challenge=run.challenge,
            side=Side.CHALLENGER,
            user=person,
            mandate=step.fields.get("challenger_mandate") or mandates["challenger"],
            actor=person,
        )


@step_kind(
    "handover",
    required=("actor", "side", "to", "reason"),
    optional={"mandate": None},
    accounts=("actor", "to"),
    choices={"side": tuple(Side.values)},
    needs="contacts",
)
def handover(run: ChallengeRun, step) -> None:
    partnership_services.contact_person_hand_over(
        challenge=run.challenge,
        side=step["side"],
        user=run.user(step["to"]),
        mandate=step.fields.get("mandate") or run.world.defaults["mandates"][step["side"]],
        reason=step["reason"],
        actor=run.user(step["actor"]),
    )


def agreement_content(run: ChallengeRun) -> dict:
    """The full terms of the next version: the plan, the folder's defaults, and every
    term the agreement steps so far have set."""
    scenario, defaults = run.scenario, run.world.defaults["agreement"]
    task = run.world.tasks[scenario.task]
    content = {
        "scope": scenario.summary,
        "tasks_challenger": scenario.approach,
        "tasks_municipality": defaults["tasks_municipality"],
        "budget_amount": scenario.budget,
        "payment_schedule": defaults["payment_schedule"],
        "budget_from_current_cost": min(scenario.budget, task.current_yearly_cost),
        "start_date": run.start,
        "end_date": run.start + timedelta(days=defaults["duration_days"]),
        "results": scenario.social_value,
        "evaluation_dates": [
            run.start + timedelta(days=days) for days in defaults["evaluation_after_days"]
        ],
        "reporting_rhythm": defaults["reporting_rhythm"],
        "termination_terms": defaults["termination_terms"],
    }
    for key, value in run.terms.items():
        content[key] = Decimal(value) if key.startswith("budget") else value
    return content


@step_kind(
    "agreement",
    required=("actor",),
    optional={"change_note": "", **dict.fromkeys(AGREEMENT_TERMS)},
    choices={"reporting_rhythm": tuple(ReportingRhythm.values)},
)
def agreement(run: ChallengeRun, step) -> None:
    """Draft the next version of the agreement and propose it."""
    if run.start is None:
        days = run.world.defaults["agreement"]["start_in_days"]
        run.start = timezone.localdate() + timedelta(days=days)
    run.terms.update({key: step.fields[key] for key in AGREEMENT_TERMS if key in step.fields})
    content = agreement_content(run)
    content["change_note"] = step["change_note"]
    actor = run.user(step["actor"])
    draft = partnership_services.agreement_save_draft(
        challenge=run.challenge, actor=actor, data=content
    )
    partnership_services.agreement_propose(version=draft, actor=actor)


@step_kind("sign", required=("actor",), needs="agreement")
def sign(run: ChallengeRun, step) -> None:
    """Sign the version on the table, as it reads now."""
    version = partnership_selectors.current_version(run.challenge)
    if version is None:
        raise ScenarioError("there is no proposed agreement to sign.")
    partnership_services.agreement_sign(
        version=version, actor=run.user(step["actor"]), digest=version.digest
    )


@step_kind(
    "milestone",
    required=("actor", "key", "title", "side", "due_in_days"),
    optional={"public": False},
    choices={"side": tuple(Side.values)},
    types={"due_in_days": int, "public": bool},
    names=True,
)
def milestone(run: ChallengeRun, step) -> None:
    run.milestones[step["key"]] = partnership_services.milestone_create(
        challenge=run.challenge,
        actor=run.user(step["actor"]),
        title=step["title"],
        owner_side=step["side"],
        due_date=timezone.localdate() + timedelta(days=step["due_in_days"]),
        is_public=step["public"],
    )


@step_kind(
    "milestone_status",
    required=("actor", "key", "status"),
    optional={"note": ""},
    choices={"status": tuple(MilestoneStatus.values)},
    refers_to="milestone",
)
def milestone_status(run: ChallengeRun, step) -> None:
    partnership_services.milestone_update(
        milestone=run.milestones[step["key"]],
        actor=run.user(step["actor"]),
        status=step["status"],
        note=step["note"],
    )


@step_kind("reflect", required=("actor",), optional={"reason": ""})
def reflect(run: ChallengeRun, step) -> None:
    """Open a reflection round on request; `answer` steps answer the last one opened."""
    run.reflection = partnership_services.reflection_open(
        challenge=run.challenge, actor=run.user(step["actor"]), reason=step["reason"]
    )


def _check_answer(step) -> None:
    for name, kind in (("scores", int), ("comments", str)):
        given = step[name]
        if set(given) != set(SCORE_KEYS):
            raise ScenarioError(f"{name} needs exactly the keys {', '.join(SCORE_KEYS)}.")
        if any(not isinstance(value, kind) or isinstance(value, bool) for value in given.values()):
            raise ScenarioError(f"every value of {name} must be {type_name(kind)}.")


@step_kind(
    "answer",
    required=("actor", "scores", "comments"),
    types={"scores": dict, "comments": dict},
    needs="reflect",
    extra_check=_check_answer,
)
def answer(run: ChallengeRun, step) -> None:
    partnership_services.reflection_answer(
        round=run.reflection,
        actor=run.user(step["actor"]),
        scores={key: step["scores"][key] for key in SCORE_KEYS},
        comments={key: step["comments"][key] for key in SCORE_KEYS},
    )


@step_kind(
    "knot",
    required=("actor", "key", "question", "decision_needed", "needed_in_days"),
    types={"needed_in_days": int},
    names=True,
)
def knot(run: ChallengeRun, step) -> None:
    """Raise a blocking question that needs a decision by a date."""
    run.knots[step["key"]] = partnership_services.knot_raise(
        challenge=run.challenge,
        actor=run.user(step["actor"]),
        question=step["question"],
        decision_needed=step["decision_needed"],
        needed_by=timezone.localdate() + timedelta(days=step["needed_in_days"]),
    )


@step_kind("cut", required=("actor", "key", "decision"), refers_to="knot")
def cut(run: ChallengeRun, step) -> None:
    """Resolve (cut) a knot with the decision taken."""
    partnership_services.knot_resolve(
        knot=run.knots[step["key"]], actor=run.user(step["actor"]), decision=step["decision"]
    )


@step_kind("message", required=("actor", "text"))
def message(run: ChallengeRun, step) -> None:
    partnership_services.message_post(
        challenge=run.challenge, actor=run.user(step["actor"]), text=step["text"]
    )


@step_kind("document", required=("actor", "name"), optional={"description": ""})
def document(run: ChallengeRun, step) -> None:
    """Share a small one-page PDF whose only line is the document's name."""
    name = step["name"]
    partnership_services.document_upload(
        challenge=run.challenge,
        actor=run.user(step["actor"]),
        file=ContentFile(minimal_pdf(name.rsplit(".", 1)[0]), name=name),
        name=name,
        description=step["description"],
    )


# -- meetings ---------------------------------------------------------------------------

_SLOT = re.compile(r"^(\d{1,3}) ([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


def _check_meeting(step) -> None:
    slots = step["slots"]
    if not 1 <= len(slots) <= MAX_SLOTS:
        raise ScenarioError(f"slots needs 1 to {MAX_SLOTS} entries.")
    for number, entry in enumerate(slots, start=1):
        if not isinstance(entry, str) or not _SLOT.match(entry):
            raise ScenarioError(
                f'slots entry {number} must read "DAYS HH:MM-HH:MM" (days after the run), '
                f"not {entry!r}."
            )


def _slot_moments(step, entry: str) -> tuple[datetime, datetime]:
    """ "4 19:30-21:00": 4 days after the day the demo is seeded (so that a scheduled
    meeting is still to come), from 19:30 to 21:00 local time."""
    days, start_h, start_m, end_h, end_m = (int(part) for part in _SLOT.match(entry).groups())
    day = timezone.localdate() + timedelta(days=step.days_ago + days)
    starts = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return (
        starts.replace(hour=start_h, minute=start_m),
        starts.replace(hour=end_h, minute=end_m),
    )


@step_kind(
    "meeting",
    required=("actor", "key", "meeting_kind", "slots"),
    optional={"place": "", "online_url": "", "agenda": ""},
    choices={"meeting_kind": tuple(MeetingKind.values)},
    types={"slots": list},
    names=True,
    extra_check=_check_meeting,
)
def meeting(run: ChallengeRun, step) -> None:
    """Propose a meeting with its time slots, at a place or online."""
    run.meetings[step["key"]] = meeting_services.meeting_propose(
        challenge=run.challenge,
        actor=run.user(step["actor"]),
        kind=step["meeting_kind"],
        slots=[_slot_moments(step, entry) for entry in step["slots"]],
        place=step["place"],
        online_url=step["online_url"],
        agenda=step["agenda"],
    )


@step_kind(
    "meeting_pick", required=("actor", "key", "slot"), types={"slot": int}, refers_to="meeting"
)
def meeting_pick(run: ChallengeRun, step) -> None:
    """The other side picks one of the proposed slots (1 is the earliest)."""
    proposed = run.meetings[step["key"]]
    slots = list(proposed.slots.order_by("starts_at", "pk"))
    if not 1 <= step["slot"] <= len(slots):
        raise ScenarioError(f"slot must be between 1 and {len(slots)}.")
    meeting_services.meeting_pick(
        meeting=proposed, slot_id=slots[step["slot"] - 1].pk, actor=run.user(step["actor"])
    )


def minimal_pdf(title: str) -> bytes:
    """A small, valid one-page PDF with a title line, for the demo documents."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 18 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


# -- community: support and public questions -------------------------------------------


@step_kind(
    "support",
    required=("actor",),
    optional={"neighbourhood": None, "offer": "", "show_name": False},
    types={"show_name": bool},
)
def support(run: ChallengeRun, step) -> None:
    """A resident backs the challenge, optionally with where they live and an offer."""
    name = step.fields.get("neighbourhood")
    if name is not None and name not in run.world.neighbourhoods:
        raise ScenarioError(f"neighbourhood {name!r} is not in catalogue.toml.")
    community_services.support_add(
        challenge=run.challenge,
        user=run.user(step["actor"]),
        neighbourhood=run.world.neighbourhoods.get(name) if name else None,
        offer=step["offer"],
        show_name=step["show_name"],
    )


@step_kind("support_count", accounts=())
def support_count(run: ChallengeRun, step) -> None:
    """The day's count of supporters on the timeline (what the nightly task records)."""
    community_services.support_record_count(challenge=run.challenge)


@step_kind("question", required=("actor", "key", "text"), names=True)
def question(run: ChallengeRun, step) -> None:
    """A public question about the challenge."""
    run.questions[step["key"]] = community_services.question_ask(
        challenge=run.challenge, actor=run.user(step["actor"]), text=step["text"]
    )


@step_kind("answer_question", required=("actor", "key", "text"), refers_to="question")
def answer_question(run: ChallengeRun, step) -> None:
    """The challenger team or the municipality answers a public question."""
    community_services.question_answer(
        question=run.questions[step["key"]], actor=run.user(step["actor"]), text=step["text"]
    )


# -- attachments to a submission --------------------------------------------------------


def _check_attachment_name(step) -> None:
    if not step["name"].lower().endswith(".pdf"):
        raise ScenarioError(f"the demo makes PDF attachments only: name {step['name']!r}.")


@step_kind(
    "attachment",
    required=("actor", "name", "attachment_kind"),
    optional={"visibility": Visibility.PUBLIC.value},
    choices={
        "attachment_kind": tuple(AttachmentKind.values),
        "visibility": tuple(v.value for v in ATTACHMENT_VISIBILITIES),
    },
    extra_check=_check_attachment_name,
)
def attachment(run: ChallengeRun, step) -> None:
    """Add a file to the submission (a one-page PDF showing its name): part of the plan
    while a draft, an addition on the timeline after the submission."""
    name = step["name"]
    challenge_services.attachment_upload(
        challenge=run.challenge,
        actor=run.user(step["actor"]),
        file=ContentFile(minimal_pdf(name.rsplit(".", 1)[0]), name=name),
        name=name,
        kind=step["attachment_kind"],
        visibility=step["visibility"],
    )
