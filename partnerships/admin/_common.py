"""What every partnership admin shares: read-only records whose changes are small
forms that call a service (`ServiceAdminMixin.service_form_view`, a `ServiceFormPage`),
and a challenge to choose first when adding from the admin."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from challenges.constants import Status
from challenges.models import Challenge
from core.views import ServiceFormView


def _posted(request, files=False):
    """The submitted data of a POST (even when empty), None for a GET."""
    if request.method != "POST":
        return None
    return request.FILES if files else request.POST


class ChallengeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.reference} {obj.title}"


def _challenge_field():
    return ChallengeChoiceField(
        label=_("Challenge"),
        queryset=Challenge.objects.exclude(status=Status.DRAFT).order_by("-submitted_at"),
        empty_label=_("Choose a challenge"),
    )


def with_challenge(form_class):
    """The form, with a challenge to choose first (for adding from the admin)."""
    return type(
        f"Challenge{form_class.__name__}",
        (form_class,),
        {"challenge": _challenge_field(), "field_order": ["challenge"]},
    )


class ServiceFormPage(ServiceFormView):
    """The admin page of one change to a partnership record (`core.views`: form ->
    service -> "Done." -> back to the record; a refusal shown on the form). A
    `ServiceAdminMixin` view builds the form and says which service to call."""

    template_name = "admin/partnerships/service_form.html"
    success_message = _("Done.")
    model_admin = None
    title = ""
    form = None
    on_valid = None
    obj = None
    multipart = False

    def get_form(self, form_class=None):
        return self.form

    def perform(self, form):
        return self.on_valid(form.cleaned_data)

    def get_success_url(self):
        return self.success_url(self.result) if callable(self.success_url) else self.success_url

    def get_context_data(self, **kwargs):
        return {
            **self.model_admin.admin_site.each_context(self.request),
            **super().get_context_data(**kwargs),
            "title": self.title,
            "opts": self.model_admin.model._meta,
            "original": self.obj,
            "multipart": self.multipart,
        }


class ServiceAdminMixin:
    """Read-only records; changes through small forms that call a service."""

    change_form_template = "admin/partnerships/change_form.html"

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + list(self.extra_readonly)

    extra_readonly: tuple = ()

    def save_model(self, request, obj, form, change):
        """Nothing is saved by the admin itself; the services do that."""

    def tools(self, request, obj) -> list[tuple[str, str]]:
        """(label, url) of the actions offered on a record's page."""
        return []

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = {**(extra_context or {}), "tools": self.tools(request, obj) if obj else []}
        return super().change_view(request, object_id, form_url, extra_context)

    def service_form_view(
        self, request, *, title, form, on_valid, success_url, obj=None, multipart=False
    ):
        """The page of one change: `form` (built by the caller), `on_valid(cleaned_data)`
        calls the service, then "Done." and `success_url` (or `success_url(result)`)."""
        return ServiceFormPage.as_view(
            model_admin=self,
            title=title,
            form=form,
            on_valid=on_valid,
            success_url=success_url,
            obj=obj,
            multipart=multipart,
        )(request)

    def _change_url(self, obj) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])

    def _initial_challenge(self, request) -> dict:
        pk = request.GET.get("challenge")
        return {"challenge": pk} if pk and pk.isdigit() else {}

    def _require(self, request, obj=None, action="change"):
        checks = {
            "add": self.has_add_permission(request),
            "change": self.has_change_permission(request, obj),
        }
        if not checks[action]:
            raise PermissionDenied
