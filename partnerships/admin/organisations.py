"""Organisations in the admin: read-only, with their members; a member is added through
the service."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from .. import services
from ..forms import MemberForm
from ..models import Organisation, OrganisationMember
from ._common import ServiceAdminMixin, _posted


class OrganisationMemberInline(admin.TabularInline):
    model = OrganisationMember
    fields = ("user", "role", "added_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ("name", "legal_form", "kvk_number", "created_at")
    list_filter = ("legal_form",)
    search_fields = ("name", "kvk_number")
    inlines = [OrganisationMemberInline]

    def has_add_permission(self, request):
        # Organisations are registered by the challenger team in the workspace.
        return False

    def tools(self, request, obj):
        if not self.has_change_permission(request, obj):
            return []
        return [
            (_("Add a member"), reverse("admin:partnerships_organisation_member", args=[obj.pk]))
        ]

    def get_urls(self):
        return [
            path(
                "<int:pk>/member/",
                self.admin_site.admin_view(self.member_view),
                name="partnerships_organisation_member",
            ),
        ] + super().get_urls()

    def member_view(self, request, pk):
        organisation = get_object_or_404(Organisation, pk=pk)
        self._require(request, organisation)
        people = get_user_model().objects.filter(is_active=True).order_by("email")
        form = MemberForm(_posted(request), people=people)
        return self.service_form_view(
            request,
            title=_("Add a member to %(name)s") % {"name": organisation.name},
            form=form,
            obj=organisation,
            on_valid=lambda data: services.organisation_add_member(
                organisation=organisation, actor=request.user, **data
            ),
            success_url=self._change_url(organisation),
        )
