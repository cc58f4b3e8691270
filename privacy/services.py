"""The person's own changes to their data: their profile, and deleting their account.

Deleting an account (the right to erasure) removes or anonymises the person's data in
every app, in one transaction. The user row itself stays, anonymised and deactivated:
challenges, invitations and assessments point at it with PROTECT, because a submitted
challenge is public record and stays when its initiator leaves; the row then holds no
name, no address and no usable password. `DELETION` says what happens to each
relation to the user; tests/privacy/test_privacy_coverage.py fails when a model points
at the user through a relation it does not name.
"""

import logging

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from challenges import page_cache
from challenges.models import Attachment, Challenge, Invitation
from challenges.timeline import timeline_erase_mentions, timeline_erase_personal_data
from community.models import Answer, Question, Report, Support
from core.errors import ServiceError
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

from . import selectors
from .exporters import addresses_of, notifications_addressed_to
from .relations import installed_model

audit = logging.getLogger("rtc.audit")

# What a deleted account is called wherever it is still linked (the team of a
# challenge it started, an invitation it sent). Stored in the portal's language.
FORMER_PARTICIPANT = gettext_lazy("former participant")

DELETE = "deleted"
STAFF_ONLY = "never reached: staff accounts cannot be deleted here"
UNLINK = "unlinked (set to empty), the row stays as the partnership's record"
ANONYMISED = "kept, pointing at the anonymised account"

# Every relation to the user model and what deleting the account does with it.
DELETION: dict[str, str] = {
    # accounts, allauth and Django
    "account.EmailAddress.user": DELETE,
    "mfa.Authenticator.user": DELETE,
    "usersessions.UserSession.user": DELETE,
    "accounts.User_groups.user": DELETE,
    "accounts.User_user_permissions.user": DELETE,
    "admin.LogEntry.user": STAFF_ONLY,
    # challenges: the public record stays, the person's name goes
    "challenges.Challenge.initiator": ANONYMISED,
    "challenges.Invitation.invited_by": ANONYMISED,
    "challenges.Invitation.user": DELETE + " (the person leaves the team)",
    "challenges.Assessment.reviewer": STAFF_ONLY,
    "challenges.Challenge.assigned_reviewer": STAFF_ONLY,
    "challenges.Challenge_co_reviewers.user": STAFF_ONLY,
    "challenges.TimelineEvent.actor": "content erased, entry kept (timeline_erase_personal_data)",
    "challenges.Attachment.uploaded_by": (
        "unlinked (set to empty), the file stays with the challenge it was added to"
    ),
    # notifications
    "notifications.Notification.recipient": DELETE,
    "notifications.Digest.recipient": DELETE,
    "notifications.Preference.user": DELETE,
    "notifications.Follow.user": DELETE,
    # partnerships
    "partnerships.Organisation.created_by": UNLINK,
    "partnerships.OrganisationMember.user": DELETE,
    "partnerships.ContactPerson.user": UNLINK,
    "partnerships.ContactPerson.assigned_by": UNLINK,
    "partnerships.AgreementVersion.created_by": UNLINK,
    "partnerships.AgreementVersion.proposed_by": UNLINK,
    "partnerships.AgreementSignature.signer": UNLINK,
    "partnerships.Milestone.created_by": UNLINK,
    "partnerships.ReflectionRound.opened_by": UNLINK,
    "partnerships.ReflectionAnswer.respondent": UNLINK,
    "partnerships.Knot.raised_by": UNLINK,
    "partnerships.Knot.resolved_by": UNLINK,
    "partnerships.Message.author": UNLINK,
    "partnerships.Document.uploaded_by": UNLINK,
    # community
    "community.Support.user": DELETE,
    "community.Report.reporter": DELETE,
    "community.Question.author": "text erased, author unlinked, the place stays",
    "community.Answer.author": "text erased, author unlinked, the place stays",
    "community.Question.hidden_by": STAFF_ONLY,
    "community.Answer.hidden_by": STAFF_ONLY,
    # meetings
    "meetings.Meeting.proposed_by": UNLINK,
    "meetings.Meeting.picked_by": UNLINK,
    "meetings.Meeting.cancelled_by": UNLINK,
    "meetings.Minutes.uploaded_by": UNLINK,
}

# The rows whose link to the person is emptied (the fields allow null).
_UNLINKED = (
    (Attachment, "uploaded_by"),
    (Organisation, "created_by"),
    (ContactPerson, "user"),
    (ContactPerson, "assigned_by"),
    (AgreementVersion, "created_by"),
    (AgreementVersion, "proposed_by"),
    (AgreementSignature, "signer"),
    (Milestone, "created_by"),
    (ReflectionRound, "opened_by"),
    (ReflectionAnswer, "respondent"),
    (Knot, "raised_by"),
    (Knot, "resolved_by"),
    (Message, "author"),
    (Document, "uploaded_by"),
    (Meeting, "proposed_by"),
    (Meeting, "picked_by"),
    (Meeting, "cancelled_by"),
    (Minutes, "uploaded_by"),
)


@transaction.atomic
def profile_update(*, user, display_name: str, language: str):
    """Change the name shown to the other parties and the language of the e-mails."""
    if language not in dict(settings.LANGUAGES):
        raise ServiceError(_("Choose one of the languages offered."))
    display_name = (display_name or "").strip()
    if len(display_name) > get_user_model()._meta.get_field("display_name").max_length:
        raise ServiceError(_("The display name is too long."))
    locked = get_user_model().objects.select_for_update().get(pk=user.pk)
    locked.display_name = display_name
    locked.language = language
    locked.save(update_fields=["display_name", "language"])
    user.display_name, user.language = display_name, language
    return locked


def _delete_sessions(user_id: int) -> int:
    """Every stored session of the person (their other devices included). A session
    is found by the user id inside its data, so the table is read in chunks; only
    unexpired sessions can hold a login."""
    if settings.SESSION_ENGINE not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        # Other engines: the deactivated account and its unusable password already
        # make every session of it anonymous at its next request.
        return 0
    doomed = []
    sessions = Session.objects.filter(expire_date__gt=timezone.now()).only(
        "session_key", "session_data"
    )
    for session in sessions.iterator(chunk_size=500):
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id):
            doomed.append(session.session_key)
    if doomed:
        Session.objects.filter(session_key__in=doomed).delete()
    return len(doomed)


@transaction.atomic
def account_delete(*, user, password: str) -> None:
    """Delete the person's account: check the password and the refusals, then remove
    or anonymise their data everywhere (see `DELETION` and the module docstring).

    A refusal (wrong password, an active fixed contact person, a staff account)
    raises ServiceError and changes nothing.
    """
    model = get_user_model()
    locked = model.objects.select_for_update().get(pk=user.pk)
    if not locked.is_active or selectors.is_deleted_account(locked):
        raise ServiceError(_("This account has already been deleted."))
    if not password or not locked.check_password(password):
        raise ServiceError(_("The password is not correct. Nothing has been deleted."))
    refusal = selectors.deletion_refusal(locked)
    if refusal:
        raise ServiceError(refusal)

    addresses = addresses_of(locked)
    # Who the person was, and where: for the entries others wrote that name them.
    former_names = {locked.name, locked.display_name, locked.get_full_name(), locked.email}
    their_challenges = {
        *ContactPerson.objects.filter(user=locked).values_list("challenge_id", flat=True),
        *Challenge.objects.filter(initiator=locked).values_list("pk", flat=True),
        *Invitation.objects.filter(user=locked).values_list("challenge_id", flat=True),
        # A message from a team to the person as a supporter names them.
        *Support.objects.filter(user=locked).values_list("challenge_id", flat=True),
    }
    for row_model, field in _UNLINKED:
        row_model.objects.filter(**{field: locked}).update(**{field: None})
    OrganisationMember.objects.filter(user=locked).delete()

    # Team memberships (accepted invitations) and invitations still waiting for the
    # person (with their e-mail rows). Invitations the person sent stay with the
    # team, their inviter the anonymised account.
    addressed = Q(user=locked)
    for email in addresses:
        addressed |= Q(email__iexact=email, accepted_at__isnull=True)
    Invitation.objects.filter(addressed).delete()

    Preference.objects.filter(user=locked).delete()
    Follow.objects.filter(user=locked).delete()
    # Their support goes (the daily count follows); their reports go; what they
    # asked or answered keeps its place on the page, without text or author (its
    # timeline event is erased below with their other events).
    had_support = Support.objects.filter(user=locked).delete()[0]
    Report.objects.filter(reporter=locked).delete()
    erased_posts = 0
    for post_model in (Question, Answer):
        erased_posts += post_model.objects.filter(author=locked).update(
            text="", author=None, erased_at=timezone.now()
        )
    if had_support or erased_posts:
        transaction.on_commit(page_cache.invalidate)
    LogEntry.objects.filter(user=locked).delete()
    for label in ("mfa.Authenticator", "usersessions.UserSession"):
        optional = installed_model(label)
        if optional is not None:
            optional.objects.filter(user=locked).delete()
    EmailAddress.objects.filter(user=locked).delete()
    _delete_sessions(locked.pk)

    locked.groups.clear()
    locked.user_permissions.clear()
    locked.username = f"deleted-{locked.pk}"
    locked.email = f"deleted-{locked.pk}@{selectors.DELETED_EMAIL_DOMAIN}"
    locked.first_name = locked.last_name = ""
    with translation.override(settings.LANGUAGE_CODE):
        locked.display_name = str(FORMER_PARTICIPANT)
    locked.language = settings.LANGUAGE_CODE
    locked.is_active = locked.is_staff = locked.is_superuser = False
    locked.last_login = None
    locked.set_unusable_password()
    locked.save()

    # The timeline once the account is inactive (so the erasure's own events are
    # not announced to it): the entries keep their place, their content is erased
    # and the actor unlinked, and the chain still verifies.
    timeline_erase_personal_data(user=locked)
    # And the entries by others that name them (a contact person's assignment or
    # handover written by the municipality or their successor).
    timeline_erase_mentions(challenge_ids=their_challenges, names=former_names)
    # Last, so that nothing recorded above is left addressed to the person.
    Notification.objects.filter(notifications_addressed_to(locked, addresses)).delete()
    Digest.objects.filter(recipient=locked).delete()

    user_id = locked.pk
    transaction.on_commit(lambda: audit.info("account deleted user=%s", user_id))
