"""The rules a case lives by: deadlines, references, statuses and retention.

Everything here is arithmetic over values the caller passes in: the receipt time, the
current time and the company's policy. No clock is read, so a case imported forty days
late gets the deadline the law gives it, and a test can stand on any day of the year.

Deadlines follow GDPR art. 12(3) as Regulation 1182/71 counts months (see
``policy/RULES.md``): the receipt date is taken in Copenhagen, the same date one month
later (or that month's last day when the date does not exist), and a deadline that lands
on a Saturday, Sunday or Danish public holiday moves to the next working day. Holidays
come from the maintained ``holidays`` library rather than a hand-kept list, because the
list changes (Store bededag was a holiday until 2023 and is not from 2024).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from handlers.values import Policy, RequestType

#: The zone in which "the day of receipt" is decided for a Danish controller.
DEFAULT_TZ = "Europe/Copenhagen"

#: The country whose public holidays push a deadline to the next working day.
HOLIDAY_COUNTRY = "DK"

#: The first deadline is one month from receipt; an extension adds two more.
FIRST_DEADLINE_MONTHS = 1
EXTENDED_DEADLINE_MONTHS = 3

REFERENCE_PREFIX = "PR"
#: Case-insensitive so that a reference retyped by hand still finds its case; the
#: digit guards stop "PR-2026-00012" from being read as "PR-2026-0001".
_REFERENCE_RE = re.compile(r"(?<![A-Za-z0-9])PR-(\d{4})-(\d{4,})(?!\d)", re.IGNORECASE)


# --------------------------------------------------------------------------- deadlines


def _local_date(moment: datetime, tz: str) -> date:
    """The calendar date of an instant where the controller sits.

    A naive datetime is refused rather than guessed at: a mail received at 23:30 UTC
    belongs to the next day in Copenhagen, and guessing wrong moves a legal deadline.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("an aware datetime is required (with tzinfo); got a naive one")
    return moment.astimezone(ZoneInfo(tz)).date()


def add_months(day: date, months: int) -> date:
    """The same date ``months`` later, or that month's last day when it does not exist.

    This is how Regulation 1182/71 counts a period of months, so 31 January plus one
    month is 28 (or 29) February, never 3 March.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    """Danish public holidays of one year, cached because the library builds them anew."""
    return frozenset(holidays.country_holidays(HOLIDAY_COUNTRY, years=year).keys())


def is_working_day(day: date) -> bool:
    """Whether a deadline may fall on ``day``: not a weekend, not a Danish public holiday."""
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def deadline(received_at: datetime, *, months: int = 1, tz: str = DEFAULT_TZ) -> date:
    """The last day on which an answer is on time.

    ``months=1`` is the first deadline; ``months=3`` is the extended one. The extension is
    computed from receipt, not chained from the rolled one-month date, because the law
    adds two months to the period, not to wherever the first period happened to end.

    Raises:
        ValueError: ``received_at`` is naive, or ``months`` is not positive.
    """
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    return next_working_day(add_months(_local_date(received_at, tz), months))


def extended_deadline(received_at: datetime, *, tz: str = DEFAULT_TZ) -> date:
    """The deadline after an extension by two further months (three from receipt)."""
    return deadline(received_at, months=EXTENDED_DEADLINE_MONTHS, tz=tz)


def can_extend(received_at: datetime, now: datetime, *, tz: str = DEFAULT_TZ) -> bool:
    """Whether an extension may still be announced.

    Art. 12(3) requires the requester to hear of the extension, with reasons, within the
    first month; once the first deadline has passed the extension comes too late.
    """
    return _local_date(now, tz) <= deadline(received_at, tz=tz)


def is_overdue(due: date, now: datetime, *, tz: str = DEFAULT_TZ) -> bool:
    """Whether ``due`` has passed at ``now``; the deadline day itself is still on time."""
    return _local_date(now, tz) > due


# --------------------------------------------------------------------------- references


def format_reference(year: int, seq: int) -> str:
    """The case reference customers quote, e.g. ``PR-2026-0001``.

    The year makes a reference readable on the phone; four digits at least keep the
    references of one year sortable as text up to 9999 cases, and more digits are allowed.
    """
    if not 1000 <= year <= 9999:
        raise ValueError(f"year must have four digits, got {year}")
    if seq < 1:
        raise ValueError(f"sequence numbers start at 1, got {seq}")
    return f"{REFERENCE_PREFIX}-{year:04d}-{seq:04d}"


def find_reference(text: str) -> str | None:
    """The first case reference in ``text`` (a subject such as ``SV: Re: [PR-2026-0001]``).

    The result is normalised to the form :func:`format_reference` makes, so a reference a
    customer typed in lower case still names the same case.
    """
    found = _REFERENCE_RE.search(text or "")
    if found is None:
        return None
    return format_reference(int(found.group(1)), int(found.group(2)))


# --------------------------------------------------------------------------- statuses


class CaseStatus(StrEnum):
    """Where a case stands; the values are what storage, CLI and chat show."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    AWAITING_AUTHORISATION = "awaiting_authorisation"
    AWAITING_CUSTOMER = "awaiting_customer"
    DRAFT_PENDING = "draft_pending"
    APPROVED = "approved"
    ANSWERED = "answered"
    CLOSED = "closed"
    REJECTED = "rejected"
    TRIAGE = "triage"


_S = CaseStatus

# fmt: off
#: Allowed moves, as data so that the whole life of a case can be read in one place.
#: Until a case is closed, staff can always send it to triage or reject it. While a case
#: waits (for the data subject's consent, or for the customer), the letter that asks for
#: it may itself be approved and sent, so a waiting case may move to ``approved`` and an
#: answered one back to waiting. ``closed`` is final; a rejection can be undone through
#: triage. Staying in the same status is not a transition (a new draft version is not).
TRANSITIONS: Mapping[str, frozenset[str]] = {
    _S.NEW: frozenset({_S.ACKNOWLEDGED, _S.AWAITING_AUTHORISATION, _S.AWAITING_CUSTOMER,
                       _S.DRAFT_PENDING, _S.TRIAGE, _S.REJECTED}),
    _S.ACKNOWLEDGED: frozenset({_S.AWAITING_AUTHORISATION, _S.AWAITING_CUSTOMER,
                                _S.DRAFT_PENDING, _S.TRIAGE, _S.REJECTED}),
    _S.AWAITING_AUTHORISATION: frozenset({_S.DRAFT_PENDING, _S.AWAITING_CUSTOMER, _S.APPROVED,
                                          _S.TRIAGE, _S.REJECTED, _S.CLOSED}),
    _S.AWAITING_CUSTOMER: frozenset({_S.DRAFT_PENDING, _S.AWAITING_AUTHORISATION, _S.APPROVED,
                                     _S.TRIAGE, _S.REJECTED, _S.CLOSED}),
    _S.DRAFT_PENDING: frozenset({_S.APPROVED, _S.AWAITING_AUTHORISATION, _S.AWAITING_CUSTOMER,
                                 _S.TRIAGE, _S.REJECTED}),
    # Back to draft_pending when delivery fails for good and staff must decide again.
    _S.APPROVED: frozenset({_S.ANSWERED, _S.DRAFT_PENDING}),
    _S.ANSWERED: frozenset({_S.CLOSED, _S.DRAFT_PENDING, _S.AWAITING_AUTHORISATION,
                            _S.AWAITING_CUSTOMER, _S.TRIAGE}),
    _S.CLOSED: frozenset(),
    _S.REJECTED: frozenset({_S.TRIAGE, _S.CLOSED}),
    # Approving the draft of a triage case is staff confirming the classifier's guess.
    _S.TRIAGE: frozenset({_S.ACKNOWLEDGED, _S.AWAITING_AUTHORISATION, _S.AWAITING_CUSTOMER,
                          _S.DRAFT_PENDING, _S.APPROVED, _S.REJECTED, _S.CLOSED}),
}
# fmt: on


def can_transition(old: str, new: str) -> bool:
    """Whether a case may move from ``old`` to ``new``; unknown statuses may not move."""
    return new in TRANSITIONS.get(old, frozenset())


def transition(old: str, new: str) -> str:
    """The new status, or a :class:`ValueError` that says what would have been allowed.

    The message names both statuses and the allowed ones, because it ends up in front
    of staff who pressed a button on a case that has moved on.
    """
    if old not in TRANSITIONS:
        raise ValueError(f"unknown case status {old!r}")
    if new not in TRANSITIONS:
        raise ValueError(f"unknown case status {new!r}")
    if not can_transition(old, new):
        allowed = ", ".join(sorted(str(s) for s in TRANSITIONS[old])) or "none (final)"
        raise ValueError(
            f"a case cannot move from {str(old)!r} to {str(new)!r}; allowed from "
            f"{str(old)!r}: {allowed}"
        )
    return str(CaseStatus(new))


def initial_status(labels: Iterable[str]) -> str:
    """The status a new case takes once its acknowledgement is queued.

    A case where someone writes for another person waits for that person's written
    consent before anything is disclosed; every other case is acknowledged and its draft
    waits for staff.
    """
    if RequestType.THIRD_PARTY_AUTHORISATION in set(labels):
        return str(CaseStatus.AWAITING_AUTHORISATION)
    return str(CaseStatus.DRAFT_PENDING)


# --------------------------------------------------------------------------- retention


def retention_until(
    closed_or_received: datetime,
    policy: Policy,
    *,
    complaint: bool,
    tz: str = DEFAULT_TZ,
) -> date:
    """The day after which a case's data must be erased.

    The years are policy, not law, so they come from configuration; a complaint keeps
    everything for the extended period so that the company can show what it did. A
    start on 29 February ends on 28 February, as months are counted for deadlines.
    """
    years = policy.extended_retention_years if complaint else policy.retention_years
    if years < 0:
        raise ValueError(f"retention years cannot be negative, got {years}")
    return add_months(_local_date(closed_or_received, tz), 12 * years)
