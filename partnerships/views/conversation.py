"""The workspace's conversation: sending a message, sharing a document (checked by its
content) and downloading one (an attachment, for the parties only). The pages that
show them are in `sections`."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from core.views import UploadFormMixin, stored_file_response

from .. import permissions, services
from ..forms import DocumentForm, MessageForm
from ..models import Document
from ..uploads import RawNameUploadHandler
from ._common import WorkspaceFormPage, _workspace_challenge

# -- Messages and documents ----------------------------------------------------------------


class MessageNewView(WorkspaceFormPage):
    form_class = MessageForm
    section = "messages"
    page_title = gettext_lazy("Send a message")
    submit_label = gettext_lazy("Send message")
    success_message = gettext_lazy("Your message has been sent.")

    def has_permission(self, user):
        return permissions.can_work_in_workspace(user, self.challenge)

    def perform(self, form):
        return services.message_post(
            challenge=self.challenge, actor=self.request.user, text=form.cleaned_data["text"]
        )


message_new = login_required(MessageNewView.as_view())


@csrf_exempt
def document_upload(request, pk):
    # The upload handlers must be in place before anything reads the request body,
    # and the CSRF check reads it: so the check runs inside, after this.
    if request.method == "POST":
        request.upload_handlers.insert(0, RawNameUploadHandler(request))
    return _document_upload(request, pk=pk)


class DocumentUploadView(UploadFormMixin, WorkspaceFormPage):
    """A refused upload answers 400, with the reason on the form."""

    form_class = DocumentForm
    section = "documents"
    page_title = gettext_lazy("Share a document")
    intro = gettext_lazy(
        "PDF, ODT, DOCX, PNG and JPEG files up to 10 MB. Only the challenger team and "
        "the municipality can download it."
    )
    submit_label = gettext_lazy("Share document")
    multipart = True
    success_message = gettext_lazy("The document is shared with the other side.")

    def has_permission(self, user):
        return permissions.can_work_in_workspace(user, self.challenge)

    def perform(self, form):
        return services.document_upload(
            challenge=self.challenge,
            actor=self.request.user,
            file=form.cleaned_data["file"],
            name=form.sent_name,
            description=form.cleaned_data["description"],
        )


_document_upload = csrf_protect(login_required(DocumentUploadView.as_view()))


@login_required
def document_download(request, pk, document_id):
    challenge = _workspace_challenge(request, pk)
    document = get_object_or_404(Document, challenge=challenge, pk=document_id)
    return stored_file_response(
        document.file, filename=document.original_name, content_type=document.content_type
    )
