"""Logging filter that keeps secret feed and login tokens out of every log line."""

import logging
import re

# Feed URLs (/feeds/<token>.ics), one-time login links (/login/link/<token>/) and the no-login confirmation
# links in text messages (/c/<token>/) carry secrets.
_SECRET_PATH = re.compile(r"(/(?:feeds|login/link|c)/)[^/\s\"?]+")


def redact(text: str) -> str:
    return _SECRET_PATH.sub(r"\1[redacted]", text)


class RedactFeedTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = record.getMessage()
            record.args = ()
        record.msg = redact(str(record.msg))
        return True
