"""The agreement between the parties: one draft that changes until it is proposed;
a proposed version is frozen with a digest of its content, both contact persons sign
exactly that digest, and the version signed by both is in force. A change is a new
version that supersedes the one on the table."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.constants import Status
from challenges.models import Challenge
from challenges.services import locked_challenge
from challenges.timeline import record_event
from core.errors import ServiceError
from core.text import join_lazy

from .. import permissions
from ..constants import ReportingRhythm, Side, VersionStatus
from ..models import CONTENT_FIELDS, AgreementSignature, AgreementVersion, ContactPerson
from ._common import E, V, _acting_role, _require_side, _side_label_capitalised


def _side_label(side: str):
    return Side(side).label


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
