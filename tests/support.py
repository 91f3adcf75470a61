"""Small helpers the service-level tests share: a customer's mail, sending it over a
real SMTP conversation, and waiting for what the service does with it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib


def customer_mail(
    subject: str,
    body: str,
    *,
    sender: str = "mette.hansen@example.dk",
    name: str = "Mette Hansen",
    msgid: str,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A plain mail to info@ as a customer's client would write it."""
    msg = EmailMessage()
    msg["From"] = f"{name} <{sender}>"
    msg["To"] = "info@alottbetter.dk"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{msgid}>"
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    return msg


async def send(svc: Any, msg: EmailMessage) -> None:
    """Deliver to the running service's SMTP listener (async: it runs in this loop)."""
    await aiosmtplib.send(msg, hostname="127.0.0.1", port=svc.smtp_port, timeout=10)


async def wait_for(
    predicate: Callable[[], object], timeout: float = 60.0, what: str = "condition"
) -> Any:
    """Poll ``predicate`` in a thread until it is truthy; the timeout only guards a hang."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await asyncio.to_thread(predicate)
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"{what} not reached")
        await asyncio.sleep(0.05)


def cli_config(database_url: str, outbox_folder: Path | str, path: Path) -> Path:
    """A configuration file for ``privacybot`` commands run against a test's runtime:
    its database and its outbox folder, everything else the embedded defaults."""
    path.write_text(
        f'[database]\nurl = "{database_url}"\n[outbox]\nfolder = "{outbox_folder}"\n',
        encoding="utf-8",
    )
    return path
