"""Contact persons in the admin: one form that assigns the first contact person of a
side or hands over to the next one."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .. import selectors, services
from ..constants import Side
from ..models import ContactPerson
from ._common import ServiceAdminMixin, _challenge_field, _posted


class ContactPersonAdminForm(forms.Form):
    challenge = _challenge_field()
    side = forms.ChoiceField(label=_("Side"), choices=Side.choices, widget=forms.RadioSelect)
    user = forms.ModelChoiceField(
        label=_("Contact person"),
        queryset=None,
        help_text=_(
            "A reviewer or coordinator for the municipality; a team member for the challenger."
        ),
    )
    mandate = forms.CharField(label=_("Mandate"), widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(
        label=_("Reason for the handover"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the side already has a contact person: it is handed over."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("email")
        )


@admin.register(ContactPerson)
class ContactPersonAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ("challenge", "side", "user", "started_at", "ended_at", "active")
    list_filter = ("side", ("ended_at", admin.EmptyFieldListFilter))
    search_fields = ("challenge__reference", "challenge__title", "user__email")
    list_select_related = ("challenge", "user")

    @admin.display(boolean=True, description=_("active"))
    def active(self, obj):
        return obj.ended_at is None

    def add_view(self, request, form_url="", extra_context=None):
        self._require(request, action="add")
        form = ContactPersonAdminForm(_posted(request), initial=self._initial_challenge(request))

        def on_valid(data):
            current = selectors.active_contact_persons(data["challenge"]).get(data["side"])
            if current is None:
                return services.contact_person_assign(
                    challenge=data["challenge"],
                    side=data["side"],
                    user=data["user"],
                    mandate=data["mandate"],
                    actor=request.user,
                )
            return services.contact_person_hand_over(
                challenge=data["challenge"],
                side=data["side"],
                user=data["user"],
                mandate=data["mandate"],
                reason=data["reason"],
                actor=request.user,
            )

        return self.service_form_view(
            request,
            title=_("Assign or hand over a contact person"),
            form=form,
            on_valid=on_valid,
            success_url=self._change_url,
        )
