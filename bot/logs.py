"""Logging that never carries personal data.

Code logs case references and row ids, never addresses or bodies; this filter is the
safety net that redacts anything shaped like an e-mail address, and the libraries that
log addresses (aiosmtpd's ``mail.log``) or the Telegram token (``httpx``) are quietened.

Two formats: text for a person at a terminal, and JSON lines (``--log-format json``) for
journald, Loki or anything that parses logs. Both redact the finished line as well,
because an exception's text (a refused recipient, a URL with the bot token) is formatted
after the filter has run. Levels can be set per part, so an operator can turn up the IMAP
watcher without drowning in everything else.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: A Telegram bot token (``123456789:AA…``), as it appears in Bot API URLs.
_TOKEN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}")

#: Loggers that are not ours and may be named as a part as they are.
LIBRARY_LOGGERS = frozenset(
    {"httpx", "httpcore", "telegram", "alembic", "sqlalchemy", "sqlalchemy.engine",
     "mail.log", "aiosmtpd", "imapclient"}
)
_QUIET = ("mail.log", "httpx", "httpcore", "telegram", "alembic", "imapclient")


#: The configured passwords and tokens themselves (``hide_secrets``), longest first.
_secrets: tuple[str, ...] = ()


def hide_secrets(values: Iterable[str]) -> None:
    """Redact these exact strings from every line from now on.

    The patterns above know what a real bot token looks like, not a password, nor a
    token of another shape (a local Bot API server's, a test's): a library that logs a
    URL or a login at DEBUG would print them. Knowing the configured values closes that.
    Very short values are left out, since replacing them would mangle ordinary words.
    """
    global _secrets
    known = {v for v in (*_secrets, *values) if len(v) >= 6}
    _secrets = tuple(sorted(known, key=len, reverse=True))


def redact(text: str) -> str:
    """Text with configured secrets, addresses and bot tokens replaced by placeholders."""
    for secret in _secrets:
        text = text.replace(secret, "<secret>")
    return _TOKEN.sub("<token>", _ADDRESS.sub("<address>", text))


class RedactAddresses(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _ADDRESS.sub("<address>", message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True


class TextFormatter(logging.Formatter):
    """The human format, redacted once more after the traceback is added."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time`` (UTC, ISO 8601), ``level``, ``logger``,
    ``message``, and ``exception`` when there is one. Nothing else of the record is
    copied, so an ``extra=`` argument can never leak a field nobody reviewed."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = redact(record.exc_text)
        return json.dumps(entry, ensure_ascii=False)


def logger_name(part: str) -> str:
    """The logger a part names: ``inbound.imap`` → ``privacybot.inbound.imap``."""
    part = part.strip()
    if part in LIBRARY_LOGGERS or part == "privacybot" or part.startswith("privacybot."):
        return part
    return f"privacybot.{part}"


def parse_levels(spec: str) -> tuple[str | None, dict[str, str]]:
    """``--log-level`` text: ``DEBUG`` or ``INFO,inbound.imap=DEBUG,outbox=WARNING``.

    Returns the overall level (or None when only parts are named) and the parts' levels.
    Raises ``ValueError`` naming what is wrong, for a one-line usage error.
    """
    overall: str | None = None
    parts: dict[str, str] = {}
    for item in (piece.strip() for piece in spec.split(",")):
        if not item:
            continue
        name, sep, level = item.rpartition("=")
        level = level.strip().upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError(f"unknown log level {level!r} (DEBUG, INFO, WARNING, ERROR)")
        if sep:
            if not name.strip():
                raise ValueError(f"log level {item!r} names no part")
            parts[name.strip()] = level
        else:
            overall = level
    return overall, parts


def setup_logging(
    level: str = "INFO", *, fmt: str = "text", levels: Mapping[str, str] | None = None
) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RedactAddresses())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in _QUIET:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    for part, part_level in (levels or {}).items():
        logging.getLogger(logger_name(part)).setLevel(part_level)
