"""The dashboard in a real browser (Debian's chromium, driven by Playwright for Python):
log in, find a case, see a stale version refused, approve the current one, and find the
reply in the outbox folder; and every page usable on a phone, by keyboard, with labels
and enough contrast. Served by the running service, as ``privacybot run`` does.

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
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
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
                staff.edit_draft,
                service.runtime,
                draft_id=first.id,
                actor="tg:42",
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


#: For every page: what a checker of WCAG 2.1 AA would look at first. Text contrast
#: (4.5:1, 3:1 for large text) against the background actually painted behind it, the
#: outline of chart graphics (3:1), a label for every form control, a name for every
#: image, one h1, and no sideways scrolling of the page at the viewport's width.
AUDIT_JS = """
() => {
  const parse = (c) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(c || "");
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a), a: 1,
  });
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const behind = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let bg = {r: 255, g: 255, b: 255, a: 1};
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  };
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && r.right > 0 && r.bottom > 0
      && s.visibility !== "hidden" && s.display !== "none";
  };
  const problems = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el) || !shown(el)) continue;
    seen.add(el);
    const s = getComputedStyle(el);
    const svg = el instanceof SVGElement;
    const bg = behind(svg ? el.ownerSVGElement : el);
    const fg = over(parse(svg ? s.fill : s.color), bg);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    const got = ratio(fg, bg);
    const words = el.textContent.trim().slice(0, 30);
    if (got < need) problems.push(`text "${words}" ${got.toFixed(2)}:1`);
  }
  for (const rect of document.querySelectorAll("svg rect")) {
    const s = getComputedStyle(rect);
    const bg = behind(rect.ownerSVGElement);
    const outlined = s.stroke !== "none" && parseFloat(s.strokeWidth) > 0;
    const edge = Math.max(ratio(over(parse(s.fill), bg), bg),
      outlined ? ratio(over(parse(s.stroke), bg), bg) : 0);
    if (edge < 3) problems.push(`graphic ${s.fill} ${edge.toFixed(2)}:1`);
  }
  for (const c of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (!(c.labels && c.labels.length) && !c.getAttribute("aria-label")
        && !c.getAttribute("aria-labelledby")) problems.push(`control ${c.name} has no label`);
  }
  for (const img of document.querySelectorAll("[role=img], img, svg")) {
    const ids = (img.getAttribute("aria-labelledby") || "").split(" ").filter(Boolean);
    const named = img.getAttribute("aria-label") || img.getAttribute("alt")
      || ids.some((id) => document.getElementById(id)?.textContent.trim());
    if (!named) problems.push(`image without a name`);
  }
  if (document.querySelectorAll("h1").length !== 1) problems.push("not exactly one h1");
  if (!document.documentElement.lang) problems.push("no lang on <html>");
  if (document.documentElement.scrollWidth > window.innerWidth + 1)
    problems.push(`page ${document.documentElement.scrollWidth}px wide in ${window.innerWidth}px`);
  return problems;
}
"""


async def test_every_page_is_usable_on_a_phone_by_keyboard_with_labels_and_contrast(
    service: Service,
) -> None:
    _need_browser()
    from playwright.async_api import async_playwright, expect

    msg = EmailMessage()
    msg["From"] = "Mette Hansen <mette.hansen@example.dk>"
    msg["To"] = "info@alottbetter.dk"
    msg["Subject"] = "Indsigt i mine oplysninger"
    msg["Message-ID"] = "<browser.a11y@example.dk>"
    msg.set_content("Hej\n\nJeg vil gerne have en kopi af mine personoplysninger.\n\nMette\n")
    await aiosmtplib.send(msg, hostname="127.0.0.1", port=service.smtp_port, timeout=10)

    def case_ref() -> str | None:
        with unit_of_work(service.runtime.sessions) as session:
            case = session.execute(select(Case)).scalars().first()
            return case.ref if case is not None and case.status == "draft_pending" else None

    ref = str(await wait_for(case_ref))
    base = f"http://127.0.0.1:{service.web_port}"
    pages = ["/cases", f"/cases/{ref}", "/figures", "/cases?overdue=1", "/cases/PR-0000-0000"]

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for viewport in ({"width": 360, "height": 740}, {"width": 1280, "height": 800}):
                page = await browser.new_page(viewport=viewport)
                await page.goto(f"{base}/login")
                assert await page.evaluate(AUDIT_JS) == [], ("/login", viewport)
                # Log in with the keyboard alone: the name field has the focus.
                await page.keyboard.type(USER)
                await page.keyboard.press("Tab")
                await page.keyboard.type(PASSWORD)
                await page.keyboard.press("Enter")
                await expect(page.get_by_role("heading", name="Cases")).to_be_visible()
                for path in pages:
                    await page.goto(base + path)
                    assert await page.evaluate(AUDIT_JS) == [], (path, viewport)
                await page.close()

            # The keyboard reaches everything, with a visible focus: Tab from the top of
            # the case page goes to "Skip to content" first and on to the approve button,
            # and Enter on it approves.
            page = await browser.new_page(viewport={"width": 360, "height": 740})
            await page.goto(f"{base}/login?next=%2Fcases%2F{ref}")
            await page.get_by_label("User name").fill(USER)
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_label("Password").press("Enter")
            await expect(page.get_by_role("heading", name=f"Case {ref}")).to_be_visible()
            await page.keyboard.press("Tab")
            assert await page.evaluate("document.activeElement.textContent") == ("Skip to content")
            approve = page.get_by_role("button", name="Approve version 1 and send")
            for _ in range(60):
                if await approve.evaluate("b => b === document.activeElement"):
                    break
                outline = await page.evaluate(
                    "(() => { const s = getComputedStyle(document.activeElement);"
                    " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
                )
                assert outline[0] != "none" and outline[1] >= 2, outline
                await page.keyboard.press("Tab")
            else:
                raise AssertionError("the approve button is not reachable with Tab")
            await page.keyboard.press("Enter")
            await expect(page.get_by_role("status")).to_contain_text("the reply is in the outbox")
        finally:
            await browser.close()
