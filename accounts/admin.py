from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import mfa
from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("email", "display_name", "is_staff", "is_active", "language")
    search_fields = ("email", "display_name", "first_name", "last_name")
    ordering = ("email",)
    fieldsets = BaseUserAdmin.fieldsets + ((_("Portal"), {"fields": ("display_name", "language")}),)


# allauth's own admin for the second factor shows each authenticator's data, the TOTP
# secret included: anybody who may view it could make that person's codes. This one
# shows who has which kind since when, and lets a functional administrator remove it
# (a colleague lost their phone); removal is audited like `manage.py mfa_reset`.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    search_fields = ("user__email", "user__display_name")
    list_select_related = ("user",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        self.delete_queryset(request, Authenticator.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        # Removing the app leaves no recovery codes behind (they stand in for it).
        users = {a.user for a in queryset.select_related("user")}
        queryset.delete()
        for user in users:
            if not mfa.has_second_factor(user):
                Authenticator.objects.filter(
                    user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES
                ).delete()
            mfa.audit.warning("mfa removed in admin user=%s by=%s", user.pk, request.user.pk)
