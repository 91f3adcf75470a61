"""Throughput with 1, 2 and 4 workers on PostgreSQL next to 1 worker on SQLite (issue 8).

    .venv/bin/python bench/workers.py              # 1,000 mails per setup, 2 rounds
    .venv/bin/python bench/workers.py -n 400 --rounds 1 --json /tmp/workers.json

Each setup is the production start path, ``python -m bot --config <tmp> run [--workers
N]``, on a fresh database (PostgreSQL: a new, empty database that the workers migrate
together; SQLite: a new file) with the ``.eml`` outbox. The same mails (bench/mails.py)
are sent over 8 SMTP connections (bench/smtp_load.py); "ingest" ends when the last 250
came back, "end to end" when every mail is decided and the outbox is empty (polled in
the database every 50 ms). Rounds go through the setups in turn, so a busy moment of
a shared machine hits all of them; the figures are medians over the rounds.

Nothing here is a test: the script only prints (and with ``--json`` writes) figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make ``bench`` and ``bot`` importable
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from bench.mails import make_mails  # noqa: E402
from bench.procs import ACK_CAP, free_port  # noqa: E402
from bench.smtp_load import flood  # noqa: E402

PG_ADMIN_URL = os.environ.get(
    "PRIVACYBOT_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SETUPS = (("sqlite", 1), ("postgresql", 1), ("postgresql", 2), ("postgresql", 4))
CONNECTIONS = 8


def _listeners(port: int) -> int:
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
            count += 1
    return count


def _settled(url: str, n: int) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            stored, busy, queued = conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM message WHERE direction = 'in'), "
                    "(SELECT count(*) FROM message WHERE status IN ('received','processing')), "
                    "(SELECT count(*) FROM outbox_item WHERE status IN ('pending','sending'))"
                )
            ).one()
    finally:
        engine.dispose()
    return stored >= n and busy == 0 and queued == 0


def run_setup(backend: str, workers: int, n: int, folder: Path) -> dict[str, float]:
    """One setup, one round: start, flood, wait until settled, stop; returns figures."""
    folder.mkdir(parents=True)
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    database = f"privacybot_bench_{uuid.uuid4().hex[:10]}"
    if backend == "postgresql":
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + database
    else:
        url = f"sqlite:///{folder / 'privacybot.db'}"
    port = free_port()
    config = folder / "privacybot.toml"
    config.write_text(
        f'[database]\nurl = "{url}"\n[smtp_listener]\nport = {port}\n'
        f'[outbox]\nfolder = "{folder / "outbox"}"\n'
        f"[policy]\nacks_per_hour_global = {ACK_CAP}\n",
        encoding="utf-8",
    )
    argv = [sys.executable, "-m", "bot", "--config", str(config), "run"]
    if workers > 1:
        argv += ["--workers", str(workers)]
    log = (folder / "service.log").open("wb")
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while _listeners(port) < workers:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{backend} x{workers} did not start; see {log.name}")
            time.sleep(0.05)
        time.sleep(1.0)  # every worker past its start-up, not only its bind
        mails = make_mails(n, tag=uuid.uuid4().hex[:8])
        started = time.perf_counter()
        ingest, sent = asyncio.run(flood(port, mails, connections=CONNECTIONS))
        while not _settled(url, n):
            if time.perf_counter() - started > 900:
                raise RuntimeError(f"{backend} x{workers} did not finish in 15 minutes")
            time.sleep(0.05)
        end_to_end = time.perf_counter() - started
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()
        if backend == "postgresql":
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
    return {
        "ingest_s": ingest,
        "end_to_end_s": end_to_end,
        "ingest_mails_per_s": n / ingest,
        "mails_per_s": n / end_to_end,
        "retries": float(sent.retries),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=1000, help="mails per setup and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", metavar="FILE", help="also write the figures here")
    args = parser.parse_args(argv)

    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {platform.node()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, load avg {load}; {args.n} mails, "
          f"{args.rounds} rounds, {CONNECTIONS} SMTP connections")
    results: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="privacybot-bench-workers-") as tmp:
        for round_no in range(args.rounds):
            for backend, workers in SETUPS:
                name = f"{backend} x{workers}"
                figures = run_setup(
                    backend, workers, args.n, Path(tmp) / f"{round_no}-{backend}-{workers}"
                )
                results.setdefault(name, []).append(figures)
                print(f"  round {round_no + 1} {name:<14} ingest "
                      f"{figures['ingest_mails_per_s']:6.1f} mails/s, end to end "
                      f"{figures['mails_per_s']:6.1f} mails/s ({figures['end_to_end_s']:.1f} s)",
                      flush=True)
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    base = statistics.median(r["mails_per_s"] for r in results["sqlite x1"])
    print(f"\nmedians (load avg at the end {load}):")
    print("| setup | ingest mails/s | end-to-end mails/s | vs SQLite x1 |")
    print("|---|---:|---:|---:|")
    summary = {}
    for name, runs in results.items():
        ingest = statistics.median(r["ingest_mails_per_s"] for r in runs)
        e2e = statistics.median(r["mails_per_s"] for r in runs)
        summary[name] = {"ingest_mails_per_s": ingest, "mails_per_s": e2e, "runs": runs}
        print(f"| {name} | {ingest:.1f} | {e2e:.1f} | {e2e / base:.2f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
