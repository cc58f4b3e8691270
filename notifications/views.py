"""The notification centre, the preferences page and following a challenge.

Views read through selectors and change things through services only. Another
person's notification, like a draft or an unknown challenge, is a 404.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from challenges.models import Challenge

from . import selectors, services
from .constants import Channel
from .forms import PreferencesForm
from .models import Notification


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_for(request.user), settings.RTC_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/list.html", {"page": page})


def _safe_next(request, fallback: str) -> str:
    """`next` when it is a path on this site; otherwise the named fallback, resolved.

    Only a path (starting with one "/") is taken: `redirect()` would try any other
    word as a view name and fail on it.
    """
    target = request.POST.get("next", "")
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return reverse(fallback)


@login_required
@require_POST
def notification_read(request, pk):
    notification = get_object_or_404(
        Notification.objects.select_related("event__challenge"),
        pk=pk,
        recipient=request.user,
        channel=Channel.IN_APP,
    )
    services.notification_mark_read(notification=notification, user=request.user)
    return redirect(_safe_next(request, "notifications:list"))


@login_required
@require_POST
def notification_read_all(request):
    services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@login_required
def preferences(request):
    form = PreferencesForm(
        request.POST or None, initial_frequencies=selectors.frequencies_for(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_update(user=request.user, frequencies=form.cleaned_data)
        except services.ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your choices have been saved."))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


def _followable(request, pk) -> Challenge:
    challenge = get_object_or_404(Challenge, pk=pk)
    if not services.can_follow(request.user, challenge):
        raise Http404
    return challenge


@login_required
@require_POST
def follow(request, pk):
    challenge = _followable(request, pk)
    services.follow_create(user=request.user, challenge=challenge)
    messages.success(
        request, _("You follow this challenge: you will hear about its public events.")
    )
    return redirect(challenge)


@login_required
@require_POST
def unfollow(request, pk):
    challenge = _followable(request, pk)
    services.follow_delete(user=request.user, challenge=challenge)
    messages.success(request, _("You no longer follow this challenge."))
    return redirect(challenge)
