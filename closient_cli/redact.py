"""Secrets closient has seen, and their removal from anything it prints.

Messages are written so that they never contain an API key or a password; this is the
second line of defence for text closient does not write itself (driver messages,
tracebacks under ``--debug``, log records).
"""

from __future__ import annotations

import logging
from urllib.parse import unquote, urlsplit

MASK = "***"
_seen: set[str] = set()


def remember(secret: str | None) -> None:
    """Add a secret to those removed from output (short strings are ignored)."""
    if secret and len(secret) >= 4:
        _seen.update({secret, unquote(secret)})


def remember_url_password(url: str | None) -> None:
    """Remember the password a database URL carries, if any."""
    if not url:
        return
    try:
        password = urlsplit(url).password
    except ValueError:
        return
    if password:
        remember(password)
        remember(unquote(password))


def redact(text: str) -> str:
    """``text`` with every remembered secret masked, longest first."""
    for secret in sorted(_seen, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    """A log filter that masks remembered secrets in each record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True
