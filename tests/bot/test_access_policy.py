"""Access requests follow the configured policy, and the deadline runs from receipt.

A mail is stored as the listener stores it and goes through the real pipeline on each
database; the setting arrives through ``Settings`` as an operator would write it. What
the requester would read in the draft is asserted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import pipeline
from bot.config import Settings
from bot.directory import import_csv
from bot.runtime import Runtime, build_runtime
from handlers import case_rules
from handlers.drafting import long_date
from storage import queries
from storage.engine import unit_of_work
from storage.models import Case, Draft

#: Received on a Thursday in Copenhagen; one month later is Easter Sunday 2026, so the
#: deadline rolls past Easter Monday to Tuesday 7 April.
RECEIVED = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)

ENGLISH = (
    "Hello\r\n\r\nPlease send me a copy of all the personal data you hold about me."
    "\r\n\r\nJohn Smith\r\n"
)
DANISH = (
    "Hej\r\n\r\nJeg vil gerne have indsigt i de personoplysninger, I har om mig.\r\n\r\nJens\r\n"
)


@pytest.fixture
def runtime_with(
    make_settings: Callable[..., Settings], database_url: str
) -> Iterator[Callable[..., Runtime]]:
    made: list[Runtime] = []

    def build(**policy: object) -> Runtime:
        runtime = build_runtime(
            make_settings(database_url, policy=policy),
            clock=lambda: RECEIVED + timedelta(minutes=5),
        )
        made.append(runtime)
        return runtime

    yield build
    for runtime in made:
        runtime.engine.dispose()


def receive(runtime: Runtime, body: str, sender: str) -> tuple[Case, Draft]:
    raw = (
        f"From: <{sender}>\r\nTo: info@alottbetter.dk\r\nSubject: My data\r\n"
        f"Message-ID: <access.{sender}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body
    ).encode()
    with unit_of_work(runtime.sessions) as session:
        queries.store_inbound(
            session,
            channel="smtp",
            external_id=f"<access.{sender}>",
            raw=raw,
            message_id=f"<access.{sender}>",
            received_at=RECEIVED,
        )
    [outcome] = pipeline.process_pending(runtime)
    with unit_of_work(runtime.sessions) as session:
        case = queries.get_case(session, ref=outcome.case_ref or "")
        [draft] = queries.case_drafts(session, case_id=case.id or 0)
    return case, draft


def test_by_default_the_draft_explains_the_signed_letter_in_the_requesters_language(
    runtime_with: Callable[..., Runtime],
) -> None:
    case, draft = receive(runtime_with(), ENGLISH, "john@example.com")
    assert case.labels == '["access"]' and case.language == "en"
    assert case.deadline == case_rules.deadline(RECEIVED) == datetime(2026, 4, 7).date()
    body = draft.body
    assert "Access to your personal data" in body
    assert "a request for access must be made in a signed letter sent by post" in body
    assert '"Anmodning om persondataudtræk"' in body and "(Signature)" in body
    # Staff see that they may answer the e-mail directly instead.
    assert body.startswith("[STAFF: The policy asks for a signed letter")
    # The letter does not restart the clock: the time limit is one month from the mail.
    assert (
        f"The time limit for our answer to your request is {long_date(case.deadline, 'en')}" in body
    )
    assert "counts from the day your e-mail reached us" in body
    assert "within one month of its arrival" not in body


def test_a_setting_lets_staff_answer_emailed_access_requests_directly(
    runtime_with: Callable[..., Runtime],
) -> None:
    case, draft = receive(
        runtime_with(access_requires_signed_letter=False), DANISH, "jens@example.dk"
    )
    assert case.labels == '["access"]' and case.language == "da"
    assert case.deadline == case_rules.deadline(RECEIVED)
    body = draft.body
    assert "Indsigt i dine personoplysninger" in body
    assert "Vi sender dig en oversigt over de oplysninger" in body
    assert "Anmodning om persondataudtræk" not in body and "[STAFF:" not in body
    assert f"Fristen for vores svar på din henvendelse er {long_date(case.deadline, 'da')}" in body


def test_answered_directly_only_once_an_unknown_sender_has_shown_who_they_are(
    runtime_with: Callable[..., Runtime], tmp_path: Path
) -> None:
    """With direct answers allowed and a customer directory kept, a listed sender's
    access draft promises the overview; an unlisted one's asks for proof first."""
    runtime = runtime_with(access_requires_signed_letter=False)
    listing = tmp_path / "customers.csv"
    listing.write_text("email,name\njens@example.dk,Jens Jensen\n", encoding="utf-8")
    assert import_csv(runtime, listing, actor="test") == 1

    known, known_draft = receive(runtime, DANISH, "jens@example.dk")
    assert known.flags == "[]"
    assert "Vi sender dig en oversigt over de oplysninger" in known_draft.body
    stranger, asks = receive(runtime, DANISH, "ukendt@example.dk")
    assert stranger.flags == '["unknown_sender"]'
    assert (
        "Når vi har bekræftet, at henvendelsen kommer fra dig, sender vi dig en oversigt"
        in asks.body
    )
    assert "Bekræftelse af, at henvendelsen kommer fra dig" in asks.body
    assert stranger.deadline == case_rules.deadline(RECEIVED)
