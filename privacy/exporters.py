"""What the portal holds about one person, as the sections of their data download.

This app is the top feature layer (just below `demo`) because it must read every
app's models; the apps below cannot import it, so the exporters of all of them live
here, one section per kind of row. Each section names the relations to the user model
it covers (`covers`, as "app_label.Model.field"); tests/privacy/test_privacy_coverage.py
fails when a model points at the user through a relation no section covers.

Rules every section keeps:
- only fields listed by name (`values(...)`), so a password hash, an invitation token,
  an MFA secret or a session key can never slip in;
- nothing of another person: an address the person invited is masked as the
  timeline masks it, another person's name is left out;
- rows are read with `.iterator()`, so a long history is never held in memory.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.admin.models import LogEntry
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from challenges.constants import Visibility
from challenges.models import Assessment, Attachment, Challenge, Invitation, TimelineEvent
from community.models import Answer, Question, Report, Support
from meetings.models import Meeting, Minutes
from notifications.models import Digest, Follow, Notification, Preference
from partnerships.models import (
    AgreementSignature,
    AgreementVersion,
    ContactPerson,
    Document,
    Knot,
    Message,
    Milestone,
    Organisation,
    OrganisationMember,
    ReflectionAnswer,
    ReflectionRound,
)

from .relations import installed_model

CHUNK = 500
# Names this file's shape; a later change of shape gets a new name.
FORMAT = "rtc-portal-personal-data/1"
ABOUT = _(
    "Everything the Right to Challenge portal holds about you: your account, your "
    "e-mail addresses, the challenges you started and the teams you are on, the "
    "invitations you sent and received, what you did on the timelines, your "
    "notifications and notification settings, what you did in partnerships, and "
    "the challenges you support and the questions, answers and reports you wrote. "
    "Times are in UTC."
)
SECURITY_LOG = _(
    "Logins, logouts, data downloads and account deletions are also written to the "
    "portal's security log, by account number only. That log is kept apart from "
    "this file; ask the municipality if you want to see it."
)


@dataclass(frozen=True)
class Section:
    key: str  # the key in the downloaded JSON
    covers: tuple[str, ...]  # the relations to the user this section reads
    rows: Callable[[object], Iterable[dict]]


def _values(queryset, *fields) -> Iterator[dict]:
    return queryset.values(*fields).iterator(chunk_size=CHUNK)


def mask_email(email: str) -> str:
    """Another person's address as the timeline shows it: "j…@example.org"."""
    local, _sep, domain = (email or "").partition("@")
    return f"{local[:1]}…@{domain}"


def addresses_of(user) -> set[str]:
    """The e-mail addresses the person has shown to be theirs, lower case: the
    account's (verified before the first login) and allauth's verified ones. An
    address added but not confirmed may be anybody's: what was sent to it is not
    the person's data, and deleting the account must not touch it."""
    found = {user.email.lower()} if user.email else set()
    found.update(
        email.lower()
        for email in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    )
    return found


def _addressed_to(user) -> Q:
    query = Q(user=user)
    for email in addresses_of(user):
        query |= Q(email__iexact=email)
    return query


def account(user) -> dict:
    """The account itself: never the password (not even its hash)."""
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "groups": list(user.groups.order_by("name").values_list("name", flat=True)),
        "permissions": sorted(
            f"{app}.{codename}"
            for app, codename in user.user_permissions.values_list(
                "content_type__app_label", "codename"
            )
        ),
    }


# -- accounts and allauth ---------------------------------------------------------------


def _email_addresses(user):
    return _values(
        EmailAddress.objects.filter(user=user).order_by("pk"), "email", "verified", "primary"
    )


def _mfa_authenticators(user):
    model = installed_model("mfa.Authenticator")
    if model is None:
        return []
    # The type and dates only: the data holds the secrets.
    return _values(
        model.objects.filter(user=user).order_by("pk"), "type", "created_at", "last_used_at"
    )


def _user_sessions(user):
    model = installed_model("usersessions.UserSession")
    if model is None:
        return []
    return _values(
        model.objects.filter(user=user).order_by("pk"),
        "created_at",
        "last_seen_at",
        "ip",
        "user_agent",
    )


def _admin_actions(user):
    # Staff only: what they changed in the admin. The object's own text is left out,
    # as it may name someone else.
    return _values(
        LogEntry.objects.filter(user=user).order_by("action_time", "pk"),
        "action_time",
        "action_flag",
        "content_type__app_label",
        "content_type__model",
        "object_id",
    )


# -- challenges -------------------------------------------------------------------------


def _challenges_initiated(user):
    return _values(
        Challenge.objects.filter(initiator=user).order_by("pk"),
        "id",
        "reference",
        "title",
        "summary",
        "task__name",
        "neighbourhood__name",
        "approach",
        "social_value",
        "budget_requested",
        "team_description",
        "support_evidence",
        "legal_form",
        "status",
        "created_at",
        "submitted_at",
        "decision_motivation",
    )


def _team_memberships(user):
    return _values(
        Invitation.objects.filter(user=user, accepted_at__isnull=False).order_by("pk"),
        "challenge_id",
        "challenge__reference",
        "challenge__title",
        "accepted_at",
    )


def _invitations_sent(user):
    rows = _values(
        Invitation.objects.filter(invited_by=user).order_by("pk"),
        "challenge_id",
        "challenge__reference",
        "email",
        "created_at",
        "sent_at",
        "accepted_at",
    )
    for row in rows:
        # The invitee's address is theirs: masked, like on the timeline.
        row["email"] = mask_email(row["email"])
        yield row


def _invitations_received(user):
    # Who invited is another person's data: left out.
    return _values(
        Invitation.objects.filter(_addressed_to(user)).order_by("pk"),
        "challenge_id",
        "challenge__reference",
        "challenge__title",
        "email",
        "created_at",
        "sent_at",
        "accepted_at",
    )


def _challenges_assigned(user):
    return _values(
        Challenge.objects.filter(Q(assigned_reviewer=user) | Q(co_reviewers=user))
        .distinct()
        .order_by("pk"),
        "id",
        "reference",
        "title",
        "status",
    )


def _assessments(user):
    return _values(
        Assessment.objects.filter(reviewer=user).order_by("pk"),
        "challenge__reference",
        "criterion__name_en",
        "criterion__name_nl",
        "score",
        "motivation",
        "updated_at",
    )


def _timeline_events(user):
    rows = _values(
        TimelineEvent.objects.filter(actor=user).order_by("seq"),
        "seq",
        "code",
        "created_at",
        "visibility",
        "actor_role",
        "challenge_id",
        "challenge__reference",
        "data",
        "erased_at",
    )
    for row in rows:
        # The data of a public event is public; the data of a parties or internal
        # event may name other people, so only its code and time are given.
        if row["visibility"] != Visibility.PUBLIC:
            row["data"] = None
        yield row


# -- notifications ----------------------------------------------------------------------


def notifications_addressed_to(user, addresses=None) -> Q:
    """The outbox rows of the person: theirs by account, and those sent to one of
    their addresses before it had an account (an invitation), where the outbox has
    such rows."""
    query = Q(recipient=user)
    if any(field.name == "address" for field in Notification._meta.get_fields()):
        for email in addresses_of(user) if addresses is None else addresses:
            query |= Q(recipient__isnull=True, address__iexact=email)
    return query


def _notifications(user):
    return _values(
        Notification.objects.filter(notifications_addressed_to(user)).order_by("pk"),
        "event__seq",
        "event__code",
        "event__challenge__reference",
        "channel",
        "kind",
        "frequency",
        "reason",
        "status",
        "created_at",
        "sent_at",
        "read_at",
    )


def _digests(user):
    return _values(
        Digest.objects.filter(recipient=user).order_by("pk"),
        "frequency",
        "period_start",
        "period_end",
        "created_at",
        "sent_at",
    )


def _preferences(user):
    return _values(Preference.objects.filter(user=user).order_by("kind"), "kind", "frequency")


def _follows(user):
    return _values(
        Follow.objects.filter(user=user).order_by("pk"),
        "challenge_id",
        "challenge__reference",
        "challenge__title",
        "created_at",
    )


# -- partnerships -----------------------------------------------------------------------


def _organisations_created(user):
    return _values(
        Organisation.objects.filter(created_by=user).order_by("pk"),
        "name",
        "legal_form",
        "kvk_number",
        "created_at",
    )


def _organisation_memberships(user):
    return _values(
        OrganisationMember.objects.filter(user=user).order_by("pk"),
        "organisation__name",
        "role",
        "added_at",
    )


def _contact_person_roles(user):
    return _values(
        ContactPerson.objects.filter(user=user).order_by("started_at", "pk"),
        "challenge__reference",
        "side",
        "mandate",
        "reason",
        "started_at",
        "ended_at",
    )


def _contact_persons_assigned(user):
    # Whom they named is that person's data: the challenge, side and date only.
    return _values(
        ContactPerson.objects.filter(assigned_by=user).order_by("started_at", "pk"),
        "challenge__reference",
        "side",
        "started_at",
    )


def _agreement_versions(user):
    rows = _values(
        AgreementVersion.objects.filter(Q(created_by=user) | Q(proposed_by=user)).order_by("pk"),
        "challenge__reference",
        "number",
        "status",
        "created_by_id",
        "created_at",
        "proposed_by_id",
        "proposed_at",
    )
    for row in rows:
        yield {
            "challenge__reference": row["challenge__reference"],
            "number": row["number"],
            "status": row["status"],
            "drafted_by_you": row.pop("created_by_id") == user.pk,
            "created_at": row["created_at"],
            "proposed_by_you": row.pop("proposed_by_id") == user.pk,
            "proposed_at": row["proposed_at"],
        }


def _agreement_signatures(user):
    return _values(
        AgreementSignature.objects.filter(signer=user).order_by("pk"),
        "version__challenge__reference",
        "version__number",
        "side",
        "digest",
        "signed_at",
    )


def _milestones(user):
    return _values(
        Milestone.objects.filter(created_by=user).order_by("pk"),
        "challenge__reference",
        "title",
        "owner_side",
        "due_date",
        "status",
        "is_public",
        "created_at",
    )


def _reflection_rounds(user):
    return _values(
        ReflectionRound.objects.filter(opened_by=user).order_by("pk"),
        "challenge__reference",
        "evaluation_date",
        "reason",
        "opened_at",
    )


def _reflection_answers(user):
    return _values(
        ReflectionAnswer.objects.filter(respondent=user).order_by("pk"),
        "round__challenge__reference",
        "side",
        "right_things",
        "right_things_comment",
        "doing_right",
        "doing_right_comment",
        "together",
        "together_comment",
        "answered_at",
    )


def _knots(user):
    rows = _values(
        Knot.objects.filter(Q(raised_by=user) | Q(resolved_by=user)).order_by("pk"),
        "challenge__reference",
        "question",
        "decision_needed",
        "needed_by",
        "status",
        "decision",
        "raised_by_id",
        "raised_at",
        "resolved_by_id",
        "resolved_at",
    )
    for row in rows:
        row["raised_by_you"] = row.pop("raised_by_id") == user.pk
        row["resolved_by_you"] = row.pop("resolved_by_id") == user.pk
        yield row


def _messages(user):
    return _values(
        Message.objects.filter(author=user).order_by("pk"),
        "challenge__reference",
        "side",
        "text",
        "created_at",
    )


def _documents(user):
    # Names and facts, not the files themselves (they stay downloadable in the
    # workspace for as long as the person is a party).
    return _values(
        Document.objects.filter(uploaded_by=user).order_by("pk"),
        "challenge__reference",
        "original_name",
        "description",
        "kind",
        "content_type",
        "size",
        "sha256",
        "created_at",
    )


# -- community --------------------------------------------------------------------------


def _supports(user):
    return _values(
        Support.objects.filter(user=user).order_by("pk"),
        "challenge_id",
        "challenge__reference",
        "challenge__title",
        "neighbourhood__name",
        "offer",
        "show_name",
        "created_at",
    )


def _questions(user):
    return _values(
        Question.objects.filter(author=user).order_by("pk"),
        "challenge_id",
        "challenge__reference",
        "text",
        "created_at",
        "hidden_at",
        "hidden_reason",
    )


def _answers(user):
    # The question answered may be someone else's: its id, not its text.
    return _values(
        Answer.objects.filter(author=user).order_by("pk"),
        "question_id",
        "question__challenge__reference",
        "role",
        "text",
        "created_at",
        "hidden_at",
        "hidden_reason",
    )


def _posts_hidden(user):
    # Staff only: which posts they hid and why (the post's author is left out).
    for model, kind in ((Question, "question"), (Answer, "answer")):
        for row in _values(
            model.objects.filter(hidden_by=user).order_by("pk"), "pk", "hidden_at", "hidden_reason"
        ):
            yield {"post": kind, **row}


def _reports(user):
    return _values(
        Report.objects.filter(reporter=user).order_by("pk"),
        "question_id",
        "answer_id",
        "reason",
        "created_at",
    )


# -- meetings ---------------------------------------------------------------------------


def _meetings(user):
    # The meetings the person proposed, picked a time for or cancelled, and which of
    # these they did; who else took part is another person's data and left out.
    rows = _values(
        Meeting.objects.filter(
            Q(proposed_by=user) | Q(picked_by=user) | Q(cancelled_by=user)
        ).order_by("pk"),
        "challenge__reference",
        "kind",
        "status",
        "place",
        "online_url",
        "agenda",
        "created_at",
        "starts_at",
        "ends_at",
        "picked_at",
        "cancelled_at",
        "cancel_reason",
        "proposed_by",
        "picked_by",
        "cancelled_by",
    )
    for row in rows:
        for action in ("proposed", "picked", "cancelled"):
            row[f"you_{action}"] = row.pop(f"{action}_by") == user.pk
        yield row


def _meeting_minutes(user):
    # Names and facts, not the files (downloadable on the meeting page for the parties).
    return _values(
        Minutes.objects.filter(uploaded_by=user).order_by("pk"),
        "meeting__challenge__reference",
        "meeting__kind",
        "original_name",
        "description",
        "kind",
        "content_type",
        "size",
        "sha256",
        "created_at",
    )


# -- attachments ------------------------------------------------------------------------


def _attachments(user):
    # Names and facts of the files added to a submission, not the files themselves
    # (they stay downloadable from the challenge for those who may see them).
    return _values(
        Attachment.objects.filter(uploaded_by=user).order_by("pk"),
        "challenge__reference",
        "challenge__title",
        "original_name",
        "kind",
        "visibility",
        "file_type",
        "size",
        "sha256",
        "is_addition",
        "created_at",
    )


SECTIONS: tuple[Section, ...] = (
    Section("email_addresses", ("account.EmailAddress.user",), _email_addresses),
    Section("mfa_authenticators", ("mfa.Authenticator.user",), _mfa_authenticators),
    Section("sessions", ("usersessions.UserSession.user",), _user_sessions),
    Section("challenges_initiated", ("challenges.Challenge.initiator",), _challenges_initiated),
    Section("team_memberships", ("challenges.Invitation.user",), _team_memberships),
    Section("invitations_sent", ("challenges.Invitation.invited_by",), _invitations_sent),
    Section("invitations_received", ("challenges.Invitation.user",), _invitations_received),
    Section("assessments", ("challenges.Assessment.reviewer",), _assessments),
    Section(
        "challenges_assigned_to_review",
        ("challenges.Challenge.assigned_reviewer", "challenges.Challenge_co_reviewers.user"),
        _challenges_assigned,
    ),
    Section("timeline_events", ("challenges.TimelineEvent.actor",), _timeline_events),
    Section("attachments_uploaded", ("challenges.Attachment.uploaded_by",), _attachments),
    Section("notifications", ("notifications.Notification.recipient",), _notifications),
    Section("notification_digests", ("notifications.Digest.recipient",), _digests),
    Section("notification_preferences", ("notifications.Preference.user",), _preferences),
    Section("follows", ("notifications.Follow.user",), _follows),
    Section(
        "organisations_created", ("partnerships.Organisation.created_by",), _organisations_created
    ),
    Section(
        "organisation_memberships",
        ("partnerships.OrganisationMember.user",),
        _organisation_memberships,
    ),
    Section("contact_person_roles", ("partnerships.ContactPerson.user",), _contact_person_roles),
    Section(
        "contact_persons_assigned",
        ("partnerships.ContactPerson.assigned_by",),
        _contact_persons_assigned,
    ),
    Section(
        "agreement_versions",
        ("partnerships.AgreementVersion.created_by", "partnerships.AgreementVersion.proposed_by"),
        _agreement_versions,
    ),
    Section(
        "agreement_signatures", ("partnerships.AgreementSignature.signer",), _agreement_signatures
    ),
    Section("milestones_created", ("partnerships.Milestone.created_by",), _milestones),
    Section("reflections_opened", ("partnerships.ReflectionRound.opened_by",), _reflection_rounds),
    Section(
        "reflection_answers", ("partnerships.ReflectionAnswer.respondent",), _reflection_answers
    ),
    Section("knots", ("partnerships.Knot.raised_by", "partnerships.Knot.resolved_by"), _knots),
    Section("workspace_messages", ("partnerships.Message.author",), _messages),
    Section("documents_uploaded", ("partnerships.Document.uploaded_by",), _documents),
    Section("supports", ("community.Support.user",), _supports),
    Section("questions_asked", ("community.Question.author",), _questions),
    Section("answers_given", ("community.Answer.author",), _answers),
    Section(
        "posts_hidden",
        ("community.Question.hidden_by", "community.Answer.hidden_by"),
        _posts_hidden,
    ),
    Section("posts_reported", ("community.Report.reporter",), _reports),
    Section(
        "meetings",
        (
            "meetings.Meeting.proposed_by",
            "meetings.Meeting.picked_by",
            "meetings.Meeting.cancelled_by",
        ),
        _meetings,
    ),
    Section("meeting_minutes_uploaded", ("meetings.Minutes.uploaded_by",), _meeting_minutes),
    Section("admin_actions", ("admin.LogEntry.user",), _admin_actions),
)

# Relations the account object itself covers (its groups and permissions).
ACCOUNT_COVERS = ("accounts.User_groups.user", "accounts.User_user_permissions.user")


def covered_relations() -> set[str]:
    covered = set(ACCOUNT_COVERS)
    for section in SECTIONS:
        covered.update(section.covers)
    return covered


def _dump(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)


def stream(user, *, generated_at) -> Iterator[str]:
    """The whole download as pieces of one JSON object, section by section and row by
    row, so that it is sent while it is read and never built in memory."""
    yield "{\n"
    yield f'  "format": {_dump(FORMAT)},\n'
    yield f'  "generated_at": {_dump(generated_at)},\n'
    yield f'  "about": {_dump(str(ABOUT))},\n'
    yield f'  "security_log": {_dump(str(SECURITY_LOG))},\n'
    yield f'  "account": {_dump(account(user))}'
    for section in SECTIONS:
        yield f",\n  {_dump(section.key)}: ["
        separator = "\n    "
        for row in section.rows(user):
            yield separator + _dump(row)
            separator = ",\n    "
        yield "\n  ]" if separator != "\n    " else "]"
    yield "\n}\n"
