"""Agreement versions in the admin, with their signatures and what changed since the
previous version: draft, edit the draft, propose, and sign for the municipality."""

from django import forms
from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from .. import selectors, services
from ..constants import VersionStatus
from ..forms import AgreementForm, SignForm
from ..models import AgreementSignature, AgreementVersion
from ._common import ServiceAdminMixin, _posted, with_challenge


class SignatureInline(admin.TabularInline):
    model = AgreementSignature
    fields = ("side", "signer", "signed_at", "digest")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AgreementVersion)
class AgreementVersionAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ("challenge", "number", "status", "proposed_at", "in_force_at")
    list_filter = ("status",)
    search_fields = ("challenge__reference", "challenge__title")
    list_select_related = ("challenge",)
    inlines = [SignatureInline]
    extra_readonly = ("changes",)

    @admin.display(description=_("changes since the previous version"))
    def changes(self, obj):
        previous = selectors.previous_version(obj)
        if previous is None:
            return "–"
        rows = selectors.version_changes(previous, obj)
        return format_html_join(
            "", "<p><strong>{}</strong>: {} → {}</p>", ((c.label, c.old, c.new) for c in rows)
        ) or _("No changes.")

    def add_view(self, request, form_url="", extra_context=None):
        self._require(request, action="add")
        form = with_challenge(AgreementForm)(
            _posted(request), initial=self._initial_challenge(request)
        )

        def on_valid(data):
            data = dict(data)
            return services.agreement_save_draft(
                challenge=data.pop("challenge"), actor=request.user, data=data
            )

        return self.service_form_view(
            request,
            title=_("Draft an agreement version"),
            form=form,
            on_valid=on_valid,
            success_url=self._change_url,
        )

    def tools(self, request, obj):
        if not self.has_change_permission(request, obj):
            return []
        tools = []
        if obj.status == VersionStatus.DRAFT:
            tools.append(
                (_("Edit the draft"), reverse("admin:partnerships_version_edit", args=[obj.pk]))
            )
            tools.append(
                (_("Propose"), reverse("admin:partnerships_version_propose", args=[obj.pk]))
            )
        if obj.status == VersionStatus.PROPOSED:
            tools.append(
                (
                    _("Sign for the municipality"),
                    reverse("admin:partnerships_version_sign", args=[obj.pk]),
                )
            )
        return tools

    def get_urls(self):
        own = [
            path(
                "<int:pk>/edit/",
                self.admin_site.admin_view(self.edit_view),
                name="partnerships_version_edit",
            ),
            path(
                "<int:pk>/propose/",
                self.admin_site.admin_view(self.propose_view),
                name="partnerships_version_propose",
            ),
            path(
                "<int:pk>/sign/",
                self.admin_site.admin_view(self.sign_view),
                name="partnerships_version_sign",
            ),
        ]
        return own + super().get_urls()

    def edit_view(self, request, pk):
        version = get_object_or_404(AgreementVersion, pk=pk)
        self._require(request, version)
        form = AgreementForm(_posted(request), initial=AgreementForm.initial_from(version))
        return self.service_form_view(
            request,
            title=_("Edit draft version %(number)s") % {"number": version.number},
            form=form,
            obj=version,
            on_valid=lambda data: services.agreement_save_draft(
                challenge=version.challenge, actor=request.user, data=data
            ),
            success_url=self._change_url,
        )

    def propose_view(self, request, pk):
        version = get_object_or_404(AgreementVersion, pk=pk)
        self._require(request, version)
        form = forms.Form(_posted(request))
        return self.service_form_view(
            request,
            title=_("Propose version %(number)s? It cannot be changed afterwards.")
            % {"number": version.number},
            form=form,
            obj=version,
            on_valid=lambda data: services.agreement_propose(version=version, actor=request.user),
            success_url=self._change_url,
        )

    def sign_view(self, request, pk):
        version = get_object_or_404(AgreementVersion, pk=pk)
        self._require(request, version)
        form = SignForm(_posted(request), initial={"digest": version.digest})
        return self.service_form_view(
            request,
            title=_("Sign version %(number)s for the municipality") % {"number": version.number},
            form=form,
            obj=version,
            on_valid=lambda data: services.agreement_sign(
                version=version, actor=request.user, digest=data["digest"]
            ),
            success_url=self._change_url(version),
        )
