"""The two parts this app adds to the public challenge page
(`challenges.registry.register_detail_section`): support beside the plan, the
questions under it. Each context runs a fixed number of queries.

The anonymous page is cached, so nothing here may depend on an anonymous reader
beyond the language: an anonymous reader gets links to log in, never a form."""

from challenges.registry import DetailSection

from . import permissions, selectors


def support_context(request, challenge, page_context) -> dict | None:
    if not permissions.is_public(challenge):
        return None
    user = request.user
    summary = selectors.support_summary(challenge)
    all_offers = permissions.can_see_all_offers(user, challenge)
    return {
        "challenge": challenge,
        "summary": summary,
        "offers": list(selectors.offers(challenge)[: selectors.SECTION_SIZE]),
        "sees_all_offers": all_offers,
        "own_support": selectors.support_of(user, challenge),
        "can_support": permissions.can_support(user, challenge),
        "is_open": permissions.is_open_for_support(challenge),
        "verified": permissions.has_verified_email(user),
        "is_team": page_context.get("is_team", False),
    }


def questions_context(request, challenge, page_context) -> dict | None:
    if not permissions.is_public(challenge):
        return None
    user = request.user
    return {
        "challenge": challenge,
        "questions": list(selectors.questions(challenge)[: selectors.SECTION_SIZE]),
        "question_count": selectors.question_count(challenge),
        "can_ask": permissions.can_ask(user, challenge),
        "can_answer": permissions.can_answer(user, challenge),
        "can_report": permissions.can_report(user, challenge),
        "can_hide": permissions.can_hide(user, challenge),
        "is_open": challenge.status in permissions.QUESTION_STATUSES,
    }


SECTIONS = [
    DetailSection(
        code="community_support",
        template="community/_support_section.html",
        context=support_context,
        place="aside",
        order=10,
    ),
    DetailSection(
        code="community_questions",
        template="community/_questions_section.html",
        context=questions_context,
        place="main",
        order=10,
    ),
]
