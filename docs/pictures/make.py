"""Render the README's pictures from the real code and templates, so they stay true.

    .venv/bin/python docs/pictures/make.py          # writes docs/pictures/*.png

A sample case goes through the path live mail takes, in a temporary SQLite database: a
request is stored as the SMTP listener stores it, the pipeline decides it (case, draft,
audit events), and then

- ``staff-card.png`` is the staff chat card for its draft, as ``bot/chat_staff.py``
  renders it from ``templates/staff_card.html.j2`` (with the card's buttons), shown in a
  plain chat bubble, since Telegram itself cannot be screenshotted here (the
  draft is an expandable quote, folded as Telegram shows it until tapped);
- ``case-export.png`` is the case export of ``bot/export.py`` (``export.html.j2``) after
  staff approved the reply and the outbox sent it.

The clock is fixed, so a run with unchanged templates draws the same pictures. Screenshots
are taken with Debian's chromium in headless mode (``CHROMIUM`` overrides the path); the
buttons need an emoji font (Debian: ``apt-get install fonts-noto-color-emoji``).
Nothing here is real personal data: the requester is made up.
"""

from __future__ import annotations

import hashlib
import html
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from bot import chat_staff, export, outbox, pipeline, staff  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.runtime import build_runtime  # noqa: E402
from bot.senders import EmlFolderSender  # noqa: E402
from bot.smtp_listener import store_mail  # noqa: E402
from handlers.values import Channel  # noqa: E402
from storage import queries  # noqa: E402
from storage.engine import unit_of_work  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: The sample's "now": a fixed Monday morning, moving a second per reading of the clock.
START = datetime(2026, 3, 2, 9, 14, tzinfo=UTC)

SAMPLE = (
    "From: Mette Hansen <mette.hansen@example.dk>\r\n"
    "To: info@alottbetter.dk\r\n"
    "Subject: Slet mine oplysninger\r\n"
    "Message-ID: <tour.1@example.dk>\r\n"
    "Date: Mon, 2 Mar 2026 09:12:00 +0100\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    "Hej\r\n\r\n"
    "Jeg vil gerne have slettet alle mine personoplysninger hos jer, også mit "
    "kundenummer og mine tidligere ordrer. Sidste år skrev jeg til jer om min "
    "nøddeallergi i forbindelse med en bestilling.\r\n\r\n"
    "Venlig hilsen\r\nMette Hansen\r\n"
).encode()

#: A chat bubble around the card's Telegram HTML: <b> and <blockquote> are what Telegram
#: shows as bold and as a quote; line breaks are kept as Telegram keeps them.
CARD_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><style>
body {{ margin: 0; padding: 24px; background: #d9e4ec; font: 15px/1.4 sans-serif; }}
.bubble {{ width: 520px; background: #fff; border-radius: 12px; padding: 10px 14px;
  box-shadow: 0 1px 2px rgba(0,0,0,.15); white-space: pre-wrap; color: #111; }}
.who {{ color: #3a76a8; font-weight: bold; margin-bottom: 4px; white-space: normal; }}
blockquote {{ margin: 4px 0; padding: 4px 10px; border-left: 3px solid #3a76a8;
  background: #eef4fa; border-radius: 4px; position: relative; }}
blockquote[expandable] {{ max-height: 5.6em; overflow: hidden; padding-right: 28px; }}
blockquote[expandable]::after {{ content: "\\2304"; position: absolute; right: 8px;
  bottom: 2px; color: #3a76a8; font-weight: bold; }}
.keys {{ width: 548px; margin-top: 4px; }}
.row {{ display: flex; gap: 4px; margin-top: 4px; }}
.key {{ flex: 1; text-align: center; padding: 8px 4px; border-radius: 8px; color: #fff;
  background: rgba(60, 90, 120, .55); font-weight: bold; font-size: 14px; }}
</style></head><body>
<div class="bubble"><div class="who">privacybot</div>{card}</div>
<div class="keys">{keys}</div>
</body></html>
"""


def tick_clock():  # type: ignore[no-untyped-def]
    seconds = count()
    return lambda: START + timedelta(seconds=next(seconds))


def sample_case(folder: Path):  # type: ignore[no-untyped-def]
    """A runtime on a fresh database holding the sample case; returns (runtime, draft id)."""
    settings = Settings(
        database={"url": f"sqlite:///{folder / 'privacybot.db'}"},
        outbox={"folder": str(folder / "outbox")},
        smtp_listener={"port": 0},
    )
    runtime = build_runtime(settings, clock=tick_clock())
    store_mail(runtime, SAMPLE, channel=Channel.SMTP, received_at=runtime.clock())
    [outcome] = pipeline.process_pending(runtime)
    with unit_of_work(runtime.sessions) as session:
        case = queries.get_case(session, ref=outcome.case_ref or "")
        [draft] = queries.pending_drafts_of(session, case_id=case.id or 0)
    return runtime, case.ref, draft.id or 0


def card_page(runtime, draft_id: int) -> str:  # type: ignore[no-untyped-def]
    card = chat_staff.load_card(runtime, draft_id)
    assert card is not None
    keyboard = chat_staff.card_keyboard(card.draft_id, card.version)
    keys = "".join(
        '<div class="row">'
        + "".join(f'<div class="key">{html.escape(button.text)}</div>' for button in row)
        + "</div>"
        for row in keyboard.inline_keyboard
    )
    # The card is already Telegram HTML (escaped by the template); only tidy the blank
    # lines Telegram would also collapse around the quote.
    text = card.text.replace("\n<blockquote", "<blockquote").replace("</blockquote>\n",
                                                                      "</blockquote>")
    return CARD_PAGE.format(card=text, keys=keys)


def screenshot(page: Path, png: Path, width: int, height: int) -> None:
    if not shutil.which(CHROMIUM):
        sys.exit(f"{CHROMIUM} not found (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="privacybot-chromium-") as profile:
        subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", "--hide-scrollbars",
             f"--user-data-dir={profile}", f"--screenshot={png}",
             f"--window-size={width},{height}", page.as_uri()],
            check=True, capture_output=True, timeout=120,
        )
    print(f"wrote {png.relative_to(ROOT)}")


#: The pages behind the pictures, hashed: a test compares them with what the code draws
#: now, so a change to a template or to the card fails until the pictures are redrawn.
SOURCES = HERE / "sources.sha256"


def pages(folder: Path) -> dict[str, Path]:
    """The HTML of each picture (``staff-card``, ``case-export``), written into ``folder``."""
    runtime, ref, draft_id = sample_case(folder)
    try:
        card = folder / "card.html"
        card.write_text(card_page(runtime, draft_id), encoding="utf-8")

        staff.approve_draft(runtime, draft_id=draft_id, actor="staff:anna")
        outbox.deliver_due(runtime, {"mail": EmlFolderSender(runtime.settings.outbox.folder)})
        _, page = export.export_case(runtime, ref=ref, folder=folder / "export",
                                     actor="staff:anna")
    finally:
        runtime.engine.dispose()
    return {"staff-card": card, "case-export": page}


def digests(built: dict[str, Path]) -> str:
    """One ``sha256  name.png`` line per picture, of the page it is drawn from."""
    return "".join(
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {name}.png\n"
        for name, path in sorted(built.items())
    )


def main() -> int:
    sizes = {"staff-card": (600, 420), "case-export": (1000, 1300)}
    with tempfile.TemporaryDirectory(prefix="privacybot-pictures-") as tmp:
        built = pages(Path(tmp))
        for name, page in built.items():
            screenshot(page, HERE / f"{name}.png", *sizes[name])
        SOURCES.write_text(digests(built), encoding="utf-8")
        print(f"wrote {SOURCES.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
