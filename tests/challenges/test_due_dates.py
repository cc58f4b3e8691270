"""Due dates follow the local calendar, also across a daylight-saving change."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from challenges.constants import Status
from challenges.models import StageTarget
from challenges.services import compute_due_at
from tests.challenges.factories import ChallengeFactory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.mark.django_db
def test_due_date_keeps_the_local_hour_across_daylight_saving():
    StageTarget.objects.filter(status=Status.INTAKE).update(days=14, basis="stage_start")
    challenge = ChallengeFactory()
    challenge.status = Status.INTAKE
    before_change = datetime(2026, 3, 20, 10, 0, tzinfo=AMSTERDAM)  # winter time
    due = compute_due_at(challenge, now=before_change)
    local = timezone.localtime(due, AMSTERDAM)
    assert (local.year, local.month, local.day, local.hour) == (2026, 4, 3, 10)  # summer time
