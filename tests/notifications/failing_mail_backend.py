"""An e-mail backend whose mail server cannot be reached: every send raises
ConnectionRefusedError, as Django's SMTP backend does when nothing listens."""

from django.core.mail.backends.base import BaseEmailBackend


class UnreachableBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        raise ConnectionRefusedError(111, "Connection refused")
