from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    """The neighbourhood around a challenge: support and public questions."""

    name = "community"
    verbose_name = _("Community")
