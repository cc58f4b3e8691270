"""Helpers for the community tests: supports and posts made through the services,
on challenges brought to their stage by `tests.challenges.factories.challenge_in`."""

from challenges.constants import Status
from community import services
from tests.challenges.factories import NeighbourhoodFactory, UserFactory, challenge_in


def public_challenge(status: str = Status.SUBMITTED, **kwargs):
    return challenge_in(status, **kwargs)


def support(challenge, user=None, **fields):
    user = user or UserFactory()
    return services.support_add(challenge=challenge, user=user, **fields)


def supports(challenge, count: int, *, neighbourhoods=None, offer: str = "Ik help mee.") -> None:
    """`count` supporters, spread over `neighbourhoods` (names), each with an offer."""
    places = [NeighbourhoodFactory(name=name) for name in (neighbourhoods or [])]
    for n in range(count):
        support(
            challenge,
            neighbourhood=places[n % len(places)] if places else None,
            offer=f"{offer} ({n})" if offer else "",
            show_name=n % 2 == 0,
        )


def question(challenge, user=None, text: str = "Wanneer begint het maaien?"):
    user = user or UserFactory()
    return services.question_ask(challenge=challenge, actor=user, text=text)


def answer(question_obj, actor, text: str = "In april, elke twee weken."):
    return services.question_answer(question=question_obj, actor=actor, text=text)
