"""The read-only API: the public challenges, their public timelines, the process log
and its head, the criteria, the tasks, the neighbourhoods and the statistics.

Every read goes through the selector the public page uses (challenges.selectors,
insights.selectors), with an anonymous reader, whoever asks: a logged-in person
reads here what everyone reads, never a draft of their own, never an event for the
parties. Bad parameters are answered 400 with what is wrong, a challenge that is
not public 404, and every answer is JSON, also the errors.

Open data: any web page may read it (Access-Control-Allow-Origin: *, no cookies).
"""

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse as django_reverse
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from challenges import chain, selectors
from challenges.models import Challenge, Neighbourhood, Task
from insights.selectors import public_statistics

from . import serializers
from .pagination import ChallengePagination, SeqCursorPagination, query_values

# The longest id that fits a database integer: longer ones are simply not found.
MAX_ID_DIGITS = 18


def _open_data(response):
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Accept, Accept-Language"
    response["Access-Control-Expose-Headers"] = "Retry-After, Content-Language"
    return response


class OpenDataMixin:
    """Read-only, anyone's, readable from other sites."""

    http_method_names = ["get", "head", "options"]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return _open_data(response)


CHALLENGE_ID = OpenApiParameter(
    "id", int, OpenApiParameter.PATH, description="The challenge's id (`id` in the list)."
)


def public_challenge(pk) -> Challenge:
    """The submitted challenge with this id, or 404 (a draft, or no such challenge)."""
    text = str(pk)
    if not text.isascii() or not text.isdigit() or len(text) > MAX_ID_DIGITS:
        raise Http404
    try:
        return selectors.public_challenges().get(pk=int(text))
    except Challenge.DoesNotExist:
        raise Http404 from None


def _params(serializer_class, request) -> dict:
    params = serializer_class(data=query_values(request))
    params.is_valid(raise_exception=True)
    return params.validated_data


class ApiRootView(OpenDataMixin, APIView):
    """Where everything is."""

    @extend_schema(
        summary="The endpoints of this version",
        tags=["api"],
        responses={200: {"type": "object", "additionalProperties": {"type": "string"}}},
    )
    def get(self, request):
        names = [
            "challenge-list",
            "log",
            "log-head",
            "criterion-list",
            "task-list",
            "neighbourhood-list",
            "statistics",
        ]
        links = {name: reverse(f"api:{name}", request=request) for name in names}
        links["schema"] = reverse("api:schema", request=request)
        return Response(links)


@extend_schema(
    summary="Public challenges",
    tags=["challenges"],
    description="Every submitted challenge (never a draft), newest submission first.",
    parameters=[serializers.ChallengeListParams],
)
class ChallengeListView(OpenDataMixin, generics.ListAPIView):
    serializer_class = serializers.ChallengeSerializer
    pagination_class = ChallengePagination

    def get_queryset(self):
        filters = _params(serializers.ChallengeListParams, self.request)
        queryset = selectors.filter_challenges(selectors.public_challenges(), **filters)
        # A total order, so that no challenge falls between two pages.
        return queryset.order_by("-submitted_at", "-pk")


@extend_schema(
    summary="A public challenge",
    tags=["challenges"],
    description="Its published plan and stage, as on its public page.",
    parameters=[CHALLENGE_ID],
)
class ChallengeDetailView(OpenDataMixin, generics.RetrieveAPIView):
    serializer_class = serializers.ChallengeDetailSerializer
    queryset = Challenge.objects.none()  # for the schema: public_challenge() reads

    def get_object(self):
        return public_challenge(self.kwargs["pk"])


@extend_schema(
    summary="A challenge's public timeline",
    tags=["challenges"],
    description="Its public events, oldest first, as on its public page.",
    parameters=[CHALLENGE_ID],
)
class ChallengeTimelineView(OpenDataMixin, generics.ListAPIView):
    serializer_class = serializers.EventSerializer
    pagination_class = SeqCursorPagination
    queryset = Challenge.objects.none()  # for the schema: the id is a challenge's

    def get_queryset(self):
        challenge = public_challenge(self.kwargs["pk"])
        return selectors.timeline_for(AnonymousUser(), challenge)


@extend_schema(
    summary="The public process log",
    tags=["process log"],
    description=(
        "Every public event of every submitted challenge, in the order of the log "
        "(by seq). Poll `?after=<last_seq>` for what was added since."
    ),
    parameters=[serializers.LogParams],
)
class LogView(OpenDataMixin, generics.ListAPIView):
    serializer_class = serializers.LogEntrySerializer
    pagination_class = SeqCursorPagination

    def get_queryset(self):
        return selectors.public_log(**_params(serializers.LogParams, self.request))


class LogHeadView(OpenDataMixin, APIView):
    @extend_schema(
        summary="The head of the process log",
        tags=["process log"],
        description=(
            "Its size and the chain hash of its last entry: whoever keeps it can later "
            "check that the log only grew (see /log/export.json)."
        ),
        responses=serializers.HeadSerializer,
    )
    def get(self, request):
        head = chain.current_head()
        return Response({"size": head.size, "hash": head.hash, "head": str(head)})


@extend_schema(summary="The assessment criteria in use", tags=["catalogue"])
class CriterionListView(OpenDataMixin, generics.ListAPIView):
    serializer_class = serializers.CriterionSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.public_criteria()


@extend_schema(
    summary="The tasks a challenge can take over (and those it could)", tags=["catalogue"]
)
class TaskListView(OpenDataMixin, generics.ListAPIView):
    serializer_class = serializers.TaskSerializer
    pagination_class = None
    queryset = Task.objects.all()


@extend_schema(summary="The neighbourhoods", tags=["catalogue"])
class NeighbourhoodListView(OpenDataMixin, generics.ListAPIView):
    serializer_class = serializers.NeighbourhoodSerializer
    pagination_class = None
    queryset = Neighbourhood.objects.all()


class StatisticsView(OpenDataMixin, APIView):
    @extend_schema(
        summary="The public statistics",
        tags=["statistics"],
        description="The figures of the statistics page: challenges per stage, "
        "neighbourhood and task, the time to a decision against its target, the share "
        "accepted and the active partnerships. Only public data.",
        responses=serializers.StatisticsSerializer,
    )
    def get(self, request):
        return Response(serializers.StatisticsSerializer(public_statistics()).data)


class SchemaView(OpenDataMixin, SpectacularAPIView):
    """The OpenAPI 3 description: YAML, or JSON with ?format=json (or Accept)."""


def docs(request):
    """A plain page about the API: its endpoints and the schema (no script at all)."""
    context = {
        "anon_rate": _rate_text(api_settings.DEFAULT_THROTTLE_RATES.get("anon")),
        "log_export_url": request.build_absolute_uri(django_reverse("challenges:log-export-json")),
    }
    return render(request, "api/docs.html", context)


def _rate_text(rate: str | None) -> str:
    """ "120/minute" in the reader's language: "120 per minute"."""
    if not rate:
        return gettext("as many")
    number, _slash, period = rate.partition("/")
    periods = {
        "s": gettext("per second"),
        "m": gettext("per minute"),
        "h": gettext("per hour"),
        "d": gettext("per day"),
    }
    return f"{number} {periods.get(period[:1], '/' + period)}"
