"""What the API shows of each thing: exactly what the public pages show.

A challenge carries its plan as published on submission
(`challenges.constants.PUBLISHED_ON_SUBMIT`), its stage and due date, and the
decision's motivation; never who is on the team. An event carries what the process
log export publishes of a public entry (code, role, data, time, its place in the
chain), never who wrote it; an erased entry keeps its place and says `erased`, with
no data, as the pages show "content removed". Labels are in the language asked for
(Accept-Language: nl or en).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from challenges import registry
from challenges.constants import Status
from challenges.models import Challenge, Criterion, Neighbourhood, Task, TimelineEvent
from challenges.paging import MAX_CURSOR
from core.forms import EARLIEST_DATE, LATEST_DATE


class NeighbourhoodSerializer(serializers.ModelSerializer):
    class Meta:
        model = Neighbourhood
        fields = ["id", "name"]


class TaskRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "name"]


class TaskSerializer(serializers.ModelSerializer):
    open_to_challenges = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = Task
        fields = ["id", "name", "department", "description", "current_yearly_cost"]
        fields += ["open_to_challenges"]


class CriterionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="In the language asked for.")
    description = serializers.CharField(read_only=True, help_text="In the language asked for.")

    class Meta:
        model = Criterion
        fields = ["id", "order", "name", "description"]
        fields += ["name_nl", "name_en", "description_nl", "description_en"]


class ChallengeSerializer(serializers.ModelSerializer):
    """A challenge in a list: enough to find it and to know where it stands."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    task = TaskRefSerializer(read_only=True, allow_null=True)
    neighbourhood = NeighbourhoodSerializer(read_only=True, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True)
    url = serializers.SerializerMethodField(help_text="The challenge's public page.")
    api_url = serializers.SerializerMethodField()
    timeline_url = serializers.SerializerMethodField()

    class Meta:
        model = Challenge
        fields = [
            "id",
            "reference",
            "title",
            "summary",
            "status",
            "status_label",
            "held_from_status",
            "task",
            "neighbourhood",
            "submitted_at",
            "status_changed_at",
            "due_at",
            "is_overdue",
            "url",
            "api_url",
            "timeline_url",
        ]

    def _absolute(self, url: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, challenge) -> str:
        return self._absolute(challenge.get_absolute_url())

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, challenge) -> str:
        return self._absolute(reverse("api:challenge-detail", kwargs={"pk": challenge.pk}))

    @extend_schema_field(OpenApiTypes.URI)
    def get_timeline_url(self, challenge) -> str:
        return self._absolute(reverse("api:challenge-timeline", kwargs={"pk": challenge.pk}))


class ChallengeDetailSerializer(ChallengeSerializer):
    """A challenge with its whole published plan, as on its public page."""

    legal_form_label = serializers.CharField(source="get_legal_form_display", read_only=True)

    class Meta(ChallengeSerializer.Meta):
        fields = ChallengeSerializer.Meta.fields + [
            "approach",
            "social_value",
            "budget_requested",
            "legal_form",
            "legal_form_label",
            "team_description",
            "support_evidence",
            "decision_motivation",
        ]


class ChallengeRefSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The challenge's public page.")

    class Meta:
        model = Challenge
        fields = ["id", "reference", "title", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, challenge) -> str:
        request = self.context.get("request")
        url = challenge.get_absolute_url()
        return request.build_absolute_uri(url) if request is not None else url


class EventSerializer(serializers.ModelSerializer):
    """One public entry of a challenge's timeline (and of the process log)."""

    code = serializers.CharField(read_only=True)
    label = serializers.SerializerMethodField(help_text="The event's name.")
    erased = serializers.BooleanField(
        source="is_erased",
        read_only=True,
        help_text="Its content was removed (at the request of the person concerned, or a post "
        "the municipality hid); "
        "it keeps its place in the log, its data is null.",
    )
    data = serializers.SerializerMethodField(
        help_text="What the event records, by its code (as in the process log export)."
    )
    corrects = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The id of the event this one corrects."
    )

    class Meta:
        model = TimelineEvent
        fields = [
            "id",
            "seq",
            "created_at",
            "code",
            "label",
            "actor_role",
            "data",
            "erased",
            "corrects",
            "digest",
            "chain_hash",
        ]

    def get_label(self, event) -> str:
        return registry.event_label(event.code)

    @extend_schema_field(
        {"type": "object", "additionalProperties": True, "nullable": True, "readOnly": True}
    )
    def get_data(self, event):
        return None if event.is_erased else event.data


class LogEntrySerializer(EventSerializer):
    """An entry of the public process log: an event and its challenge."""

    challenge = ChallengeRefSerializer(read_only=True)

    class Meta(EventSerializer.Meta):
        fields = EventSerializer.Meta.fields + ["challenge"]


class HeadSerializer(serializers.Serializer):
    size = serializers.IntegerField(help_text="How many entries the log has.")
    hash = serializers.CharField(help_text="The chain hash of the last entry (64 hex digits).")
    head = serializers.CharField(help_text="SIZE:HASH, as verify_log and /log/head.json say it.")


# -- Filters -------------------------------------------------------------------------

PUBLIC_STATUSES = [(value, label) for value, label in Status.choices if value != Status.DRAFT]


class ChallengeFilterParams(serializers.Serializer):
    """The filters of the public lists. An id that does not exist matches nothing."""

    status = serializers.ChoiceField(choices=PUBLIC_STATUSES, required=False)
    neighbourhood = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_CURSOR, help_text="A neighbourhood's id."
    )
    task = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_CURSOR, help_text="A task's id."
    )


class ChallengeListParams(ChallengeFilterParams):
    overdue = serializers.BooleanField(
        required=False, default=False, help_text="Only challenges past their response date."
    )


@extend_schema_field(
    {
        "type": "string",
        "format": "date",
        "pattern": r"^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$",
        "description": "A day between 1900-01-01 and 2999-12-31.",
    }
)
class BoundedDateField(serializers.DateField):
    """A day between 1900 and 2999, as the log page's filter takes (core.forms)."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            raise serializers.ValidationError(
                _("Enter a date between %(earliest)s and %(latest)s.")
                % {"earliest": EARLIEST_DATE.year, "latest": LATEST_DATE.year}
            )
        return day


class LogParams(ChallengeFilterParams):
    """A period that ends before it starts holds no entries: the answer is empty."""

    date_from = BoundedDateField(required=False, help_text="From this day (YYYY-MM-DD).")
    date_to = BoundedDateField(
        required=False, help_text="Up to and including this day (YYYY-MM-DD)."
    )


# -- Statistics (insights.selectors.public_statistics, served as it is) ---------------


class StageCountSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField(min_value=0)
    main_line = serializers.BooleanField(help_text="A stop of the main line (else a side stop).")


class CatalogueCountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    count = serializers.IntegerField(min_value=0)


class DecisionTimeSerializer(serializers.Serializer):
    decided = serializers.IntegerField(min_value=0, help_text="Challenges with a decision.")
    median_days = serializers.FloatField(
        allow_null=True, help_text="Median days from submission to decision."
    )
    target_days = serializers.IntegerField(
        allow_null=True, help_text="The decision stage's target in days."
    )
    target_basis = serializers.CharField(help_text="What the target counts from.")
    within_target = serializers.IntegerField(min_value=0)
    share_within_target = serializers.FloatField(allow_null=True, min_value=0, max_value=1)


class DecisionsSerializer(serializers.Serializer):
    accepted = serializers.IntegerField(min_value=0)
    rejected = serializers.IntegerField(min_value=0)
    share_accepted = serializers.FloatField(allow_null=True, min_value=0, max_value=1)


class StatisticsSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    total = serializers.IntegerField(min_value=0, help_text="Public (submitted) challenges.")
    stages = StageCountSerializer(many=True)
    neighbourhoods = CatalogueCountSerializer(many=True)
    tasks = CatalogueCountSerializer(many=True)
    decision_time = DecisionTimeSerializer()
    decisions = DecisionsSerializer()
    active_partnerships = serializers.IntegerField(
        min_value=0, help_text="Challenges in execution or evaluation."
    )
