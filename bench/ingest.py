"""Issue 9 items 1 (ingest throughput), 2 (latency at a steady rate) and 5 (memory).

Ingest: N mails over 8 concurrent SMTP connections to ``python -m bot run`` (SQLite, .eml
outbox, both in a temp folder), timed from the first connection until every mail is
decided (stored, classified, case opened) and the outbox is empty (every acknowledgement
written as a file). In the same run, alternating with it, the baseline server takes the
same mails; the ratio of the two rates is the figure that survives a noisy machine.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import procs
from bench.mails import make_mails
from bench.smtp_load import flood, steady


@dataclass
class IngestRun:
    service_rate: float  # mails/s end to end (stored, decided, acks written)
    smtp_rate: float  # mails/s until the last 250 (stored only)
    baseline_rate: float
    idle_rss_mb: float
    peak_rss_mb: float
    cases: int
    acks: int
    retries: int

    @property
    def ratio(self) -> float:
        return self.service_rate / self.baseline_rate


def run_baseline(folder: Path, n: int, tag: str, connections: int) -> float:
    mails = make_mails(n, tag=tag)
    with procs.start_baseline(folder) as proc:
        seconds, _ = asyncio.run(flood(proc.port, mails, connections=connections))
    return n / seconds


def _py_spy(pid: int, out: Path, *, gil: bool = False) -> subprocess.Popen:
    """py-spy on the service. ``gil``: only the thread holding the GIL, i.e. where the
    CPU goes; otherwise every thread, waiting ones too (where the time goes)."""
    exe = Path(sys.executable).with_name("py-spy")
    mode = ["--gil"] if gil else ["--threads", "--idle"]
    return subprocess.Popen(
        [str(exe), "record", "-p", str(pid), "-r", "200", *mode, "-f", "raw", "-o", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def run_service(folder: Path, n: int, tag: str, connections: int, *,
                base_counts: dict | None = None, db_seed: Path | None = None,
                profile: Path | None = None,
                profile_gil: bool = False) -> tuple[float, float, dict, dict]:
    """One ingest run against the service; returns (e2e rate, smtp rate, counts, mem)."""
    folder.mkdir(parents=True, exist_ok=True)
    if db_seed is not None:
        shutil.copy(db_seed, folder / "privacybot.db")
    mails = make_mails(n, tag=tag)
    with procs.start_service(folder) as proc:
        time.sleep(3.0)  # let start-up work (migrations, first poll) finish: idle memory
        idle = procs.proc_status(proc.pid)
        base = procs.Progress(folder / "privacybot.db").counts()
        spy = _py_spy(proc.pid, profile, gil=profile_gil) if profile else None
        cpu0 = procs.cpu_seconds(proc.pid)
        t0 = time.perf_counter()
        seconds, sent = asyncio.run(flood(proc.port, mails, connections=connections))
        t_end, counts = procs.wait_settled(folder / "privacybot.db", expected=n, base=base)
        cpu = procs.cpu_seconds(proc.pid) - cpu0
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(60)
        peak = procs.proc_status(proc.pid)
    counts = {k: counts[k] - base.get(k, 0) for k in counts}
    counts["retries"] = sent.retries
    mem = {"idle_rss_mb": idle["VmRSS"] / 1024, "peak_rss_mb": peak["VmHWM"] / 1024,
           "cpu_ms_per_mail": 1000 * cpu / n, "cpu_share": cpu / (t_end - t0)}
    return n / (t_end - t0), n / seconds, counts, mem


def ingest(n: int, runs: int, *, connections: int = 8, profile: Path | None = None,
           profile_gil: bool = False, log=print) -> list[IngestRun]:  # type: ignore[no-untyped-def]
    results = []
    with tempfile.TemporaryDirectory(prefix="privacybot-bench-") as tmp:
        for i in range(runs):
            root = Path(tmp) / f"run{i}"
            base_rate = run_baseline(root / "baseline", n, f"b{i}", connections)
            rate, smtp_rate, counts, mem = run_service(
                root / "service", n, f"s{i}", connections,
                profile=profile if i == 0 else None, profile_gil=profile_gil,
            )
            result = IngestRun(rate, smtp_rate, base_rate, mem["idle_rss_mb"],
                               mem["peak_rss_mb"], counts["cases"], counts["acks_sent"],
                               counts["retries"])
            log(f"  run {i + 1}/{runs}: privacybot {rate:6.1f} mails/s end to end "
                f"({smtp_rate:6.1f}/s until last 250), baseline {base_rate:6.1f}/s, "
                f"ratio {result.ratio:.3f}; cases {result.cases}, acks {result.acks}, "
                f"failed {counts['failed']}, 4xx retries {result.retries}; "
                f"RSS idle {result.idle_rss_mb:.1f} MB, peak {result.peak_rss_mb:.1f} MB; "
                f"service CPU {mem['cpu_ms_per_mail']:.1f} ms/mail, "
                f"{100 * mem['cpu_share']:.0f}% of a core")
            results.append(result)
    return results


def summarise_ingest(results: list[IngestRun], n: int) -> dict:
    med = statistics.median
    return {
        "mails": n,
        "runs": len(results),
        "privacybot_mails_per_s": med(r.service_rate for r in results),
        "privacybot_smtp_accept_per_s": med(r.smtp_rate for r in results),
        "baseline_mails_per_s": med(r.baseline_rate for r in results),
        "ratio": med(r.ratio for r in results),
        "idle_rss_mb": med(r.idle_rss_mb for r in results),
        "peak_rss_mb": med(r.peak_rss_mb for r in results),
        "cases_per_run": med(r.cases for r in results),
    }


# --- latency -----------------------------------------------------------------------


def _parse_ts(value: str) -> float:
    return datetime.fromisoformat(value).replace(tzinfo=UTC).timestamp()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def latency(rate: float, seconds: float, runs: int, *, log=print) -> dict:  # type: ignore[no-untyped-def]
    """Open-loop at ``rate`` mails/s of the same mix: end of DATA -> ack file written.

    "Written" is the ack's ``sent_at``, which the outbox worker records right after the
    sender fsynced and renamed the .eml file into the outbox folder.
    """
    per_run = []
    n = int(rate * seconds)
    with tempfile.TemporaryDirectory(prefix="privacybot-bench-") as tmp:
        for i in range(runs):
            folder = Path(tmp) / f"lat{i}"
            mails = make_mails(n, tag=f"l{i}")
            with procs.start_service(folder) as proc:
                # steady state: the first mail meets a service whose classifier and
                # letters are ready, as every later one does (sent 2 s after the start, the
                # first three took 170-230 ms on a slow machine: docs/PERFORMANCE.md, 26)
                procs.wait_log(proc.log, "ready to decide", proc.proc)
                time.sleep(1.0)
                sent = asyncio.run(steady(proc.port, mails, rate=rate))
                procs.wait_settled(folder / "privacybot.db", expected=n)
            import sqlite3

            db = sqlite3.connect(folder / "privacybot.db")
            rows = db.execute(
                "SELECT m.message_id, o.sent_at FROM outbox_item o "
                "JOIN message m ON m.case_id = o.case_id AND m.direction = 'in' "
                "WHERE o.kind = 'ack' AND o.status = 'sent'"
            ).fetchall()
            db.close()
            ack_ms = [(_parse_ts(sent_at) - sent.data_at[mid]) * 1000 for mid, sent_at in rows]
            store_ms = [(sent.ok_at[k] - sent.data_at[k]) * 1000 for k in sent.data_at]
            r = {
                "acks": len(ack_ms),
                "ack_p50_ms": _percentile(ack_ms, 50),
                "ack_p99_ms": _percentile(ack_ms, 99),
                "ack_max_ms": max(ack_ms),
                "store_p50_ms": _percentile(store_ms, 50),
                "store_p99_ms": _percentile(store_ms, 99),
            }
            log(f"  run {i + 1}/{runs}: {n} mails at {rate:g}/s, {r['acks']} acks: "
                f"DATA->ack p50 {r['ack_p50_ms']:.1f} ms, p99 {r['ack_p99_ms']:.1f} ms, "
                f"max {r['ack_max_ms']:.1f} ms; DATA->250 p50 {r['store_p50_ms']:.1f} ms, "
                f"p99 {r['store_p99_ms']:.1f} ms")
            per_run.append(r)
    return {
        "rate": rate, "seconds": seconds, "runs": runs,
        **{k: statistics.median(r[k] for r in per_run) for k in per_run[0]},
    }
