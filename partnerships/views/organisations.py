"""The organisation page: register the organisation the challenge is submitted on
behalf of, and add members to it."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import ServiceError

from .. import permissions, selectors, services
from ..constants import Side
from ..forms import MemberForm, OrganisationForm
from ._common import _url, _workspace_challenge


@login_required
def organisation(request, pk):
    challenge = _workspace_challenge(request, pk)
    partnership = selectors.partnership_of(challenge)
    can_manage = permissions.can_manage_organisation(request.user, challenge)
    register_form = OrganisationForm(prefix="new")
    members = (
        partnership.organisation.members.all() if partnership and partnership.organisation else []
    )
    member_ids = {m.user_id for m in members}
    team = [m for m in selectors.eligible_contact_persons(challenge, Side.CHALLENGER)]
    people = selectors.eligible_contact_persons(challenge, Side.CHALLENGER).exclude(
        pk__in=member_ids
    )
    member_form = MemberForm(prefix="member", people=people)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        try:
            if "register" in request.POST:
                register_form = OrganisationForm(request.POST, prefix="new")
                if register_form.is_valid():
                    data = register_form.cleaned_data
                    services.partnership_register_organisation(
                        challenge=challenge,
                        actor=request.user,
                        name=data["name"],
                        legal_form=data["legal_form"],
                        kvk_number=data["kvk_number"],
                        role=data["role"],
                    )
                    flash.success(request, _("The organisation is registered and linked."))
                    return redirect(_url(challenge, "organisation"))
            elif "add_member" in request.POST and partnership and partnership.organisation:
                member_form = MemberForm(request.POST, prefix="member", people=people)
                if member_form.is_valid():
                    services.organisation_add_member(
                        organisation=partnership.organisation,
                        actor=request.user,
                        user=member_form.cleaned_data["user"],
                        role=member_form.cleaned_data["role"],
                    )
                    flash.success(request, _("The member has been added."))
                    return redirect(_url(challenge, "organisation"))
        except ServiceError as error:
            target = register_form if "register" in request.POST else member_form
            target.add_error(None, error)
    return render(
        request,
        "partnerships/organisation.html",
        {
            "challenge": challenge,
            "partnership": partnership,
            "members": members,
            "team": team,
            "can_manage": can_manage,
            "register_form": register_form,
            "member_form": member_form if partnership and partnership.organisation else None,
            "form": register_form if register_form.is_bound else member_form,
        },
    )
