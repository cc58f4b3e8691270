"""Text helpers shared by the apps."""

from django.utils.functional import lazy

# Joined when the message is shown, so lazy labels follow the reader's language.
join_lazy = lazy(lambda labels: ", ".join(str(label) for label in labels), str)


def _interpolate(message, params: dict) -> str:
    return str(message) % {key: str(value) for key, value in params.items()}


# A translatable message with its parameters, put together when it is shown, so both
# follow the reader's language (a lazy string's own % would translate it at once).
interpolate_lazy = lazy(_interpolate, str)
