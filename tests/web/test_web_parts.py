"""The dashboard's pieces on their own: folding quoted history, version diffs, the SVG
charts, the case list's filters and paging (fast at 100,000 cases), the CSV, the figures,
and the ``privacybot web adduser`` command."""

from __future__ import annotations

import io
import json
import time
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
from storage.engine import unit_of_work
from storage.models import Case

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
    svg = bar_chart(chart_id="x", title="T <1>", description="D", categories=["2026-01"],
                    series=[("<script>", [3]), ("b", [None])], reference=(30, "1 month"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'role="img"' in svg and "<title id=\"x-t\">T &lt;1&gt;</title>" in svg


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
        rows.append({
            "ref": f"PR-T-{i:06d}", "year": 2000, "seq": i,
            "status": "closed" if i % 10 else "draft_pending",
            "labels": json.dumps([types[i % len(types)]]), "evidence": "[]",
            "confidence": 1.0, "language": "en" if i % 7 == 0 else "da",
            "channel": "chat" if i % 97 == 0 else "smtp",
            "requester": f"p{i}@example.dk", "requester_name": "", "flags": "[]",
            "subject": "Min allergi og helbred" if i % 13 == 0 else f"Sletning {i}",
            "received_at": received, "deadline": (received + timedelta(days=30)).date(),
            "created_at": received, "updated_at": received,
        })
    with unit_of_work(rt.sessions) as session:
        session.execute(insert(Case), rows)
    rt.engine.dispose()


def test_case_list_filters_pages_and_stays_fast_at_100k(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'big.db'}"
    today = date.today()
    _bulk_cases(url, 100_000, today)
    rt = build_runtime(Settings(database={"url": url}))
    try:
        with unit_of_work(rt.sessions) as session:
            started = time.perf_counter()
            first = data.list_cases(session, data.CaseFilter(), today=today)
            assert [r.ref for r in first.rows][:2] == ["PR-T-100000", "PR-T-099999"]
            assert first.older is not None and first.newer is None
            # Page 1,000 costs what page 1 does: keyset paging.
            deep = data.list_cases(session, data.CaseFilter(), today=today, before=50_001)
            assert deep.rows[0].ref == "PR-T-050000" and deep.newer == 50_000
            back = data.list_cases(session, data.CaseFilter(), today=today, after=deep.newer)
            assert back.rows[-1].ref == "PR-T-050001"
            for flt in (
                data.CaseFilter(channel="chat"), data.CaseFilter(language="en"),
                data.CaseFilter(status="draft_pending"), data.CaseFilter(overdue=True),
                data.CaseFilter(type="erasure"), data.CaseFilter(q="pr-t-0777"),
                data.CaseFilter(q="sletning 4242"),
            ):
                page = data.list_cases(session, flt, today=today)
                assert page.rows, flt
            elapsed = time.perf_counter() - started
            assert elapsed < 5.0, f"ten list pages took {elapsed:.2f}s"
            chat = data.list_cases(session, data.CaseFilter(channel="chat"), today=today)
            assert all(r.channel == "chat" for r in chat.rows)
            # No health words in a preview: the sentence is hidden.
            masked = [r for r in first.rows if "hidden" in r.subject]
            assert masked and not any("allergi" in r.subject for r in first.rows)
            assert all(r.requester.startswith("p***@") for r in first.rows)
            plan = " ".join(str(row) for row in session.execute(text(
                "EXPLAIN QUERY PLAN SELECT * FROM \"case\" WHERE channel = 'chat' "
                "ORDER BY id DESC LIMIT 51"
            )))
            assert "ix_case_channel_id" in plan
            started = time.perf_counter()
            fig = data.figures(session, today=today)
            assert time.perf_counter() - started < 10.0
            assert sum(sum(v) for v in fig.per_type.values()) > 50_000
            assert fig.open_cases == 10_000
    finally:
        rt.engine.dispose()


def test_csv_masks_and_defuses_formulas(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'csv.db'}"
    today = date.today()
    _bulk_cases(url, 30, today)
    rt = build_runtime(Settings(database={"url": url}))
    with unit_of_work(rt.sessions) as session:
        session.execute(text("UPDATE \"case\" SET subject = '=HYPERLINK(\"x\")' WHERE seq = 1"))
    with unit_of_work(rt.sessions) as session:
        csv_text, count = data.cases_csv(session, data.CaseFilter(), today=today)
    rt.engine.dispose()
    assert count == 30
    assert "'=HYPERLINK" in csv_text
    assert "allergi" not in csv_text and "@example.dk" in csv_text
    assert "p1@example.dk" not in csv_text
