"""An e-mail backend for the fault tests: every message it accepts becomes one line
in a file (Message-ID, recipient, size, subject), appended with a single write, so a
worker killed with SIGKILL leaves exactly the messages it handed over. An optional delay per
message (RTC_TEST_MAIL_DELAY, seconds) stands for a slow mail server, so a kill can
land in the middle of a batch. Selected with EMAIL_BACKEND in the worker's
environment (rtc_portal/settings/test.py reads it)."""

import os
import time

from django.core.mail.backends.base import BaseEmailBackend


class RecordingBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        path = os.environ["RTC_TEST_MAIL_LOG"]
        delay = float(os.environ.get("RTC_TEST_MAIL_DELAY", "0") or 0)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            for message in email_messages:
                if delay:
                    time.sleep(delay)  # the mail server takes its time, before accepting
                # Serialised as an SMTP backend would, so timings include building it.
                size = len(message.message().as_bytes())
                message_id = message.extra_headers.get("Message-ID", "<none>")
                line = f"{message_id}\t{','.join(message.to)}\t{size}\t{message.subject}\n"
                os.write(fd, line.encode())
        finally:
            os.close(fd)
        return len(email_messages)
