"""The civil servants' workplace. Every change made here goes through the same
services as the public site; the stage is read-only and changes only through the
transition form."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import ServiceError
from core.views import ServiceFormView

from . import map as neighbourhood_map
from . import page_cache, permissions, registry, rendering, services, workflow
from .constants import OPEN_STATUSES, STAGE_LINE, Role, Status
from .forms import NoteForm, TransitionForm
from .models import (
    Assessment,
    Challenge,
    Criterion,
    Invitation,
    Neighbourhood,
    StageTarget,
    Task,
    TimelineEvent,
)


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("On time"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(due_at__lt=now)
        if self.value() == "no":
            return queryset.exclude(due_at__lt=now)
        return queryset


class AssignedFilter(admin.SimpleListFilter):
    """ "Assigned to me", and "my queue": mine in an open stage, oldest target first
    (the ordering is `ChallengeAdmin.get_ordering`)."""

    title = _("assigned reviewer")
    parameter_name = "assigned"
    QUEUE = "queue"

    def lookups(self, request, model_admin):
        return [
            ("me", _("Assigned to me")),
            (self.QUEUE, _("My queue: open, oldest target first")),
            ("nobody", _("Not assigned")),
        ]

    def queryset(self, request, queryset):
        mine = Q(assigned_reviewer=request.user) | Q(
            pk__in=Challenge.co_reviewers.through.objects.filter(user=request.user).values(
                "challenge_id"
            )
        )
        if self.value() == "me":
            return queryset.filter(mine)
        if self.value() == self.QUEUE:
            return queryset.filter(mine, status__in=OPEN_STATUSES)
        if self.value() == "nobody":
            return queryset.filter(assigned_reviewer__isnull=True)
        return queryset


class AssessmentFormSet(forms.BaseInlineFormSet):
    """One row per active criterion: the rows already scored, then one prefilled row
    (criterion fixed, shown as a label) for each criterion still to score."""

    request = None

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if i >= self.initial_form_count():
            # The prefilled criterion, so that the read-only label can name it.
            criterion_id = form.initial.get("criterion")
            if criterion_id:
                form.instance.criterion = self._criteria().get(criterion_id)
        return form

    def _criteria(self) -> dict:
        if not hasattr(self, "_criteria_by_pk"):
            self._criteria_by_pk = Criterion.objects.in_bulk()
        return self._criteria_by_pk

    def clean(self):
        super().clean()
        changed = [f for f in self.forms if f.has_changed() and not f.cleaned_data.get("DELETE")]
        if changed and not permissions.can_assess(self.request.user, self.instance):
            raise ValidationError(
                _(
                    "Criteria can be assessed only in the assessment and decision stages, "
                    "by a reviewer or coordinator."
                )
            )
        for form in changed:
            criterion = form.cleaned_data.get("criterion")
            if form.instance.pk is None and criterion is not None and not criterion.is_active:
                raise ValidationError(_("This criterion is no longer in use."))


class AssessmentInline(admin.TabularInline):
    model = Assessment
    formset = AssessmentFormSet
    fields = ("criterion_label", "criterion", "score", "motivation", "reviewer", "updated_at")
    readonly_fields = ("criterion_label", "reviewer", "updated_at")
    extra = 0
    can_delete = False
    verbose_name_plural = _("assessment (internal until published)")

    @admin.display(description=_("criterion"))
    def criterion_label(self, obj):
        criterion = getattr(obj, "criterion", None) if obj.criterion_id else None
        return criterion.name if criterion else ""

    def get_formset(self, request, obj=None, **kwargs):
        # The criterion travels as a hidden field: the row is offered, not chosen.
        kwargs["widgets"] = {**kwargs.get("widgets", {}), "criterion": forms.HiddenInput}
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset

    @staticmethod
    def missing_criteria(obj) -> list[Criterion]:
        done = set(obj.assessments.values_list("criterion_id", flat=True))
        return [c for c in Criterion.objects.filter(is_active=True) if c.pk not in done]

    def get_extra(self, request, obj=None, **kwargs):
        if obj is None or not permissions.can_assess(request.user, obj):
            return 0
        return len(self.missing_criteria(obj))

    def get_max_num(self, request, obj=None, **kwargs):
        # No "add another" row: every criterion already has its row.
        if obj is None:
            return 0
        return obj.assessments.count() + self.get_extra(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion", "reviewer")


def _rendered_event(event) -> str:
    """The event as the site shows it (its timeline template), not its raw data."""
    if event.pk is None:  # the admin's blank template row
        return ""
    if event.is_erased:
        return _(
            "Content removed (at the request of the person concerned, "
            "or a post the municipality hid)."
        )
    # Our own templates' output, escaped by them.
    html = rendering.render(event, show_parties=True)
    return format_html('<div class="rtc-admin-event">{}</div>', mark_safe(html))  # noqa: S308


class TimelineEventInline(admin.TabularInline):
    model = TimelineEvent
    fk_name = "challenge"
    fields = ("created_at", "code", "visibility", "actor", "actor_role", "rendered")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-created_at", "-pk")
    verbose_name = _("timeline event")
    verbose_name_plural = _("timeline (read-only, newest first)")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("what happened"))
    def rendered(self, obj):
        return _rendered_event(obj)


class ChallengeAdminFormView(ServiceFormView):
    """A form page of a challenge in the admin whose change a service makes; back to
    the challenge afterwards. Called from a `ChallengeAdmin` view (`model_admin`)."""

    model_admin = None

    def dispatch(self, request, *args, **kwargs):
        self.challenge = self.model_admin._challenge_for(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self):
        return reverse("admin:challenges_challenge_change", args=[self.challenge.pk])

    def get_context_data(self, **kwargs):
        return {
            **self.model_admin.admin_site.each_context(self.request),
            **super().get_context_data(**kwargs),
            "challenge": self.challenge,
            "opts": self.model_admin.model._meta,
        }


class AdminTransitionView(ChallengeAdminFormView):
    """Change the stage: only the edges of the transition table open to the user's roles."""

    form_class = TransitionForm
    template_name = "admin/challenges/challenge/transition.html"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "challenge": self.challenge,
            "roles": permissions.staff_roles(self.request.user),
        }

    contact_persons_url = ""

    def perform(self, form):
        try:
            result = services.challenge_transition(
                challenge=self.challenge,
                to_status=form.cleaned_data["to_status"],
                actor=self.request.user,
                motivation=form.cleaned_data["motivation"],
                expected_status=form.cleaned_data["expected_status"],
            )
        except ServiceError:
            edge = workflow.find_edge(self.challenge.status, form.cleaned_data["to_status"])
            if (
                edge
                and edge.guard == workflow.CONTACT_PERSONS_ASSIGNED
                and edge.missing(self.challenge)
            ):
                self.contact_persons_url = self._contact_persons_url()
            raise
        self.challenge.refresh_from_db()
        return result

    def _contact_persons_url(self) -> str:
        """Where the contact persons are set: the workspace (partnerships fills the
        guard; its URL is looked up by name, so challenges imports nothing of it)."""
        try:
            return reverse(
                "partnerships:workspace-contact-persons", kwargs={"pk": self.challenge.pk}
            )
        except NoReverseMatch:
            return ""

    def get_success_message(self):
        return _("%(reference)s is now in stage “%(stage)s”.") % {
            "reference": self.challenge.reference,
            "stage": self.challenge.get_status_display(),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {
            **context,
            "title": _("Change the stage of %(reference)s")
            % {"reference": self.challenge.reference},
            "has_edges": bool(context["form"].edges),
            "contact_persons_url": self.contact_persons_url,
        }


class PublishAssessmentForm(forms.Form):
    """Nothing to fill in: the button confirms the step."""


class AdminPublishAssessmentView(ChallengeAdminFormView):
    """Show the scores to the parties (the challenge page and its timeline)."""

    form_class = PublishAssessmentForm
    template_name = "admin/challenges/challenge/publish_assessment.html"
    success_message = _("The assessment is published: the parties now see the scores.")

    def perform(self, form):
        return services.assessment_publish(challenge=self.challenge, actor=self.request.user)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": _("Publish the assessment of %(reference)s")
            % {"reference": self.challenge.reference},
            "assessments": self.challenge.assessments.select_related("criterion"),
            "missing": AssessmentInline.missing_criteria(self.challenge),
        }


def _reviewers():
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(is_staff=True, groups__name=permissions.REVIEWER_GROUP))
        .distinct()
        .order_by("display_name", "email")
    )


class AssignReviewerForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Lead reviewer"), queryset=None)
    co_reviewers = forms.ModelMultipleChoiceField(
        label=_("Other reviewers"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They assess with the lead reviewer and see it under “Assigned to me”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("reviewer", "co_reviewers"):
            self.fields[name].queryset = _reviewers()
            self.fields[name].label_from_instance = lambda user: user.name
        self.fields["reviewer"].error_messages["invalid_choice"] = _("Choose an active reviewer.")
        self.fields["co_reviewers"].error_messages["invalid_choice"] = _(
            "Choose active reviewers only."
        )
        self.fields["co_reviewers"].error_messages["invalid_pk_value"] = _(
            "Choose active reviewers only."
        )


class AdminAssignReviewerView(ChallengeAdminFormView):
    form_class = AssignReviewerForm
    template_name = "admin/challenges/challenge/assign_reviewer.html"

    def dispatch(self, request, *args, **kwargs):
        if Role.COORDINATOR not in permissions.staff_roles(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {
            "reviewer": self.challenge.assigned_reviewer_id,
            "co_reviewers": list(self.challenge.co_reviewers.values_list("pk", flat=True)),
        }

    def perform(self, form):
        return services.challenge_assign_reviewer(
            challenge=self.challenge,
            actor=self.request.user,
            reviewer=form.cleaned_data["reviewer"],
            co_reviewers=list(form.cleaned_data["co_reviewers"]),
        )

    def get_success_message(self):
        return _("%(reference)s is assigned to %(name)s.") % {
            "reference": self.challenge.reference,
            "name": self.result.assigned_reviewer.name,
        }

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": _("Assign a reviewer to %(reference)s")
            % {"reference": self.challenge.reference},
        }


class AdminNoteView(ChallengeAdminFormView):
    form_class = NoteForm
    template_name = "admin/challenges/challenge/note.html"
    success_message = _("The note is on the timeline.")

    def perform(self, form):
        return services.challenge_add_note(
            challenge=self.challenge, actor=self.request.user, **form.cleaned_data
        )

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": _("Add a note to %(reference)s") % {"reference": self.challenge.reference},
        }


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "title",
        "status",
        "task",
        "neighbourhood",
        "assigned_reviewer",
        "due_at",
        "overdue",
        "submitted_at",
    )
    list_filter = (AssignedFilter, "status", "neighbourhood", "task", OverdueFilter)
    search_fields = ("reference", "title")
    list_select_related = ("task", "neighbourhood", "assigned_reviewer")
    date_hierarchy = "submitted_at"
    inlines = [AssessmentInline, TimelineEventInline]
    fieldsets = (
        (
            _("Process"),
            {
                "fields": (
                    "reference",
                    "status",
                    "held_from_status",
                    "status_changed_at",
                    "due_at",
                    "submitted_at",
                    "decision_motivation",
                    "assigned_reviewer",
                    "other_reviewers",
                    "assessment_published_at",
                )
            },
        ),
        (
            _("Plan"),
            {
                "fields": (
                    "title",
                    "summary",
                    "task",
                    "neighbourhood",
                    "approach",
                    "social_value",
                    "budget_requested",
                    "legal_form",
                    "team_description",
                    "support_evidence",
                )
            },
        ),
    )
    change_form_template = "admin/challenges/challenge/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Challenge._meta.fields] + ["other_reviewers"]

    @admin.display(description=_("other reviewers"))
    def other_reviewers(self, obj) -> str:
        names = sorted(user.name for user in obj.co_reviewers.all())
        return ", ".join(names) or "–"

    def get_ordering(self, request):
        if request.GET.get(AssignedFilter.parameter_name) == AssignedFilter.QUEUE:
            # My queue: the oldest target first; without a target, last.
            return [F("due_at").asc(nulls_last=True), "submitted_at", "pk"]
        return super().get_ordering(request)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, AssessmentInline) and obj is not None:
            kwargs["initial"] = [{"criterion": c.pk} for c in inline.missing_criteria(obj)]
        return kwargs

    def changelist_view(self, request, extra_context=None):
        queue = self.get_queryset(request).filter(
            assigned_reviewer=request.user, status__in=OPEN_STATUSES
        )
        extra_context = {**(extra_context or {}), "my_queue_count": queue.count()}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        challenge = self.get_object(request, unquote(object_id))  # None if unknown or invalid
        extra_context = {
            **(extra_context or {}),
            "can_publish_assessment": bool(
                challenge
                and challenge.assessment_published_at is None
                and permissions.can_assess(request.user, challenge)
                and challenge.assessments.exists()
            ),
            "can_assign_reviewer": Role.COORDINATOR in permissions.staff_roles(request.user),
            # Figures higher apps give the reviewer (registry.register_review_facts).
            "review_facts": [fact for facts in registry.review_facts() for fact in facts(challenge)]
            if challenge
            else [],
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(boolean=True, description=_("overdue"))
    def overdue(self, obj):
        return obj.is_overdue

    def get_queryset(self, request):
        # Drafts belong to the challenger team until they are submitted.
        return super().get_queryset(request).exclude(status=Status.DRAFT)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """The challenge itself is read-only here; only its inlines are saved."""

    def save_formset(self, request, form, formset, change):
        # Nothing is saved by the formset itself; the admin's change message reads these.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is not Assessment:
            return
        scores = []
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not inline_form.cleaned_data:
                continue
            data = inline_form.cleaned_data
            # A row already saved keeps its criterion, whatever the hidden field says.
            criterion = inline_form.instance.criterion if inline_form.instance.pk else None
            scores.append((criterion or data["criterion"], data["score"], data["motivation"]))
        if not scores:
            return
        # The whole page is one save: one event, one message per person concerned.
        try:
            services.assessment_record_many(
                challenge=form.instance, actor=request.user, scores=scores
            )
        except ServiceError as error:
            messages.error(request, " ".join(error.messages))

    def get_urls(self):
        urls = super().get_urls()
        own = [
            path(
                "<int:pk>/transition/",
                self.admin_site.admin_view(self.transition_view),
                name="challenges_challenge_transition",
            ),
            path(
                "<int:pk>/note/",
                self.admin_site.admin_view(self.note_view),
                name="challenges_challenge_note",
            ),
            path(
                "<int:pk>/publish-assessment/",
                self.admin_site.admin_view(self.publish_assessment_view),
                name="challenges_challenge_publish_assessment",
            ),
            path(
                "<int:pk>/assign-reviewer/",
                self.admin_site.admin_view(self.assign_reviewer_view),
                name="challenges_challenge_assign_reviewer",
            ),
        ]
        return own + urls

    def _challenge_for(self, request, pk) -> Challenge:
        challenge = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, challenge):
            raise PermissionDenied
        return challenge

    def transition_view(self, request, pk):
        return AdminTransitionView.as_view(model_admin=self)(request, pk=pk)

    def note_view(self, request, pk):
        return AdminNoteView.as_view(model_admin=self)(request, pk=pk)

    def publish_assessment_view(self, request, pk):
        return AdminPublishAssessmentView.as_view(model_admin=self)(request, pk=pk)

    def assign_reviewer_view(self, request, pk):
        return AdminAssignReviewerView.as_view(model_admin=self)(request, pk=pk)


class PublishedContentAdmin(admin.ModelAdmin):
    """For what the public pages show (tasks, neighbourhoods, criteria, stage
    targets): a change drops the cached public pages once it is committed."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(page_cache.invalidate)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(page_cache.invalidate)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        transaction.on_commit(page_cache.invalidate)


@admin.register(Task)
class TaskAdmin(PublishedContentAdmin):
    list_display = ("name", "department", "current_yearly_cost", "is_active")
    list_filter = ("is_active", "department")
    search_fields = ("name", "department")


class GeoJSONField(forms.JSONField):
    """A boundary pasted as GeoJSON: a geometry, a Feature or a FeatureCollection of
    one Feature, refused with what is wrong (challenges.map.clean_boundary)."""

    def to_python(self, value):
        if self.disabled:
            return value
        if value in self.empty_values:
            return None
        try:
            return neighbourhood_map.clean_boundary(value)
        except ValidationError as error:
            raise ValidationError(error.messages, code="invalid_boundary") from error


# A GeoJSON file of one neighbourhood is a few kilobytes; MAX_POINTS points fit well
# within this.
MAX_GEOJSON_FILE = 1024 * 1024


class NeighbourhoodAdminForm(forms.ModelForm):
    boundary = GeoJSONField(
        label=_("Boundary (GeoJSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text=_(
            "Paste a GeoJSON Polygon or MultiPolygon in longitude and latitude (WGS 84), "
            "a Feature holding one, or upload a .geojson file below. Leave both empty to "
            "take the neighbourhood off the map (it stays in the table)."
        ),
    )
    boundary_file = forms.FileField(
        label=_("Or upload a GeoJSON file"),
        required=False,
        help_text=_("A .geojson or .json file of at most 1 MB; it replaces what is pasted above."),
    )

    class Meta:
        model = Neighbourhood
        fields = ["name", "boundary"]

    def clean_boundary_file(self):
        upload = self.cleaned_data.get("boundary_file")
        if not upload:
            return None
        if upload.size > MAX_GEOJSON_FILE:
            raise ValidationError(_("The file is larger than 1 MB; a boundary is far smaller."))
        try:
            return neighbourhood_map.clean_boundary(upload.read(MAX_GEOJSON_FILE + 1))
        except ValidationError as error:
            raise ValidationError(error.messages, code="invalid_boundary") from error

    def clean(self):
        data = super().clean()
        if data.get("boundary_file"):
            data["boundary"] = data["boundary_file"]
            self.errors.pop("boundary", None)
        return data


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(PublishedContentAdmin):
    """The map is on the cached public pages: a change of a boundary drops them once
    it is committed (PublishedContentAdmin)."""

    form = NeighbourhoodAdminForm
    list_display = ("name", "on_the_map")
    search_fields = ("name",)

    @admin.display(description=_("on the map"), boolean=True)
    def on_the_map(self, obj):
        return bool(obj.boundary)


@admin.register(Criterion)
class CriterionAdmin(PublishedContentAdmin):
    list_display = ("name_nl", "name_en", "order", "is_active")
    list_editable = ("order", "is_active")


@admin.register(StageTarget)
class StageTargetAdmin(PublishedContentAdmin):
    list_display = ("status", "days", "basis")

    def get_ordering(self, request):
        # The order of the process, not the alphabet of the stage codes.
        order = [*STAGE_LINE, *(s for s in Status.values if s not in STAGE_LINE)]
        return [
            Case(
                *(When(status=status, then=Value(i)) for i, status in enumerate(order)),
                default=Value(len(order)),
                output_field=IntegerField(),
            ).asc(),
            "pk",
        ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        count = services.stage_target_apply(target=obj)
        self.message_user(
            request,
            ngettext(
                "The due date of %(count)d challenge was recomputed.",
                "The due dates of %(count)d challenges were recomputed.",
                count,
            )
            % {"count": count},
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("challenge", "email", "created_at", "accepted_at")
    # The token is the invitee's key to the team: no one else sees it, staff included.
    readonly_fields = (
        "challenge",
        "email",
        "invited_by",
        "user",
        "created_at",
        "sent_at",
        "accepted_at",
    )
    exclude = ("token",)

    def get_queryset(self, request):
        # A draft's invitations belong to its team, like the draft itself.
        return (
            super()
            .get_queryset(request)
            .exclude(challenge__status=Status.DRAFT)
            .select_related("challenge")
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TimelineEvent)
class TimelineEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "of_challenge", "code", "visibility", "actor_role", "rendered")
    list_filter = ("visibility", "code")
    search_fields = ("challenge__reference",)
    list_select_related = ("challenge",)

    def get_queryset(self, request):
        # A draft's events belong to its team until it is submitted, as in the
        # challenge admin.
        return super().get_queryset(request).exclude(challenge__status=Status.DRAFT)

    def get_readonly_fields(self, request, obj=None):
        return [self._shown(f.name) for f in TimelineEvent._meta.fields]

    def get_fields(self, request, obj=None):
        return [self._shown(f.name) for f in TimelineEvent._meta.fields if f.name != "id"]

    @staticmethod
    def _shown(name: str) -> str:
        # The event as text instead of its raw JSON data; the challenge under a
        # translated label (the field has no verbose name of its own).
        return {"data": "rendered", "challenge": "of_challenge"}.get(name, name)

    @admin.display(description=_("challenge"), ordering="challenge")
    def of_challenge(self, obj):
        return obj.challenge

    @admin.display(description=_("what happened"))
    def rendered(self, obj):
        return _rendered_event(obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
