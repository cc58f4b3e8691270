from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

# The admin login goes through allauth, so its rate limits (and later MFA) apply.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("Right to Challenge: municipality")
admin.site.site_title = _("Right to Challenge")
admin.site.index_title = _("Review and manage challenges")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("notifications/", include("notifications.urls")),
    path("", include("partnerships.urls")),
    path("", include("challenges.urls")),
]
