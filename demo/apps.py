from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data: the top layer, driving every app's services (never imported)."""

    name = "demo"
    verbose_name = _("Demo data")
