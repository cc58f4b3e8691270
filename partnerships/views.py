"""The shared workspace of a challenge, for the parties only.

Views check access with the named predicates (an outsider gets 404: the workspace
is not there for them), read through selectors and change things only through
services. A refused change is shown on the page it came from.
"""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from challenges import permissions as challenge_permissions
from challenges.models import Challenge
from core.errors import ServiceError

from . import permissions, selectors, services
from .constants import REFLECTION_QUESTIONS, Side, VersionStatus
from .forms import (
    AgreementForm,
    ContactPersonForm,
    DocumentForm,
    KnotForm,
    KnotResolveForm,
    MemberForm,
    MessageForm,
    MilestoneForm,
    MilestoneUpdateForm,
    OrganisationForm,
    ReflectionAnswerForm,
    ReflectionRequestForm,
    SignForm,
)
from .models import AgreementVersion, Document, Knot, Milestone, ReflectionRound
from .uploads import RawNameUploadHandler


def _workspace_challenge(request, pk) -> Challenge:
    challenge = get_object_or_404(
        Challenge.objects.select_related("task", "neighbourhood", "initiator"), pk=pk
    )
    if not permissions.can_view_workspace(request.user, challenge):
        raise Http404
    return challenge


def _url(challenge, anchor: str = "") -> str:
    url = reverse("partnerships:workspace", kwargs={"pk": challenge.pk})
    return f"{url}#{anchor}" if anchor else url


def _form_page(request, challenge, form, *, title, submit, back, intro="", **extra):
    return render(
        request,
        "partnerships/form_page.html",
        {
            "challenge": challenge,
            "form": form,
            "page_title": title,
            "intro": intro,
            "submit_label": submit,
            "back_url": back,
            **extra,
        },
    )


# -- The workspace -------------------------------------------------------------------------


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


# -- Organisation --------------------------------------------------------------------------


@login_required
def organisation(request, pk):
    challenge = _workspace_challenge(request, pk)
    partnership = selectors.partnership_of(challenge)
    can_manage = permissions.can_manage_organisation(request.user, challenge)
    register_form = OrganisationForm(prefix="new")
    members = (
        partnership.organisation.members.all() if partnership and partnership.organisation else []
    )
    member_ids = {m.user_id for m in members}
    team = [m for m in selectors.eligible_contact_persons(challenge, Side.CHALLENGER)]
    people = selectors.eligible_contact_persons(challenge, Side.CHALLENGER).exclude(
        pk__in=member_ids
    )
    member_form = MemberForm(prefix="member", people=people)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        try:
            if "register" in request.POST:
                register_form = OrganisationForm(request.POST, prefix="new")
                if register_form.is_valid():
                    data = register_form.cleaned_data
                    services.partnership_register_organisation(
                        challenge=challenge,
                        actor=request.user,
                        name=data["name"],
                        legal_form=data["legal_form"],
                        kvk_number=data["kvk_number"],
                        role=data["role"],
                    )
                    flash.success(request, _("The organisation is registered and linked."))
                    return redirect(_url(challenge, "organisation"))
            elif "add_member" in request.POST and partnership and partnership.organisation:
                member_form = MemberForm(request.POST, prefix="member", people=people)
                if member_form.is_valid():
                    services.organisation_add_member(
                        organisation=partnership.organisation,
                        actor=request.user,
                        user=member_form.cleaned_data["user"],
                        role=member_form.cleaned_data["role"],
                    )
                    flash.success(request, _("The member has been added."))
                    return redirect(_url(challenge, "organisation"))
        except ServiceError as error:
            target = register_form if "register" in request.POST else member_form
            target.add_error(None, error)
    return render(
        request,
        "partnerships/organisation.html",
        {
            "challenge": challenge,
            "partnership": partnership,
            "members": members,
            "team": team,
            "can_manage": can_manage,
            "register_form": register_form,
            "member_form": member_form if partnership and partnership.organisation else None,
            "form": register_form if register_form.is_bound else member_form,
        },
    )


# -- Contact persons -----------------------------------------------------------------------


@login_required
def contact_person(request, pk, side):
    challenge = _workspace_challenge(request, pk)
    if side not in Side.values:
        raise Http404
    if not permissions.can_assign_contact_person(request.user, challenge, side):
        raise PermissionDenied
    current = selectors.active_contact_persons(challenge).get(side)
    handover = current is not None
    people = selectors.eligible_contact_persons(challenge, side)
    if current is not None:
        people = people.exclude(pk=current.user_id)
    form = ContactPersonForm(
        request.POST if request.method == "POST" else None, people=people, handover=handover
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if handover:
                services.contact_person_hand_over(
                    challenge=challenge,
                    side=side,
                    user=data["user"],
                    mandate=data["mandate"],
                    reason=data["reason"],
                    actor=request.user,
                )
            else:
                services.contact_person_assign(
                    challenge=challenge,
                    side=side,
                    user=data["user"],
                    mandate=data["mandate"],
                    actor=request.user,
                )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("The contact person has been recorded."))
            return redirect(_url(challenge, "contact-persons"))
    side_name = Side(side).label
    if handover:
        title = _("Hand over the contact person of %(side)s") % {"side": side_name}
        intro = _(
            "%(name)s is the contact person now. The handover ends that assignment, records "
            "who takes over and why, and tells both sides."
        ) % {"name": current.user.name}
    else:
        title = _("Assign the contact person of %(side)s") % {"side": side_name}
        intro = _(
            "Each side has one fixed contact person with a written mandate: what they may "
            "decide alone."
        )
    return _form_page(
        request,
        challenge,
        form,
        title=title,
        intro=intro,
        submit=_("Hand over") if handover else _("Assign"),
        back=_url(challenge, "contact-persons"),
    )


# -- Agreement -----------------------------------------------------------------------------


@login_required
def agreement_draft(request, pk):
    challenge = _workspace_challenge(request, pk)
    if not permissions.can_edit_agreement(request.user, challenge):
        raise PermissionDenied
    draft = selectors.draft_version(challenge)
    base = draft or selectors.current_version(challenge)
    initial = AgreementForm.initial_from(base) if base else {}
    if draft is None and base is not None:
        initial["change_note"] = ""
    form = AgreementForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.agreement_save_draft(
                challenge=challenge, actor=request.user, data=form.cleaned_data
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            flash.success(
                request,
                _("Draft version %(number)s is saved. Propose it when both sides agree.")
                % {"number": version.number},
            )
            return redirect(
                "partnerships:agreement-version", pk=challenge.pk, number=version.number
            )
    if draft is not None:
        title = _("Edit draft version %(number)s of the agreement") % {"number": draft.number}
    elif base is not None:
        title = _("Draft a change to the agreement")
    else:
        title = _("Draft the agreement")
    intro = _(
        "A draft can be changed until it is proposed. A proposed version cannot be changed "
        "any more: both contact persons sign exactly that text. A change is a new version "
        "that both sign again."
    )
    return render(
        request,
        "partnerships/agreement_form.html",
        {
            "challenge": challenge,
            "form": form,
            "page_title": title,
            "intro": intro,
            "task_cost": challenge.task.current_yearly_cost if challenge.task else None,
        },
    )


def _version(challenge, number) -> AgreementVersion:
    return get_object_or_404(
        AgreementVersion.objects.select_related("created_by", "proposed_by").prefetch_related(
            "signatures__signer"
        ),
        challenge=challenge,
        number=number,
    )


@login_required
def agreement_version(request, pk, number, sign_form=None, error=None):
    challenge = _workspace_challenge(request, pk)
    version = _version(challenge, number)
    user = request.user
    side = permissions.side_of(user, challenge)
    previous = selectors.previous_version(version)
    signed_sides = {signature.side for signature in version.signatures.all()}
    can_sign = (
        version.status == VersionStatus.PROPOSED
        and permissions.can_sign_agreement(user, challenge)
        and side not in signed_sides
    )
    if can_sign and sign_form is None:
        sign_form = SignForm(initial={"digest": version.digest})
    newer = (
        AgreementVersion.objects.filter(challenge=challenge, number__gt=version.number)
        .exclude(status=VersionStatus.DRAFT)
        .order_by("-number")
        .first()
    )
    return render(
        request,
        "partnerships/agreement_version.html",
        {
            "challenge": challenge,
            "version": version,
            "previous": previous,
            "changes": selectors.version_changes(previous, version) if previous else [],
            "content": selectors.version_changes(None, version),
            "signatures": list(version.signatures.all()),
            "can_sign": can_sign,
            "sign_form": sign_form,
            "form": sign_form,
            "error": error,
            "newer": newer,
            "can_propose": version.status == VersionStatus.DRAFT
            and permissions.can_edit_agreement(user, challenge),
            "task_cost": challenge.task.current_yearly_cost if challenge.task else None,
        },
        status=400 if error or (sign_form is not None and sign_form.errors) else 200,
    )


@login_required
@require_POST
def agreement_propose(request, pk, number):
    challenge = _workspace_challenge(request, pk)
    version = _version(challenge, number)
    try:
        services.agreement_propose(version=version, actor=request.user)
    except ServiceError as error:
        return agreement_version(request, pk, number, error=error)
    flash.success(
        request,
        _("Version %(number)s is proposed. Both contact persons can sign it now.")
        % {"number": version.number},
    )
    return redirect("partnerships:agreement-version", pk=challenge.pk, number=number)


@login_required
@require_POST
def agreement_sign(request, pk, number):
    challenge = _workspace_challenge(request, pk)
    version = _version(challenge, number)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            services.agreement_sign(
                version=version, actor=request.user, digest=form.cleaned_data["digest"]
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("You signed version %(number)s.") % {"number": version.number})
            return redirect("partnerships:agreement-version", pk=challenge.pk, number=number)
    return agreement_version(request, pk, number, sign_form=form)


# -- Milestones ----------------------------------------------------------------------------


@login_required
def milestone_new(request, pk):
    challenge = _workspace_challenge(request, pk)
    if not permissions.can_manage_milestones(request.user, challenge):
        raise PermissionDenied
    form = MilestoneForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_create(challenge=challenge, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("The milestone has been added."))
            return redirect(_url(challenge, "milestones"))
    return _form_page(
        request,
        challenge,
        form,
        title=_("Add a milestone"),
        submit=_("Add milestone"),
        back=_url(challenge, "milestones"),
    )


@login_required
def milestone_edit(request, pk, milestone_id):
    challenge = _workspace_challenge(request, pk)
    milestone = get_object_or_404(Milestone, challenge=challenge, pk=milestone_id)
    if not permissions.can_manage_milestones(request.user, challenge):
        raise PermissionDenied
    form = MilestoneUpdateForm(
        request.POST if request.method == "POST" else None,
        initial={"status": milestone.status, "due_date": milestone.due_date},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_update(milestone=milestone, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("The milestone has been updated."))
            return redirect(_url(challenge, "milestones"))
    return _form_page(
        request,
        challenge,
        form,
        title=_("Update milestone “%(title)s”") % {"title": milestone.title},
        submit=_("Save"),
        back=_url(challenge, "milestones"),
    )


# -- Reflections ---------------------------------------------------------------------------


@login_required
def reflections(request, pk):
    challenge = _workspace_challenge(request, pk)
    user = request.user
    can_reflect = permissions.can_reflect(user, challenge)
    open_round = selectors.open_reflection(challenge)
    form = ReflectionRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_reflect:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.reflection_open(
                    challenge=challenge, actor=user, reason=form.cleaned_data["reason"]
                )
            except ServiceError as error:
                form.add_error(None, error)
            else:
                flash.success(request, _("Both sides are asked to reflect."))
                return redirect("partnerships:reflections", pk=challenge.pk)
    points = selectors.reflection_trend(challenge)
    return render(
        request,
        "partnerships/reflections.html",
        {
            "challenge": challenge,
            "side": permissions.side_of(user, challenge),
            "rounds": list(reversed(selectors.reflections_for(user, challenge))),
            "open_round": open_round,
            "can_reflect": can_reflect,
            "request_form": form if can_reflect and open_round is None else None,
            "form": form,
            "points": points,
            "questions": REFLECTION_QUESTIONS,
        },
    )


@login_required
def reflection_answer(request, pk, round_id):
    challenge = _workspace_challenge(request, pk)
    round_ = get_object_or_404(ReflectionRound, challenge=challenge, pk=round_id)
    if not permissions.can_reflect(request.user, challenge):
        raise PermissionDenied
    form = ReflectionAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reflection_answer(
                round=round_, actor=request.user, scores=form.scores(), comments=form.comments()
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("Your answers are saved."))
            return redirect("partnerships:reflections", pk=challenge.pk)
    return _form_page(
        request,
        challenge,
        form,
        title=_("Reflect together"),
        intro=_(
            "Score each question from 1 (not at all) to 5 (completely) and explain your "
            "score. The other side sees your answers only once they have answered too."
        ),
        submit=_("Save my answers"),
        back=reverse("partnerships:reflections", kwargs={"pk": challenge.pk}),
    )


# -- Knots ---------------------------------------------------------------------------------


@login_required
def knot_new(request, pk):
    challenge = _workspace_challenge(request, pk)
    if not permissions.can_work_in_workspace(request.user, challenge):
        raise PermissionDenied
    form = KnotForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.knot_raise(challenge=challenge, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("The knot has been raised; the coordinator sees it."))
            return redirect(_url(challenge, "knots"))
    return _form_page(
        request,
        challenge,
        form,
        title=_("Raise a knot"),
        intro=_(
            "A knot is a question that blocks the partnership. Say which decision is needed "
            "and by when; the knot stays on the coordinator's list until it is cut."
        ),
        submit=_("Raise knot"),
        back=_url(challenge, "knots"),
    )


@login_required
def knot_resolve(request, pk, knot_id):
    challenge = _workspace_challenge(request, pk)
    knot = get_object_or_404(Knot, challenge=challenge, pk=knot_id)
    if not permissions.can_resolve_knot(request.user, challenge):
        raise PermissionDenied
    form = KnotResolveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.knot_resolve(
                knot=knot, actor=request.user, decision=form.cleaned_data["decision"]
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("The knot is cut; the decision is on the timeline."))
            return redirect(_url(challenge, "knots"))
    return _form_page(
        request,
        challenge,
        form,
        title=_("Cut the knot “%(question)s”") % {"question": knot.question},
        intro=knot.decision_needed,
        submit=_("Record the decision"),
        back=_url(challenge, "knots"),
    )


@login_required
def knot_overview(request):
    """The coordinator's list: every open knot of every challenge, needed first on top."""
    if not permissions.can_see_knot_overview(request.user):
        raise Http404
    return render(request, "partnerships/knots.html", {"knots": list(selectors.open_knots())})


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


# -- Public --------------------------------------------------------------------------------


def public_progress(request, pk):
    """The public milestones of a submitted challenge and their progress."""
    challenge = get_object_or_404(Challenge.objects.select_related("task"), pk=pk)
    if not challenge_permissions.can_view(request.user, challenge) or challenge.status == "draft":
        raise Http404
    return render(request, "partnerships/progress.html", {"challenge": challenge})
