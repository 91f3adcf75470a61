"""Authentication-Results: only the trusted server's verdict counts (RFC 8601)."""

from __future__ import annotations

import pytest

from handlers.authenticity import Verdict, assess, parse_header
from handlers.identity import (
    FLAG_AUTH_FAILED,
    FLAG_CHAT_SENDER,
    FLAG_UNKNOWN_SENDER,
    channel_flags,
    expresses_consent,
    flags,
    mentioned_addresses,
    needs_verification,
)

TRUSTED = "mx.alottbetter.dk"


def test_header_parts_and_comments() -> None:
    authserv, results = parse_header(
        "mx.alottbetter.dk 1; (a comment; with = signs) spf=pass smtp.mailfrom=example.dk;"
        " dkim=fail (bad (nested) sig) header.d=example.dk; dkim=pass header.d=other.dk;"
        " dmarc=pass header.from=example.dk"
    )
    assert authserv == TRUSTED
    assert results == {"spf": ["pass"], "dkim": ["fail", "pass"], "dmarc": ["pass"]}


@pytest.mark.parametrize(
    ("header", "verdict"),
    [
        (f"{TRUSTED}; dmarc=pass header.from=example.dk", Verdict.PASS),
        (f"{TRUSTED}; dkim=pass; spf=pass; dmarc=fail (p=reject)", Verdict.FAIL),
        (f"{TRUSTED}; spf=fail smtp.mailfrom=example.dk", Verdict.FAIL),
        (f"{TRUSTED}; spf=softfail; dkim=pass header.d=example.dk", Verdict.PASS),
        (f"{TRUSTED}; none", Verdict.NONE),
        (f"{TRUSTED.upper()}; DMARC=Fail", Verdict.FAIL),
    ],
)
def test_verdict_from_the_trusted_server(header: str, verdict: Verdict) -> None:
    assert assess([header], trusted_authserv_id=TRUSTED).verdict == verdict


def test_other_servers_and_an_unset_trust_are_ignored() -> None:
    forged = "evil.example.org; dmarc=pass header.from=alottbetter.dk"
    assert assess([forged], trusted_authserv_id=TRUSTED).verdict == Verdict.NONE
    real = f"{TRUSTED}; dmarc=fail"
    assert assess([forged, real], trusted_authserv_id=TRUSTED).verdict == Verdict.FAIL
    assert assess([real], trusted_authserv_id="").verdict == Verdict.NONE


def test_the_topmost_trusted_header_wins() -> None:
    headers = [f"{TRUSTED}; dmarc=fail", f"{TRUSTED}; dmarc=pass"]
    assert assess(headers, trusted_authserv_id=TRUSTED).verdict == Verdict.FAIL


def test_flags_and_verification() -> None:
    failed = assess([f"{TRUSTED}; dmarc=fail"], trusted_authserv_id=TRUSTED)
    passed = assess([f"{TRUSTED}; dmarc=pass"], trusted_authserv_id=TRUSTED)
    assert flags(failed, directory_in_use=False, sender_known=False) == (FLAG_AUTH_FAILED,)
    assert flags(passed, directory_in_use=False, sender_known=False) == ()
    assert flags(passed, directory_in_use=True, sender_known=False) == (FLAG_UNKNOWN_SENDER,)
    assert needs_verification(["erasure"], [FLAG_AUTH_FAILED])
    assert needs_verification(["access", "complaint"], [FLAG_UNKNOWN_SENDER])
    assert not needs_verification(["consent_withdrawal"], [FLAG_AUTH_FAILED])
    assert not needs_verification(["erasure"], [])


def test_a_chat_requester_is_never_a_verified_identity() -> None:
    assert channel_flags("chat") == (FLAG_CHAT_SENDER,)
    assert channel_flags("smtp") == channel_flags("imap") == ()
    assert needs_verification(["erasure"], channel_flags("chat"))
    assert needs_verification(["access"], channel_flags("chat"))
    assert not needs_verification(["restriction"], channel_flags("chat"))


@pytest.mark.parametrize(
    ("text", "consent"),
    [
        ("Jeg giver hermed min mor Hanne lov til at kommunikere med jer på mine vegne.", True),
        ("Jeg giver mit samtykke til, at min mor skriver til jer.", True),
        ("I hereby give my consent for my mother to act for me.", True),
        ("I authorise my father to speak with you about my data.", True),
        ("I withdraw my consent to marketing.", False),
        ("Jeg vil gerne have slettet mine oplysninger.", False),
    ],
)
def test_consent_reading(text: str, consent: bool) -> None:
    assert expresses_consent(text) is consent


def test_mentioned_addresses_skip_the_writer() -> None:
    text = "Min søn Jonas (Jonas.Hansen@example.dk) vil slettes. Skriv til hanne@example.dk."
    assert mentioned_addresses(text, exclude=["hanne@example.dk"]) == ("jonas.hansen@example.dk",)
