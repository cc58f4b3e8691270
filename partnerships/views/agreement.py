"""The agreement pages: drafting a version, reading one with what changed since the
previous one, proposing it and signing it."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ServiceError

from .. import permissions, selectors, services
from ..constants import VersionStatus
from ..forms import AgreementForm, SignForm
from ..models import AgreementVersion
from ._common import WorkspaceServiceView, _workspace_challenge, section_label, section_url


def _version_url(challenge, number) -> str:
    return reverse("partnerships:agreement-version", kwargs={"pk": challenge.pk, "number": number})


class AgreementDraftView(WorkspaceServiceView):
    """Create the draft, or change it: from the version on the table when there is one."""

    form_class = AgreementForm
    template_name = "partnerships/agreement_form.html"
    section = "agreement"

    def has_permission(self, user):
        return permissions.can_edit_agreement(user, self.challenge)

    @cached_property
    def draft(self):
        return selectors.draft_version(self.challenge)

    @cached_property
    def base(self):
        return self.draft or selectors.current_version(self.challenge)

    def get_initial(self):
        initial = AgreementForm.initial_from(self.base) if self.base else {}
        if self.draft is None and self.base is not None:
            initial["change_note"] = ""
        return initial

    def perform(self, form):
        return services.agreement_save_draft(
            challenge=self.challenge, actor=self.request.user, data=form.cleaned_data
        )

    def get_success_message(self):
        return _("Draft version %(number)s is saved. Propose it when both sides agree.") % {
            "number": self.result.number
        }

    def get_success_url(self):
        return _version_url(self.challenge, self.result.number)

    def get_context_data(self, **kwargs):
        if self.draft is not None:
            title = _("Edit draft version %(number)s of the agreement") % {
                "number": self.draft.number
            }
        elif self.base is not None:
            title = _("Draft a change to the agreement")
        else:
            title = _("Draft the agreement")
        intro = _(
            "A draft can be changed until it is proposed. A proposed version cannot be changed "
            "any more: both contact persons sign exactly that text. A change is a new version "
            "that both sign again."
        )
        task = self.challenge.task
        return super().get_context_data(
            page_title=title,
            intro=intro,
            task_cost=task.current_yearly_cost if task else None,
            **kwargs,
        )


agreement_draft = login_required(AgreementDraftView.as_view())


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
            "back_url": section_url(challenge, "agreement"),
            "back_label": section_label("agreement"),
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


class AgreementSignView(WorkspaceServiceView):
    """The active contact person of a side signs the version they read (its digest).
    A refusal is shown on the version's page."""

    form_class = SignForm
    section = "agreement"

    def get_objects(self, *, number, **kwargs):
        self.version = _version(self.challenge, number)

    def perform(self, form):
        return services.agreement_sign(
            version=self.version, actor=self.request.user, digest=form.cleaned_data["digest"]
        )

    def get_success_message(self):
        return _("You signed version %(number)s.") % {"number": self.version.number}

    def get_success_url(self):
        return _version_url(self.challenge, self.kwargs["number"])

    def form_invalid(self, form):
        return agreement_version(
            self.request, self.kwargs["pk"], self.kwargs["number"], sign_form=form
        )


agreement_sign = login_required(require_POST(AgreementSignView.as_view()))
