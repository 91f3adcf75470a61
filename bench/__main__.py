"""``python -m bench``: the benchmarks of issue 9, each next to its baseline in one run.

    python -m bench                       # everything, full size (30 to 40 minutes)
    python -m bench --quick               # small sizes, one run each (about 4 minutes)
    python -m bench --only ingest,latency # a subset: ingest latency imap classify import
                                          # growth explain rt
    python -m bench --only ingest --profile /tmp/ingest.raw   # py-spy the service
    python -m bench --only ingest --profile /tmp/cpu.raw --profile-gil  # its CPU only

Figures are medians over ``--runs`` runs; the ingest ratio is taken per run (service and
baseline back to back) and then the median of the ratios. Nothing here is a test: no
figure fails anything, the script only prints (and with ``--json FILE`` writes) them.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import growth, imap_latency, import_bench, ingest, procs, rt_peer
from bot.progress import bar as progress_bar

ALL = ("ingest", "latency", "imap", "classify", "import", "growth", "explain", "rt")


def _machine() -> str:
    import os

    return (f"{platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"SQLite {__import__('sqlite3').sqlite_version}, load avg "
            f"{'/'.join(f'{x:.1f}' for x in os.getloadavg())}")


def _runs(desc: str, total: int):  # type: ignore[no-untyped-def]
    """A bar over a benchmark's runs (rate and ETA) on a terminal; nothing otherwise."""
    return progress_bar(desc, total=total, unit=" runs")


def _log_and_advance(bar):  # type: ignore[no-untyped-def]
    """A ``log`` for bench.ingest: print the run's line above the bar, then advance it."""

    def log(line: str) -> None:
        bar.write(line, file=sys.stdout)
        bar.update(1)

    return log


def run_ingest(args, results) -> None:  # type: ignore[no-untyped-def]
    print(f"\n== 1+5. ingest: {args.n} mails over {args.connections} SMTP connections, "
          f"{args.runs} runs (privacybot = python -m bot run, SQLite; baseline = "
          "bench/baseline_server.py)")
    with _runs("ingest", args.runs) as bar:
        runs = ingest.ingest(args.n, args.runs, connections=args.connections,
                             profile=args.profile, profile_gil=args.profile_gil,
                             log=_log_and_advance(bar))
    summary = ingest.summarise_ingest(runs, args.n)
    results["ingest"] = summary
    print(f"  median: privacybot {summary['privacybot_mails_per_s']:.1f} mails/s end to end, "
          f"baseline {summary['baseline_mails_per_s']:.1f} mails/s, ratio "
          f"{summary['ratio']:.3f} (target >= 0.5); idle RSS {summary['idle_rss_mb']:.1f} MB "
          f"(target < 120), peak RSS {summary['peak_rss_mb']:.1f} MB")
    if args.profile:
        from bench.profile_report import report

        print(report(args.profile, top=25))


def run_latency(args, results) -> None:  # type: ignore[no-untyped-def]
    print(f"\n== 2. latency: the same mix at a steady {args.rate:g} mails/s for "
          f"{args.seconds:g} s, {args.runs} runs")
    with _runs("latency", args.runs) as bar:
        summary = ingest.latency(args.rate, args.seconds, args.runs,
                                 log=_log_and_advance(bar))
    results["latency"] = summary
    print(f"  median: end of DATA -> ack written p50 {summary['ack_p50_ms']:.1f} ms, p99 "
          f"{summary['ack_p99_ms']:.1f} ms (target p99 < 250 ms); end of DATA -> 250 p50 "
          f"{summary['store_p50_ms']:.1f} ms, p99 {summary['store_p99_ms']:.1f} ms")


def run_imap(args, results) -> None:  # type: ignore[no-untyped-def]
    reason = imap_latency.unavailable()
    if reason:
        print(f"\n== 2. latency over IMAP: skipped, Dovecot cannot run here ({reason})")
        return
    print(f"\n== 2. latency over IMAP (Dovecot, IDLE): the same mix APPENDed at a steady "
          f"{args.rate:g} mails/s for {args.seconds:g} s, {args.runs} runs")
    with _runs("imap", args.runs) as bar:
        summary = imap_latency.imap_latency(args.rate, args.seconds, args.runs,
                                            log=_log_and_advance(bar))
    results["imap_latency"] = summary
    print(f"  median: APPEND -> case opened p50 {summary['case_p50_ms']:.0f} ms, p99 "
          f"{summary['case_p99_ms']:.0f} ms (target p99 < 2000 ms); APPEND -> stored p50 "
          f"{summary['stored_p50_ms']:.0f} ms, p99 {summary['stored_p99_ms']:.0f} ms; "
          f"APPEND -> ack written p50 {summary['ack_p50_ms']:.0f} ms, p99 "
          f"{summary['ack_p99_ms']:.0f} ms")


def run_import(args, results) -> None:  # type: ignore[no-untyped-def]
    sizes = [int(s) for s in args.import_sizes.split(",")]
    print(f"\n== 4. import: privacybot import of an mbox of {' / '.join(f'{s:,}' for s in sizes)}"
          f" bench mails, {args.import_runs} run(s) each (baseline = "
          "bench/import_baseline.py)")
    rows = import_bench.import_bench(sizes, args.import_runs, log=print)
    results["import"] = rows
    for row in rows:
        print(f"  {row['messages']:>6,}: {row['msgs_per_s']:6.1f} msgs/s (target >= 500), "
              f"ratio to baseline {row['ratio']:.3f}, CPU {row['cpu_ms_per_msg']:.2f} ms/msg, "
              f"peak RSS {row['peak_rss_mb']:.1f} MB; RSS at 10/25/50/75/100 % of the run: "
              + " / ".join(f"{x:.0f}" for x in row["rss_course_mb"]) + " MB")


def run_rt(args, results) -> None:  # type: ignore[no-untyped-def]
    reason = rt_peer.unavailable()
    if reason:
        print(f"\n== 6. Request Tracker peer: skipped, RT 5 is not installed ({reason})")
        return
    print(f"\n== 6. peer: the same {args.rt_n} mails into Request Tracker 5 (rt-mailgate, "
          f"8 at a time, SQLite, autoreply on) and into privacybot (8 SMTP connections), "
          f"{args.rt_runs} run(s)")
    summary = rt_peer.peer(args.rt_n, args.rt_runs, log=print)
    results["rt"] = summary
    print(f"  median: RT {summary['rt_tickets_per_s']:.2f} tickets/s "
          f"({summary['rt_autoreplies']:.0f} autoreplies for {summary['rt_tickets']:.0f} "
          f"tickets); privacybot {summary['privacybot_mails_per_s']:.1f} mails/s end to end, "
          f"{summary['privacybot_cases_per_s']:.1f} cases/s; privacybot/RT mails per second "
          f"{summary['ratio_mails_per_s']:.0f}x")


def run_classify(args, results) -> None:  # type: ignore[no-untyped-def]
    print("\n== 3. classifier alone: bench/classify_bench.py")
    n = "500" if args.quick else "2000"
    out = subprocess.run([sys.executable, str(procs.ROOT / "bench" / "classify_bench.py"), n],
                         capture_output=True, text=True, check=True, cwd=procs.ROOT).stdout
    print("  " + out.strip().replace("\n", "\n  "))
    results["classify"] = out.strip().splitlines()


def run_growth(args, results) -> None:  # type: ignore[no-untyped-def]
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"\n== 7. growth: ingest of {args.growth_n} mails with 0 / "
          f"{' / '.join(f'{s:,}' for s in sizes)} cases present, {args.growth_runs} run(s)")
    rows = []
    with tempfile.TemporaryDirectory(prefix="privacybot-bench-") as tmp, \
            _runs("growth", (len(sizes) + 1) * args.growth_runs) as bar:
        for size in [0, *sizes]:
            seeded = growth.seed(Path(tmp) / f"seed{size}", size) if size else None
            size_mb = seeded.stat().st_size / 2**20 if seeded else 0.0
            rates, idle, peak = [], [], []
            after_mb = 0.0
            for i in range(args.growth_runs):
                folder = Path(tmp) / f"g{size}.{i}"
                rate, _, counts, mem = ingest.run_service(
                    folder, args.growth_n, f"g{size}.{i}", args.connections, db_seed=seeded)
                rates.append(rate)
                idle.append(mem["idle_rss_mb"])
                peak.append(mem["peak_rss_mb"])
                after_mb = (folder / "privacybot.db").stat().st_size / 2**20
                __import__("shutil").rmtree(folder)
                bar.update(1)
            rows.append({"cases": size, "mails_per_s": statistics.median(rates),
                         "db_mb_before": size_mb, "db_mb_after": after_mb,
                         "idle_rss_mb": statistics.median(idle),
                         "peak_rss_mb": statistics.median(peak)})
            bar.write(f"  {size:>7,} cases: {rows[-1]['mails_per_s']:6.1f} mails/s "
                  f"(runs: {', '.join(f'{r:.1f}' for r in rates)}), database "
                  f"{size_mb:,.0f} MB before, {after_mb:,.0f} MB after; service RSS idle "
                      f"{rows[-1]['idle_rss_mb']:.0f} MB, peak {rows[-1]['peak_rss_mb']:.0f} MB",
                      file=sys.stdout)
    base = rows[0]["mails_per_s"]
    for row in rows:
        row["ratio_to_empty"] = row["mails_per_s"] / base
    results["growth"] = rows
    print("  ratio to the empty database: " + ", ".join(
        f"{r['cases']:,}: {r['ratio_to_empty']:.2f}" for r in rows))


def run_explain(args, results) -> None:  # type: ignore[no-untyped-def]
    size = int(args.sizes.split(",")[-1]) if not args.quick else 10_000
    size = min(size, args.explain_cases)
    print(f"\n== 7b. EXPLAIN QUERY PLAN of every statement the pipeline and outbox send, "
          f"{size:,} cases present (no ANALYZE statistics, as in production)")
    import re

    with tempfile.TemporaryDirectory(prefix="privacybot-bench-") as tmp:
        seeded = growth.seed(Path(tmp) / "seed", size)
        plans = growth.explain(seeded, Path(tmp) / "work")
    for statement, lines in plans:
        short = re.sub(r"SELECT .*? FROM", "SELECT ... FROM", statement)
        if short.startswith("INSERT"):
            continue
        print(f"  {short[:160]}")
        for line in lines:
            print(f"      {line}")
    bad = growth.scans(plans)
    print(f"  statements with a full scan: {len(bad)}")
    for statement, lines in bad:
        print(f"    {re.sub(r'SELECT .*? FROM', 'SELECT ... FROM', statement)[:160]} -> {lines}")
    results["explain_scans"] = [(s, lines) for s, lines in bad]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each")
    parser.add_argument("--only", default=",".join(ALL),
                        help=f"comma-separated subset of {','.join(ALL)}")
    parser.add_argument("--runs", type=int, help="runs per figure (default 3, quick 1)")
    parser.add_argument("-n", type=int, help="mails per ingest run (default 2000, quick 400)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rate", type=float, default=20.0, help="latency: mails per second")
    parser.add_argument("--seconds", type=float, help="latency: length of a run (30, quick 10)")
    parser.add_argument("--sizes", help="growth: cases present (1000,10000,100000; quick "
                        "1000,10000)")
    parser.add_argument("--growth-n", type=int, help="growth: mails per run (1000, quick 300)")
    parser.add_argument("--growth-runs", type=int, help="growth: runs per size (2, quick 1)")
    parser.add_argument("--explain-cases", type=int, default=10_000)
    parser.add_argument("--import-sizes", help="import: mbox sizes (2000,5000,20000; quick "
                        "500,2000)")
    parser.add_argument("--import-runs", type=int, default=1, help="import: runs per size")
    parser.add_argument("--rt-n", type=int, help="rt: mails per run (500, quick 100)")
    parser.add_argument("--rt-runs", type=int, default=1, help="rt: runs")
    parser.add_argument("--profile", type=Path, help="ingest: py-spy raw profile of run 1")
    parser.add_argument("--profile-gil", action="store_true",
                        help="ingest: profile only the thread holding the GIL (CPU), "
                        "not every thread with its waits")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    quick = args.quick
    args.runs = args.runs or (1 if quick else 3)
    args.n = args.n or (400 if quick else 2000)
    args.seconds = args.seconds or (10.0 if quick else 30.0)
    args.sizes = args.sizes or ("1000,10000" if quick else "1000,10000,100000")
    args.growth_n = args.growth_n or (300 if quick else 1000)
    args.growth_runs = args.growth_runs or (1 if quick else 2)
    args.import_sizes = args.import_sizes or ("500,2000" if quick else "2000,5000,20000")
    args.rt_n = args.rt_n or (100 if quick else 500)
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(only) - set(ALL)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    started = datetime.now(UTC)
    print(f"privacybot benchmarks, {started:%Y-%m-%d %H:%M} UTC; {_machine()}")
    print(f"command: python -m bench {' '.join(argv if argv is not None else sys.argv[1:])}")
    results: dict = {"started": started.isoformat(), "machine": _machine()}
    t0 = time.perf_counter()
    for name in ALL:
        if name in only:
            globals()[f"run_{name}"](args, results)
    print(f"\n(done in {time.perf_counter() - t0:.0f} s; machine at the end: {_machine()})")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
