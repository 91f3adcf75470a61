"""Customers in private chat, reminders, and the pure preview rules behind every card."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot import chat_staff, pipeline, staff
from bot.chat_customer import store_chat_message
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from bot.service import Service, make_senders
from handlers import case_rules, preview
from handlers.drafting import long_date
from storage import queries
from storage.engine import unit_of_work
from storage.models import AuditEvent, Case, Draft, OutboxItem
from tests.servers.fake_telegram import FakeTelegram

STAFF_CHAT = -1001234567890
ANNE = FakeTelegram.user(1111, "Anne", "Staff")
KUNDE = FakeTelegram.user(5550001, "Karen", "Kunde")
CPH = ZoneInfo("Europe/Copenhagen")


@pytest.fixture
def fake() -> Any:
    with FakeTelegram() as server:
        server.group(STAFF_CHAT, "Privacy staff")
        yield server


def settings_for(
    make_settings: Callable[..., Settings], database_url: str, fake: FakeTelegram, **telegram: Any
) -> Settings:
    return make_settings(
        database_url,
        telegram={
            "enabled": True,
            "token": fake.token,
            "base_url": fake.base_url,
            "staff_chat_id": STAFF_CHAT,
            "staff_user_ids": [ANNE["id"]],
            "poll_timeout": 1,
            "reminder_check_seconds": 3600,
            **telegram,
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
    assert f"senest {long_date(case.deadline, 'da')}" in ack["text"]

    card = await until(
        fake, lambda: next((m for m in fake.bot_messages(STAFF_CHAT) if fake.buttons(m)), None)
    )
    [sender_line] = [line for line in card["text"].splitlines() if line.startswith("From:")]
    assert case.ref in card["text"]
    assert sender_line == "From: chat user …001 (Karen K.)"
    [ok] = [d for _, d in fake.buttons(card) if d.endswith(":ok")]
    pressed = fake.press(card, ANNE, ok)
    await until(fake, lambda: pressed in fake.answers)
    answer = await until(
        fake, lambda: len(fake.bot_messages(KUNDE["id"])) == 2 and fake.bot_messages(KUNDE["id"])[1]
    )
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

    # The case's history: the chat message, and the two answers in the chat as sent; the
    # staff card (and its update) are the staff's, not part of the exchange.
    with unit_of_work(service.runtime.sessions) as session:
        history = [
            (m.direction, m.channel, m.rule, m.text)
            for m in queries.case_messages(session, case_id=case.id or 0)
        ]
    assert [h[:3] for h in history] == [
        ("in", "chat", "case_opened"),
        ("out", "chat", "ack"),
        ("out", "chat", "reply"),
    ]
    assert [h[3] for h in history[1:]] == [ack["text"], answer["text"]]


async def test_markup_in_chat_text_is_escaped_and_a_long_answer_comes_in_pieces(
    service: Service, fake: FakeTelegram
) -> None:
    """Issue 5, item 7: what a customer writes may hold ``<`` and ``&`` (the staff card is
    HTML and Telegram refuses broken markup); an answer over 4096 characters is split."""
    fake.send_message(
        FakeTelegram.user(5550002, "Ib <3", "& Co"),
        "Jeg vil gerne have slettet mine oplysninger <nu> & straks",
    )
    card = await until(
        fake, lambda: next((m for m in fake.bot_messages(STAFF_CHAT) if fake.buttons(m)), None)
    )
    [case] = cases(service)
    # The fake Bot API refuses unescaped markup as Telegram does: the card arrived whole.
    assert "From: chat user …002 (Ib <. &. C.)" in card["text"].splitlines()
    [draft] = await asyncio.to_thread(
        lambda: [d for d in _drafts(service) if d.status == "pending"]
    )
    paragraph = "Vi har rettet <alt> & slettet det, du bad om. " * 20 + "\n\n"
    body = "Kære Ib\n\n" + paragraph * 6 + "Venlig hilsen\nALOTTbetter"
    assert len(body) > 4096
    edited = await asyncio.to_thread(
        staff.edit_draft, service.runtime, draft_id=draft.id or 0, actor="anne", body=body
    )
    await asyncio.to_thread(
        staff.approve_draft, service.runtime, draft_id=edited.draft_id, actor="anne"
    )
    service.outbox_ready.set()
    pieces = await until(
        fake, lambda: (lambda ms: ms[1:] if len(ms) >= 3 else None)(fake.bot_messages(5550002))
    )
    assert case.ref in fake.bot_messages(5550002)[0]["text"]  # the acknowledgement
    assert len(pieces) == 2 and all(len(p["text"]) <= 4096 for p in pieces)
    # Cut at a line break, nothing lost: the words are the letter's, in order.
    assert " ".join(p["text"] for p in pieces).split() == body.split()
    assert pieces[1]["text"].startswith("Vi har rettet")


def _drafts(svc: Service) -> list[Draft]:
    with unit_of_work(svc.runtime.sessions) as session:
        return list(session.execute(select(Draft).order_by(Draft.id)).scalars())


async def test_customer_cannot_use_staff_commands(service: Service, fake: FakeTelegram) -> None:
    fake.send_message(KUNDE, "/cases")
    refusal = await until(fake, lambda: next(iter(fake.bot_messages(KUNDE["id"])), None))
    assert refusal["text"] == chat_staff.NOT_STAFF
    fake.send_message(KUNDE, "/start")
    greeting = await until(
        fake, lambda: len(fake.bot_messages(KUNDE["id"])) == 2 and fake.bot_messages(KUNDE["id"])[1]
    )
    assert "case reference" in greeting["text"]
    with unit_of_work(service.runtime.sessions) as session:
        refused = list(
            session.execute(select(AuditEvent).where(AuditEvent.action == "chat_refused")).scalars()
        )
    assert [json.loads(e.detail)["what"] for e in refused] == ["command:cases"]
    assert cases(service) == []


# --------------------------------------------------------------------------- reminders


@pytest.fixture
def clocked(make_settings: Callable[..., Settings], database_url: str, fake: FakeTelegram) -> Any:
    now = [datetime(2026, 3, 2, 9, 0, tzinfo=UTC)]
    runtime = build_runtime(settings_for(make_settings, database_url, fake), clock=lambda: now[0])
    yield runtime, now
    runtime.engine.dispose()


def open_chat_case(runtime: Runtime, text: str = "Please delete my personal data") -> Case:
    store_chat_message(
        runtime,
        {
            "chat_id": KUNDE["id"],
            "message_id": 1,
            "user_id": KUNDE["id"],
            "user_name": "Karen Kunde",
            "text": text,
            "reply_to_message_id": None,
        },
    )
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
        (
            "Jeg vil gerne have slettet mine oplysninger",
            "bekræfte det pr. mail: skriv venligst til {email} med sagsnummeret {ref} i emnefeltet",
            "Vi har slettet",
        ),
        (
            "Please delete my personal data",
            "confirm it by e-mail: please write to {email} with the case number {ref} in the "
            "subject line",
            "We have erased",
        ),
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
        letter = session.execute(select(OutboxItem).where(OutboxItem.kind == "reply")).scalar_one()
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


def test_overdue_reminders_come_each_working_day_and_skip_days_off(clocked: Any) -> None:
    runtime, now = clocked
    case = open_chat_case(runtime)
    day = case.deadline + timedelta(days=1)
    seen: list[tuple[date, int]] = []
    for _ in range(12):
        now[0] = datetime.combine(day, time(10), CPH).astimezone(UTC)
        seen.append((day, chat_staff.queue_reminders(runtime)))
        day += timedelta(days=1)
    assert [d for d, n in seen if n] == [d for d, _ in seen if case_rules.is_working_day(d)]
    assert any(n == 0 for _, n in seen), "twelve days hold a weekend"
    assert all(n <= 1 for _, n in seen)


def test_reminder_days_hour_and_overdue_rule_are_configuration(
    make_settings: Callable[..., Settings], database_url: str, fake: FakeTelegram
) -> None:
    now = [datetime(2026, 3, 2, 9, 0, tzinfo=UTC)]
    settings = settings_for(
        make_settings,
        database_url,
        fake,
        reminder_days_before=[10, 3],
        reminder_hour=14,
        reminder_overdue_working_days=False,
    )
    runtime = build_runtime(settings, clock=lambda: now[0])
    try:
        case = open_chat_case(runtime)

        def at(day: date, hour: int) -> int:
            now[0] = datetime.combine(day, time(hour), CPH).astimezone(UTC)
            return chat_staff.queue_reminders(runtime)

        assert at(case.deadline - timedelta(days=7), 15) == 1  # within 10 days
        assert at(case.deadline - timedelta(days=3), 13) == 0  # before 14:00
        assert at(case.deadline - timedelta(days=3), 14) == 1
        assert at(case.deadline - timedelta(days=2), 15) == 0  # no 2-day reminder here
        late = case_rules.next_working_day(case.deadline + timedelta(days=1))
        assert at(late, 15) == 0  # no overdue reminders by this company's choice
        assert reminders(runtime) == ["remind10d", "remind3d"]
    finally:
        runtime.engine.dispose()


async def test_a_due_reminder_reaches_the_staff_chat(
    make_settings: Callable[..., Settings], database_url: str, fake: FakeTelegram
) -> None:
    """The running service's elected poller queues the reminder and posts it."""
    now = [datetime.now(UTC)]
    settings = settings_for(make_settings, database_url, fake, reminder_check_seconds=0.2)
    runtime = await asyncio.to_thread(build_runtime, settings, clock=lambda: now[0])
    svc = Service(runtime, make_senders(runtime))
    task = asyncio.create_task(svc.run())
    try:
        fake.send_message(KUNDE, "Jeg vil gerne have slettet mine oplysninger")
        await until(
            fake, lambda: next((m for m in fake.bot_messages(STAFF_CHAT) if fake.buttons(m)), None)
        )
        [case] = cases(svc)
        now[0] = datetime.combine(case.deadline - timedelta(days=2), time(10), CPH)
        reminder = await until(
            fake,
            lambda: next(
                (m for m in fake.bot_messages(STAFF_CHAT) if m["text"].startswith("⏰")), None
            ),
        )
        assert reminder["text"].startswith(f"⏰ {case.ref} is due in 2 days")
        assert case.deadline.isoformat() in reminder["text"]
        assert "Karen" not in reminder["text"]
    finally:
        svc.stop()
        await asyncio.wait_for(task, 20)
        runtime.engine.dispose()
