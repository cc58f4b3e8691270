"""What the workspace pages share: the challenge, looked up and access-checked (an
outsider gets 404), the workspace URL with an anchor, and the plain form page."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from challenges.models import Challenge

from .. import permissions


def _workspace_challenge(request, pk) -> Challenge:
    challenge = get_object_or_404(
        Challenge.objects.select_related("task", "neighbourhood", "initiator"), pk=pk
    )
    if not permissions.can_view_workspace(request.user, challenge):
        raise Http404
    return challenge


def _url(challenge, anchor: str = "") -> str:
    url = reverse("partnerships:workspace", kwargs={"pk": challenge.pk})
    return f"{url}#{anchor}" if anchor else url


def _form_page(request, challenge, form, *, title, submit, back, intro="", **extra):
    return render(
        request,
        "partnerships/form_page.html",
        {
            "challenge": challenge,
            "form": form,
            "page_title": title,
            "intro": intro,
            "submit_label": submit,
            "back_url": back,
            **extra,
        },
    )
