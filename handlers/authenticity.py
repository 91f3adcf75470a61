"""How far a mail's sender can be believed, from the receiving server's verdict.

Anyone can write an ``Authentication-Results`` header into a mail, so only a header
whose authserv-id is the one the operator configured (their own receiving server) is
read; every other one is ignored as if it were not there (RFC 8601 section 5). The
topmost trusted header wins, since it is the one our own server added last.

Pure: header values in, a verdict out; the caller decides what a verdict means.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    #: No trusted header, or a trusted one without a usable result.
    NONE = "none"


@dataclass(frozen=True)
class Authenticity:
    """The receiving server's results for one mail; empty strings where it said nothing."""

    verdict: Verdict
    dmarc: str = ""
    dkim: str = ""
    spf: str = ""
    authserv_id: str = ""


UNKNOWN = Authenticity(Verdict.NONE)

_RESULT_RE = re.compile(r"^\s*([A-Za-z0-9_.-]+)(?:/\d+)?\s*=\s*([A-Za-z0-9_-]+)")


def _strip_comments(value: str) -> str:
    """Remove RFC 5322 comments, nested ones too, which may hold any text at all."""
    out: list[str] = []
    depth = 0
    escaped = False
    for char in value:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(char)
            continue
        if char == "\\":
            escaped = True
            if depth == 0:
                out.append(char)
            continue
        if char == "(":
            depth += 1
            continue
        if char == ")" and depth:
            depth -= 1
            continue
        if depth == 0:
            out.append(char)
    return "".join(out)


def parse_header(value: str) -> tuple[str, dict[str, list[str]]]:
    """The authserv-id and each method's results (lower case) of one header value."""
    parts = [p.strip() for p in _strip_comments(" ".join(value.split())).split(";")]
    if not parts or not parts[0]:
        return "", {}
    authserv_id = parts[0].split()[0].lower()
    results: dict[str, list[str]] = {}
    for part in parts[1:]:
        found = _RESULT_RE.match(part)
        if found:
            results.setdefault(found.group(1).lower(), []).append(found.group(2).lower())
    return authserv_id, results


def _combined(values: list[str]) -> str:
    """One result for a method that may appear several times (a mail can carry two DKIM
    signatures): a pass anywhere counts, else the first result given."""
    if not values:
        return ""
    return "pass" if "pass" in values else values[0]


def assess(headers: Iterable[str], *, trusted_authserv_id: str) -> Authenticity:
    """The verdict of the first header from ``trusted_authserv_id``.

    DMARC decides when the server evaluated it, because it is the only check that ties
    the visible From address to the domain that signed or sent the mail. Without DMARC, a
    DKIM or SPF pass counts as a pass and an SPF fail without any DKIM pass as a fail.
    An empty ``trusted_authserv_id`` trusts nobody, which is the safe default.
    """
    trusted = trusted_authserv_id.strip().lower()
    if not trusted:
        return UNKNOWN
    for value in headers:
        authserv_id, results = parse_header(value)
        if authserv_id != trusted:
            continue
        dmarc = _combined(results.get("dmarc", []))
        dkim = _combined(results.get("dkim", []))
        spf = _combined(results.get("spf", []))
        if dmarc == "pass":
            verdict = Verdict.PASS
        elif dmarc in ("fail", "quarantine", "reject"):
            verdict = Verdict.FAIL
        elif dkim == "pass" or spf == "pass":
            verdict = Verdict.PASS
        elif spf in ("fail", "softfail") or dkim == "fail":
            verdict = Verdict.FAIL
        else:
            verdict = Verdict.NONE
        return Authenticity(verdict, dmarc, dkim, spf, authserv_id)
    return UNKNOWN
