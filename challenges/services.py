"""Every change to a challenge goes through a function here.

Each one runs in one transaction, locks the challenge row, validates, saves,
writes its timeline event in the same transaction and queues side effects with
`transaction.on_commit`. Refusals raise `ServiceError` (a ValidationError with a
translated message) and change nothing.
"""

import secrets
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import uploads
from core.errors import ServiceError
from core.text import join_lazy

from . import map as neighbourhood_map
from . import page_cache, permissions, registry, workflow
from .constants import (
    ATTACHMENT_VISIBILITIES,
    OPEN_STATUSES,
    STAGE_LINE,
    AttachmentKind,
    EventCode,
    Role,
    Status,
    TargetBasis,
    Visibility,
)
from .events import ReviewingEvent
from .models import (
    Assessment,
    Attachment,
    Challenge,
    Criterion,
    Invitation,
    Neighbourhood,
    ReferenceCounter,
    StageTarget,
)
from .timeline import record_event, timeline_erase_challenge_events

# Fields the challenger team fills in, in the order of the submission steps.
PLAN_FIELDS = [
    "task",
    "neighbourhood",
    "title",
    "summary",
    "approach",
    "social_value",
    "budget_requested",
    "legal_form",
    "team_description",
    "support_evidence",
]


def locked_challenge(challenge: Challenge) -> Challenge:
    """The challenge, re-read under a row lock: the first step of every service that
    changes it (the partnership services too), so changes to one challenge queue up."""
    # of=("self",): PostgreSQL cannot lock the nullable side of the join to the task.
    return (
        Challenge.objects.select_for_update(of=("self",))
        .select_related("task")
        .get(pk=challenge.pk)
    )


def _acting_role(roles: set, edge_roles: frozenset | None = None) -> str:
    """The role an actor acted in, for the timeline ("the municipality" or "the challenger")."""
    candidates = roles & edge_roles if edge_roles else roles
    for role in (Role.COORDINATOR, Role.REVIEWER, Role.CHALLENGER):
        if role in candidates:
            return role
    return ""


def missing_for_submission(challenge: Challenge) -> list:
    """Labels (lazy, so in the reader's language) of the plan fields still unanswered."""
    missing = []
    for name in PLAN_FIELDS:
        value = getattr(challenge, f"{name}_id" if name in ("task", "neighbourhood") else name)
        if value in (None, ""):
            missing.append(Challenge._meta.get_field(name).verbose_name)
    return missing


def compute_due_at(challenge: Challenge, *, now: datetime) -> datetime | None:
    target = StageTarget.objects.filter(status=challenge.status).first()
    if target is None:
        return None
    start = challenge.submitted_at if target.basis == TargetBasis.SUBMISSION else now
    return _days_later(start or now, target.days)


def _days_later(start: datetime, days: int) -> datetime:
    # In local time, so a due date keeps its hour across a daylight-saving change.
    return (timezone.localtime(start) + timedelta(days=days)).astimezone(UTC)


def _next_reference(now: datetime) -> str:
    year = timezone.localtime(now).year
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"RTC-{year}-{counter.last:04d}"


def challenge_create_draft(*, initiator) -> Challenge:
    if not getattr(initiator, "is_authenticated", False):
        raise ServiceError(_("Log in to start a challenge."))
    return Challenge.objects.create(initiator=initiator, status=Status.DRAFT)


@transaction.atomic
def challenge_update_draft(*, challenge: Challenge, actor, data: dict) -> Challenge:
    locked = locked_challenge(challenge)
    if not permissions.can_edit_plan(actor, locked):
        raise ServiceError(
            _(
                "This plan can no longer be changed: it has been submitted. "
                "Post an addition to its timeline instead."
            )
        )
    unknown = set(data) - set(PLAN_FIELDS)
    if unknown:
        raise ServiceError(
            _("These fields are not part of the plan: %(fields)s"),
            params={"fields": ", ".join(sorted(unknown))},
        )
    for name, value in data.items():
        setattr(locked, name, value)
    locked.save()
    return locked


@transaction.atomic
def challenge_delete_draft(*, challenge: Challenge, actor) -> bool:
    """The initiator deletes their draft. Its invitations are withdrawn (a pending
    invitation e-mail goes with them). A draft with no events is removed outright
    (True). A draft whose team was invited has those events on the hash-chained log,
    which never loses an entry: then its plan is emptied and the content of its
    events erased, so the chain still verifies (False); the views treat such a draft
    as gone (`is_deleted_draft`)."""
    locked = locked_challenge(challenge)
    if locked.status != Status.DRAFT:
        raise ServiceError(
            _(
                "Only a draft can be deleted. A submitted challenge can be withdrawn, "
                "with a motivation."
            )
        )
    if locked.initiator_id != getattr(actor, "pk", None):
        raise ServiceError(_("Only the initiator of this draft can delete it."))
    locked.invitations.all().delete()
    _remove_attachments(locked.attachments.all())
    if not locked.events.exists():
        locked.delete()
        return True
    for name in PLAN_FIELDS:
        field = Challenge._meta.get_field(name)
        setattr(locked, field.attname, None if field.null else "")
    locked.save()
    timeline_erase_challenge_events(challenge=locked)
    return False


@transaction.atomic
def challenge_transition(
    *,
    challenge: Challenge,
    to_status: str,
    actor,
    motivation: str = "",
    expected_status: str | None = None,
) -> Challenge:
    """Move a challenge along one edge of the transition table."""
    locked = locked_challenge(challenge)
    source = locked.status
    if expected_status is not None and expected_status != source:
        raise ServiceError(
            _(
                "This challenge changed in the meantime: it is now in stage “%(stage)s”. "
                "Reload the page and try again."
            ),
            params={"stage": Status(source).label},
        )
    edge = workflow.find_edge(source, to_status)
    if edge is None:
        raise ServiceError(
            _("A challenge in stage “%(source)s” cannot move to “%(target)s”."),
            params={
                "source": Status(source).label,
                "target": Status(to_status).label if to_status in Status.values else to_status,
            },
        )
    roles = permissions.roles_of(actor, locked)
    if not edge.roles & roles:
        raise ServiceError(_("You may not take this step for this challenge."))
    missing = edge.missing(locked)
    if missing:
        # The one refusal message of the guard slot, naming what is missing.
        raise ServiceError(
            workflow.GUARD_SLOTS[edge.guard].refusal, params={"missing": join_lazy(missing)}
        )
    motivation = (motivation or "").strip()
    if edge.motivation_required and not motivation:
        raise ServiceError(_("Write a motivation for this step; it is required."))

    now = timezone.now()
    if to_status == Status.ON_HOLD:
        locked.held_from_status = source
    elif source == Status.ON_HOLD:
        locked.held_from_status = ""
    if to_status == Status.SUBMITTED:
        locked.reference = _next_reference(now)
        locked.submitted_at = now
    if to_status in (Status.ACCEPTED, Status.REJECTED):
        locked.decision_motivation = motivation
    locked.status = to_status
    locked.status_changed_at = now
    locked.due_at = compute_due_at(locked, now=now)
    locked.save()

    record_event(
        challenge=locked,
        code=EventCode.SUBMITTED if source == Status.DRAFT else EventCode.STATUS_CHANGED,
        visibility=Visibility.PUBLIC,
        actor=actor,
        actor_role=_acting_role(roles, edge.roles),
        data={
            "from": source,
            "to": to_status,
            "motivation": motivation,
            "due_at": locked.due_at.isoformat() if locked.due_at else None,
            # Why the edge ends the challenge, when the table names it (not admissible).
            **({"reason": edge.reason} if edge.reason else {}),
        },
    )
    return locked


@transaction.atomic
def stage_target_apply(*, target: StageTarget) -> int:
    """Recompute the due date of every challenge now in the target's stage."""
    now = timezone.now()
    count = 0
    for challenge in Challenge.objects.select_for_update().filter(status=target.status):
        start = (
            challenge.submitted_at
            if target.basis == TargetBasis.SUBMISSION
            else challenge.status_changed_at
        ) or now
        challenge.due_at = _days_later(start, target.days)
        challenge.save(update_fields=["due_at"])
        count += 1
    return count


def _mask_email(email: str) -> str:
    local, _sep, domain = email.partition("@")
    return f"{local[:1]}…@{domain}"


@transaction.atomic
def invitation_create(*, challenge: Challenge, actor, email: str) -> Invitation:
    locked = locked_challenge(challenge)
    if not permissions.can_invite(actor, locked):
        raise ServiceError(_("You cannot invite co-initiators to this challenge."))
    email = email.strip().lower()
    if email == (actor.email or "").lower():
        raise ServiceError(_("You are already on the team."))
    if locked.invitations.filter(email__iexact=email).exists():
        raise ServiceError(_("This address has already been invited."))
    invitation = Invitation.objects.create(
        challenge=locked, email=email, token=secrets.token_urlsafe(32), invited_by=actor
    )
    record_event(
        challenge=locked,
        code=EventCode.CO_INITIATOR_INVITED,
        visibility=Visibility.PARTIES,
        actor=actor,
        actor_role=Role.CHALLENGER,
        # The invitation by id (not secret), never its token: the notifications outbox
        # turns this event into the invitee's e-mail, in this same transaction, and
        # renders the link from the Invitation row when it sends it.
        data={"email": _mask_email(email), "invitation": invitation.pk},
    )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Invitation:
    locked = (
        Invitation.objects.select_for_update().select_related("challenge").get(pk=invitation.pk)
    )
    if locked.accepted_at is not None:
        if locked.user_id == user.pk:
            return locked
        raise ServiceError(_("This invitation has already been used."))
    if (user.email or "").lower() != locked.email.lower():
        raise ServiceError(
            _(
                "This invitation was sent to another e-mail address. Log in with the address "
                "the invitation was sent to."
            )
        )
    if locked.challenge.status in (Status.REJECTED, Status.COMPLETED, Status.WITHDRAWN):
        raise ServiceError(_("This challenge is closed; it no longer takes co-initiators."))
    if locked.challenge.initiator_id == user.pk:
        raise ServiceError(_("You are already on the team."))
    locked.user = user
    locked.accepted_at = timezone.now()
    locked.save(update_fields=["user", "accepted_at"])
    record_event(
        challenge=locked.challenge,
        code=EventCode.CO_INITIATOR_JOINED,
        visibility=Visibility.PARTIES,
        actor=user,
        actor_role=Role.CHALLENGER,
        data={"name": user.name},
    )
    return locked


@transaction.atomic
def challenge_add_addition(*, challenge: Challenge, actor, text: str, visibility: str):
    locked = locked_challenge(challenge)
    if not permissions.can_add_addition(actor, locked):
        raise ServiceError(_("You cannot add to this challenge's timeline."))
    if visibility not in (Visibility.PUBLIC, Visibility.PARTIES):
        raise ServiceError(_("Choose who may read this addition."))
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("Write the addition first."))
    event = record_event(
        challenge=locked,
        code=EventCode.ADDITION,
        visibility=visibility,
        actor=actor,
        actor_role=Role.CHALLENGER,
        data={"text": text},
    )
    return event


@transaction.atomic
def challenge_add_note(*, challenge: Challenge, actor, text: str, visibility: str):
    locked = locked_challenge(challenge)
    if not permissions.can_add_note(actor, locked):
        raise ServiceError(_("You cannot add notes to this challenge."))
    if visibility not in Visibility.values:
        raise ServiceError(_("Choose who may read this note."))
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("Write the note first."))
    event = record_event(
        challenge=locked,
        code=EventCode.NOTE,
        visibility=visibility,
        actor=actor,
        actor_role=_acting_role(permissions.staff_roles(actor)),
        data={"text": text},
    )
    return event


_NOT_ASSESSABLE = _(
    "Criteria can be assessed only in the assessment and decision stages, "
    "by a reviewer or coordinator."
)


@transaction.atomic
def assessment_record_many(
    *, challenge: Challenge, actor, scores: list[tuple[Criterion, int, str]]
) -> list[Assessment]:
    """Save one sitting of the assessment (the admin's change page with its rows):
    every (criterion, score, motivation) given, all or nothing, as ONE internal
    `assessment_recorded` event listing the criteria that changed, so the
    municipality's people get one message, not one per criterion. The parties see
    the scores only once they are published (`assessment_publish`); a change after
    that makes the assessment internal again until it is published anew. Rows given
    unchanged (a double click) write nothing."""
    locked = locked_challenge(challenge)
    if not permissions.can_assess(actor, locked):
        raise ServiceError(_NOT_ASSESSABLE)
    cleaned = []
    for criterion, score, motivation in scores:
        if type(score) is not int or not 1 <= score <= 5:
            raise ServiceError(_("A score is a whole number from 1 to 5."))
        motivation = (motivation or "").strip()
        if not motivation:
            raise ServiceError(_("Explain the score in a motivation."))
        cleaned.append((criterion, score, motivation))
    if len({criterion.pk for criterion, _s, _m in cleaned}) != len(cleaned):
        raise ServiceError(_("Each criterion can be scored once per assessment."))
    saved, changed = [], []
    for criterion, score, motivation in cleaned:
        assessment, created = Assessment.objects.select_for_update().get_or_create(
            challenge=locked,
            criterion=criterion,
            defaults={"score": score, "motivation": motivation, "reviewer": actor},
        )
        saved.append(assessment)
        if not created:
            if assessment.score == score and assessment.motivation == motivation:
                continue
            assessment.score = score
            assessment.motivation = motivation
            assessment.reviewer = actor
            assessment.save()
        changed.append(
            {
                "criterion_nl": criterion.name_nl,
                "criterion_en": criterion.name_en,
                "score": score,
                "motivation": motivation,
                "revised": not created,
            }
        )
    if not changed:
        return saved
    was_published = locked.assessment_published_at is not None
    if was_published:
        locked.assessment_published_at = None
        locked.save(update_fields=["assessment_published_at", "updated_at"])
    record_event(
        challenge=locked,
        code=EventCode.ASSESSMENT_RECORDED,
        visibility=Visibility.INTERNAL,
        actor=actor,
        actor_role=_acting_role(permissions.staff_roles(actor)),
        data={"criteria": changed, "unpublished": was_published},
    )
    return saved


def assessment_record(
    *, challenge: Challenge, criterion: Criterion, actor, score: int, motivation: str
) -> Assessment:
    """One criterion scored (the demo's reviewer; scripts): `assessment_record_many`
    with one row."""
    return assessment_record_many(
        challenge=challenge, actor=actor, scores=[(criterion, score, motivation)]
    )[0]


@transaction.atomic
def assessment_publish(*, challenge: Challenge, actor) -> Challenge:
    """Show the assessment to the parties: every active criterion must be scored.
    Records one `assessment_published` event (parties) with all the scores."""
    locked = locked_challenge(challenge)
    if not permissions.can_assess(actor, locked):
        raise ServiceError(_NOT_ASSESSABLE)
    if locked.assessment_published_at is not None:
        raise ServiceError(_("This assessment is already published; nothing changed since."))
    rows = {a.criterion_id: a for a in locked.assessments.select_related("criterion")}
    active = list(Criterion.objects.filter(is_active=True))
    missing = [criterion.name for criterion in active if criterion.pk not in rows]
    if missing or not rows:
        raise ServiceError(
            _("Score every criterion before publishing. Still missing: %(missing)s."),
            params={"missing": join_lazy(missing) if missing else "-"},
        )
    locked.assessment_published_at = timezone.now()
    locked.save(update_fields=["assessment_published_at", "updated_at"])
    record_event(
        challenge=locked,
        code=ReviewingEvent.ASSESSMENT_PUBLISHED,
        visibility=Visibility.PARTIES,
        actor=actor,
        actor_role=_acting_role(permissions.staff_roles(actor)),
        data={
            "criteria": [
                {
                    "criterion_nl": a.criterion.name_nl,
                    "criterion_en": a.criterion.name_en,
                    "score": a.score,
                    "motivation": a.motivation,
                }
                for a in sorted(rows.values(), key=lambda a: (a.criterion.order, a.criterion_id))
            ]
        },
    )
    return locked


@transaction.atomic
def challenge_assign_reviewer(
    *, challenge: Challenge, actor, reviewer, co_reviewers=None
) -> Challenge:
    """A coordinator hands a submitted challenge to a reviewer (or to another one), the
    lead, with any number of other reviewers beside them (`co_reviewers`; None keeps
    the others as they are, an empty list removes them). One internal event when
    anything changed, naming them all; nothing when the same people are given again."""
    locked = locked_challenge(challenge)
    if Role.COORDINATOR not in permissions.staff_roles(actor):
        raise ServiceError(_("Only a coordinator can assign a reviewer."))
    if locked.status == Status.DRAFT:
        raise ServiceError(_("A draft cannot be assigned; it is still the team's own."))
    if reviewer is None or Role.REVIEWER not in permissions.staff_roles(reviewer):
        raise ServiceError(_("Choose an active reviewer."))
    current = {user.pk: user for user in locked.co_reviewers.all()}
    others = (
        dict(current)
        if co_reviewers is None
        else {user.pk: user for user in co_reviewers if user.pk != reviewer.pk}
    )
    others.pop(reviewer.pk, None)
    for other in others.values():
        if Role.REVIEWER not in permissions.staff_roles(other):
            raise ServiceError(
                _("%(name)s is not an active reviewer."), params={"name": other.name}
            )
    if locked.assigned_reviewer_id == reviewer.pk and set(others) == set(current):
        return locked
    locked.assigned_reviewer = reviewer
    locked.save(update_fields=["assigned_reviewer", "updated_at"])
    locked.co_reviewers.set(list(others.values()))
    ordered = sorted(others.values(), key=lambda user: (user.name, user.pk))
    record_event(
        challenge=locked,
        code=ReviewingEvent.REVIEWER_ASSIGNED,
        visibility=Visibility.INTERNAL,
        actor=actor,
        actor_role=Role.COORDINATOR,
        data={
            "reviewer": reviewer.pk,
            "name": reviewer.name,
            "others": [{"reviewer": user.pk, "name": user.name} for user in ordered],
        },
    )
    return locked


# -- Events recorded by Celery beat (challenges/tasks.py) ------------------------------
# No actor: the portal itself says so. Each service re-checks its condition under the
# row lock, so a task that runs twice (or two beats) records the event once.


def last_news_at(challenge: Challenge) -> datetime:
    """When the parties last heard something: the stage start or the latest event they
    can see (public or parties), not counting the portal's own reminders. A "no
    progress" message counts, so it is said once per silent period."""
    latest = (
        challenge.events.filter(visibility__in=[Visibility.PUBLIC, Visibility.PARTIES])
        # Reminders the portal writes itself are not news: they do not end a silence.
        .exclude(code__in=registry.automated_codes())
        .aggregate(latest=Max("created_at"))["latest"]
    )
    return max(filter(None, [challenge.status_changed_at, latest]))


def next_stage(status: str) -> str | None:
    """The next stop on the main line after `status` (None at its end)."""
    if status not in STAGE_LINE or status == STAGE_LINE[-1]:
        return None
    return STAGE_LINE[STAGE_LINE.index(status) + 1]


@transaction.atomic
def challenge_record_no_progress(*, challenge: Challenge, days: int):
    """Say so publicly when an open challenge had no news for `days` days in its stage:
    where it stands, the next step and its due date."""
    locked = locked_challenge(challenge)
    if locked.status not in OPEN_STATUSES:
        return None
    now = timezone.now()
    since = last_news_at(locked)
    if now - since < timedelta(days=days):
        return None
    return record_event(
        challenge=locked,
        code=EventCode.NO_PROGRESS,
        visibility=Visibility.PUBLIC,
        data={
            "status": locked.status,
            "stage_since": locked.status_changed_at.isoformat(),
            "silent_days": (now - since).days,
            "next": next_stage(locked.status),
            "due_at": locked.due_at.isoformat() if locked.due_at else None,
        },
    )


@transaction.atomic
def challenge_record_deadline_reminder(*, challenge: Challenge, days_before: int):
    """Remind the municipality's people, once per due date, `days_before` days ahead."""
    locked = locked_challenge(challenge)
    if locked.status not in OPEN_STATUSES or locked.due_at is None:
        return None
    now = timezone.now()
    if not locked.due_at - timedelta(days=days_before) <= now < locked.due_at:
        return None
    due = locked.due_at.isoformat()
    if locked.events.filter(code=EventCode.DEADLINE_REMINDER, data__due_at=due).exists():
        return None
    return record_event(
        challenge=locked,
        code=EventCode.DEADLINE_REMINDER,
        visibility=Visibility.INTERNAL,
        data={"status": locked.status, "due_at": due},
    )


@transaction.atomic
def challenge_record_deadline_passed(*, challenge: Challenge):
    """Tell the municipality's people, once per due date, that it has passed."""
    locked = locked_challenge(challenge)
    if locked.status not in OPEN_STATUSES or locked.due_at is None:
        return None
    if timezone.now() < locked.due_at:
        return None
    due = locked.due_at.isoformat()
    if locked.events.filter(code=EventCode.DEADLINE_PASSED, data__due_at=due).exists():
        return None
    return record_event(
        challenge=locked,
        code=EventCode.DEADLINE_PASSED,
        visibility=Visibility.INTERNAL,
        data={"status": locked.status, "due_at": due},
    )


# -- Attachments to a submission -------------------------------------------------------

# Every kind core.uploads knows: documents, spreadsheets and images.
ATTACHMENT_FILE_TYPES = ("pdf", "odt", "docx", "ods", "xlsx", "png", "jpeg")
ATTACHMENT_EXTENSIONS = uploads.accepted_extensions(ATTACHMENT_FILE_TYPES)
# Enough for a plan, its budget, letters of support and some photos; a bound on
# what one team can store.
MAX_ATTACHMENTS = 25


def attachment_file_types_text():
    return _("PDF, ODT, DOCX, ODS, XLSX, PNG or JPEG")


def check_attachment_file(fileobj, *, name: str, size: int) -> uploads.CheckedFile:
    """The content checks of workspace documents (core.uploads), for the kinds an
    attachment may be; raises UploadRefused."""
    return uploads.check_upload(
        fileobj,
        name=name,
        size=size,
        kinds=ATTACHMENT_FILE_TYPES,
        kinds_text=attachment_file_types_text(),
    )


def _remove_attachments(queryset) -> None:
    """Delete attachment rows now and their files once the deletion is committed."""
    files = [attachment.file.name for attachment in queryset if attachment.file]
    queryset.delete()
    if files:
        transaction.on_commit(lambda: [default_storage.delete(name) for name in files])


def _attachment_data(attachment: Attachment) -> dict:
    return {
        "attachment": attachment.pk,
        "name": attachment.original_name,
        "kind": attachment.kind,
        "file_type": attachment.file_type,
        "size": attachment.size,
        "visibility": attachment.visibility,
    }


@transaction.atomic
def attachment_upload(
    *, challenge: Challenge, actor, file, kind: str, visibility: str, name: str | None = None
) -> Attachment:
    """The team adds a file to its challenge: checked by its content exactly as a
    workspace document is (an image is re-encoded, and the clean copy is stored),
    stored under a generated name. While a draft it is part of the plan; after the
    submission it is an addition, recorded on the timeline with the file's own
    visibility."""
    locked = locked_challenge(challenge)
    if not permissions.can_add_attachment(actor, locked):
        raise ServiceError(_("You cannot add attachments to this challenge."))
    if kind not in AttachmentKind.values:
        raise ServiceError(_("Choose what kind of attachment this is."))
    if visibility not in ATTACHMENT_VISIBILITIES:
        raise ServiceError(_("Choose who may download this attachment."))
    if locked.attachments.count() >= MAX_ATTACHMENTS:
        raise ServiceError(
            _("A challenge can have at most %(limit)s attachments."),
            params={"limit": MAX_ATTACHMENTS},
        )
    try:
        checked = check_attachment_file(
            file, name=name if name is not None else file.name, size=file.size
        )
    except uploads.UploadRefused as refusal:
        raise ServiceError(refusal.message) from refusal
    is_addition = locked.status != Status.DRAFT
    attachment = Attachment(
        challenge=locked,
        uploaded_by=actor,
        kind=kind,
        visibility=visibility,
        original_name=checked.name,
        file_type=checked.kind.key,
        content_type=checked.kind.content_type,
        size=checked.size,
        sha256=checked.sha256,
        is_addition=is_addition,
        created_at=timezone.now(),
    )
    uploads.store_checked(attachment.file, checked, file)
    try:
        attachment.save()
        if is_addition:
            record_event(
                challenge=locked,
                code=EventCode.ATTACHMENT_ADDED,
                visibility=visibility,
                actor=actor,
                actor_role=Role.CHALLENGER,
                data=_attachment_data(attachment),
            )
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def _locked_attachment(attachment: Attachment) -> tuple[Challenge, Attachment]:
    locked = locked_challenge(attachment.challenge)
    row = Attachment.objects.select_for_update().filter(pk=attachment.pk, challenge=locked).first()
    if row is None:
        raise ServiceError(_("This attachment no longer exists."))
    return locked, row


@transaction.atomic
def attachment_set_visibility(*, attachment: Attachment, actor, visibility: str) -> Attachment:
    """The team changes who may download an attachment. After the submission the
    change is on the timeline: public when the file becomes public, for the parties
    when it becomes theirs only (the public page then no longer offers it)."""
    locked, row = _locked_attachment(attachment)
    if not permissions.can_change_attachment_visibility(actor, locked):
        raise ServiceError(_("You cannot change the attachments of this challenge."))
    if visibility not in ATTACHMENT_VISIBILITIES:
        raise ServiceError(_("Choose who may download this attachment."))
    if row.visibility == visibility:
        return row
    previous = row.visibility
    row.visibility = visibility
    row.save(update_fields=["visibility"])
    if locked.status != Status.DRAFT:
        record_event(
            challenge=locked,
            code=EventCode.ATTACHMENT_VISIBILITY_CHANGED,
            visibility=visibility,
            actor=actor,
            actor_role=Role.CHALLENGER,
            data={
                "attachment": row.pk,
                "name": row.original_name,
                "from": previous,
                "to": visibility,
            },
        )
    return row


@transaction.atomic
def attachment_delete(*, attachment: Attachment, actor) -> None:
    """The team removes an attachment from its draft; a submitted one stays."""
    locked, row = _locked_attachment(attachment)
    if not permissions.can_delete_attachment(actor, locked):
        raise ServiceError(
            _(
                "Only the attachments of a draft can be deleted; what was submitted stays "
                "part of the record. You can make it visible to the parties only."
            )
        )
    _remove_attachments(Attachment.objects.filter(pk=row.pk))


# -- Neighbourhood boundaries (the map) ------------------------------------------------


@transaction.atomic
def neighbourhood_set_boundary(*, neighbourhood: Neighbourhood, boundary) -> Neighbourhood:
    """Set (or clear, with None) the boundary drawn on the map, from a GeoJSON geometry,
    Feature or text (challenges.map.clean_boundary). The map is on cached public
    pages and no event records this: the cache goes once it is committed."""
    try:
        cleaned = neighbourhood_map.clean_boundary(boundary)
    except ValidationError as error:
        raise ServiceError(error.messages) from error
    locked = Neighbourhood.objects.select_for_update().get(pk=neighbourhood.pk)
    locked.boundary = cleaned
    locked.save(update_fields=["boundary"])
    transaction.on_commit(page_cache.invalidate)
    return locked
