"""Read-only views of the outbox for functional administrators: what is pending,
what failed and why. Rows change only through delivery; nothing is edited here."""

from django.contrib import admin

from .models import Digest, Notification


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "event",
        "recipient",
        "channel",
        "kind",
        "frequency",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "channel", "frequency", "kind"]
    list_select_related = ["event", "recipient"]
    search_fields = ["recipient__email"]
    date_hierarchy = "created_at"
    show_full_result_count = False  # the table grows large; do not count it all


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "frequency", "period_start", "sent_at"]
    list_filter = ["frequency"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__email"]
