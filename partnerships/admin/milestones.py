"""Milestones in the admin: add one, update its status or due date."""

from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from .. import services
from ..forms import MilestoneForm, MilestoneUpdateForm
from ..models import Milestone
from ._common import ServiceAdminMixin, _posted, with_challenge


@admin.register(Milestone)
class MilestoneAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ("title", "challenge", "owner_side", "due_date", "status", "is_public")
    list_filter = ("status", "owner_side", "is_public")
    search_fields = ("title", "challenge__reference", "challenge__title")
    list_select_related = ("challenge",)

    def add_view(self, request, form_url="", extra_context=None):
        self._require(request, action="add")
        form = with_challenge(MilestoneForm)(
            _posted(request), initial=self._initial_challenge(request)
        )

        def on_valid(data):
            data = dict(data)
            return services.milestone_create(
                challenge=data.pop("challenge"), actor=request.user, **data
            )

        return self.service_form_view(
            request,
            title=_("Add a milestone"),
            form=form,
            on_valid=on_valid,
            success_url=self._change_url,
        )

    def tools(self, request, obj):
        if not self.has_change_permission(request, obj):
            return []
        return [
            (
                _("Update status or due date"),
                reverse("admin:partnerships_milestone_update", args=[obj.pk]),
            )
        ]

    def get_urls(self):
        return [
            path(
                "<int:pk>/update/",
                self.admin_site.admin_view(self.update_view),
                name="partnerships_milestone_update",
            )
        ] + super().get_urls()

    def update_view(self, request, pk):
        milestone = get_object_or_404(Milestone, pk=pk)
        self._require(request, milestone)
        form = MilestoneUpdateForm(
            _posted(request),
            initial={"status": milestone.status, "due_date": milestone.due_date},
        )
        return self.service_form_view(
            request,
            title=_("Update milestone “%(title)s”") % {"title": milestone.title},
            form=form,
            obj=milestone,
            on_valid=lambda data: services.milestone_update(
                milestone=milestone, actor=request.user, **data
            ),
            success_url=self._change_url,
        )
