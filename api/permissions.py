"""Who may do what with the API: anyone may read, nobody may write."""

from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission


class ReadOnly(BasePermission):
    """GET, HEAD and OPTIONS for everyone, logged in or not. Any other method is
    answered 405 (with the Allow header), not 403: it does not exist here at all."""

    def has_permission(self, request, view) -> bool:
        if request.method not in SAFE_METHODS:
            raise exceptions.MethodNotAllowed(request.method)
        return True
