"""Reading a folder of demo scenarios (TOML) into plain, checked data.

A scenario folder holds `accounts.toml`, `catalogue.toml`, optionally `defaults.toml`
(the bundled one is used when it is missing) and `challenges/*.toml`, one challenge
per file, run in the order of their file names. The format is described in
`demo/scenarios/README.md`.

Everything is checked here, before the runner touches the database: an unknown step
kind, a missing or misspelt field, an account key or catalogue name that does not
exist, a status that is not a status. The error names the file and the step, so
the person who wrote the demo can find it. What only the services can judge (may
this actor take this step now?) is refused by the service, and the runner names the
file and step of that refusal too.
"""

import json
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from challenges.constants import LegalForm
from challenges.map import clean_boundary

from .errors import ScenarioError, type_name
from .steps import STEP_KINDS

BUNDLED_SCENARIOS = Path(__file__).resolve().parent / "scenarios"

STEP_FIELDS = ("kind", "days_ago", "time")  # what every step has, whatever its kind
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True)
class Account:
    key: str
    username: str
    email: str
    first_name: str
    last_name: str
    role: str
    password: str | None = None  # None: a background challenger who cannot log in
    groups: tuple[str, ...] = ()
    is_staff: bool = False
    is_superuser: bool = False
    joined_days_ago: int = 400

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class TaskEntry:
    name: str
    department: str
    current_yearly_cost: Decimal
    description: str


@dataclass(frozen=True)
class Step:
    """One thing that happened to a challenge, `days_ago` days before the run, at `time`."""

    source: str  # the file, for error messages
    number: int  # its position among the file's [[steps]], from 1
    kind: str
    days_ago: int
    time: str  # local time "HH:MM"
    fields: dict[str, Any]  # the kind's fields, optional ones filled with their default

    def __getitem__(self, name: str) -> Any:
        return self.fields[name]

    @property
    def where(self) -> str:
        when = f"{self.days_ago} days ago at {self.time}"
        return f"{self.source}, step {self.number} ({self.kind}, {when})"


@dataclass(frozen=True)
class Scenario:
    source: str
    title: str
    initiator: str
    task: str
    neighbourhood: str
    summary: str
    approach: str
    social_value: str
    budget: Decimal
    legal_form: str
    team: str
    support: str
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class Scenarios:
    folder: Path
    accounts: list[Account]
    neighbourhoods: list[str]
    tasks: list[TaskEntry]
    defaults: dict[str, Any]
    challenges: list[Scenario] = field(default_factory=list)
    # Neighbourhood name -> its boundary (a GeoJSON geometry), from neighbourhoods.geojson.
    boundaries: dict[str, dict] = field(default_factory=dict)


# -- reading --------------------------------------------------------------------------


def _read(path: Path, shown: str) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ScenarioError(f"{shown}: file not found.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{shown}: not valid TOML: {exc}.") from exc


def _check_keys(where: str, data: dict, required: tuple, optional: tuple = ()) -> None:
    missing = [key for key in required if key not in data]
    if missing:
        raise ScenarioError(f"{where}: missing field(s) {', '.join(missing)}.")
    unknown = sorted(set(data) - set(required) - set(optional))
    if unknown:
        raise ScenarioError(f"{where}: unknown field(s) {', '.join(unknown)}.")


def _expect(where: str, name: str, value: Any, kind: type) -> Any:
    # bool is an int in Python; a count or a score must not be `true`.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ScenarioError(f"{where}: field {name} must be {type_name(kind)}, not {value!r}.")
    return value


def _amount(where: str, name: str, value: Any) -> Decimal:
    try:
        return Decimal(str(_expect(where, name, value, str)))
    except InvalidOperation as exc:
        raise ScenarioError(f'{where}: field {name} must be an amount like "1250.00".') from exc


def read_accounts(path: Path, shown: str) -> list[Account]:
    data = _read(path, shown)
    _check_keys(shown, data, ("accounts",))
    accounts, keys, emails = [], set(), set()
    for number, entry in enumerate(_expect(shown, "accounts", data["accounts"], list), start=1):
        where = f"{shown}, account {number}"
        _expect(where, "accounts", entry, dict)
        _check_keys(
            where,
            entry,
            ("key", "username", "email", "first_name", "last_name", "role"),
            ("password", "groups", "is_staff", "is_superuser", "joined_days_ago"),
        )
        for name in ("key", "username", "email", "first_name", "last_name", "role"):
            _expect(where, name, entry[name], str)
        if entry["key"] in keys or entry["email"].lower() in emails:
            raise ScenarioError(f"{where}: key or e-mail address used twice.")
        keys.add(entry["key"])
        emails.add(entry["email"].lower())
        accounts.append(
            Account(
                key=entry["key"],
                username=entry["username"],
                email=entry["email"],
                first_name=entry["first_name"],
                last_name=entry["last_name"],
                role=entry["role"],
                password=_expect(where, "password", entry.get("password", ""), str) or None,
                groups=tuple(_expect(where, "groups", entry.get("groups", []), list)),
                is_staff=_expect(where, "is_staff", entry.get("is_staff", False), bool),
                is_superuser=_expect(where, "is_superuser", entry.get("is_superuser", False), bool),
                joined_days_ago=_expect(
                    where, "joined_days_ago", entry.get("joined_days_ago", 400), int
                ),
            )
        )
    return accounts


def read_catalogue(path: Path, shown: str) -> tuple[list[str], list[TaskEntry]]:
    data = _read(path, shown)
    _check_keys(shown, data, ("neighbourhoods", "tasks"))
    neighbourhoods = [
        _expect(shown, "neighbourhoods", name, str)
        for name in _expect(shown, "neighbourhoods", data["neighbourhoods"], list)
    ]
    tasks = []
    for number, entry in enumerate(_expect(shown, "tasks", data["tasks"], list), start=1):
        where = f"{shown}, task {number}"
        _expect(where, "tasks", entry, dict)
        _check_keys(where, entry, ("name", "department", "current_yearly_cost", "description"))
        tasks.append(
            TaskEntry(
                name=_expect(where, "name", entry["name"], str),
                department=_expect(where, "department", entry["department"], str),
                current_yearly_cost=_amount(
                    where, "current_yearly_cost", entry["current_yearly_cost"]
                ),
                description=_expect(where, "description", entry["description"], str),
            )
        )
    return neighbourhoods, tasks


BOUNDARIES_FILE = "neighbourhoods.geojson"


def read_boundaries(path: Path, shown: str, names: list[str]) -> dict[str, dict]:
    """The boundaries of the catalogue's neighbourhoods for the map: a GeoJSON
    FeatureCollection whose Features name their neighbourhood in `properties.name`.
    Optional: without the file (or a Feature) a neighbourhood is only in the table."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{shown}: not valid GeoJSON (JSON): {exc}.") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ScenarioError(f"{shown}: must be a GeoJSON FeatureCollection.")
    boundaries: dict[str, dict] = {}
    for number, feature in enumerate(_expect(shown, "features", data.get("features"), list), 1):
        where = f"{shown}, feature {number}"
        name = (feature.get("properties") or {}).get("name") if isinstance(feature, dict) else None
        if name not in names:
            raise ScenarioError(
                f"{where}: properties.name {name!r} is not a neighbourhood in catalogue.toml."
            )
        if name in boundaries:
            raise ScenarioError(f"{where}: {name!r} has a boundary already.")
        try:
            boundaries[name] = clean_boundary(feature)
        except ValidationError as exc:
            raise ScenarioError(f"{where}: {' '.join(exc.messages)}") from exc
    return boundaries


DEFAULTS_SHAPE = {
    "mandates": ("municipality", "challenger"),
    "agreement": (
        "start_in_days",
        "duration_days",
        "evaluation_after_days",
        "tasks_municipality",
        "payment_schedule",
        "reporting_rhythm",
        "termination_terms",
    ),
}


def read_defaults(path: Path, shown: str) -> dict:
    data = _read(path, shown)
    _check_keys(shown, data, tuple(DEFAULTS_SHAPE))
    for section, keys in DEFAULTS_SHAPE.items():
        _check_keys(f"{shown}, [{section}]", data[section], keys)
    agreement = data["agreement"]
    for name in ("start_in_days", "duration_days"):
        _expect(f"{shown}, [agreement]", name, agreement[name], int)
    for days in _expect(
        f"{shown}, [agreement]", "evaluation_after_days", agreement["evaluation_after_days"], list
    ):
        _expect(f"{shown}, [agreement]", "evaluation_after_days", days, int)
    return data


CHALLENGE_FIELDS = (
    "title",
    "initiator",
    "task",
    "neighbourhood",
    "summary",
    "approach",
    "social_value",
    "budget",
    "legal_form",
    "team",
    "support",
    "steps",
)


def _read_step(shown: str, number: int, entry: dict, context: dict) -> Step:
    kind = entry.get("kind")
    where = f"{shown}, step {number}" + (f" ({kind})" if isinstance(kind, str) else "")
    if not isinstance(kind, str):
        raise ScenarioError(f"{where}: every step needs a kind (one of {', '.join(STEP_KINDS)}).")
    spec = STEP_KINDS.get(kind)
    if spec is None:
        raise ScenarioError(
            f"{where}: unknown step kind {kind!r}; the kinds are {', '.join(STEP_KINDS)}."
        )
    _check_keys(
        where,
        entry,
        (*STEP_FIELDS, *spec.required),
        tuple(spec.optional),
    )
    days_ago = _expect(where, "days_ago", entry["days_ago"], int)
    clock = _expect(where, "time", entry["time"], str)
    if days_ago < 0 or not _CLOCK.match(clock):
        raise ScenarioError(f'{where}: days_ago must be 0 or more and time a clock time "HH:MM".')
    defaults = {name: value for name, value in spec.optional.items() if value is not None}
    given = {name: value for name, value in entry.items() if name not in STEP_FIELDS}
    fields = {**defaults, **given}
    step = Step(shown, number, kind, days_ago, clock, fields)
    try:
        spec.check(step, context)
    except ScenarioError as exc:
        raise ScenarioError(f"{step.where}: {exc}") from None
    return step


def read_challenge(path: Path, shown: str, context: dict) -> Scenario:
    data = _read(path, shown)
    _check_keys(shown, data, CHALLENGE_FIELDS)
    for name in CHALLENGE_FIELDS:
        if name not in ("steps", "budget"):
            _expect(shown, name, data[name], str)
    if data["initiator"] not in context["accounts"]:
        raise ScenarioError(f"{shown}: initiator {data['initiator']!r} is not in accounts.toml.")
    if data["task"] not in context["tasks"]:
        raise ScenarioError(f"{shown}: task {data['task']!r} is not in catalogue.toml.")
    if data["neighbourhood"] not in context["neighbourhoods"]:
        raise ScenarioError(
            f"{shown}: neighbourhood {data['neighbourhood']!r} is not in catalogue.toml."
        )
    if data["legal_form"] not in LegalForm.values:
        raise ScenarioError(
            f"{shown}: legal_form must be one of {', '.join(LegalForm.values)}, "
            f"not {data['legal_form']!r}."
        )
    entries = _expect(shown, "steps", data["steps"], list)
    steps = [
        _read_step(shown, number, _expect(f"{shown}, step {number}", "steps", entry, dict), context)
        for number, entry in enumerate(entries, start=1)
    ]
    # What happened first comes first; the file may list the steps in any order.
    steps.sort(key=lambda step: (-step.days_ago, step.time))
    _check_history(shown, steps)
    return Scenario(
        source=shown,
        title=data["title"],
        initiator=data["initiator"],
        task=data["task"],
        neighbourhood=data["neighbourhood"],
        summary=data["summary"],
        approach=data["approach"],
        social_value=data["social_value"],
        budget=_amount(shown, "budget", data["budget"]),
        legal_form=data["legal_form"],
        team=data["team"],
        support=data["support"],
        steps=tuple(steps),
    )


def _check_history(shown: str, steps: list[Step]) -> None:
    """The steps in date order make one story: created first, one thing at a time,
    milestones and knots named before they are referred to."""
    if not steps or steps[0].kind != "create":
        raise ScenarioError(f"{shown}: the first step (the earliest) must be a create step.")
    named: dict[str, set] = {}  # step kind -> the keys its steps gave
    kinds_seen: set[str] = set()
    previous = None
    for step in steps:
        if step.kind == "create" and previous is not None:
            raise ScenarioError(f"{step.where}: a challenge is created only once.")
        if previous and (previous.days_ago, previous.time) == (step.days_ago, step.time):
            raise ScenarioError(
                f"{step.where}: happens at the same moment as step {previous.number}; "
                "give every step of a challenge its own time."
            )
        spec = STEP_KINDS[step.kind]
        if spec.refers_to and step["key"] not in named.get(spec.refers_to, set()):
            raise ScenarioError(
                f"{step.where}: no earlier {spec.refers_to} step has key {step['key']!r}."
            )
        if spec.needs and spec.needs not in kinds_seen:
            raise ScenarioError(f"{step.where}: needs an earlier {spec.needs} step.")
        if spec.names:
            named.setdefault(step.kind, set()).add(step["key"])
        kinds_seen.add(step.kind)
        previous = step


def read_scenarios(folder: Path | str = BUNDLED_SCENARIOS) -> Scenarios:
    """Every file of a scenario folder, read and checked; raises ScenarioError."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ScenarioError(f"{folder}: not a folder of demo scenarios.")
    accounts = read_accounts(folder / "accounts.toml", str(folder / "accounts.toml"))
    neighbourhoods, tasks = read_catalogue(
        folder / "catalogue.toml", str(folder / "catalogue.toml")
    )
    defaults_path = folder / "defaults.toml"
    if not defaults_path.exists():
        defaults_path = BUNDLED_SCENARIOS / "defaults.toml"
    defaults = read_defaults(defaults_path, str(defaults_path))
    context = {
        "accounts": {account.key: account for account in accounts},
        "tasks": {task.name for task in tasks},
        "neighbourhoods": set(neighbourhoods),
    }
    files = sorted((folder / "challenges").glob("*.toml"))
    challenges = [read_challenge(path, str(path), context) for path in files]
    seen = set()
    for scenario in challenges:
        if (scenario.title, scenario.initiator) in seen:
            raise ScenarioError(
                f"{scenario.source}: another file has the same title and initiator."
            )
        seen.add((scenario.title, scenario.initiator))
    boundaries = read_boundaries(
        folder / BOUNDARIES_FILE, str(folder / BOUNDARIES_FILE), neighbourhoods
    )
    return Scenarios(
        folder, accounts, neighbourhoods, tasks, defaults, challenges, boundaries=boundaries
    )
