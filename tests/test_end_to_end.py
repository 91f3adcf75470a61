"""A mail's whole way: a real SMTP conversation with the running listener, to the case,
the acknowledgement file, the pending draft, approval from the command line, the reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import json
from collections.abc import AsyncIterator, Callable
from email.policy import default
from pathlib import Path

import aiosmtplib
import pytest
from sqlalchemy import select

from bot import staff
from bot.cli import main
from bot.config import Settings
from bot.runtime import build_runtime
from bot.service import Service, make_senders
from storage.engine import unit_of_work
from storage.models import Case, Draft, Message, OutboxItem
from tests.support import customer_mail, send, wait_for


def write_config(path: Path, settings: Settings) -> Path:
    path.write_text(
        f'[database]\nurl = "{settings.database.url}"\n'
        f'[outbox]\nfolder = "{settings.outbox.folder}"\n',
        encoding="utf-8",
    )
    return path


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Service]:
    """The whole service in this test's loop, listening on a free port, stopped after."""
    runtime = await asyncio.to_thread(build_runtime, settings)
    svc = Service(runtime, make_senders(runtime))
    task = asyncio.create_task(svc.run())
    try:
        for _ in range(100):
            if svc.smtp_port:
                break
            await asyncio.sleep(0.05)
        yield svc
    finally:
        svc.stop()
        await asyncio.wait_for(task, 10)
        runtime.engine.dispose()


@pytest.fixture
async def service(
    make_settings: Callable[..., Settings], database_url: str
) -> AsyncIterator[Service]:
    settings = make_settings(database_url, smtp_listener={"max_message_bytes": 200_000})
    async with running(settings) as svc:
        yield svc


def pending_drafts(svc: Service) -> list[Draft]:
    with unit_of_work(svc.runtime.sessions) as session:
        return list(session.execute(select(Draft).where(Draft.status == "pending")).scalars())


def outbox_files(svc: Service) -> list[Path]:
    return sorted(Path(svc.runtime.settings.outbox.folder).glob("*.eml"))


def cases(svc: Service) -> list[Case]:
    with unit_of_work(svc.runtime.sessions) as session:
        return list(session.execute(select(Case).order_by(Case.id)).scalars())


async def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = await asyncio.to_thread(main, list(args))
    return code, capsys.readouterr().out


async def test_erasure_mail_to_case_ack_draft_and_approved_reply(
    service: Service, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await send(
        service,
        customer_mail(
            "Sletning af mine oplysninger",
            "Hej\n\nJeg vil gerne have slettet alle mine personoplysninger hos jer.\n\n"
            "Venlig hilsen\nMette Hansen\n",
            msgid="first.1@example.dk",
        ),
    )
    files = await wait_for(lambda: outbox_files(service))
    [case] = cases(service)
    assert case.ref.startswith("PR-") and case.ref.endswith("-0001")
    assert json.loads(case.labels) == ["erasure"]
    assert case.status == "draft_pending"

    ack = email.message_from_bytes(files[0].read_bytes(), policy=default)
    assert case.ref in ack["Subject"]
    assert ack["To"] == "mette.hansen@example.dk"
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["Content-Language"] == "da", "the letter says its language"
    assert ack["In-Reply-To"] == "<first.1@example.dk>"
    body = ack.get_content()
    assert case.ref in body
    assert str(case.deadline.year) in body

    config = write_config(tmp_path / "privacybot.toml", service.runtime.settings)
    code, out = await cli(capsys, "--config", str(config), "drafts", "--json")
    assert code == 0
    [draft] = [json.loads(line) for line in out.splitlines()]
    assert draft["case_ref"] == case.ref and draft["version"] == 1
    assert draft["status"] == "pending"

    edited = tmp_path / "new.txt"
    edited.write_text("Kære Mette\n\nVi har slettet dine oplysninger.\n", encoding="utf-8")
    code, _ = await cli(
        capsys, "--config", str(config), "edit", str(draft["id"]), "--body-file", str(edited)
    )
    assert code == 0
    code, _ = await cli(capsys, "--config", str(config), "approve", str(draft["id"]))
    assert code == 2, "approving the replaced version must be refused"

    code, out = await cli(capsys, "--config", str(config), "drafts", "--json")
    [newer] = [json.loads(line) for line in out.splitlines()]
    assert newer["version"] == 2
    code, _ = await cli(capsys, "--config", str(config), "approve", str(newer["id"]))
    assert code == 0
    service.outbox_ready.set()

    await wait_for(lambda: len(outbox_files(service)) == 2)
    [reply_file] = [f for f in outbox_files(service) if f != files[0]]
    reply = email.message_from_bytes(reply_file.read_bytes(), policy=default)
    assert case.ref in reply["Subject"]
    assert "Vi har slettet dine oplysninger." in reply.get_content()
    assert reply["In-Reply-To"] == "<first.1@example.dk>"
    await wait_for(lambda: cases(service)[0].status == "answered")

    code, out = await cli(capsys, "--config", str(config), "cases", "--json")
    [listed] = [json.loads(line) for line in out.splitlines()]
    assert listed["ref"] == case.ref and listed["status"] == "answered"
    assert listed["deadline"] == case.deadline.isoformat()

    # The case's history holds the request and both letters as they were sent, in order.
    ack_id, reply_id = (m["Message-ID"].strip("<>") for m in (ack, reply))
    with unit_of_work(service.runtime.sessions) as session:
        history = list(
            session.execute(
                select(Message).where(Message.case_id == case.id).order_by(Message.id)
            ).scalars()
        )
    assert [(m.direction, m.channel, m.message_id, m.status) for m in history] == [
        ("in", "smtp", "first.1@example.dk", "processed"),
        ("out", "mail", ack_id, "sent"),
        ("out", "mail", reply_id, "sent"),
    ]
    assert [m.raw for m in history[1:]] == [files[0].read_bytes(), reply_file.read_bytes()]
    assert {m.sender for m in history[1:]} == {service.runtime.company.email}
    assert "Vi har slettet dine oplysninger." in history[2].text
    code, out = await cli(capsys, "--config", str(config), "case", case.ref)
    sent = [line.split() for line in out.splitlines() if line.startswith("  sent ")]
    assert [(words[3], words[-1]) for words in sent] == [
        ("ack)", f"<{ack_id}>"),
        ("reply)", f"<{reply_id}>"),
    ]
    code, out = await cli(
        capsys, "--config", str(config), "case", case.ref, "--export", str(tmp_path / "export")
    )
    assert code == 0
    exported = json.loads((tmp_path / "export" / f"{case.ref}.json").read_text("utf-8"))
    assert [(m["direction"], m["message_id"], m["rule"]) for m in exported["messages"]] == [
        ("in", "first.1@example.dk", "case_opened"),
        ("out", ack_id, "ack"),
        ("out", reply_id, "reply"),
    ]
    page = (tmp_path / "export" / f"{case.ref}.html").read_text("utf-8")
    assert f"Sent from info@alottbetter.dk (ack); Message-ID {ack_id}" in page
    assert page.index(ack_id) < page.index(reply_id)
    # ... and mail received is still only what was received.
    code, out = await cli(capsys, "--config", str(config), "messages", "--json")
    assert [json.loads(line)["subject"] for line in out.splitlines()] == [
        "Sletning af mine oplysninger"
    ]
    code, out = await cli(capsys, "--config", str(config), "audit", "verify")
    assert code == 0 and "OK" in out


async def test_redelivery_follow_up_and_auto_reply(service: Service) -> None:
    request = customer_mail(
        "Withdraw consent",
        "Hello,\n\nI withdraw my consent to marketing. Please stop sending me newsletters.\n",
        sender="john@example.com",
        msgid="req.2@example.com",
    )
    await send(service, request)
    await send(service, request)  # the sending server retried: stored once
    await wait_for(lambda: outbox_files(service))
    [case] = cases(service)
    assert "consent_withdrawal" in json.loads(case.labels)

    follow_up = customer_mail(
        f"Re: [{case.ref}] thanks",
        "Also, my phone number changed.\n",
        sender="john@example.com",
        msgid="req.3@example.com",
    )
    await send(service, follow_up)
    auto = customer_mail(
        "Automatic reply: out of office",
        "I am away until Monday and will delete all mails.\n",
        sender="away@example.org",
        msgid="auto.4@example.org",
        headers={"Auto-Submitted": "auto-replied"},
    )
    await send(service, auto)

    def settled() -> list[Message] | None:
        with unit_of_work(service.runtime.sessions) as session:
            rows = list(
                session.execute(
                    select(Message).where(Message.direction == "in").order_by(Message.id)
                ).scalars()
            )
        done = all(r.status not in ("received", "processing") for r in rows)
        return rows if done and len(rows) == 3 else None

    rows = await wait_for(settled)
    assert [r.case_id for r in rows] == [case.id, case.id, None]
    assert rows[2].status == "ignored"
    assert len(cases(service)) == 1
    with unit_of_work(service.runtime.sessions) as session:
        acks = session.execute(select(OutboxItem).where(OutboxItem.kind == "ack")).all()
    assert len(acks) == 1


async def test_oversized_mail_is_refused_with_552(service: Service) -> None:
    big = customer_mail("big", "x" * 300_000, msgid="big.5@example.com")
    with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
        await send(service, big)
    assert refused.value.code == 552


async def test_operator_phrases_reach_the_running_service(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    settings = make_settings(
        database_url, classifier={"extra_phrases": {"erasure": {"da": ["glem alt om mig"]}}}
    )
    async with running(settings) as svc:
        await send(svc, customer_mail("Hej", "Hej, glem alt om mig.\n", msgid="op.1@example.dk"))
        [case] = await wait_for(lambda: cases(svc))
        assert json.loads(case.labels) == ["erasure"]


async def test_a_request_below_the_confidence_threshold_waits_in_triage_unanswered(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    settings = make_settings(database_url, classifier={"triage_below": 0.99})
    async with running(settings) as svc:
        await send(
            svc,
            customer_mail(
                "Sletning", "Slet venligst mine personoplysninger.\n", msgid="tri.1@example.dk"
            ),
        )
        [case] = await wait_for(lambda: cases(svc))
        assert case.status == "triage"
        assert json.loads(case.labels) == ["erasure"], "the best guess is kept for staff"
        with unit_of_work(svc.runtime.sessions) as session:
            acks = session.execute(select(OutboxItem).where(OutboxItem.kind == "ack")).all()
        assert acks == [], "nobody is told anything before staff decide"
        [draft] = await asyncio.to_thread(pending_drafts, svc)
        decided = await asyncio.to_thread(
            staff.approve_draft, svc.runtime, draft_id=draft.id, actor="anne"
        )
        assert decided.status == "approved"


async def test_a_request_only_the_trained_model_sees_waits_in_triage_with_its_words(
    service: Service,
) -> None:
    """No rule reads "fjern min tilmelding" as an erasure; the model does, and staff decide."""
    await send(
        service,
        customer_mail(
            "Mine papirer",
            "Jeg rejser ikke med jer alligevel. Fjern venligst min tilmelding og de bilag, jeg "
            "har sendt.\n",
            msgid="model.1@example.dk",
        ),
    )
    [case] = await wait_for(lambda: cases(service))
    assert case.status == "triage"
    assert json.loads(case.labels) == ["erasure"]
    with unit_of_work(service.runtime.sessions) as session:
        acks = session.execute(select(OutboxItem).where(OutboxItem.kind == "ack")).all()
    assert acks == [], "a guess is not acknowledged before staff confirm it"
    [evidence] = json.loads(case.evidence)
    assert evidence["rule"] == "model.erasure", "staff see that the model, not a rule, decided"
    assert "fjern" in evidence["phrase"]


MAIL = Path(__file__).parent / "data" / "mail"


async def test_machine_mail_and_ordinary_mail_are_kept_visible_and_never_acknowledged(
    service: Service, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 2, item 9: no acknowledgement for auto-replies, bounces, list mail or mail
    that is no request; each is stored, and a person can find it."""
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=service.smtp_port, timeout=10) as smtp:
        for name, envelope_from in (
            ("bounce-dsn.eml", ""),
            ("newsletter.eml", "bounces@news.example.com"),
            ("outlook-autoreply-da.eml", "karen.holm@firma.example.dk"),
        ):
            await smtp.sendmail(envelope_from, ["info@alottbetter.dk"], (MAIL / name).read_bytes())
    await send(
        service,
        customer_mail(
            "Min ordre",
            "Hej, hvornår kommer min ordre med lampen?\n",
            msgid="order.1@example.dk",
        ),
    )
    await send(
        service,
        customer_mail(
            "Sletning",
            "Jeg vil gerne have slettet mine personoplysninger.\n",
            msgid="request.1@example.dk",
            sender="jens@example.dk",
        ),
    )
    config = write_config(tmp_path / "privacybot.toml", service.runtime.settings)

    async def listed(*flags: str) -> list[dict[str, object]]:
        code, out = await cli(capsys, "--config", str(config), "messages", "--json", *flags)
        assert code == 0
        return [json.loads(line) for line in out.splitlines()]

    rows: list[dict[str, object]] | None = None
    for _ in range(150):
        rows = await listed()
        if len(rows) == 5 and all(r["status"] not in ("received", "processing") for r in rows):
            break
        await asyncio.sleep(0.1)
    assert rows is not None and len(rows) == 5, rows
    by_subject = {r["subject"]: r for r in rows}
    assert by_subject["Undelivered Mail Returned to Sender"]["status"] == "ignored"
    assert by_subject["Automatisk svar: Din ordre 10490"]["status"] == "ignored"
    assert by_subject["Ugens tilbud: slet ikke til at stå for!"]["status"] == "ignored"
    assert by_subject["Min ordre"]["status"] == "processed"
    assert by_subject["Min ordre"]["rule"] == "not_privacy"
    assert by_subject["Sletning"]["case_ref"], "the request opened a case"
    assert all(r["rule"] for r in rows), "each says which rule decided it"

    without = await listed("--without-case")
    assert {r["subject"] for r in without} == set(by_subject) - {"Sletning"}
    assert [r["subject"] for r in await listed("--status", "ignored", "--limit", "2")] == [
        r["subject"] for r in rows if r["status"] == "ignored"
    ][:2], "newest first, at most --limit"

    await wait_for(lambda: outbox_files(service))
    with unit_of_work(service.runtime.sessions) as session:
        acks = list(session.execute(select(OutboxItem).where(OutboxItem.kind == "ack")).scalars())
    assert [a.recipient for a in acks] == ["jens@example.dk"], "only the request is acknowledged"


async def test_a_rejected_draft_sends_nothing_and_keeps_its_reason(
    service: Service, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await send(
        service,
        customer_mail(
            "Indsigt",
            "Jeg vil gerne have slettet alle mine oplysninger.\n",
            msgid="rej.1@example.dk",
        ),
    )
    await wait_for(lambda: outbox_files(service))
    config = write_config(tmp_path / "privacybot.toml", service.runtime.settings)
    code, out = await cli(capsys, "--config", str(config), "drafts", "--json")
    [draft] = [json.loads(line) for line in out.splitlines()]

    code, _ = await cli(
        capsys,
        "--config",
        str(config),
        "reject",
        str(draft["id"]),
        "--reason",
        "duplicate of a case answered by phone",
    )
    assert code == 0
    code, out = await cli(capsys, "--config", str(config), "drafts", "--json")
    assert out == "", "no pending draft is left"
    for again in (("reject", str(draft["id"]), "--reason", "x"), ("approve", str(draft["id"]))):
        code, _ = await cli(capsys, "--config", str(config), *again)
        assert code == 2, f"a decided draft cannot be decided again: {again}"
    code, out = await cli(capsys, "--config", str(config), "cases", "--json")
    [case] = [json.loads(line) for line in out.splitlines()]
    assert case["status"] == "rejected"
    with unit_of_work(service.runtime.sessions) as session:
        kinds = [o.kind for o in session.execute(select(OutboxItem)).scalars()]
        rows = session.execute(select(Draft)).scalars().all()
    assert kinds == ["ack"], "nothing but the acknowledgement is sent"
    assert [(d.status, d.reason) for d in rows] == [
        ("rejected", "duplicate of a case answered by phone")
    ]
    await asyncio.sleep(1.5)
    assert len(outbox_files(service)) == 1
    code, out = await cli(capsys, "--config", str(config), "audit", "verify")
    assert code == 0 and "OK" in out


async def test_a_listener_for_the_company_only_refuses_other_recipients_with_550(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    """docs/mailbox.md: with accept_all_recipients = false, only company.email and
    postmaster are taken; Postfix bounces the rest at once instead of queueing it."""
    settings = make_settings(database_url, smtp_listener={"accept_all_recipients": False})
    async with running(settings) as svc:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=svc.smtp_port, timeout=10)
        async with smtp:
            await smtp.mail("mette@example.dk")
            with pytest.raises(aiosmtplib.SMTPRecipientRefused) as refused:
                await smtp.rcpt("someone-else@alottbetter.dk")
            assert refused.value.code == 550
            for accepted in ("INFO@alottbetter.dk", "postmaster@alottbetter.dk"):
                response = await smtp.rcpt(accepted)
                assert response.code == 250, accepted
