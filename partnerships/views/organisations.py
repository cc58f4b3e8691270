"""The organisation page: register the organisation the challenge is submitted on
behalf of, and add members to it."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from .. import permissions, selectors, services
from ..constants import Side
from ..forms import MemberForm, OrganisationForm
from ._common import WorkspaceServiceView


class OrganisationView(WorkspaceServiceView):
    """Two forms on one page; the button pressed says which one was sent: `register`
    (register the organisation and link it) or `add_member` (once there is one)."""

    template_name = "partnerships/organisation.html"
    section = "organisation"
    section_page = True

    @cached_property
    def partnership(self):
        return selectors.partnership_of(self.challenge)

    @cached_property
    def organisation(self):
        partnership = self.partnership
        return partnership.organisation if partnership and partnership.organisation else None

    @cached_property
    def members(self):
        return self.organisation.members.all() if self.organisation else []

    @cached_property
    def people(self):
        member_ids = {m.user_id for m in self.members}
        return selectors.eligible_contact_persons(self.challenge, Side.CHALLENGER).exclude(
            pk__in=member_ids
        )

    def post(self, request, *args, **kwargs):
        if not permissions.can_manage_organisation(request.user, self.challenge):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def get_form(self, form_class=None):
        """The form that was sent; when none was, the registration form, empty."""
        if self.request.method == "POST":
            if "register" in self.request.POST:
                return OrganisationForm(self.request.POST, prefix="new")
            if "add_member" in self.request.POST and self.organisation:
                return MemberForm(self.request.POST, prefix="member", people=self.people)
        return OrganisationForm(prefix="new")

    def perform(self, form):
        data = form.cleaned_data
        if isinstance(form, OrganisationForm):
            return services.partnership_register_organisation(
                challenge=self.challenge,
                actor=self.request.user,
                name=data["name"],
                legal_form=data["legal_form"],
                kvk_number=data["kvk_number"],
                role=data["role"],
            )
        return services.organisation_add_member(
            organisation=self.organisation,
            actor=self.request.user,
            user=data["user"],
            role=data["role"],
        )

    def get_success_message(self):
        if "register" in self.request.POST:
            return _("The organisation is registered and linked.")
        return _("The member has been added.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sent = context["form"]
        if isinstance(sent, OrganisationForm):
            register_form, member_form = sent, MemberForm(prefix="member", people=self.people)
        else:
            register_form, member_form = OrganisationForm(prefix="new"), sent
        return {
            **context,
            "partnership": self.partnership,
            "members": self.members,
            "team": list(selectors.eligible_contact_persons(self.challenge, Side.CHALLENGER)),
            "can_manage": permissions.can_manage_organisation(self.request.user, self.challenge),
            "register_form": register_form,
            "member_form": member_form if self.organisation else None,
            "form": register_form if register_form.is_bound else member_form,
        }


organisation = login_required(OrganisationView.as_view())
