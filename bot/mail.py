"""Turn a rendered ``OutgoingMail`` into the bytes that go on the wire or into a file."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from handlers.values import OutgoingMail


def build_message(mail: OutgoingMail, *, sender_name: str, date: datetime) -> bytes:
    """A complete RFC 5322 message; UTF-8 text, quoted-printable where needed."""
    message = EmailMessage()
    message["From"] = f"{sender_name} <{mail.sender}>" if sender_name else mail.sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = mail.message_id
    for name, value in mail.headers.items():
        if value:
            message[name] = value
    message.set_content(mail.body, charset="utf-8")
    return message.as_bytes(policy=SMTP)
