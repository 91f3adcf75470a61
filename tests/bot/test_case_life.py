"""A case's life with other people in it: a parent writing for a child, a forged sender,
more time needed. Mail goes in by a real SMTP conversation with the running service;
staff act through the command line, as they do without a chat.
"""

from __future__ import annotations

import asyncio
import email
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import staff
from bot.cli import main
from bot.config import Settings
from bot.runtime import build_runtime
from bot.service import Service, make_senders
from handlers import case_rules
from storage.engine import unit_of_work
from storage.models import AuditEvent, Case, Draft, Message, as_utc
from storage.queries import Refused
from tests.support import customer_mail, send, wait_for

TRUSTED = "mx.alottbetter.dk"


@pytest.fixture
async def service(
    make_settings: Callable[..., Settings], database_url: str
) -> AsyncIterator[Service]:
    settings = make_settings(database_url, policy={"trusted_authserv_id": TRUSTED})
    runtime = await asyncio.to_thread(build_runtime, settings)
    svc = Service(runtime, make_senders(runtime))
    task = asyncio.create_task(svc.run())
    for _ in range(100):
        if svc.smtp_port:
            break
        await asyncio.sleep(0.05)
    yield svc
    svc.stop()
    await asyncio.wait_for(task, 10)
    runtime.engine.dispose()


@pytest.fixture
def config(service: Service, tmp_path: Path) -> Path:
    s = service.runtime.settings
    path = tmp_path / "privacybot.toml"
    path.write_text(
        f'[database]\nurl = "{s.database.url}"\n[outbox]\nfolder = "{s.outbox.folder}"\n'
        f'[policy]\ntrusted_authserv_id = "{TRUSTED}"\n',
        encoding="utf-8",
    )
    return path


def mail(
    sender: str,
    name: str,
    subject: str,
    body: str,
    msgid: str,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    return customer_mail(subject, body, sender=sender, name=name, msgid=msgid, headers=headers)


def all_cases(svc: Service) -> list[Case]:
    with unit_of_work(svc.runtime.sessions) as session:
        return list(session.execute(select(Case).order_by(Case.id)).scalars())


def drafts_of(svc: Service, case: Case) -> list[Draft]:
    with unit_of_work(svc.runtime.sessions) as session:
        return list(
            session.execute(
                select(Draft).where(Draft.case_id == case.id).order_by(Draft.version)
            ).scalars()
        )


def staff_notices(svc: Service) -> list[EmailMessage]:
    folder = Path(svc.runtime.settings.outbox.folder) / "staff"
    return [
        email.message_from_bytes(p.read_bytes(), policy=default)  # type: ignore[misc]
        for p in sorted(folder.glob("*.eml"))
    ]


async def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = await asyncio.to_thread(main, list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


MOTHER = (
    "Hej\n\nJeg skriver på vegne af min søn Jonas Hansen (jonas.hansen@example.dk). "
    "Vi vil gerne have slettet hans personoplysninger hos jer.\n\nVenlig hilsen\n"
    "Hanne Hansen\n"
)
SON = (
    "Hej\n\nJeg giver hermed min mor Hanne Hansen lov til at kommunikere med jer på mine "
    "vegne om sletningen af mine oplysninger.\n\nJonas Hansen\n"
)


async def test_mother_for_son_waits_for_his_consent_then_moves_on(
    service: Service, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await send(
        service,
        mail(
            "hanne@example.dk",
            "Hanne Hansen",
            "Sletning af min søns oplysninger",
            MOTHER,
            "mother.1@example.dk",
        ),
    )
    [case] = await wait_for(lambda: [c for c in all_cases(service) if c.status != "new"])
    assert case.status == "awaiting_authorisation"
    [letter] = drafts_of(service, case)
    assert "samtykke" in letter.body and "på vegne af en anden person" in letter.body

    # The letter asking for consent may go out; it discloses nothing.
    code, out, err = await cli(capsys, "--config", str(config), "approve", str(letter.id))
    assert code == 0, err
    assert all_cases(service)[0].status == "awaiting_authorisation"

    # An answer that would disclose the son's data cannot be approved before his consent
    # (here one staff wrote by hand into the case).
    with unit_of_work(service.runtime.sessions) as session:
        early = Draft(
            case_id=case.id,
            version=2,
            kind="reply",
            subject="Svar",
            body="Vi har slettet Jonas' oplysninger: ...",
        )
        session.add(early)
        session.flush()
        early_id = early.id
    code, _, err = await cli(capsys, "--config", str(config), "approve", str(early_id))
    assert code == 2
    assert "consent" in err and case.ref in err

    # The son writes from his own address, as a new mail without the case number.
    await send(
        service,
        mail("jonas.hansen@example.dk", "Jonas Hansen", "Samtykke", SON, "son.1@example.dk"),
    )
    moved = await wait_for(lambda: [c for c in all_cases(service) if c.status == "draft_pending"])
    [case] = moved
    assert len(all_cases(service)) == 1, "the consent joins the case, it opens none"
    assert case.authorised_at is not None

    notices = await wait_for(lambda: staff_notices(service))
    [notice] = [n for n in notices if "consent" in n["Subject"]]
    text = notice.get_content()
    assert case.ref in text and f"Deadline: {case.deadline.isoformat()}" in text
    assert "from the address the writer gave" in text

    answer = [d for d in drafts_of(service, case) if d.status == "pending" and d.version > 2]
    assert len(answer) == 1 and answer[0].kind == "reply"
    with unit_of_work(service.runtime.sessions) as session:
        actions = [
            e.action
            for e in session.execute(
                select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)
            ).scalars()
        ]
    assert "consent_received" in actions
    code, _, err = await cli(capsys, "--config", str(config), "approve", str(answer[0].id))
    assert code == 0, err
    code, out, _ = await cli(capsys, "--config", str(config), "audit", "verify")
    assert code == 0 and "OK" in out


ERASE = "Hej\n\nJeg vil gerne have slettet alle mine personoplysninger hos jer.\n\nMvh\n"


async def test_failed_dmarc_from_our_server_flags_the_case_and_asks_for_proof(
    service: Service, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    failing = (
        f"{TRUSTED}; spf=fail smtp.mailfrom=example.dk; dmarc=fail (p=reject) "
        "header.from=example.dk"
    )
    await send(
        service,
        mail(
            "ole@example.dk",
            "Ole",
            "Slet mine data",
            ERASE,
            "forged.1@x.dk",
            headers={"Authentication-Results": failing},
        ),
    )
    # The very same verdict written by someone else's server is nobody's word.
    untrusted = failing.replace(TRUSTED, "mx.attacker.example")
    await send(
        service,
        mail(
            "eva@example.dk",
            "Eva",
            "Slet mine data",
            ERASE,
            "other.2@x.dk",
            headers={"Authentication-Results": untrusted},
        ),
    )
    flagged, plain = await wait_for(
        lambda: (lambda cs: cs if len(cs) == 2 and all(c.status != "new" for c in cs) else None)(
            all_cases(service)
        )
    )
    assert json.loads(flagged.flags) == ["authentication_failed"]
    assert json.loads(plain.flags) == []
    [asks] = drafts_of(service, flagged)
    assert "Bekræftelse af, at henvendelsen kommer fra dig" in asks.body
    assert "Vi har slettet" not in asks.body
    [acts] = drafts_of(service, plain)
    assert "Vi har slettet" in acts.body and "Bekræftelse" not in acts.body
    with unit_of_work(service.runtime.sessions) as session:
        verdicts = dict(
            session.execute(
                select(Message.sender, Message.authenticity).where(Message.direction == "in")
            ).all()
        )
    assert verdicts == {"ole@example.dk": "fail", "eva@example.dk": "none"}

    notices = await wait_for(lambda: staff_notices(service))
    assert [n for n in notices if flagged.ref in n["Subject"]]
    assert not [n for n in notices if plain.ref in n["Subject"]]
    code, out, _ = await cli(capsys, "--config", str(config), "case", flagged.ref)
    assert code == 0 and "authentication_failed" in out


async def test_extension_inside_the_first_month_only(
    service: Service, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await send(service, mail("kim@example.dk", "Kim", "Slet mine data", ERASE, "ext.1@x.dk"))
    [case] = await wait_for(lambda: [c for c in all_cases(service) if c.status != "new"])

    code, _, err = await cli(capsys, "--config", str(config), "extend", case.ref, "--reason", " ")
    assert code == 2 and "reason" in err
    code, out, err = await cli(
        capsys,
        "--config",
        str(config),
        "extend",
        case.ref,
        "--reason",
        "Vi skal hente oplysninger fra tre praktiksteder.",
    )
    assert code == 0, err
    expected = case_rules.deadline(as_utc(case.received_at), months=3)
    assert expected.isoformat() in out
    code, out, _ = await cli(capsys, "--config", str(config), "cases", "--json")
    listed = json.loads(out)
    assert listed["deadline"] == expected.isoformat()
    assert datetime.fromisoformat(listed["received_at"]) == as_utc(case.received_at)
    code, out, _ = await cli(capsys, "--config", str(config), "drafts", "--json")
    drafts = [json.loads(line) for line in out.splitlines()]
    assert {d["kind"] for d in drafts} == {"reply", "extension"}
    assert {d["deadline"] for d in drafts} == {expected.isoformat()}
    [notice] = [d for d in drafts if d["kind"] == "extension"]
    assert "tre praktiksteder" in notice["body"]

    code, _, err = await cli(capsys, "--config", str(config), "approve", str(notice["id"]))
    assert code == 0, err
    assert all_cases(service)[0].status == "draft_pending", "a notice answers nothing"
    code, _, err = await cli(
        capsys, "--config", str(config), "extend", case.ref, "--reason", "igen"
    )
    assert code == 2 and "already extended" in err

    # Another case, looked at 40 days after it arrived: the first month is over.
    await send(service, mail("lis@example.dk", "Lis", "Slet mine data", ERASE, "ext.2@x.dk"))
    late = (
        await wait_for(
            lambda: [c for c in all_cases(service) if c.ref != case.ref and c.status != "new"]
        )
    )[0]
    later = build_runtime(
        service.runtime.settings,
        migrate=False,
        clock=lambda: as_utc(late.received_at) + timedelta(days=40),
    )
    try:
        with pytest.raises(Refused, match="first month"):
            await asyncio.to_thread(
                staff.extend_case, later, ref=late.ref, actor="test", reason="for sent"
            )
    finally:
        later.engine.dispose()
    assert all_cases(service)[1].extended_deadline is None


async def test_customer_directory_flags_an_unknown_sender(
    service: Service, config: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Issue 6, item 3: a CSV export of the company's customers is imported; an erasure
    request from an address in it is drafted as usual, one from an address not in it is
    flagged to staff and its draft asks for proof of identity instead of acting."""
    bad = tmp_path / "bad.csv"
    bad.write_text("kundenummer;navn;mail\nK1;Kim;ikke-en-adresse\n", encoding="utf-8")
    code, _, err = await cli(capsys, "--config", str(config), "directory", "import", str(bad))
    assert code == 2 and "line 2" in err
    listing = tmp_path / "kunder.csv"
    listing.write_text(
        "kundenummer;navn;mail;telefon\nK1;Kim Kendt;Kim.Kendt@Example.dk;+4512345678\n"
        "K2;Lis Lind;;+4587654321\n",
        encoding="utf-8",
    )
    code, out, err = await cli(capsys, "--config", str(config), "directory", "import", str(listing))
    assert code == 0, err
    assert "2 customers" in out

    await send(
        service, mail("kim.kendt@example.dk", "Kim Kendt", "Slet mine data", ERASE, "known.1@x.dk")
    )
    await send(
        service, mail("ukendt@example.dk", "Ukendt", "Slet mine data", ERASE, "unknown.2@x.dk")
    )
    known, stranger = await wait_for(
        lambda: (lambda cs: cs if len(cs) == 2 and all(c.status != "new" for c in cs) else None)(
            all_cases(service)
        )
    )
    assert json.loads(known.flags) == []
    [acts] = drafts_of(service, known)
    assert "Vi har slettet" in acts.body
    assert json.loads(stranger.flags) == ["unknown_sender"]
    [asks] = drafts_of(service, stranger)
    assert "Bekræftelse af, at henvendelsen kommer fra dig" in asks.body
    assert "Vi har slettet" not in asks.body

    notices = await wait_for(lambda: staff_notices(service))
    [notice] = [n for n in notices if stranger.ref in n["Subject"]]
    assert "not in the customer directory" in notice.get_content()
    assert not [n for n in notices if known.ref in n["Subject"]]
    code, out, _ = await cli(capsys, "--config", str(config), "case", stranger.ref)
    assert code == 0 and "unknown_sender" in out
    with unit_of_work(service.runtime.sessions) as session:
        imported = [
            e.detail
            for e in session.execute(
                select(AuditEvent).where(AuditEvent.action == "directory_imported")
            ).scalars()
        ]
    assert imported == ['{"rows": 2}']


async def test_consent_in_the_cases_thread_moves_it_on_and_the_writers_own_does_not(
    service: Service, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 6, item 2: the data subject answers in the case's thread (the reference in
    the subject) from an address the writer never gave; a "consent" from the writer
    herself changes nothing."""
    no_address = MOTHER.replace(" (jonas.hansen@example.dk)", "")
    await send(
        service,
        mail(
            "hanne@example.dk",
            "Hanne Hansen",
            "Min søns oplysninger",
            no_address,
            "mother.2@example.dk",
        ),
    )
    [case] = await wait_for(lambda: [c for c in all_cases(service) if c.status != "new"])
    assert case.status == "awaiting_authorisation" and case.subject_address is None

    await send(
        service,
        mail(
            "hanne@example.dk",
            "Hanne Hansen",
            f"Re: [{case.ref}] Samtykke",
            SON,
            "mother.3@example.dk",
        ),
    )
    await wait_for(lambda: len(_case_messages(service, case)) == 2)
    assert all_cases(service)[0].status == "awaiting_authorisation"
    assert all_cases(service)[0].authorised_at is None

    await send(
        service,
        mail("jonas.h@example.net", "Jonas Hansen", f"SV: [{case.ref}]", SON, "son.2@example.net"),
    )
    [moved] = await wait_for(lambda: [c for c in all_cases(service) if c.status == "draft_pending"])
    assert moved.authorised_at is not None and len(all_cases(service)) == 1
    notices = await wait_for(
        lambda: [n for n in staff_notices(service) if "consent" in n["Subject"]]
    )
    assert "in the case's thread (from an address we did not know for them: check it)" in (
        notices[0].get_content()
    )
    [answer] = [d for d in drafts_of(service, moved) if d.status == "pending"]
    assert answer.kind == "reply"
    code, _, err = await cli(capsys, "--config", str(config), "approve", str(answer.id))
    assert code == 0, err


def _case_messages(svc: Service, case: Case) -> list[Message]:
    with unit_of_work(svc.runtime.sessions) as session:
        return list(
            session.execute(
                select(Message).where(Message.case_id == case.id).where(Message.direction == "in")
            ).scalars()
        )
