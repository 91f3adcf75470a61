"""Everything about one case in two files, for the authority or the data subject.

``<REF>.json`` is complete and machine-readable; ``<REF>.html`` is the same for a person
to read, rendered with autoescape so that whatever a customer wrote stays text. The
export is itself recorded as an audit event: handing a case's data out is something the
company must be able to show it did, and to whom.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.runtime import Runtime
from storage import queries
from storage.audit import append_event, verify_chain
from storage.engine import unit_of_work
from storage.models import as_utc

log = logging.getLogger("privacybot.export")


def _when(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    return value.isoformat()


def case_data(session: Any, ref: str) -> dict[str, Any]:
    """The whole case as plain JSON values; raises ``queries.NotFound`` for an unknown ref."""
    case = queries.get_case(session, ref=ref)
    case_id = case.id or 0
    chain = verify_chain(session)
    return {
        "case": {
            "ref": case.ref,
            "status": case.status,
            "labels": json.loads(case.labels or "[]"),
            "evidence": json.loads(case.evidence or "[]"),
            "confidence": case.confidence,
            "language": case.language,
            "channel": case.channel,
            "requester": case.requester,
            "requester_name": case.requester_name,
            "subject": case.subject,
            "received_at": _when(case.received_at),
            "created_at": _when(case.created_at),
            "updated_at": _when(case.updated_at),
            "closed_at": _when(case.closed_at),
            "flags": json.loads(case.flags or "[]"),
            "subject_address": case.subject_address,
            "authorised_at": _when(case.authorised_at),
            "retain_until": _when(case.retain_until),
        },
        "deadlines": {
            "deadline": _when(case.deadline),
            "extended_deadline": _when(case.extended_deadline),
            "extension_reason": case.extension_reason,
            "effective": _when(case.extended_deadline or case.deadline),
        },
        "messages": [
            {
                "id": m.id, "direction": m.direction, "channel": m.channel,
                "message_id": m.message_id, "sender": m.sender, "subject": m.subject,
                "text": m.text, "language": m.language, "received_at": _when(m.received_at),
                "status": m.status, "rule": m.rule, "authenticity": m.authenticity,
                "labels": json.loads(m.labels or "[]"),
            }
            for m in queries.case_messages(session, case_id=case_id)
        ],
        "drafts": [
            {
                "id": d.id, "version": d.version, "kind": d.kind, "status": d.status,
                "subject": d.subject, "body": d.body, "created_by": d.created_by,
                "created_at": _when(d.created_at), "decided_by": d.decided_by,
                "decided_at": _when(d.decided_at), "reason": d.reason,
            }
            for d in queries.case_drafts(session, case_id=case_id)
        ],
        "outbox": [
            {
                "id": o.id, "kind": o.kind, "transport": o.transport,
                "recipient": o.recipient, "subject": o.subject,
                "message_id": o.message_id, "status": o.status,
                "created_at": _when(o.created_at), "sent_at": _when(o.sent_at),
            }
            for o in queries.outbox_items(session, case_id=case_id)
        ],
        "events": [
            {
                "id": e.id, "at": _when(e.at), "actor": e.actor, "action": e.action,
                "detail": json.loads(e.detail or "{}"), "prev_hash": e.prev_hash,
                "hash": e.hash,
            }
            for e in queries.case_events(session, case_id=case_id)
        ],
        "chain": {"ok": chain.ok, "events": chain.events, "first_bad_id": chain.first_bad_id},
    }


def export_case(runtime: Runtime, *, ref: str, folder: Path, actor: str) -> tuple[Path, Path]:
    """Write ``<REF>.json`` and ``<REF>.html`` into ``folder`` and record the export.

    The files hold personal data, so they are created readable by the owner only.
    """
    now = runtime.clock()
    folder.mkdir(parents=True, exist_ok=True)
    with unit_of_work(runtime.sessions) as session:
        data = case_data(session, ref)
        case = queries.get_case(session, ref=ref)
        append_event(
            session, actor=actor, action="case_exported", case_id=case.id, case_ref=case.ref,
            detail={"files": [f"{case.ref}.json", f"{case.ref}.html"]}, at=now,
        )
    data["exported_at"] = now.isoformat()
    data["exported_by"] = actor
    html = runtime.templates.get_template("export.html.j2").render(**data)
    json_path = folder / f"{data['case']['ref']}.json"
    html_path = folder / f"{data['case']['ref']}.html"
    _write_private(json_path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    _write_private(html_path, html)
    log.info("case %s exported", data["case"]["ref"])
    return json_path, html_path


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
