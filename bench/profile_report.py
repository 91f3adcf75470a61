"""Summarise a py-spy ``--format raw`` (collapsed stacks) profile of the service.

``python -m bench --only ingest --profile FILE`` records one; this prints the share of
samples per thread, and the functions with the largest inclusive and self share, with
idle samples (threads waiting in select/epoll/lock acquire) left out.
Run: ``python -m bench.profile_report FILE [--top N] [--match TEXT]``.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_IDLE = re.compile(r"\b(select|poll|epoll|wait|_worker \(concurrent|acquire|sleep)\b")


def _frames(stack: str) -> list[str]:
    # frame format: "function (file:line)"; py-spy puts "thread (id)" / process first
    return [f for f in stack.split(";") if f]


def _short(frame: str) -> str:
    frame = re.sub(r":\d+\)$", ")", frame)
    frame = re.sub(r"/\S*/site-packages/", "", frame)
    return frame.replace(str(Path.cwd()) + "/", "")


def load(path: Path) -> list[tuple[list[str], int]]:
    out = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            out.append((_frames(stack), int(count)))
    return out


def report(path: Path, top: int = 30, match: str | None = None) -> str:
    stacks = load(path)
    lines = []
    total = sum(c for _, c in stacks)
    busy = [(f, c) for f, c in stacks if not _IDLE.search(f[-1])]
    busy_total = sum(c for _, c in busy) or 1
    lines.append(f"samples: {total}, busy (not waiting): {busy_total}")
    threads: Counter[str] = Counter()
    for frames, count in busy:
        threads[frames[0] if frames[0].startswith(("thread", "process")) else "?"] += count
    lines.append("busy samples per thread:")
    for name, count in threads.most_common(8):
        lines.append(f"  {100 * count / busy_total:5.1f}%  {name}")
    inclusive: Counter[str] = Counter()
    self_: Counter[str] = Counter()
    for frames, count in busy:
        if match and not any(match in f for f in frames):
            continue
        for frame in {_short(f) for f in frames}:
            inclusive[frame] += count
        self_[_short(frames[-1])] += count
    lines.append(f"top {top} inclusive (% of busy samples):")
    for frame, count in inclusive.most_common(top):
        lines.append(f"  {100 * count / busy_total:5.1f}%  {frame}")
    lines.append(f"top {top} self:")
    for frame, count in self_.most_common(top):
        lines.append(f"  {100 * count / busy_total:5.1f}%  {frame}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--match")
    args = parser.parse_args()
    print(report(args.file, args.top, args.match))


if __name__ == "__main__":
    main()
