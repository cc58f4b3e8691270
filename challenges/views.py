"""Public and challenger-facing pages. Views read through selectors, check
permissions with the named predicates and change things only through services; a
form that asks a service for a change is a `core.views.ServiceFormView`."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from core.uploads import RawNameUploadHandler
from core.views import ServiceFormView, stored_file_response

from . import chain, permissions, registry, rendering, selectors, services
from . import map as neighbourhood_map
from .constants import Role, Status, Visibility
from .forms import (
    STEP_SLUGS,
    STEPS,
    AdditionForm,
    AttachmentForm,
    AttachmentVisibilityForm,
    ChallengeFilterForm,
    InvitationForm,
    LogFilterForm,
    TransitionForm,
)
from .models import Attachment, Challenge, Invitation, TimelineEvent
from .page_cache import cached_public_page
from .paging import keyset_page


def _page(request, queryset):
    paginator = Paginator(queryset, settings.RTC_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    query = request.GET.copy()
    for name in ("page", "before", "after"):
        query.pop(name, None)
    return query.urlencode()


def _neighbourhood_map(selected=None) -> dict:
    """The neighbourhood map and its table (templates/challenges/_map.html): every
    neighbourhood with its number of submitted challenges, counted in one query."""
    rows = list(selectors.neighbourhood_counts())
    return {
        "rows": rows,
        "drawing": neighbourhood_map.draw_map(rows),
        "selected": getattr(selected, "pk", None),
    }


@cached_public_page
def home(request):
    return render(
        request,
        "pages/home.html",
        {
            "stages": selectors.stage_counts(),
            "side_counts": selectors.side_counts(),
            "recent": selectors.public_log()[:5],
            "neighbourhood_map": _neighbourhood_map(),
        },
    )


@cached_public_page
def criteria(request):
    return render(
        request,
        "pages/criteria.html",
        {
            "criteria": selectors.public_criteria(),
        },
    )


@cached_public_page
def challenge_list(request):
    form = ChallengeFilterForm(request.GET or None)
    filters = form.filters()
    qs = selectors.filter_challenges(selectors.public_challenges(), **filters)
    return render(
        request,
        "challenges/list.html",
        {
            "form": form,
            "page": _page(request, qs),
            "query": _query_without_page(request),
            "neighbourhood_map": _neighbourhood_map(filters.get("neighbourhood")),
        },
    )


def _visible_challenge(request, pk) -> Challenge:
    challenge = get_object_or_404(
        Challenge.objects.select_related("task", "neighbourhood", "initiator"), pk=pk
    )
    permissions.remember_team_membership(request.user, challenge)
    if not permissions.can_view(request.user, challenge) or is_deleted_draft(challenge):
        raise Http404
    return challenge


def is_deleted_draft(challenge: Challenge) -> bool:
    """A draft its initiator deleted while its events had to stay on the chain
    (`services.challenge_delete_draft`): every event of it erased. It is gone for
    everyone: not listed, not found."""
    return challenge.status == Status.DRAFT and _deleted_drafts().filter(pk=challenge.pk).exists()


def _deleted_drafts():
    live = TimelineEvent.objects.filter(challenge=OuterRef("pk"), erased_at__isnull=True).exclude(
        code=chain.ERASURE_CODE
    )
    erased = TimelineEvent.objects.filter(challenge=OuterRef("pk"), erased_at__isnull=False)
    return Challenge.objects.filter(Q(status=Status.DRAFT), Exists(erased), ~Exists(live))


def resume_url(challenge: Challenge) -> str:
    """Where "Continue with the plan" leads: the first step with a question still
    unanswered, as the submission guard counts them (`missing_for_submission`), or
    the review page when nothing is missing."""
    missing = {str(label) for label in services.missing_for_submission(challenge)}
    for slug, _label, form_class in STEPS:
        for name in form_class._meta.fields:
            if str(Challenge._meta.get_field(name).verbose_name) in missing:
                return reverse("challenges:step", kwargs={"pk": challenge.pk, "step": slug})
    return reverse("challenges:review", kwargs={"pk": challenge.pk})


def _detail_context(request, challenge: Challenge, addition_form=None) -> dict:
    user = request.user
    is_team = permissions.is_team_member(user, challenge)
    show_parties = permissions.can_see_parties(user, challenge)
    events = keyset_page(
        selectors.timeline_for(user, challenge), request.GET, size=settings.RTC_TIMELINE_SIZE
    )
    rendering.prerender(events, show_parties=show_parties)
    context = {
        "challenge": challenge,
        "events": events,
        "query": _query_without_page(request),
        "is_team": is_team,
        "show_parties": show_parties,
        "is_municipality": permissions.is_municipality(user),
        **_attachments_context(user, challenge),
    }
    if show_parties:
        context["team"] = selectors.team_members(challenge)
        # The team sees the scores once the assessment is published; the
        # municipality's people see them as they are entered.
        context["assessments"] = (
            challenge.assessments.select_related("criterion")
            if permissions.is_municipality(user)
            else challenge.published_assessments()
        )
        context["invitations"] = challenge.invitations.filter(accepted_at__isnull=True)
    else:
        # After the decision the published assessment is public: the considerations
        # behind the decision, for everybody.
        context["assessments"] = challenge.public_assessments()
    if is_team:
        if permissions.can_add_addition(user, challenge):
            context["addition_form"] = addition_form or AdditionForm()
        if permissions.can_invite(user, challenge):
            context["invitation_form"] = InvitationForm()
        transition_form = TransitionForm(challenge=challenge, roles={Role.CHALLENGER})
        if transition_form.edges and challenge.status != Status.DRAFT:
            context["transition_form"] = transition_form
        if challenge.status == Status.DRAFT:
            context["resume_url"] = resume_url(challenge)
            context["can_delete"] = challenge.initiator_id == user.pk
    context["sections"] = _sections(request, challenge, context)
    return context


def _sections(request, challenge: Challenge, context: dict) -> dict[str, list]:
    """The parts higher apps add to the page (`registry.register_detail_section`),
    by place: each a template and its context."""
    placed: dict[str, list] = {"main": [], "aside": []}
    for section in registry.detail_sections():
        section_context = section.context(request, challenge, context)
        if section_context is not None:
            placed.setdefault(section.place, []).append(
                {"template": section.template, "context": section_context}
            )
    return placed


@cached_public_page
def challenge_detail(request, pk):
    challenge = _visible_challenge(request, pk)
    return render(request, "challenges/detail.html", _detail_context(request, challenge))


@login_required
def my_challenges(request):
    challenges = selectors.team_challenges(request.user).exclude(pk__in=_deleted_drafts())
    page = _page(request, challenges)
    for challenge in page:
        if challenge.status == Status.DRAFT:
            challenge.resume_url = resume_url(challenge)
    return render(
        request,
        "challenges/mine.html",
        {"challenges": page, "page": page, "query": _query_without_page(request)},
    )


@login_required
def challenge_start(request):
    if request.method == "POST":
        challenge = services.challenge_create_draft(initiator=request.user)
        return redirect("challenges:step", pk=challenge.pk, step=STEP_SLUGS[0])
    return render(request, "challenges/start.html", {"tasks_exist": True})


def _draft_for(request, pk) -> Challenge:
    challenge = _visible_challenge(request, pk)
    if not permissions.is_team_member(request.user, challenge):
        raise Http404
    return challenge


class ChallengeStepView(ServiceFormView):
    """One step of the plan of a draft, saved through the service; then the next step,
    or the review after the last one ("save and stop": back to one's challenges)."""

    template_name = "challenges/step.html"

    def dispatch(self, request, *args, **kwargs):
        self.challenge = _draft_for(request, kwargs["pk"])
        if kwargs["step"] not in STEP_SLUGS:
            raise Http404
        if not permissions.can_edit_plan(request.user, self.challenge):
            messages.info(
                request,
                _(
                    "This challenge has been submitted; its plan can no longer "
                    "be changed. Add information on its timeline instead."
                ),
            )
            return redirect(self.challenge)
        self.index = STEP_SLUGS.index(kwargs["step"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return STEPS[self.index][2]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.challenge}

    def perform(self, form):
        return services.challenge_update_draft(
            challenge=self.challenge, actor=self.request.user, data=form.cleaned_data
        )

    def get_success_message(self):
        parts = []
        if "save_and_stop" in self.request.POST:
            parts.append(_("Your draft has been saved."))
        if STEP_SLUGS[self.index] == "budget" and self.result.budget_ratio is not None:
            parts.append(
                _("You ask %(ratio)s%% of what the task costs the municipality today.")
                % {"ratio": self.result.budget_ratio}
            )
        return " ".join(parts)

    def get_success_url(self):
        if "save_and_stop" in self.request.POST:
            return reverse("challenges:mine")
        if self.index + 1 < len(STEPS):
            return reverse(
                "challenges:step",
                kwargs={"pk": self.challenge.pk, "step": STEP_SLUGS[self.index + 1]},
            )
        return reverse("challenges:review", kwargs={"pk": self.challenge.pk})

    def get_context_data(self, **kwargs):
        index = self.index
        slug, label, _form_class = STEPS[index]
        return super().get_context_data(
            challenge=self.challenge,
            step=slug,
            step_label=label,
            step_number=index + 1,
            steps=STEPS,
            step_count=len(STEPS) + 1,
            previous=STEP_SLUGS[index - 1] if index else None,
            **kwargs,
        )


challenge_step = login_required(ChallengeStepView.as_view())


@login_required
def challenge_review(request, pk):
    challenge = _draft_for(request, pk)
    if not permissions.can_edit_plan(request.user, challenge):
        return redirect(challenge)
    error = None
    if request.method == "POST":
        try:
            services.challenge_transition(
                challenge=challenge,
                to_status=Status.SUBMITTED,
                actor=request.user,
                expected_status=Status.DRAFT,
            )
        except services.ServiceError as exc:
            error = exc
        else:
            messages.success(
                request,
                _(
                    "Your challenge has been submitted. The municipality "
                    "will start the intake; follow it on its timeline."
                ),
            )
            return redirect(challenge)
    return render(
        request,
        "challenges/review.html",
        {
            "challenge": challenge,
            "missing": services.missing_for_submission(challenge),
            "steps": STEPS,
            "step_count": len(STEPS) + 1,
            "error": error,
            **_attachments_context(request.user, challenge),
        },
    )


@login_required
def challenge_delete(request, pk):
    """Ask, then delete a draft (POST): only its initiator, only while it is a draft."""
    challenge = _draft_for(request, pk)
    if challenge.status != Status.DRAFT:
        messages.info(
            request,
            _(
                "This challenge has been submitted; it can no longer be deleted. "
                "You can withdraw it, with a motivation."
            ),
        )
        return redirect(challenge)
    if challenge.initiator_id != request.user.pk:
        raise PermissionDenied
    error = None
    if request.method == "POST":
        try:
            services.challenge_delete_draft(challenge=challenge, actor=request.user)
        except services.ServiceError as exc:
            error = exc
        else:
            messages.success(request, _("Your draft has been deleted."))
            return redirect("challenges:mine")
    return render(
        request,
        "challenges/delete.html",
        {"challenge": challenge, "error": error},
        status=400 if error else 200,
    )


def _attachments_context(user, challenge: Challenge) -> dict:
    """The attachments this reader may see (one query), split as the plan shows them:
    the public ones among the published parts, the parties' ones apart."""
    attachments = list(selectors.attachments_for(user, challenge))
    return {
        "public_attachments": [a for a in attachments if a.visibility == Visibility.PUBLIC],
        "parties_attachments": [a for a in attachments if a.visibility == Visibility.PARTIES],
        "can_manage_attachments": permissions.is_team_member(user, challenge),
    }


def _team_post(request, pk) -> Challenge:
    challenge = _visible_challenge(request, pk)
    if not permissions.is_team_member(request.user, challenge):
        raise PermissionDenied
    return challenge


class TeamFormView(ServiceFormView):
    """A form on the challenge page, sent by a team member (POST only): the outcome,
    done or refused, is a message on that page, back where the form was (`anchor`)."""

    anchor = ""

    def dispatch(self, request, *args, **kwargs):
        self.challenge = _team_post(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self):
        url = self.challenge.get_absolute_url()
        return f"{url}#{self.anchor}" if self.anchor else url

    def form_invalid(self, form):
        messages.error(self.request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(self.get_success_url())


class ChallengeInviteView(TeamFormView):
    form_class = InvitationForm
    anchor = "team"
    success_message = gettext_lazy("The invitation has been sent.")

    def perform(self, form):
        return services.invitation_create(
            challenge=self.challenge, actor=self.request.user, email=form.cleaned_data["email"]
        )


challenge_invite = login_required(require_POST(ChallengeInviteView.as_view()))


class ChallengeAdditionView(TeamFormView):
    """An empty or refused addition shows the challenge page again, with the error
    above the page and at the field, and the text as typed."""

    form_class = AdditionForm
    anchor = "timeline"
    success_message = gettext_lazy("Your addition is on the timeline.")

    def form_invalid(self, form):
        context = _detail_context(self.request, self.challenge, addition_form=form)
        return render(self.request, "challenges/detail.html", {**context, "form": form})

    def perform(self, form):
        return services.challenge_add_addition(
            challenge=self.challenge, actor=self.request.user, **form.cleaned_data
        )


challenge_addition = login_required(require_POST(ChallengeAdditionView.as_view()))


class ChallengeTransitionView(TeamFormView):
    form_class = TransitionForm
    success_message = gettext_lazy("The stage of the challenge has been changed.")

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "challenge": self.challenge,
            "roles": {Role.CHALLENGER},
        }

    def perform(self, form):
        return services.challenge_transition(
            challenge=self.challenge,
            to_status=form.cleaned_data["to_status"],
            actor=self.request.user,
            motivation=form.cleaned_data["motivation"],
            expected_status=form.cleaned_data["expected_status"],
        )


challenge_transition = login_required(require_POST(ChallengeTransitionView.as_view()))


def invitation(request, token):
    invitation = get_object_or_404(
        Invitation.objects.select_related("challenge", "invited_by"), token=token
    )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except services.ServiceError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Welcome to the team of this challenge."))
            return redirect(invitation.challenge)
    return render(request, "challenges/invitation.html", {"invitation": invitation})


@cached_public_page
def public_log(request):
    form = LogFilterForm(request.GET or None)
    filters = form.filters()
    page = keyset_page(selectors.public_log(**filters), request.GET, size=settings.RTC_PAGE_SIZE)
    rendering.prerender(page, show_parties=False)
    return render(
        request,
        "log/log.html",
        {
            "form": form,
            "page": page,
            "filtered": any(filters.values()),
            "query": _query_without_page(request),
            "head": chain.current_head(),
        },
    )


# A namespace of our own for the chain head element in the Atom feed.
LOG_NAMESPACE = "urn:x-rtc-portal:process-log:1"


class ChainedAtomFeed(Atom1Feed):
    """Atom with the chain head of the process log as a feed-level element:
    <rtc:head size="N" hash="..." href=".../log/head.json"/>, so every feed reader
    keeps a copy of the log's state at the time it polled."""

    def root_attributes(self):
        attrs = super().root_attributes()
        attrs["xmlns:rtc"] = LOG_NAMESPACE
        return attrs

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        head = self.feed.get("chain_head")
        if head is not None:
            handler.addQuickElement(
                "rtc:head",
                "",
                {"size": str(head.size), "hash": head.hash, "href": self.feed["chain_head_url"]},
            )


class LogFeed(Feed):
    """The public process log as an Atom feed, newest first."""

    feed_type = ChainedAtomFeed
    title = gettext_lazy("Right to Challenge: public process log")
    link = reverse_lazy("challenges:log")

    def get_object(self, request, *args, **kwargs):
        # The head, read once per request (the feed instance is shared by all
        # requests), so that the subtitle and the <rtc:head> element agree.
        return {
            "head": chain.current_head(),
            "url": request.build_absolute_uri(reverse("challenges:log-head")),
        }

    def subtitle(self, obj):
        return _(
            "Every public step of every challenge. Chain head of the process log: "
            "%(size)s entries, hash %(hash)s."
        ) % {"size": obj["head"].size, "hash": obj["head"].hash}

    def feed_extra_kwargs(self, obj):
        return {"chain_head": obj["head"], "chain_head_url": obj["url"]}

    def items(self):
        return selectors.public_log()[:50]

    def item_title(self, item):
        return f"{item.challenge.reference} {item.challenge.title}: {item.get_code_display()}"

    def item_description(self, item):
        if item.is_erased:
            return _(
                "Content removed (at the request of the person concerned, "
                "or a post the municipality hid)."
            )
        return render_to_string("timeline/feed_item.html", {"event": item})

    def item_link(self, item):
        return f"{item.challenge.get_absolute_url()}#event-{item.pk}"

    def item_guid(self, item):
        return f"{settings.SITE_URL}/log/event/{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.created_at


# -- Attachments to a submission -------------------------------------------------------


def _attachments_url(challenge: Challenge) -> str:
    return reverse("challenges:attachments", kwargs={"pk": challenge.pk})


@csrf_exempt
def challenge_attachments(request, pk):
    # The upload handlers must be in place before anything reads the request body,
    # and the CSRF check reads it: so the check runs inside, after this.
    if request.method == "POST":
        request.upload_handlers.insert(0, RawNameUploadHandler(request))
    return _challenge_attachments(request, pk=pk)


class ChallengeAttachmentsView(ServiceFormView):
    """The team's page of attachments: the list, with who may download each, and the
    form to add one. A refused upload answers 400 with the reason on the form."""

    template_name = "challenges/attachments.html"
    form_class = AttachmentForm
    success_message = gettext_lazy("The attachment has been added.")

    def dispatch(self, request, *args, **kwargs):
        self.challenge = _team_post(request, kwargs["pk"])
        if request.method == "POST" and not permissions.can_add_attachment(
            request.user, self.challenge
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "POST":
            kwargs["request"] = self.request
        return kwargs

    def perform(self, form):
        return services.attachment_upload(
            challenge=self.challenge,
            actor=self.request.user,
            file=form.cleaned_data["file"],
            name=form.sent_name,
            kind=form.cleaned_data["kind"],
            visibility=form.cleaned_data["visibility"],
        )

    def get_success_url(self):
        return _attachments_url(self.challenge)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        user = self.request.user
        challenge = self.challenge
        return super().get_context_data(
            challenge=challenge,
            attachments=list(selectors.attachments_for(user, challenge)),
            can_add=permissions.can_add_attachment(user, challenge),
            can_change=permissions.can_change_attachment_visibility(user, challenge),
            can_delete=permissions.can_delete_attachment(user, challenge),
            limit=services.MAX_ATTACHMENTS,
            **kwargs,
        )


_challenge_attachments = csrf_protect(login_required(ChallengeAttachmentsView.as_view()))


def _team_attachment(request, pk, attachment_id) -> tuple[Challenge, Attachment]:
    challenge = _team_post(request, pk)
    attachment = get_object_or_404(Attachment, challenge=challenge, pk=attachment_id)
    return challenge, attachment


class AttachmentVisibilityView(ServiceFormView):
    """Change who may download one attachment (POST only; back to the list)."""

    form_class = AttachmentVisibilityForm
    success_message = gettext_lazy("Who may download the attachment has been changed.")

    def dispatch(self, request, *args, **kwargs):
        self.challenge, self.attachment = _team_attachment(
            request, kwargs["pk"], kwargs["attachment_id"]
        )
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        return services.attachment_set_visibility(
            attachment=self.attachment,
            actor=self.request.user,
            visibility=form.cleaned_data["visibility"],
        )

    def get_success_url(self):
        return _attachments_url(self.challenge)

    def form_invalid(self, form):
        messages.error(self.request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(self.get_success_url())


attachment_visibility = login_required(require_POST(AttachmentVisibilityView.as_view()))


@login_required
@require_POST
def attachment_delete(request, pk, attachment_id):
    challenge, attachment = _team_attachment(request, pk, attachment_id)
    try:
        services.attachment_delete(attachment=attachment, actor=request.user)
    except services.ServiceError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The attachment “%(name)s” has been deleted.") % {"name": attachment.original_name},
        )
    return redirect(_attachments_url(challenge))


def attachment_download(request, pk, attachment_id):
    """A public attachment for anyone once the challenge is submitted; one for the
    parties to the parties; a draft's to its team. Anyone else: 404. Always a
    download (never shown by the browser), never cached for others."""
    challenge = _visible_challenge(request, pk)
    attachment = get_object_or_404(Attachment, challenge=challenge, pk=attachment_id)
    attachment.challenge = challenge
    if not permissions.can_download_attachment(request.user, attachment):
        raise Http404
    return stored_file_response(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )
