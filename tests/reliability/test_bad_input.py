"""Bad input: the parser, classifier and loop guard never crash, and every mail that
arrives is stored once and ends processed or in triage with a reason a person can read.

Property tests drive ``normalise.parse``, ``classify`` and ``loop_guard`` with generated
mails; a seeded corpus of a couple of thousand hostile and mutated mails then goes the
whole way through the listener's store function and the pipeline on a real database.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import compat32
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot import pipeline
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from bot.smtp_listener import external_id_for, store_mail
from handlers import classify, loop_guard, normalise
from handlers.values import Channel, Inbound, RequestType
from storage.audit import verify_chain
from storage.engine import unit_of_work
from storage.models import Message, OutboxItem
from tests.reliability import mail_factory as mf

OWN = frozenset({"info@alottbetter.dk"})
DOMAINS = frozenset({"alottbetter.dk"})
CORPUS_SIZE = 1500


def check_invariants(inbound: Inbound) -> None:
    """What every later step relies on, whatever the mail was."""
    assert isinstance(inbound.text, str) and "\x00" not in inbound.text
    for field in (inbound.subject, inbound.sender, inbound.sender_name):
        assert isinstance(field, str)
        assert not any(ch in field for ch in "\r\n\x00"), "a one-line field has a line break"
    assert inbound.external_id and len(inbound.external_id) <= 512
    result = classify.classify(inbound)
    assert result.labels, "the classifier returned no label"
    if RequestType.NOT_PRIVACY in result.labels:
        assert result.labels == (RequestType.NOT_PRIVACY,)
    assert 0.0 <= result.confidence <= 1.0
    verdict = loop_guard.check(inbound, own_addresses=OWN, own_domains=DOMAINS)
    assert verdict is None or verdict.rule


header_names = st.sampled_from(
    [
        "From",
        "To",
        "Subject",
        "Message-ID",
        "In-Reply-To",
        "References",
        "Content-Type",
        "Content-Transfer-Encoding",
        "Auto-Submitted",
        "Precedence",
        "List-Id",
        "Return-Path",
        "X-Loop",
        "Reply-To",
        "Date",
        "MIME-Version",
    ]
)
header_values = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.sampled_from(
        [
            "=?UTF-8?Q?Hi=0ABcc:_x@evil.example?=",
            "=?uft-8?q?hej?=",
            "=?bogus?B?!!!?=",
            'multipart/mixed; boundary="B"',
            "text/plain; charset=uft-8",
            "<>",
            "<<>>",
            "alice@example.org@<bob@example.org>",
            "auto-replied",
            "bulk",
            ";" * 500,
        ]
    ),
)


@st.composite
def generated_mails(draw: st.DrawFn) -> bytes:
    headers = draw(st.lists(st.tuples(header_names, header_values), max_size=12))
    body = draw(st.one_of(st.text(max_size=2000), st.binary(max_size=2000)))
    head = b"".join(
        name.encode() + b": " + value.encode("utf-8", "surrogateescape") + b"\r\n"
        for name, value in headers
    )
    data = body if isinstance(body, bytes) else body.encode("utf-8", "surrogateescape")
    return head + b"\r\n" + data


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated_mails())
def test_generated_mails_never_crash_the_decisions(raw: bytes) -> None:
    check_invariants(normalise.parse(raw, Channel.SMTP))


@settings(max_examples=600, deadline=None)
@given(st.binary(max_size=5000))
def test_arbitrary_bytes_never_crash_the_decisions(raw: bytes) -> None:
    check_invariants(normalise.parse(raw, Channel.SMTP))


@settings(max_examples=400, deadline=None)
@given(st.sampled_from([mf.plain, *mf.CHEAP]), st.randoms(use_true_random=False))
def test_mutated_mails_never_crash_the_decisions(make: Callable[[str], bytes], rng) -> None:  # type: ignore[no-untyped-def]
    raw = mf.mutate(make("h.1@fuzz.example"), rng)
    check_invariants(normalise.parse(raw, Channel.SMTP))


# --------------------------------------------------------------------------- pipeline


@pytest.fixture
def rt(make_settings: Callable[..., Settings]) -> Runtime:
    runtime = build_runtime(make_settings(policy={"acks_per_hour_global": 100_000}))
    yield runtime
    runtime.engine.dispose()


def drain(runtime: Runtime) -> Counter[str]:
    seen: Counter[str] = Counter()
    while outcomes := pipeline.process_pending(runtime, limit=100):
        seen.update(o.status for o in outcomes)
    return seen


def test_hostile_corpus_is_stored_once_and_processed_or_in_triage(rt: Runtime) -> None:
    keys: dict[str, str] = {}
    for label, raw in mf.corpus(CORPUS_SIZE, seed=11):
        row_id, _created = store_mail(rt, raw, channel=Channel.SMTP)
        assert row_id > 0, label
        keys.setdefault(external_id_for(raw)[0], label)
    drain(rt)
    with unit_of_work(rt.sessions) as session:
        rows = list(session.execute(select(Message)).scalars())
        acks = list(session.execute(select(OutboxItem)).scalars())
        report = verify_chain(session)
    assert report.ok
    statuses = Counter(r.status for r in rows)
    assert len(rows) == len(keys), "a mail was lost or stored twice"
    assert set(statuses) <= {"processed", "ignored", "triage"}, statuses
    for row in rows:
        if row.status == "triage":
            assert row.error, "a message in triage must say why"
    for item in acks:
        check_outgoing_headers(item.payload, expected_to=item.recipient)
    reasons = Counter(r.error for r in rows if r.status == "triage")
    assert reasons["parse-error:RecursionError"] >= 1
    print(
        f"\nhostile corpus: {len(rows)} stored, {dict(statuses)}, triage {dict(reasons)}, "
        f"{len(acks)} outgoing"
    )


def check_outgoing_headers(payload: bytes, *, expected_to: str) -> None:
    """No header line privacybot did not mean to write; one recipient, the sender."""
    message = BytesParser(policy=compat32).parsebytes(payload, headersonly=True)
    names = {name.lower() for name in message}
    assert not names & {"bcc", "cc", "resent-to", "resent-bcc"}, names
    assert [v.replace("\r\n", "").strip() for v in message.get_all("To", [])] == [expected_to]
    for line in payload.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        assert not line.lower().startswith((b"bcc:", b"cc:")), line


def test_parser_recursion_error_puts_the_message_in_triage(rt: Runtime) -> None:
    row_id, _ = store_mail(rt, mf.deep_nesting("deep.1@fuzz.example"), channel=Channel.SMTP)
    drain(rt)
    with unit_of_work(rt.sessions) as session:
        row = session.get(Message, row_id)
        assert row is not None
        assert row.status == "triage" and row.error == "parse-error:RecursionError"
        assert row.case_id is None and len(row.raw) > 300_000, "the raw mail is kept"


def test_unknown_charset_is_decoded_and_the_request_still_opens_a_case(rt: Runtime) -> None:
    raw = mf.plain(
        "uft.1@fuzz.example", "Slet venligst alle mine personoplysninger. æøå", charset="uft-8"
    )
    assert normalise.parse(raw, Channel.SMTP).defects == ("unknown-charset:uft-8",)
    row_id, _ = store_mail(rt, raw, channel=Channel.SMTP)
    drain(rt)
    with unit_of_work(rt.sessions) as session:
        row = session.get(Message, row_id)
        assert row is not None and row.status == "processed" and row.case_id
        assert "æøå" in row.text
        assert json.loads(row.labels) == ["erasure"]


@pytest.mark.parametrize("error", [LookupError("unknown encoding: uft-8"), RecursionError()])
def test_an_error_while_deciding_is_triage_not_a_crash_loop(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    def explode(inbound: Inbound, phrases: object = (), **options: object):  # type: ignore[no-untyped-def]
        raise error

    monkeypatch.setattr(pipeline.classify, "classify", explode)
    row_id, _ = store_mail(rt, mf.plain("boom.1@fuzz.example"), channel=Channel.SMTP)
    outcomes = pipeline.process_pending(rt)
    assert [o.status for o in outcomes] == ["triage"]
    assert pipeline.process_pending(rt) == [], "the message must not be tried again"
    with unit_of_work(rt.sessions) as session:
        row = session.get(Message, row_id)
        assert row is not None and row.status == "triage"
        assert row.error == f"error:{type(error).__name__}"
        assert verify_chain(session).ok


def test_a_message_that_keeps_killing_the_worker_ends_in_triage(rt: Runtime) -> None:
    """Claims that never finish (the process died each time) stop after CRASH_LIMIT."""
    row_id, _ = store_mail(rt, mf.plain("kill.1@fuzz.example"), channel=Channel.SMTP)
    with unit_of_work(rt.sessions) as session:
        row = session.get(Message, row_id)
        assert row is not None
        row.attempts = pipeline.CRASH_LIMIT
    [outcome] = pipeline.process_pending(rt)
    assert outcome.status == "triage" and outcome.rule == "processing-interrupted"


# --------------------------------------------------------------------------- CVE-2024-6923


INJECTING_SUBJECT = b"=?UTF-8?Q?Slet_mine_data=0ABcc:_injected@evil.example?="


def test_stdlib_on_this_python_would_inject_a_bcc_when_a_parsed_header_is_reused() -> None:
    """Shows the hole the next test proves closed; skipped where the stdlib is fixed."""
    from email import message_from_bytes
    from email.message import EmailMessage
    from email.policy import default

    parsed = message_from_bytes(b"Subject: " + INJECTING_SUBJECT + b"\r\n\r\nx", policy=default)
    out = EmailMessage()
    try:
        out["Subject"] = parsed["Subject"]
        wire = out.as_bytes()
    except ValueError:
        pytest.skip("this Python refuses the reused header (CVE-2024-6923 fixed)")
    if b"\nBcc:" not in wire:
        pytest.skip("this Python re-encodes the newline (CVE-2024-6923 fixed)")


def test_encoded_newline_in_subject_and_name_injects_no_bcc(rt: Runtime) -> None:
    raw = mf.plain(
        "cve.1@fuzz.example",
        "Jeg vil gerne have slettet alle mine personoplysninger.",
        subject=INJECTING_SUBJECT,
        sender=b"=?UTF-8?Q?Mette=0D=0ABcc:_other@evil.example?= <mette@example.dk>",
    )
    store_mail(rt, raw, channel=Channel.SMTP)
    drain(rt)
    with unit_of_work(rt.sessions) as session:
        [ack] = list(session.execute(select(OutboxItem)).scalars())
    assert b"evil.example" not in ack.payload.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ")
    check_outgoing_headers(ack.payload, expected_to="mette@example.dk")


def test_build_message_flattens_line_breaks_from_any_source() -> None:
    from bot.mail import build_message
    from handlers.values import OutgoingMail

    mail = OutgoingMail(
        to="mette@example.dk",
        sender="info@alottbetter.dk",
        subject="[PR-2026-0001] Re: Hi\r\nBcc: injected@evil.example\x00\u2028x",
        body="Hej\n",
        message_id="<ack.PR-2026-0001.1@alottbetter.dk>",
        headers={"In-Reply-To": "<a@b>\r\nBcc: injected@evil.example"},
    )
    payload = build_message(
        mail, sender_name='Evil"\r\nBcc: x@evil.example', date=datetime(2026, 11, 2, tzinfo=UTC)
    )
    check_outgoing_headers(payload, expected_to="mette@example.dk")
    with pytest.raises(ValueError):
        build_message(
            OutgoingMail(
                to="a@b.dk, c@evil.example",
                sender="info@alottbetter.dk",
                subject="s",
                body="b",
                message_id="<m@alottbetter.dk>",
            ),
            sender_name="",
            date=datetime(2026, 11, 2, tzinfo=UTC),
        )


# --------------------------------------------------------------------------- memory

#: Run in a child process, so that its peak resident size is this work's and nothing else's.
MEMORY_PROBE = """
import json, sys
from bot import pipeline
from bot.config import Settings
from bot.runtime import build_runtime
from bot.smtp_listener import store_mail
from handlers.values import Channel
from tests.reliability import mail_factory as mf

def peak_mb():
    # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over from the parent
    # across fork and exec, so a big pytest process would hide this one's own peak.
    with open("/proc/self/status") as status:
        line = next(x for x in status if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024

folder = sys.argv[1]
rt = build_runtime(Settings(database={"url": f"sqlite:///{folder}/m.db"},
                            outbox={"folder": f"{folder}/outbox"},
                            policy={"acks_per_hour_global": 100000}))
def take(raw):
    store_mail(rt, raw, channel=Channel.SMTP)
    while pipeline.process_pending(rt):
        pass

take(mf.plain("warm.1@fuzz.example"))
peaks = [peak_mb()]
heavy = (mf.big_attachment, mf.long_line, mf.deep_nesting, mf.many_parts,
         mf.header_stuffing)
for round_ in range(ROUNDS):
    for i, make in enumerate(heavy):
        take(make(f"heavy{round_}.{i}@fuzz.example"))
    peaks.append(peak_mb())
print(json.dumps(peaks))
"""


def test_the_heaviest_mails_keep_memory_bounded(tmp_path: Path) -> None:
    """A 10 MB attachment, a 1 MB line, 5,000 levels and 5,000 parts, 10,000 ``;``: each
    costs a bounded multiple of its size while it is decided, and taking them again and
    again does not add up (nothing is kept per mail in memory)."""
    rounds = 3
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE.replace("ROUNDS", str(rounds)), str(tmp_path)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    base, first, *_, last = json.loads(done.stdout)
    print(
        f"\nmemory: {base:.0f} MB after one plain mail, {first:.0f} MB peak after the first "
        f"round of heavy mails, {last:.0f} MB after {rounds} rounds"
    )
    assert first - base < 25 * 10, "one 10 MB mail took more than 25 times its size"
    assert last - first < 64, "memory grows with the number of heavy mails"
    runtime = build_runtime(Settings(database={"url": f"sqlite:///{tmp_path}/m.db"}), migrate=False)
    try:
        with unit_of_work(runtime.sessions) as session:
            statuses = Counter(session.execute(select(Message.status)).scalars())
    finally:
        runtime.engine.dispose()
    assert sum(statuses.values()) == 1 + 5 * rounds
    assert set(statuses) <= {"processed", "triage"}, statuses
