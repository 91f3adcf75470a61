"""Logging that never carries personal data.

Code logs case references and row ids, never addresses or bodies; this filter is the
safety net that redacts anything shaped like an e-mail address, and the libraries that
log addresses (aiosmtpd's ``mail.log``) or the Telegram token (``httpx``) are quietened.
"""

from __future__ import annotations

import logging
import re

_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


class RedactAddresses(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _ADDRESS.sub("<address>", message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactAddresses())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("mail.log", "httpx", "httpcore", "telegram", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
