"""Scenario folders of one's own (`seed_demo --scenarios DIR`): a small folder seeds just
that, and a broken file is refused with its file and step named, changing nothing."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from challenges.constants import EventCode, Status, Visibility
from challenges.models import Challenge, Neighbourhood, Task
from demo.loader import BUNDLED_SCENARIOS, read_scenarios
from demo.steps import STEP_KINDS

pytestmark = pytest.mark.django_db

ACCOUNTS = """
[[accounts]]
key = "baker"
username = "bakker"
email = "bakker@example.org"
first_name = "Bram"
last_name = "de Bakker"
role = "bewoner"
password = "klein-demo-2026"
joined_days_ago = 60

[[accounts]]
key = "official"
username = "ambtenaar"
email = "ambtenaar@example.org"
first_name = "Anouk"
last_name = "Visser"
role = "beoordelaar"
password = "klein-ambtenaar-2026"
groups = ["Reviewer"]
is_staff = true
joined_days_ago = 90
"""

CATALOGUE = """
neighbourhoods = ["Dorpskern"]

[[tasks]]
name = "Onderhoud dorpsplein"
department = "Openbare Ruimte"
current_yearly_cost = "12000.00"
description = "Vegen en het groen op het dorpsplein bijhouden."
"""

CHALLENGE = """
title = "Het dorpsplein van ons allemaal"
initiator = "baker"
task = "Onderhoud dorpsplein"
neighbourhood = "Dorpskern"
summary = "Bewoners houden het dorpsplein bij."
approach = "Elke zaterdag een ploeg van vijf."
social_value = "Een schoner plein en meer contact."
budget = "9000.00"
legal_form = "informal_group"
team = "Tien bewoners rond het plein."
support = "80 handtekeningen."

# Deliberately not in date order: the runner sorts the steps by their moment.
[[steps]]
kind = "move"
days_ago = 10
time = "09:30"
actor = "official"
to = "intake"

[[steps]]
kind = "create"
days_ago = 20
time = "19:00"

[[steps]]
kind = "plan"
days_ago = 19
time = "20:00"

[[steps]]
kind = "move"
days_ago = 15
time = "21:00"
actor = "baker"
to = "submitted"

[[steps]]
kind = "note"
days_ago = 5
time = "14:00"
actor = "official"
visibility = "public"
text = "Verkennend gesprek op het plein gevoerd."
"""


def write_folder(root: Path, challenge: str = CHALLENGE) -> Path:
    (root / "challenges").mkdir(parents=True)
    (root / "accounts.toml").write_text(ACCOUNTS)
    (root / "catalogue.toml").write_text(CATALOGUE)
    (root / "challenges" / "01-dorpsplein.toml").write_text(challenge)
    return root


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def everything() -> dict:
    """The number of rows of every model of the portal's apps, and of e-mail addresses."""
    models = [
        model
        for label in ("accounts", "challenges", "partnerships", "notifications")
        for model in apps.get_app_config(label).get_models()
    ]
    return {model._meta.label: model.objects.count() for model in [*models, EmailAddress]}


def test_a_custom_folder_seeds_just_that(tmp_path):
    folder = write_folder(tmp_path / "dorp")
    output = seed("--scenarios", str(folder))

    assert "Demo data created: 1 challenges, 2 accounts." in output
    assert "bakker@example.org" in output and "klein-demo-2026" in output
    assert "bewoner@example.org" not in output
    assert list(Neighbourhood.objects.values_list("name", flat=True)) == ["Dorpskern"]
    assert list(Task.objects.values_list("name", flat=True)) == ["Onderhoud dorpsplein"]
    (challenge,) = Challenge.objects.all()
    assert challenge.title == "Het dorpsplein van ons allemaal"
    assert challenge.status == Status.INTAKE
    assert challenge.initiator.email == "bakker@example.org"
    codes = list(challenge.events.order_by("created_at").values_list("code", flat=True))
    assert codes == [EventCode.SUBMITTED, EventCode.STATUS_CHANGED, EventCode.NOTE]
    note = challenge.events.get(code=EventCode.NOTE)
    assert note.visibility == Visibility.PUBLIC
    assert note.created_at > challenge.submitted_at
    assert authenticate(username="ambtenaar", password="klein-ambtenaar-2026") is not None

    # Idempotent, like the bundled demo.
    before = everything()
    assert "nothing new" in seed("--scenarios", str(folder))
    assert everything() == before


def replace_step(old: str, new: str) -> str:
    assert old in CHALLENGE
    return CHALLENGE.replace(old, new, 1)


BROKEN = {
    "unknown kind": (
        replace_step('kind = "note"', 'kind = "notitie"'),
        ["01-dorpsplein.toml", "step 5", "unknown step kind 'notitie'"],
    ),
    "missing field": (
        replace_step('to = "submitted"\n', ""),
        ["01-dorpsplein.toml", "step 4 (move)", "missing field(s) to"],
    ),
    "misspelt field": (
        replace_step('visibility = "public"', 'visibilty = "public"'),
        ["01-dorpsplein.toml", "step 5 (note)", "unknown field(s) visibilty"],
    ),
    "unknown actor": (
        replace_step('actor = "baker"', 'actor = "baer"'),
        ["01-dorpsplein.toml", "step 4 (move", "actor 'baer' is not an account key"],
    ),
    "not a status": (
        replace_step('to = "intake"', 'to = "inname"'),
        ["01-dorpsplein.toml", "step 1 (move", "to must be one of"],
    ),
    "not a number": (
        replace_step("days_ago = 5", 'days_ago = "vijf"'),
        ["01-dorpsplein.toml", "step 5 (note)", "days_ago must be a whole number"],
    ),
    "two steps at one moment": (
        replace_step('days_ago = 19\ntime = "20:00"', 'days_ago = 20\ntime = "19:00"'),
        ["01-dorpsplein.toml", "step 3 (plan", "same moment as step 2"],
    ),
    "invalid TOML": (
        CHALLENGE + "\n[[steps]\n",
        ["01-dorpsplein.toml", "not valid TOML"],
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_file_is_refused_naming_file_and_step_and_changes_nothing(tmp_path, case):
    challenge, fragments = BROKEN[case]
    folder = write_folder(tmp_path / "dorp", challenge)
    before = everything()
    with pytest.raises(CommandError) as refused:
        seed("--scenarios", str(folder))
    for fragment in fragments:
        assert fragment in str(refused.value)
    assert everything() == before


def test_a_step_the_portal_refuses_names_file_and_step_and_saves_nothing(tmp_path):
    # The initiator may not start the intake: the transition table says a reviewer does.
    # The refusal comes from the service, after accounts and catalogue were made in the
    # same transaction: those are rolled back too.
    folder = write_folder(
        tmp_path / "dorp",
        replace_step('actor = "official"\nto = "intake"', 'actor = "baker"\nto = "intake"'),
    )
    before = everything()
    with pytest.raises(CommandError) as refused:
        seed("--scenarios", str(folder))
    message = str(refused.value)
    assert "01-dorpsplein.toml, step 1 (move, 10 days ago at 09:30): refused:" in message
    assert everything() == before


def test_a_missing_folder_or_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="not a folder of demo scenarios"):
        seed("--scenarios", str(tmp_path / "nowhere"))
    folder = write_folder(tmp_path / "dorp")
    (folder / "catalogue.toml").unlink()
    with pytest.raises(CommandError, match=r"catalogue\.toml: file not found"):
        seed("--scenarios", str(folder))


def test_a_folder_without_defaults_uses_the_bundled_ones(tmp_path):
    folder = write_folder(tmp_path / "dorp")
    assert read_scenarios(folder).defaults == read_scenarios().defaults
    shutil.copy(BUNDLED_SCENARIOS / "defaults.toml", folder / "defaults.toml")
    (folder / "defaults.toml").write_text(
        (folder / "defaults.toml").read_text().replace("start_in_days = 21", "start_in_days = 7")
    )
    assert read_scenarios(folder).defaults["agreement"]["start_in_days"] == 7


def test_the_bundled_scenarios_use_every_step_kind():
    """The bundled demo is the example of the format: it uses every kind of step."""
    scenarios = read_scenarios()
    kinds = {step.kind for scenario in scenarios.challenges for step in scenario.steps}
    assert kinds == set(STEP_KINDS)
    assert len(scenarios.challenges) == 13
