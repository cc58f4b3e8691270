"""The agreement reads as people write it (amounts in euros, dates written out), the
signing form comes after the text being signed, and an overdue milestone is flagged."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from challenges.constants import Status
from partnerships.constants import MilestoneStatus
from partnerships.models import ContactPerson, Milestone
from tests.challenges.factories import challenge_in, propose_agreement

pytestmark = pytest.mark.django_db


def test_the_agreement_page_reads_as_written_and_signing_comes_after_the_text(client):
    challenge = challenge_in(Status.AGREEMENT)
    # The challenge in its agreement stage has its contact persons already.
    challenger = ContactPerson.objects.get(
        challenge=challenge, side="challenger", ended_at__isnull=True
    ).user
    version = propose_agreement(challenge, actor=challenger, budget_amount=Decimal("176000.00"))
    client.force_login(challenger)
    html = client.get(
        f"/challenges/{challenge.pk}/workspace/agreement/v{version.number}/",
        HTTP_ACCEPT_LANGUAGE="nl",
    ).content.decode()
    assert "€ 176.000,00" in html
    assert "176000.00" not in html
    assert version.start_date.isoformat() not in html
    # The text being signed comes first, then the signing form.
    assert 'id="sign-title"' in html
    assert html.index('id="content-title"') < html.index('id="sign-title"')


def test_an_overdue_milestone_is_flagged_in_the_workspace(client, clock):
    challenge = challenge_in(Status.EXECUTION)
    Milestone.objects.create(
        challenge=challenge,
        title="Eerste maaibeurt",
        owner_side="challenger",
        due_date=clock.now.date() - datetime.timedelta(days=2),
        status=MilestoneStatus.PLANNED,
    )
    client.force_login(challenge.initiator)
    # On the milestones section, at the milestone; on the overview, counted.
    base = f"/challenges/{challenge.pk}/workspace/"
    html = client.get(f"{base}milestones/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'rtc-status--overdue">overdue' in html.content.decode()
    html = client.get(base, HTTP_ACCEPT_LANGUAGE="en")
    assert 'rtc-status--overdue">1 overdue' in html.content.decode()


def test_display_of_amounts_and_dates():
    from partnerships.selectors.agreement import _display

    class Version:
        budget_amount = Decimal("176000.00")
        start_date = datetime.date(2026, 9, 18)
        evaluation_dates = ["2027-03-01", "2027-09-01"]

    with translation.override("nl"):
        assert _display(Version, "budget_amount") == "€ 176.000,00"
        assert _display(Version, "start_date") == "18 september 2026"
        assert _display(Version, "evaluation_dates") == "1 maart 2027\n1 september 2027"
    with translation.override("en"):
        assert _display(Version, "budget_amount") == "€ 176,000.00"
        assert _display(Version, "start_date") == "18 September 2026"


@pytest.mark.parametrize(
    ("days", "status", "overdue"),
    [
        (-1, MilestoneStatus.PLANNED, True),
        (-1, MilestoneStatus.AT_RISK, True),
        (-1, MilestoneStatus.DONE, False),
        (0, MilestoneStatus.PLANNED, False),
        (3, MilestoneStatus.IN_PROGRESS, False),
    ],
)
def test_a_milestone_past_its_date_and_not_done_is_overdue(clock, days, status, overdue):
    today = clock.now.date()
    milestone = Milestone(due_date=today + datetime.timedelta(days=days), status=status)
    assert milestone.is_overdue is overdue
