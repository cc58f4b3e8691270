"""The knot services: raised with a question, a decision and a date, listed by date,
cut with a decision."""

from datetime import timedelta

import pytest
from django.utils import timezone

from challenges.constants import Visibility
from challenges.services import ServiceError
from partnerships import selectors, services
from partnerships.constants import KnotStatus, PartnershipEvent, Side
from tests.partnerships.helpers import events, message

E = PartnershipEvent


def test_a_knot_is_raised_listed_by_date_and_cut_with_a_decision(in_execution, in_agreement):
    today = timezone.localdate()
    later = services.knot_raise(
        challenge=in_execution.challenge,
        actor=in_execution.challenger,
        question="Mogen wij de vijverrand zelf herstellen?",
        decision_needed="Toestemming van team Water.",
        needed_by=today + timedelta(days=20),
    )
    sooner = services.knot_raise(
        challenge=in_agreement.challenge,
        actor=in_agreement.municipality,
        question="Valt de zaalverhuur onder staatssteun?",
        decision_needed="Advies van Juridische Zaken.",
        needed_by=today + timedelta(days=5),
    )
    assert list(selectors.open_knots()) == [sooner, later]
    (raised,) = events(in_execution.challenge, E.KNOT_RAISED)
    assert raised.visibility == Visibility.PARTIES
    assert raised.data["side"] == Side.CHALLENGER
    assert raised.data["needed_by"] == (today + timedelta(days=20)).isoformat()

    resolved = services.knot_resolve(
        knot=later,
        actor=in_execution.municipality,
        decision="Ja, onder begeleiding van team Water.",
    )
    assert (
        resolved.status == KnotStatus.RESOLVED and resolved.resolved_by == in_execution.municipality
    )
    assert list(selectors.open_knots()) == [sooner]
    (cut,) = events(in_execution.challenge, E.KNOT_RESOLVED)
    assert cut.data["decision"] == "Ja, onder begeleiding van team Water."
    assert cut.data["late"] is False
    with pytest.raises(ServiceError) as refused:
        services.knot_resolve(knot=later, actor=in_execution.challenger, decision="Nog eens.")
    assert "already been cut" in message(refused.value)


def test_a_knot_needs_a_question_a_decision_and_a_date_not_past(in_execution):
    p = in_execution
    today = timezone.localdate()
    cases = [
        ({"question": ""}, "blocking question"),
        ({"decision_needed": " "}, "decision that is needed"),
        ({"needed_by": today - timedelta(days=1)}, "cannot be in the past"),
    ]
    for override, expected in cases:
        data = {"question": "Vraag?", "decision_needed": "Besluit.", "needed_by": today, **override}
        with pytest.raises(ServiceError) as refused:
            services.knot_raise(challenge=p.challenge, actor=p.challenger, **data)
        assert expected in message(refused.value)
    with pytest.raises(ServiceError):
        services.knot_raise(
            challenge=p.challenge,
            actor=p.outsider,
            question="Vraag?",
            decision_needed="Besluit.",
            needed_by=today,
        )
