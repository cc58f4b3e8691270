"""Assigning the contact person of a side, or handing over to the next one."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import permissions, selectors, services
from ..constants import Side
from ..forms import ContactPersonForm
from ._common import WorkspaceFormPage


class ContactPersonView(WorkspaceFormPage):
    """The first contact person of a side is assigned; a later one is a handover."""

    form_class = ContactPersonForm
    section = "contact-persons"
    success_message = gettext_lazy("The contact person has been recorded.")

    def get_objects(self, *, side, **kwargs):
        if side not in Side.values:
            raise Http404
        self.side = side

    def has_permission(self, user):
        return permissions.can_assign_contact_person(user, self.challenge, self.side)

    @cached_property
    def current(self):
        return selectors.active_contact_persons(self.challenge).get(self.side)

    def get_form_kwargs(self):
        people = selectors.eligible_contact_persons(self.challenge, self.side)
        if self.current is not None:
            people = people.exclude(pk=self.current.user_id)
        return {**super().get_form_kwargs(), "people": people, "handover": self.current is not None}

    def perform(self, form):
        data = form.cleaned_data
        if self.current is not None:
            return services.contact_person_hand_over(
                challenge=self.challenge,
                side=self.side,
                user=data["user"],
                mandate=data["mandate"],
                reason=data["reason"],
                actor=self.request.user,
            )
        return services.contact_person_assign(
            challenge=self.challenge,
            side=self.side,
            user=data["user"],
            mandate=data["mandate"],
            actor=self.request.user,
        )

    def get_page_title(self):
        side_name = Side(self.side).label
        if self.current is not None:
            return _("Hand over the contact person of %(side)s") % {"side": side_name}
        return _("Assign the contact person of %(side)s") % {"side": side_name}

    def get_intro(self):
        if self.current is not None:
            return _(
                "%(name)s is the contact person now. The handover ends that assignment, records "
                "who takes over and why, and tells both sides."
            ) % {"name": self.current.user.name}
        return _(
            "Each side has one fixed contact person with a written mandate: what they may "
            "decide alone."
        )

    def get_submit_label(self):
        return _("Hand over") if self.current is not None else _("Assign")


contact_person = login_required(ContactPersonView.as_view())
