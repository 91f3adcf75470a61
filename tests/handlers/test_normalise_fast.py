"""The shortcuts of ``normalise.parse`` (issue 9) give exactly what the ``email`` package
gives: the message the feed parser builds, the addresses the header registry reads, the
MIME parameters the registry's string yields. They mirror the standard library's rules,
so a new Python that changes those rules fails here rather than in a letter."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from pathlib import Path

import pytest

from handlers import normalise
from handlers.normalise import _Headers, _plain_mailboxes, _plain_structure

DATA = Path(__file__).resolve().parents[1] / "data"


@contextmanager
def _parsing() -> Iterator[None]:
    """What ``normalise._parse`` sets up around one mail (the policy's per-mail state)."""
    normalise._parsing.headers = {}
    try:
        yield
    finally:
        normalise._parsing.headers = None


def _shape(msg: Message) -> tuple[object, ...]:
    payload = msg._payload  # noqa: SLF001 - the structure itself is what is compared
    if isinstance(payload, list):
        payload = [_shape(part) for part in payload]
    return (
        type(msg).__name__,
        msg._headers,  # noqa: SLF001
        payload,
        msg.preamble,
        msg.epilogue,
        [type(d).__name__ for d in msg.defects],
        msg.get_default_type(),
    )


B = b"==B:x=="
PART = b"Content-Type: text/plain\r\n\r\nhello there\r\n"


def _multipart(body: bytes, boundary: bytes = B) -> bytes:
    return (
        b'From: a@x.dk\r\nContent-Type: multipart/alternative; boundary="' + boundary
        + b'"\r\n\r\n' + body
    )  # fmt: skip


EDGE_CASES = [
    b"From: a@x.dk\r\nSubject: x\r\n\r\nbody",
    b"From: a@x.dk\nSubject: lf only\n\nbody\n",
    b"From: a@x.dk\rSubject: cr only\r\rbody\r",
    b"From: a@x.dk\r\n folded\r\n\tagain\r\n\r\nbody",
    b" continuation first\r\nFrom: a@x.dk\r\n\r\nbody",
    b"From a@x.dk Thu Dec  3 2026\r\nFrom: a@x.dk\r\n\r\nbody",
    b"From: a@x.dk\r\nno colon here\r\n\r\nbody",
    b": no name\r\n\r\nbody",
    b"From: a@x.dk\r\nSubject: no blank line",
    b"From: a@x.dk\r\nSubject: \xc3\xa6\xf8\r\n\r\n\xff\xfe body",
    b"From: a@x.dk\r\nContent-Type: message/rfc822\r\n\r\nFrom: b@y.dk\r\n\r\nhi",
    b"From: a@x.dk\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\n",
    _multipart(b"--" + B + b"\r\n" + PART + b"--" + B + b"--"),
    _multipart(b"--" + B + b"\r\n" + PART + b"--" + B + b"--\r\n"),
    _multipart(b"--" + B + b"\r\n" + PART + b"--" + B + b"--\r\nepilogue\r\n"),
    _multipart(b"pre\r\namble\r\n\r\n--" + B + b"\r\n" + PART + b"--" + B + b"-- \t\r\n"),
    _multipart(b"--" + B + b" \t\r\n" + PART + b"--" + B + b"  \r\n" + PART + b"--" + B + b"--"),
    _multipart(b"--" + B + b"x\r\n" + PART + b"--" + B + b"--"),
    _multipart(b"--" + B + b"\r\n--" + B + b"\r\n" + PART + b"--" + B + b"--"),
    _multipart(b"--" + B + b"\r\n" + PART),
    _multipart(b"--" + B + b"--\r\n" + PART),
    _multipart(b"--" + B + b"\r\nContent-Type: text/plain\r\n--" + B + b"--"),
    _multipart(b"--" + B + b"\r\n\r\nno headers\r\n--" + B + b"--"),
    _multipart(b"--" + B + b"\r\n\r\n--" + B + b"--"),
    _multipart(b"--" + B + b"\r\nX: y\r\n\r\n\r\n\r\n--" + B + b"---\r\n--" + B + b"--"),
    _multipart(b"--" + B + b"\rContent-Type: text/plain\r\rhi\r--" + B + b"--\r"),
    _multipart(b"--" + B + b"\nContent-Type: text/plain\n\nhi\n\n--" + B + b"--\n"),
    _multipart(
        b"--"
        + B
        + b"\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n--c\r\n"
        + PART
        + b"--c--\r\n--"
        + B
        + b"--"
    ),
    _multipart(b"--" + B + b"\r\n bad\r\n\r\nhi\r\n--" + B + b"--"),
    _multipart(b"--x\r\n" + PART + b"--x--", boundary=b"x"),
    b"From: a@x.dk\r\nContent-Type: multipart/mixed\r\n\r\n--x\r\n" + PART + b"--x--",
    b"From: a@x.dk\r\nContent-Type: multipart/digest; boundary=x\r\n\r\n--x\r\n" + PART + b"--x--",
    b"From: a@x.dk\r\nContent-Type: multipart/mixed; boundary=x\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n--x\r\n" + PART + b"--x--",
    b"From: a@x.dk\r\nContent-Type: multipart/mixed; boundary*=utf-8''x\r\n\r\n--x\r\n"
    + PART
    + b"--x--",
]


def _mails() -> list[bytes]:
    files = sorted(DATA.glob("mail/**/*.eml")) + sorted(DATA.glob("corpus/**/*.eml"))
    return [path.read_bytes() for path in files] + EDGE_CASES


def test_plain_structure_is_the_message_the_parser_builds() -> None:
    taken = 0
    for raw in _mails():
        with _parsing():
            quick = _plain_structure(raw)
            if quick is None:
                continue
            taken += 1
            parsed = email.message_from_bytes(raw, policy=normalise._POLICY)
            assert _shape(quick) == _shape(parsed), raw[:200]
    assert taken > 100  # the shortcut is really taken, not only the fallback


ADDRESSES = [
    "info@alottbetter.dk",
    "<info@alottbetter.dk>",
    "Kunde 12 <kunde12@example.dk>",
    '"Hansen, Jens" <jens@example.dk>',
    "Hansen, Jens <jens@example.dk>",
    "=?utf-8?q?S=C3=B8ren?= <soren@example.dk>",
    "jens@example.dk (Jens)",
    "friends: a@x.dk, b@y.dk;",
    "a@x.dk, b@y.dk",
    "A <a@x.dk>,, B <b@y.dk>",
    "a@x.dk, ",
    "J. R. Hansen <j@x.dk>",
    '"jens hansen"@example.dk',
    "Jens  Hansen\t<jens@example.dk>",
    "Jens Hansen<jens@example.dk>",
    "Jens < jens@example.dk >",
    "Jens <JENS@Example.DK>",
    "Jens <jens.@example.dk>",
    "Jens <je..ns@example.dk>",
    "Jens <jens@[127.0.0.1]>",
    "O'Brien <ob@example.ie>",
    '"" <jens@example.dk>',
    '"x@y.com" <real@example.dk>',
    "x@y.com <real@example.dk>",
    "Jens\r\n Hansen <jens@example.dk>",
    "Jens <j@x.dk> ",
    "Jens <j!#$%&'*+/=?^_`{|}~-@x.dk>",
    "Jens <jens@example>",
    "Jens <<jens@example.dk>>",
    "Jens <jens@example.dk> <k@y.dk>",
    "jens@",
    "@example.dk",
    "",
    "Søren <s@x.dk>",
]


@pytest.mark.parametrize("value", ADDRESSES)
def test_plain_mailboxes_read_what_the_registry_reads(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick = _plain_mailboxes(value)
    if quick is None:
        return  # not plain: the registry path is the only path
    msg = email.message_from_bytes(f"To: {value}\r\n\r\n".encode(), policy=normalise._POLICY)
    monkeypatch.setattr(normalise, "_plain_mailboxes", lambda raw: None)
    defects: list[str] = []
    with _parsing():
        assert quick == _Headers(msg, defects).addresses("to")
    assert defects == []


MIME_VALUES = [
    ("content-type", 'text/plain; charset="utf-8"'),
    ("content-type", "TEXT/PLAIN; CHARSET=UTF-8; format=flowed; delsp=yes"),
    ("content-type", 'multipart/alternative;\r\n\tboundary="===============1234=="'),
    ("content-type", "text/plain; charset=a; charset=b"),
    ("content-type", 'application/pdf; name="rapport 2026.pdf"'),
    ("content-type", "text/plain; name=x*y"),
    ("content-type", "text/plain; name*=utf-8''f%C3%B8r.txt"),
    ("content-type", "text/plain (comment); charset=utf-8"),
    ("content-type", 'text/plain; charset="=?utf-8?q?x?="'),
    ("content-type", "text"),
    ("content-disposition", 'attachment; filename="x.txt"'),
    ("content-disposition", "attachment;\r\n filename=x.txt"),
    ("content-disposition", "inline"),
    ("content-transfer-encoding", "base64"),
    ("content-transfer-encoding", "Quoted-Printable"),
    ("content-transfer-encoding", "base64 "),
]


def _readers(name: str, value: object) -> list[str]:
    msg = Message()
    msg._headers = [(name, value)]  # noqa: SLF001 - the same value, two forms
    out = [
        repr(msg.get_content_type()),
        repr(msg.get_boundary()),
        repr(msg.get_content_charset()),
        repr(msg.get_content_disposition()),
        repr(msg.get_filename()),
        str(msg.get("content-transfer-encoding", "8bit")).lower(),
    ]
    for param in ("charset", "boundary", "format", "delsp", "name", "filename"):
        for header in ("content-type", "content-disposition"):
            out.append(repr(msg.get_param(param, None, header)))
    return out


@pytest.mark.parametrize(("name", "value"), MIME_VALUES)
def test_plain_mime_values_read_like_the_registry_objects(name: str, value: str) -> None:
    with _parsing():
        handed_out = normalise._POLICY.header_fetch_parse(name, value)
    registry = email.policy.default.header_fetch_parse(name, value)
    assert _readers(name, handed_out) == _readers(name, registry)
