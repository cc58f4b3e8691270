"""`manage.py seed_demo`: a believable portal to click through on a laptop.

Creates the catalogue (tasks, neighbourhoods), demo accounts with published
passwords, and a dozen challenges in every stage of the process, each with a
history of several months, from the scenario files in `demo/scenarios/` (or the
folder given with `--scenarios`; the format is in `demo/scenarios/README.md`).
`demo.runner` makes everything through the services under a controlled clock.

Idempotent: what exists is left alone. The whole run is one transaction: it seeds
everything or nothing; a scenario that cannot be run is refused before or while it
runs, with the file and the step named, and leaves nothing behind.

The demo passwords are printed and written in the scenario files, so the command
refuses to run with the production settings unless told otherwise.
"""

from pathlib import Path

from django.conf import settings
from django.core import mail
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from challenges.constants import Status
from challenges.models import Challenge
from partnerships.constants import KnotStatus, VersionStatus
from partnerships.models import AgreementVersion, Document, Knot

from ...errors import ScenarioError
from ...loader import BUNDLED_SCENARIOS, Scenarios, read_scenarios
from ...runner import Outcome, Runner


class Command(BaseCommand):
    help = (
        "Fill the database with demo data: catalogue, demo accounts and challenges in "
        "every stage. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with the production settings (the demo passwords are public).",
        )
        parser.add_argument(
            "--scenarios",
            type=Path,
            default=BUNDLED_SCENARIOS,
            metavar="DIR",
            help="Read the demo from this folder of scenario files instead of the bundled "
            "one (see demo/scenarios/README.md).",
        )

    def handle(self, *args, **options):
        if settings.SETTINGS_MODULE.endswith(".production") and not options["allow_production"]:
            raise CommandError(
                "seed_demo creates accounts with published passwords and refuses to run "
                "with the production settings. Use --allow-production for a demo server."
            )
        try:
            scenarios = read_scenarios(options["scenarios"])
        except ScenarioError as exc:
            raise CommandError(str(exc)) from exc
        runner = Runner(scenarios, warn=lambda text: self.stderr.write(self.style.WARNING(text)))
        outbox_before = len(getattr(mail, "outbox", []))
        outcome = None
        # Notifications about demo events go to fictional people: keep them off the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            try:
                with transaction.atomic():
                    outcome = runner.seed()
            except ScenarioError as exc:
                raise CommandError(str(exc)) from exc
            except Exception as exc:
                if outcome is None:
                    raise
                # Raised by a notification queued on commit, after the data was saved.
                self.stderr.write(
                    self.style.WARNING(
                        f"The demo data was saved, but sending its notifications failed: {exc!r}"
                    )
                )
            mails = len(getattr(mail, "outbox", [])) - outbox_before
        self._report(scenarios, outcome, mails)

    def _report(self, scenarios: Scenarios, outcome: Outcome, mails: int) -> None:
        out = self.stdout
        accounts = scenarios.accounts
        if outcome.new_challenges or outcome.new_accounts:
            out.write(
                self.style.SUCCESS(
                    f"Demo data created: {len(outcome.new_challenges)} challenges, "
                    f"{len(outcome.new_accounts)} accounts."
                )
            )
        else:
            out.write(self.style.SUCCESS("Demo data was already there; nothing new created."))
        if mails:
            out.write(f"{mails} notification e-mails to demo addresses were discarded, not sent.")
        titles = [scenario.title for scenario in scenarios.challenges]
        demo = Challenge.objects.filter(title__in=titles)
        counts = dict(demo.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
        overdue = demo.filter(due_at__lt=timezone.now()).count()
        out.write("\nDemo challenges per stage:")
        for status in Status:
            out.write(f"  {status.label:<12} {counts.get(status.value, 0)}")
        out.write(f"  (overdue now: {overdue})")
        signed = AgreementVersion.objects.filter(challenge__in=demo, status=VersionStatus.SIGNED)
        open_knots = Knot.objects.filter(challenge__in=demo, status=KnotStatus.OPEN)
        out.write(
            f"Partnerships: {signed.count()} agreements in force, "
            f"{open_knots.count()} open knots, "
            f"{Document.objects.filter(challenge__in=demo).count()} shared documents."
        )

        out.write("\nDemo accounts (log in with the e-mail address):")
        out.write(f"  {'e-mail':<26} {'password':<24} role")
        for account in accounts:
            if account.password:
                out.write(f"  {account.email:<26} {account.password:<24} {account.role}")
        out.write(
            "  Other challengers ("
            + ", ".join(a.email for a in accounts if not a.password)
            + ") have no password."
        )
        if any(a.password for a in accounts if a not in outcome.new_accounts):
            out.write("  Accounts that already existed were left as they were.")
