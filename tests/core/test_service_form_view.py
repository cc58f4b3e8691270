"""core.views.ServiceFormView: form -> service -> message -> redirect, and a refusal
shown on the form with nothing changed."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from core.errors import ServiceError
from core.views import ServiceFormView

made: list[str] = []


class NameForm(forms.Form):
    name = forms.CharField()


class MakeView(ServiceFormView):
    form_class = NameForm
    template_name = "partnerships/form_page.html"
    success_message = "Made."
    success_url = "/done/"

    def perform(self, form):
        if form.cleaned_data["name"] == "refused":
            raise ServiceError("The service says no.")
        made.append(form.cleaned_data["name"])
        return form.cleaned_data["name"]


def _request(method: str, data=None):
    request = getattr(RequestFactory(), method)("/make/", data or {})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


@pytest.fixture(autouse=True)
def _clean():
    made.clear()


def test_a_valid_form_calls_the_service_then_says_so_and_redirects():
    request = _request("post", {"name": "park"})
    response = MakeView.as_view()(request)
    assert response.status_code == 302 and response["Location"] == "/done/"
    assert made == ["park"]
    assert [str(m) for m in get_messages(request)] == ["Made."]


def test_a_refusal_is_an_error_of_the_form_and_changes_nothing():
    request = _request("post", {"name": "refused"})
    view = MakeView()
    view.setup(request)
    response = view.post(request)
    assert response.status_code == 200
    form = response.context_data["form"]
    assert form.non_field_errors() == ["The service says no."]
    assert made == []
    assert list(get_messages(request)) == []


def test_an_invalid_form_never_reaches_the_service():
    response = MakeView.as_view()(_request("post", {"name": ""}))
    assert response.status_code == 200
    assert made == []


def test_other_methods_are_not_allowed():
    assert MakeView.as_view()(_request("put")).status_code == 405
    assert MakeView.as_view()(_request("delete")).status_code == 405
