"""The agreement pages: drafting a version, reading one with what changed since the
previous one, proposing it and signing it."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ServiceError

from .. import permissions, selectors, services
from ..constants import VersionStatus
from ..forms import AgreementForm, SignForm
from ..models import AgreementVersion
from ._common import _workspace_challenge


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
