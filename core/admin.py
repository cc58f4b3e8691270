"""Admin pieces shared by every app."""

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList


class _BoundedDateChangeList(ChangeList):
    def get_filters(self, request):
        # The date hierarchy turns ?<field>__year=9999 (or year 0, month 13) into a
        # datetime and fails outside what Python can hold. Such a link is refused the
        # way the admin refuses any unknown filter: back to the list with a notice.
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


class BoundedDateHierarchyMixin:
    """For a ModelAdmin with a date_hierarchy: out-of-range dates in the URL give the
    admin's "invalid filter" answer instead of a server error."""

    def get_changelist(self, request, **kwargs):
        return _BoundedDateChangeList
