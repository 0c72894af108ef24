"""Logging filters. No model imports: logging is configured before the apps load."""

import logging
import re

# /approvals/email/<token>/ (also URL-encoded): the token is a credential while it is valid.
_APPROVAL_TOKEN = re.compile(r"(approvals(?:/|%2F)email(?:/|%2F))[^/\s\"'?]+", re.IGNORECASE)


class RedactApprovalTokens(logging.Filter):
    """Keep one-click approval tokens out of access and request logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _APPROVAL_TOKEN.sub(r"\1[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class ClientErrorsWithoutTraceback(logging.Filter):
    """A 403 or 404 is an expected answer, not a fault: one warning line, no traceback.
    Server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info, record.exc_text = None, None
        return True
