"""What a staff member reads on a case page and takes away with the export buttons, on
both backends: the customer's reply with its quoted history folded, every draft version
with its diff, the extended deadline, the audit trail and whether the chain holds; the
case as JSON and HTML and the filtered list as CSV, each export an audit event."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from email.message import EmailMessage

import httpx
from sqlalchemy import select, text

from bot import outbox, pipeline, staff
from bot.runtime import Runtime
from bot.senders import EmlFolderSender
from bot.smtp_listener import store_mail
from bot.web.app import create_app
from handlers.values import Channel
from storage import queries
from storage.engine import unit_of_work
from storage.models import AuditEvent, Case, Draft

from .conftest import USER, login, open_case

FOLLOW_UP = (
    "Tak. Slet også min konto i webshoppen.\n\nMette\n\n"
    "Den 3. dec. 2026 kl. 10.00 skrev info@alottbetter.dk:\n"
    "> Vi har modtaget din anmodning.\n"
    "> Venlig hilsen kundeservice\n"
)


def follow_up(runtime: Runtime, ref: str) -> None:
    """The customer answers our acknowledgement, keeping the reference in the subject."""
    msg = EmailMessage()
    msg["From"] = "Mette Hansen <mette.hansen@example.dk>"
    msg["To"] = "info@alottbetter.dk"
    msg["Subject"] = f"SV: Slet mine oplysninger [{ref}]"
    msg["Message-ID"] = "<two@example.dk>"
    msg.set_content(FOLLOW_UP)
    store_mail(runtime, bytes(msg), channel=Channel.SMTP)
    pipeline.process_pending(runtime)


def section(page: str, heading_id: str) -> str:
    """The HTML of one ``<section aria-labelledby=...>`` of the page."""
    found = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', page, re.DOTALL)
    assert found, f"no section {heading_id}"
    return found.group(1)


async def test_the_case_page_shows_history_versions_deadline_and_audit(
    client: httpx.AsyncClient, web_runtime: Runtime
) -> None:
    ref = open_case(web_runtime)
    follow_up(web_runtime, ref)
    with unit_of_work(web_runtime.sessions) as session:
        v1 = (
            session.execute(select(Draft).where(Draft.status == "pending").order_by(Draft.id))
            .scalars()
            .first()
        )
        assert v1 is not None
        original = v1.body
    staff.edit_draft(
        web_runtime,
        draft_id=v1.id or 0,
        actor="tg:42",
        body=original + "Vi sletter også din konto i webshoppen.\n",
    )
    extended = staff.extend_case(
        web_runtime, ref=ref, actor="web:anna", reason="mange systemer at gennemgå"
    )
    await login(client)
    page = (await client.get(f"/cases/{ref}")).text

    # The reply's own words are on the page; the quoted history is folded away below them.
    messages = section(page, "messages-h")
    assert "Tak. Slet også min konto i webshoppen." in messages
    folded = re.search(
        r"<details><summary>Quoted history \((\d+) lines\)</summary>(.*?)</details>",
        messages,
        re.DOTALL,
    )
    assert folded and folded.group(1) == "3"
    assert "&gt; Vi har modtaget din anmodning." in folded.group(2)
    assert messages.count("Vi har modtaget din anmodning.") == 1  # only inside the fold

    # Deadline and its extension, with the reason the requester reads.
    summary = html.unescape(re.sub(r"<[^>]+>", "", section(page, "summary-h")))
    assert f"extended to {extended.deadline}" in summary
    assert "mange systemer at gennemgå" in summary

    # Every version with its status and who decided, the edit as a diff.
    versions = section(page, "drafts-h")
    assert re.search(r"Version 2 \(reply\): <span[^>]*>pending", versions)
    assert re.search(r"Version 1 \(reply\): <span[^>]*>superseded", versions)
    assert re.search(r"Version 3 \(extension\): <span[^>]*>pending", versions)
    assert '<span class="add">+Vi sletter også din konto i webshoppen.</span>' in versions
    assert "superseded by tg:42" in versions

    # The audit trail of this case, and the verdict on the whole chain.
    audit = section(page, "audit-h")
    for action in ("case_opened", "draft_edited", "deadline_extended"):
        assert f"<td>{action}</td>" in audit, action
    assert "Audit chain verified" in audit

    # Someone alters an event in the database: the page says so (a fresh app, whose
    # chain check has not been cached yet; a running one re-checks within minutes).
    with unit_of_work(web_runtime.sessions) as session:
        first = (
            session.execute(
                select(AuditEvent).where(AuditEvent.case_ref == ref).order_by(AuditEvent.id)
            )
            .scalars()
            .first()
        )
        assert first is not None
        tampered = first.id
        session.execute(
            text("UPDATE audit_event SET detail = '{}' WHERE id = :id"), {"id": tampered}
        )
    transport = httpx.ASGITransport(app=create_app(web_runtime), client=("192.0.2.10", 1))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as fresh:
        await login(fresh)
        broken = (await fresh.get(f"/cases/{ref}")).text
    assert f"Audit chain BROKEN at event {tampered}" in section(broken, "audit-h")
    assert "Audit chain verified" not in broken


async def test_export_buttons_give_the_case_and_the_filtered_list(
    client: httpx.AsyncClient, web_runtime: Runtime
) -> None:
    ref = open_case(web_runtime)
    other = open_case(
        web_runtime,
        msgid="b@example.dk",
        sender="ole@example.dk",
        subject="Min ordre og mine data",
        body="Jeg vil have indsigt i mine data.",
    )
    with unit_of_work(web_runtime.sessions) as session:
        session.execute(text("UPDATE \"case\" SET status = 'closed' WHERE ref = :r"), {"r": other})
    await login(client)
    page = (await client.get(f"/cases/{ref}")).text
    for fmt in ("html", "json"):
        assert f'href="/cases/{ref}/export.{fmt}" download' in page

    as_json = await client.get(f"/cases/{ref}/export.json")
    assert as_json.status_code == 200
    assert as_json.headers["content-disposition"] == f'attachment; filename="{ref}.json"'
    exported = as_json.json()
    assert exported["case"]["ref"] == ref
    assert exported["case"]["requester"] == "mette.hansen@example.dk"  # the whole record
    assert exported["messages"] and exported["drafts"] and exported["chain"]["ok"]
    assert exported["exported_by"] == f"web:{USER}"

    as_html = await client.get(f"/cases/{ref}/export.html")
    assert as_html.status_code == 200
    assert as_html.headers["content-type"].startswith("text/html")
    assert ref in as_html.text and "personoplysninger" in as_html.text

    listing = (await client.get("/cases?status=draft_pending")).text
    csv_link = re.search(r'<a class="button" href="([^"]+)" download>', listing)
    assert csv_link and html.unescape(csv_link.group(1)) == "/cases.csv?status=draft_pending"
    as_csv = await client.get("/cases.csv?status=draft_pending")
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["ref"] for r in rows] == [ref]  # the closed case is filtered out
    assert rows[0]["requester"].startswith("m***@") and rows[0]["status"] == "draft_pending"

    with unit_of_work(web_runtime.sessions) as session:
        exports = (
            session.execute(
                select(AuditEvent)
                .where(AuditEvent.action.in_(["case_exported", "cases_exported"]))
                .order_by(AuditEvent.id)
            )
            .scalars()
            .all()
        )
        case_id = session.execute(select(Case.id).where(Case.ref == ref)).scalar_one()
    assert [(e.action, e.actor) for e in exports] == [
        ("case_exported", f"web:{USER}"),
        ("case_exported", f"web:{USER}"),
        ("cases_exported", f"web:{USER}"),
    ]
    assert exports[0].case_id == case_id
    assert json.loads(exports[2].detail) == {
        "format": "csv",
        "rows": 1,
        "filters": {"status": "draft_pending"},
    }


async def test_the_case_page_shows_the_letters_sent_between_the_mails_received(
    client: httpx.AsyncClient, web_runtime: Runtime
) -> None:
    """Issue 2, item 4: what privacybot sent is part of the case's history, in order with
    what the requester wrote, so staff read the whole exchange in one place."""
    senders = {"mail": EmlFolderSender(web_runtime.settings.outbox.folder)}
    ref = open_case(web_runtime)
    outbox.deliver_due(web_runtime, senders)  # the acknowledgement
    follow_up(web_runtime, ref)  # the customer answers it
    with unit_of_work(web_runtime.sessions) as session:
        case = queries.get_case(session, ref=ref)
        [draft] = queries.pending_drafts_of(session, case_id=case.id or 0, kind="reply")
        [ack_id] = [o.message_id for o in queries.outbox_items(session, case_id=case.id)]
    staff.approve_draft(web_runtime, draft_id=draft.id or 0, actor="web:anna")
    outbox.deliver_due(web_runtime, senders)  # the reply
    with unit_of_work(web_runtime.sessions) as session:
        reply_id = next(
            o.message_id
            for o in queries.outbox_items(session, case_id=case.id)
            if o.kind == "reply"
        )
    await login(client)
    page = (await client.get(f"/cases/{ref}")).text

    messages = section(page, "messages-h")
    headings = [html.unescape(h) for h in re.findall(r"<h3>(.*?)</h3>", messages)]
    assert [h.split(" · ", 1)[1] for h in headings] == [
        "in by smtp from mette.hansen@example.dk",
        "sent by mail from info@alottbetter.dk (ack)",
        "in by smtp from mette.hansen@example.dk",
        "sent by mail from info@alottbetter.dk (reply)",
    ]
    assert f"Message-ID {ack_id.strip('<>')}" in messages
    assert f"Message-ID {reply_id.strip('<>')}" in messages
    assert messages.index(ack_id.strip("<>")) < messages.index("Tak. Slet også min konto")
    assert ref in messages.split("(ack)", 1)[1]  # the acknowledgement's own words
