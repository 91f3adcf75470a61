"""One desk, two places to decide: the staff chat and the web dashboard of the same
running service (the real python-telegram-bot against the local Bot API, the dashboard
over real HTTP). A draft decided in the chat shows as decided on the web, which refuses
it; a draft edited or approved on the web shows so on its chat cards, whose buttons go,
and a press on an old card is refused as out of date."""

from __future__ import annotations

import asyncio
import contextlib
import email
import re
from collections.abc import AsyncIterator, Callable, Iterator
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import aiosmtplib
import httpx
import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.runtime import build_runtime
from bot.service import Service, make_senders
from storage.engine import unit_of_work
from storage.models import Case, Draft, Message
from tests.servers.fake_telegram import FakeTelegram
from tests.support import wait_for

from .conftest import USER, csrf_of, login, web_settings

STAFF_CHAT = -1001234567890
ANNE = FakeTelegram.user(1111, "Anne", "Staff")
BO = FakeTelegram.user(2222, "Bo", "Staff")


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        server.group(STAFF_CHAT, "Privacy staff")
        yield server


@pytest.fixture
async def service(
    make_settings: Callable[..., Settings], database_url: str, fake: FakeTelegram
) -> AsyncIterator[Service]:
    settings = make_settings(
        database_url,
        telegram={
            "enabled": True,
            "token": fake.token,
            "base_url": fake.base_url,
            "staff_chat_id": STAFF_CHAT,
            "staff_user_ids": [ANNE["id"], BO["id"]],
            "poll_timeout": 1,
            "reminder_check_seconds": 3600,
        },
        # Plain http on loopback here, so the test's HTTP client sends the cookie back.
        web=web_settings(cookie_secure=False),
    )
    runtime = await asyncio.to_thread(build_runtime, settings)
    svc = Service(runtime, make_senders(runtime))
    task = asyncio.create_task(svc.run())
    try:
        for _ in range(200):
            if svc.smtp_port and svc.web_port:
                break
            await asyncio.sleep(0.05)
        assert svc.web_port, "the web dashboard did not start"
        yield svc
    finally:
        svc.stop()
        await asyncio.wait_for(task, 20)
        runtime.engine.dispose()


@contextlib.asynccontextmanager
async def web(svc: Service) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{svc.web_port}") as client:
        assert (await login(client)).status_code == 303
        yield client


async def mail(svc: Service, msgid: str, sender: str) -> None:
    msg = EmailMessage()
    msg["From"] = f"Kunde <{sender}>"
    msg["To"] = "info@alottbetter.dk"
    msg["Subject"] = "Slet mine oplysninger"
    msg["Message-ID"] = f"<{msgid}>"
    msg.set_content("Hej\n\nJeg vil gerne have slettet alle mine personoplysninger.\n")
    await aiosmtplib.send(msg, hostname="127.0.0.1", port=svc.smtp_port, timeout=10)


def case_of(svc: Service, msgid: str) -> str | None:
    with unit_of_work(svc.runtime.sessions) as session:
        return (
            session.execute(
                select(Case.ref)
                .join(Message, Message.case_id == Case.id)
                .where(Message.external_id == msgid)
            )
            .scalars()
            .first()
        )


def pending(svc: Service, ref: str) -> Draft:
    with unit_of_work(svc.runtime.sessions) as session:
        return (
            session.execute(
                select(Draft)
                .join(Case, Case.id == Draft.case_id)
                .where(Case.ref == ref)
                .where(Draft.status == "pending")
            )
            .scalars()
            .one()
        )


def card(fake: FakeTelegram, ref: str, version: int) -> dict[str, Any] | None:
    """The chat card of ``ref``'s draft ``version``, as it stands now."""
    for message in fake.bot_messages(STAFF_CHAT):
        first = message["text"].split("\n")[0]
        if first.startswith(ref) and f"draft v{version}" in first:
            return message
    return None


def approve_data(message: dict[str, Any]) -> str:
    [data] = [d for _, d in FakeTelegram.buttons(message) if d.endswith(":ok")]
    return data


async def until(fake: FakeTelegram, predicate: Callable[[], Any]) -> Any:
    return await asyncio.to_thread(fake.wait_for, predicate, 30.0)


def replies(svc: Service) -> list[Path]:
    return sorted(Path(svc.runtime.settings.outbox.folder).glob("reply.*.eml"))


async def test_approved_in_the_chat_shows_on_the_web_and_the_web_refuses_it(
    service: Service, fake: FakeTelegram
) -> None:
    await mail(service, "chat-first@example.dk", "mette@example.dk")
    ref = str(await wait_for(lambda: case_of(service, "chat-first@example.dk")))
    v1 = await until(fake, lambda: (c := card(fake, ref, 1)) and FakeTelegram.buttons(c) and c)
    draft = pending(service, ref)
    async with web(service) as client:
        open_page = (await client.get(f"/cases/{ref}")).text
        assert f"Approve version {draft.version} and send" in open_page

        pressed = fake.press(v1, ANNE, approve_data(v1))
        await until(fake, lambda: pressed in fake.answers)
        assert "Approved" in fake.answers[pressed]["text"]

        page = (await client.get(f"/cases/{ref}")).text
        assert re.search(r"Version 1 \(reply\): <span[^>]*>approved", page)
        assert f"approved by telegram:{ANNE['id']}" in page
        assert "Approve version 1 and send" not in page and "No draft waits" in page

        # A form from the page opened before the press is refused, as the chat refuses
        # a second press: the same check in bot.staff.
        late = await client.post(
            f"/cases/{ref}/drafts/{draft.id}/approve", data={"csrf_token": csrf_of(open_page)}
        )
        assert late.status_code == 409
        assert f"Refused: draft {draft.id} of case {ref} is already approved" in late.text
    await wait_for(lambda: len(replies(service)) == 1)
    await asyncio.sleep(1.0)
    assert len(replies(service)) == 1


async def test_edited_and_approved_on_the_web_shows_on_the_chat_cards(
    service: Service, fake: FakeTelegram
) -> None:
    await mail(service, "web-first@example.dk", "ole@example.dk")
    ref = str(await wait_for(lambda: case_of(service, "web-first@example.dk")))
    v1 = await until(fake, lambda: (c := card(fake, ref, 1)) and FakeTelegram.buttons(c) and c)
    first = pending(service, ref)
    async with web(service) as client:
        token = csrf_of((await client.get(f"/cases/{ref}")).text)
        edited = await client.post(
            f"/cases/{ref}/drafts/{first.id}/edit",
            data={"csrf_token": token, "body": first.body + "\nRettet på web.\n"},
        )
        assert edited.status_code == 303

        # The old card says what happened and loses its buttons; version 2 gets a card.
        old = await until(
            fake,
            lambda: (
                (c := card(fake, ref, 1))
                and "Replaced by v2, edited by web:anna" in c["text"]
                and c
            ),
        )
        assert not FakeTelegram.buttons(old)
        v2 = await until(fake, lambda: (c := card(fake, ref, 2)) and FakeTelegram.buttons(c) and c)
        stale = fake.press(v1, BO, approve_data(v1))  # a phone that still shows v1
        await until(fake, lambda: stale in fake.answers)
        assert "replaced by v2" in fake.answers[stale]["text"]

        second = pending(service, ref)
        approved = await client.post(
            f"/cases/{ref}/drafts/{second.id}/approve", data={"csrf_token": token}
        )
        assert approved.status_code == 303
    done = await until(
        fake, lambda: (c := card(fake, ref, 2)) and f"Approved by web:{USER}" in c["text"] and c
    )
    assert not FakeTelegram.buttons(done)
    late = fake.press(v2, BO, approve_data(v2))
    await until(fake, lambda: late in fake.answers)
    assert f"already approved by web:{USER}" in fake.answers[late]["text"]
    [reply] = await wait_for(lambda: replies(service))
    letter = email.message_from_bytes(reply.read_bytes(), policy=default)
    assert "Rettet på web." in letter.get_content()
