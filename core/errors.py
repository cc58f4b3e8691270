"""One refusal type for the whole portal."""

from django.core.exceptions import ValidationError


class ServiceError(ValidationError):
    """A refused change; the message is meant for the person who tried it.

    Raised by every service (and by the guards of the transition table); views,
    forms and the admin show its message as it is. A refusal changes nothing.
    """
