"""Messages and documents in the admin: send a message to the challenger, share a
document (checked by its content), download one."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import services
from ..forms import DocumentForm, MessageForm
from ..models import Document, Message
from ._common import ServiceAdminMixin, _posted, with_challenge


@admin.register(Message)
class MessageAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "challenge", "side", "author")
    list_filter = ("side",)
    search_fields = ("text", "challenge__reference")
    list_select_related = ("challenge", "author")

    def add_view(self, request, form_url="", extra_context=None):
        self._require(request, action="add")
        form = with_challenge(MessageForm)(
            _posted(request), initial=self._initial_challenge(request)
        )
        return self.service_form_view(
            request,
            title=_("Send a message to the challenger"),
            form=form,
            on_valid=lambda data: services.message_post(
                challenge=data["challenge"], actor=request.user, text=data["text"]
            ),
            success_url=self._change_url,
        )


@admin.register(Document)
class DocumentAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ("original_name", "challenge", "side", "kind", "size", "created_at", "download")
    list_filter = ("side", "kind")
    search_fields = ("original_name", "challenge__reference")
    list_select_related = ("challenge",)
    extra_readonly = ("download",)

    @admin.display(description=_("download"))
    def download(self, obj):
        url = reverse(
            "partnerships:document-download", kwargs={"pk": obj.challenge_id, "document_id": obj.pk}
        )
        return format_html('<a href="{}">{}</a>', url, _("download"))

    def add_view(self, request, form_url="", extra_context=None):
        self._require(request, action="add")
        form = with_challenge(DocumentForm)(
            _posted(request), _posted(request, files=True), initial=self._initial_challenge(request)
        )
        return self.service_form_view(
            request,
            title=_("Share a document"),
            form=form,
            multipart=True,
            on_valid=lambda data: services.document_upload(
                challenge=data["challenge"],
                actor=request.user,
                file=data["file"],
                description=data["description"],
            ),
            success_url=self._change_url,
        )
