"""Reads shared by the challenge page's sections, the pages of this app, the
reviewer's facts and the open data. Each runs a fixed number of queries, however
many supports and questions a challenge has."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from challenges.models import Challenge

from .models import Answer, Question, Support

# How many offers and questions the challenge page itself shows (the rest a link away).
SECTION_SIZE = 10


@dataclass
class SupportSummary:
    count: int = 0
    offers: int = 0
    # (neighbourhood name or "" for not given, number of supporters), most first.
    by_neighbourhood: list[tuple[str, int]] = field(default_factory=list)


def support_summary(challenge: Challenge) -> SupportSummary:
    """The number of supporters, of offers, and per neighbourhood: one query."""
    rows = (
        Support.objects.filter(challenge=challenge)
        .values("neighbourhood__name")
        .annotate(n=Count("pk"), offers=Count("pk", filter=~Q(offer="")))
        .order_by()
    )
    summary = SupportSummary()
    for row in rows:
        summary.count += row["n"]
        summary.offers += row["offers"]
        summary.by_neighbourhood.append((row["neighbourhood__name"] or "", row["n"]))
    # Named neighbourhoods first, most supporters first; "not given" last.
    summary.by_neighbourhood.sort(key=lambda item: (item[0] == "", -item[1], item[0]))
    return summary


def supporter_count():
    """The number of supporters of the challenge of the row, as an expression to
    annotate a challenge queryset with (one query for any number of challenges)."""
    counted = (
        Support.objects.filter(challenge=OuterRef("pk"))
        .order_by()
        .values("challenge")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def support_counts(challenge_ids: Iterable[int]) -> dict[int, int]:
    """{challenge id: number of supporters} for the open data (counts only); a
    challenge without supporters is 0. One query."""
    ids = list(challenge_ids)
    counts = dict(
        Support.objects.filter(challenge_id__in=ids)
        .values_list("challenge_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {pk: counts.get(pk, 0) for pk in ids}


def offers(challenge: Challenge) -> QuerySet[Support]:
    """The supports that came with an offer, newest first (with the person, for the
    name where they allowed it)."""
    return (
        Support.objects.filter(challenge=challenge)
        .exclude(offer="")
        .select_related("user", "neighbourhood")
        .order_by("-created_at", "-pk")
    )


def supporters(challenge: Challenge) -> QuerySet[Support]:
    """Every support, newest first (for the team's list of supporters)."""
    return (
        Support.objects.filter(challenge=challenge)
        .select_related("user", "neighbourhood")
        .order_by("-created_at", "-pk")
    )


def support_of(user, challenge: Challenge) -> Support | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Support.objects.filter(challenge=challenge, user=user).first()


def questions(challenge: Challenge) -> QuerySet[Question]:
    """The questions of a challenge, newest first, each with its answers (two
    queries when evaluated)."""
    return (
        Question.objects.filter(challenge=challenge)
        .order_by("-created_at", "-pk")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.order_by("created_at", "pk")))
    )


def question_count(challenge: Challenge) -> int:
    return Question.objects.filter(challenge=challenge).count()


def review_facts(challenge: Challenge) -> list[tuple[str, str]]:
    """For the reviewer, beside the support criterion: the figures of the portal."""
    summary = support_summary(challenge)
    facts = [
        (_("Supporters on the portal"), str(summary.count)),
        (_("Supporters who offered help"), str(summary.offers)),
    ]
    if summary.by_neighbourhood:
        parts = [f"{name or _('not given')}: {n}" for name, n in summary.by_neighbourhood]
        facts.append((_("Supporters per neighbourhood"), "; ".join(parts)))
    facts.append((_("Public questions"), str(question_count(challenge))))
    return facts
