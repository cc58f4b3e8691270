"""Knots in the admin: the open ones first, needed first on top; raise one, cut one."""

from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from .. import services
from ..constants import KnotStatus
from ..forms import KnotForm, KnotResolveForm
from ..models import Knot
from ._common import ServiceAdminMixin, _posted, with_challenge


class OpenFirstFilter(admin.SimpleListFilter):
    """Open knots by default: the coordinator's list."""

    title = _("status")
    parameter_name = "knot_status"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("resolved", _("Cut")), ("all", _("All"))]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or "open") == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "open":
            return queryset.filter(status=KnotStatus.OPEN)
        if value == "resolved":
            return queryset.filter(status=KnotStatus.RESOLVED)
        return queryset


@admin.register(Knot)
class KnotAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ("needed_by", "question", "challenge", "raised_by_side", "status", "overdue")
    list_filter = (OpenFirstFilter, "raised_by_side")
    search_fields = ("question", "challenge__reference", "challenge__title")
    list_select_related = ("challenge",)
    ordering = ("needed_by", "raised_at", "pk")

    @admin.display(boolean=True, description=_("overdue"))
    def overdue(self, obj):
        return obj.is_overdue

    def add_view(self, request, form_url="", extra_context=None):
        self._require(request, action="add")
        form = with_challenge(KnotForm)(_posted(request), initial=self._initial_challenge(request))

        def on_valid(data):
            data = dict(data)
            return services.knot_raise(challenge=data.pop("challenge"), actor=request.user, **data)

        return self.service_form_view(
            request,
            title=_("Raise a knot"),
            form=form,
            on_valid=on_valid,
            success_url=self._change_url,
        )

    def tools(self, request, obj):
        if obj.status != KnotStatus.OPEN or not self.has_change_permission(request, obj):
            return []
        return [(_("Cut the knot"), reverse("admin:partnerships_knot_resolve", args=[obj.pk]))]

    def get_urls(self):
        return [
            path(
                "<int:pk>/resolve/",
                self.admin_site.admin_view(self.resolve_view),
                name="partnerships_knot_resolve",
            )
        ] + super().get_urls()

    def resolve_view(self, request, pk):
        knot = get_object_or_404(Knot, pk=pk)
        self._require(request, knot)
        form = KnotResolveForm(_posted(request))
        return self.service_form_view(
            request,
            title=_("Cut the knot “%(question)s”") % {"question": knot.question},
            form=form,
            obj=knot,
            on_valid=lambda data: services.knot_resolve(
                knot=knot, actor=request.user, decision=data["decision"]
            ),
            success_url=self._change_url(knot),
        )
