"""Pages for supporting a challenge and for its public questions. Views read through
selectors, check permissions with the named predicates (a draft or an unknown post
is 404; a page that is not the reader's to use is 403) and change things only
through services (`core.views.ServiceFormView`); writing is rate limited per person
(`ratelimit`)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from challenges import permissions as challenge_permissions
from challenges.models import Challenge
from challenges.page_cache import cached_public_page
from challenges.views import is_deleted_draft
from core.errors import ServiceError
from core.views import ServiceFormView

from . import permissions, ratelimit, selectors, services
from .constants import AnswerRole, PostKind
from .forms import PostForm, ReasonForm, SupportForm
from .models import Answer, Question, Support


def public_challenge(request, pk) -> Challenge:
    """A challenge this app works on: submitted (a draft is 404 for everybody here,
    the team included: a draft cannot be supported or asked about)."""
    challenge = get_object_or_404(
        Challenge.objects.select_related("task", "neighbourhood", "initiator"), pk=pk
    )
    challenge_permissions.remember_team_membership(request.user, challenge)
    if not permissions.is_public(challenge) or is_deleted_draft(challenge):
        raise Http404
    return challenge


def _page(request, queryset):
    return Paginator(queryset, settings.RTC_PAGE_SIZE).get_page(request.GET.get("page"))


class RateLimited(ServiceError):
    pass


class CommunityFormView(ServiceFormView):
    """A form about one public challenge; its service call counts against the
    person's hourly limit for `action`. A refusal for the limit answers 429."""

    template_name = "community/form_page.html"
    action = ""
    heading = ""
    intro = ""
    submit_label = gettext_lazy("Send")

    def dispatch(self, request, *args, **kwargs):
        self.challenge = public_challenge(request, kwargs["pk"])
        self.check_access()
        return super().dispatch(request, *args, **kwargs)

    def check_access(self) -> None:
        """Raise PermissionDenied (or return a redirect via `refusal`) as needed."""

    def limited(self) -> None:
        if not ratelimit.consume(action=self.action, user=self.request.user):
            raise RateLimited(
                _("You have done this too often in the last hour. Please try again later.")
            )

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if any(isinstance(e, RateLimited) for e in form.non_field_errors().as_data()):
            response.status_code = 429
        return response

    def get_success_url(self):
        return self.challenge.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            challenge=self.challenge,
            heading=self.heading,
            intro=self.intro,
            submit_label=self.submit_label,
            **kwargs,
        )


def _refuse_unverified(request, challenge, what: str):
    messages.error(request, what)
    return redirect(challenge)


# -- Support ----------------------------------------------------------------------------


class SupportView(CommunityFormView):
    form_class = SupportForm
    action = "support"
    heading = gettext_lazy("Support this challenge")
    intro = gettext_lazy(
        "Show that you back this plan. The challenge page shows how many people support "
        "it and in which neighbourhoods; your offer is shown with your name only if you "
        "allow it. You can take your support back at any time."
    )
    submit_label = gettext_lazy("Support this challenge")
    success_message = gettext_lazy("Thank you: you support this challenge.")

    def dispatch(self, request, *args, **kwargs):
        challenge = public_challenge(request, kwargs["pk"])
        if not permissions.has_verified_email(request.user):
            return _refuse_unverified(
                request,
                challenge,
                _("Confirm your e-mail address first; then you can support a challenge."),
            )
        if selectors.support_of(request.user, challenge) is not None:
            messages.info(request, _("You already support this challenge."))
            return redirect(challenge)
        if not permissions.can_support(request.user, challenge):
            messages.info(request, _("You cannot support this challenge."))
            return redirect(challenge)
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        self.limited()
        return services.support_add(
            challenge=self.challenge, user=self.request.user, **form.cleaned_data
        )

    def get_success_url(self):
        return f"{self.challenge.get_absolute_url()}#support"


support = login_required(SupportView.as_view())


@login_required
def support_withdraw(request, pk):
    challenge = public_challenge(request, pk)
    own = selectors.support_of(request.user, challenge)
    if own is None:
        messages.info(request, _("You do not support this challenge."))
        return redirect(challenge)
    if request.method == "POST":
        try:
            services.support_withdraw(challenge=challenge, user=request.user)
        except ServiceError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("You no longer support this challenge."))
        return redirect(f"{challenge.get_absolute_url()}#support")
    return render(request, "community/withdraw.html", {"challenge": challenge, "support": own})


def supporters(request, pk):
    """Every offer (public: names only with consent); the team sees every supporter
    and can write to each through the portal."""
    challenge = public_challenge(request, pk)
    is_team = permissions.can_message_supporters(request.user, challenge)
    rows = selectors.supporters(challenge) if is_team else selectors.offers(challenge)
    return render(
        request,
        "community/supporters.html",
        {
            "challenge": challenge,
            "page": _page(request, rows),
            "summary": selectors.support_summary(challenge),
            "is_team": is_team,
        },
    )


supporters = cached_public_page(supporters)


class SupporterMessageView(CommunityFormView):
    action = "message"
    heading = gettext_lazy("Write to a supporter")
    intro = gettext_lazy(
        "Thank a supporter or ask them about their offer. They get your message in the "
        "portal and by e-mail; you do not see their address. The challenger team and "
        "the municipality see it on the timeline of the parties."
    )
    submit_label = gettext_lazy("Send the message")
    success_message = gettext_lazy("Your message has been sent to the supporter.")

    def check_access(self):
        if not permissions.can_message_supporters(self.request.user, self.challenge):
            raise PermissionDenied
        self.support = get_object_or_404(
            Support, pk=self.kwargs["support"], challenge=self.challenge
        )

    def get_form(self, form_class=None):
        return PostForm(
            **self.get_form_kwargs(),
            label=_("Your message"),
            required_message=_("Write the message first."),
        )

    def perform(self, form):
        self.limited()
        return services.supporter_message(
            support=self.support, actor=self.request.user, text=form.cleaned_data["text"]
        )

    def get_success_url(self):
        return reverse("community:supporters", kwargs={"pk": self.challenge.pk})

    def get_context_data(self, **kwargs):
        return super().get_context_data(support=self.support, **kwargs)


supporter_message = login_required(SupporterMessageView.as_view())


# -- Questions and answers --------------------------------------------------------------


def questions(request, pk):
    challenge = public_challenge(request, pk)
    return render(
        request,
        "community/questions.html",
        {
            "challenge": challenge,
            "page": _page(request, selectors.questions(challenge)),
            "can_ask": permissions.can_ask(request.user, challenge),
            "can_answer": permissions.can_answer(request.user, challenge),
            "can_report": permissions.can_report(request.user, challenge),
            "can_hide": permissions.can_hide(request.user, challenge),
            "is_open": challenge.status in permissions.QUESTION_STATUSES,
        },
    )


questions = cached_public_page(questions)


class AskView(CommunityFormView):
    action = "ask"
    heading = gettext_lazy("Ask a question")
    intro = gettext_lazy(
        "Your question is public: it is shown on the challenge page and its timeline, "
        "without your name. The challenger team or the municipality answers it."
    )
    submit_label = gettext_lazy("Ask the question")
    success_message = gettext_lazy("Your question is on the challenge page.")

    def dispatch(self, request, *args, **kwargs):
        challenge = public_challenge(request, kwargs["pk"])
        if not permissions.has_verified_email(request.user):
            return _refuse_unverified(
                request,
                challenge,
                _("Confirm your e-mail address first; then you can ask a question."),
            )
        if not permissions.can_ask(request.user, challenge):
            messages.info(request, _("Questions can no longer be asked about this challenge."))
            return redirect(challenge)
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        return PostForm(
            **self.get_form_kwargs(),
            label=_("Your question"),
            required_message=_("Write your question."),
        )

    def perform(self, form):
        self.limited()
        return services.question_ask(
            challenge=self.challenge, actor=self.request.user, text=form.cleaned_data["text"]
        )

    def get_success_url(self):
        return f"{self.challenge.get_absolute_url()}#question-{self.result.pk}"


ask = login_required(AskView.as_view())


class AnswerView(CommunityFormView):
    action = "answer"
    submit_label = gettext_lazy("Publish the answer")
    success_message = gettext_lazy("Your answer is on the challenge page.")

    def check_access(self):
        self.question = get_object_or_404(
            Question.objects.prefetch_related("answers"),
            pk=self.kwargs["question"],
            challenge=self.challenge,
        )
        self.role = permissions.answer_role(self.request.user, self.challenge)
        if not self.role:
            raise PermissionDenied

    def get_form(self, form_class=None):
        return PostForm(
            **self.get_form_kwargs(),
            label=_("Your answer"),
            required_message=_("Write your answer."),
        )

    def perform(self, form):
        self.limited()
        return services.question_answer(
            question=self.question, actor=self.request.user, text=form.cleaned_data["text"]
        )

    def get_success_url(self):
        return f"{self.challenge.get_absolute_url()}#question-{self.question.pk}"

    def get_context_data(self, **kwargs):
        heading = (
            _("Answer for the challenger team")
            if self.role == AnswerRole.TEAM
            else _("Answer for the municipality")
        )
        intro = _("Your answer is public and marked as given by %(side)s.") % {
            "side": AnswerRole(self.role).label
        }
        context = super().get_context_data(question=self.question, **kwargs)
        context.update(heading=heading, intro=intro)
        return context


answer = login_required(AnswerView.as_view())


class PostFormView(CommunityFormView):
    """A form about one question or answer of the challenge (report, hide)."""

    def check_access(self):
        kind = self.kwargs["kind"]
        if kind == PostKind.QUESTION:
            self.post_object = get_object_or_404(
                Question, pk=self.kwargs["post"], challenge=self.challenge
            )
        elif kind == PostKind.ANSWER:
            self.post_object = get_object_or_404(
                Answer.objects.select_related("question"),
                pk=self.kwargs["post"],
                question__challenge=self.challenge,
            )
        else:
            raise Http404
        self.kind = kind

    def get_success_url(self):
        question_id = (
            self.post_object.pk if self.kind == PostKind.QUESTION else self.post_object.question_id
        )
        return f"{self.challenge.get_absolute_url()}#question-{question_id}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(post=self.post_object, kind=self.kind, **kwargs)


class ReportView(PostFormView):
    action = "report"
    heading = gettext_lazy("Report this post")
    intro = gettext_lazy(
        "Tell the municipality why this post should not be here (for example: it is "
        "insulting, or it names someone). The municipality decides whether to hide it."
    )
    submit_label = gettext_lazy("Report the post")
    success_message = gettext_lazy("Thank you. The municipality will look at this post.")

    def check_access(self):
        super().check_access()
        if not permissions.can_report(self.request.user, self.challenge):
            raise PermissionDenied

    def get_form(self, form_class=None):
        return ReasonForm(
            **self.get_form_kwargs(),
            label=_("Why should the municipality look at it?"),
            required_message=_("Say why the municipality should look at this post."),
        )

    def perform(self, form):
        self.limited()
        return services.post_report(
            post=self.post_object, actor=self.request.user, reason=form.cleaned_data["reason"]
        )


report = login_required(ReportView.as_view())


class HideView(PostFormView):
    action = ""
    heading = gettext_lazy("Hide this post")
    intro = gettext_lazy(
        "The text of the post is removed from every page, the process log, its feed "
        "and exports, and from notifications. Its place stays: the timeline shows that "
        "the municipality hid a post, with the reason you give here."
    )
    submit_label = gettext_lazy("Hide the post")
    success_message = gettext_lazy("The post has been hidden.")

    def check_access(self):
        super().check_access()
        if not permissions.can_hide(self.request.user, self.challenge):
            raise PermissionDenied

    def limited(self):
        """Staff moderation is not rate limited."""

    def get_form(self, form_class=None):
        return ReasonForm(
            **self.get_form_kwargs(),
            label=_("Reason for hiding (public)"),
            help_text=_("Shown on the public timeline; name no one."),
            required_message=_("Give the reason for hiding it; it is shown on the timeline."),
        )

    def perform(self, form):
        return services.post_hide(
            post=self.post_object, actor=self.request.user, reason=form.cleaned_data["reason"]
        )

    def get_context_data(self, **kwargs):
        reports = self.post_object.reports.order_by("-created_at")
        return super().get_context_data(reports=list(reports), **kwargs)


hide = login_required(HideView.as_view())
