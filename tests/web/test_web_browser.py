"""The dashboard in a real browser (Debian's chromium, driven by Playwright for Python):
log in, find a case, see a stale version refused, approve the current one, and find the
reply in the outbox folder. Served by the running service, as ``privacybot run`` does.

Chromium comes from apt (``chromium``), never from ``playwright install``. Without it the
test fails in CI (``CI`` set) and is skipped on a developer's machine.
"""

from __future__ import annotations

import asyncio
import email
import os
import shutil
from collections.abc import AsyncIterator, Callable
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import aiosmtplib
import pytest
from sqlalchemy import select

from bot import staff
from bot.config import Settings
from bot.runtime import build_runtime
from bot.service import Service, make_senders
from storage.engine import unit_of_work
from storage.models import Case, Draft

from .conftest import PASSWORD, USER, web_settings

CHROMIUM = os.environ.get("PRIVACYBOT_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def _need_browser() -> None:
    missing = []
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        missing.append("playwright (pip install playwright)")
    if missing:
        why = "browser test needs " + ", ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


@pytest.fixture
async def service(make_settings: Callable[..., Settings]) -> AsyncIterator[Service]:
    settings = make_settings(web=web_settings())
    runtime = await asyncio.to_thread(build_runtime, settings)
    svc = Service(runtime, make_senders(runtime))
    task = asyncio.create_task(svc.run())
    for _ in range(200):
        if svc.smtp_port and svc.web_port:
            break
        await asyncio.sleep(0.05)
    assert svc.web_port, "the web dashboard did not start"
    yield svc
    svc.stop()
    await asyncio.wait_for(task, 15)
    runtime.engine.dispose()


async def wait_for(predicate: Callable[[], object], timeout: float = 15.0) -> object:
    for _ in range(int(timeout / 0.1)):
        value = await asyncio.to_thread(predicate)
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError("condition not reached in time")


def replies(svc: Service) -> list[Path]:
    folder = Path(svc.runtime.settings.outbox.folder)
    found = []
    for path in sorted(folder.glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=default)
        if not msg["Auto-Submitted"]:  # the acknowledgement is auto-replied; the reply not
            found.append(path)
    return found


async def test_log_in_find_a_case_refuse_stale_and_approve(
    service: Service, tmp_path: Path
) -> None:
    _need_browser()
    from playwright.async_api import async_playwright, expect

    msg = EmailMessage()
    msg["From"] = "Mette Hansen <mette.hansen@example.dk>"
    msg["To"] = "info@alottbetter.dk"
    msg["Subject"] = "Slet mine oplysninger"
    msg["Message-ID"] = "<browser.1@example.dk>"
    msg.set_content("Hej\n\nJeg vil gerne have slettet alle mine personoplysninger.\n\nMette\n")
    await aiosmtplib.send(msg, hostname="127.0.0.1", port=service.smtp_port, timeout=10)

    def case_ref() -> str | None:
        with unit_of_work(service.runtime.sessions) as session:
            case = session.execute(select(Case)).scalars().first()
            return case.ref if case is not None and case.status == "draft_pending" else None

    ref = str(await wait_for(case_ref))
    base = f"http://127.0.0.1:{service.web_port}"

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})  # a phone
            await page.goto(f"{base}/cases")
            await expect(page).to_have_url(f"{base}/login?next=%2Fcases")
            await page.get_by_label("User name").fill(USER)
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_label("Password").press("Enter")  # the keyboard is enough
            await expect(page.get_by_role("heading", name="Cases")).to_be_visible()

            await page.get_by_label("Reference or subject").fill(ref)
            await page.get_by_role("button", name="Filter").click()
            await page.get_by_role("link", name=ref).click()
            await expect(page.get_by_role("heading", name=f"Case {ref}")).to_be_visible()
            await expect(page.get_by_text("Audit chain verified")).to_be_visible()

            # The draft is edited in the chat while the page is open: version 1 goes stale.
            def v1() -> Draft:
                with unit_of_work(service.runtime.sessions) as session:
                    return session.execute(select(Draft)).scalars().one()

            first = await asyncio.to_thread(v1)
            await asyncio.to_thread(
                staff.edit_draft, service.runtime, draft_id=first.id, actor="tg:42",
                body=first.body + "\nTilføjet i chatten.\n",
            )
            await page.get_by_role("button", name="Approve version 1 and send").click()
            await expect(page.get_by_role("alert")).to_contain_text("replaced it")
            assert not replies(service)

            await page.goto(f"{base}/cases/{ref}")
            await page.get_by_role("button", name="Approve version 2 and send").click()
            await expect(page.get_by_role("status")).to_contain_text("the reply is in the outbox")
            await expect(page.get_by_text("Version 2 (reply): approved")).to_be_visible()

            [reply] = await wait_for(lambda: replies(service))
            sent = email.message_from_bytes(reply.read_bytes(), policy=default)
            assert ref in sent["Subject"]
            assert "Tilføjet i chatten." in sent.get_content()

            await page.goto(f"{base}/figures")
            chart = page.get_by_role("img", name="Requests per type per month")
            await expect(chart).to_be_visible()
        finally:
            await browser.close()
