"""One way for a form to ask a service for a change.

The form is valid -> the service is called -> a success message -> a redirect. When
the service refuses (`ServiceError`), its message becomes an error of the whole form
and the page is shown again; a refusal has changed nothing. The public pages, the
workspace and the admin's own form pages all go through `ServiceFormMixin`, so a
refusal reads the same wherever it happens.

Django only, like the rest of `core`: the views that use it live in the apps.
"""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseRedirect
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


def as_download(response):
    """Headers of every file the portal hands out (an upload, a calendar file): never
    rendered by the browser, never guessed, never framed or cached for others."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def stored_file_response(stored, *, filename: str, content_type: str) -> FileResponse:
    """An uploaded file (a `FieldFile`) as a download under its original name; 404 when
    the file is gone from the storage."""
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return as_download(
        FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    )


class UploadFormMixin:
    """For a view whose form checks its file by content (`core.forms.CheckedUploadMixin`):
    the form gets the request (the names the browser sent, the files the upload handler
    turned away), and a refused file is answered with 400, the page and its errors."""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "POST":
            kwargs["request"] = self.request
        return kwargs

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response
