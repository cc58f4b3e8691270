"""Assigning the contact person of a side, or handing over to the next one."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from core.errors import ServiceError

from .. import permissions, selectors, services
from ..constants import Side
from ..forms import ContactPersonForm
from ._common import _form_page, _url, _workspace_challenge


@login_required
def contact_person(request, pk, side):
    challenge = _workspace_challenge(request, pk)
    if side not in Side.values:
        raise Http404
    if not permissions.can_assign_contact_person(request.user, challenge, side):
        raise PermissionDenied
    current = selectors.active_contact_persons(challenge).get(side)
    handover = current is not None
    people = selectors.eligible_contact_persons(challenge, side)
    if current is not None:
        people = people.exclude(pk=current.user_id)
    form = ContactPersonForm(
        request.POST if request.method == "POST" else None, people=people, handover=handover
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if handover:
                services.contact_person_hand_over(
                    challenge=challenge,
                    side=side,
                    user=data["user"],
                    mandate=data["mandate"],
                    reason=data["reason"],
                    actor=request.user,
                )
            else:
                services.contact_person_assign(
                    challenge=challenge,
                    side=side,
                    user=data["user"],
                    mandate=data["mandate"],
                    actor=request.user,
                )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("The contact person has been recorded."))
            return redirect(_url(challenge, "contact-persons"))
    side_name = Side(side).label
    if handover:
        title = _("Hand over the contact person of %(side)s") % {"side": side_name}
        intro = _(
            "%(name)s is the contact person now. The handover ends that assignment, records "
            "who takes over and why, and tells both sides."
        ) % {"name": current.user.name}
    else:
        title = _("Assign the contact person of %(side)s") % {"side": side_name}
        intro = _(
            "Each side has one fixed contact person with a written mandate: what they may "
            "decide alone."
        )
    return _form_page(
        request,
        challenge,
        form,
        title=title,
        intro=intro,
        submit=_("Hand over") if handover else _("Assign"),
        back=_url(challenge, "contact-persons"),
    )
