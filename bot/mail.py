"""Turn a rendered ``OutgoingMail`` into the bytes that go on the wire or into a file.

Every header value is a plain ``str`` passed through :func:`header_text` first, never a
header object taken from a parsed customer mail. On the Python 3.11.7 this service runs
on, a parsed Subject holding an encoded newline (``=?UTF-8?Q?Hi=0ABcc:_x@y?=``) and reused
as a header object serialises as a second header line, a ``Bcc:`` that sends our mail to
a stranger (CVE-2024-6923); and a raw ``str`` with a line break makes the email package
raise, which would stop the acknowledgement. Stripping line breaks and control
characters here closes both, whatever the templates or the parser let through.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from handlers.values import OutgoingMail

__all__ = ["MAX_HEADER_CHARS", "address_text", "build_message", "header_text"]

#: A subject or name longer than this is cut: a header is for reading, not for payloads.
MAX_HEADER_CHARS = 500

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_ADDRESS_UNSAFE = re.compile(r"[\s<>,;:\"()\[\]\\]")


def header_text(value: str, *, limit: int = MAX_HEADER_CHARS) -> str:
    """One line of printable text: controls (CR, LF, NUL, tab, C1, Unicode line and
    paragraph separators) become single spaces, whitespace collapses, length is capped."""
    text = _CONTROL.sub(" ", str(value))
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cs"))
    return " ".join(text.split())[:limit]


def address_text(value: str) -> str:
    """An addr-spec that cannot carry a second address or a header: anything outside a
    bare ``local@domain`` is refused, because guessing would send mail to the wrong person."""
    text = header_text(value, limit=320)
    if (
        not text
        or not text.isascii()  # SMTPUTF8 addresses: staff answer those by hand for now
        or "=?" in text
        or _ADDRESS_UNSAFE.search(text)
        or text.count("@") != 1
        or text.startswith("@")
        or text.endswith("@")
    ):
        raise ValueError("not a single plain e-mail address")
    return text


def _display_name(name: str) -> str:
    """A display name that stays one name: quoted, with quotes and backslashes removed."""
    clean = header_text(name, limit=200).replace('"', "").replace("\\", "")
    return f'"{clean}"' if clean else ""


def build_message(mail: OutgoingMail, *, sender_name: str, date: datetime) -> bytes:
    """A complete RFC 5322 message; UTF-8 text, quoted-printable where needed."""
    message = EmailMessage()
    sender = address_text(mail.sender)
    name = _display_name(sender_name)
    message["From"] = f"{name} <{sender}>" if name else sender
    message["To"] = address_text(mail.to)
    message["Subject"] = header_text(mail.subject)
    message["Date"] = format_datetime(date)
    message["Message-ID"] = header_text(mail.message_id)
    # set_content() drops every Content-* header already set, so the letter's own
    # headers (Content-Language among them) come after it.
    message.set_content(mail.body, charset="utf-8")
    for header, value in mail.headers.items():
        text = header_text(value, limit=4000)
        if text:
            message[header_text(header, limit=76).replace(" ", "-").replace(":", "")] = text
    return message.as_bytes(policy=SMTP)
