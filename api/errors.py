"""Answers of the API for addresses it does not have: JSON, like every other answer."""

from django.http import JsonResponse
from django.utils.translation import gettext as _


def not_found(request, *args, **kwargs):
    response = JsonResponse({"detail": _("Not found.")}, status=404)
    response["Access-Control-Allow-Origin"] = "*"
    return response
