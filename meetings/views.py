"""The meeting pages: a challenge's meetings (the list and the form to propose one),
one meeting (its slots; pick, cancel, minutes), and the downloads (the .ics, the
minutes). For the parties only: anybody else, anonymous or logged in, gets 404, as
for something they may not know exists; a party who may not take a step gets 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_safe

from challenges import permissions as challenge_permissions
from challenges.models import Challenge
from core.views import ServiceFormView, UploadFormMixin, as_download, stored_file_response
from partnerships.uploads import RawNameUploadHandler

from . import ics, permissions, selectors, services
from .constants import MAX_SLOTS, MeetingStatus
from .forms import CancelForm, MinutesForm, PickForm, ProposeForm
from .models import Minutes


def _challenge(request, pk) -> Challenge:
    challenge = get_object_or_404(
        Challenge.objects.select_related("task", "neighbourhood", "initiator"), pk=pk
    )
    challenge_permissions.remember_team_membership(request.user, challenge)
    if not permissions.can_view_meetings(request.user, challenge):
        raise Http404
    return challenge


def _meeting(challenge, meeting_id):
    meeting = selectors.meeting_of(challenge, meeting_id)
    if meeting is None:
        raise Http404
    meeting.challenge = challenge
    return meeting


def _no_store(response):
    response["Cache-Control"] = "private, no-store"
    return response


# -- The meetings of a challenge -------------------------------------------------------


class MeetingListView(ServiceFormView):
    """The list, and the form to propose a meeting (for a party while it runs)."""

    template_name = "meetings/list.html"
    form_class = ProposeForm
    success_message = gettext_lazy(
        "Your proposal has been sent. The other side picks one of the times."
    )

    def dispatch(self, request, *args, **kwargs):
        self.challenge = _challenge(request, kwargs["pk"])
        self.can_propose = permissions.can_propose(request.user, self.challenge)
        if request.method == "POST" and not self.can_propose:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        return services.meeting_propose(
            challenge=self.challenge,
            actor=self.request.user,
            kind=data["kind"],
            slots=data["slots"],
            place=data["place"],
            online_url=data["online_url"],
            agenda=data["agenda"],
        )

    def get_success_url(self):
        return self.result.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            challenge=self.challenge,
            meetings=list(selectors.meetings_of(self.challenge)),
            can_propose=self.can_propose,
            side=permissions.side_of(self.request.user, self.challenge),
            max_slots=MAX_SLOTS,
            **kwargs,
        )

    def render_to_response(self, context, **response_kwargs):
        return _no_store(super().render_to_response(context, **response_kwargs))


meeting_list = MeetingListView.as_view()


# -- One meeting -----------------------------------------------------------------------


def _meeting_context(request, challenge, meeting, **forms) -> dict:
    user = request.user
    slots = selectors.slots_of(meeting)
    context = {
        "challenge": challenge,
        "meeting": meeting,
        "slots": slots,
        "minutes_list": selectors.minutes_of(meeting),
        "side": permissions.side_of(user, challenge),
        "has_calendar": meeting.starts_at is not None,
        "waiting_for_other_side": (
            meeting.status == MeetingStatus.PROPOSED
            and permissions.side_of(user, challenge) == meeting.proposer_side
        ),
    }
    if permissions.can_pick(user, meeting, challenge):
        context["pick_form"] = forms.get("pick_form") or PickForm(slots=slots)
    if permissions.can_cancel(user, meeting, challenge):
        context["cancel_form"] = forms.get("cancel_form") or CancelForm()
    if permissions.can_add_minutes(user, meeting, challenge):
        context["minutes_form"] = forms.get("minutes_form") or MinutesForm()
    # The error summary at the top shows the errors of the form that was sent.
    context["form"] = next(iter(forms.values()), None)
    return context


@require_safe
def meeting_detail(request, pk, meeting_id):
    challenge = _challenge(request, pk)
    meeting = _meeting(challenge, meeting_id)
    return _no_store(
        render(request, "meetings/meeting.html", _meeting_context(request, challenge, meeting))
    )


class MeetingStepView(ServiceFormView):
    """A form of the meeting page, posted to its own URL; a refusal shows the meeting
    page again with the reason on that form."""

    template_name = "meetings/meeting.html"
    context_name = ""

    def dispatch(self, request, *args, **kwargs):
        self.challenge = _challenge(request, kwargs["pk"])
        self.meeting = _meeting(self.challenge, kwargs["meeting_id"])
        if not self.has_permission(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def has_permission(self, user) -> bool:
        raise NotImplementedError

    def get_success_url(self):
        return self.meeting.get_absolute_url()

    def get_context_data(self, **kwargs):
        form = kwargs.pop("form", None) or self.get_form()
        return _meeting_context(
            self.request, self.challenge, self.meeting, **{self.context_name: form}
        )

    def render_to_response(self, context, **response_kwargs):
        return _no_store(super().render_to_response(context, **response_kwargs))


class PickView(MeetingStepView):
    form_class = PickForm
    context_name = "pick_form"
    success_message = gettext_lazy(
        "The meeting is scheduled. Both sides get the invitation by e-mail; you can also "
        "download it here."
    )

    def has_permission(self, user):
        return permissions.can_pick(user, self.meeting, self.challenge)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "slots": selectors.slots_of(self.meeting)}

    def perform(self, form):
        return services.meeting_pick(
            meeting=self.meeting, slot_id=form.cleaned_data["slot"], actor=self.request.user
        )


class CancelView(MeetingStepView):
    form_class = CancelForm
    context_name = "cancel_form"
    success_message = gettext_lazy("The meeting is cancelled. The other side is told why.")

    def has_permission(self, user):
        return permissions.can_cancel(user, self.meeting, self.challenge)

    def perform(self, form):
        return services.meeting_cancel(
            meeting=self.meeting, actor=self.request.user, reason=form.cleaned_data["reason"]
        )


class MinutesView(UploadFormMixin, MeetingStepView):
    """A refused upload answers 400, with the reason on the form."""

    form_class = MinutesForm
    context_name = "minutes_form"
    success_message = gettext_lazy("The minutes have been added to the meeting.")

    def has_permission(self, user):
        return permissions.can_add_minutes(user, self.meeting, self.challenge)

    def perform(self, form):
        return services.minutes_add(
            meeting=self.meeting,
            actor=self.request.user,
            file=form.cleaned_data["file"],
            name=form.sent_name,
            description=form.cleaned_data["description"],
        )


meeting_pick = PickView.as_view()
meeting_cancel = CancelView.as_view()
_minutes_add = csrf_protect(MinutesView.as_view())


@csrf_exempt
def minutes_add(request, pk, meeting_id):
    # The upload handlers must be in place before anything reads the request body,
    # and the CSRF check reads it: so the check runs inside, after this.
    if request.method == "POST":
        request.upload_handlers.insert(0, RawNameUploadHandler(request))
    return _minutes_add(request, pk=pk, meeting_id=meeting_id)


# -- Downloads -------------------------------------------------------------------------


@require_safe
def meeting_ics(request, pk, meeting_id):
    challenge = _challenge(request, pk)
    meeting = _meeting(challenge, meeting_id)
    made = ics.for_meeting(meeting, challenge=challenge)
    if made is None:
        raise Http404
    name, content = made
    response = HttpResponse(content, content_type=f"{ics.MIMETYPE}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return as_download(response)


@require_safe
def minutes_download(request, pk, meeting_id, minutes_id):
    challenge = _challenge(request, pk)
    meeting = _meeting(challenge, meeting_id)
    minutes = get_object_or_404(Minutes, meeting=meeting, pk=minutes_id)
    return stored_file_response(
        minutes.file, filename=minutes.original_name, content_type=minutes.content_type
    )
