from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The read-only API with its OpenAPI description."""

    name = "api"
    verbose_name = _("API")
