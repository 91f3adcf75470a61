"""Who is writing, and may they have what they ask for: flags, consent, verification.

Pure decisions over values. The flags go to staff and into the draft; nothing here
refuses a request on its own, because a person must judge whether the proof asked for
is proportionate (GDPR art. 12(6) allows asking for more only where there is doubt).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from handlers.authenticity import Authenticity, Verdict
from handlers.values import Channel, RequestType

FLAG_AUTH_FAILED = "authentication_failed"
FLAG_UNKNOWN_SENDER = "unknown_sender"
#: The request came by chat: a chat account says nothing about who the person is, so it
#: is never a verified identity (RULES.md), and proof is asked for by e-mail.
FLAG_CHAT_SENDER = "chat_sender"

#: Requests where acting for the wrong person does harm: disclosure or loss of data.
VERIFY_TYPES: frozenset[str] = frozenset({RequestType.ACCESS, RequestType.ERASURE})

_ADDRESS_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

# Deliberately narrow: a false "consent" would open a case to the wrong person, a missed
# one only means staff read the mail themselves.
_CONSENT_RE = re.compile(
    r"|".join(
        [
            # Danish
            r"\bgiver\s+(?:hermed\s+)?(?:mit\s+)?samtykke\b",
            r"\bsamtykker\s+(?:hermed\s+)?(?:i|til)\b",
            r"\bgiver\s+(?:hermed\s+)?(?:\w+\s+){0,4}(?:lov|tilladelse)\s+til\b",
            r"\bmå\s+gerne\s+(?:\w+\s+){0,3}(?:på\s+mine\s+vegne|kommunikere|tale|skrive)\b",
            r"\bfuldmagt\b",
            # English
            r"\bi\s+(?:hereby\s+)?(?:give|grant)\s+(?:my\s+)?(?:written\s+)?consent\b",
            r"\bi\s+(?:hereby\s+)?consent\s+to\b",
            r"\bi\s+(?:hereby\s+)?authori[sz]e\b",
            r"\bi\s+(?:hereby\s+)?(?:give|grant)\s+(?:\w+\s+){0,4}permission\b",
            r"\bi\s+(?:hereby\s+)?allow\s+(?:\w+\s+){0,4}(?:to\s+)?(?:act|communicate|speak|write)"
            r"\s+(?:with\s+you\s+)?on\s+my\s+behalf\b",
        ]
    ),
    re.IGNORECASE,
)


def expresses_consent(text: str) -> bool:
    """Whether a message reads as the data subject's written consent to a representative."""
    return bool(_CONSENT_RE.search(text or ""))


def mentioned_addresses(text: str, *, exclude: Iterable[str] = ()) -> tuple[str, ...]:
    """Mail addresses written in a message, lower case, in order, without ``exclude``.

    Someone writing for another person often gives that person's address; it is where the
    consent is expected to come from.
    """
    skip = {a.lower() for a in exclude}
    found: list[str] = []
    for address in _ADDRESS_RE.findall(text or ""):
        address = address.lower().rstrip(".")
        if address not in skip and address not in found:
            found.append(address)
    return tuple(found)


def flags(
    authenticity: Authenticity, *, directory_in_use: bool, sender_known: bool
) -> tuple[str, ...]:
    """What staff must know about the sender before acting on the request.

    An unknown sender is only a finding when the company keeps a customer directory; with
    none configured every sender would be unknown and the flag would say nothing.
    """
    out: list[str] = []
    if authenticity.verdict == Verdict.FAIL:
        out.append(FLAG_AUTH_FAILED)
    if directory_in_use and not sender_known:
        out.append(FLAG_UNKNOWN_SENDER)
    return tuple(out)


def channel_flags(channel: str) -> tuple[str, ...]:
    """What the channel alone says about the sender: by chat, no identity at all."""
    return (FLAG_CHAT_SENDER,) if channel == Channel.CHAT else ()


def needs_verification(labels: Collection[str], case_flags: Collection[str]) -> bool:
    """Whether the draft must ask the requester to prove who they are before acting."""
    return bool(case_flags) and any(str(label) in VERIFY_TYPES for label in labels)
