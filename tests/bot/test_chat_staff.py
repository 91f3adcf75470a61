"""The staff chat end to end: the real service, the real python-telegram-bot, a local Bot API.

Mail arrives over SMTP; the card appears in the staff group of ``FakeTelegram``; staff
(and strangers) press buttons and reply as Telegram would deliver it; what a person would
notice is asserted: the card, the answers to presses, the letter in the outbox folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import json
import re
from collections.abc import AsyncIterator, Callable
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest
from sqlalchemy import select, text

from bot import chat_staff, staff
from bot.cli import main as cli_main
from bot.config import Settings
from bot.election import lock_key
from bot.runtime import build_runtime
from bot.service import Service, make_senders
from handlers import case_rules, preview
from handlers.values import REQUEST_TYPES
from storage.engine import make_engine, unit_of_work
from storage.models import AuditEvent, Case, Draft, OutboxItem, as_utc
from tests.servers.fake_telegram import FakeTelegram
from tests.support import wait_for

STAFF_CHAT = -1001234567890
ANNE = FakeTelegram.user(1111, "Anne", "Staff")
BO = FakeTelegram.user(2222, "Bo", "Staff")
STRANGER = FakeTelegram.user(9999, "Eve", "Outsider")


@pytest.fixture
def fake() -> Any:
    with FakeTelegram() as server:
        server.group(STAFF_CHAT, "Privacy staff")
        yield server


def chat_settings(
    make_settings: Callable[..., Settings], database_url: str, fake: FakeTelegram
) -> Settings:
    return make_settings(
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
    )


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Service]:
    runtime = await asyncio.to_thread(build_runtime, settings)
    svc = Service(runtime, make_senders(runtime))
    task = asyncio.create_task(svc.run())
    for _ in range(100):
        if svc.smtp_port:
            break
        await asyncio.sleep(0.05)
    try:
        yield svc
    finally:
        svc.stop()
        await asyncio.wait_for(task, 20)
        runtime.engine.dispose()


@pytest.fixture
async def service(
    make_settings: Callable[..., Settings], database_url: str, fake: FakeTelegram
) -> AsyncIterator[Service]:
    async with running(chat_settings(make_settings, database_url, fake)) as svc:
        yield svc


async def until(fake: FakeTelegram, predicate: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Wait for a condition on the fake server (re-checked on every Bot API call)."""
    return await asyncio.to_thread(fake.wait_for, predicate, timeout)


async def send_mail(
    svc: Service, body: str, *, subject: str = "Mine oplysninger", msgid: str = "m1@example.dk"
) -> None:
    msg = EmailMessage()
    msg["From"] = "Mette Hansen <mette.hansen@example.dk>"
    msg["To"] = "info@alottbetter.dk"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{msgid}>"
    msg.set_content(body)
    await aiosmtplib.send(msg, hostname="127.0.0.1", port=svc.smtp_port, timeout=10)


def cards(fake: FakeTelegram) -> list[dict[str, Any]]:
    return [m for m in fake.bot_messages(STAFF_CHAT) if "PR-" in m["text"].split("\n")[0]]


def card_with_buttons(fake: FakeTelegram, version: int) -> dict[str, Any] | None:
    for message in cards(fake):
        if f"draft v{version}" in message["text"] and fake.buttons(message):
            return message
    return None


def data_of(message: dict[str, Any], action: str) -> str:
    [data] = [d for _, d in FakeTelegram.buttons(message) if d.endswith(f":{action}")]
    return data


def outbox_files(svc: Service) -> list[Path]:
    return sorted(Path(svc.runtime.settings.outbox.folder).glob("*.eml"))


def the_case(svc: Service) -> Case:
    with unit_of_work(svc.runtime.sessions) as session:
        return session.execute(select(Case)).scalar_one()


def events(svc: Service, action: str) -> list[AuditEvent]:
    with unit_of_work(svc.runtime.sessions) as session:
        return list(
            session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars()
        )


ERASURE = "Hej\n\nJeg vil gerne have slettet alle mine personoplysninger hos jer.\n\nMette\n"


async def first_card(svc: Service, fake: FakeTelegram) -> dict[str, Any]:
    await send_mail(svc, ERASURE)
    return await until(fake, lambda: card_with_buttons(fake, 1))


async def test_mail_to_card_then_stranger_refused_and_staff_approval_sends_the_reply(
    service: Service, fake: FakeTelegram
) -> None:
    card = await first_card(service, fake)
    case = the_case(service)
    text = card["text"]
    assert case.ref in text and "erasure" in text
    assert "m***@example.dk" in text and "mette.hansen" not in text
    assert case.deadline.isoformat() in text
    assert [label for label, _ in fake.buttons(card)] == [
        "✅ Approve",
        "✏️ Edit",
        "❌ Reject",
        "🏷 Relabel",
        "⏳ Extend",
    ]
    assert all(len(d.encode()) < 64 for _, d in fake.buttons(card))

    refused = fake.press(card, STRANGER, data_of(card, "ok"))
    await until(fake, lambda: refused in fake.answers)
    assert fake.answers[refused]["text"] == chat_staff.NOT_STAFF
    await wait_for(lambda: events(service, "chat_refused"))
    assert the_case(service).status == "draft_pending"

    pressed = fake.press(card, ANNE, data_of(card, "ok"))
    await until(fake, lambda: pressed in fake.answers)
    assert "Approved" in fake.answers[pressed]["text"]
    await wait_for(lambda: len(outbox_files(service)) == 2)
    reply_file = next(f for f in outbox_files(service) if f.name.startswith("reply."))
    reply = email.message_from_bytes(reply_file.read_bytes(), policy=default)
    assert case.ref in reply["Subject"] and reply["To"] == "mette.hansen@example.dk"
    edited = await until(
        fake,
        lambda: (
            "Approved by Anne" in fake.message(STAFF_CHAT, card["message_id"])["text"]
            and fake.message(STAFF_CHAT, card["message_id"])
        ),
    )
    assert not fake.buttons(edited)
    assert re.search(r"✅ Approved by Anne at \d{4}-\d\d-\d\d \d\d:\d\d\.", edited["text"])
    await wait_for(lambda: the_case(service).status == "answered")


async def test_customer_markup_in_a_card_is_shown_as_written_never_as_formatting(
    service: Service, fake: FakeTelegram
) -> None:
    """What a customer writes is text: a tag or an ``&`` in it neither formats the card
    nor breaks it (Telegram refuses unbalanced HTML with 400, and the card would be lost)."""
    subject = "Slet <b>mine</b> data & <a href='x'>alt</a> <3"
    msg = EmailMessage()
    msg["From"] = "<i>Mette</i> & Co <mette.hansen@example.dk>"
    msg["To"] = "info@alottbetter.dk"
    msg["Subject"] = subject
    msg["Message-ID"] = "<markup.1@example.dk>"
    msg.set_content(
        "Hej\n\nJeg vil gerne have slettet alle mine personoplysninger "
        "<script>alert(1)</script> & <u>mere</u>.\n"
    )
    await aiosmtplib.send(msg, hostname="127.0.0.1", port=service.smtp_port, timeout=10)
    card = await until(fake, lambda: card_with_buttons(fake, 1))
    # The evidence quotes the subject, the draft greets the name: both exactly as written.
    assert "«Slet <b>mine</b> data»" in card["text"]
    assert "Kære <i>Mette</i> & Co" in card["text"]
    html = card["html"]
    assert "<b>mine</b>" not in html and "<i>Mette" not in html and "<script>" not in html
    assert "&lt;b&gt;mine&lt;/b&gt;" in html and "&lt;i&gt;Mette&lt;/i&gt; &amp; Co" in html


async def test_two_staff_pressing_approve_at_once_send_exactly_one_reply(
    service: Service, fake: FakeTelegram
) -> None:
    card = await first_card(service, fake)
    data = data_of(card, "ok")
    ids = fake.press_many([(card, ANNE, data), (card, BO, data)])
    await until(fake, lambda: all(i in fake.answers for i in ids))
    texts = sorted(fake.answers[i].get("text", "") for i in ids)
    assert sum("Approved" in t for t in texts) == 1
    assert sum("out of date" in t for t in texts) == 1
    with unit_of_work(service.runtime.sessions) as session:
        replies = list(
            session.execute(select(OutboxItem).where(OutboxItem.kind == "reply")).scalars()
        )
    assert len(replies) == 1


async def test_edit_by_reply_makes_v2_with_fresh_buttons_and_v1_is_refused(
    service: Service, fake: FakeTelegram
) -> None:
    card = await first_card(service, fake)
    new_text = (
        "Kære Mette\n\nVi har slettet dine oplysninger. Din søn nævnte sin "
        "nøddeallergi; den oplysning er også slettet.\n\nHilsen <Team> & co\n"
    )
    fake.send_message(ANNE, new_text, chat_id=STAFF_CHAT, reply_to=card)
    v2 = await until(fake, lambda: card_with_buttons(fake, 2))
    assert "Vi har slettet dine oplysninger." in v2["text"]
    assert "allergi" not in v2["text"] and preview.HIDDEN in v2["text"]
    assert "<Team> & co" in v2["text"]  # escaped on the way, shown as written
    old = await until(
        fake,
        lambda: (
            "replaced by v2" in fake.message(STAFF_CHAT, card["message_id"])["text"]
            and fake.message(STAFF_CHAT, card["message_id"])
        ),
    )
    assert not fake.buttons(old)

    stale = fake.press(card, BO, data_of(card, "ok"))
    await until(fake, lambda: stale in fake.answers)
    assert "replaced by v2" in fake.answers[stale]["text"]
    assert fake.answers[stale]["show_alert"] is True

    ok = fake.press(v2, BO, data_of(v2, "ok"))
    await until(fake, lambda: ok in fake.answers)
    await wait_for(lambda: len(outbox_files(service)) == 2)
    reply_file = next(f for f in outbox_files(service) if f.name.startswith("reply."))
    body = email.message_from_bytes(reply_file.read_bytes(), policy=default).get_content()
    assert "Vi har slettet dine oplysninger." in body


async def test_reject_asks_for_a_reason_and_the_card_records_it(
    service: Service, fake: FakeTelegram
) -> None:
    card = await first_card(service, fake)
    pressed = fake.press(card, ANNE, data_of(card, "rj"))
    await until(fake, lambda: pressed in fake.answers)
    prompt = await until(
        fake,
        lambda: next(
            (
                m
                for m in fake.bot_messages(STAFF_CHAT)
                if m["text"].startswith("Reason for rejecting")
            ),
            None,
        ),
    )
    assert prompt["force_reply"] is True
    assert prompt["text"].endswith("it stays in the case's record.")
    fake.send_message(
        ANNE, "Ikke en anmodning; kunden er allerede slettet.", chat_id=STAFF_CHAT, reply_to=prompt
    )
    await until(
        fake, lambda: "Rejected by Anne" in fake.message(STAFF_CHAT, card["message_id"])["text"]
    )
    await wait_for(lambda: the_case(service).status == "rejected")
    late = fake.press(card, BO, data_of(card, "ok"))
    await until(fake, lambda: late in fake.answers)
    assert "already rejected" in fake.answers[late]["text"]
    assert [f.name for f in outbox_files(service) if f.name.startswith("reply.")] == []


async def test_relabel_rerenders_the_draft_for_the_chosen_types(
    service: Service, fake: FakeTelegram
) -> None:
    card = await first_card(service, fake)
    first = fake.press(card, ANNE, data_of(card, "rl"))
    await until(fake, lambda: first in fake.answers)
    choosing = await until(
        fake,
        lambda: (
            any(
                "access" in label
                for label, _ in fake.buttons(fake.message(STAFF_CHAT, card["message_id"]))
            )
            and fake.message(STAFF_CHAT, card["message_id"])
        ),
    )
    access_bit = 1 << list(REQUEST_TYPES).index("access")
    [toggle] = [d for label, d in fake.buttons(choosing) if label.endswith(" access")]
    assert int(toggle.split(":")[3]) & access_bit
    pressed = fake.press(choosing, ANNE, toggle)
    await until(fake, lambda: pressed in fake.answers)
    after = await until(
        fake,
        lambda: (
            any(
                label == "☑ access"
                for label, _ in fake.buttons(fake.message(STAFF_CHAT, card["message_id"]))
            )
            and fake.message(STAFF_CHAT, card["message_id"])
        ),
    )
    [apply] = [d for label, d in fake.buttons(after) if label == "Apply"]
    applied = fake.press(after, ANNE, apply)
    await until(fake, lambda: applied in fake.answers)
    v2 = await until(fake, lambda: card_with_buttons(fake, 2))
    assert "access, erasure" in v2["text"].split("\n")[0]
    assert json.loads(the_case(service).labels) == ["access", "erasure"]
    assert events(service, "case_relabelled")


async def test_extend_sets_the_deadline_and_drafts_the_notice(
    service: Service, fake: FakeTelegram
) -> None:
    card = await first_card(service, fake)
    pressed = fake.press(card, ANNE, data_of(card, "ex"))
    await until(fake, lambda: pressed in fake.answers)
    prompt = await until(
        fake,
        lambda: next(
            (
                m
                for m in fake.bot_messages(STAFF_CHAT)
                if m["text"].startswith("Reason for extending")
            ),
            None,
        ),
    )
    assert prompt["text"].endswith("the requester reads it in the extension notice.")
    fake.send_message(
        ANNE,
        "Vi skal indhente oplysninger fra tre praktiksteder.",
        chat_id=STAFF_CHAT,
        reply_to=prompt,
    )
    notice = await until(
        fake,
        lambda: next(
            (m for m in cards(fake) if "extension notice" in m["text"] and fake.buttons(m)), None
        ),
    )
    case = the_case(service)
    expected = case_rules.deadline(as_utc(case.received_at), months=3)
    assert case.extended_deadline == expected
    assert expected.isoformat() in notice["text"]
    assert "tre praktiksteder" in notice["text"]

    again = fake.press(card, BO, data_of(card, "ex"))
    await until(fake, lambda: again in fake.answers)
    assert "already extended" in fake.answers[again]["text"]

    ok = fake.press(notice, ANNE, data_of(notice, "ok"))
    await until(fake, lambda: ok in fake.answers)
    await wait_for(lambda: len(outbox_files(service)) == 2)
    with unit_of_work(service.runtime.sessions) as session:
        drafts = list(session.execute(select(Draft).order_by(Draft.version)).scalars())
    assert [(d.kind, d.status) for d in drafts] == [("reply", "pending"), ("extension", "approved")]
    assert the_case(service).status == "draft_pending"


async def test_commands_for_staff_and_refused_for_others(
    service: Service, fake: FakeTelegram
) -> None:
    await first_card(service, fake)
    ref = the_case(service).ref

    async def ask(user: dict[str, Any], text: str) -> str:
        sent = fake.send_message(user, text, chat_id=STAFF_CHAT)
        answer = await until(
            fake,
            lambda: next(
                (
                    m
                    for m in fake.bot_messages(STAFF_CHAT)
                    if m.get("reply_to_message", {}).get("message_id") == sent["message_id"]
                ),
                None,
            ),
        )
        return answer["text"]

    assert ref in await ask(ANNE, "/cases")
    detail = await ask(ANNE, f"/case {ref.lower()}")
    assert ref in detail and "m***@example.dk" in detail and "Draft v1" in detail
    assert await ask(BO, "/overdue") == "No overdue cases."
    assert "1 open" in await ask(BO, "/stats")
    assert "/cases" in await ask(ANNE, "/help")
    assert await ask(STRANGER, "/cases") == chat_staff.NOT_STAFF
    await wait_for(
        lambda: any("command:cases" in e.detail for e in events(service, "chat_refused"))
    )


async def test_mail_goes_on_while_telegram_is_down_and_the_card_follows(
    make_settings: Callable[..., Settings], database_url: str, fake: FakeTelegram
) -> None:
    fake.down = True  # unreachable from the start
    async with running(chat_settings(make_settings, database_url, fake)) as service:
        await _down_then_up(service, fake)


async def _down_then_up(service: Service, fake: FakeTelegram) -> None:
    await send_mail(service, ERASURE)
    await wait_for(lambda: outbox_files(service))  # the acknowledgement was written

    def card_waiting() -> OutboxItem | None:
        with unit_of_work(service.runtime.sessions) as session:
            return session.execute(
                select(OutboxItem).where(OutboxItem.kind == "staff_card")
            ).scalar_one_or_none()

    await wait_for(lambda: (row := card_waiting()) is not None and row.attempts >= 1)
    assert fake.bot_messages(STAFF_CHAT) == []
    fake.down = False
    # Once the bot reaches Telegram again, what waited for it is sent without waiting
    # out the outbox's backoff.
    card = await until(fake, lambda: card_with_buttons(fake, 1), timeout=60)
    assert the_case(service).ref in card["text"]


async def test_a_long_draft_fits_one_card(service: Service, fake: FakeTelegram) -> None:
    card = await first_card(service, fake)
    fake.send_message(
        ANNE,
        "Kære Mette & <familie>\n\n" + "Lang tekst & mere. " * 400,
        chat_id=STAFF_CHAT,
        reply_to=card,
    )
    v2 = await until(fake, lambda: card_with_buttons(fake, 2))
    assert len(v2["text"]) <= 4096 and "…" in v2["text"]
    assert "Mette & <familie>" in v2["text"]


async def test_telegram_429_is_waited_out_and_answer_edit_and_reply_still_arrive(
    service: Service, fake: FakeTelegram
) -> None:
    """Telegram's flood control answers 429 with ``retry_after``: the rate limiter holds the
    calls that long and retries, so nothing a person should see is lost."""
    card = await first_card(service, fake)
    too_many = {"code": 429, "description": "Too Many Requests: retry after 1", "retry_after": 1}
    fake.fail("answerCallbackQuery", **too_many)
    fake.fail("editMessageText", **too_many)
    pressed = fake.press(card, ANNE, data_of(card, "ok"))
    await until(fake, lambda: pressed in fake.answers)
    assert "Approved" in fake.answers[pressed]["text"]
    await until(
        fake, lambda: "Approved by Anne" in fake.message(STAFF_CHAT, card["message_id"])["text"]
    )
    for method in ("answerCallbackQuery", "editMessageText"):
        first, second = fake.calls_to(method)[:2]
        assert second.at - first.at >= 1.0, method  # waited as Telegram asked

    fake.fail("sendMessage", **too_many)
    sent = fake.send_message(BO, "/overdue", chat_id=STAFF_CHAT)
    answer = await until(
        fake,
        lambda: next(
            (
                m
                for m in fake.bot_messages(STAFF_CHAT)
                if m.get("reply_to_message", {}).get("message_id") == sent["message_id"]
            ),
            None,
        ),
    )
    assert answer["text"] == "No overdue cases."
    assert len(fake.calls_to("sendMessage")) >= 3  # the card, the refused try, the reply


async def test_only_one_of_two_workers_polls_the_bot(
    make_settings: Callable[..., Settings], pg_database_url: str, fake: FakeTelegram
) -> None:
    settings = chat_settings(make_settings, pg_database_url, fake)
    async with running(settings) as one, running(settings) as two:
        channels = [svc.senders["chat"].channel for svc in (one, two)]  # type: ignore[attr-defined]
        await wait_for(
            lambda: all(c.connected for c in channels) and any(c.polling for c in channels)
        )
        polls = len(fake.calls_to("getUpdates"))
        await until(fake, lambda: len(fake.calls_to("getUpdates")) >= polls + 3)
        assert [c.polling for c in channels].count(True) == 1
        assert fake.conflicts == 0
        await send_mail(one, ERASURE)
        await until(fake, lambda: card_with_buttons(fake, 1))


def _pollers(services: list[Service]) -> list[Service]:
    return [svc for svc in services if svc.senders["chat"].channel.polling]  # type: ignore[attr-defined]


async def _answered(fake: FakeTelegram, user: dict[str, Any], command: str) -> str:
    sent = fake.send_message(user, command, chat_id=STAFF_CHAT)
    answer = await until(
        fake,
        lambda: next(
            (
                m
                for m in fake.bot_messages(STAFF_CHAT)
                if m.get("reply_to_message", {}).get("message_id") == sent["message_id"]
            ),
            None,
        ),
        timeout=60,
    )
    return answer["text"]


async def test_another_worker_polls_when_the_poller_stops(
    make_settings: Callable[..., Settings], pg_database_url: str, fake: FakeTelegram
) -> None:
    """Two workers on one database: the one that polls stops; the other takes over, and
    staff commands sent meanwhile are answered."""
    settings = chat_settings(make_settings, pg_database_url, fake)
    stacks = [contextlib.AsyncExitStack(), contextlib.AsyncExitStack()]
    try:
        services = [await stack.enter_async_context(running(settings)) for stack in stacks]
        [holder] = await wait_for(lambda: _pollers(services))
        survivor = services[1 - services.index(holder)]
        assert "/cases" in await _answered(fake, ANNE, "/help")

        await stacks[services.index(holder)].aclose()  # the poller's worker stops
        assert "/cases" in await _answered(fake, BO, "/help")  # sent during the take-over
        assert _pollers(services) == [survivor]
        await send_mail(survivor, ERASURE)
        await until(fake, lambda: card_with_buttons(fake, 1))
        assert "1 open" in await _answered(fake, ANNE, "/stats")
    finally:
        for stack in reversed(stacks):
            await stack.aclose()


async def test_a_poller_that_loses_its_lock_connection_stops_polling(
    make_settings: Callable[..., Settings],
    pg_database_url: str,
    fake: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The server ends the poller's lock session (a database restart, a dropped network):
    the worker notices, stops polling, and the role is elected again: one poller goes on."""
    caplog.set_level("INFO", logger="privacybot")
    settings = chat_settings(make_settings, pg_database_url, fake)
    async with running(settings) as one, running(settings) as two:
        services = [one, two]
        [holder] = await wait_for(lambda: _pollers(services))
        role = holder.senders["chat"].channel.role  # type: ignore[attr-defined]
        assert role == f"telegram:{fake.token.split(':')[0]}"
        assert fake.token not in role

        key = lock_key(role)
        killer = make_engine(pg_database_url)
        try:
            with killer.connect() as conn:
                ended = conn.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_locks "
                        "WHERE locktype = 'advisory' AND granted "
                        "AND classid::bigint = :hi AND objid::bigint = :lo AND objsubid = 1"
                    ),
                    {"hi": (key >> 32) & 0xFFFFFFFF, "lo": key & 0xFFFFFFFF},
                ).scalar_one()
                conn.commit()
        finally:
            killer.dispose()
        assert ended == 1

        await wait_for(lambda: f"lost the lead of {role}" in caplog.text)
        assert "/cases" in await _answered(fake, ANNE, "/help")
        await wait_for(lambda: len(_pollers(services)) == 1)


async def test_the_command_line_decides_beside_the_chat_and_the_card_refuses_after(
    service: Service, fake: FakeTelegram, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 5, item 8: the chat and the command line run at once, on one configuration;
    a draft approved from the command line is refused on its chat card, one reply goes."""
    card = await first_card(service, fake)
    settings = service.runtime.settings
    config = tmp_path / "privacybot.toml"
    config.write_text(
        f'[database]\nurl = "{settings.database.url}"\n'
        f'[outbox]\nfolder = "{settings.outbox.folder}"\n'
        f'[telegram]\nenabled = true\ntoken = "{fake.token}"\nbase_url = "{fake.base_url}"\n'
        f"staff_chat_id = {STAFF_CHAT}\nstaff_user_ids = [{ANNE['id']}, {BO['id']}]\n",
        encoding="utf-8",
    )

    async def cli(*args: str) -> tuple[int, str]:
        code = await asyncio.to_thread(cli_main, ["--config", str(config), *args])
        return code, capsys.readouterr().out

    code, out = await cli("drafts", "--json")
    [draft] = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and draft["case_ref"] == the_case(service).ref
    code, _ = await cli("approve", str(draft["id"]), "--by", "mette-cli")
    assert code == 0
    await wait_for(lambda: len(outbox_files(service)) == 2)  # the acknowledgement, the reply
    await wait_for(lambda: the_case(service).status == "answered")

    late = fake.press(card, ANNE, data_of(card, "ok"))
    await until(fake, lambda: late in fake.answers)
    assert "already approved by mette-cli" in fake.answers[late]["text"]
    with unit_of_work(service.runtime.sessions) as session:
        replies = list(
            session.execute(select(OutboxItem).where(OutboxItem.kind == "reply")).scalars()
        )
    assert len(replies) == 1 and len(outbox_files(service)) == 2


async def test_the_card_shows_what_staff_need_and_nothing_about_health(
    service: Service, fake: FakeTelegram
) -> None:
    """Issue 5, item 1: type with its evidence, language, channel, masked sender, deadline
    and the draft; a sentence about a child's allergy in the mail reaches no card."""
    await send_mail(
        service,
        "Hej\n\nJeg vil gerne have slettet alle mine personoplysninger hos jer. Min søn "
        "har nøddeallergi, og det står også i jeres papirer.\n\nMette\n",
        subject="Sletning og min søns allergi",
    )
    card = await until(fake, lambda: card_with_buttons(fake, 1))
    case = the_case(service)
    lines = card["text"].splitlines()
    assert lines[0] == f"{case.ref} · erasure · draft v1"
    assert "Channel: smtp · language: da · status: draft_pending" in lines
    assert "From: m***@example.dk (Mette H.)" in lines
    assert f"Deadline: {case.deadline.isoformat()}" in lines
    [why] = [line for line in lines if line.startswith("Why: ")]
    phrase = json.loads(case.evidence)[0]["phrase"]
    assert why.startswith(f"Why: erasure «{phrase}")
    assert "Kære Mette" in card["text"] or "Hej Mette" in card["text"]  # the draft itself
    assert "allergi" not in card["text"].lower() and "søn" not in card["text"]


async def test_a_strangers_reply_and_relabel_on_a_card_are_refused(
    service: Service, fake: FakeTelegram
) -> None:
    """Issue 5, item 3: an edit by reply and a relabel button from someone not on the
    staff list change nothing; each gets a short answer and an audit event."""
    card = await first_card(service, fake)
    sent = fake.send_message(
        STRANGER, "Vi har slettet alt. Hilsen Eve", chat_id=STAFF_CHAT, reply_to=card
    )
    refusal = await until(
        fake,
        lambda: next(
            (
                m
                for m in fake.bot_messages(STAFF_CHAT)
                if m.get("reply_to_message", {}).get("message_id") == sent["message_id"]
            ),
            None,
        ),
    )
    assert refusal["text"] == chat_staff.NOT_STAFF
    relabel = fake.press(card, STRANGER, data_of(card, "rl"))
    await until(fake, lambda: relabel in fake.answers)
    assert fake.answers[relabel]["text"] == chat_staff.NOT_STAFF
    refused = await wait_for(
        lambda: len(events(service, "chat_refused")) == 2 and events(service, "chat_refused")
    )
    assert sorted(json.loads(e.detail)["what"] for e in refused) == ["button", "staff chat message"]
    assert all(e.actor == f"telegram:{STRANGER['id']}" for e in refused)
    with unit_of_work(service.runtime.sessions) as session:
        assert [(d.version, d.status) for d in session.execute(select(Draft)).scalars()] == [
            (1, "pending")
        ]
    assert [label for label, _ in fake.buttons(fake.message(STAFF_CHAT, card["message_id"]))][
        0
    ] == "✅ Approve"


async def test_cases_lists_the_soonest_deadline_first(service: Service, fake: FakeTelegram) -> None:
    """Issue 5, item 4: ``/cases`` orders by the deadline in force, not by reference."""
    await send_mail(service, ERASURE, msgid="first@example.dk")
    await until(fake, lambda: card_with_buttons(fake, 1))
    await send_mail(service, ERASURE, msgid="second@example.dk")
    await until(fake, lambda: len([c for c in cards(fake) if fake.buttons(c)]) == 2)
    with unit_of_work(service.runtime.sessions) as session:
        first, second = session.execute(select(Case).order_by(Case.id)).scalars()
    # The older case gets two more months, so the newer one is now due first.
    await asyncio.to_thread(
        staff.extend_case,
        service.runtime,
        ref=first.ref,
        actor="anne",
        reason="Vi venter på svar fra praktikstedet.",
    )
    sent = fake.send_message(ANNE, "/cases", chat_id=STAFF_CHAT)
    answer = await until(
        fake,
        lambda: next(
            (
                m
                for m in fake.bot_messages(STAFF_CHAT)
                if m.get("reply_to_message", {}).get("message_id") == sent["message_id"]
            ),
            None,
        ),
    )
    lines = answer["text"].splitlines()
    assert lines[0] == "Open cases (2)"
    assert [line.split(" · ")[0] for line in lines[1:]] == [second.ref, first.ref]
    extended = case_rules.extended_deadline(as_utc(first.received_at))
    assert lines[2].endswith(f"due {extended.isoformat()}")


async def test_telegram_lost_mid_run_mail_goes_on_and_the_card_follows_its_return(
    service: Service, fake: FakeTelegram
) -> None:
    """Issue 5, item 7: Telegram goes away while the service runs. Mail is still taken
    and acknowledged; the card that could not be posted is sent once Telegram answers
    again, not at the end of the outbox's backoff (which doubles up to an hour)."""
    await first_card(service, fake)
    fake.down = True
    await send_mail(service, ERASURE, msgid="during-outage@example.dk")
    await wait_for(lambda: len(outbox_files(service)) == 2)  # the second acknowledgement

    def waiting_card() -> OutboxItem | None:
        with unit_of_work(service.runtime.sessions) as session:
            rows = list(
                session.execute(
                    select(OutboxItem)
                    .where(OutboxItem.kind == "staff_card")
                    .order_by(OutboxItem.id)
                ).scalars()
            )
        return rows[1] if len(rows) == 2 and rows[1].attempts >= 1 else None

    failed = await wait_for(
        lambda: (row := waiting_card()) is not None and row.status == "pending" and row
    )
    retry_at = as_utc(failed.next_attempt_at)
    assert len(cards(fake)) == 1
    fake.down = False
    await until(fake, lambda: len([c for c in cards(fake) if fake.buttons(c)]) == 2, timeout=60)

    def sent_row() -> OutboxItem | None:
        with unit_of_work(service.runtime.sessions) as session:
            row = session.get(OutboxItem, failed.id)
            return row if row is not None and row.status == "sent" else None

    sent = await wait_for(sent_row)
    assert as_utc(sent.sent_at) < retry_at, "it waited out the backoff"
