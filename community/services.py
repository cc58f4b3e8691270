"""Every change to support and to questions and answers goes through a function here.

Each runs in one transaction and locks the challenge row first
(`challenges.services.locked_challenge`), validates, saves, records its timeline
event in the same transaction and queues side effects on commit. Refusals raise
`ServiceError` and change nothing.

Supports record no event of their own (the daily count does, `support_record_count`),
so a change of support drops the cached public pages itself, on commit.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges import page_cache
from challenges.constants import Role, Visibility
from challenges.models import Challenge, Neighbourhood
from challenges.permissions import staff_roles
from challenges.services import locked_challenge
from challenges.timeline import record_event, timeline_erase_events
from core.errors import ServiceError

from . import permissions
from .constants import (
    OFFER_MAX_LENGTH,
    POST_MAX_LENGTH,
    REASON_MAX_LENGTH,
    AnswerRole,
    CommunityEvent,
    PostKind,
)
from .models import Answer, Question, Report, Support


def _text(value: str, *, max_length: int, required_message, too_long_message=None) -> str:
    text = (value or "").strip()
    if required_message is not None and not text:
        raise ServiceError(required_message)
    if len(text) > max_length:
        raise ServiceError(
            too_long_message or _("Keep it to %(max)s characters at most.") % {"max": max_length}
        )
    return text


def _invalidate_on_commit() -> None:
    transaction.on_commit(page_cache.invalidate)


# -- Support ----------------------------------------------------------------------------


@transaction.atomic
def support_add(
    *,
    challenge: Challenge,
    user,
    neighbourhood: Neighbourhood | None = None,
    offer: str = "",
    show_name: bool = False,
) -> Support:
    """`user` backs `challenge`, once; optionally with where they live and an offer."""
    locked = locked_challenge(challenge)
    if not permissions.has_verified_email(user):
        raise ServiceError(
            _("Confirm your e-mail address first; then you can support a challenge.")
        )
    if not permissions.is_open_for_support(locked):
        raise ServiceError(_("This challenge cannot be supported (any more)."))
    if not permissions.can_support(user, locked):
        raise ServiceError(_("The challenger team cannot support its own challenge."))
    offer = _text(offer, max_length=OFFER_MAX_LENGTH, required_message=None)
    if Support.objects.filter(challenge=locked, user=user).exists():
        raise ServiceError(_("You already support this challenge."))
    try:
        # A savepoint: a double click that slipped past the check above meets the
        # unique constraint here, and the outer transaction stays usable.
        with transaction.atomic():
            support = Support.objects.create(
                challenge=locked,
                user=user,
                neighbourhood=neighbourhood,
                offer=offer,
                show_name=bool(show_name),
            )
    except IntegrityError:
        raise ServiceError(_("You already support this challenge.")) from None
    _invalidate_on_commit()
    return support


@transaction.atomic
def support_withdraw(*, challenge: Challenge, user) -> bool:
    """`user` takes their support back (at any stage: it is theirs). True when there
    was one."""
    locked = locked_challenge(challenge)
    deleted, _rows = Support.objects.filter(challenge=locked, user=user).delete()
    if not deleted:
        raise ServiceError(_("You do not support this challenge."))
    _invalidate_on_commit()
    return True


def _last_count(challenge: Challenge) -> int:
    last = (
        challenge.events.filter(code=CommunityEvent.SUPPORT_COUNTED, erased_at__isnull=True)
        .order_by("-seq")
        .values_list("data", flat=True)
        .first()
    )
    return int((last or {}).get("count", 0))


@transaction.atomic
def support_record_count(*, challenge: Challenge):
    """The day's public event with the number of supporters, when it changed since
    the last one (so the task may run twice: the second run finds nothing new)."""
    locked = locked_challenge(challenge)
    if not permissions.is_public(locked):
        return None
    count = Support.objects.filter(challenge=locked).count()
    previous = _last_count(locked)
    if count == previous:
        return None
    return record_event(
        challenge=locked,
        code=CommunityEvent.SUPPORT_COUNTED,
        visibility=Visibility.PUBLIC,
        data={"count": count, "previous": previous},
    )


@transaction.atomic
def supporter_message(*, support: Support, actor, text: str):
    """A team member writes to one supporter through the portal: a parties event that
    names the supporter as its recipient (notifications.recipients.addressed_to),
    so the supporter is told in the notification centre and by e-mail without the
    team learning their address."""
    locked = locked_challenge(support.challenge)
    if not permissions.can_message_supporters(actor, locked):
        raise ServiceError(_("Only the challenger team can write to its supporters."))
    current = Support.objects.filter(pk=support.pk, challenge=locked).select_related("user").first()
    if current is None or not current.user.is_active:
        raise ServiceError(_("This person no longer supports the challenge."))
    text = _text(text, max_length=POST_MAX_LENGTH, required_message=_("Write the message first."))
    return record_event(
        challenge=locked,
        code=CommunityEvent.SUPPORTER_MESSAGED,
        visibility=Visibility.PARTIES,
        actor=actor,
        actor_role=Role.CHALLENGER,
        data={
            "text": text,
            "name": current.user.name if current.show_name else "",
            "recipient_ids": [current.user_id],
        },
    )


# -- Questions and answers --------------------------------------------------------------


@transaction.atomic
def question_ask(*, challenge: Challenge, actor, text: str) -> Question:
    """A logged-in person asks a public question; the question is a public event."""
    locked = locked_challenge(challenge)
    if not permissions.has_verified_email(actor):
        raise ServiceError(_("Confirm your e-mail address first; then you can ask a question."))
    if not permissions.can_ask(actor, locked):
        raise ServiceError(_("Questions can no longer be asked about this challenge."))
    text = _text(text, max_length=POST_MAX_LENGTH, required_message=_("Write your question."))
    role = (
        Role.CHALLENGER if permissions.challenge_permissions.is_team_member(actor, locked) else ""
    )
    question = Question.objects.create(challenge=locked, author=actor, text=text)
    question.event = record_event(
        challenge=locked,
        code=CommunityEvent.QUESTION_ASKED,
        visibility=Visibility.PUBLIC,
        actor=actor,
        actor_role=role,
        data={"question": question.pk, "text": text},
    )
    question.save(update_fields=["event"])
    return question


@transaction.atomic
def question_answer(*, question: Question, actor, text: str) -> Answer:
    """The challenger team or the municipality answers, marked as such."""
    locked = locked_challenge(question.challenge)
    current = Question.objects.select_for_update().get(pk=question.pk)
    role = permissions.answer_role(actor, locked)
    if not role:
        raise ServiceError(_("Only the challenger team and the municipality answer questions."))
    if current.is_removed:
        raise ServiceError(_("This question has been removed; it cannot be answered."))
    text = _text(text, max_length=POST_MAX_LENGTH, required_message=_("Write your answer."))
    answer = Answer.objects.create(question=current, author=actor, text=text, role=role)
    if role == AnswerRole.TEAM:
        actor_role = Role.CHALLENGER
    else:
        roles = staff_roles(actor)
        actor_role = Role.COORDINATOR if Role.COORDINATOR in roles else Role.REVIEWER
    answer.event = record_event(
        challenge=locked,
        code=CommunityEvent.QUESTION_ANSWERED,
        visibility=Visibility.PUBLIC,
        actor=actor,
        actor_role=actor_role,
        data={"question": current.pk, "answer": answer.pk, "role": role, "text": text},
    )
    answer.save(update_fields=["event"])
    return answer


def _post_model(kind: str):
    if kind == PostKind.QUESTION:
        return Question
    if kind == PostKind.ANSWER:
        return Answer
    raise ServiceError(_("Unknown kind of post."))


def _challenge_of(post) -> Challenge:
    return post.challenge if isinstance(post, Question) else post.question.challenge


@transaction.atomic
def post_report(*, post: Question | Answer, actor, reason: str) -> Report:
    """Any logged-in person reports a post to the municipality, once per post."""
    locked = locked_challenge(_challenge_of(post))
    if not permissions.can_report(actor, locked):
        raise ServiceError(_("You cannot report posts on this challenge."))
    reason = _text(
        reason,
        max_length=REASON_MAX_LENGTH,
        required_message=_("Say why the municipality should look at this post."),
    )
    if (
        type(post)
        .objects.filter(pk=post.pk, hidden_at__isnull=True, erased_at__isnull=True)
        .count()
        == 0
    ):
        raise ServiceError(_("This post has been removed already."))
    field = "question" if isinstance(post, Question) else "answer"
    if Report.objects.filter(**{field: post, "reporter": actor}).exists():
        raise ServiceError(_("You have reported this post already."))
    try:
        with transaction.atomic():
            return Report.objects.create(**{field: post}, reporter=actor, reason=reason)
    except IntegrityError:
        raise ServiceError(_("You have reported this post already.")) from None


@transaction.atomic
def post_hide(*, post: Question | Answer, actor, reason: str):
    """Staff hide a post: its text goes from this app, and the content of the event
    that published it is erased (so the log, the feed, the exports and the
    notifications no longer carry it; the chain still verifies). The hiding and its
    reason are a public event."""
    locked = locked_challenge(_challenge_of(post))
    if not permissions.can_hide(actor, locked):
        raise ServiceError(_("Only the municipality's reviewers and coordinators hide posts."))
    model = type(post)
    current = model.objects.select_for_update().get(pk=post.pk)
    if current.is_hidden:
        raise ServiceError(_("This post is hidden already."))
    reason = _text(
        reason,
        max_length=REASON_MAX_LENGTH,
        required_message=_("Give the reason for hiding it; it is shown on the timeline."),
    )
    current.text = ""
    current.hidden_at = timezone.now()
    current.hidden_reason = reason
    current.hidden_by = actor
    current.save(update_fields=["text", "hidden_at", "hidden_reason", "hidden_by"])
    data = {"post": (PostKind.QUESTION if model is Question else PostKind.ANSWER).value}
    if current.event_id is not None:
        timeline_erase_events(event_ids=[current.event_id])
        # Which entry of the log held it: a reader of the log can tell this erasure
        # from one a person asked for.
        data["seq"] = current.event.seq
    data["reason"] = reason
    roles = staff_roles(actor)
    record_event(
        challenge=locked,
        code=CommunityEvent.POST_HIDDEN,
        visibility=Visibility.PUBLIC,
        actor=actor,
        actor_role=Role.COORDINATOR if Role.COORDINATOR in roles else Role.REVIEWER,
        data=data,
    )
    return current


def post_by_kind(kind: str, pk: int):
    """The question or answer `pk` of `kind` (raises DoesNotExist)."""
    model = _post_model(kind)
    related = "challenge" if model is Question else "question__challenge"
    return model.objects.select_related(related).get(pk=pk)
