"""Mails that SMTP sessions deliver at the same moment are stored together (group commit),
and each session still hears ``250`` only for its own mail, once it is committed.

Real parts: the listener in this process on a loopback port, eight ``aiosmtplib`` clients
at once, SQLite and PostgreSQL. A mail the database refuses (a trigger that aborts its
insert) must cost only its own sender a ``451``, never the mails stored beside it.
"""

from __future__ import annotations

import asyncio
import re
from email.message import EmailMessage

import aiosmtplib
import pytest
from sqlalchemy import event, text

from bot.runtime import Runtime
from bot.smtp_listener import start_smtp_listener


def _mail(n: int, subject: str = "") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"kunde{n}@example.dk"
    msg["To"] = "info@alottbetter.dk"
    msg["Subject"] = subject or f"Spørgsmål {n}"
    msg["Message-ID"] = f"<group-{n}@example.dk>"
    msg.set_content(f"Hej, jeg har et spørgsmål om rejse nummer {n}.\n")
    return msg


async def _send(port: int, msg: EmailMessage) -> str:
    """The server's answer to the mail's DATA: the ``250`` line, or the error's code."""
    try:
        _, reply = await aiosmtplib.send(msg, hostname="127.0.0.1", port=port, timeout=30)
    except aiosmtplib.SMTPResponseException as refused:
        return f"{refused.code} {refused.message}"
    return reply


async def _flood(runtime: Runtime, mails: list[EmailMessage]) -> list[str]:
    stored = []
    server = await start_smtp_listener(runtime, lambda: stored.append(1))
    port = server.sockets[0].getsockname()[1]
    try:
        return list(await asyncio.gather(*(_send(port, m) for m in mails)))
    finally:
        server.close()
        await server.wait_closed()


def _row_id(reply: str) -> int:
    m = re.search(r"queued as (\d+)", reply)
    assert m is not None, reply
    return int(m.group(1))


async def test_concurrent_mails_are_committed_together_and_each_answered(
    runtime: Runtime,
) -> None:
    commits = []
    event.listen(runtime.engine, "commit", lambda conn: commits.append(1))
    mails = [_mail(n) for n in range(40)]
    # the same mail twice at once: one row, both senders told where it is
    mails.append(_mail(7))

    replies = await _flood(runtime, mails)

    assert all(r.startswith("2.0.0 OK") for r in replies), replies
    ids = [_row_id(r) for r in replies]
    assert ids[7] == ids[-1]
    assert len(set(ids)) == 40
    with runtime.engine.connect() as conn:
        rows = dict(
            conn.execute(text("SELECT id, message_id FROM message WHERE direction = 'in'")).all()
        )
    assert len(rows) == 40
    assert all(rows[_row_id(r)] == f"group-{n}@example.dk" for n, r in enumerate(replies[:40]))
    # stored in fewer transactions than mails (eight sessions deliver at once)
    assert len(commits) < 40


async def test_a_mail_the_database_refuses_costs_only_its_own_sender(
    runtime: Runtime,
) -> None:
    with runtime.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(
                "CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'refused by the test'; END; $$ LANGUAGE plpgsql"
            ))
            conn.execute(text(
                "CREATE TRIGGER poison BEFORE INSERT ON message FOR EACH ROW "
                "WHEN (NEW.subject = 'poison') EXECUTE FUNCTION refuse_poison()"
            ))
        else:
            conn.execute(text(
                "CREATE TRIGGER poison BEFORE INSERT ON message "
                "WHEN NEW.subject = 'poison' BEGIN SELECT RAISE(ABORT, 'refused'); END"
            ))
    mails = [_mail(n, "poison" if n == 5 else "") for n in range(16)]

    replies = await _flood(runtime, mails)

    assert replies[5].startswith("451 "), replies[5]
    others = [r for n, r in enumerate(replies) if n != 5]
    assert all(r.startswith("2.0.0 OK") for r in others), others
    with runtime.engine.connect() as conn:
        subjects = conn.execute(
            text("SELECT subject FROM message WHERE direction = 'in'")
        ).scalars().all()
    assert len(subjects) == 15
    assert "poison" not in subjects


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_lone_mail_is_stored_at_once(runtime: Runtime) -> None:
    replies = await _flood(runtime, [_mail(1)])
    assert replies[0].startswith("2.0.0 OK")
    with runtime.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM message")).scalar_one() == 1
