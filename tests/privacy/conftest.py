"""Two people with data in every app, built through the services: `life.person`, whose
data the tests download or delete, and `life.other`, whose data must never show up
in the person's download and must stay untouched by the person's deletion."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from challenges import services as challenge_services
from challenges.constants import Status, Visibility
from notifications import services as notification_services
from partnerships import services as partnership_services
from partnerships.constants import Side
from partnerships.models import Document
from tests.challenges.factories import (
    ChallengeFactory,
    CoordinatorFactory,
    ReviewerFactory,
    UserFactory,
    add_co_initiator,
    challenge_in,
    organisation_for,
)

SCORES = {"right_things": 4, "doing_right": 3, "together": 5}


@dataclass
class Life:
    """One person's traces: their challenge in execution, run with `mate` (a
    co-initiator, the challenger's contact person after a handover from `person`)."""

    person: object
    mate: object
    challenge: object
    invited_to: object  # someone else's draft that invited the person (not accepted)
    secret: str  # a text only this person wrote (a workspace message)


@dataclass
class World:
    life: Life
    other: Life
    reviewer: object
    coordinator: object


def make_life(label: str, *, reviewer, coordinator) -> Life:
    # Names no other text of the world contains, so a search for them is exact.
    person = UserFactory(
        display_name=f"{label} Weergavenaam",
        first_name=f"{label}voornaam",
        last_name=f"{label}achternaam",
    )
    challenge = challenge_in(
        Status.EXECUTION,
        initiator=person,
        reviewer=reviewer,
        coordinator=coordinator,
        title=f"Buurtpark van {label}",
    )
    organisation_for(challenge, name=f"Stichting {label}")
    mate = add_co_initiator(challenge)
    # The person hands the challenger's contact role over to the co-initiator: they
    # were a fixed contact person, and no longer are.
    partnership_services.contact_person_hand_over(
        challenge=challenge,
        side=Side.CHALLENGER,
        user=mate,
        mandate="Beslist over de dagelijkse uitvoering.",
        reason="Ik stop als contactpersoon.",
        actor=person,
    )
    secret = f"Geheim bericht van {label}"
    partnership_services.message_post(challenge=challenge, actor=person, text=secret)
    # The row as the upload service leaves it (what the file checks accept is their
    # own tests' business; the export lists names, never contents).
    Document.objects.create(
        challenge=challenge,
        uploaded_by=person,
        side=Side.CHALLENGER,
        file=f"partnerships/{challenge.pk}/{label.lower()}0123456789abcdef.pdf",
        original_name=f"begroting-{label}.pdf",
        description=f"Begroting van {label}",
        kind="pdf",
        content_type="application/pdf",
        size=1234,
        sha256="0" * 64,
    )
    partnership_services.milestone_create(
        challenge=challenge,
        actor=person,
        title=f"Mijlpaal van {label}",
        owner_side=Side.CHALLENGER,
        due_date=timezone.localdate() + timedelta(days=30),
        is_public=True,
    )
    partnership_services.knot_raise(
        challenge=challenge,
        actor=person,
        question=f"Vraag van {label}?",
        decision_needed="Toestemming van team Water.",
        needed_by=timezone.localdate() + timedelta(days=14),
    )
    round_ = partnership_services.reflection_open(
        challenge=challenge, actor=person, reason=f"Reflectie van {label}"
    )
    partnership_services.reflection_answer(
        round=round_,
        actor=person,
        scores=SCORES,
        comments={
            "right_things": f"Antwoord van {label}",
            "doing_right": "De planning schuift.",
            "together": "Korte lijnen.",
        },
    )
    challenge_services.challenge_add_addition(
        challenge=challenge,
        actor=person,
        visibility=Visibility.PUBLIC,
        text=f"Aanvulling van {label}",
    )
    # The municipality acts: the person gets notifications.
    challenge_services.challenge_add_note(
        challenge=challenge, actor=reviewer, text="Goed bezig.", visibility=Visibility.PARTIES
    )
    # Someone else's draft invites the person; they have not answered yet.
    invited_to = ChallengeFactory()
    challenge_services.invitation_create(
        challenge=invited_to, actor=invited_to.initiator, email=person.email
    )
    notification_services.preferences_update(user=person, frequencies={"progress": "daily"})
    return Life(person=person, mate=mate, challenge=challenge, invited_to=invited_to, secret=secret)


@pytest.fixture
def world(db) -> World:
    reviewer = ReviewerFactory()
    coordinator = CoordinatorFactory()
    life = make_life("Anna", reviewer=reviewer, coordinator=coordinator)
    other = make_life("Bert", reviewer=reviewer, coordinator=coordinator)
    # The person follows the other's challenge (public) and the other follows theirs.
    notification_services.follow_create(user=life.person, challenge=other.challenge)
    notification_services.follow_create(user=other.person, challenge=life.challenge)
    return World(life=life, other=other, reviewer=reviewer, coordinator=coordinator)


def personal_traces(user) -> list[str]:
    """What identifies the person: their addresses and names (taken before deletion)."""
    traces = [user.email, user.display_name, user.first_name, user.last_name]
    return [trace for trace in traces if trace]
