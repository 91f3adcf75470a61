"""Whether an acknowledgement may go out now: the flood limits of RFC 3834 practice.

The loop guard recognises machine mail by its headers; a naive auto-responder sets none,
so the last line of defence is counting. Two counts, both over what was *queued* (not
attempted), kept in the database so a restart does not reset them:

* per sender, over a rolling 24 hours (Mailman's ``max_autoresponses_per_day``, Sieve
  vacation's ``:days``): ends a loop with one robot;
* globally, over a rolling hour: ends a loop with robots that change their address every
  time (VERP, SRS, ``+tag``) and a flood of forged senders, and tells staff at once.

Canonicalising the address first makes the per-sender count see through the common
per-message variations of one robot's return path.

Pure: no I/O, no clock; the caller passes the counts and the time the pause began.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["AckDecision", "canonical_sender", "decide_ack"]

#: ``SRS0=hash=tt=orig.example=user``: the original domain and local part come last.
_SRS0 = re.compile(r"^srs0[=+-][^=]*=[^=]*=([^=]+)=(.+)$", re.IGNORECASE)
#: ``SRS1=hash=first-forwarder.example==hash=tt=orig.example=user``: an SRS0 address
#: rewritten by a second forwarder; what follows ``==`` is that SRS0 address's tail.
_SRS1 = re.compile(r"^srs1[=+-][^=]*=[^=]*==(.+)$", re.IGNORECASE)
_BATV = re.compile(r"^(?:prvs|msprvs\d?|btv1)=+[^=]*=+(.+)$", re.IGNORECASE)


def canonical_sender(address: str) -> str:
    """One robot, one key: lower-case, SRS/BATV unwrapped, ``+tag`` removed.

    ``SRS0=hash=tt=orig.example=user@forwarder`` becomes ``user@orig.example``;
    ``prvs=1234abcd=user@example.org`` becomes ``user@example.org``.
    """
    value = (address or "").strip().strip("<>").strip().lower()
    if "@" not in value:
        return value
    local, _, domain = value.rpartition("@")
    srs1 = _SRS1.match(local)
    if srs1:
        local = "SRS0=" + srs1.group(1)
    srs = _SRS0.match(local)
    if srs:
        domain, local = srs.group(1), srs.group(2)
    batv = _BATV.match(local)
    if batv:
        local = batv.group(1)
    local = local.split("+", 1)[0]
    return f"{local}@{domain.strip('.')}"


@dataclass(frozen=True)
class AckDecision:
    """``send`` or the reason not to; ``alert`` is true once per global pause."""

    send: bool
    reason: str | None = None
    alert: bool = False


def decide_ack(
    *,
    sender: str,
    sent_to_sender: int,
    per_sender_cap: int,
    sent_last_hour: int,
    global_cap: int,
    paused: bool,
) -> AckDecision:
    """The decision for one acknowledgement.

    ``sent_to_sender`` counts acknowledgements queued to this (canonical) sender in the
    last 24 hours, ``sent_last_hour`` all of them in the last hour; ``paused`` says that
    the global pause was already announced, so staff are alerted once, not per mail.
    """
    if not sender:
        return AckDecision(False, "no sender")
    if sent_last_hour >= global_cap:
        return AckDecision(False, "global hourly cap", alert=not paused)
    if sent_to_sender >= per_sender_cap:
        return AckDecision(False, "per-sender cap")
    return AckDecision(True)
