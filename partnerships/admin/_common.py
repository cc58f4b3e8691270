"""What every partnership admin shares: read-only records whose changes are small
forms that call a service (`ServiceFormMixin.service_form_view`), and a challenge to
choose first when adding from the admin."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from challenges.constants import Status
from challenges.models import Challenge
from core.errors import ServiceError


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


class ServiceFormMixin:
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
        if request.method == "POST" and form.is_valid():
            try:
                result = on_valid(form.cleaned_data)
            except ServiceError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, _("Done."), messages.SUCCESS)
                return redirect(success_url(result) if callable(success_url) else success_url)
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "opts": self.model._meta,
            "original": obj,
            "multipart": multipart,
        }
        return render(request, "admin/partnerships/service_form.html", context)

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
