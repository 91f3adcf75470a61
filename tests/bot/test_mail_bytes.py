"""``build_message`` writes the bytes the ``email`` package would write (issue 9).

Plain letters (ASCII headers on one line, a 7bit or quoted-printable body) are written
directly instead of through the package; everything here compares those bytes with the
package's own for the same headers and body, so the shortcut cannot change a letter.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email import message_from_bytes
from email.policy import default

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import mail as outgoing
from bot import outbox
from bot.config import Settings
from handlers import drafting
from handlers.values import CaseView, Channel, Inbound, OutgoingMail, RequestType

DATE = datetime(2026, 12, 3, 8, 40, 14, tzinfo=UTC)


def _parts(mail: OutgoingMail, sender_name: str, date: datetime):  # type: ignore[no-untyped-def]
    """The header list ``build_message`` makes, to hand to both writers."""
    built = outgoing.build_message(mail, sender_name=sender_name, date=date)
    name = outgoing._display_name(sender_name)
    sender = outgoing.address_text(mail.sender)
    headers = [
        ("From", f"{name} <{sender}>" if name else sender),
        ("To", outgoing.address_text(mail.to)),
        ("Subject", outgoing.header_text(mail.subject)),
        ("Date", outgoing.format_datetime(date)),
        ("Message-ID", outgoing.header_text(mail.message_id)),
    ]
    extra = []
    for header, value in mail.headers.items():
        text = outgoing.header_text(value, limit=4000)
        if text:
            extra.append(
                (outgoing.header_text(header, limit=76).replace(" ", "-").replace(":", ""), text)
            )
    return built, headers, extra


def _same_as_package(
    mail: OutgoingMail, sender_name: str = "ALOTTbetter ApS", date: datetime = DATE
) -> bool:
    """Assert the bytes equal the package's; True when the direct writer made them."""
    built, headers, extra = _parts(mail, sender_name, date)
    expected = outgoing._build_with_email_package(headers, extra, mail.body)
    assert built == expected
    return outgoing._build_plain(headers, extra, mail.body) is not None


def _acknowledgement(language: str, subject: str, name: str) -> OutgoingMail:
    settings = Settings()
    env = drafting.make_environment(settings.company.templates_folder)
    received = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    case = CaseView(
        ref="PR-2026-0042",
        labels=(RequestType.ERASURE,),
        language=language,
        received_at=received,
        deadline=received.date() + timedelta(days=31),
        requester_name=name,
        requester_address="kunde@example.dk",
        subject=subject,
        status="new",
    )
    inbound = Inbound(
        channel=Channel.SMTP,
        external_id="x",
        sender="kunde@example.dk",
        sender_name=name,
        recipients=("info@alottbetter.dk",),
        subject=subject,
        text="Slet mine oplysninger",
        quoted="",
        language=language,
        message_id="<abc.123@mail.example.dk>",
        references=("<first@mail.example.dk>", "<abc.123@mail.example.dk>"),
        in_reply_to="<abc.123@mail.example.dk>",
    )
    return drafting.acknowledgement(
        env, case=case, inbound=inbound, company=settings.company_value()
    )


def test_acknowledgements_are_written_directly_and_byte_for_byte() -> None:
    for language in ("da", "en"):
        for subject, name in [
            ("Slet mine oplysninger", "Søren Ærø"),
            ("Delete my data", "Kim"),
            ("", ""),
        ]:
            ack = _acknowledgement(language, subject, name)
            assert _same_as_package(ack), (language, subject)
            parsed = message_from_bytes(
                outgoing.build_message(ack, sender_name="ALOTTbetter ApS", date=DATE),
                policy=default,
            )
            assert parsed["Content-Language"] == language
            assert parsed["In-Reply-To"] == "<abc.123@mail.example.dk>"
            assert parsed["Message-ID"] == "<ack.PR-2026-0042.1@alottbetter.dk>"
            assert parsed.get_content().replace("\r\n", "\n") == ack.body.rstrip("\n") + "\n"
            # and the outbox reads it back directly, as the parser does
            payload = outgoing.build_message(ack, sender_name="ALOTTbetter ApS", date=DATE)
            assert outbox._plain_letter(payload) == outbox._parsed_letter(payload)
            assert outbox._plain_letter(payload)[1] == language


def test_letters_the_package_must_write_are_still_the_same() -> None:
    base = OutgoingMail(
        to="a@example.dk",
        sender="info@alottbetter.dk",
        subject="Hej",
        body="Hej\n",
        message_id="<m.1@alottbetter.dk>",
        headers={"Content-Language": "da"},
    )
    cases = [
        base,
        OutgoingMail(**{**base.__dict__, "subject": "Kvittering for din henvendelse: æøå"}),
        OutgoingMail(**{**base.__dict__, "subject": "x" * 120}),
        OutgoingMail(**{**base.__dict__, "subject": "=?utf-8?q?Hi=0ABcc:_x@y?="}),
        OutgoingMail(**{**base.__dict__, "body": "Kort linje med æøå\n"}),  # 8bit
        OutgoingMail(**{**base.__dict__, "body": "ÆØÅ" * 200 + "\n"}),  # base64
        OutgoingMail(**{**base.__dict__, "body": "a" * 200 + "\n\n" + "=" * 90 + " \n"}),
        OutgoingMail(**{**base.__dict__, "body": ""}),
        OutgoingMail(**{**base.__dict__, "body": "no newline at the end"}),
        OutgoingMail(**{**base.__dict__, "body": "From me\r\nline\rmore\n.\n"}),
        OutgoingMail(**{**base.__dict__, "message_id": "not an id"}),
        OutgoingMail(
            **{
                **base.__dict__,
                "headers": {"References": " ".join(f"<id{i}@mail.example.dk>" for i in range(12))},
            }
        ),
        OutgoingMail(**{**base.__dict__, "headers": {"X-Ünïcode": "v", "X-A": "ü"}}),
    ]
    for mail in cases:
        _same_as_package(mail)
    for date in (
        datetime(2026, 1, 2, 3, 4, 5),
        datetime(2026, 6, 1, tzinfo=timezone(timedelta(hours=2))),
    ):
        _same_as_package(base, date=date)
    with pytest.raises(ValueError):  # the package's own rule, kept: one Content-Type
        outgoing.build_message(
            OutgoingMail(**{**base.__dict__, "headers": {"Content-Type": "text/html"}}),
            sender_name="",
            date=DATE,
        )
    for name in ("", 'Quote " and \\ back', "Parens (x) <y>, z; w: v", "Ærø ApS", "=?x?="):
        _same_as_package(base, sender_name=name)


_TEXT = st.lists(
    st.sampled_from(
        list("abcXYZ019 .,;:<>()[]\"'\\=?!@#-_/")
        + ["æ", "Ø", "é", "😀", "\t", "\r", "\n", "\x00", "\u2028", "=?", "?=", "  "]
    ),
    max_size=110,
).map("".join)
#: Mostly what the direct writer takes: printable ASCII of every kind.
_ASCII = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80)
_VALUE = st.one_of(_ASCII, _TEXT)
_BODY = st.lists(
    st.one_of(_VALUE, st.text(alphabet="ab =", min_size=70, max_size=170)), max_size=14
).map("\n".join)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    subject=_VALUE,
    name=_VALUE,
    body=_BODY,
    value=_VALUE,
    header=st.sampled_from(
        [
            "In-Reply-To",
            "References",
            "X-Loop",
            "Content-Language",
            "Auto-Submitted",
            "Subject",
            "X y",
            "x:z",
        ]
    ),
)
def test_any_letter_is_what_the_package_writes(
    subject: str, name: str, body: str, value: str, header: str
) -> None:
    mail = OutgoingMail(
        to="kunde@example.dk",
        sender="info@alottbetter.dk",
        subject=subject,
        body=body,
        message_id="<ack.PR-2026-0001.1@alottbetter.dk>",
        headers={header: value, "Auto-Submitted": "auto-replied"},
    )
    try:
        _same_as_package(mail, sender_name=name)
        _read_back_as_the_parser_does(mail, name)
    except ValueError:  # the package refuses it (a second Subject): so must build_message
        try:
            outgoing.build_message(mail, sender_name=name, date=DATE)
        except ValueError:
            return
        raise


def _read_back_as_the_parser_does(mail: OutgoingMail, name: str) -> None:
    """The outbox records a sent letter's text: read directly (``_plain_letter``) or by
    the parser, the same text and language."""
    payload = outgoing.build_message(mail, sender_name=name, date=DATE)
    direct = outbox._plain_letter(payload)
    assert direct is None or direct == outbox._parsed_letter(payload)


@settings(max_examples=300, deadline=None)
@given(
    head=st.lists(
        st.tuples(
            st.sampled_from(
                ["Content-Type", "content-type", "Content-Transfer-Encoding",
                 "Content-Language", "Subject", "X", ""]
            ),
            st.sampled_from(
                ['text/plain; charset="utf-8"', "7bit", "quoted-printable", "7BIT ",
                 " da", "en ", "base64", 'text/html; charset="utf-8"', "", "x\ty", "a:b",
                 "x-uue"]
            ),
            st.sampled_from([": ", ":", ":\t", " : ", ":  "]),
        ),
        max_size=6,
    ),
    body=st.text(alphabet="ab =\r\n3D\t.", max_size=120),
    joint=st.sampled_from(["\r\n", "\r\n", "\r\n", "\n", "\r\n "]),
    typed=st.booleans(),
)
def test_any_payload_is_read_as_the_parser_reads_it(
    head: list[tuple[str, str, str]], body: str, joint: str, typed: bool
) -> None:
    if typed:  # most payloads the direct reading takes begin so
        head = [("Content-Type", 'text/plain; charset="utf-8"', ": "), *head]
    payload = (
        joint.join(name + colon + value for name, value, colon in head) + "\r\n\r\n" + body
    ).encode("ascii")
    direct = outbox._plain_letter(payload)
    assert direct is None or direct == outbox._parsed_letter(payload)
