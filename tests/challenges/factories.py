"""factory_boy factories for the challenges app, and `challenge_in`, which brings a
challenge to any stage through the real services so that its timeline is real.

Only drafts are built directly (a draft is what `challenge_create_draft` makes);
every later stage is reached with `services.challenge_transition`, never by
setting `status`.

The transition table has two partnership guards (both contact persons before the
assessment, an agreement in force before execution); `challenge_in` meets them
through the partnership services (`assign_contact_persons`, `sign_agreement`).
The partnership factories live here too, so that every test shares one sequence.
"""

import base64
import hashlib
import hmac
import struct
import time
from datetime import timedelta
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User
from challenges import services
from challenges.constants import OPEN_STATUSES, LegalForm, Status
from challenges.models import Challenge, Criterion, Invitation, Neighbourhood, Task
from challenges.permissions import COORDINATOR_GROUP, REVIEWER_GROUP
from partnerships import selectors as partnership_selectors
from partnerships import services as partnership_services
from partnerships.constants import MemberRole, Side
from partnerships.models import AgreementVersion, Organisation

DEFAULT_PASSWORD = "correct-horse-battery"
# The authenticator app secret of every staff user the factories make (base32).
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The code an authenticator app shows for `secret` (RFC 6238: HMAC-SHA1, 30 s
    steps, 6 digits), computed here rather than with allauth's own helpers."""
    key = base64.b32decode(secret.upper())
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class UserFactory(factory.django.DjangoModelFactory):
    """A resident who can log in through allauth with DEFAULT_PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"resident{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    language = "nl"
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        # allauth (ACCOUNT_EMAIL_VERIFICATION = "mandatory") only lets a person in
        # with a verified address.
        if create and obj.email:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)

    @factory.post_generation
    def second_factor(obj, create, extracted, **kwargs):
        # Staff reach the admin only with an authenticator app (accounts/mfa.py), so
        # every staff user gets one, with the secret STAFF_TOTP_SECRET, as after their
        # enrolment. `second_factor=False`: a staff member who has not enrolled yet.
        if create and obj.is_staff and extracted is not False:
            Authenticator.objects.create(
                user=obj, type=Authenticator.Type.TOTP, data={"secret": STAFF_TOTP_SECRET}
            )


def _add_groups(user, names) -> None:
    for name in names or ():
        # The groups come from the data migration; a missing one is a real failure.
        user.groups.add(Group.objects.get(name=name))


class StaffUserFactory(UserFactory):
    """A municipal employee: `StaffUserFactory(groups=["Reviewer"])`."""

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@gemeente.example.nl")
    is_staff = True

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create:
            _add_groups(obj, extracted)


class ReviewerFactory(StaffUserFactory):
    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create:
            _add_groups(obj, [REVIEWER_GROUP] if extracted is None else extracted)


class CoordinatorFactory(StaffUserFactory):
    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create:
            _add_groups(obj, [COORDINATOR_GROUP] if extracted is None else extracted)


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighbourhood
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Wijk {n}")


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    name = factory.Sequence(lambda n: f"Beheer buurtpark {n}")
    department = "Stadsbeheer"
    current_yearly_cost = Decimal("120000.00")
    description = "Maaien, snoeien en zwerfafval opruimen in het buurtpark."
    is_active = True


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    name_nl = factory.Sequence(lambda n: f"Criterium {n}")
    name_en = factory.Sequence(lambda n: f"Criterion {n}")
    description_nl = "Hoe goed past het plan hierbij?"
    description_en = "How well does the plan fit this?"
    order = factory.Sequence(lambda n: 100 + n)
    is_active = True


class ChallengeFactory(factory.django.DjangoModelFactory):
    """A draft whose plan is complete: it can be submitted as it is."""

    class Meta:
        model = Challenge

    initiator = factory.SubFactory(UserFactory)
    task = factory.SubFactory(TaskFactory)
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    title = factory.Sequence(lambda n: f"Bewoners beheren het buurtpark ({n})")
    summary = "Wij onderhouden het park zelf, met buurtbewoners en een vaste ploeg."
    approach = "Een vaste ploeg van vijf vrijwilligers en een betaalde coördinator."
    social_value = "Ontmoeting, werkervaring voor jongeren en een schoner park."
    budget_requested = Decimal("95000.00")
    legal_form = LegalForm.FOUNDATION
    team_description = "Drie jaar ervaring met de moestuin aan de overkant."
    support_evidence = "212 handtekeningen en steun van de bewonersvereniging."


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation row as `invitation_create` would leave it (no event, no e-mail):
    use the service when the timeline or the e-mail matters."""

    class Meta:
        model = Invitation

    challenge = factory.SubFactory(ChallengeFactory)
    email = factory.Sequence(lambda n: f"co{n}@example.org")
    token = factory.Sequence(lambda n: f"token-{n:08d}")
    invited_by = factory.LazyAttribute(lambda i: i.challenge.initiator)


def add_co_initiator(challenge: Challenge, user=None) -> User:
    """Invite and accept through the services: the user joins the challenger team."""
    user = user or UserFactory()
    invitation = services.invitation_create(
        challenge=challenge, actor=challenge.initiator, email=user.email
    )
    services.invitation_accept(invitation=invitation, user=user)
    return user


# The main line, each stop with the edge's actor ("team", "reviewer", "coordinator").
_MAIN_LINE = [
    (Status.SUBMITTED, "team"),
    (Status.INTAKE, "reviewer"),
    (Status.ASSESSMENT, "reviewer"),
    (Status.DECISION, "reviewer"),
    (Status.ACCEPTED, "reviewer"),
    (Status.AGREEMENT, "reviewer"),
    (Status.EXECUTION, "reviewer"),
    (Status.EVALUATION, "reviewer"),
    (Status.COMPLETED, "coordinator"),
]


def _path_to(status: str) -> list[tuple[str, str]]:
    """The steps from a draft to an open or main-line stage."""
    if status == Status.DRAFT:
        return []
    if status == Status.REJECTED:
        return _path_to(Status.DECISION) + [(Status.REJECTED, "reviewer")]
    stops = [stop for stop, _actor in _MAIN_LINE]
    return _MAIN_LINE[: stops.index(status) + 1]


def assign_contact_persons(challenge: Challenge, *, municipality=None, challenger=None):
    """Name both fixed contact persons through the service: (municipality, challenger).

    By default a new reviewer for the municipality and the initiator for the challenger.
    """
    municipality = municipality or ReviewerFactory()
    challenger = challenger or challenge.initiator
    partnership_services.contact_person_assign(
        challenge=challenge,
        side=Side.MUNICIPALITY,
        user=municipality,
        mandate="Beslist zelfstandig over planning en uitvoering tot 5.000 euro.",
        actor=municipality,
    )
    partnership_services.contact_person_assign(
        challenge=challenge,
        side=Side.CHALLENGER,
        user=challenger,
        mandate="Beslist namens het bestuur over de dagelijkse uitvoering.",
        actor=challenger,
    )
    return municipality, challenger


def agreement_content(**overrides) -> dict:
    """Complete content of an agreement version, starting today, for one year."""
    start = timezone.localdate()
    content = {
        "scope": "Dagelijks onderhoud van het buurtpark: maaien, snoeien en vegen.",
        "tasks_challenger": "De stichting maait, snoeit en ruimt zwerfafval op.",
        "tasks_municipality": "De gemeente levert gereedschap en haalt groenafval op.",
        "budget_amount": Decimal("95000.00"),
        "payment_schedule": "Per kwartaal vooraf, na goedkeuring van de kwartaalrapportage.",
        "budget_from_current_cost": Decimal("95000.00"),
        "start_date": start,
        "end_date": start + timedelta(days=365),
        "results": "Beeldkwaliteit B of beter; vijf vaste vrijwilligers.",
        "evaluation_dates": [start + timedelta(days=182), start + timedelta(days=365)],
        "reporting_rhythm": "quarterly",
        "termination_terms": "Opzegging met drie maanden opzegtermijn, schriftelijk.",
    }
    content.update(overrides)
    return content


def propose_agreement(challenge: Challenge, *, actor, **overrides) -> AgreementVersion:
    """Draft and propose a version through the services (by `actor`, a party)."""
    draft = partnership_services.agreement_save_draft(
        challenge=challenge, actor=actor, data=agreement_content(**overrides)
    )
    return partnership_services.agreement_propose(version=draft, actor=actor)


def sign_agreement(challenge: Challenge, **overrides) -> AgreementVersion:
    """Propose a version and have both active contact persons sign it: in force."""
    active = partnership_selectors.active_contact_persons(challenge)
    municipality = active[Side.MUNICIPALITY].user
    challenger = active[Side.CHALLENGER].user
    version = propose_agreement(challenge, actor=municipality, **overrides)
    for person in (municipality, challenger):
        partnership_services.agreement_sign(version=version, actor=person, digest=version.digest)
    return AgreementVersion.objects.get(pk=version.pk)


class OrganisationFactory(factory.django.DjangoModelFactory):
    """An organisation row with a unique KvK number; use `organisation_create` when the
    member (and its validation) matters."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Stichting Buurtpark {n}")
    legal_form = LegalForm.FOUNDATION
    kvk_number = factory.Sequence(lambda n: f"{40000000 + n:08d}")
    created_by = factory.SubFactory(UserFactory)


def organisation_for(challenge: Challenge, **fields) -> Organisation:
    """Register an organisation by the initiator and link the challenge to it."""
    organisation = partnership_services.organisation_create(
        actor=challenge.initiator,
        name=fields.get("name", f"Stichting {challenge.title}"[:200]),
        legal_form=fields.get("legal_form", LegalForm.FOUNDATION),
        kvk_number=fields.get("kvk_number", f"{50000000 + challenge.pk:08d}"),
        role=fields.get("role", MemberRole.CHAIR),
    )
    partnership_services.partnership_link_organisation(
        challenge=challenge, actor=challenge.initiator, organisation=organisation
    )
    return organisation


def challenge_in(
    status: str,
    *,
    challenge: Challenge | None = None,
    reviewer=None,
    coordinator=None,
    held_from: str = Status.INTAKE,
    withdrawn_from: str = Status.SUBMITTED,
    contact_persons: bool = True,
    agreement: bool = True,
    **draft_fields,
) -> Challenge:
    """A challenge in `status`, brought there step by step through challenge_transition.

    `on_hold` is reached by holding the challenge in `held_from`; `withdrawn` by the
    initiator withdrawing it in `withdrawn_from` (an open stage or on hold). Missing
    staff actors are created. Extra keyword arguments go to ChallengeFactory.

    With `contact_persons` (the default) both fixed contact persons are named as soon
    as the challenge enters intake (the reviewer for the municipality, the initiator
    for the challenger), so it can leave intake; with `agreement` (the default) an
    agreement is signed by both as soon as the challenge reaches the agreement stage.
    Turn them off to test the guards.
    """
    status = Status(status)
    if challenge is None:
        challenge = ChallengeFactory(**draft_fields)
    elif draft_fields:
        raise TypeError("Pass either an existing challenge or draft fields, not both.")
    if challenge.status != Status.DRAFT:
        raise ValueError("challenge_in starts from a draft.")
    actors = {"team": challenge.initiator}

    def actor(kind: str):
        nonlocal reviewer, coordinator
        if kind == "reviewer":
            reviewer = reviewer or ReviewerFactory()
            return reviewer
        if kind == "coordinator":
            coordinator = coordinator or CoordinatorFactory()
            return coordinator
        return actors[kind]

    def step(to_status: str, kind: str) -> Challenge:
        moved = services.challenge_transition(
            challenge=challenge,
            to_status=to_status,
            actor=actor(kind),
            motivation=f"Test step to {to_status}.",
        )
        if to_status == Status.INTAKE and contact_persons:
            assign_contact_persons(moved, municipality=actor("reviewer"))
        if to_status == Status.AGREEMENT and agreement and contact_persons:
            sign_agreement(moved)
        return moved

    if status == Status.ON_HOLD:
        if held_from not in OPEN_STATUSES:
            raise ValueError(f"Only an open stage can be put on hold, not {held_from!r}.")
        for to_status, kind in _path_to(held_from):
            challenge = step(to_status, kind)
        return step(Status.ON_HOLD, "reviewer")
    if status == Status.WITHDRAWN:
        if withdrawn_from == Status.ON_HOLD:
            challenge = challenge_in(
                Status.ON_HOLD,
                challenge=challenge,
                reviewer=reviewer,
                contact_persons=contact_persons,
                agreement=agreement,
            )
        elif withdrawn_from in OPEN_STATUSES:
            for to_status, kind in _path_to(withdrawn_from):
                challenge = step(to_status, kind)
        else:
            raise ValueError(f"A challenge cannot be withdrawn from {withdrawn_from!r}.")
        return step(Status.WITHDRAWN, "team")
    for to_status, kind in _path_to(status):
        challenge = step(to_status, kind)
    return challenge
