"""The workspace page itself, and its conversation: sending a message, sharing a
document (checked by its content) and downloading one (an attachment, for the parties
only)."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from core.errors import ServiceError

from .. import permissions, selectors, services
from ..constants import Side, VersionStatus
from ..forms import DocumentForm, MessageForm
from ..models import Document
from ..uploads import RawNameUploadHandler
from ._common import _form_page, _url, _workspace_challenge


@login_required
def workspace(request, pk):
    challenge = _workspace_challenge(request, pk)
    user = request.user
    milestone_list = list(selectors.milestones(challenge))
    knot_list = list(selectors.knots(challenge))
    versions = list(selectors.agreement_versions(challenge))
    missing_execution = (
        selectors.missing_for_execution(challenge) if challenge.status == "agreement" else []
    )
    context = {
        "challenge": challenge,
        "side": permissions.side_of(user, challenge),
        "can_work": permissions.can_work_in_workspace(user, challenge),
        "can_manage_organisation": permissions.can_manage_organisation(user, challenge),
        "can_edit_agreement": permissions.can_edit_agreement(user, challenge),
        "can_manage_milestones": permissions.can_manage_milestones(user, challenge),
        "can_reflect": permissions.can_reflect(user, challenge),
        "partnership": selectors.partnership_of(challenge),
        "active": selectors.active_contact_persons(challenge),
        "history": list(selectors.contact_person_history(challenge)),
        "assignable": {
            side: permissions.can_assign_contact_person(user, challenge, side)
            for side in Side.values
        },
        "versions": versions,
        "current": next((v for v in versions if v.status in ("proposed", "signed")), None),
        "draft": next((v for v in versions if v.status == VersionStatus.DRAFT), None),
        "missing_assessment": (
            selectors.missing_for_assessment(challenge) if challenge.status == "intake" else []
        ),
        "missing_execution": missing_execution,
        "milestones": milestone_list,
        "progress": selectors.progress(milestone_list),
        "open_knots": [k for k in knot_list if k.status == "open"],
        "resolved_knots": [k for k in knot_list if k.status == "resolved"],
        "open_reflection": selectors.open_reflection(challenge),
        "messages_list": list(selectors.messages(challenge)),
        "documents": list(selectors.documents(challenge)),
        "events": selectors.parties_timeline(challenge),
        "message_form": MessageForm(),
        "document_form": DocumentForm(),
        "show_parties": True,
    }
    return render(request, "partnerships/workspace.html", context)


# -- Messages and documents ----------------------------------------------------------------


@login_required
def message_new(request, pk):
    challenge = _workspace_challenge(request, pk)
    if not permissions.can_work_in_workspace(request.user, challenge):
        raise PermissionDenied
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_post(
                challenge=challenge, actor=request.user, text=form.cleaned_data["text"]
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("Your message has been sent."))
            return redirect(_url(challenge, "messages"))
    return _form_page(
        request,
        challenge,
        form,
        title=_("Send a message"),
        submit=_("Send message"),
        back=_url(challenge, "messages"),
    )


@csrf_exempt
def document_upload(request, pk):
    # The upload handlers must be in place before anything reads the request body,
    # and the CSRF check reads it: so the check runs inside, after this.
    if request.method == "POST":
        request.upload_handlers.insert(0, RawNameUploadHandler(request))
    return _document_upload(request, pk)


@csrf_protect
@login_required
def _document_upload(request, pk):
    challenge = _workspace_challenge(request, pk)
    if not permissions.can_work_in_workspace(request.user, challenge):
        raise PermissionDenied
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES, request=request)
    else:
        form = DocumentForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.document_upload(
                challenge=challenge,
                actor=request.user,
                file=form.cleaned_data["file"],
                name=form.sent_name,
                description=form.cleaned_data["description"],
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("The document is shared with the other side."))
            return redirect(_url(challenge, "documents"))
    response = _form_page(
        request,
        challenge,
        form,
        title=_("Share a document"),
        intro=_(
            "PDF, ODT, DOCX, PNG and JPEG files up to 10 MB. Only the challenger team and "
            "the municipality can download it."
        ),
        submit=_("Share document"),
        back=_url(challenge, "documents"),
        multipart=True,
    )
    if form.errors:
        response.status_code = 400
    return response


@login_required
def document_download(request, pk, document_id):
    challenge = _workspace_challenge(request, pk)
    document = get_object_or_404(Document, challenge=challenge, pk=document_id)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    # Never rendered by the browser, never guessed, never framed or cached for others.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
