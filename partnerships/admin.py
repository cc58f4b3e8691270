"""The civil servants' side of the partnerships in the admin.

Every record is read-only here; every change is a small form that calls the same
service as the workspace (`ServiceFormMixin.service_form_view`), so the same rules,
messages and timeline events apply. Reflection answers are shown only once both
sides have answered, exactly as in the workspace.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from challenges.constants import Status
from challenges.models import Challenge
from core.errors import ServiceError

from . import selectors, services
from .constants import REFLECTION_QUESTIONS, KnotStatus, Side, VersionStatus
from .forms import (
    AgreementForm,
    DocumentForm,
    KnotForm,
    KnotResolveForm,
    MemberForm,
    MessageForm,
    MilestoneForm,
    MilestoneUpdateForm,
    ReflectionAnswerForm,
    ReflectionRequestForm,
    SignForm,
)
from .models import (
    AgreementSignature,
    AgreementVersion,
    ContactPerson,
    Document,
    Knot,
    Message,
    Milestone,
    Organisation,
    OrganisationMember,
    ReflectionRound,
)


def _posted(request, files=False):
    """The submitted data of a POST (even when empty), None for a GET."""
    if request.method != "POST":
        return None
    return request.FILES if files else request.POST


class ChallengeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.reference} {obj.title}"


def _challenge_field():
    return ChallengeChoiceField(
        label=_("Challenge"),
        queryset=Challenge.objects.exclude(status=Status.DRAFT).order_by("-submitted_at"),
        empty_label=_("Choose a challenge"),
    )


def with_challenge(form_class):
    """The form, with a challenge to choose first (for adding from the admin)."""
    return type(
        f"Challenge{form_class.__name__}",
        (form_class,),
        {"challenge": _challenge_field(), "field_order": ["challenge"]},
    )


class ServiceFormMixin:
    """Read-only records; changes through small forms that call a service."""

    change_form_template = "admin/partnerships/change_form.html"

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + list(self.extra_readonly)

    extra_readonly: tuple = ()

    def save_model(self, request, obj, form, change):
        """Nothing is saved by the admin itself; the services do that."""

    def tools(self, request, obj) -> list[tuple[str, str]]:
        """(label, url) of the actions offered on a record's page."""
        return []

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = {**(extra_context or {}), "tools": self.tools(request, obj) if obj else []}
        return super().change_view(request, object_id, form_url, extra_context)

    def service_form_view(
        self, request, *, title, form, on_valid, success_url, obj=None, multipart=False
    ):
        if request.method == "POST" and form.is_valid():
            try:
                result = on_valid(form.cleaned_data)
            except ServiceError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, _("Done."), messages.SUCCESS)
                return redirect(success_url(result) if callable(success_url) else success_url)
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "opts": self.model._meta,
            "original": obj,
            "multipart": multipart,
        }
        return render(request, "admin/partnerships/service_form.html", context)

    def _change_url(self, obj) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])

    def _initial_challenge(self, request) -> dict:
        pk = request.GET.get("challenge")
        return {"challenge": pk} if pk and pk.isdigit() else {}

    def _require(self, request, obj=None, action="change"):
        checks = {
            "add": self.has_add_permission(request),
            "change": self.has_change_permission(request, obj),
        }
        if not checks[action]:
            raise PermissionDenied


# -- Organisations -------------------------------------------------------------------------


class OrganisationMemberInline(admin.TabularInline):
    model = OrganisationMember
    fields = ("user", "role", "added_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(ServiceFormMixin, admin.ModelAdmin):
    list_display = ("name", "legal_form", "kvk_number", "created_at")
    list_filter = ("legal_form",)
    search_fields = ("name", "kvk_number")
    inlines = [OrganisationMemberInline]

    def has_add_permission(self, request):
        # Organisations are registered by the challenger team in the workspace.
        return False

    def tools(self, request, obj):
        if not self.has_change_permission(request, obj):
            return []
        return [
            (_("Add a member"), reverse("admin:partnerships_organisation_member", args=[obj.pk]))
        ]

    def get_urls(self):
        return [
            path(
                "<int:pk>/member/",
                self.admin_site.admin_view(self.member_view),
                name="partnerships_organisation_member",
            ),
        ] + super().get_urls()

    def member_view(self, request, pk):
        organisation = get_object_or_404(Organisation, pk=pk)
        self._require(request, organisation)
        from django.contrib.auth import get_user_model

        people = get_user_model().objects.filter(is_active=True).order_by("email")
        form = MemberForm(_posted(request), people=people)
        return self.service_form_view(
            request,
            title=_("Add a member to %(name)s") % {"name": organisation.name},
            form=form,
            obj=organisation,
            on_valid=lambda data: services.organisation_add_member(
                organisation=organisation, actor=request.user, **data
            ),
            success_url=self._change_url(organisation),
        )


# -- Contact persons -----------------------------------------------------------------------


class ContactPersonAdminForm(forms.Form):
    challenge = _challenge_field()
    side = forms.ChoiceField(label=_("Side"), choices=Side.choices, widget=forms.RadioSelect)
    user = forms.ModelChoiceField(
        label=_("Contact person"),
        queryset=None,
        help_text=_(
            "A reviewer or coordinator for the municipality; a team member for the challenger."
        ),
    )
    mandate = forms.CharField(label=_("Mandate"), widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(
        label=_("Reason for the handover"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the side already has a contact person: it is handed over."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["user"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("email")
        )


@admin.register(ContactPerson)
class ContactPersonAdmin(ServiceFormMixin, admin.ModelAdmin):
    list_display = ("challenge", "side", "user", "started_at", "ended_at", "active")
    list_filter = ("side", ("ended_at", admin.EmptyFieldListFilter))
    search_fields = ("challenge__reference", "challenge__title", "user__email")
    list_select_related = ("challenge", "user")

    @admin.display(boolean=True, description=_("active"))
    def active(self, obj):
        return obj.ended_at is None

    def add_view(self, request, form_url="", extra_context=None):
        self._require(request, action="add")
        form = ContactPersonAdminForm(_posted(request), initial=self._initial_challenge(request))

        def on_valid(data):
            current = selectors.active_contact_persons(data["challenge"]).get(data["side"])
            if current is None:
                return services.contact_person_assign(
                    challenge=data["challenge"],
                    side=data["side"],
                    user=data["user"],
                    mandate=data["mandate"],
                    actor=request.user,
                )
            return services.contact_person_hand_over(
                challenge=data["challenge"],
                side=data["side"],
                user=data["user"],
                mandate=data["mandate"],
                reason=data["reason"],
                actor=request.user,
            )

        return self.service_form_view(
            request,
            title=_("Assign or hand over a contact person"),
            form=form,
            on_valid=on_valid,
            success_url=self._change_url,
        )


# -- Agreement -----------------------------------------------------------------------------


class SignatureInline(admin.TabularInline):
    model = AgreementSignature
    fields = ("side", "signer", "signed_at", "digest")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AgreementVersion)
class AgreementVersionAdmin(ServiceFormMixin, admin.ModelAdmin):
    list_display = ("challenge", "number", "status", "proposed_at", "in_force_at")
    list_filter = ("status",)
    search_fields = ("challenge__reference", "challenge__title")
    list_select_related = ("challenge",)
    inlines = [SignatureInline]
    extra_readonly = ("changes",)

    @admin.display(description=_("changes since the previous version"))
    def changes(self, obj):
        previous = selectors.previous_version(obj)
        if previous is None:
            return "–"
        rows = selectors.version_changes(previous, obj)
        return format_html_join(
            "", "<p><strong>{}</strong>: {} → {}</p>", ((c.label, c.old, c.new) for c in rows)
        ) or _("No changes.")

    def add_view(self, request, form_url="", extra_context=None):
        self._require(request, action="add")
        form = with_challenge(AgreementForm)(
            _posted(request), initial=self._initial_challenge(request)
        )

        def on_valid(data):
            data = dict(data)
            return services.agreement_save_draft(
                challenge=data.pop("challenge"), actor=request.user, data=data
            )

        return self.service_form_view(
            request,
            title=_("Draft an agreement version"),
            form=form,
            on_valid=on_valid,
            success_url=self._change_url,
        )

    def tools(self, request, obj):
        if not self.has_change_permission(request, obj):
            return []
        tools = []
        if obj.status == VersionStatus.DRAFT:
            tools.append(
                (_("Edit the draft"), reverse("admin:partnerships_version_edit", args=[obj.pk]))
            )
            tools.append(
                (_("Propose"), reverse("admin:partnerships_version_propose", args=[obj.pk]))
            )
        if obj.status == VersionStatus.PROPOSED:
            tools.append(
                (
                    _("Sign for the municipality"),
                    reverse("admin:partnerships_version_sign", args=[obj.pk]),
                )
            )
        return tools

    def get_urls(self):
        own = [
            path(
                "<int:pk>/edit/",
                self.admin_site.admin_view(self.edit_view),
                name="partnerships_version_edit",
            ),
            path(
                "<int:pk>/propose/",
                self.admin_site.admin_view(self.propose_view),
                name="partnerships_version_propose",
            ),
            path(
                "<int:pk>/sign/",
                self.admin_site.admin_view(self.sign_view),
                name="partnerships_version_sign",
            ),
        ]
        return own + super().get_urls()

    def edit_view(self, request, pk):
        version = get_object_or_404(AgreementVersion, pk=pk)
        self._require(request, version)
        form = AgreementForm(_posted(request), initial=AgreementForm.initial_from(version))
        return self.service_form_view(
            request,
            title=_("Edit draft version %(number)s") % {"number": version.number},
            form=form,
            obj=version,
            on_valid=lambda data: services.agreement_save_draft(
                challenge=version.challenge, actor=request.user, data=data
            ),
            success_url=self._change_url,
        )

    def propose_view(self, request, pk):
        version = get_object_or_404(AgreementVersion, pk=pk)
        self._require(request, version)
        form = forms.Form(_posted(request))
        return self.service_form_view(
            request,
            title=_("Propose version %(number)s? It cannot be changed afterwards.")
            % {"number": version.number},
            form=form,
            obj=version,
            on_valid=lambda data: services.agreement_propose(version=version, actor=request.user),
            success_url=self._change_url,
        )

    def sign_view(self, request, pk):
        version = get_object_or_404(AgreementVersion, pk=pk)
        self._require(request, version)
        form = SignForm(_posted(request), initial={"digest": version.digest})
        return self.service_form_view(
            request,
            title=_("Sign version %(number)s for the municipality") % {"number": version.number},
            form=form,
            obj=version,
            on_valid=lambda data: services.agreement_sign(
                version=version, actor=request.user, digest=data["digest"]
            ),
            success_url=self._change_url(version),
        )


# -- Milestones ----------------------------------------------------------------------------


@admin.register(Milestone)
class MilestoneAdmin(ServiceFormMixin, admin.ModelAdmin):
    list_display = ("title", "challenge", "owner_side", "due_date", "status", "is_public")
    list_filter = ("status", "owner_side", "is_public")
    search_fields = ("title", "challenge__reference", "challenge__title")
    list_select_related = ("challenge",)

    def add_view(self, request, form_url="", extra_context=None):
        self._require(request, action="add")
        form = with_challenge(MilestoneForm)(
            _posted(request), initial=self._initial_challenge(request)
        )

        def on_valid(data):
            data = dict(data)
            return services.milestone_create(
                challenge=data.pop("challenge"), actor=request.user, **data
            )

        return self.service_form_view(
            request,
            title=_("Add a milestone"),
            form=form,
            on_valid=on_valid,
            success_url=self._change_url,
        )

    def tools(self, request, obj):
        if not self.has_change_permission(request, obj):
            return []
        return [
            (
                _("Update status or due date"),
                reverse("admin:partnerships_milestone_update", args=[obj.pk]),
            )
        ]

    def get_urls(self):
        return [
            path(
                "<int:pk>/update/",
                self.admin_site.admin_view(self.update_view),
                name="partnerships_milestone_update",
            )
        ] + super().get_urls()

    def update_view(self, request, pk):
        milestone = get_object_or_404(Milestone, pk=pk)
        self._require(request, milestone)
        form = MilestoneUpdateForm(
            _posted(request),
            initial={"status": milestone.status, "due_date": milestone.due_date},
        )
        return self.service_form_view(
            request,
            title=_("Update milestone “%(title)s”") % {"title": milestone.title},
            form=form,
            obj=milestone,
            on_valid=lambda data: services.milestone_update(
                milestone=milestone, actor=request.user, **data
            ),
            success_url=self._change_url,
        )


# -- Reflections ---------------------------------------------------------------------------


@admin.register(ReflectionRound)
class ReflectionRoundAdmin(ServiceFormMixin, admin.ModelAdmin):
    list_display = ("challenge", "evaluation_date", "opened_at", "revealed_at")
    list_filter = (("revealed_at", admin.EmptyFieldListFilter),)
    search_fields = ("challenge__reference", "challenge__title")
    list_select_related = ("challenge",)
    extra_readonly = ("answers_of_both_sides",)

    @admin.display(description=_("answers"))
    def answers_of_both_sides(self, obj):
        answered = sorted(obj.answers.values_list("side", flat=True))
        if not obj.is_revealed:
            # As in the workspace: nothing of the answers until both sides answered.
            return _(
                "Answered so far: %(sides)s. The answers are shown once both sides answered."
            ) % {"sides": ", ".join(str(Side(s).label) for s in answered) or "–"}
        rows = []
        for answer in obj.answers.all():
            for key, label in REFLECTION_QUESTIONS:
                rows.append(
                    (answer.get_side_display(), label, answer.scores()[key], answer.comments()[key])
                )
        return format_html(
            "<table>{}</table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}/5</td><td>{}</td></tr>", rows),
        )

    def add_view(self, request, form_url="", extra_context=None):
        self._require(request, action="add")
        form = with_challenge(ReflectionRequestForm)(
            _posted(request), initial=self._initial_challenge(request)
        )
        return self.service_form_view(
            request,
            title=_("Ask both sides to reflect"),
            form=form,
            on_valid=lambda data: services.reflection_open(
                challenge=data["challenge"], actor=request.user, reason=data["reason"]
            ),
            success_url=self._change_url,
        )

    def tools(self, request, obj):
        if obj.is_revealed or not self.has_change_permission(request, obj):
            return []
        return [
            (
                _("Answer for the municipality"),
                reverse("admin:partnerships_reflection_answer", args=[obj.pk]),
            )
        ]

    def get_urls(self):
        return [
            path(
                "<int:pk>/answer/",
                self.admin_site.admin_view(self.answer_view),
                name="partnerships_reflection_answer",
            )
        ] + super().get_urls()

    def answer_view(self, request, pk):
        round_ = get_object_or_404(ReflectionRound, pk=pk)
        self._require(request, round_)
        form = ReflectionAnswerForm(_posted(request))
        return self.service_form_view(
            request,
            title=_("Answer the reflection for the municipality"),
            form=form,
            obj=round_,
            on_valid=lambda data: services.reflection_answer(
                round=round_, actor=request.user, scores=form.scores(), comments=form.comments()
            ),
            success_url=self._change_url(round_),
        )


# -- Knots ---------------------------------------------------------------------------------


class OpenFirstFilter(admin.SimpleListFilter):
    """Open knots by default: the coordinator's list."""

    title = _("status")
    parameter_name = "knot_status"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("resolved", _("Cut")), ("all", _("All"))]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or "open") == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "open":
            return queryset.filter(status=KnotStatus.OPEN)
        if value == "resolved":
            return queryset.filter(status=KnotStatus.RESOLVED)
        return queryset


@admin.register(Knot)
class KnotAdmin(ServiceFormMixin, admin.ModelAdmin):
    list_display = ("needed_by", "question", "challenge", "raised_by_side", "status", "overdue")
    list_filter = (OpenFirstFilter, "raised_by_side")
    search_fields = ("question", "challenge__reference", "challenge__title")
    list_select_related = ("challenge",)
    ordering = ("needed_by", "raised_at", "pk")

    @admin.display(boolean=True, description=_("overdue"))
    def overdue(self, obj):
        return obj.is_overdue

    def add_view(self, request, form_url="", extra_context=None):
        self._require(request, action="add")
        form = with_challenge(KnotForm)(_posted(request), initial=self._initial_challenge(request))

        def on_valid(data):
            data = dict(data)
            return services.knot_raise(challenge=data.pop("challenge"), actor=request.user, **data)

        return self.service_form_view(
            request,
            title=_("Raise a knot"),
            form=form,
            on_valid=on_valid,
            success_url=self._change_url,
        )

    def tools(self, request, obj):
        if obj.status != KnotStatus.OPEN or not self.has_change_permission(request, obj):
            return []
        return [(_("Cut the knot"), reverse("admin:partnerships_knot_resolve", args=[obj.pk]))]

    def get_urls(self):
        return [
            path(
                "<int:pk>/resolve/",
                self.admin_site.admin_view(self.resolve_view),
                name="partnerships_knot_resolve",
            )
        ] + super().get_urls()

    def resolve_view(self, request, pk):
        knot = get_object_or_404(Knot, pk=pk)
        self._require(request, knot)
        form = KnotResolveForm(_posted(request))
        return self.service_form_view(
            request,
            title=_("Cut the knot “%(question)s”") % {"question": knot.question},
            form=form,
            obj=knot,
            on_valid=lambda data: services.knot_resolve(
                knot=knot, actor=request.user, decision=data["decision"]
            ),
            success_url=self._change_url(knot),
        )


# -- Messages and documents ----------------------------------------------------------------


@admin.register(Message)
class MessageAdmin(ServiceFormMixin, admin.ModelAdmin):
    list_display = ("created_at", "challenge", "side", "author")
    list_filter = ("side",)
    search_fields = ("text", "challenge__reference")
    list_select_related = ("challenge", "author")

    def add_view(self, request, form_url="", extra_context=None):
        self._require(request, action="add")
        form = with_challenge(MessageForm)(
            _posted(request), initial=self._initial_challenge(request)
        )
        return self.service_form_view(
            request,
            title=_("Send a message to the challenger"),
            form=form,
            on_valid=lambda data: services.message_post(
                challenge=data["challenge"], actor=request.user, text=data["text"]
            ),
            success_url=self._change_url,
        )


@admin.register(Document)
class DocumentAdmin(ServiceFormMixin, admin.ModelAdmin):
    list_display = ("original_name", "challenge", "side", "kind", "size", "created_at", "download")
    list_filter = ("side", "kind")
    search_fields = ("original_name", "challenge__reference")
    list_select_related = ("challenge",)
    extra_readonly = ("download",)

    @admin.display(description=_("download"))
    def download(self, obj):
        url = reverse(
            "partnerships:document-download", kwargs={"pk": obj.challenge_id, "document_id": obj.pk}
        )
        return format_html('<a href="{}">{}</a>', url, _("download"))

    def add_view(self, request, form_url="", extra_context=None):
        self._require(request, action="add")
        form = with_challenge(DocumentForm)(
            _posted(request), _posted(request, files=True), initial=self._initial_challenge(request)
        )
        return self.service_form_view(
            request,
            title=_("Share a document"),
            form=form,
            multipart=True,
            on_valid=lambda data: services.document_upload(
                challenge=data["challenge"],
                actor=request.user,
                file=data["file"],
                description=data["description"],
            ),
            success_url=self._change_url,
        )
