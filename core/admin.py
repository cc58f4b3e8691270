"""Admin pieces shared by every app."""

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.db import DatabaseError, transaction


class SafeChangeList(ChangeList):
    """A change list that answers an impossible filter in its URL the way the admin
    answers an unknown one (back to the list with a notice), not with a server error.

    The date hierarchy turns ?<field>__year=9999 (or year 0, month 13) into a datetime
    and fails outside what Python can hold; a filter on a number too large for the
    database column fails only when the list is counted.
    """

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error

    def get_results(self, request):
        try:
            # A savepoint: on PostgreSQL a failed query would spoil the transaction.
            with transaction.atomic():
                return super().get_results(request)
        except (ValueError, OverflowError, DatabaseError) as error:
            raise IncorrectLookupParameters(error) from error


def harden_change_lists(site) -> None:
    """Every change list of `site` refuses impossible filters with the admin's notice."""
    for model_admin in site._registry.values():
        if model_admin.get_changelist(None) is ChangeList:
            model_admin.get_changelist = lambda request, **kwargs: SafeChangeList
