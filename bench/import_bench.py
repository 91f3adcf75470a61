"""Issue 9 item 4: ``privacybot import`` of an mbox, its rate and its peak memory.

The mbox holds the bench mails of ``bench/mails.py`` (the ingest mix). Each size is
imported by the production command, ``python -m bot --config <tmp> import FILE``, into a
fresh SQLite database; nothing is acknowledged (the importer's default: all mail of an
export is old), but every mail is stored and decided, so cases, drafts and audit events
are written. Right before it, the baseline (``bench/import_baseline.py``) reads the same
file into a one-table database, so the ratio of the two rates survives a busy machine.

Peak memory is the child's own ``ru_maxrss`` (from ``wait4``), so it is exact and
includes start-up. Memory is flat when the peak does not grow with the mailbox size; the
resident size is also sampled through the largest run to show its course.
"""

from __future__ import annotations

import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import procs
from bench.mails import make_mails, write_mbox

_TOOK = re.compile(r"import of (\d+) messages took ([\d.]+) s")


@dataclass
class Child:
    """What a finished child process cost: wall time, CPU, peak and sampled RSS."""

    returncode: int
    wall: float
    cpu: float
    peak_rss_mb: float
    #: (seconds since start, RSS MB), sampled every ``interval`` seconds.
    rss: list[tuple[float, float]] = field(default_factory=list)


def run_child(args: list[str], log: Path, *, interval: float = 0.5) -> Child:
    """Run ``args`` to the end, sampling its RSS; ``wait4`` gives its own peak and CPU."""
    with log.open("wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, cwd=procs.ROOT, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        samples = []
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            try:
                rss = procs.proc_status(proc.pid)["VmRSS"] / 1024
                samples.append((time.perf_counter() - t0, rss))
            except (OSError, KeyError):
                pass
            time.sleep(interval)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Child(proc.returncode, wall, usage.ru_utime + usage.ru_stime,
                 usage.ru_maxrss / 1024, samples)


@dataclass
class ImportRun:
    n: int
    rate: float  # messages/s, the importer's own time (from its log line)
    wall_rate: float  # messages/s including start-up and migrations
    cpu_ms: float  # CPU per message, whole process
    peak_rss_mb: float
    baseline_rate: float
    stored: int
    cases: int
    rss: list[tuple[float, float]]

    @property
    def ratio(self) -> float:
        return self.rate / self.baseline_rate


def _config(folder: Path) -> Path:
    config = folder / "privacybot.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{folder / "privacybot.db"}"\n'
        f'[outbox]\nfolder = "{folder / "outbox"}"\n',
        encoding="utf-8",
    )
    return config


def run_baseline(mbox: Path, folder: Path) -> float:
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "baseline.log"
    child = run_child([sys.executable, "-m", "bench.import_baseline", str(mbox),
                       str(folder / "baseline.db")], log)
    if child.returncode != 0:
        raise RuntimeError(f"import baseline failed:\n{log.read_text()[-2000:]}")
    n, seconds = log.read_text().split()
    return int(n) / float(seconds)


def run_import(mbox: Path, folder: Path, n: int, baseline_rate: float) -> ImportRun:
    folder.mkdir(parents=True, exist_ok=True)
    config = _config(folder)
    log = folder / "import.log"
    child = run_child([sys.executable, "-m", "bot", "--config", str(config), "--log-level",
                       "INFO", "import", str(mbox)], log)
    text = log.read_text(errors="replace")
    took = _TOOK.search(text)
    if child.returncode != 0 or not took:
        raise RuntimeError(f"privacybot import failed ({child.returncode}):\n{text[-2000:]}")
    db = sqlite3.connect(folder / "privacybot.db")
    stored, cases = db.execute(
        "SELECT (SELECT count(*) FROM message WHERE status != 'received'),"
        " (SELECT count(*) FROM \"case\")"
    ).fetchone()
    db.close()
    return ImportRun(n, int(took.group(1)) / float(took.group(2)), n / child.wall,
                     1000 * child.cpu / n, child.peak_rss_mb, baseline_rate, stored, cases,
                     child.rss)


def import_bench(sizes: list[int], runs: int = 1, *, log=print) -> list[dict]:  # type: ignore[no-untyped-def]
    """Each size ``runs`` times (baseline, then privacybot); one row per size."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="privacybot-bench-") as tmp:
        t0 = time.perf_counter()
        mails = make_mails(max(sizes), tag="imp")
        log(f"  made {len(mails):,} mails in {time.perf_counter() - t0:.0f} s")
        for size in sizes:
            mbox = Path(tmp) / f"export{size}.mbox"
            mb = write_mbox(mails[:size], mbox) / 2**20
            per_run = []
            for i in range(runs):
                root = Path(tmp) / f"s{size}.{i}"
                base = run_baseline(mbox, root / "baseline")
                r = run_import(mbox, root / "service", size, base)
                per_run.append(r)
                log(f"  {size:>6,} msgs ({mb:.1f} MB mbox), run {i + 1}/{runs}: privacybot "
                    f"{r.rate:6.1f} msgs/s ({r.wall_rate:.1f}/s with start-up), baseline "
                    f"{r.baseline_rate:6.1f} msgs/s, ratio {r.ratio:.3f}; CPU {r.cpu_ms:.2f} "
                    f"ms/msg; peak RSS {r.peak_rss_mb:.1f} MB; decided {r.stored}, "
                    f"cases {r.cases}")
                __import__("shutil").rmtree(root)
            mbox.unlink()
            last = per_run[-1]
            course = _course(last.rss)
            rows.append({
                "messages": size, "mbox_mb": mb,
                "msgs_per_s": statistics.median(r.rate for r in per_run),
                "msgs_per_s_with_startup": statistics.median(r.wall_rate for r in per_run),
                "baseline_msgs_per_s": statistics.median(r.baseline_rate for r in per_run),
                "ratio": statistics.median(r.ratio for r in per_run),
                "cpu_ms_per_msg": statistics.median(r.cpu_ms for r in per_run),
                "peak_rss_mb": statistics.median(r.peak_rss_mb for r in per_run),
                "cases": last.cases, "decided": last.stored, "rss_course_mb": course,
            })
    return rows


def _course(samples: list[tuple[float, float]]) -> list[float]:
    """RSS at 10, 25, 50, 75 and 100 % of the run's time: a growing line shows a leak."""
    if not samples:
        return []
    end = samples[-1][0]
    out = []
    for share in (0.10, 0.25, 0.50, 0.75, 1.0):
        out.append(next(rss for at, rss in samples if at >= share * end))
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="2000,5000,20000")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)
    rows = import_bench([int(s) for s in args.sizes.split(",")], args.runs)
    for row in rows:
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
