"""Every change to a partnership goes through a function here.

Like `challenges.services`: keyword-only, one transaction, the challenge row locked
first (`challenges.services.locked_challenge`; one lock order everywhere, so two changes to
one partnership never deadlock), validated with a translated message
(`ServiceError`), the timeline event written in the same transaction, side effects
queued with `transaction.on_commit`. Refusals change nothing.

Workspace events are for the parties; milestone events of a public milestone are
public.
"""

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from challenges.constants import LegalForm, Role, Status, Visibility
from challenges.models import Challenge
from challenges.permissions import is_municipality, staff_roles
from challenges.selectors import team_members
from challenges.services import locked_challenge
from challenges.timeline import record_event
from core.errors import ServiceError
from core.text import join_lazy

from . import permissions
from .constants import (
    REFLECTION_QUESTIONS,
    REFLECTION_STATUSES,
    REFLECTION_TRIGGER_EVALUATION,
    REFLECTION_TRIGGER_EVALUATION_DATE,
    REFLECTION_TRIGGER_PERIODIC,
    KnotStatus,
    MemberRole,
    MilestoneStatus,
    PartnershipEvent,
    ReportingRhythm,
    Side,
    VersionStatus,
)
from .models import (
    CONTENT_FIELDS,
    AgreementSignature,
    AgreementVersion,
    ContactPerson,
    Document,
    Knot,
    Message,
    Milestone,
    Organisation,
    OrganisationMember,
    Partnership,
    ReflectionAnswer,
    ReflectionRound,
)
from .uploads import UploadRefused, check_upload

E = PartnershipEvent
V = Visibility


def _name(user) -> str:
    # Stored in event data: no sentence, so "" when the account has been deleted.
    return user.name if user is not None else ""


def _side_label(side: str):
    return Side(side).label


def _side_label_capitalised(side: str):
    """The side's label with a capital, still lazy (translated when shown)."""
    return capfirst(Side(side).label)


def _acting_role(user, side: str) -> str:
    if side == Side.CHALLENGER:
        return Role.CHALLENGER
    roles = staff_roles(user)
    return Role.COORDINATOR if Role.COORDINATOR in roles else Role.REVIEWER


def _require_side(user, challenge) -> str:
    side = permissions.side_of(user, challenge)
    if side is None:
        raise ServiceError(_("Only the challenger team and the municipality can do this."))
    return side


def _text(value, message) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(message)
    return value


def _closed_message():
    return _("This challenge is closed; its workspace can be read but no longer changed.")


def _require_open(challenge) -> None:
    if not permissions.workspace_is_open(challenge):
        raise ServiceError(_closed_message())


# -- Organisation --------------------------------------------------------------------------

KVK_PATTERN = re.compile(r"^\d{8}$")


def normalise_kvk(value: str) -> str:
    """KvK numbers are written with spaces or dots now and then; keep the digits."""
    return re.sub(r"[\s.]", "", value or "")


def validate_kvk(legal_form: str, kvk_number: str) -> str:
    """The KvK number for this legal form: 8 digits, or empty for an informal group.

    The KvK publishes no check digit for its numbers, so only the format is checked
    here; whether the number exists is for a person to verify in the trade register.
    """
    kvk_number = normalise_kvk(kvk_number)
    if legal_form == LegalForm.INFORMAL_GROUP:
        if kvk_number:
            raise ServiceError(
                _(
                    "An informal resident group has no KvK number. Leave it empty, or "
                    "choose the legal form of the registered organisation."
                )
            )
        return ""
    if not kvk_number:
        raise ServiceError(
            _("Enter the KvK number: every legal form except an informal group has one.")
        )
    if not KVK_PATTERN.match(kvk_number):
        raise ServiceError(
            _("A KvK number is exactly 8 digits, like 12345678. “%(value)s” is not."),
            params={"value": kvk_number},
        )
    return kvk_number


def organisation_create(
    *, actor, name: str, legal_form: str, kvk_number: str = "", role: str = MemberRole.MEMBER
) -> Organisation:
    if not getattr(actor, "is_authenticated", False):
        raise ServiceError(_("Log in to register an organisation."))
    name = _text(name, _("Enter the name of the organisation."))
    if legal_form not in LegalForm.values:
        raise ServiceError(_("Choose one of the legal forms in the list."))
    if role not in MemberRole.values:
        raise ServiceError(_("Choose your role in the organisation."))
    kvk_number = validate_kvk(legal_form, kvk_number)
    with transaction.atomic():
        if kvk_number and Organisation.objects.filter(kvk_number=kvk_number).exists():
            raise ServiceError(
                _(
                    "An organisation with KvK number %(kvk)s is already registered. Ask one "
                    "of its members to add you to it."
                ),
                params={"kvk": kvk_number},
            )
        try:
            with transaction.atomic():
                organisation = Organisation.objects.create(
                    name=name, legal_form=legal_form, kvk_number=kvk_number, created_by=actor
                )
        except IntegrityError as exc:
            raise ServiceError(
                _("An organisation with KvK number %(kvk)s is already registered."),
                params={"kvk": kvk_number},
            ) from exc
        OrganisationMember.objects.create(organisation=organisation, user=actor, role=role)
    return organisation


def _is_member(user, organisation) -> bool:
    return organisation.members.filter(user=user).exists()


@transaction.atomic
def organisation_add_member(
    *, organisation: Organisation, actor, user, role: str
) -> OrganisationMember:
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not (_is_member(actor, locked) or is_municipality(actor)):
        raise ServiceError(_("Only members of the organisation can add members to it."))
    if role not in MemberRole.values:
        raise ServiceError(_("Choose a role from the list."))
    if _is_member(user, locked):
        membership = locked.members.get(user=user)
        if membership.role == role:
            raise ServiceError(
                _("%(name)s is already a member of %(organisation)s."),
                params={"name": user.name, "organisation": locked.name},
            )
        membership.role = role
        membership.save(update_fields=["role"])
        return membership
    return OrganisationMember.objects.create(organisation=locked, user=user, role=role)


@transaction.atomic
def partnership_link_organisation(
    *, challenge: Challenge, actor, organisation: Organisation
) -> Partnership:
    """The challenge is carried by this organisation; its team members become members."""
    locked = locked_challenge(challenge)
    _require_open(locked)
    if not permissions.can_manage_organisation(actor, locked):
        raise ServiceError(
            _("Only the challenger team can say on whose behalf the challenge is submitted.")
        )
    if not _is_member(actor, organisation):
        raise ServiceError(
            _("You can only link an organisation you are a member of."),
        )
    partnership, _created = Partnership.objects.select_for_update().get_or_create(challenge=locked)
    if partnership.organisation_id == organisation.pk:
        raise ServiceError(
            _("This challenge is already submitted on behalf of %(organisation)s."),
            params={"organisation": organisation.name},
        )
    previous = partnership.organisation.name if partnership.organisation_id else ""
    partnership.organisation = organisation
    partnership.linked_at = timezone.now()
    partnership.save()
    # Co-initiators are members of the organisation they submit on behalf of.
    existing = set(organisation.members.values_list("user_id", flat=True))
    for member in team_members(locked):
        if member.pk not in existing:
            OrganisationMember.objects.create(
                organisation=organisation, user=member, role=MemberRole.MEMBER
            )
    record_event(
        challenge=locked,
        code=E.ORGANISATION_LINKED,
        visibility=V.PARTIES,
        actor=actor,
        actor_role=Role.CHALLENGER,
        data={
            "name": organisation.name,
            "legal_form": organisation.legal_form,
            "kvk_number": organisation.kvk_number,
            "previous": previous,
        },
    )
    return partnership


@transaction.atomic
def partnership_register_organisation(
    *,
    challenge: Challenge,
    actor,
    name: str,
    legal_form: str,
    kvk_number: str = "",
    role: str = MemberRole.MEMBER,
) -> Organisation:
    """Register the organisation the challenge is submitted on behalf of, and link it."""
    locked = locked_challenge(challenge)
    _require_open(locked)
    if not permissions.can_manage_organisation(actor, locked):
        raise ServiceError(
            _("Only the challenger team can say on whose behalf the challenge is submitted.")
        )
    organisation = organisation_create(
        actor=actor, name=name, legal_form=legal_form, kvk_number=kvk_number, role=role
    )
    partnership_link_organisation(challenge=locked, actor=actor, organisation=organisation)
    return organisation


# -- Fixed contact persons -----------------------------------------------------------------


def _check_contact_person(challenge, *, side, user, actor, mandate) -> str:
    if side not in Side.values:
        raise ServiceError(_("Choose the side: the municipality or the challenger."))
    _require_open(challenge)
    if not permissions.can_assign_contact_person(actor, challenge, side):
        if side == Side.MUNICIPALITY:
            raise ServiceError(_("Only the municipality names its own contact person."))
        raise ServiceError(
            _("Only the challenger team or the municipality can name the challenger's contact.")
        )
    if not permissions.can_be_contact_person(user, challenge, side):
        if side == Side.MUNICIPALITY:
            raise ServiceError(
                _("The municipality's contact person must be a reviewer or coordinator.")
            )
        raise ServiceError(
            _("The challenger's contact person must be a member of the challenger team.")
        )
    return _text(
        mandate,
        _("Write down the mandate: what this contact person may decide alone."),
    )


def _create_assignment(challenge, **fields) -> ContactPerson:
    try:
        with transaction.atomic():
            return ContactPerson.objects.create(challenge=challenge, **fields)
    except IntegrityError as exc:
        # Only reachable when somebody wrote without the challenge lock.
        raise ServiceError(
            _("This side already has an active contact person. Reload the page and try again.")
        ) from exc


@transaction.atomic
def contact_person_assign(
    *, challenge: Challenge, side: str, user, mandate: str, actor
) -> ContactPerson:
    """Name the first contact person of a side. A later change is a handover."""
    locked = locked_challenge(challenge)
    mandate = _check_contact_person(locked, side=side, user=user, actor=actor, mandate=mandate)
    current = (
        # of=("self",): PostgreSQL cannot lock the nullable side of the join to the user.
        ContactPerson.objects.select_for_update(of=("self",))
        .filter(challenge=locked, side=side, ended_at__isnull=True)
        .select_related("user")
        .first()
    )
    if current is not None and current.user_id is None:
        # The contact person deleted their account: that assignment has ended.
        current.ended_at = timezone.now()
        current.save(update_fields=["ended_at"])
        current = None
    if current is not None:
        raise ServiceError(
            _(
                "%(side)s already has a contact person: %(name)s. To replace them, hand "
                "over to the new contact person."
            ),
            params={"side": _side_label_capitalised(side), "name": current.user.name},
        )
    assignment = _create_assignment(
        locked, side=side, user=user, mandate=mandate, assigned_by=actor, started_at=timezone.now()
    )
    record_event(
        challenge=locked,
        code=E.CONTACT_PERSON_ASSIGNED,
        visibility=V.PARTIES,
        actor=actor,
        actor_role=_acting_role(actor, permissions.side_of(actor, locked) or side),
        data={"side": side, "name": user.name, "mandate": mandate},
    )
    return assignment


@transaction.atomic
def contact_person_hand_over(
    *, challenge: Challenge, side: str, user, mandate: str, reason: str, actor
) -> ContactPerson:
    """End the current assignment of a side and start the next one, with the reason."""
    locked = locked_challenge(challenge)
    mandate = _check_contact_person(locked, side=side, user=user, actor=actor, mandate=mandate)
    reason = _text(reason, _("Say why the contact person changes."))
    current = (
        # of=("self",): PostgreSQL cannot lock the nullable side of the join to the user.
        ContactPerson.objects.select_for_update(of=("self",))
        .filter(challenge=locked, side=side, ended_at__isnull=True)
        .select_related("user")
        .first()
    )
    if current is None:
        raise ServiceError(
            _("%(side)s has no contact person yet to hand over from; assign one first."),
            params={"side": _side_label_capitalised(side)},
        )
    if current.user_id == user.pk:
        raise ServiceError(
            _("%(name)s is already the contact person of this side."),
            params={"name": user.name},
        )
    now = timezone.now()
    current.ended_at = now
    current.save(update_fields=["ended_at"])
    assignment = _create_assignment(
        locked,
        side=side,
        user=user,
        mandate=mandate,
        reason=reason,
        assigned_by=actor,
        started_at=now,
    )
    # Both sides hear of it through the notifications outbox, the outgoing contact
    # person included (notifications.recipients).
    record_event(
        challenge=locked,
        code=E.CONTACT_PERSON_HANDED_OVER,
        visibility=V.PARTIES,
        actor=actor,
        actor_role=_acting_role(actor, permissions.side_of(actor, locked) or side),
        data={
            "side": side,
            "from_name": _name(current.user),
            "name": user.name,
            "mandate": mandate,
            "reason": reason,
        },
    )
    return assignment


# -- Agreement -----------------------------------------------------------------------------

TEXT_FIELDS = [
    "scope",
    "tasks_challenger",
    "tasks_municipality",
    "payment_schedule",
    "results",
    "termination_terms",
]


def _field_label(name: str):
    # Lazy: the message is put together in the language of whoever reads it.
    return AgreementVersion._meta.get_field(name).verbose_name


def _amount(name: str, value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ServiceError(
            _("“%(field)s” must be an amount in euros."), params={"field": _field_label(name)}
        ) from exc
    if not amount.is_finite() or amount < 0:
        raise ServiceError(
            _("“%(field)s” cannot be negative."), params={"field": _field_label(name)}
        )
    if amount >= Decimal("10000000000"):
        raise ServiceError(_("“%(field)s” is too large."), params={"field": _field_label(name)})
    return amount.quantize(Decimal("0.01"))


def _as_date(name: str, value) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError) as exc:
        raise ServiceError(
            _("“%(field)s” must be a date like 2026-01-31."), params={"field": _field_label(name)}
        ) from exc


def clean_agreement_content(data: dict) -> dict:
    """Validate the content of a version; return it with proper types."""
    unknown = set(data) - set(CONTENT_FIELDS) - {"change_note"}
    if unknown:
        raise ServiceError(
            _("These fields are not part of the agreement: %(fields)s"),
            params={"fields": ", ".join(sorted(unknown))},
        )
    missing = [name for name in CONTENT_FIELDS if data.get(name) in (None, "", [])]
    missing = [name for name in missing if name != "evaluation_dates"]
    if missing:
        raise ServiceError(
            _("The agreement is not complete yet. Still missing: %(fields)s."),
            params={"fields": join_lazy([_field_label(name) for name in missing])},
        )
    cleaned = {name: str(data[name]).strip() for name in TEXT_FIELDS}
    empty = [name for name in TEXT_FIELDS if not cleaned[name]]
    if empty:
        raise ServiceError(
            _("The agreement is not complete yet. Still missing: %(fields)s."),
            params={"fields": join_lazy([_field_label(name) for name in empty])},
        )
    cleaned["budget_amount"] = _amount("budget_amount", data["budget_amount"])
    cleaned["budget_from_current_cost"] = _amount(
        "budget_from_current_cost", data["budget_from_current_cost"]
    )
    cleaned["start_date"] = _as_date("start_date", data["start_date"])
    cleaned["end_date"] = _as_date("end_date", data["end_date"])
    if cleaned["end_date"] < cleaned["start_date"]:
        raise ServiceError(_("The agreement cannot end before it starts."))
    if data["reporting_rhythm"] not in ReportingRhythm.values:
        raise ServiceError(_("Choose a reporting rhythm from the list."))
    cleaned["reporting_rhythm"] = data["reporting_rhythm"]
    dates = sorted(
        {_as_date("evaluation_dates", value) for value in data.get("evaluation_dates") or []}
    )
    if not dates:
        raise ServiceError(_("Plan at least one evaluation date."))
    outside = [d for d in dates if not cleaned["start_date"] <= d <= cleaned["end_date"]]
    if outside:
        raise ServiceError(
            _("Evaluation dates must fall between the start and the end: %(dates)s does not."),
            params={"dates": ", ".join(d.isoformat() for d in outside)},
        )
    cleaned["evaluation_dates"] = [d.isoformat() for d in dates]
    cleaned["change_note"] = str(data.get("change_note") or "").strip()
    return cleaned


def _require_agreement_stage(actor, challenge) -> str:
    side = _require_side(actor, challenge)
    if not permissions.can_edit_agreement(actor, challenge):
        raise ServiceError(
            _(
                "The agreement is drafted and changed in the stages agreement, execution and "
                "evaluation; this challenge is in stage “%(stage)s”."
            ),
            params={"stage": Status(challenge.status).label},
        )
    return side


@transaction.atomic
def agreement_save_draft(*, challenge: Challenge, actor, data: dict) -> AgreementVersion:
    """Create or update the one draft version. A draft can change until it is proposed."""
    locked = locked_challenge(challenge)
    _require_agreement_stage(actor, locked)
    cleaned = clean_agreement_content(data)
    draft = (
        AgreementVersion.objects.select_for_update()
        .filter(challenge=locked, status=VersionStatus.DRAFT)
        .first()
    )
    now = timezone.now()
    if draft is None:
        last = AgreementVersion.objects.filter(challenge=locked).aggregate(n=Max("number"))["n"]
        draft = AgreementVersion(
            challenge=locked, number=(last or 0) + 1, created_by=actor, created_at=now
        )
    for name, value in cleaned.items():
        setattr(draft, name, value)
    draft.updated_at = now
    draft.save()
    return draft


def _lock_version(version: AgreementVersion) -> tuple[Challenge, AgreementVersion]:
    challenge = locked_challenge(version.challenge)
    return challenge, AgreementVersion.objects.select_for_update().get(pk=version.pk)


@transaction.atomic
def agreement_propose(*, version: AgreementVersion, actor) -> AgreementVersion:
    """Freeze a draft: from now on it is exactly this text that both sides sign.

    The version on the table before it is superseded; its signatures no longer count.
    """
    challenge, locked = _lock_version(version)
    _require_agreement_stage(actor, challenge)
    if locked.status != VersionStatus.DRAFT:
        raise ServiceError(
            _("Version %(number)s has already been proposed; it can no longer be changed."),
            params={"number": locked.number},
        )
    clean_agreement_content({name: getattr(locked, name) for name in CONTENT_FIELDS})
    now = timezone.now()
    previous = (
        AgreementVersion.objects.select_for_update()
        .filter(challenge=challenge, status__in=[VersionStatus.PROPOSED, VersionStatus.SIGNED])
        .first()
    )
    if previous is not None:
        previous.status = VersionStatus.SUPERSEDED
        previous.superseded_at = now
        previous.save(update_fields=["status", "superseded_at"])
    locked.status = VersionStatus.PROPOSED
    locked.digest = locked.compute_digest()
    locked.proposed_by = actor
    locked.proposed_at = now
    locked.save()
    changed = (
        [name for name in CONTENT_FIELDS if getattr(previous, name) != getattr(locked, name)]
        if previous is not None
        else []
    )
    side = permissions.side_of(actor, challenge)
    record_event(
        challenge=challenge,
        code=E.AGREEMENT_PROPOSED,
        visibility=V.PARTIES,
        actor=actor,
        actor_role=_acting_role(actor, side),
        data={
            "number": locked.number,
            "digest": locked.digest,
            "side": side,
            "previous": previous.number if previous is not None else None,
            "previous_was_in_force": previous is not None and previous.in_force_at is not None,
            "changed": changed,
            "change_note": locked.change_note,
        },
    )
    return locked


@transaction.atomic
def agreement_sign(*, version: AgreementVersion, actor, digest: str) -> AgreementSignature:
    """The active contact person of a side signs this exact version (its digest)."""
    challenge, locked = _lock_version(version)
    side = _require_side(actor, challenge)
    if challenge.status not in (Status.AGREEMENT, Status.EXECUTION, Status.EVALUATION):
        raise ServiceError(
            _("The agreement can be signed in the stages agreement, execution and evaluation.")
        )
    if not permissions.is_active_contact_person(actor, challenge, side):
        raise ServiceError(
            _("Only the active contact person of %(side)s can sign for that side."),
            params={"side": _side_label(side)},
        )
    if locked.status == VersionStatus.SUPERSEDED:
        newer = (
            AgreementVersion.objects.filter(challenge=challenge, number__gt=locked.number)
            .exclude(status=VersionStatus.DRAFT)
            .order_by("-number")
            .first()
        )
        raise ServiceError(
            _(
                "Version %(number)s has been superseded by version %(newer)s and can no longer "
                "be signed. Read version %(newer)s and sign that one."
            ),
            params={"number": locked.number, "newer": newer.number if newer else "?"},
        )
    if locked.status == VersionStatus.DRAFT:
        raise ServiceError(
            _("Version %(number)s is still a draft; it can be signed once it is proposed."),
            params={"number": locked.number},
        )
    if locked.status == VersionStatus.SIGNED:
        raise ServiceError(
            _("Version %(number)s has already been signed by both sides."),
            params={"number": locked.number},
        )
    if locked.compute_digest() != locked.digest:
        # The stored content no longer matches what was proposed: never sign that.
        raise ServiceError(_("This version has been damaged and cannot be signed."))
    if (digest or "").strip().lower() != locked.digest:
        raise ServiceError(
            _(
                "The version you read is not the version on the table (its digest differs). "
                "Reload the page, read it again and sign."
            )
        )
    if locked.signatures.filter(side=side).exists():
        raise ServiceError(
            _("%(side)s has already signed version %(number)s."),
            params={"side": _side_label_capitalised(side), "number": locked.number},
        )
    contact = ContactPerson.objects.get(
        challenge=challenge, side=side, user=actor, ended_at__isnull=True
    )
    now = timezone.now()
    signature = AgreementSignature.objects.create(
        version=locked,
        side=side,
        signer=actor,
        contact_person=contact,
        digest=locked.digest,
        signed_at=now,
    )
    role = _acting_role(actor, side)
    record_event(
        challenge=challenge,
        code=E.AGREEMENT_SIGNED,
        visibility=V.PARTIES,
        actor=actor,
        actor_role=role,
        data={"number": locked.number, "side": side, "name": actor.name, "digest": locked.digest},
    )
    if set(locked.signatures.values_list("side", flat=True)) == set(Side.values):
        locked.status = VersionStatus.SIGNED
        locked.in_force_at = now
        locked.save(update_fields=["status", "in_force_at"])
        record_event(
            challenge=challenge,
            code=E.AGREEMENT_IN_FORCE,
            visibility=V.PARTIES,
            actor=actor,
            actor_role=role,
            data={
                "number": locked.number,
                "digest": locked.digest,
                "start": locked.start_date.isoformat(),
                "end": locked.end_date.isoformat(),
            },
        )
    return signature


# -- Milestones ----------------------------------------------------------------------------


def _require_milestones(actor, challenge) -> str:
    side = _require_side(actor, challenge)
    if not permissions.can_manage_milestones(actor, challenge):
        raise ServiceError(
            _(
                "Milestones are planned and updated in the stages agreement, execution and "
                "evaluation; this challenge is in stage “%(stage)s”."
            ),
            params={"stage": Status(challenge.status).label},
        )
    return side


def _milestone_visibility(milestone: Milestone) -> str:
    return V.PUBLIC if milestone.is_public else V.PARTIES


@transaction.atomic
def milestone_create(
    *,
    challenge: Challenge,
    actor,
    title: str,
    owner_side: str,
    due_date: date,
    is_public: bool = False,
    status: str = MilestoneStatus.PLANNED,
) -> Milestone:
    locked = locked_challenge(challenge)
    side = _require_milestones(actor, locked)
    title = _text(title, _("Give the milestone a title."))
    if owner_side not in Side.values:
        raise ServiceError(_("Choose whose milestone it is."))
    if status not in MilestoneStatus.values:
        raise ServiceError(_("Choose a status from the list."))
    if not isinstance(due_date, date):
        raise ServiceError(_("Give the milestone a due date."))
    now = timezone.now()
    milestone = Milestone.objects.create(
        challenge=locked,
        title=title,
        owner_side=owner_side,
        due_date=due_date,
        status=status,
        is_public=bool(is_public),
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    record_event(
        challenge=locked,
        code=E.MILESTONE_ADDED,
        visibility=_milestone_visibility(milestone),
        actor=actor,
        actor_role=_acting_role(actor, side),
        data={
            "milestone": milestone.pk,
            "title": title,
            "owner_side": owner_side,
            "due_date": due_date.isoformat(),
            "status": status,
        },
    )
    return milestone


@transaction.atomic
def milestone_update(
    *, milestone: Milestone, actor, status: str, due_date: date | None = None, note: str = ""
) -> Milestone:
    challenge_row = locked_challenge(milestone.challenge)
    side = _require_milestones(actor, challenge_row)
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if status not in MilestoneStatus.values:
        raise ServiceError(_("Choose a status from the list."))
    due_date = due_date or locked.due_date
    note = (note or "").strip()
    if status == locked.status and due_date == locked.due_date:
        raise ServiceError(_("Nothing changed: choose another status or due date."))
    previous_status, previous_due = locked.status, locked.due_date
    locked.status = status
    locked.due_date = due_date
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "due_date", "updated_at"])
    record_event(
        challenge=challenge_row,
        code=E.MILESTONE_UPDATED,
        visibility=_milestone_visibility(locked),
        actor=actor,
        actor_role=_acting_role(actor, side),
        data={
            "milestone": locked.pk,
            "title": locked.title,
            "from": previous_status,
            "to": status,
            "previous_due_date": previous_due.isoformat(),
            "due_date": due_date.isoformat(),
            "note": note,
        },
    )
    return locked


# -- Reflections ---------------------------------------------------------------------------


@transaction.atomic
def reflection_open(
    *,
    challenge: Challenge,
    actor=None,
    evaluation_date: date | None = None,
    reason: str = "",
    trigger: str = "",
) -> ReflectionRound:
    """Ask both sides to reflect: on request (an actor, with a reason), or by the portal
    itself (actor None) with the `trigger` of `reflections_open_due`."""
    locked = locked_challenge(challenge)
    side = None
    if actor is not None:
        side = _require_side(actor, locked)
        reason = _text(reason, _("Say why you ask for a reflection now."))
    if locked.status not in REFLECTION_STATUSES:
        raise ServiceError(
            _(
                "Reflections are held in the stages execution and evaluation; this challenge "
                "is in stage “%(stage)s”."
            ),
            params={"stage": Status(locked.status).label},
        )
    current = ReflectionRound.objects.filter(challenge=locked, revealed_at__isnull=True).first()
    if current is not None:
        raise ServiceError(
            _(
                "A reflection is already open (asked for on %(date)s). Answer that one first; "
                "a new one can be asked for once both sides have answered."
            ),
            params={"date": timezone.localtime(current.opened_at).date().isoformat()},
        )
    if (
        evaluation_date is not None
        and ReflectionRound.objects.filter(
            challenge=locked, evaluation_date=evaluation_date
        ).exists()
    ):
        raise ServiceError(
            _("The reflection for evaluation date %(date)s has already been asked for."),
            params={"date": evaluation_date.isoformat()},
        )
    round_ = ReflectionRound.objects.create(
        challenge=locked,
        evaluation_date=evaluation_date,
        reason=(reason or "").strip(),
        opened_by=actor,
        opened_at=timezone.now(),
    )
    record_event(
        challenge=locked,
        code=E.REFLECTION_OPENED,
        visibility=V.PARTIES,
        actor=actor,
        actor_role=_acting_role(actor, side) if actor is not None else "",
        data={
            "round": round_.pk,
            "evaluation_date": evaluation_date.isoformat() if evaluation_date else None,
            "reason": round_.reason,
            "side": side,
            "trigger": trigger if actor is None else "",
        },
    )
    return round_


def _score(key: str, value) -> int:
    if type(value) is not int or not 1 <= value <= 5:
        label = dict(REFLECTION_QUESTIONS)[key]
        raise ServiceError(
            _("Answer “%(question)s” with a whole number from 1 to 5."),
            params={"question": label},
        )
    return value


@transaction.atomic
def reflection_answer(
    *, round: ReflectionRound, actor, scores: dict, comments: dict
) -> ReflectionAnswer:
    """One side's answers. They stay hidden from the other side until both answered;
    the second answer shares both, side by side, on the timeline."""
    challenge = locked_challenge(round.challenge)
    locked = ReflectionRound.objects.select_for_update().get(pk=round.pk)
    side = _require_side(actor, challenge)
    if challenge.status not in REFLECTION_STATUSES:
        raise ServiceError(_("Reflections are answered in the stages execution and evaluation."))
    if locked.is_revealed:
        raise ServiceError(
            _("Both sides have already answered this reflection; ask for a new one.")
        )
    if locked.answers.filter(side=side).exists():
        raise ServiceError(
            _("%(side)s has already answered this reflection."),
            params={"side": _side_label_capitalised(side)},
        )
    values = {}
    for key, label in REFLECTION_QUESTIONS:
        values[key] = _score(key, (scores or {}).get(key))
        comment = ((comments or {}).get(key) or "").strip()
        if not comment:
            raise ServiceError(
                _("Add a comment to your answer to “%(question)s”."), params={"question": label}
            )
        values[f"{key}_comment"] = comment
    now = timezone.now()
    answer = ReflectionAnswer.objects.create(
        round=locked, side=side, respondent=actor, answered_at=now, **values
    )
    role = _acting_role(actor, side)
    record_event(
        challenge=challenge,
        code=E.REFLECTION_ANSWERED,
        visibility=V.PARTIES,
        actor=actor,
        actor_role=role,
        # Only who answered: the scores stay hidden until both sides have answered.
        data={"round": locked.pk, "side": side},
    )
    answers = {a.side: a for a in locked.answers.all()}
    if set(answers) == set(Side.values):
        locked.revealed_at = now
        locked.save(update_fields=["revealed_at"])
        record_event(
            challenge=challenge,
            code=E.REFLECTION_REVEALED,
            visibility=V.PARTIES,
            actor=actor,
            actor_role=role,
            data={
                "round": locked.pk,
                "evaluation_date": (
                    locked.evaluation_date.isoformat() if locked.evaluation_date else None
                ),
                "answers": {
                    side_key: {"scores": a.scores(), "comments": a.comments()}
                    for side_key, a in answers.items()
                },
            },
        )
    return answer


def _reflection_trigger(challenge: Challenge, *, today: date, every_days: int):
    """Why the portal should ask this challenge for a reflection now, if it should:
    (trigger, evaluation date or None), or None."""
    from .selectors import agreement_in_force

    version = agreement_in_force(challenge)
    dates = version.evaluation_dates_parsed if version is not None else []
    if dates:
        done = set(
            ReflectionRound.objects.filter(
                challenge=challenge, evaluation_date__isnull=False
            ).values_list("evaluation_date", flat=True)
        )
        due = [d for d in dates if d <= today and d not in done]
        if due:
            return REFLECTION_TRIGGER_EVALUATION_DATE, max(due)
    since = challenge.status_changed_at
    latest = (
        ReflectionRound.objects.filter(challenge=challenge, opened_at__gte=since)
        .aggregate(latest=Max("opened_at"))
        .get("latest")
    )
    if challenge.status == Status.EVALUATION:
        return (REFLECTION_TRIGGER_EVALUATION, None) if latest is None else None
    if any(d > today for d in dates):  # the agreement's next evaluation date is the moment
        return None
    if today - timezone.localdate(latest or since) >= timedelta(days=every_days):
        return REFLECTION_TRIGGER_PERIODIC, None
    return None


def reflections_open_due(*, today: date | None = None, every_days: int | None = None) -> int:
    """Ask both sides to reflect wherever it is time (the daily task); the one
    mechanism by which the portal prompts a reflection:

    - an evaluation date of the agreement in force has come;
    - the challenge entered evaluation and has had no reflection since;
    - in execution once the agreement's evaluation dates are all past, every
      `every_days` days (REFLECTION_PROMPT_DAYS) since the latest reflection was
      asked for (or since execution started), so a long partnership keeps
      reflecting.

    A challenge with a reflection still open is left alone (that one waits for its
    answers). Safe to run twice: each moment opens one reflection.
    """
    today = today or timezone.localdate()
    every_days = settings.REFLECTION_PROMPT_DAYS if every_days is None else every_days
    opened = 0
    open_rounds = ReflectionRound.objects.filter(revealed_at__isnull=True).values("challenge_id")
    for challenge in Challenge.objects.filter(status__in=REFLECTION_STATUSES).exclude(
        pk__in=open_rounds
    ):
        due = _reflection_trigger(challenge, today=today, every_days=every_days)
        if due is None:
            continue
        trigger, evaluation_date = due
        try:
            reflection_open(challenge=challenge, evaluation_date=evaluation_date, trigger=trigger)
        except ServiceError:
            continue
        opened += 1
    return opened


# -- Knots ---------------------------------------------------------------------------------


@transaction.atomic
def knot_raise(
    *, challenge: Challenge, actor, question: str, decision_needed: str, needed_by: date
) -> Knot:
    locked = locked_challenge(challenge)
    side = _require_side(actor, locked)
    _require_open(locked)
    question = _text(question, _("Write the blocking question."))
    decision_needed = _text(decision_needed, _("Describe the decision that is needed."))
    if not isinstance(needed_by, date):
        raise ServiceError(_("Say by which date the decision is needed."))
    if needed_by < timezone.localdate():
        raise ServiceError(_("The date by which the decision is needed cannot be in the past."))
    knot = Knot.objects.create(
        challenge=locked,
        question=question,
        decision_needed=decision_needed,
        needed_by=needed_by,
        raised_by=actor,
        raised_by_side=side,
        raised_at=timezone.now(),
    )
    record_event(
        challenge=locked,
        code=E.KNOT_RAISED,
        visibility=V.PARTIES,
        actor=actor,
        actor_role=_acting_role(actor, side),
        data={
            "knot": knot.pk,
            "question": question,
            "decision_needed": decision_needed,
            "needed_by": needed_by.isoformat(),
            "side": side,
        },
    )
    return knot


@transaction.atomic
def knot_resolve(*, knot: Knot, actor, decision: str) -> Knot:
    challenge = locked_challenge(knot.challenge)
    locked = Knot.objects.select_for_update().get(pk=knot.pk)
    side = _require_side(actor, challenge)
    if locked.status == KnotStatus.RESOLVED:
        raise ServiceError(_("This knot has already been cut."))
    _require_open(challenge)
    decision = _text(decision, _("Write down the decision that cuts the knot."))
    now = timezone.now()
    locked.status = KnotStatus.RESOLVED
    locked.decision = decision
    locked.resolved_by = actor
    locked.resolved_at = now
    locked.save(update_fields=["status", "decision", "resolved_by", "resolved_at"])
    record_event(
        challenge=challenge,
        code=E.KNOT_RESOLVED,
        visibility=V.PARTIES,
        actor=actor,
        actor_role=_acting_role(actor, side),
        data={
            "knot": locked.pk,
            "question": locked.question,
            "decision": decision,
            "needed_by": locked.needed_by.isoformat(),
            "late": timezone.localdate(now) > locked.needed_by,
            "side": side,
        },
    )
    return locked


# -- Messages and documents ----------------------------------------------------------------


@transaction.atomic
def message_post(*, challenge: Challenge, actor, text: str) -> Message:
    locked = locked_challenge(challenge)
    side = _require_side(actor, locked)
    _require_open(locked)
    text = _text(text, _("Write the message first."))
    message = Message.objects.create(
        challenge=locked, author=actor, side=side, text=text, created_at=timezone.now()
    )
    record_event(
        challenge=locked,
        code=E.MESSAGE_POSTED,
        visibility=V.PARTIES,
        actor=actor,
        actor_role=_acting_role(actor, side),
        data={"message": message.pk, "side": side, "excerpt": text[:200]},
    )
    return message


@transaction.atomic
def document_upload(
    *, challenge: Challenge, actor, file, name: str | None = None, description: str = ""
) -> Document:
    """Share a document with the other side: checked by its content, stored under a
    generated name."""
    locked = locked_challenge(challenge)
    side = _require_side(actor, locked)
    _require_open(locked)
    try:
        checked = check_upload(file, name=name if name is not None else file.name, size=file.size)
    except UploadRefused as refusal:
        raise ServiceError(refusal.message) from refusal
    document = Document(
        challenge=locked,
        uploaded_by=actor,
        side=side,
        original_name=checked.name,
        description=(description or "").strip()[:300],
        kind=checked.kind.key,
        content_type=checked.kind.content_type,
        size=checked.size,
        sha256=checked.sha256,
        created_at=timezone.now(),
    )
    file.seek(0)
    document.file.save(checked.name, file, save=False)
    try:
        document.save()
        record_event(
            challenge=locked,
            code=E.DOCUMENT_UPLOADED,
            visibility=V.PARTIES,
            actor=actor,
            actor_role=_acting_role(actor, side),
            data={
                "document": document.pk,
                "name": checked.name,
                "kind": checked.kind.key,
                "size": checked.size,
                "description": document.description,
                "side": side,
            },
        )
    except Exception:
        document.file.delete(save=False)
        raise
    # A transaction rolled back after this point leaves the file without a row: it is
    # never served (downloads go through the row) and has a name nobody can guess.
    return document
