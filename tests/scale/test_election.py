"""Leader election with a PostgreSQL advisory lock (bot.election), against the real server.

What matters to an operator: one holder at a time; a holder whose database session is
gone stops its job and another worker takes over within seconds; SQLite always leads.
"""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import text

from bot.election import APPLICATION_PREFIX, AdvisoryLock, lead
from storage.engine import make_engine


def _terminate_lock_sessions(url: str, pid_hint: str = "") -> int:
    """End the lock connections from the server's side (what a dead network looks like)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ended = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name LIKE :name AND datname = current_database()"
                ),
                {"name": f"{APPLICATION_PREFIX}%{pid_hint}"},
            ).scalar_one()
            conn.commit()
            return int(ended)
    finally:
        engine.dispose()


def test_one_holder_at_a_time_and_a_lost_session_frees_the_role(pg_url: str) -> None:
    engine = make_engine(pg_url)
    first, second = AdvisoryLock(engine, "imap:test"), AdvisoryLock(engine, "imap:test")
    other_role = AdvisoryLock(engine, "scheduler")
    try:
        assert first.acquire()
        assert not second.acquire()
        assert other_role.acquire(), "roles are elected independently"
        assert first.healthy()

        first.release()
        assert second.acquire(), "a released role is free at once"
        assert not first.acquire()

        assert _terminate_lock_sessions(pg_url) == 2
        assert not second.healthy(), "a lost connection must mean a lost lead"
        assert first.acquire(), "the server freed the lock with the session"
    finally:
        for lock in (first, second, other_role):
            lock.dispose()
        engine.dispose()


def test_sqlite_always_leads(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    one, two = AdvisoryLock(engine, "scheduler"), AdvisoryLock(engine, "scheduler")
    assert one.acquire() and two.acquire() and one.healthy()
    one.dispose()
    two.dispose()
    engine.dispose()


def test_the_job_moves_to_another_worker_when_its_holder_loses_the_session(
    pg_url: str,
) -> None:
    """Two 'workers' campaign for one role; the holder's session is killed server-side:
    it stops its job, the other starts it within seconds, never both at once."""

    async def scenario() -> list[tuple[str, str, float]]:
        engine = make_engine(pg_url)
        events: list[tuple[str, str, float]] = []
        running: set[str] = set()
        overlap: list[str] = []

        def job(who: str):  # type: ignore[no-untyped-def]
            async def role(until: asyncio.Event) -> None:
                if running:
                    overlap.append(who)
                running.add(who)
                events.append(("start", who, time.monotonic()))
                await until.wait()
                running.discard(who)
                events.append(("stop", who, time.monotonic()))

            return role

        stopping = asyncio.Event()
        locks = {who: AdvisoryLock(engine, "scheduler") for who in ("a", "b")}
        tasks = [
            asyncio.create_task(
                lead(locks[who], stopping, job(who), retry_seconds=0.3, check_seconds=0.3)
            )
            for who in ("a", "b")
        ]
        try:
            deadline = time.monotonic() + 20
            while not events:
                assert time.monotonic() < deadline, "nobody took the role"
                await asyncio.sleep(0.05)
            holder = events[0][1]
            await asyncio.sleep(1.0)  # the other keeps campaigning and keeps losing
            assert [e for e in events if e[0] == "start"] == events[:1]

            # 1. The holder's session ends under it: it must stop the job before anyone
            #    (itself included, once it wins again) starts it anew.
            await _terminate(pg_url, locks[holder])
            deadline = time.monotonic() + 30
            while len([e for e in events if e[0] == "start"]) < 2:
                assert time.monotonic() < deadline, "the role was not taken up again"
                await asyncio.sleep(0.05)
            assert events[1] == ("stop", holder, events[1][2])

            # 2. The holder stops for good: the other worker takes over within seconds.
            current = [e for e in events if e[0] == "start"][-1][1]
            tasks[0 if current == "a" else 1].cancel()
            gone_at = time.monotonic()
            deadline = gone_at + 30
            while [e for e in events if e[0] == "start"][-1][1] == current:
                assert time.monotonic() < deadline, "the role was not taken over"
                await asyncio.sleep(0.05)
            assert not overlap, "two workers ran the role at once"
        finally:
            stopping.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            engine.dispose()
        return events

    events = asyncio.run(scenario())
    starts = [e[1] for e in events if e[0] == "start"]
    assert len(starts) >= 3 and starts[-1] != starts[-2]


async def _terminate(url: str, lock: AdvisoryLock) -> None:
    """End ``lock``'s session from the server's side, as a dropped network would."""
    connection = lock._connection
    assert connection is not None
    backend = await asyncio.to_thread(
        lambda: connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    )
    killer = make_engine(url)
    with killer.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": backend})
        conn.commit()
    killer.dispose()
