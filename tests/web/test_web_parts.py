"""The dashboard's pieces on their own: folding quoted history, version diffs, the SVG
charts, the case list's filters and paging (at 100,000 cases), the CSV, the figures,
and the ``privacybot web adduser`` command."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, text

from bot.cli import main
from bot.config import Settings
from bot.runtime import build_runtime
from bot.web import data
from bot.web.auth import LoginLimiter, SessionCodec, check_password, new_session
from bot.web.charts import bar_chart
from storage.audit import append_event
from storage.engine import unit_of_work
from storage.models import Case, Draft, Message

from .conftest import PASSWORD, staff_hash


def test_quoted_history_is_split_off() -> None:
    fresh, quoted = data.split_quoted(
        "Tak for svaret.\nMvh Mette\n\nDen 3. dec. 2026 kl. 10.00 skrev info@x.dk:\n> Hej\n"
    )
    assert fresh == "Tak for svaret.\nMvh Mette"
    assert quoted.startswith("Den 3. dec.") and "> Hej" in quoted
    assert data.split_quoted("> only a quote")[1] == ""  # the first line is always shown
    fresh, quoted = data.split_quoted("Hi\n-----Original Message-----\nFrom: a@b.c\n")
    assert fresh == "Hi" and quoted.startswith("-----Original")


def test_diff_marks_added_and_removed_lines() -> None:
    lines = data.diff_lines("a\nb\nc\n", "a\nB\nc\n")
    assert ("del", "-b") in lines and ("add", "+B") in lines


def test_chart_escapes_names_and_describes_itself() -> None:
    svg = bar_chart(
        chart_id="x",
        title="T <1>",
        description="D",
        categories=["2026-01"],
        series=[("<script>", [3]), ("b", [None])],
        reference=(30, "1 month"),
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'role="img"' in svg and '<title id="x-t">T &lt;1&gt;</title>' in svg


def test_sessions_and_limiter() -> None:
    codec = SessionCodec("k" * 32, max_age_seconds=60)
    session = new_session("anna")
    assert codec.loads(codec.dumps(session)) == session
    assert codec.loads(codec.dumps(session)[:-2] + "xx") is None
    assert SessionCodec("other" * 8, max_age_seconds=60).loads(codec.dumps(session)) is None
    now = [0.0]
    limiter = LoginLimiter(attempts=2, window_seconds=60, clock=lambda: now[0])
    keys = ["user:anna", "ip:1"]
    limiter.failed(keys)
    limiter.failed(keys)
    assert limiter.retry_after(keys) == 60
    assert limiter.retry_after(["user:bo", "ip:1"]) == 0  # an address gets more tries
    now[0] = 61
    assert limiter.retry_after(keys) == 0
    assert check_password({"anna": staff_hash()}, "anna", PASSWORD)
    assert not check_password({"anna": staff_hash()}, "bo", PASSWORD)
    assert not check_password({"anna": "not-a-hash"}, "anna", PASSWORD)


def test_adduser_prints_a_line_that_verifies(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["web", "adduser", "anna.b", "--password-stdin"]) == 0
    line = capsys.readouterr().out.strip()
    name, _, hashed = line.partition(" = ")
    assert json.loads(name) == "anna.b"
    assert check_password({"anna.b": json.loads(hashed)}, "anna.b", "a long enough password")
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["web", "adduser", "anna", "--password-stdin"]) == 2


def test_config_masks_web_secrets() -> None:
    settings = Settings(web={"users": {"anna": staff_hash()}, "session_secret": "x" * 40})
    masked = settings.masked()["web"]
    assert masked["users"] == {"anna": "***"} and masked["session_secret"] == "***"


def _bulk_cases(url: str, count: int, today: date) -> None:
    """``count`` cases written directly: the pipeline would take minutes for this many."""
    rt = build_runtime(Settings(database={"url": url}))
    start = datetime(today.year - 1, today.month, 1, tzinfo=UTC)
    types = data.TYPES
    rows = []
    for i in range(1, count + 1):
        received = start + timedelta(minutes=5 * i)
        rows.append(
            {
                "ref": f"PR-T-{i:06d}",
                "year": 2000,
                "seq": i,
                "status": "closed" if i % 10 else "draft_pending",
                "labels": json.dumps([types[i % len(types)]]),
                "evidence": "[]",
                "confidence": 1.0,
                "language": "en" if i % 7 == 0 else "da",
                "channel": "chat" if i % 97 == 0 else "smtp",
                "requester": f"p{i}@example.dk",
                "requester_name": "",
                "flags": "[]",
                "subject": "Min allergi og helbred" if i % 13 == 0 else f"Sletning {i}",
                "received_at": received,
                "deadline": (received + timedelta(days=30)).date(),
                "created_at": received,
                "updated_at": received,
            }
        )
    with unit_of_work(rt.sessions) as session:
        session.execute(insert(Case), rows)
    rt.engine.dispose()


def test_case_list_filters_and_pages_by_key_at_100k(tmp_path: Path) -> None:
    """Correctness at size; how fast it stays is bench/web_list.py's (docs/PERFORMANCE.md)."""
    url = f"sqlite:///{tmp_path / 'big.db'}"
    today = date.today()
    _bulk_cases(url, 100_000, today)
    rt = build_runtime(Settings(database={"url": url}))
    try:
        with unit_of_work(rt.sessions) as session:
            first = data.list_cases(session, data.CaseFilter(), today=today)
            assert [r.ref for r in first.rows][:2] == ["PR-T-100000", "PR-T-099999"]
            assert first.older is not None and first.newer is None
            # Page 1,000 costs what page 1 does: keyset paging.
            deep = data.list_cases(session, data.CaseFilter(), today=today, before=50_001)
            assert deep.rows[0].ref == "PR-T-050000" and deep.newer == 50_000
            back = data.list_cases(session, data.CaseFilter(), today=today, after=deep.newer)
            assert back.rows[-1].ref == "PR-T-050001"
            for flt in (
                data.CaseFilter(channel="chat"),
                data.CaseFilter(language="en"),
                data.CaseFilter(status="draft_pending"),
                data.CaseFilter(overdue=True),
                data.CaseFilter(type="erasure"),
                data.CaseFilter(q="pr-t-0777"),
                data.CaseFilter(q="sletning 4242"),
            ):
                page = data.list_cases(session, flt, today=today)
                assert page.rows, flt
            chat = data.list_cases(session, data.CaseFilter(channel="chat"), today=today)
            assert all(r.channel == "chat" for r in chat.rows)
            # No health words in a preview: the sentence is hidden.
            masked = [r for r in first.rows if "hidden" in r.subject]
            assert masked and not any("allergi" in r.subject for r in first.rows)
            assert all(r.requester.startswith("p***@") for r in first.rows)
            plan = " ".join(
                str(row)
                for row in session.execute(
                    text(
                        "EXPLAIN QUERY PLAN SELECT * FROM \"case\" WHERE channel = 'chat' "
                        "ORDER BY id DESC LIMIT 51"
                    )
                )
            )
            assert "ix_case_channel_id" in plan
            fig = data.figures(session, today=today)
            assert sum(sum(v) for v in fig.per_type.values()) > 50_000
            assert fig.open_cases == 10_000
    finally:
        rt.engine.dispose()


def test_figures_count_by_local_month_on_both_backends(database_url: str) -> None:
    """Months are Copenhagen months: 23:30 UTC on 30 November is already December."""
    rt = build_runtime(Settings(database={"url": database_url}))
    today = date(2026, 12, 15)

    def utc(*args: int) -> datetime:
        return datetime(*args, tzinfo=UTC)

    cases = [  # received, labels, status, deadline, first approved reply (or None)
        (
            utc(2026, 11, 30, 23, 30),
            ["erasure"],
            "answered",
            date(2027, 1, 4),
            utc(2026, 12, 3, 11, 30),
        ),  # 2.5 days, in time
        (
            utc(2026, 12, 2, 9, 0),
            ["erasure", "access"],
            "answered",
            date(2027, 1, 4),
            utc(2027, 1, 5, 9, 0),
        ),  # 34 days, late
        (utc(2026, 12, 5, 9, 0), ["complaint"], "draft_pending", date(2026, 12, 10), None),
        (
            utc(2026, 3, 10, 12, 0),
            ["access"],
            "closed",
            date(2026, 4, 10),
            utc(2026, 3, 11, 12, 0),
        ),  # 1 day
        (utc(2025, 12, 31, 23, 30), ["erasure"], "closed", date(2026, 2, 2), None),  # Jan
        (utc(2025, 12, 31, 22, 30), ["erasure"], "closed", date(2026, 2, 2), None),  # Dec
    ]
    try:
        with unit_of_work(rt.sessions) as session:
            for seq, (received, labels, status, deadline, answered) in enumerate(cases, 1):
                row = Case(
                    ref=f"PR-F-{seq}",
                    year=2000,
                    seq=seq,
                    status=status,
                    labels=json.dumps(labels),
                    language="da",
                    channel="smtp",
                    requester=f"p{seq}@example.dk",
                    subject="s",
                    received_at=received,
                    deadline=deadline,
                )
                session.add(row)
                session.flush()
                if answered is not None:
                    session.add(
                        Draft(
                            case_id=row.id,
                            status="approved",
                            kind="reply",
                            decided_at=answered,
                            version=1,
                        )
                    )
                    # A later approved reply does not change the time to the first one.
                    session.add(
                        Draft(
                            case_id=row.id,
                            status="approved",
                            kind="reply",
                            decided_at=answered + timedelta(days=50),
                            version=2,
                        )
                    )
            session.add(
                Message(
                    channel="smtp",
                    external_id="ignored-1",
                    raw=b"x",
                    status="ignored",
                    received_at=utc(2026, 12, 1, 8, 0),
                )
            )
            session.add(
                Message(
                    channel="smtp",
                    external_id="ignored-2",
                    raw=b"x",
                    status="ignored",
                    received_at=utc(2025, 11, 1, 8, 0),
                )
            )
            append_event(
                session, actor="privacybot", action="ack_suppressed", at=utc(2026, 2, 14, 12, 0)
            )
        with unit_of_work(rt.sessions) as session:
            fig = data.figures(session, today=today)
    finally:
        rt.engine.dispose()
    assert fig.months[0] == "2026-01" and fig.months[-1] == "2026-12"
    dec, mar, jan = 11, 2, 0
    assert fig.per_type["erasure"][dec] == 2 and fig.per_type["access"][dec] == 1
    assert fig.per_type["complaint"][dec] == 1
    assert fig.per_type["access"][mar] == 1
    assert fig.per_type["erasure"][jan] == 1, "23:30 UTC on 31 Dec 2025 is January here"
    assert sum(map(sum, fig.per_type.values())) == 6
    assert fig.answered[dec] == 2 and fig.answered_late[dec] == 1
    assert fig.answer_median[dec] == pytest.approx((2.5 + 34) / 2)
    assert fig.answer_worst[dec] == 34.0
    assert fig.answered[mar] == 1 and fig.answer_worst[mar] == 1.0
    assert fig.answer_median[jan] is None
    assert fig.loop_ignored[dec] == 1 and sum(fig.loop_ignored) == 1
    assert fig.acks_suppressed[1] == 1 and sum(fig.acks_suppressed) == 1
    assert fig.open_cases == 1 and fig.overdue == 1


def test_a_whole_reference_finds_its_case_and_a_fragment_searches(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'refs.db'}"
    today = date.today()
    _bulk_cases(url, 30, today)
    rt = build_runtime(Settings(database={"url": url}))
    try:
        with unit_of_work(rt.sessions) as session:
            session.execute(text("UPDATE \"case\" SET ref = 'PR-2026-0007' WHERE seq = 7"))
            session.execute(text("UPDATE \"case\" SET subject = 'SV: PR-2026-0007' WHERE seq = 8"))
        with unit_of_work(rt.sessions) as session:
            whole = data.list_cases(session, data.CaseFilter(q="pr-2026-0007"), today=today)
            part = data.list_cases(session, data.CaseFilter(q="2026-0007"), today=today)
    finally:
        rt.engine.dispose()
    assert [r.ref for r in whole.rows] == ["PR-2026-0007"]
    assert sorted(r.ref for r in part.rows) == ["PR-2026-0007", "PR-T-000008"]


def test_csv_masks_and_defuses_formulas(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'csv.db'}"
    today = date.today()
    _bulk_cases(url, 30, today)
    rt = build_runtime(Settings(database={"url": url}))
    with unit_of_work(rt.sessions) as session:
        session.execute(text('UPDATE "case" SET subject = \'=HYPERLINK("x")\' WHERE seq = 1'))
    with unit_of_work(rt.sessions) as session:
        csv_text, count = data.cases_csv(session, data.CaseFilter(), today=today)
    rt.engine.dispose()
    assert count == 30
    assert "'=HYPERLINK" in csv_text
    assert "allergi" not in csv_text and "@example.dk" in csv_text
    assert "p1@example.dk" not in csv_text
