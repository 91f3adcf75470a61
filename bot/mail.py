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

import binascii
import re
from datetime import datetime
from email import quoprimime
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from handlers.values import OutgoingMail

__all__ = ["MAX_HEADER_CHARS", "address_text", "build_message", "header_text"]

#: A subject or name longer than this is cut: a header is for reading, not for payloads.
MAX_HEADER_CHARS = 500

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
#: Unicode category Cs, exactly: what is left of category Cc and Cs after ``_CONTROL``.
_SURROGATES = re.compile("[\ud800-\udfff]+")
_ADDRESS_UNSAFE = re.compile(r"[\s<>,;:\"()\[\]\\]")


def header_text(value: str, *, limit: int = MAX_HEADER_CHARS) -> str:
    """One line of printable text: controls (CR, LF, NUL, tab, C1, Unicode line and
    paragraph separators) become single spaces, whitespace collapses, length is capped."""
    text = _CONTROL.sub(" ", str(value))
    # Category Cc is all of it in _CONTROL, so only Cs (surrogates) is left to drop: one
    # regular expression instead of unicodedata.category() per character (issue 9, item
    # 21: a tenth of writing an acknowledgement). ASCII text has none.
    if not text.isascii():
        text = _SURROGATES.sub("", text)
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
    """A complete RFC 5322 message; UTF-8 text, quoted-printable where needed.

    The bytes are those the ``email`` package makes (``_build_with_email_package``).
    When every header is plain ASCII that fits on one line and the body needs 7bit or
    quoted-printable, as an acknowledgement's does, they are written directly
    (``_build_plain``, about a tenth of the cost: issue 9, the package built, parsed and
    folded a header object per header); anything else goes through the package.
    """
    sender = address_text(mail.sender)
    name = _display_name(sender_name)
    headers = [
        ("From", f"{name} <{sender}>" if name else sender),
        ("To", address_text(mail.to)),
        ("Subject", header_text(mail.subject)),
        ("Date", format_datetime(date)),
        ("Message-ID", header_text(mail.message_id)),
    ]
    extra = []
    for header, value in mail.headers.items():
        text = header_text(value, limit=4000)
        if text:
            extra.append((header_text(header, limit=76).replace(" ", "-").replace(":", ""), text))
    plain = _build_plain(headers, extra, mail.body)
    if plain is not None:
        return plain
    return _build_with_email_package(headers, extra, mail.body)


def _build_with_email_package(
    headers: list[tuple[str, str]], extra: list[tuple[str, str]], body: str
) -> bytes:
    message = EmailMessage()
    for header, value in headers:
        message[header] = value
    # set_content() drops every Content-* header already set, so the letter's own
    # headers (Content-Language among them) come after it.
    message.set_content(body, charset="utf-8")
    for header, value in extra:
        message[header] = value
    return message.as_bytes(policy=SMTP)


#: What ``policy.SMTP`` folds at; a header line up to this long is written as it is.
_MAX_LINE = SMTP.max_line_length
#: Printable ASCII without an encoded word's opening (``=?``), which the package would
#: decode and encode again: a value like this is written by the package unchanged.
_PLAIN_VALUE = re.compile(r"(?:[\x21-\x3c\x3e-\x7e]|=(?!\?)|\x20(?=[^\x20]))+")
_PLAIN_NAME = re.compile(r"[!-9;-~]+")
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+"
_MESSAGE_ID = re.compile(f"<{_ATEXT}@{_ATEXT}>")
#: Headers with a class of their own in the package (parsed, counted, refolded): an extra
#: header by one of these names goes through the package.
_SPECIAL = frozenset(HeaderRegistry().registry)
_NEWLINES = re.compile(r"\r\n|\r|\n")


def _build_plain(
    headers: list[tuple[str, str]], extra: list[tuple[str, str]], body: str
) -> bytes | None:
    """The package's bytes, written directly; None when the message needs the package."""
    for header, value in headers:
        if len(header) + 2 + len(value) > _MAX_LINE or not _PLAIN_VALUE.fullmatch(value):
            return None
    if not _MESSAGE_ID.fullmatch(headers[4][1]):
        return None
    for header, value in extra:
        if (
            header.lower() in _SPECIAL
            or not _PLAIN_NAME.fullmatch(header)
            or len(header) + 2 + len(value) > _MAX_LINE
            or not _PLAIN_VALUE.fullmatch(value)
        ):
            return None
    encoded = _encode_body(body)
    if encoded is None:
        return None
    cte, data = encoded
    lines = [f"{header}: {value}" for header, value in headers]
    lines += [
        'Content-Type: text/plain; charset="utf-8"',
        f"Content-Transfer-Encoding: {cte}",
        "MIME-Version: 1.0",
    ]
    lines += [f"{header}: {value}" for header, value in extra]
    text = "\r\n".join(lines) + "\r\n\r\n" + _NEWLINES.sub("\r\n", data)
    return text.encode("ascii")


def _encode_body(body: str) -> tuple[str, str] | None:
    """``set_content``'s choice of transfer encoding for UTF-8 text, and the encoded body.

    Only 7bit and quoted-printable: a body it would send as base64, or as 8bit (short
    lines with non-ASCII letters, which the SMTP generator then encodes again), is left
    to the package.
    """
    lines = body.encode("utf-8").splitlines()
    if max((len(line) for line in lines), default=0) <= _MAX_LINE:
        try:
            return "7bit", (b"\n".join(lines) + b"\n").decode("ascii")
        except UnicodeDecodeError:
            return None
    sniff = b"\n".join(lines[:10]) + b"\n"
    if len(quoprimime.body_encode(sniff.decode("latin-1"), _MAX_LINE)) > len(
        binascii.b2a_base64(sniff)
    ):
        return None
    return "quoted-printable", quoprimime.body_encode(
        (b"\n".join(lines) + b"\n").decode("latin-1"), _MAX_LINE
    )
