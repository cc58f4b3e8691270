"""The organisation a challenge is submitted on behalf of: registered with its KvK
number (format checked), its members, and linked to the challenge."""

import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.constants import LegalForm, Role
from challenges.models import Challenge
from challenges.permissions import is_municipality
from challenges.selectors import team_members
from challenges.services import locked_challenge
from challenges.timeline import record_event
from core.errors import ServiceError

from .. import permissions
from ..constants import MemberRole
from ..models import Organisation, OrganisationMember, Partnership
from ._common import E, V, _require_open, _text

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
