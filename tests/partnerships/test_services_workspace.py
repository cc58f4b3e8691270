"""The workspace services: messages are for the parties."""

import pytest

from challenges.constants import Visibility
from challenges.services import ServiceError
from partnerships import services
from partnerships.constants import PartnershipEvent, Side
from tests.partnerships.helpers import events, message

E = PartnershipEvent


def test_messages_are_for_the_parties(in_agreement):
    p = in_agreement
    sent = services.message_post(challenge=p.challenge, actor=p.challenger, text="  Hallo!  ")
    assert (sent.text, sent.side) == ("Hallo!", Side.CHALLENGER)
    (event,) = events(p.challenge, E.MESSAGE_POSTED)
    assert event.visibility == Visibility.PARTIES and event.data["message"] == sent.pk
    with pytest.raises(ServiceError):
        services.message_post(challenge=p.challenge, actor=p.outsider, text="Mag ik meelezen?")
    with pytest.raises(ServiceError) as refused:
        services.message_post(challenge=p.challenge, actor=p.municipality, text=" ")
    assert "Write the message" in message(refused.value)
