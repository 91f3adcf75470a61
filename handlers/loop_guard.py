"""Decide whether a message may be answered automatically.

RFC 3834 forbids automatic answers to automatically generated mail; answering bounces,
vacation replies and list mail is how mail loops start, and an acknowledgement sent to a
newsletter's ``noreply`` address helps nobody.  ``check`` returns the first rule that
fires (``LOOP_RULES`` is the order) or ``None`` when the message may be acknowledged.

A verdict also means no case is opened for the message (except where the verdict says
the mail is ``relayed``: a no-reply sender's mail is read, and a request in it waits in
triage, unacknowledged), so rules that could hit a person's mail are deliberately narrow:

* ``Auto-Submitted: auto-forwarded`` describes a forwarding hop (Microsoft 365 stamps it
  on every mail a mailbox rule forwards), not the message; it is not a verdict.
* ``X-Auto-Response-Suppress`` asks *us* not to auto-reply to this message, and Exchange
  stamps it on forwarded and ordinary mail too (Discourse and osTicket stopped trusting it
  alone; Zammad's ``/all/i`` check silences forwarded mail).  It is therefore used only to
  confirm a weak subject pattern ("Out of office" not at the start), never on its own.
* A ``List-Id`` naming one of our own domains is our own group address (``info@`` as a
  Google Group) delivering a customer's mail, not a newsletter.
* Subject patterns come last and are anchored at the start of the subject.

Pure: no I/O; reasons name the rule and the header value, never the sender or subject.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from handlers.values import Channel, Inbound, LoopVerdict

__all__ = ["LOOP_RULES", "check"]


@dataclass(frozen=True)
class _Own:
    addresses: frozenset[str]
    domains: frozenset[str]


LoopRule = Callable[[Inbound, _Own], LoopVerdict | None]


def _h(inbound: Inbound, name: str) -> str:
    return inbound.headers.get(name, "").strip()


def _local_part(address: str) -> str:
    local = address.rsplit("@", 1)[0] if "@" in address else address
    return local.split("+", 1)[0].strip().lower()


def _domain_is_own(domain: str, own_domains: frozenset[str]) -> bool:
    domain = domain.strip().strip(".").lower()
    return any(domain == d or domain.endswith("." + d) for d in own_domains)


def _own_list(inbound: Inbound, own: _Own) -> bool:
    """Our own group address relaying a person's mail (List-Id ``<info.example.dk>``)."""
    list_id = _h(inbound, "list-id")
    match = re.search(r"<([^<>]+)>", list_id)
    ident = (match.group(1) if match else list_id).strip().lower()
    return bool(ident) and _domain_is_own(ident, own.domains)


# --------------------------------------------------------------------------- rules


def dsn(inbound: Inbound, own: _Own) -> LoopVerdict | None:
    """Delivery and disposition reports (RFC 3464, 8098) and abuse reports (RFC 5965)."""
    ctype = inbound.content_type.lower()
    if ctype == "multipart/report" or ctype.startswith("message/delivery-status"):
        full = _h(inbound, "content-type").lower()
        found = re.search(r"report-type\s*=\s*\"?([\w-]+)", full)
        kind = found.group(1) if found else "unknown"
        return LoopVerdict(rule="dsn", reason=f"{ctype} report-type={kind}")
    if _h(inbound, "x-failed-recipients"):
        return LoopVerdict(rule="dsn", reason="X-Failed-Recipients present (bounce)")
    return None


_OUR_ID = re.compile(r"^[a-z_]+\.PR-\d{4}-\d{4,}\.\d+$")


def own_mail(inbound: Inbound, own: _Own) -> LoopVerdict | None:
    """Our own mail coming back: answering it would answer ourselves, forever."""
    loop = _h(inbound, "x-loop").lower()
    if loop and any(addr.lower() in loop for addr in own.addresses):
        return LoopVerdict(rule="own-mail", reason="X-Loop names one of our addresses")
    own_addresses = {a.lower() for a in own.addresses}
    if inbound.sender and inbound.sender.lower() in own_addresses:
        return LoopVerdict(rule="own-mail", reason="sender is one of our addresses")
    if inbound.return_path and inbound.return_path.lower() in own_addresses:
        return LoopVerdict(rule="own-mail", reason="return path is one of our addresses")
    if inbound.message_id and "@" in inbound.message_id:
        local, domain = inbound.message_id.rsplit("@", 1)
        # Only ids of privacybot's own shape: the company's mail server writes ids in the
        # same domain on staff mail, which must still be read.
        if _OUR_ID.match(local) and _domain_is_own(domain, own.domains):
            return LoopVerdict(rule="own-mail", reason="Message-ID was made by us")
    return None


def x_loop(inbound: Inbound, own: _Own) -> LoopVerdict | None:
    """``X-Loop: yes`` is how several auto-responders mark their own answers (Zammad)."""
    loop = _h(inbound, "x-loop").lower()
    if loop in ("yes", "true", "1"):
        return LoopVerdict(rule="x-loop", reason=f"X-Loop: {loop}")
    return None


_HOP_ONLY = frozenset({"no", "auto-forwarded", ""})


def auto_submitted(inbound: Inbound, own: _Own) -> LoopVerdict | None:
    """RFC 3834: any value but ``no`` (and ``auto-forwarded``, see the module doc)."""
    value = _h(inbound, "auto-submitted")
    if not value:
        return None
    for item in value.split(","):
        keyword = item.split(";", 1)[0].strip().lower()
        if keyword not in _HOP_ONLY:
            return LoopVerdict(rule="auto-submitted", reason=f"Auto-Submitted: {keyword[:40]}")
    return None


_AUTOREPLY_HEADERS = (
    "x-autoreply",
    "x-autorespond",
    "x-autoresponse",
    "x-auto-reply-from",
    "x-mail-autoreply",
)


def autoreply_header(inbound: Inbound, own: _Own) -> LoopVerdict | None:
    """Vendor headers of vacation responders (Sieve implementations, cPanel, Yahoo)."""
    for name in _AUTOREPLY_HEADERS:
        value = _h(inbound, name).lower()
        if value and value not in ("no", "false", "0"):
            return LoopVerdict(rule="autoreply-header", reason=f"{name} present")
    if _h(inbound, "x-autogenerated").lower() == "reply":
        return LoopVerdict(rule="autoreply-header", reason="x-autogenerated: reply")
    return None


_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply", "auto-reply"})


def precedence(inbound: Inbound, own: _Own) -> LoopVerdict | None:
    """``Precedence: bulk/junk/list/auto_reply`` (RFC 3834 section 2 notes its use)."""
    value = _h(inbound, "precedence").lower()
    for item in value.split(","):
        token = item.strip()
        if token in _BULK_PRECEDENCE:
            if token == "list" and _own_list(inbound, own):
                return None
            return LoopVerdict(rule="precedence", reason=f"Precedence: {token}")
    return None


def list_mail(inbound: Inbound, own: _Own) -> LoopVerdict | None:
    """RFC 2369/2919 list headers: newsletters and mailing lists are never answered."""
    if _own_list(inbound, own):
        return None
    if _h(inbound, "list-id"):
        return LoopVerdict(rule="list", reason="List-Id present")
    if _h(inbound, "list-unsubscribe"):
        return LoopVerdict(rule="list", reason="List-Unsubscribe present")
    return None


def null_return_path(inbound: Inbound, own: _Own) -> LoopVerdict | None:
    """An empty envelope sender (``<>``) is what bounces and other reports use."""
    if "return-path" in inbound.headers and not inbound.return_path:
        return LoopVerdict(rule="null-return-path", reason="Return-Path: <>")
    return None


_MACHINE_LOCAL = re.compile(
    r"^(?:mailer-daemon|postmaster|"
    r"(?:no|do[-_.]?not)[-_.]?reply|noreply|donotreply)(?:$|[-_.])",
    re.IGNORECASE,
)
_MAIL_SYSTEM_LOCAL = re.compile(r"^(?:mailer-daemon|postmaster)(?:$|[-_.])", re.IGNORECASE)


def machine_sender(inbound: Inbound, own: _Own) -> LoopVerdict | None:
    """Addresses that by name never read replies: MAILER-DAEMON, postmaster, noreply.

    A no-reply sender is never answered, but its mail may carry a person's words (a
    ticket system's "new ticket" with the customer's text, a review, a web form), so the
    verdict says it is ``relayed``: the message is still read. MAILER-DAEMON and
    postmaster speak only for the mail system."""
    for label, address in (("sender", inbound.sender), ("return path", inbound.return_path)):
        if not address:
            continue
        local = _local_part(address)
        if _MACHINE_LOCAL.match(local):
            return LoopVerdict(
                rule="machine-sender",
                reason=f"{label} local part {local[:40]!r}",
                relayed=_MAIL_SYSTEM_LOCAL.match(local) is None,
            )
    return None


# Strong: auto-generated subjects, anchored at the start.
_SUBJECT_STRONG = re.compile(
    r"^\s*(?:"
    r"automatic reply|auto[- ]?reply|auto[- ]?response|autosvar|automatisk svar|"
    r"automatisches? antwort|automatische antwort|abwesenheitsnotiz|"
    r"out of (?:the )?office|fraværende|frånvarande|abwesend|"
    r"undeliverable|undelivered mail|ikke leveret|kan ikke leveres|kunne ikke leveres|"
    r"unzustellbar|olevererbart|ej levererat|non remis|"
    r"delivery status notification|delivery (?:failure|has failed|notification)|"
    r"mail delivery failed|mail delivery failure|returned mail|failure notice|"
    r"message not delivered|warning: could not send message|"
    r"vacation (?:reply|notice|auto)"
    r")\b",
    re.IGNORECASE,
)
# Weak: the same words later in the subject; only with a header that corroborates.
_SUBJECT_WEAK = re.compile(
    r"\b(?:automatic reply|auto[- ]?reply|autosvar|automatisk svar|out of (?:the )?office|"
    r"fraværende|frånvarande|abwesend|abwesenheitsnotiz)\b",
    re.IGNORECASE,
)
_SUPPRESS_AUTO = re.compile(r"\b(?:all|oof|autoreply)\b", re.IGNORECASE)


def autoreply_subject(inbound: Inbound, own: _Own) -> LoopVerdict | None:
    """Last resort for responders that set no header at all (many still don't)."""
    subject = inbound.subject
    if not subject:
        return None
    found = _SUBJECT_STRONG.match(subject)
    if found:
        return LoopVerdict(rule="autoreply-subject", reason=f"subject starts {found.group(0)!r}")
    weak = _SUBJECT_WEAK.search(subject)
    if weak:
        corroborated = _SUPPRESS_AUTO.search(_h(inbound, "x-auto-response-suppress")) or _h(
            inbound, "x-ms-exchange-generated-message-source"
        )
        if corroborated:
            return LoopVerdict(
                rule="autoreply-subject",
                reason=f"subject has {weak.group(0)!r} and an Exchange auto-response header",
            )
    return None


#: The order in which rules are tried; the first verdict is the one recorded.
LOOP_RULES: tuple[tuple[str, LoopRule], ...] = (
    ("dsn", dsn),
    ("own-mail", own_mail),
    ("x-loop", x_loop),
    ("auto-submitted", auto_submitted),
    ("autoreply-header", autoreply_header),
    ("precedence", precedence),
    ("list", list_mail),
    ("null-return-path", null_return_path),
    ("machine-sender", machine_sender),
    ("autoreply-subject", autoreply_subject),
)


def check(
    inbound: Inbound,
    *,
    own_addresses: frozenset[str],
    own_domains: frozenset[str],
) -> LoopVerdict | None:
    """The first loop rule that fires, or ``None`` when an acknowledgement is safe.

    ``own_addresses`` are the addresses we send from (``info@…``); ``own_domains`` are the
    domains in the Message-IDs we generate (and of our own group lists).  Chat messages are
    always typed by a person, so they are never held back here.
    """
    if inbound.channel == Channel.CHAT:
        return None
    own = _Own(
        addresses=frozenset(a.strip().lower() for a in own_addresses if a.strip()),
        domains=frozenset(d.strip().strip(".").lower() for d in own_domains if d.strip()),
    )
    for _name, rule in LOOP_RULES:
        verdict = rule(inbound, own)
        if verdict is not None:
            return verdict
    return None
