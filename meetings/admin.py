"""Meetings in the admin: a read-only list for the municipality's people. Every
change goes through the meeting pages (and their services), never the admin."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Meeting, MeetingSlot, Minutes


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


class SlotInline(admin.TabularInline):
    model = MeetingSlot
    fields = ("starts_at", "ends_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("kind", "challenge", "status", "starts_at", "proposer_side", "created_at")
    list_filter = ("status", "kind", "proposer_side")
    search_fields = ("challenge__reference", "challenge__title", "place")
    list_select_related = ("challenge",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-pk")
    inlines = [SlotInline]
    exclude = ("uid",)


@admin.register(Minutes)
class MinutesAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "meeting", "challenge_reference", "side", "created_at")
    list_filter = ("side",)
    search_fields = ("original_name", "meeting__challenge__reference")
    list_select_related = ("meeting", "meeting__challenge")
    ordering = ("-created_at", "-pk")
    exclude = ("file",)

    @admin.display(description=_("challenge"))
    def challenge_reference(self, obj):
        return obj.meeting.challenge.reference
