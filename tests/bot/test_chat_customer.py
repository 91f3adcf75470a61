"""Customers in private chat, reminders, and the pure preview rules behind every card."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot import chat_staff, pipeline, staff
from bot.chat_customer import store_chat_message
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from bot.service import Service, make_senders
from handlers import case_rules, preview
from storage.engine import unit_of_work
from storage.models import AuditEvent, Case, Draft, OutboxItem
from tests.servers.fake_telegram import FakeTelegram

STAFF_CHAT = -1001234567890
ANNE = FakeTelegram.user(1111, "Anne", "Staff")
KUNDE = FakeTelegram.user(5550001, "Karen", "Kunde")


@pytest.fixture
def fake() -> Any:
    with FakeTelegram() as server:
        server.group(STAFF_CHAT, "Privacy staff")
        yield server


def settings_for(make_settings: Callable[..., Settings], database_url: str,
                 fake: FakeTelegram, **telegram: Any) -> Settings:
    return make_settings(
        database_url,
        telegram={
            "enabled": True, "token": fake.token, "base_url": fake.base_url,
            "staff_chat_id": STAFF_CHAT, "staff_user_ids": [ANNE["id"]],
            "poll_timeout": 1, "reminder_check_seconds": 3600, **telegram,
        },
    )


@pytest.fixture
async def service(
    make_settings: Callable[..., Settings], database_url: str, fake: FakeTelegram
) -> AsyncIterator[Service]:
    runtime = await asyncio.to_thread(
        build_runtime, settings_for(make_settings, database_url, fake)
    )
    svc = Service(runtime, make_senders(runtime))
    task = asyncio.create_task(svc.run())
    yield svc
    svc.stop()
    await asyncio.wait_for(task, 20)
    runtime.engine.dispose()


async def until(fake: FakeTelegram, predicate: Callable[[], Any], timeout: float = 20.0) -> Any:
    return await asyncio.to_thread(fake.wait_for, predicate, timeout)


def cases(svc: Service) -> list[Case]:
    with unit_of_work(svc.runtime.sessions) as session:
        return list(session.execute(select(Case).order_by(Case.id)).scalars())


async def test_private_message_opens_a_case_acknowledged_and_answered_in_chat(
    service: Service, fake: FakeTelegram
) -> None:
    fake.send_message(KUNDE, "Jeg vil gerne have slettet mine oplysninger")
    ack = await until(fake, lambda: next(iter(fake.bot_messages(KUNDE["id"])), None))
    [case] = cases(service)
    assert case.channel == "chat" and json.loads(case.labels) == ["erasure"]
    assert case.ref in ack["text"] and "sag" in ack["text"]

    card = await until(fake, lambda: next(
        (m for m in fake.bot_messages(STAFF_CHAT) if fake.buttons(m)), None))
    [sender_line] = [line for line in card["text"].splitlines() if line.startswith("From:")]
    assert case.ref in card["text"]
    assert sender_line == "From: chat user …001 (Karen K.)"
    [ok] = [d for _, d in fake.buttons(card) if d.endswith(":ok")]
    pressed = fake.press(card, ANNE, ok)
    await until(fake, lambda: pressed in fake.answers)
    answer = await until(fake, lambda: len(fake.bot_messages(KUNDE["id"])) == 2
                         and fake.bot_messages(KUNDE["id"])[1])
    assert case.ref in answer["text"] and "[STAFF:" not in answer["text"]
    # Nobody is identified by a chat account: the answer asks for proof by e-mail.
    assert "bekræfte det pr. mail" in answer["text"]
    assert "Vi har slettet" not in answer["text"]

    def answered() -> bool:
        return cases(service)[0].status == "answered"

    for _ in range(100):
        if await asyncio.to_thread(answered):
            break
        await asyncio.sleep(0.1)
    assert await asyncio.to_thread(answered)


async def test_customer_cannot_use_staff_commands(service: Service, fake: FakeTelegram) -> None:
    fake.send_message(KUNDE, "/cases")
    refusal = await until(fake, lambda: next(iter(fake.bot_messages(KUNDE["id"])), None))
    assert refusal["text"] == chat_staff.NOT_STAFF
    fake.send_message(KUNDE, "/start")
    greeting = await until(fake, lambda: len(fake.bot_messages(KUNDE["id"])) == 2
                           and fake.bot_messages(KUNDE["id"])[1])
    assert "case reference" in greeting["text"]
    with unit_of_work(service.runtime.sessions) as session:
        refused = list(session.execute(
            select(AuditEvent).where(AuditEvent.action == "chat_refused")).scalars())
    assert [json.loads(e.detail)["what"] for e in refused] == ["command:cases"]
    assert cases(service) == []


# --------------------------------------------------------------------------- reminders


@pytest.fixture
def clocked(make_settings: Callable[..., Settings], database_url: str,
            fake: FakeTelegram) -> Any:
    now = [datetime(2026, 3, 2, 9, 0, tzinfo=UTC)]
    runtime = build_runtime(settings_for(make_settings, database_url, fake),
                            clock=lambda: now[0])
    yield runtime, now
    runtime.engine.dispose()


def open_chat_case(runtime: Runtime, text: str = "Please delete my personal data") -> Case:
    store_chat_message(runtime, {
        "chat_id": KUNDE["id"], "message_id": 1, "user_id": KUNDE["id"],
        "user_name": "Karen Kunde", "text": text, "reply_to_message_id": None,
    })
    pipeline.process_pending(runtime)
    with unit_of_work(runtime.sessions) as session:
        return session.execute(select(Case)).scalar_one()


def reminders(runtime: Runtime) -> list[str]:
    with unit_of_work(runtime.sessions) as session:
        rows = session.execute(
            select(OutboxItem).where(OutboxItem.kind == "reminder").order_by(OutboxItem.id)
        ).scalars()
        return [row.message_id.split(".")[0].strip("<") for row in rows]


def test_reminders_7_and_2_days_before_and_every_working_day_when_overdue(clocked: Any) -> None:
    runtime, now = clocked
    case = open_chat_case(runtime)
    assert chat_staff.queue_reminders(runtime) == 0  # a month to go
    at_ten = datetime.combine(case.deadline, datetime.min.time(), UTC) + timedelta(hours=10)
    now[0] = at_ten - timedelta(days=7)
    assert chat_staff.queue_reminders(runtime) == 1
    assert chat_staff.queue_reminders(runtime) == 0  # once, however often it runs
    now[0] = at_ten - timedelta(days=2)
    chat_staff.queue_reminders(runtime)
    now[0] = at_ten + timedelta(days=1)
    while not case_rules.is_working_day(now[0].date()):
        now[0] += timedelta(days=1)
    chat_staff.queue_reminders(runtime)
    chat_staff.queue_reminders(runtime)
    assert reminders(runtime) == ["remind7d", "remind2d", "overdue"]
    now[0] = now[0].replace(hour=5)  # before reminder_hour (09:00 Copenhagen)
    now[0] += timedelta(days=1)
    assert chat_staff.queue_reminders(runtime) == 0


# --------------------------------------------------------------------------- verification


def drafts(runtime: Runtime) -> list[Draft]:
    with unit_of_work(runtime.sessions) as session:
        return list(session.execute(select(Draft).order_by(Draft.id)).scalars())


@pytest.mark.parametrize(
    ("text", "asks", "acts"),
    [
        ("Jeg vil gerne have slettet mine oplysninger",
         "bekræfte det pr. mail: skriv venligst til {email} med sagsnummeret {ref} i emnefeltet",
         "Vi har slettet"),
        ("Please delete my personal data",
         "confirm it by e-mail: please write to {email} with the case number {ref} in the "
         "subject line", "We have erased"),
    ],
)
def test_a_chat_erasure_draft_asks_for_verification_by_email(
    clocked: Any, text: str, asks: str, acts: str
) -> None:
    """RULES.md: erasure and access need a verified identity, and a chat user has none."""
    runtime, _ = clocked
    case = open_chat_case(runtime, text)
    assert json.loads(case.labels) == ["erasure"]
    [draft] = drafts(runtime)
    wanted = asks.format(email=runtime.company.email, ref=case.ref)
    assert wanted in draft.body
    assert acts not in draft.body  # nothing is erased before the proof
    assert "[STAFF:" in draft.body  # staff are told why

    # A relabelled draft asks too (here: access instead of erasure).
    staff.relabel_draft(runtime, draft_id=draft.id or 0, actor="anne", labels=["access"])
    relabelled = drafts(runtime)[-1]
    assert relabelled.version == 2 and wanted in relabelled.body

    # Approved, the letter goes back into the chat without the staff note.
    staff.approve_draft(runtime, draft_id=relabelled.id or 0, actor="anne")
    with unit_of_work(runtime.sessions) as session:
        letter = session.execute(
            select(OutboxItem).where(OutboxItem.kind == "reply")
        ).scalar_one()
    payload = json.loads(letter.payload)
    assert letter.transport == "chat" and wanted in payload["text"]
    assert "[STAFF:" not in payload["text"]


def test_a_chat_request_that_needs_no_identity_asks_for_none(clocked: Any) -> None:
    runtime, _ = clocked
    open_chat_case(runtime, "I withdraw my consent to marketing e-mails")
    [draft] = drafts(runtime)
    assert "Withdrawal of consent" in draft.body
    assert "by e-mail" not in draft.body and "[STAFF:" not in draft.body


# --------------------------------------------------------------------------- preview


@pytest.mark.parametrize(
    ("text", "hidden_word"),
    [
        ("Min søn har nøddeallergi. Slet venligst hans data.", "nøddeallergi"),
        ("I take medication for epilepsy. Delete my account.", "medication"),
        ("Hun fik stillet diagnosen ADHD sidste år.\nSlet alt.", "ADHD"),
        ("My health records must go. Thanks", "health"),
    ],
)
def test_special_category_sentences_are_hidden(text: str, hidden_word: str) -> None:
    shown = preview.hide_special_categories(text)
    assert hidden_word not in shown and preview.HIDDEN in shown
    assert "Slet" in shown or "Delete" in shown or "Thanks" in shown


def test_ordinary_privacy_words_are_not_hidden() -> None:
    text = "Vi har slettet dine personoplysninger og stoppet behandlingen af dem."
    assert preview.hide_special_categories(text) == text


def test_masking_of_senders_and_names() -> None:
    assert preview.mask_address("mette.hansen@example.dk") == "m***@example.dk"
    assert preview.mask_address("tg:5550001") == "chat user …001"
    assert preview.mask_name("Mette Bo Hansen") == "Mette B. H."
