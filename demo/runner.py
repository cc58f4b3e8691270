"""Running a folder of demo scenarios against the database, through the services.

Everything about a challenge is made through the services, exactly as the portal
would have made it, under a controlled clock: `django.utils.timezone.now` is patched
around every step, so `created_at`, `submitted_at`, due dates and timeline events
carry the date the step "happened". All steps of all challenges run in date order,
so the timeline ids follow the dates like they would in real life.

Idempotent: accounts are looked up by e-mail, catalogue entries by name and
challenges by their title and initiator; what exists is left alone. The caller runs
`seed()` in one transaction, so a failing step leaves nothing behind.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils import timezone

from challenges import services as challenge_services
from challenges.models import Challenge, Criterion, Neighbourhood, Task

from .errors import ScenarioError
from .loader import Account, Scenario, Scenarios, Step
from .steps import STEP_KINDS, ChallengeRun, World, frozen_clock


@dataclass
class Outcome:
    new_accounts: list[Account]
    new_challenges: list[Scenario]


class Runner:
    def __init__(self, scenarios: Scenarios, *, warn: Callable[[str], None] = print):
        self.scenarios = scenarios
        self.warn = warn
        self.now = timezone.now()

    def at(self, days_ago: int, clock: str) -> datetime:
        """The moment `days_ago` days before the run, at local time `clock`."""
        hour, minute = (int(part) for part in clock.split(":"))
        day = timezone.localdate(self.now) - timedelta(days=days_ago)
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def seed(self) -> Outcome:
        tasks, neighbourhoods = self._catalogue()
        users, new_accounts = self._accounts()
        world = World(
            users=users,
            tasks=tasks,
            neighbourhoods=neighbourhoods,
            criteria={c.name_en: c for c in Criterion.objects.filter(is_active=True)},
            defaults=self.scenarios.defaults,
            warn=self.warn,
        )
        new_challenges = self._challenges(world)
        return Outcome(new_accounts, new_challenges)

    # -- catalogue -------------------------------------------------------------------

    def _catalogue(self) -> tuple[dict, dict]:
        neighbourhoods = {
            name: Neighbourhood.objects.get_or_create(name=name)[0]
            for name in self.scenarios.neighbourhoods
        }
        # The map's boundaries, for neighbourhoods that have none yet (one drawn by
        # hand in the admin is left as it is).
        for name, boundary in self.scenarios.boundaries.items():
            if neighbourhoods[name].boundary is None:
                neighbourhoods[name] = challenge_services.neighbourhood_set_boundary(
                    neighbourhood=neighbourhoods[name], boundary=boundary
                )
        tasks = {}
        for entry in self.scenarios.tasks:
            tasks[entry.name], _created = Task.objects.get_or_create(
                name=entry.name,
                defaults={
                    "department": entry.department,
                    "current_yearly_cost": entry.current_yearly_cost,
                    "description": entry.description,
                },
            )
        return tasks, neighbourhoods

    # -- accounts --------------------------------------------------------------------

    def _accounts(self) -> tuple[dict, list[Account]]:
        User = get_user_model()
        users, created = {}, []
        for account in self.scenarios.accounts:
            user = User.objects.filter(email__iexact=account.email).first()
            if user is None:
                manager = User.objects
                make = manager.create_superuser if account.is_superuser else manager.create_user
                user = make(
                    username=account.username,
                    email=account.email,
                    password=account.password,
                    first_name=account.first_name,
                    last_name=account.last_name,
                    display_name=account.display_name,
                    language="nl",
                    is_staff=account.is_staff,
                    date_joined=self.at(account.joined_days_ago, "09:00"),
                )
                created.append(account)
            for name in account.groups:
                try:
                    user.groups.add(Group.objects.get(name=name))
                except Group.DoesNotExist as exc:
                    raise ScenarioError(
                        f"Group {name!r} is missing; run `manage.py migrate` first."
                    ) from exc
            EmailAddress.objects.get_or_create(
                user=user, email=account.email, defaults={"verified": True, "primary": True}
            )
            users[account.key] = user
        return users, created

    # -- challenges ------------------------------------------------------------------

    def _challenges(self, world: World) -> list[Scenario]:
        todo = [
            scenario
            for scenario in self.scenarios.challenges
            if not Challenge.objects.filter(
                title=scenario.title, initiator=world.users[scenario.initiator]
            ).exists()
        ]
        # Every step of every new challenge, in date order across challenges.
        agenda: list[tuple[datetime, int, int, ChallengeRun, Step]] = []
        for number, scenario in enumerate(todo):
            run = ChallengeRun(scenario=scenario, world=world)
            for index, step in enumerate(scenario.steps):
                at = self.at(step.days_ago, step.time)
                if at >= self.now:
                    raise ScenarioError(f"{step.where}: lies in the future; steps are history.")
                agenda.append((at, number, index, run, step))
        agenda.sort(key=lambda item: item[:3])
        for at, _number, _index, run, step in agenda:
            with frozen_clock(at):
                self._run_step(run, step)
        return todo

    @staticmethod
    def _run_step(run: ChallengeRun, step: Step) -> None:
        try:
            STEP_KINDS[step.kind].run(run, step)
        except ScenarioError as exc:
            raise ScenarioError(f"{step.where}: {exc}") from exc
        except ValidationError as exc:  # a ServiceError: the portal refused the step
            refusal = " ".join(str(message) for message in exc.messages)
            raise ScenarioError(f"{step.where}: refused: {refusal}") from exc
        except ObjectDoesNotExist as exc:
            raise ScenarioError(f"{step.where}: {exc}") from exc
