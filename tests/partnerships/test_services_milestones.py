"""The milestone services: what they write on the timeline and for whom, the progress
they add up to, and what they refuse."""

from datetime import timedelta

import pytest
from django.utils import timezone

from challenges.constants import Visibility
from challenges.services import ServiceError
from partnerships import selectors, services
from partnerships.constants import MilestoneStatus, PartnershipEvent, Side
from tests.partnerships.helpers import events, message

E = PartnershipEvent


def test_milestones_and_their_visibility(in_execution):
    p = in_execution
    due = timezone.localdate() + timedelta(days=30)
    public = services.milestone_create(
        challenge=p.challenge,
        actor=p.challenger,
        title="Bloemenweide ingezaaid",
        owner_side=Side.CHALLENGER,
        due_date=due,
        is_public=True,
    )
    private = services.milestone_create(
        challenge=p.challenge,
        actor=p.municipality,
        title="Gereedschap geleverd",
        owner_side=Side.MUNICIPALITY,
        due_date=due,
    )
    added = events(p.challenge, E.MILESTONE_ADDED)
    assert [(e.data["title"], e.visibility) for e in added] == [
        ("Bloemenweide ingezaaid", Visibility.PUBLIC),
        ("Gereedschap geleverd", Visibility.PARTIES),
    ]
    services.milestone_update(milestone=public, actor=p.municipality, status=MilestoneStatus.DONE)
    services.milestone_update(
        milestone=private, actor=p.challenger, status=MilestoneStatus.AT_RISK, note="Vertraagd."
    )
    updated = events(p.challenge, E.MILESTONE_UPDATED)
    assert [(e.data["to"], e.visibility) for e in updated] == [
        (MilestoneStatus.DONE, Visibility.PUBLIC),
        (MilestoneStatus.AT_RISK, Visibility.PARTIES),
    ]
    progress = selectors.progress(selectors.milestones(p.challenge))
    assert (progress.total, progress.done, progress.at_risk, progress.percent) == (2, 1, 1, 50)
    public_progress = selectors.progress(selectors.milestones(p.challenge, public_only=True))
    assert (public_progress.total, public_progress.done) == (1, 1)
    with pytest.raises(ServiceError) as refused:
        services.milestone_update(milestone=public, actor=p.challenger, status=MilestoneStatus.DONE)
    assert "Nothing changed" in message(refused.value)
    with pytest.raises(ServiceError):
        services.milestone_update(
            milestone=public, actor=p.outsider, status=MilestoneStatus.PLANNED
        )
