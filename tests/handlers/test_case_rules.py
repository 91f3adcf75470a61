"""Deadlines, references, statuses and retention as a privacy officer would check them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.case_rules import (
    TRANSITIONS,
    CaseStatus,
    add_months,
    can_extend,
    can_transition,
    deadline,
    extended_deadline,
    find_reference,
    format_reference,
    initial_status,
    is_overdue,
    retention_until,
    transition,
)
from handlers.values import Policy, RequestType

CPH = ZoneInfo("Europe/Copenhagen")


def received(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A receipt at a Copenhagen wall-clock time, as the mailbox would stamp it."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CPH)


# --------------------------------------------------------------------------- deadlines


@pytest.mark.parametrize(
    ("receipt", "expected", "why"),
    [
        (date(2026, 3, 10), date(2026, 4, 10), "an ordinary Friday stays"),
        (date(2024, 1, 31), date(2024, 2, 29), "31 January in a leap year: 29 February"),
        (date(2025, 1, 31), date(2025, 2, 28), "31 January: 28 February (a Friday)"),
        (date(2026, 1, 31), date(2026, 3, 2), "28 February 2026 is a Saturday: Monday"),
        (date(2024, 2, 29), date(2024, 4, 2), "29 March 2024 is Good Friday: past Easter"),
        (date(2026, 3, 5), date(2026, 4, 7), "Easter Sunday, then Easter Monday: Tuesday"),
        (date(2026, 11, 25), date(2026, 12, 28), "Christmas Day, 2nd day, weekend: Monday"),
        (date(2026, 11, 24), date(2026, 12, 24), "Christmas Eve is not a public holiday"),
        (date(2023, 4, 5), date(2023, 5, 8), "Store bededag 2023 was a holiday"),
        (date(2024, 3, 26), date(2024, 4, 26), "Store bededag is no holiday from 2024"),
        (date(2026, 1, 7), date(2026, 2, 9), "a Saturday deadline moves to Monday"),
        (date(2026, 12, 1), date(2027, 1, 4), "1 January and a weekend, across the year"),
        (date(2026, 4, 30), date(2026, 6, 1), "30 May Saturday, 31 May Sunday: 1 June"),
    ],
)
def test_one_month_deadline(receipt: date, expected: date, why: str) -> None:
    assert deadline(received(receipt)) == expected, why


def test_late_evening_utc_is_the_next_day_in_copenhagen() -> None:
    # 23:30 UTC on 14 March is 00:30 on 15 March in Copenhagen (winter time).
    late = datetime(2026, 3, 14, 23, 30, tzinfo=UTC)
    assert deadline(late) == date(2026, 4, 15)
    assert deadline(datetime(2026, 3, 14, 22, 30, tzinfo=UTC)) == date(2026, 4, 14)


def test_summer_time_midnight_is_counted_in_copenhagen() -> None:
    # 22:30 UTC on 30 June is 00:30 on 1 July in Copenhagen (summer time).
    assert deadline(datetime(2026, 6, 30, 22, 30, tzinfo=UTC)) == date(2026, 8, 3)


def test_naive_receipt_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        deadline(datetime(2026, 3, 14, 10, 0))


def test_months_must_be_positive() -> None:
    with pytest.raises(ValueError, match="months"):
        deadline(received(date(2026, 3, 14)), months=0)


def test_extension_is_counted_from_receipt_not_chained() -> None:
    receipt = received(date(2026, 1, 31))
    first = deadline(receipt)
    assert first == date(2026, 3, 2)
    # Three months from receipt: 30 April (a Thursday, no longer a holiday).
    assert deadline(receipt, months=3) == date(2026, 4, 30)
    assert extended_deadline(receipt) == date(2026, 4, 30)
    # Chaining two months onto the rolled first deadline would give 4 May.
    assert deadline(datetime(2026, 3, 2, 10, tzinfo=CPH), months=2) == date(2026, 5, 4)


def test_extension_only_while_the_first_month_runs() -> None:
    receipt = received(date(2026, 1, 31))  # first deadline Monday 2 March 2026
    assert can_extend(receipt, received(date(2026, 2, 20)))
    assert can_extend(receipt, datetime(2026, 3, 2, 23, 59, tzinfo=CPH))
    assert not can_extend(receipt, datetime(2026, 3, 3, 0, 1, tzinfo=CPH))
    # 22:30 UTC on 2 March is already 3 March in Copenhagen.
    assert not can_extend(receipt, datetime(2026, 3, 2, 23, 30, tzinfo=UTC))


def test_mail_imported_forty_days_late_is_already_overdue() -> None:
    receipt = received(date(2026, 1, 5))
    due = deadline(receipt)
    assert due == date(2026, 2, 5)
    imported = receipt + timedelta(days=40)
    assert is_overdue(due, imported)
    assert not can_extend(receipt, imported)
    assert not is_overdue(due, received(due, 23, 59))


def test_add_months_clamps_to_the_last_day() -> None:
    assert add_months(date(2026, 3, 31), 1) == date(2026, 4, 30)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)


@settings(max_examples=1500, deadline=None)
@given(
    day=st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)),
    minutes=st.integers(min_value=0, max_value=24 * 60 - 1),
    months=st.sampled_from([1, 3]),
)
def test_deadline_properties(day: date, minutes: int, months: int) -> None:
    moment = datetime(day.year, day.month, day.day, tzinfo=CPH) + timedelta(minutes=minutes)
    local_day = moment.astimezone(CPH).date()
    naive = add_months(local_day, months)
    due = deadline(moment, months=months)
    assert naive <= due <= naive + timedelta(days=5)
    assert due.weekday() < 5
    assert due not in holidays.country_holidays("DK", years=due.year)
    # Every day skipped was a day off, so the deadline is the first working day.
    for skipped in range((due - naive).days):
        off = naive + timedelta(days=skipped)
        assert off.weekday() >= 5 or off in holidays.country_holidays("DK", years=off.year)


def _one_month_by_hand(day: date, months: int) -> date:
    """The naive period end, written differently from ``add_months``: step the month
    forward, then walk the day back until the date exists."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in range(day.day, 27, -1):
        try:
            return date(year, month, last)
        except ValueError:
            continue
    return date(year, month, day.day)


def test_every_receipt_date_2020_to_2040() -> None:
    """Not a sample: each of the 7,671 receipt days, for the first and extended deadline,
    against the period counted by hand and the ``holidays`` library's Danish calendar."""
    off = holidays.country_holidays("DK", years=range(2020, 2042))
    day = date(2020, 1, 1)
    checked = 0
    while day <= date(2040, 12, 31):
        for months in (1, 3):
            due = deadline(received(day, 12), months=months)
            end = _one_month_by_hand(day, months)
            assert due >= end, (day, months)
            assert due.weekday() < 5 and due not in off, (day, months, due)
            skipped = [end + timedelta(days=n) for n in range((due - end).days)]
            assert all(d.weekday() >= 5 or d in off for d in skipped), (day, months, due)
            checked += 1
        # The extension counts from receipt, never from the rolled first deadline.
        assert extended_deadline(received(day, 12)) == deadline(received(day, 12), months=3)
        day += timedelta(days=1)
    assert checked == 2 * 7671


# --------------------------------------------------------------------------- references


def test_format_reference() -> None:
    assert format_reference(2026, 1) == "PR-2026-0001"
    assert format_reference(2026, 12345) == "PR-2026-12345"
    with pytest.raises(ValueError):
        format_reference(2026, 0)
    with pytest.raises(ValueError):
        format_reference(26, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SV: Re: [PR-2026-0001] Kvittering", "PR-2026-0001"),
        ("Re: pr-2026-0042 slet mig", "PR-2026-0042"),
        ("AW: [PR-2027-10001]", "PR-2027-10001"),
        ("Ordrenummer APR-2026-0001", None),
        ("PR-2026-001 has too few digits", None),
        ("Fwd: nothing here", None),
        ("", None),
    ],
)
def test_find_reference(text: str, expected: str | None) -> None:
    assert find_reference(text) == expected


# --------------------------------------------------------------------------- statuses


def test_every_status_has_a_row_and_every_target_is_a_status() -> None:
    assert set(TRANSITIONS) == set(CaseStatus)
    for targets in TRANSITIONS.values():
        assert targets <= set(CaseStatus)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("new", "acknowledged"),
        ("new", "draft_pending"),
        ("new", "awaiting_authorisation"),
        ("acknowledged", "draft_pending"),
        ("awaiting_authorisation", "draft_pending"),
        ("awaiting_customer", "draft_pending"),
        ("draft_pending", "approved"),
        ("approved", "answered"),
        ("answered", "closed"),
        ("draft_pending", "rejected"),
        ("triage", "draft_pending"),
        ("rejected", "triage"),
    ],
)
def test_allowed_transitions(old: str, new: str) -> None:
    assert can_transition(old, new)
    assert transition(old, new) == new


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("new", "approved"),
        ("new", "answered"),
        ("draft_pending", "answered"),
        ("closed", "draft_pending"),
        ("answered", "approved"),
        ("draft_pending", "draft_pending"),
        ("new", "nonsense"),
    ],
)
def test_refused_transitions(old: str, new: str) -> None:
    assert not can_transition(old, new)
    with pytest.raises(ValueError, match=new):
        transition(old, new)


def test_refusal_names_what_is_allowed() -> None:
    with pytest.raises(ValueError, match="allowed from 'approved': answered, draft_pending"):
        transition("approved", "closed")
    with pytest.raises(ValueError, match="final"):
        transition("closed", "triage")
    with pytest.raises(ValueError, match="unknown case status 'bogus'"):
        transition("bogus", "new")


def test_initial_status() -> None:
    assert initial_status([RequestType.ERASURE]) == "draft_pending"
    assert (
        initial_status([RequestType.THIRD_PARTY_AUTHORISATION, RequestType.ERASURE])
        == "awaiting_authorisation"
    )
    assert initial_status(["third_party_authorisation"]) == "awaiting_authorisation"


# --------------------------------------------------------------------------- retention


def test_retention_years_come_from_policy() -> None:
    closed = datetime(2026, 3, 14, 12, tzinfo=UTC)
    assert retention_until(closed, Policy(), complaint=False) == date(2028, 3, 14)
    assert retention_until(closed, Policy(), complaint=True) == date(2036, 3, 14)
    custom = Policy(retention_years=5, extended_retention_years=12)
    assert retention_until(closed, custom, complaint=False) == date(2031, 3, 14)
    assert retention_until(closed, custom, complaint=True) == date(2038, 3, 14)


def test_retention_from_a_leap_day_and_late_evening() -> None:
    assert retention_until(received(date(2024, 2, 29)), Policy(), complaint=False) == date(
        2026, 2, 28
    )
    late = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 1 January 2027 in Copenhagen
    assert retention_until(late, Policy(), complaint=False) == date(2029, 1, 1)
