from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """The coordinator's dashboard, the public statistics and the open data."""

    name = "insights"
    verbose_name = _("Insights")
