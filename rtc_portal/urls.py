from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from core.admin import harden_change_lists
from notifications import health as notifications_health

from . import statements, theme

# The admin login goes through allauth, so its rate limits (and later MFA) apply.
admin.site.login = secure_admin_login(admin.site.login)
# An impossible filter in a change list's URL is the admin's notice, not a 500.
harden_change_lists(admin.site)
admin.site.site_header = _("Right to Challenge: municipality")
admin.site.site_title = _("Right to Challenge")
admin.site.index_title = _("Review and manage challenges")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # The language switch is in every page header. It takes no CSRF token, so that
    # an anonymous page holds nothing personal and can be served from the page
    # cache (challenges/page_cache.py); a forged switch changes only a language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("privacy/", statements.privacy, name="privacy-statement"),
    path("accessibility/", statements.accessibility, name="accessibility-statement"),
    path("contact/", statements.contact, name="contact"),
    # The municipality's colour as design tokens (no inline style under the CSP).
    path("theme.css", theme.theme_css, name="theme-css"),
    path("notifications/", include("notifications.urls")),
    # No login: one word for anyone, details with HEALTH_TOKEN or for staff.
    path("health/", notifications_health.health, name="health"),
    path("my-data/", include("privacy.urls")),
    path("api/", include("api.urls")),
    path("", include("insights.urls")),
    path("", include("community.urls")),
    path("", include("meetings.urls")),
    path("", include("partnerships.urls")),
    path("", include("challenges.urls")),
]
