"""Mail the classifier was unsure of: kept, listed for staff, decided once.

A request the trained model overrules (``tests/data/heldout/dev14/da-n05.eml``: a
signature's disclaimer the rules read as a restriction) goes through the real pipeline on
each database; staff open its case or call it ordinary mail through ``bot.uncertain``
and the command line; the acknowledgement lands in the real outbox folder.
"""

from __future__ import annotations

import asyncio
import email
import json
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.policy import default
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest
from sqlalchemy import select

from bot import chat_staff, outbox, pipeline, uncertain
from bot.cli import main
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from bot.senders import EmlFolderSender
from handlers import case_rules
from storage import queries
from storage.audit import verify_chain
from storage.engine import unit_of_work
from storage.models import AuditEvent, Case, Message, as_utc
from tests.bot.test_chat_staff import ANNE, BO, STAFF_CHAT, STRANGER, chat_settings, running, until
from tests.servers.fake_telegram import FakeTelegram
from tests.support import cli_config, wait_for

ROOT = Path(__file__).resolve().parents[2]
OVERRULED = ROOT / "tests" / "data" / "heldout" / "dev14" / "da-n05.eml"


@pytest.fixture
def config(runtime: Runtime, tmp_path: Path) -> Path:
    return cli_config(
        runtime.settings.database.url, runtime.settings.outbox.folder, tmp_path / "c.toml"
    )


def keep_overruled(runtime: Runtime, *, days_ago: int = 3, n: int = 1) -> int:
    """Store the overruled mail as received ``days_ago`` and let the pipeline decide it."""
    raw = OVERRULED.read_bytes().replace(b"Message-ID: <", f"Message-ID: <u{n}.".encode(), 1)
    received = datetime.now(UTC) - timedelta(days=days_ago)
    with unit_of_work(runtime.sessions) as session:
        row, _ = queries.store_inbound(
            session,
            channel="smtp",
            external_id=f"<uncertain.{n}@example.dk>",
            raw=raw,
            received_at=received,
        )
        message_id = row.id
    [outcome] = pipeline.process_pending(runtime)
    assert outcome.rule == "not_privacy:uncertain" and outcome.case_ref is None
    return int(message_id or 0)


def events(runtime: Runtime, action: str) -> list[AuditEvent]:
    with unit_of_work(runtime.sessions) as session:
        return list(
            session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars()
        )


def test_an_overruled_request_is_listed_with_what_the_rules_saw_and_its_deadline(
    runtime: Runtime,
) -> None:
    message_id = keep_overruled(runtime, days_ago=10)
    [item] = uncertain.list_uncertain(runtime)
    assert item.message_id == message_id
    assert item.subject == "Betaling af restbeløb"
    assert item.evidence[0][0] == "restriction"
    assert item.evidence[0][1].startswith("kun til den eller de navngivne modtagere")
    assert item.likely[0] == "restriction" and len(item.likely) == 7
    assert item.deadline == case_rules.deadline(item.received_at)
    today = datetime.now(UTC).astimezone(uncertain.COPENHAGEN).date()
    assert item.days_left == (item.deadline - today).days
    assert 15 <= item.days_left <= 25


def test_opening_a_case_acknowledges_the_sender_with_the_deadline_from_receipt(
    runtime: Runtime,
) -> None:
    message_id = keep_overruled(runtime, days_ago=5)
    decided = uncertain.open_case(
        runtime, message_id=message_id, labels=["restriction"], actor="web:anne"
    )
    assert decided.outcome == "case" and decided.case_ref
    assert uncertain.list_uncertain(runtime) == []
    with unit_of_work(runtime.sessions) as session:
        case = queries.get_case(session, ref=decided.case_ref)
        message = session.get(Message, message_id)
        assert message is not None
        assert message.case_id == case.id and message.retain_until == case.retain_until
        assert queries.labels_of(case) == ["restriction"]
        assert case.status == "draft_pending"  # acknowledged, its draft waits for staff
        assert case.deadline == case_rules.deadline(as_utc(message.received_at))
        assert case.requester == "rikke.foss@example.dk"
        [draft] = queries.case_drafts(session, case_id=case.id or 0)
        assert draft.status == "pending"
    [opened] = events(runtime, "case_opened")
    assert opened.actor == "web:anne" and opened.case_ref == decided.case_ref
    [chosen] = events(runtime, "uncertain_decided")
    assert chosen.actor == "web:anne"
    assert json.loads(chosen.detail)["decision"] == "case"
    assert events(runtime, "ack_queued")
    outbox.deliver_due(runtime, {"mail": EmlFolderSender(runtime.settings.outbox.folder)})
    [ack] = Path(runtime.settings.outbox.folder).glob("ack.*.eml")
    mail = email.message_from_bytes(ack.read_bytes(), policy=default)
    assert mail["To"] == "rikke.foss@example.dk" and decided.case_ref in mail["Subject"]
    with unit_of_work(runtime.sessions) as session:
        assert verify_chain(session).ok


def test_ordinary_mail_leaves_the_list_and_keeps_its_retention(runtime: Runtime) -> None:
    message_id = keep_overruled(runtime)
    with unit_of_work(runtime.sessions) as session:
        before = session.get(Message, message_id)
        assert before is not None
        kept_until = before.retain_until
    decided = uncertain.mark_ordinary(runtime, message_id=message_id, actor="cli")
    assert decided.outcome == "ordinary" and decided.case_ref is None
    assert uncertain.list_uncertain(runtime) == []
    with unit_of_work(runtime.sessions) as session:
        message = session.get(Message, message_id)
        assert message is not None and message.case_id is None
        assert message.retain_until == kept_until and message.rule == "not_privacy:staff"
        assert session.execute(select(Case)).first() is None
    [event] = events(runtime, "uncertain_decided")
    assert event.actor == "cli" and json.loads(event.detail)["decision"] == "ordinary"
    # decided once: a second decision either way is refused, saying so
    with pytest.raises(uncertain.AlreadyDecided, match="already decided: ordinary mail"):
        uncertain.open_case(runtime, message_id=message_id, labels=["erasure"], actor="x")


def test_two_staff_deciding_at_once_open_one_case(runtime: Runtime) -> None:
    message_id = keep_overruled(runtime)
    results: list[object] = []
    start = threading.Barrier(2)

    def decide(actor: str) -> None:
        start.wait()
        try:
            results.append(
                uncertain.open_case(runtime, message_id=message_id, labels=["erasure"], actor=actor)
            )
        except uncertain.AlreadyDecided as exc:
            results.append(exc)

    threads = [threading.Thread(target=decide, args=(a,)) for a in ("web:anne", "web:bo")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    decided = [r for r in results if isinstance(r, uncertain.Decision)]
    refused = [r for r in results if isinstance(r, uncertain.AlreadyDecided)]
    assert len(decided) == 1 and len(refused) == 1
    assert f"already decided: case {decided[0].case_ref}" in str(refused[0])
    with unit_of_work(runtime.sessions) as session:
        assert len(list(session.execute(select(Case)).scalars())) == 1


def test_a_message_that_was_not_uncertain_is_refused(runtime: Runtime) -> None:
    raw = (
        b"From: A <a@example.dk>\r\nTo: info@alottbetter.dk\r\nSubject: Tak\r\n"
        b"Message-ID: <plain.1@example.dk>\r\n\r\nTak for en dejlig tur!\r\n"
    )
    with unit_of_work(runtime.sessions) as session:
        row, _ = queries.store_inbound(
            session, channel="smtp", external_id="<plain.1@example.dk>", raw=raw
        )
        message_id = int(row.id or 0)
    pipeline.process_pending(runtime)
    with pytest.raises(queries.Refused, match="not mail the classifier was unsure of"):
        uncertain.mark_ordinary(runtime, message_id=message_id, actor="cli")
    with pytest.raises(queries.NotFound):
        uncertain.mark_ordinary(runtime, message_id=message_id + 100, actor="cli")
    with pytest.raises(queries.Refused, match="unknown request type"):
        uncertain.open_case(runtime, message_id=message_id, labels=["delete"], actor="cli")


def test_the_command_line_lists_and_decides(
    runtime: Runtime, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = keep_overruled(runtime, days_ago=8, n=1)
    second = keep_overruled(runtime, days_ago=2, n=2)
    capsys.readouterr()
    assert main(["--config", str(config), "messages", "--uncertain", "--json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["id"] for row in listed] == [first, second]  # oldest first
    assert listed[0]["evidence"][0]["label"] == "restriction"
    assert "rikke" not in json.dumps(listed) and "sender" not in listed[0]
    assert listed[0]["days_left"] < listed[1]["days_left"]

    assert (
        main(
            [
                "--config",
                str(config),
                "uncertain",
                "open",
                str(first),
                "--type",
                "restriction",
                "--type",
                "access",
                "--by",
                "anne",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith(f"message {first}: case PR-") and out.strip().endswith("opened")
    assert main(["--config", str(config), "uncertain", "ordinary", str(second)]) == 0
    assert capsys.readouterr().out.strip() == f"message {second}: ordinary mail"
    assert main(["--config", str(config), "uncertain", "ordinary", str(first)]) == 2
    assert "already decided: case PR-" in capsys.readouterr().err
    assert main(["--config", str(config), "messages", "--uncertain"]) == 0
    assert capsys.readouterr().out == ""
    with unit_of_work(runtime.sessions) as session:
        [case] = session.execute(select(Case)).scalars()
        assert queries.labels_of(case) == ["access", "restriction"]


# --- the staff chat: the real service and PTB against the local Bot API -------------


@pytest.fixture
def fake() -> Any:
    with FakeTelegram() as server:
        server.group(STAFF_CHAT, "Privacy staff")
        yield server


async def test_the_staff_chat_is_told_lists_and_decides_once(
    make_settings: Callable[..., Settings], database_url: str, fake: FakeTelegram
) -> None:
    async with running(chat_settings(make_settings, database_url, fake)) as svc:
        await aiosmtplib.send(
            OVERRULED.read_bytes(),
            sender="rikke.foss@example.dk",
            recipients=["info@alottbetter.dk"],
            hostname="127.0.0.1",
            port=svc.smtp_port,
            timeout=10,
        )
        # told without asking: what staff need, not who wrote or what
        notice = await until(
            fake,
            lambda: next(
                (m for m in fake.bot_messages(STAFF_CHAT) if m["text"].startswith("❓ Mail")), None
            ),
        )
        assert "Betaling af restbeløb" in notice["text"] and "/uncertain" in notice["text"]
        assert "kun til den eller de navngivne modtagere" in notice["text"]
        assert "rikke" not in notice["text"].lower() and "Salamanca" not in notice["text"]

        async def ask(user: dict[str, Any], text: str) -> list[dict[str, Any]]:
            sent = fake.send_message(user, text, chat_id=STAFF_CHAT)

            def answers() -> list[dict[str, Any]]:
                return [
                    m
                    for m in fake.bot_messages(STAFF_CHAT)
                    if m.get("reply_to_message", {}).get("message_id") == sent["message_id"]
                ]

            await until(fake, answers)
            await asyncio.sleep(0.3)  # the item messages follow the heading
            return answers()

        heading, item = await ask(ANNE, "/uncertain")
        assert "Uncertain mail</b> (1)" in heading["html"]
        assert item["text"].startswith("❓ Mail ")
        assert "The rules saw: restriction «kun til den" in item["text"]
        assert "rikke" not in item["text"].lower() and "Salamanca" not in item["text"]
        labels = [label for label, _ in fake.buttons(item)]
        assert labels[0] == "Open case: restriction" and labels[-1] == "Ordinary mail"
        assert len(labels) == 8
        assert all(len(d.encode()) <= 64 for _, d in fake.buttons(item))
        [open_data] = [d for label, d in fake.buttons(item) if label == labels[0]]
        [ordinary_data] = [d for label, d in fake.buttons(item) if label == "Ordinary mail"]

        refused = fake.press(item, STRANGER, open_data)
        await until(fake, lambda: refused in fake.answers)
        assert fake.answers[refused]["text"] == chat_staff.NOT_STAFF

        # two staff at once: one case, the other hears it is decided
        ids = fake.press_many([(item, ANNE, open_data), (item, BO, open_data)])
        await until(fake, lambda: all(i in fake.answers for i in ids))
        texts = sorted(fake.answers[i]["text"] for i in ids)
        case = await wait_for(lambda: the_case(svc))
        assert texts == [
            f"Case {case.ref} opened; its card follows.",
            f"message {item_id(item)} was already decided: case {case.ref}",
        ]
        late = fake.press(item, BO, ordinary_data)
        await until(fake, lambda: late in fake.answers)
        assert "already decided" in fake.answers[late]["text"]
        assert case.deadline == case_rules.deadline(as_utc(case.received_at))
        # the case's card follows, the sender is acknowledged, the list records it
        await until(
            fake,
            lambda: any(
                m["text"].startswith(case.ref) and fake.buttons(m)
                for m in fake.bot_messages(STAFF_CHAT)
            ),
        )
        await wait_for(lambda: list(Path(svc.runtime.settings.outbox.folder).glob("ack.*.eml")))
        shown = await until(
            fake,
            lambda: (
                (m := fake.message(STAFF_CHAT, item["message_id"]))
                and re.search(r"opened by (Anne|Bo) at", m["text"])
                and m
            ),
        )
        assert not fake.buttons(shown)
        assert "No uncertain mail" in (await ask(BO, "/uncertain"))[0]["text"]
        assert "/uncertain" in (await ask(ANNE, "/help"))[0]["text"]


def item_id(item: dict[str, Any]) -> int:
    return int(item["text"].split()[2])


def the_case(svc: Any) -> Case | None:
    with unit_of_work(svc.runtime.sessions) as session:
        return session.execute(select(Case)).scalar_one_or_none()


def test_staff_are_told_of_each_uncertain_mail_at_most_ten_an_hour(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    """A flood of unsure mail must not bury the staff chat; ``/uncertain`` lists them all."""
    runtime = build_runtime(
        make_settings(
            database_url,
            telegram={
                "enabled": True,
                "token": "123:abc",
                "staff_chat_id": STAFF_CHAT,
                "staff_user_ids": [ANNE["id"]],
            },
        )
    )
    try:
        for n in range(pipeline.UNCERTAIN_NOTICES_PER_HOUR + 2):
            keep_overruled(runtime, n=n)
        with unit_of_work(runtime.sessions) as session:
            notices = [
                item for item in queries.outbox_items(session) if item.kind == "staff_notice"
            ]
        assert len(notices) == pipeline.UNCERTAIN_NOTICES_PER_HOUR
        text = json.loads(notices[0].payload)["text"]
        assert text.startswith("❓ Mail ") and "Decide with /uncertain" in text
        assert "rikke" not in text.lower() and "Salamanca" not in text
        assert len(uncertain.list_uncertain(runtime)) == pipeline.UNCERTAIN_NOTICES_PER_HOUR + 2
    finally:
        runtime.engine.dispose()


def test_a_near_miss_is_listed_but_staff_are_not_told_of_it(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    """A rule's phrase under a negation is a near miss: uncertain, but no request was seen
    (about one ordinary mail in seven is one), so it waits in the list without a notice."""
    runtime = build_runtime(
        make_settings(
            database_url,
            telegram={
                "enabled": True,
                "token": "123:abc",
                "staff_chat_id": STAFF_CHAT,
                "staff_user_ids": [ANNE["id"]],
            },
        )
    )
    raw = (
        "From: Ida <ida@example.dk>\nTo: info@example.dk\nSubject: Næste år\n"
        "Message-ID: <near.1@example.dk>\nContent-Type: text/plain; charset=utf-8\n\n"
        "Hej, I skal endelig ikke slette mine oplysninger, jeg kommer igen næste år. Mvh Ida\n"
    ).encode()
    try:
        with unit_of_work(runtime.sessions) as session:
            queries.store_inbound(
                session,
                channel="smtp",
                external_id="<near.1@example.dk>",
                raw=raw,
                received_at=datetime.now(UTC),
            )
        [outcome] = pipeline.process_pending(runtime)
        assert outcome.rule == "not_privacy:uncertain"
        with unit_of_work(runtime.sessions) as session:
            assert not [
                item for item in queries.outbox_items(session) if item.kind == "staff_notice"
            ]
        [item] = uncertain.list_uncertain(runtime)
        assert item.subject == "Næste år"
    finally:
        runtime.engine.dispose()
