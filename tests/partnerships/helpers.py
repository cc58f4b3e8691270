"""Helpers shared by the partnership tests (imported as `tests.partnerships.helpers`,
like the factories): a refusal's message in English, the timeline events of one code,
the URL of a workspace page."""

from django.urls import reverse
from django.utils import translation

from challenges.services import ServiceError


def message(error: ServiceError) -> str:
    with translation.override("en"):
        return " ".join(error.messages)


def events(challenge, code):
    return list(challenge.events.filter(code=code).order_by("pk"))


def url(name, challenge, **kwargs):
    return reverse(f"partnerships:{name}", kwargs={"pk": challenge.pk, **kwargs})
