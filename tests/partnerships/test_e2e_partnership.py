"""A partnership in a real browser: both contact persons sign version 1 of the
agreement, the challenger proposes version 2, both sign again, the municipality
moves the challenge to execution, and a knot is raised and cut. After each step
both sides see it in their own browser. axe-core checks the workspace pages."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from challenges.constants import Status
from challenges.models import Challenge
from partnerships import selectors
from partnerships.constants import KnotStatus, VersionStatus
from partnerships.models import Knot
from tests.challenges.factories import ReviewerFactory, UserFactory, challenge_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("e2e_database"),
]


def workspace_url(challenge, section: str = "") -> str:
    """The overview of the workspace, or one of its sections."""
    base = f"/challenges/{challenge.pk}/workspace/"
    return f"{base}{section}/" if section else base


def fill_agreement(page, *, results: str, change_note: str = "") -> None:
    start = timezone.localdate()
    values = {
        "textarea[name=scope]": "Daily maintenance of park De Horsten: mowing, pruning, litter.",
        "textarea[name=tasks_challenger]": "The association mows, prunes and picks up litter.",
        "textarea[name=tasks_municipality]": "The municipality supplies tools and removes waste.",
        "input[name=budget_amount]": "42500",
        "textarea[name=payment_schedule]": "Quarterly in advance, after the quarterly report.",
        "input[name=budget_from_current_cost]": "42500",
        "input[name=start_date]": start.isoformat(),
        "input[name=end_date]": (start + timedelta(days=365)).isoformat(),
        "textarea[name=results]": results,
        "textarea[name=evaluation_dates]": (start + timedelta(days=180)).isoformat(),
        "textarea[name=termination_terms]": "Either side may end it with three months' notice.",
        "textarea[name=change_note]": change_note,
    }
    for selector, value in values.items():
        page.fill(selector, value)
    page.check("input[name=reporting_rhythm][value=quarterly]")
    page.get_by_role("button", name="Save draft").click()


def sign(page, challenge, number: int) -> None:
    page.goto(f"{workspace_url(challenge)}agreement/v{number}/")
    page.check("input[name=confirm]")
    page.get_by_role("button", name=f"Sign version {number}").click()
    expect(page.get_by_text(f"You signed version {number}.")).to_be_visible()


def test_two_versions_signed_execution_and_a_knot_seen_by_both_sides(open_context, axe_report):
    reviewer = ReviewerFactory(first_name="Sanne", last_name="Jansen")
    resident = UserFactory(first_name="Fatima", last_name="Bouzid")
    challenge = challenge_in(
        Status.AGREEMENT, initiator=resident, reviewer=reviewer, agreement=False
    )
    municipality = open_context("en", user=reviewer).new_page()
    challenger = open_context("en", user=resident).new_page()

    def both_see(text: str, url: str | None = None) -> None:
        for page in (municipality, challenger):
            page.goto(url or workspace_url(challenge))
            expect(page.locator("main")).to_contain_text(text)

    # Both see the same, empty agreement section; the workspace is accessible.
    for page in (municipality, challenger):
        response = page.goto(workspace_url(challenge))
        assert response.status == 200
        violations = axe_report(page)
        assert violations == "", f"axe found problems on the workspace:\n{violations}"

    # The municipality drafts and proposes version 1 and signs it.
    municipality.goto(workspace_url(challenge))
    municipality.get_by_role("navigation", name="Sections of the workspace").get_by_role(
        "link", name="Agreement"
    ).click()
    expect(municipality).to_have_title(re.compile(r"^Agreement – Workspace"))
    municipality.get_by_role("link", name="Draft the agreement").click()
    fill_agreement(municipality, results="Quality level B or better; five regular volunteers.")
    municipality.wait_for_url(re.compile(r"/agreement/v1/$"))
    municipality.get_by_role("button", name="Propose version 1").click()
    expect(municipality.get_by_text("Version 1 is proposed.")).to_be_visible()
    sign(municipality, challenge, 1)
    both_see("Version 1 is proposed and waits for the signatures of both contact persons.")

    # The challenger reads the same version (the same digest) and signs it.
    version_1 = selectors.current_version(challenge)
    challenger.goto(f"{workspace_url(challenge)}agreement/v1/")
    expect(challenger.locator("main")).to_contain_text(version_1.digest)
    sign(challenger, challenge, 1)
    both_see("Version 1 is in force since")
    both_see(
        "The challenger signed version 1 of the agreement", workspace_url(challenge, "timeline")
    )

    # The challenger proposes a change: version 2, with what changed.
    challenger.goto(workspace_url(challenge, "agreement"))
    challenger.get_by_role("link", name="Draft a change (a new version)").click()
    fill_agreement(
        challenger,
        results="Quality level A; eight regular volunteers.",
        change_note="More volunteers joined; we raise the ambition.",
    )
    challenger.wait_for_url(re.compile(r"/agreement/v2/$"))
    challenger.get_by_role("button", name="Propose version 2").click()
    both_see("Version 2 is proposed and waits for the signatures of both contact persons.")
    both_see("What changed since version 1", f"{workspace_url(challenge)}agreement/v2/")
    both_see("superseded by version 2", f"{workspace_url(challenge)}agreement/v1/")
    assert selectors.agreement_in_force(challenge) is None
    for page in (municipality, challenger):
        page.goto(f"{workspace_url(challenge)}agreement/v2/")
        violations = axe_report(page)
        assert violations == "", f"axe found problems on version 2:\n{violations}"

    # Both sign version 2; it is in force.
    sign(challenger, challenge, 2)
    sign(municipality, challenge, 2)
    both_see("Version 2 is in force since")
    assert selectors.agreement_in_force(challenge).number == 2
    assert selectors.agreement_versions(challenge)[1].status == VersionStatus.SUPERSEDED

    # The municipality starts execution in the admin; both see the new stage.
    municipality.goto(f"/admin/challenges/challenge/{challenge.pk}/transition/")
    municipality.check("input[name=to_status][value=execution]")
    municipality.get_by_role("button", name="Change stage").click()
    expect(municipality.locator(".messagelist")).to_contain_text("Execution")
    assert Challenge.objects.get(pk=challenge.pk).status == Status.EXECUTION
    both_see("From “Agreement” to “Execution”", workspace_url(challenge, "timeline"))

    # The challenger raises a knot; the municipality sees it (also on the coordinator's
    # list) and cuts it; both see the decision.
    challenger.goto(workspace_url(challenge, "knots"))
    challenger.get_by_role("link", name="Raise a knot").click()
    challenger.fill("input[name=question]", "May we repair the pond edge ourselves?")
    challenger.fill("textarea[name=decision_needed]", "Permission from the water team.")
    challenger.fill(
        "input[name=needed_by]", (timezone.localdate() + timedelta(days=10)).isoformat()
    )
    challenger.get_by_role("button", name="Raise knot").click()
    expect(challenger.get_by_text("The knot has been raised")).to_be_visible()
    # Back on the knots section, where the knot is listed.
    expect(challenger).to_have_url(re.compile(r"/workspace/knots/$"))
    both_see(
        "Knot raised: May we repair the pond edge ourselves?", workspace_url(challenge, "timeline")
    )
    municipality.goto("/knots/")
    expect(municipality.locator("main")).to_contain_text("May we repair the pond edge ourselves?")

    municipality.goto(workspace_url(challenge, "knots"))
    municipality.get_by_role("link", name=re.compile("Cut this knot")).click()
    municipality.fill("textarea[name=decision]", "Yes, with the water team present.")
    municipality.get_by_role("button", name="Record the decision").click()
    expect(municipality.get_by_text("The knot is cut")).to_be_visible()
    both_see(
        "Knot cut: May we repair the pond edge ourselves?", workspace_url(challenge, "timeline")
    )
    both_see("Yes, with the water team present.", workspace_url(challenge, "knots"))
    assert Knot.objects.get(challenge=challenge).status == KnotStatus.RESOLVED

    # The end state is accessible for both sides, in Dutch too.
    for page in (municipality, challenger):
        page.goto(workspace_url(challenge))
        violations = axe_report(page)
        assert violations == "", f"axe found problems on the workspace:\n{violations}"
    dutch = open_context("nl", user=resident).new_page()
    dutch.goto(workspace_url(challenge))
    violations = axe_report(dutch)
    assert violations == "", f"axe found problems on the Dutch workspace:\n{violations}"
