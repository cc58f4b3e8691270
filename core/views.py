"""One way for a form to ask a service for a change.

The form is valid -> the service is called -> a success message -> a redirect. When
the service refuses (`ServiceError`), its message becomes an error of the whole form
and the page is shown again; a refusal has changed nothing. The public pages, the
workspace and the admin's own form pages all go through `ServiceFormMixin`, so a
refusal reads the same wherever it happens.

Django only, like the rest of `core`: the views that use it live in the apps.
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.views.generic import FormView

from .errors import ServiceError


class ServiceFormMixin:
    """For a `FormView` whose valid form is handed to a service.

    A subclass gives `perform(form)`, which calls the service and returns what it
    made (kept as `self.result`, for `get_success_message` and `get_success_url`),
    and a `success_message` (empty: none). `form_invalid` decides what a refusal
    looks like: by default the page with the form again.
    """

    success_message = ""
    result = None

    def perform(self, form):
        raise NotImplementedError(f"{type(self).__name__} must say which service it calls.")

    def get_success_message(self) -> str:
        return self.success_message

    def form_valid(self, form):
        try:
            self.result = self.perform(form)
        except ServiceError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        message = self.get_success_message()
        if message:
            messages.success(self.request, message)
        return HttpResponseRedirect(self.get_success_url())


class ServiceFormView(ServiceFormMixin, FormView):
    """A page with one form whose change a service makes. It answers GET (and HEAD)
    and POST; any other method gets 405 (a `FormView` would treat PUT as POST)."""

    http_method_names = ["get", "post", "head", "options"]
