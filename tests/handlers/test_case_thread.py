"""Which open case a message continues, and the rule that says so."""

from __future__ import annotations

from dataclasses import replace

from handlers.case_thread import match
from handlers.values import CaseCandidate, Channel, Inbound, ThreadMatch

CASE_1 = CaseCandidate(
    ref="PR-2026-0001",
    case_id=1,
    message_ids=("<orig-1@example.org>", "<ack.PR-2026-0001.1@alottbetter.dk>"),
    sender="mette@example.org",
)
CASE_2 = CaseCandidate(
    ref="PR-2026-0002",
    case_id=2,
    message_ids=("<ack.PR-2026-0002.1@alottbetter.dk>",),
    sender="mette@example.org",
    chat_thread="chat-77",
)
CANDIDATES = (CASE_1, CASE_2)


def inbound(**changes: object) -> Inbound:
    """A fresh mail from a known sender with nothing that ties it to a case."""
    base = Inbound(
        channel=Channel.SMTP,
        external_id="ext-1",
        message_id="<new-1@example.org>",
        sender="mette@example.org",
        sender_name="Mette Hansen",
        recipients=("info@alottbetter.dk",),
        subject="Et spørgsmål",
        text="Hej",
        quoted="",
        language="da",
    )
    return replace(base, **changes)


def test_reference_in_subject_after_reply_prefixes() -> None:
    found = match(inbound(subject="SV: Re: [PR-2026-0002] Kvittering"), CANDIDATES)
    assert found == ThreadMatch(case_id=2, ref="PR-2026-0002", rule="subject-ref")


def test_subject_reference_wins_over_headers() -> None:
    mail = inbound(subject="Re: [PR-2026-0002]", in_reply_to="<ack.PR-2026-0001.1@alottbetter.dk>")
    assert match(mail, CANDIDATES) == ThreadMatch(2, "PR-2026-0002", "subject-ref")


def test_subject_reference_to_no_open_case_gives_none_even_with_matching_headers() -> None:
    mail = inbound(
        subject="Re: [PR-2025-0099] gammel sag",
        in_reply_to="<ack.PR-2026-0001.1@alottbetter.dk>",
    )
    assert match(mail, CANDIDATES) is None


def test_in_reply_to_our_acknowledgement() -> None:
    mail = inbound(subject="Re: Vi har modtaget", in_reply_to="<ack.PR-2026-0001.1@alottbetter.dk>")
    assert match(mail, CANDIDATES) == ThreadMatch(1, "PR-2026-0001", "in-reply-to")


def test_in_reply_to_without_brackets_or_from_headers_only() -> None:
    bare = inbound(in_reply_to=" ack.PR-2026-0002.1@alottbetter.dk ")
    assert match(bare, CANDIDATES) == ThreadMatch(2, "PR-2026-0002", "in-reply-to")
    from_headers = inbound(headers={"in-reply-to": "<orig-1@example.org>"})
    assert match(from_headers, CANDIDATES) == ThreadMatch(1, "PR-2026-0001", "in-reply-to")


def test_references_newest_ancestor_first() -> None:
    mail = inbound(
        in_reply_to="<someone-elses@example.net>",
        references=("<orig-1@example.org>", "<ack.PR-2026-0002.1@alottbetter.dk>"),
    )
    assert match(mail, CANDIDATES) == ThreadMatch(2, "PR-2026-0002", "references")


def test_references_from_raw_header() -> None:
    mail = inbound(headers={"references": "<x@example.net>\r\n <orig-1@example.org>"})
    assert match(mail, CANDIDATES) == ThreadMatch(1, "PR-2026-0001", "references")


def test_chat_thread() -> None:
    chat = inbound(channel=Channel.CHAT, message_id=None, subject="", chat_thread="chat-77")
    assert match(chat, CANDIDATES) == ThreadMatch(2, "PR-2026-0002", "chat-thread")
    other = inbound(channel=Channel.CHAT, message_id=None, subject="", chat_thread="chat-78")
    assert match(other, CANDIDATES) is None


def test_same_sender_alone_never_matches() -> None:
    # Both open cases are from this address; From is forgeable and proves nothing.
    assert match(inbound(), CANDIDATES) is None


def test_no_candidates() -> None:
    assert match(inbound(subject="[PR-2026-0001]"), ()) is None
    assert match(inbound(in_reply_to="<orig-1@example.org>"), ()) is None
