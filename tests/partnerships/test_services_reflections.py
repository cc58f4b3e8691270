"""The reflection services: answers hidden from the other side until both answered,
scores from 1 to 5, and the reflections the portal opens at the evaluation dates."""

from datetime import timedelta

import pytest

from challenges.constants import Visibility
from challenges.services import ServiceError
from partnerships import selectors, services
from partnerships.constants import PartnershipEvent, Side
from partnerships.models import ReflectionRound
from tests.partnerships.helpers import events, message

E = PartnershipEvent


SCORES = {"right_things": 4, "doing_right": 3, "together": 5}


COMMENTS = {
    "right_things": "Het park is schoner.",
    "doing_right": "De planning schuift nog.",
    "together": "Korte lijnen.",
}


def test_answers_stay_hidden_from_the_other_side_until_both_answered(in_execution):
    p = in_execution
    round_ = services.reflection_open(
        challenge=p.challenge, actor=p.challenger, reason="Halverwege het eerste jaar."
    )
    services.reflection_answer(round=round_, actor=p.challenger, scores=SCORES, comments=COMMENTS)

    (challenger_view,) = selectors.reflections_for(p.challenger, p.challenge)
    (municipality_view,) = selectors.reflections_for(p.municipality, p.challenge)
    assert challenger_view.own.scores() == SCORES and challenger_view.other is None
    assert municipality_view.own is None and municipality_view.other is None
    assert municipality_view.municipality is None and municipality_view.challenger is None
    assert municipality_view.answered_sides == [Side.CHALLENGER]
    # The timeline says who answered, never what.
    (answered,) = events(p.challenge, E.REFLECTION_ANSWERED)
    assert answered.data == {"round": round_.pk, "side": Side.CHALLENGER}
    assert not events(p.challenge, E.REFLECTION_REVEALED)
    assert selectors.reflection_trend(p.challenge) == []

    other = {"right_things": 5, "doing_right": 4, "together": 4}
    services.reflection_answer(
        round=round_, actor=p.colleague, scores=other, comments=COMMENTS
    )  # any reviewer answers for the municipality
    round_.refresh_from_db()
    assert round_.is_revealed
    (municipality_view,) = selectors.reflections_for(p.municipality, p.challenge)
    assert municipality_view.other.scores() == SCORES
    assert municipality_view.challenger.scores() == SCORES
    assert municipality_view.municipality.scores() == other
    (revealed,) = events(p.challenge, E.REFLECTION_REVEALED)
    assert revealed.visibility == Visibility.PARTIES
    assert revealed.data["answers"][Side.CHALLENGER]["scores"] == SCORES
    assert revealed.data["answers"][Side.MUNICIPALITY]["scores"] == other
    (point,) = selectors.reflection_trend(p.challenge)
    assert point.scores["together"] == {"municipality": 4, "challenger": 5}


def test_a_side_answers_once_and_scores_are_whole_numbers_from_1_to_5(in_execution):
    p = in_execution
    round_ = services.reflection_open(challenge=p.challenge, actor=p.municipality, reason="Nu.")
    for bad in (0, 6, "4", 4.0, None):
        with pytest.raises(ServiceError) as refused:
            services.reflection_answer(
                round=round_,
                actor=p.challenger,
                scores={**SCORES, "doing_right": bad},
                comments=COMMENTS,
            )
        assert "whole number from 1 to 5" in message(refused.value)
    with pytest.raises(ServiceError) as refused:
        services.reflection_answer(
            round=round_, actor=p.challenger, scores=SCORES, comments={**COMMENTS, "together": ""}
        )
    assert "comment" in message(refused.value)
    services.reflection_answer(round=round_, actor=p.challenger, scores=SCORES, comments=COMMENTS)
    with pytest.raises(ServiceError) as refused:
        services.reflection_answer(
            round=round_, actor=p.co_initiator, scores=SCORES, comments=COMMENTS
        )
    assert "already answered" in message(refused.value)
    # One open reflection at a time.
    with pytest.raises(ServiceError) as refused:
        services.reflection_open(challenge=p.challenge, actor=p.challenger, reason="Nog een.")
    assert "already open" in message(refused.value)


def test_reflections_open_at_the_evaluation_dates_once(in_execution):
    p = in_execution
    version = selectors.agreement_in_force(p.challenge)
    first, second = version.evaluation_dates_parsed
    assert services.reflections_open_due(today=first - timedelta(days=1)) == 0
    assert services.reflections_open_due(today=first) == 1
    assert services.reflections_open_due(today=first) == 0  # safe to run twice
    round_ = ReflectionRound.objects.get(challenge=p.challenge)
    assert round_.evaluation_date == first and round_.opened_by is None
    (event,) = events(p.challenge, E.REFLECTION_OPENED)
    assert event.data["evaluation_date"] == first.isoformat()
    # The next date waits until this one has been answered by both.
    assert services.reflections_open_due(today=second) == 0
    for person in (p.challenger, p.municipality):
        services.reflection_answer(round=round_, actor=person, scores=SCORES, comments=COMMENTS)
    assert services.reflections_open_due(today=second) == 1


def test_reflections_belong_to_execution_and_evaluation(in_agreement):
    p = in_agreement
    with pytest.raises(ServiceError) as refused:
        services.reflection_open(challenge=p.challenge, actor=p.challenger, reason="Te vroeg.")
    assert "execution and evaluation" in message(refused.value)
