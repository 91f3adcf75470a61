"""The dashboard's "Uncertain mail" page: mail the classifier kept as ordinary but was
unsure of, listed with its deadline, and the same two decisions as the chat (open a case,
ordinary mail), behind the login and CSRF like every form. Over HTTP in process on each
database, and in a real browser on the running service."""

from __future__ import annotations

import re
from pathlib import Path

import aiosmtplib
import httpx
from sqlalchemy import select

from bot import pipeline
from bot.runtime import Runtime
from bot.service import Service
from bot.smtp_listener import store_mail
from handlers.values import Channel
from storage.engine import unit_of_work
from storage.models import AuditEvent, Case, Message
from tests.support import wait_for

from .conftest import csrf_of, login
from .test_web_browser import AUDIT_JS, CHROMIUM, CHROMIUM_ARGS, _need_browser, service  # noqa: F401

OVERRULED = Path(__file__).resolve().parents[1] / "data" / "heldout" / "dev14" / "da-n05.eml"


def keep_uncertain(runtime: Runtime, n: int) -> int:
    raw = OVERRULED.read_bytes().replace(b"Message-ID: <", f"Message-ID: <w{n}.".encode(), 1)
    store_mail(runtime, raw, channel=Channel.SMTP)
    [outcome] = pipeline.process_pending(runtime)
    assert outcome.rule == "not_privacy:uncertain"
    return outcome.message_id


async def test_the_page_lists_uncertain_mail_and_decides_it_once(
    web_runtime: Runtime, client: httpx.AsyncClient
) -> None:
    first = keep_uncertain(web_runtime, 1)
    second = keep_uncertain(web_runtime, 2)
    assert (await client.get("/uncertain")).status_code == 303  # behind the login
    await login(client)
    page = await client.get("/uncertain")
    assert page.status_code == 200
    assert 'href="/uncertain" aria-current="page">Uncertain mail' in page.text
    assert f"Mail {first}: Betaling af restbeløb" in page.text
    assert "restriction «kun til den eller de navngivne modtagere" in page.text
    assert "days left" in page.text
    assert "rikke" not in page.text.lower() and "Salamanca" not in page.text
    # the types the rules saw are chosen already
    assert re.search(
        rf'id="type-{first}-restriction" name="labels" value="restriction" '
        r"checked",
        page.text,
    )
    token = csrf_of(page.text)

    forged = await client.post(f"/uncertain/{first}/ordinary", data={"csrf_token": "x"})
    assert forged.status_code == 403

    opened = await client.post(
        f"/uncertain/{first}/open",
        data={"csrf_token": token, "labels": ["restriction", "access"]},
    )
    assert opened.status_code == 303
    assert opened.headers["location"].startswith("/cases/PR-")
    case_page = await client.get(opened.headers["location"])
    assert "Case opened from uncertain mail" in case_page.text
    assert "access, restriction" in case_page.text

    again = await client.post(f"/uncertain/{first}/ordinary", data={"csrf_token": token})
    assert again.status_code == 409
    assert f"Refused: message {first} was already decided: case PR-" in again.text

    ordinary = await client.post(f"/uncertain/{second}/ordinary", data={"csrf_token": token})
    assert ordinary.headers["location"] == "/uncertain?done=ordinary#decided"
    done = await client.get("/uncertain?done=ordinary")
    assert "Recorded as ordinary mail" in done.text
    assert "No uncertain mail waits for a decision." in done.text

    none_chosen = await client.post(f"/uncertain/{second}/open", data={"csrf_token": token})
    assert none_chosen.status_code == 409 and "choose at least one" in none_chosen.text

    with unit_of_work(web_runtime.sessions) as session:
        [case] = session.execute(select(Case)).scalars()
        row = session.get(Message, first)
        assert row is not None and row.case_id == case.id
        actors = {
            e.actor
            for e in session.execute(
                select(AuditEvent).where(AuditEvent.action == "uncertain_decided")
            ).scalars()
        }
        assert actors == {"web:anna"}


async def test_in_the_browser_open_a_case_from_uncertain_mail(service: Service) -> None:  # noqa: F811
    _need_browser()
    from playwright.async_api import async_playwright, expect

    from .conftest import PASSWORD, USER

    await aiosmtplib.send(
        OVERRULED.read_bytes(),
        sender="rikke.foss@example.dk",
        recipients=["info@alottbetter.dk"],
        hostname="127.0.0.1",
        port=service.smtp_port,
        timeout=10,
    )

    def kept() -> bool:
        with unit_of_work(service.runtime.sessions) as session:
            return (
                session.execute(
                    select(Message).where(Message.rule == "not_privacy:uncertain")
                ).first()
                is not None
            )

    await wait_for(kept, what="the overruled mail kept as uncertain")
    base = f"http://127.0.0.1:{service.web_port}"
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 360, "height": 740})  # a phone
            await page.goto(f"{base}/login?next=%2Fcases")
            await page.get_by_label("User name").fill(USER)
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_label("Password").press("Enter")
            await page.get_by_role("link", name="Uncertain mail").click()
            await expect(page.get_by_role("heading", name="Uncertain mail")).to_be_visible()
            assert await page.evaluate(AUDIT_JS) == []
            await expect(page.get_by_label("restriction")).to_be_checked()
            await page.get_by_label("erasure").check()
            await page.get_by_role("button", name=re.compile("Open a case for mail")).click()
            await expect(page.get_by_role("status")).to_contain_text(
                "Case opened from uncertain mail"
            )
            await expect(page.get_by_role("heading", name=re.compile(r"Case PR-"))).to_be_visible()
            await page.get_by_role("link", name="Uncertain mail").click()
            await expect(
                page.get_by_text("No uncertain mail waits for a decision.")
            ).to_be_visible()
        finally:
            await browser.close()

    def ack_files() -> list[Path]:
        return list(Path(service.runtime.settings.outbox.folder).glob("ack.*.eml"))

    assert await wait_for(ack_files, what="the acknowledgement to the sender")
    with unit_of_work(service.runtime.sessions) as session:
        [case] = session.execute(select(Case)).scalars()
        assert case.labels == '["restriction", "erasure"]'
