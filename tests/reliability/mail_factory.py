"""Hostile mail, generated: what real clients, broken servers and attackers send.

Each generator returns raw bytes as they would arrive on the SMTP listener. The list
follows the bad-input catalogue of ``research/reliability.md`` (B1-B18): lying and unknown
charsets, broken MIME boundaries, nesting deeper than the stdlib's recursion limit, large
attachments and single-line bodies, NUL bytes, raw 8-bit and invalid UTF-8 in headers,
CR/LF smuggled into subjects and names (CVE-2024-6923), CVE-2023-27043 address shapes.
``corpus`` mixes them with seeded byte-level mutations of ordinary requests, so a failure
is reproducible from its seed and index.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable, Iterator

CRLF = b"\r\n"
REQUESTS = (
    "Jeg vil gerne have slettet alle mine personoplysninger hos jer.",
    "Please send me a copy of all personal data you hold about me.",
    "I withdraw my consent to marketing and ask you to delete my data.",
    "Min adresse er forkert i jeres system, ret den venligst.",
    "Hvornår kommer min ordre?",
)


def _headers(
    *,
    sender: bytes = b"Kunde <kunde@example.dk>",
    subject: bytes = b"Mine oplysninger",
    msgid: str,
    extra: tuple[bytes, ...] = (),
) -> bytes:
    lines = [
        b"From: " + sender,
        b"To: info@alottbetter.dk",
        b"Subject: " + subject,
        b"Message-ID: <" + msgid.encode() + b">",
        b"Date: Mon, 02 Nov 2026 10:00:00 +0100",
        b"MIME-Version: 1.0",
        *extra,
    ]
    return CRLF.join(lines) + CRLF


def plain(
    msgid: str,
    body: str = REQUESTS[0],
    *,
    charset: str = "utf-8",
    encoding: str = "utf-8",
    sender: bytes = b"Kunde <kunde@example.dk>",
    subject: bytes = b"Mine oplysninger",
) -> bytes:
    """An ordinary request; ``charset`` is what it claims, ``encoding`` what it is."""
    return (
        _headers(
            sender=sender,
            subject=subject,
            msgid=msgid,
            extra=(
                f"Content-Type: text/plain; charset={charset}".encode(),
                b"Content-Transfer-Encoding: 8bit",
            ),
        )
        + CRLF
        + body.encode(encoding, "replace")
        + CRLF
    )


def lying_charset(msgid: str) -> bytes:
    """B1/B2: declared charsets that do not exist or do not match the bytes."""
    label = random.choice(
        [
            "uft-8",
            "iso-8859-8-i",
            "1",
            "windows-874",
            "cp-850",
            "utf-8 euao6y69zh2w",
            "_iso-2022-jp$esc",
            "unknown",
            "utf-7",
        ]
    )
    return plain(
        msgid,
        "Slet mine data, tak. æøå ÆØÅ",
        charset=label,
        encoding=random.choice(["utf-8", "latin-1"]),
    )


def broken_boundary(msgid: str) -> bytes:
    """B9: a close delimiter missing, a boundary prefixing another, none in the body."""
    kind = random.choice(["missing-close", "prefix", "absent", "duplicate-type"])
    body = REQUESTS[1].encode()
    if kind == "missing-close":
        parts = b"--B1\r\nContent-Type: text/plain\r\n\r\n" + body + b"\r\n"
    elif kind == "prefix":
        parts = (
            b"--B1\r\nContent-Type: text/plain\r\n\r\n"
            + body
            + b"\r\n--B10\r\nContent-Type: text/plain\r\n\r\nx\r\n--B1--\r\n"
        )
    elif kind == "absent":
        parts = body + b"\r\n"
    else:
        parts = b"--B1\r\n\r\n" + body + b"\r\n--B1--\r\n"
    extra = (b'Content-Type: multipart/mixed; boundary="B1"',)
    if kind == "duplicate-type":
        extra += (b'Content-Type: multipart/alternative; boundary="B2"',)
    return _headers(msgid=msgid, extra=extra) + CRLF + parts


def big_attachment(msgid: str, size: int = 10 * 1024 * 1024) -> bytes:
    """B10: a request with a 10 MB attachment (the scan of an ID card, say)."""
    blob = base64.encodebytes(random.randbytes(size))
    return _headers(msgid=msgid, extra=(b'Content-Type: multipart/mixed; boundary="B"',)) + (
        b"\r\n--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + REQUESTS[1].encode()
        + b"\r\n--B\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment; filename=id.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + blob + b"\r\n--B--\r\n"
    )


def deep_nesting(msgid: str, depth: int = 5000) -> bytes:
    """B7: multiparts nested far beyond the stdlib parser's recursion limit."""
    head = b"".join(
        b'--b%d\r\nContent-Type: multipart/mixed; boundary="b%d"\r\n\r\n' % (i, i + 1)
        for i in range(depth)
    )
    tail = b"".join(b"--b%d--\r\n" % i for i in reversed(range(depth + 1)))
    inner = b"--b%d\r\nContent-Type: text/plain\r\n\r\n" % depth + REQUESTS[0].encode() + CRLF
    return _headers(msgid=msgid, extra=(b'Content-Type: multipart/mixed; boundary="b0"',)) + (
        CRLF + head + inner + tail
    )


def many_parts(msgid: str, parts: int = 5000) -> bytes:
    """B8: thousands of tiny parts."""
    body = b"".join(b"--P\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(parts))
    return _headers(msgid=msgid, extra=(b'Content-Type: multipart/mixed; boundary="P"',)) + (
        CRLF + body + b"--P--\r\n"
    )


def header_injection(msgid: str) -> bytes:
    """B4/B5: CR/LF smuggled into the subject and the display name, encoded and raw."""
    subject = random.choice(
        [
            b"=?UTF-8?Q?Slet_mine_data=0ABcc:_injected@evil.example?=",
            b"=?UTF-8?B?" + base64.b64encode(b"Hi\r\nBcc: injected@evil.example") + b"?=",
            b"Hi =?UTF-8?Q?there=0D=0ABcc:_injected@evil.example=0D=0A?=",
            b"Slet\x00mine\x01data\x7f",
        ]
    )
    name = random.choice(
        [
            b"=?UTF-8?Q?Mette=0ABcc:_injected@evil.example?=",
            b'"Mette\\r\\nBcc: injected@evil.example"',
            b"Mette\x00Hansen",
        ]
    )
    return plain(msgid, REQUESTS[0], sender=name + b" <kunde@example.dk>", subject=subject)


def long_line(msgid: str, size: int = 1024 * 1024) -> bytes:
    """B11: a 1 MB body on one line."""
    return plain(msgid, "slet mine data " * (size // 15))


def header_stuffing(msgid: str) -> bytes:
    """B11: a header with 10,000 semicolons (cpython #87075) and a 100 KB header line."""
    return (
        _headers(
            msgid=msgid,
            extra=(
                b"Content-Type: text/plain; charset=utf-8" + b";" * 10_000,
                b"X-Long: " + b"a" * 100_000,
            ),
        )
        + CRLF
        + REQUESTS[1].encode()
        + CRLF
    )


def nul_bytes(msgid: str) -> bytes:
    """NUL bytes in headers and body."""
    return plain(
        msgid,
        "Slet\x00 mine\x00 data\x00",
        sender=b"Kunde\x00 <kunde@example.dk>",
        subject=b"Sle\x00t",
    )


def invalid_utf8_headers(msgid: str) -> bytes:
    """B12: raw 8-bit, invalid UTF-8 in headers; SMTPUTF8 addresses."""
    sender = random.choice(
        [
            b"K\xf8benhavn \xff\xfe <kunde@example.dk>",
            b"<kunde@d\xc3\xa6mo.dk>",
            b"\xc3\x28 <kunde@example.dk>",
        ]
    )
    return plain(msgid, REQUESTS[0], sender=sender, subject=b"Slet \xe6\xf8\xe5 \xc3\x28 \xff")


def weird_addresses(msgid: str) -> bytes:
    """B6: CVE-2023-27043 shapes, no domain, no From at all."""
    sender = random.choice(
        [
            b'"Millions Lottery"@example.com>',
            "HerzlicheGlückwünsche".encode(),
            b"<Ren\xc3\xa9@example.com>",
            b"alice@example.org(<bob@example.org>",
            b"alice@example.org@<bob@example.org>",
            b"",
        ]
    )
    return plain(msgid, REQUESTS[2], sender=sender)


def bad_transfer_encoding(msgid: str) -> bytes:
    """B13: base64 with bad padding and garbage; quoted-printable with '=' at the end."""
    kind = random.choice([b"base64", b"quoted-printable"])
    body = b"U2xldCBtaW5lIGRhdGE=garbage!!" if kind == b"base64" else b"Slet mine data=\r\n="
    return (
        _headers(
            msgid=msgid,
            extra=(
                b"Content-Type: text/plain; charset=utf-8",
                b"Content-Transfer-Encoding: " + kind,
            ),
        )
        + CRLF
        + body
    )


def no_message_id(msgid: str) -> bytes:
    """B15: no Message-ID, no Date (phone clients, some DSNs)."""
    return (
        b"From: Kunde <kunde+" + msgid.encode() + b"@example.dk>\r\n"
        b"To: info@alottbetter.dk\r\nSubject: data\r\n\r\n" + REQUESTS[1].encode() + CRLF
    )


def mutate(raw: bytes, rng: random.Random) -> bytes:
    """Byte flips, truncation, inserted CR/LF/NUL, swapped chunks."""
    data = bytearray(raw)
    for _ in range(rng.randint(1, 8)):
        if not data:
            break
        op = rng.randrange(5)
        pos = rng.randrange(len(data))
        if op == 0:
            data[pos] = rng.randrange(256)
        elif op == 1:
            del data[pos:]
        elif op == 2:
            data[pos:pos] = rng.choice([b"\r\n", b"\n", b"\x00", b"\r", b"=?", b"--B1"])
        elif op == 3:
            end = min(len(data), pos + rng.randint(1, 40))
            data[pos:end] = bytes(reversed(data[pos:end]))
        else:
            data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 20)))
    return bytes(data)


#: Every hand-made kind; the cheap ones repeat in ``corpus``, the expensive ones once.
CHEAP: tuple[Callable[[str], bytes], ...] = (
    lying_charset,
    broken_boundary,
    header_injection,
    nul_bytes,
    invalid_utf8_headers,
    weird_addresses,
    bad_transfer_encoding,
    no_message_id,
)
EXPENSIVE: tuple[Callable[[str], bytes], ...] = (
    big_attachment,
    deep_nesting,
    many_parts,
    long_line,
    header_stuffing,
)


def corpus(n: int, *, seed: int = 7) -> Iterator[tuple[str, bytes]]:
    """``n`` mails: every expensive kind once, then cheap kinds and mutations, seeded.

    Yields ``(label, raw)``; the label names the kind and index, never a person.
    """
    random.seed(seed)
    rng = random.Random(seed)
    for i, make in enumerate(EXPENSIVE):
        yield f"{make.__name__}-{i}", make(f"x{i}.{seed}@fuzz.example")
    for i in range(len(EXPENSIVE), n):
        msgid = f"m{i}.{seed}@fuzz.example"
        if rng.random() < 0.5:
            make = rng.choice(CHEAP)
            yield f"{make.__name__}-{i}", make(msgid)
        else:
            base = rng.choice([plain, *CHEAP])
            source = base(msgid) if base is not plain else plain(msgid, rng.choice(REQUESTS))
            yield f"mutated-{base.__name__}-{i}", mutate(source, rng)
