"""Data for the API tests: what must be shown and what must never be.

`visibility_world()` builds, through the services, a submitted challenge whose
timeline holds one event of every visibility (public, parties, internal) and one
public event whose content was erased, plus a draft with events of its own (a public
one among them, written as an import would, so that only the draft rule keeps it
out). Every text that must stay hidden contains SECRET, so a test can look for it
in any answer.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from challenges import services
from challenges.constants import EventCode, Role, Status, Visibility
from challenges.models import Challenge, Criterion, TimelineEvent
from challenges.timeline import timeline_erase_personal_data
from tests.challenges.factories import (
    ChallengeFactory,
    CriterionFactory,
    ReviewerFactory,
    UserFactory,
    add_co_initiator,
    challenge_in,
)

SECRET = "SECRET"


@dataclass
class VisibilityWorld:
    public: Challenge
    draft: Challenge
    reviewer: object
    initiator: object
    public_event: TimelineEvent
    parties_event: TimelineEvent
    internal_event: TimelineEvent
    erased_event: TimelineEvent
    draft_event: TimelineEvent
    inactive_criterion: Criterion
    active_criterion: Criterion
    hidden_ids: list = field(default_factory=list)


def visibility_world() -> VisibilityWorld:
    reviewer = ReviewerFactory()
    initiator = UserFactory()
    public = challenge_in(Status.INTAKE, initiator=initiator, reviewer=reviewer)
    leaver = add_co_initiator(public)
    public_event = services.challenge_add_addition(
        challenge=public, actor=initiator, text="Openbare aanvulling", visibility=Visibility.PUBLIC
    )
    parties_event = services.challenge_add_addition(
        challenge=public,
        actor=initiator,
        text=f"{SECRET} alleen voor partijen",
        visibility=Visibility.PARTIES,
    )
    internal_event = services.challenge_add_note(
        challenge=public,
        actor=reviewer,
        text=f"{SECRET} interne afweging",
        visibility=Visibility.INTERNAL,
    )
    erased_event = services.challenge_add_addition(
        challenge=public,
        actor=leaver,
        text=f"{SECRET} later gewist",
        visibility=Visibility.PUBLIC,
    )
    timeline_erase_personal_data(user=leaver)

    draft = ChallengeFactory(initiator=initiator, title=f"{SECRET} concept")
    add_co_initiator(draft)
    with transaction.atomic():
        # As an import would write it: public, but on a draft, so never shown.
        (draft_event,) = TimelineEvent.objects.bulk_create(
            [
                TimelineEvent(
                    challenge=draft,
                    actor=initiator,
                    actor_role=Role.CHALLENGER,
                    code=EventCode.ADDITION,
                    visibility=Visibility.PUBLIC,
                    data={"text": f"{SECRET} aanvulling op een concept"},
                    created_at=timezone.now(),
                )
            ]
        )
    world = VisibilityWorld(
        public=Challenge.objects.get(pk=public.pk),
        draft=draft,
        reviewer=reviewer,
        initiator=initiator,
        public_event=public_event,
        parties_event=parties_event,
        internal_event=internal_event,
        erased_event=TimelineEvent.objects.get(pk=erased_event.pk),
        draft_event=draft_event,
        inactive_criterion=CriterionFactory(is_active=False, name_en=f"{SECRET} criterion"),
        active_criterion=CriterionFactory(is_active=True),
    )
    world.hidden_ids = [
        event.pk
        for event in TimelineEvent.objects.filter(challenge__in=[public, draft])
        if event.visibility != Visibility.PUBLIC or event.challenge_id == draft.pk
    ]
    return world
