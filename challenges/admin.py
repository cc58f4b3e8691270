"""The civil servants' workplace. Every change made here goes through the same
services as the public site; the stage is read-only and changes only through the
transition form."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.views import ServiceFormView

from . import page_cache, permissions, services
from .constants import Status
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


class AssessmentFormSet(forms.BaseInlineFormSet):
    request = None

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


class AssessmentInline(admin.TabularInline):
    model = Assessment
    formset = AssessmentFormSet
    fields = ("criterion", "score", "motivation", "reviewer", "updated_at")
    readonly_fields = ("reviewer", "updated_at")
    extra = 0
    can_delete = False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset

    def get_extra(self, request, obj=None, **kwargs):
        if obj is None or not permissions.can_assess(request.user, obj):
            return 0
        done = obj.assessments.count()
        return max(Criterion.objects.filter(is_active=True).count() - done, 0)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion", "reviewer")


class TimelineEventInline(admin.TabularInline):
    model = TimelineEvent
    fk_name = "challenge"
    fields = ("created_at", "code", "visibility", "actor", "actor_role", "data")
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

    def perform(self, form):
        result = services.challenge_transition(
            challenge=self.challenge,
            to_status=form.cleaned_data["to_status"],
            actor=self.request.user,
            motivation=form.cleaned_data["motivation"],
            expected_status=form.cleaned_data["expected_status"],
        )
        self.challenge.refresh_from_db()
        return result

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
        "due_at",
        "overdue",
        "submitted_at",
    )
    list_filter = ("status", "neighbourhood", "task", OverdueFilter)
    search_fields = ("reference", "title")
    list_select_related = ("task", "neighbourhood")
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
        return [f.name for f in Challenge._meta.fields]

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
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not inline_form.cleaned_data:
                continue
            data = inline_form.cleaned_data
            try:
                services.assessment_record(
                    challenge=form.instance,
                    criterion=data["criterion"],
                    actor=request.user,
                    score=data["score"],
                    motivation=data["motivation"],
                )
            except services.ServiceError as error:
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


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(PublishedContentAdmin):
    search_fields = ("name",)


@admin.register(Criterion)
class CriterionAdmin(PublishedContentAdmin):
    list_display = ("name_nl", "name_en", "order", "is_active")
    list_editable = ("order", "is_active")


@admin.register(StageTarget)
class StageTargetAdmin(PublishedContentAdmin):
    list_display = ("status", "days", "basis")

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
    list_display = ("created_at", "challenge", "code", "visibility", "actor_role")
    list_filter = ("visibility", "code")
    search_fields = ("challenge__reference",)
    list_select_related = ("challenge",)

    def get_queryset(self, request):
        # A draft's events belong to its team until it is submitted, as in the
        # challenge admin.
        return super().get_queryset(request).exclude(challenge__status=Status.DRAFT)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in TimelineEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
