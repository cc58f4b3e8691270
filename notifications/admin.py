"""Views of the outbox for functional administrators: what is pending, what failed
and why, and the mail server's outages. Rows change only through delivery, and
through one action: "Send again" for failed e-mail (`services.notifications_retry`,
audit-logged). Both changelists open with the delivery health
(`selectors.delivery_health`): "E-mail cannot be delivered since 10:42: the mail server is
unreachable or refuses it for now. 1,049 e-mails waiting"."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from challenges.constants import Status
from core.errors import ServiceError

from . import selectors, services
from .models import DeliveryOutage, Digest, Notification


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HealthSummaryMixin:
    """Puts the delivery health above the changelist (the template shows it)."""

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "delivery_health": selectors.delivery_health()}
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(Notification)
class NotificationAdmin(HealthSummaryMixin, ReadOnlyAdmin):
    def get_queryset(self, request):
        # A draft belongs to its team: its events' messages (an invitation to the
        # team, with the invitee's address) are not shown, as in the challenge admin.
        # The delivery health above the list still counts them.
        return super().get_queryset(request).exclude(event__challenge__status=Status.DRAFT)

    list_display = [
        "pk",
        "event",
        "recipient",
        "address",
        "channel",
        "kind",
        "frequency",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "channel", "frequency", "kind"]
    list_select_related = ["event", "recipient"]
    search_fields = ["recipient__email", "address"]
    date_hierarchy = "created_at"
    show_full_result_count = False  # the table grows large; do not count it all
    actions = ["retry"]

    def has_retry_permission(self, request) -> bool:
        return services.can_retry_deliveries(request.user)

    @admin.action(description=_("Send the selected failed e-mails again"), permissions=["retry"])
    def retry(self, request, queryset):
        try:
            count = services.notifications_retry(
                ids=queryset.values_list("pk", flat=True), actor=request.user
            )
        except ServiceError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        if count:
            self.message_user(
                request,
                ngettext(
                    "%(count)d e-mail is back in the outbox and will be sent again.",
                    "%(count)d e-mails are back in the outbox and will be sent again.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request, _("None of the selected e-mails had failed."), messages.WARNING
            )


@admin.register(DeliveryOutage)
class DeliveryOutageAdmin(HealthSummaryMixin, ReadOnlyAdmin):
    list_display = ["started_at", "ended_at", "attempts", "last_failure_at", "last_error"]
    date_hierarchy = "started_at"


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "frequency", "period_start", "sent_at"]
    list_filter = ["frequency"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__email"]
