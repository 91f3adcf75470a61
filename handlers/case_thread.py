"""Decide which open case, if any, a new message continues.

The evidence is tried from the most deliberate to the most incidental: a case reference
the sender kept in the subject, then the ``In-Reply-To`` and ``References`` headers that
mail clients copy from our own mails, then a chat thread. The ``From`` address is never
enough on its own: it is trivially forged, and a person may have two unrelated cases.

Every match names the rule that made it, so "why did this land on PR-2026-0007?" has an
answer in the case history.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from handlers.case_rules import find_reference
from handlers.values import CaseCandidate, Inbound, ThreadMatch

RULE_SUBJECT_REF = "subject-ref"
RULE_IN_REPLY_TO = "in-reply-to"
RULE_REFERENCES = "references"
RULE_CHAT_THREAD = "chat-thread"

_MSGID_RE = re.compile(r"<[^<>\s]+>")


def _normalise_id(message_id: str) -> str:
    """Compare Message-IDs without the angle brackets and whitespace clients vary in."""
    return message_id.strip().strip("<>").strip()


def _ids_in(value: str | None) -> list[str]:
    """All Message-IDs in a header value, in order; a bare id without brackets counts."""
    if not value:
        return []
    found = _MSGID_RE.findall(value)
    if not found and value.strip():
        found = value.split()
    return [_normalise_id(v) for v in found if _normalise_id(v)]


def _by_message_id(candidates: Iterable[CaseCandidate]) -> dict[str, CaseCandidate]:
    """Index of our own mails' ids; the first case to claim an id keeps it."""
    index: dict[str, CaseCandidate] = {}
    for candidate in candidates:
        for message_id in candidate.message_ids:
            index.setdefault(_normalise_id(message_id), candidate)
    return index


def _matched(candidate: CaseCandidate, rule: str) -> ThreadMatch:
    return ThreadMatch(case_id=candidate.case_id, ref=candidate.ref, rule=rule)


def match(inbound: Inbound, candidates: Sequence[CaseCandidate]) -> ThreadMatch | None:
    """The open case ``inbound`` belongs to, or ``None`` when it starts a new one.

    A reference in the subject that names none of the candidates gives ``None`` even when
    the headers would match: the sender pointed at a case that is closed or not theirs to
    reach, and staff should see a new case rather than a silent merge.
    """
    ref = find_reference(inbound.subject)
    if ref is not None:
        for candidate in candidates:
            if find_reference(candidate.ref) == ref:
                return _matched(candidate, RULE_SUBJECT_REF)
        return None

    index = _by_message_id(candidates)
    in_reply_to = (
        _ids_in(inbound.in_reply_to)
        if inbound.in_reply_to
        else _ids_in(inbound.headers.get("in-reply-to"))
    )
    for message_id in in_reply_to:
        if message_id in index:
            return _matched(index[message_id], RULE_IN_REPLY_TO)

    references = (
        [_normalise_id(r) for r in inbound.references]
        if inbound.references
        else _ids_in(inbound.headers.get("references"))
    )
    # The newest ancestor comes last (RFC 5322 3.6.4) and is the likeliest parent.
    for message_id in reversed(references):
        if message_id in index:
            return _matched(index[message_id], RULE_REFERENCES)

    if inbound.chat_thread:
        for candidate in candidates:
            if candidate.chat_thread and candidate.chat_thread == inbound.chat_thread:
                return _matched(candidate, RULE_CHAT_THREAD)

    return None
