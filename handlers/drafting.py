"""Render the letters a case needs, in the requester's language, from ``templates/``.

This module decides which template, what context and which headers; the wording lives in
the templates so that a privacy officer can change a sentence without touching code. The
acknowledgement goes out automatically and therefore says nothing about what the bot
thinks the request is: the sender may be forged, and a generic receipt leaks nothing. Every
other letter is a draft a person approves; where the bot cannot know the right wording, the
draft carries a line starting with :data:`STAFF_NOTE_PREFIX`: a note to staff, never to
the requester. Every letter reads as a whole without its notes, and :func:`reply_mail`
removes them, so an approved draft never carries an instruction meant for staff.

Message-IDs are derived from the case reference and a counter, never from randomness or
the clock, so re-running a step after a crash produces the same mail and the outbox can
recognise it as the one it already holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from handlers.values import (
    REQUEST_TYPES,
    CaseView,
    Company,
    Inbound,
    OutgoingMail,
    Policy,
    RequestType,
)

#: Languages with a full set of templates; anything else falls back.
LANGUAGES: tuple[str, ...] = ("da", "en")

#: Dates in letters are the dates a Danish controller's office sees.
LETTER_TZ = "Europe/Copenhagen"

#: Lines starting with this are instructions to staff inside a draft, never for customers.
STAFF_NOTE_PREFIX = "[STAFF:"

#: References headers grow with every reply; RFC 5322 allows trimming all but the first.
MAX_REFERENCES = 20

# fmt: off
_DA_MONTHS = ("januar", "februar", "marts", "april", "maj", "juni",
              "juli", "august", "september", "oktober", "november", "december")
_EN_MONTHS = ("January", "February", "March", "April", "May", "June",
              "July", "August", "September", "October", "November", "December")
# fmt: on

_ID_PART_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_DOMAIN_RE = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$")
_MSGID_RE = re.compile(r"<[^<>\s]+>")


# --------------------------------------------------------------------------- environment


def make_environment(override: Path | None = None) -> jinja2.Environment:
    """The one Jinja environment for every letter and staff card.

    Templates are found through the installed ``templates`` package, so a wheel works as
    well as a checkout. Mail text is not escaped (an ``&`` in a company name must stay an
    ``&``), but templates named ``*.html.j2`` are, so a Telegram card in HTML parse mode can
    never be broken by what a customer wrote. Undefined names fail loudly instead of
    leaving a hole in a letter to a customer.

    ``override`` is the company's own folder of letters: a template found there wins over
    the built-in one of the same name, so a company rewords its letters without a fork.
    """
    loader: jinja2.BaseLoader = jinja2.PackageLoader("templates", "")
    if override is not None:
        loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(override)), loader])
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html.j2",),
            disabled_extensions=(),
            default_for_string=False,
            default=False,
        ),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["long_date"] = long_date
    return env


def warm_up(env: jinja2.Environment) -> list[str]:
    """Compile every letter and staff card before the first case needs one; returns the
    names of those that do not compile.

    A template is compiled the first time it renders; after a start the first cases
    paid for that in their acknowledgement's time (about 70 ms for the 26 letters on a
    slow machine). One that does not compile (a company's own letter with a typo) is
    named, not raised: it fails when a case needs it, as it always did, and the other
    letters still go out. The web pages are left to the dashboard, which adds the
    filters they need.
    """
    broken = []
    for name in env.list_templates(extensions=("j2",)):
        if name.startswith(("web/", "export.")):
            continue
        try:
            env.get_template(name)
        except jinja2.TemplateError:
            broken.append(name)
    return broken


def choose_language(language: str, company: Company) -> str:
    """The template language for a requester: theirs when we write it, else the company's.

    Region tags (``da-DK``, ``en_GB``) count as their language. A company default we have
    no templates for falls back to English, the language most requesters can read.
    """
    for wanted in (language, company.default_language):
        primary = re.split(r"[-_]", (wanted or "").strip().lower(), maxsplit=1)[0]
        if primary in LANGUAGES:
            return primary
    return "en"


def long_date(value: date | datetime, language: str) -> str:
    """A date as a letter writes it: ``24. december 2026`` or ``24 December 2026``.

    Done by hand rather than through ``locale`` because the process locale is global,
    rarely has Danish installed on a server, and must not depend on the machine.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("an aware datetime is required to print a date in a letter")
        value = value.astimezone(ZoneInfo(LETTER_TZ)).date()
    if language == "da":
        return f"{value.day}. {_DA_MONTHS[value.month - 1]} {value.year}"
    return f"{value.day} {_EN_MONTHS[value.month - 1]} {value.year}"


# --------------------------------------------------------------------------- headers


def message_id(*, kind: str, ref: str, n: int, domain: str) -> str:
    """A Message-ID that is the same every time the same mail is made.

    ``kind`` says which letter (``ack``, ``reply``, ``ext``), ``n`` counts letters of that
    kind in the case. Only characters that need no quoting are accepted, so the id is valid
    in any header without escaping.
    """
    if not _ID_PART_RE.match(kind):
        raise ValueError(f"kind must be letters, digits, '-' or '_', got {kind!r}")
    if not _ID_PART_RE.match(ref):
        raise ValueError(f"ref must be letters, digits, '-' or '_', got {ref!r}")
    if n < 1:
        raise ValueError(f"n counts from 1, got {n}")
    if not _DOMAIN_RE.match(domain):
        raise ValueError(f"not a domain name: {domain!r}")
    return f"<{kind}.{ref}.{n}@{domain.lower()}>"


def _bracketed(value: str) -> str:
    value = value.strip()
    return value if value.startswith("<") else f"<{value.strip('<>')}>"


def _ids(values: Iterable[str]) -> list[str]:
    """Message-IDs in order, bracketed, whatever way a header or a caller spelled them."""
    out: list[str] = []
    for value in values:
        found = _MSGID_RE.findall(value) or [v for v in value.split() if v]
        out.extend(_bracketed(v) for v in found)
    return out


def threading_headers(
    parent_id: str | None,
    parent_references: Iterable[str] = (),
    parent_in_reply_to: str | None = None,
) -> dict[str, str]:
    """``In-Reply-To`` and ``References`` for an answer to one message (RFC 5322 3.6.4).

    The parent's References (or, lacking them, its single In-Reply-To) followed by the
    parent's id; duplicates removed, and long chains trimmed to the first id and the most
    recent ones, which is what threading needs. No parent id (a chat message) gives none.
    """
    if not parent_id or not parent_id.strip():
        return {}
    parent = _bracketed(parent_id)
    chain = _ids(parent_references)
    if not chain and parent_in_reply_to:
        earlier = _ids([parent_in_reply_to])
        if len(earlier) == 1:
            chain = earlier
    chain.append(parent)
    unique = list(dict.fromkeys(chain))
    if len(unique) > MAX_REFERENCES:
        unique = unique[:1] + unique[-(MAX_REFERENCES - 1) :]
    return {"In-Reply-To": parent, "References": " ".join(unique)}


def _domain_of(address: str) -> str:
    _, _, domain = address.rpartition("@")
    if not domain:
        raise ValueError(f"the company e-mail has no domain: {address!r}")
    return domain.strip().strip(">").lower()


def _one_line(text: str) -> str:
    """Header-safe text: a rendered subject must never smuggle a line break into headers."""
    return " ".join(text.split())


def strip_staff_notes(body: str) -> str:
    """The letter as the requester will read it: every staff note line removed."""
    return "\n".join(
        line for line in body.splitlines() if not line.lstrip().startswith(STAFF_NOTE_PREFIX)
    ) + ("\n" if body.endswith("\n") else "")


def has_staff_notes(body: str) -> bool:
    """Whether a draft still holds an instruction to staff and so must not be sent."""
    return any(line.lstrip().startswith(STAFF_NOTE_PREFIX) for line in body.splitlines())


# --------------------------------------------------------------------------- rendering


def _render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> tuple[str, str]:
    """Subject and body of a letter template that sets ``subject`` at its top level.

    One template per letter keeps subject and body in the same language file, so a
    translator never has to look elsewhere.
    """
    module = env.get_template(name).make_module(context)
    subject = _one_line(str(module.subject))
    body = str(module).lstrip("\n")
    body = body.rstrip() + "\n"
    return subject, body


def _request_labels(labels: Iterable[str]) -> list[str]:
    """The case's request types in the order a letter answers them; not_privacy has none."""
    present = {str(label) for label in labels}
    return [str(t) for t in REQUEST_TYPES if str(t) in present]


def _letter_context(case: CaseView, company: Company, language: str) -> dict[str, Any]:
    labels = _request_labels(case.labels)
    return {
        "case": case,
        "company": company,
        "lang": language,
        "labels": labels,
        "on_behalf": str(RequestType.THIRD_PARTY_AUTHORISATION) in labels,
    }


def acknowledgement(
    env: jinja2.Environment, *, case: CaseView, inbound: Inbound, company: Company, n: int = 1
) -> OutgoingMail:
    """The automatic receipt, sent at once: reference, dates, what happens next.

    Marked ``Auto-Submitted: auto-replied`` (RFC 3834) so that well-behaved responders do
    not answer it, and ``X-Loop`` so our own loop guard recognises it if it comes back.
    ``Precedence`` is left out, as RFC 3834 advises.
    """
    language = choose_language(case.language, company)
    subject, body = _render(env, f"{language}/ack.eml.j2", _letter_context(case, company, language))
    domain = _domain_of(company.email)
    headers = threading_headers(inbound.message_id, inbound.references, inbound.in_reply_to)
    headers.update(
        {
            "Auto-Submitted": "auto-replied",
            "X-Auto-Response-Suppress": "All",
            "X-Loop": company.email,
            "Content-Language": language,
        }
    )
    return OutgoingMail(
        to=inbound.sender,
        sender=company.email,
        subject=subject,
        body=body,
        message_id=message_id(kind="ack", ref=case.ref, n=n, domain=domain),
        headers=headers,
        language=language,
    )


def reply(
    env: jinja2.Environment,
    *,
    case: CaseView,
    company: Company,
    policy: Policy,
    sender_flags: Iterable[str] = (),
    verify_identity: bool = False,
) -> tuple[str, str]:
    """Subject and body of the one letter that answers every request in the case.

    A person who withdraws consent and asks for erasure gets one letter with a section for
    each, in a fixed order, and what the sections share (what is kept, and why) is said
    once. When someone writes on another's behalf, every section is worded as what will
    happen once the data subject's consent arrives, so nothing is disclosed before it.

    With ``verify_identity`` (the sender failed authentication or is unknown, see
    ``handlers.identity``), the letter asks for proof of identity and words access and
    erasure as what happens once it has arrived; ``sender_flags`` tells staff why.

    Raises:
        ValueError: the case carries no privacy request type to answer.
    """
    language = choose_language(case.language, company)
    context = _letter_context(case, company, language)
    if not context["labels"]:
        raise ValueError(f"case {case.ref} has no privacy request type to answer")
    context["policy"] = policy
    context["sender_flags"] = [str(flag) for flag in sender_flags]
    context["verify_identity"] = verify_identity
    context["access_by_letter"] = (
        str(RequestType.ACCESS) in context["labels"] and policy.access_requires_signed_letter
    )
    return _render(env, f"{language}/reply.eml.j2", context)


def extension_notice(
    env: jinja2.Environment, *, case: CaseView, company: Company, new_deadline: date, reason: str
) -> tuple[str, str]:
    """Subject and body telling the requester the deadline is extended, and why.

    Art. 12(3) makes the reasons part of the notice, so an empty reason is refused; a new
    deadline before the current one is a mistake in the caller, not an extension.
    """
    if not reason or not reason.strip():
        raise ValueError("an extension needs a reason the requester can read")
    if new_deadline <= case.deadline:
        raise ValueError(
            f"the new deadline {new_deadline.isoformat()} is not after the current one "
            f"{case.deadline.isoformat()}"
        )
    language = choose_language(case.language, company)
    context = _letter_context(case, company, language)
    context.update({"new_deadline": new_deadline, "reason": reason.strip()})
    return _render(env, f"{language}/extension.eml.j2", context)


def reply_mail(
    *,
    case: CaseView,
    subject: str,
    body: str,
    company: Company,
    in_reply_to: str | None,
    references: tuple[str, ...],
    n: int,
    domain: str,
) -> OutgoingMail:
    """The approved letter as a mail in the customer's thread.

    ``in_reply_to`` is the Message-ID of the customer's mail being answered and
    ``references`` that mail's own References; the new chain is built from both. No
    ``Auto-Submitted`` header: a person approved this mail, so it is not automatic, and
    the customer's own auto-responder may answer it. The mail goes to
    ``case.requester_address``, the address the case's answers are sent to.

    Raises:
        ValueError: the body still holds a staff note, or the case has no address.
    """
    body = strip_staff_notes(body)
    if "@" not in case.requester_address:
        raise ValueError(f"case {case.ref} has no e-mail address to answer")
    language = choose_language(case.language, company)
    headers = threading_headers(in_reply_to, references)
    headers.update({"X-Loop": company.email, "Content-Language": language})
    return OutgoingMail(
        to=case.requester_address,
        sender=company.email,
        subject=_one_line(subject),
        body=body,
        message_id=message_id(kind="reply", ref=case.ref, n=n, domain=domain),
        headers=headers,
        language=language,
    )
