"""The "My data" pages: what the portal holds about the logged-in person, their
profile, the download of all their data and the deletion of their account.

Thin views: reads through `exporters` and `selectors`, changes through `services`.
Downloads and deletions are written to the security audit log ("rtc.audit") by
account number only.
"""

import logging

from allauth.core import ratelimit
from django.apps import apps
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.errors import ServiceError
from core.views import ServiceFormView

from . import exporters, selectors, services
from .forms import AccountDeleteForm, ProfileForm

audit = logging.getLogger("rtc.audit")


def _account_links() -> list[tuple[str, str]]:
    links = [
        (reverse("account_email"), _("E-mail addresses")),
        (reverse("account_change_password"), _("Change your password")),
    ]
    if apps.is_installed("allauth.mfa"):
        links.append((reverse("mfa_index"), _("Two-factor authentication")))
    return links


@never_cache
@login_required
def my_data(request):
    user = request.user
    form = ProfileForm(
        request.POST or None,
        initial={"display_name": user.display_name, "language": user.language},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(
                user=user,
                display_name=form.cleaned_data["display_name"],
                language=form.cleaned_data["language"],
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your details have been saved."))
            return redirect("privacy:my-data")
    return render(
        request,
        "privacy/my_data.html",
        {
            "form": form,
            "account_links": _account_links(),
            "deletion_refusal": selectors.deletion_refusal(user),
        },
    )


@never_cache
@login_required
@require_GET
def export(request):
    """All the person's data as one JSON file, streamed while it is read."""
    user = request.user
    moment = timezone.now()
    audit.info("data export user=%s", user.pk)
    response = StreamingHttpResponse(
        exporters.stream(user, generated_at=moment),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="my-data-{moment:%Y-%m-%d}.json"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@method_decorator(never_cache, name="dispatch")
class AccountDeleteView(LoginRequiredMixin, ServiceFormView):
    """Delete the account after the password is typed again. Refused (and the form
    not offered) while the person is an active fixed contact person or staff."""

    template_name = "privacy/delete.html"
    form_class = AccountDeleteForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["deletion_refusal"] = selectors.deletion_refusal(self.request.user)
        return context

    def form_valid(self, form):
        # The same limit as allauth's own password checks for a logged-in person.
        if not ratelimit.consume(self.request, action="reauthenticate", user=self.request.user):
            form.add_error(
                None, _("Too many attempts with a wrong password. Wait a minute and try again.")
            )
            return self.form_invalid(form)
        return super().form_valid(form)

    def perform(self, form):
        services.account_delete(user=self.request.user, password=form.cleaned_data["password"])
        logout(self.request)

    def get_success_message(self) -> str:
        return _(
            "Your account has been deleted. Your personal data has been removed from the "
            "portal; the challenges you started stay on the public record without your name."
        )

    def get_success_url(self) -> str:
        return reverse("challenges:home")
