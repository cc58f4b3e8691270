"""The fixed contact person of each side: the first assignment, and every later change
as a handover with its reason. One active contact person per side (the database
holds to that too)."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.models import Challenge
from challenges.services import locked_challenge
from challenges.timeline import record_event
from core.errors import ServiceError

from .. import permissions
from ..constants import Side
from ..models import ContactPerson
from ._common import E, V, _acting_role, _require_open, _side_label_capitalised, _text


def _name(user) -> str:
    # Stored in event data: no sentence, so "" when the account has been deleted.
    return user.name if user is not None else ""


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
