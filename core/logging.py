"""Keep one-time keys out of the logs.

Three kinds of link carry a secret in their path: the e-mail confirmation link
(`/accounts/confirm-email/<key>/`), the password reset link
(`/accounts/password/reset/key/<uidb36>-<key>/`) and the invitation to a challenge
team (`/invitations/<token>/`). Whoever reads an access log or Django's request log
could otherwise use a key that has not been used yet. `redact()` replaces such a
path segment with `[redacted]` wherever it appears in a line (request line,
Referer, a "Not Found: ..." message); `RedactKeysFilter` applies it to log records.

The filter sits on the console handler in `LOGGING` (rtc_portal/settings/base.py),
so it covers every logger that writes there, `django.request` included (a filter on
the `django` logger itself would not see what its children propagate to it);
gunicorn.conf.py applies the same function to gunicorn's access and error logs.

Plain standard library: gunicorn.conf.py imports it before Django is set up.
"""

import logging
import re

REDACTED = "[redacted]"

# The segment after each prefix, up to the next "/", "?", "#", "&", quote or white
# space. Matched on the prefix alone, wherever the portal is mounted, and also with
# its slashes percent-encoded (a link in a `?next=` parameter).
_SLASH = r"(?:/|%2F)"
_KEY_IN_PATH = re.compile(
    rf"(?P<prefix>{_SLASH}(?:confirm-email|password{_SLASH}reset{_SLASH}key|invitations){_SLASH})"
    r"(?P<key>(?:(?!%2F)[^/?#&\s\"'])+)",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """`text` with every one-time key in a known link replaced by `[redacted]`."""
    return _KEY_IN_PATH.sub(lambda m: m.group("prefix") + REDACTED, text)


class RedactKeysFilter(logging.Filter):
    """Rewrite a record's message with its keys redacted; never drops a record.

    The message is formatted here (msg % args) and the args cleared, because a key
    is usually an argument ("Not Found: %s"), not part of the format string.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True
