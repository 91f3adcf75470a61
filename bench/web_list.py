"""Issue 11 item 2: does the dashboard's case list stay fast as cases pile up?

Seeds databases of each size with ``bench.growth.seed`` (real schema, real hash chain,
closed-over history), builds the real ASGI app (``bot.web.app.create_app``) on it, and
times the pages staff use through ``httpx.ASGITransport`` in this process: the first
page, a page deep in the list (keyset paging), each filter, a text search, a case page,
and the figures page. Each figure is the median of ``--repeat`` requests after one warm-up;
the ratio to the smallest size, measured in the same run, is what to read on a shared
machine. Logged in through the trusted-proxy header so no password hashing is timed.

Run: ``.venv/bin/python -m bench.web_list --sizes 1000,100000`` (seeding 100,000 cases
takes a few minutes and about 1.2 GB of disk under a temp folder).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.growth import seed

USER = "bench"


def pages(deep_before: int, ref: str) -> list[tuple[str, str]]:
    return [
        ("list, first page", "/cases"),
        ("list, deep page (keyset)", f"/cases?before={deep_before}"),
        ("filter status", "/cases?status=closed"),
        ("filter type", "/cases?type=erasure"),
        ("filter overdue", "/cases?overdue=1"),
        ("filter language + channel", "/cases?language=en&channel=smtp"),
        ("text search (subject)", "/cases?q=slet"),
        ("text search (reference)", f"/cases?q={ref}"),
        ("case page", f"/cases/{ref}"),
        ("figures", "/figures"),
    ]


async def measure(folder: Path, repeat: int) -> dict[str, float]:
    import httpx
    from sqlalchemy import func, select

    from bot.config import Settings
    from bot.runtime import build_runtime
    from bot.web.app import create_app
    from storage.engine import unit_of_work
    from storage.models import Case

    settings = Settings(
        database={"url": f"sqlite:///{folder / 'privacybot.db'}"},
        outbox={"folder": str(folder / "outbox")},
        web={"enabled": True, "port": 0, "users": {USER: "unused"},
             "session_secret": "b" * 40, "trusted_proxy_header": "X-Remote-User"},
    )
    runtime = build_runtime(settings)
    with unit_of_work(runtime.sessions) as session:
        count = session.scalar(select(func.count()).select_from(Case)) or 0
        middle = session.scalar(select(Case.id).order_by(Case.id).offset(count // 2).limit(1))
        ref = session.scalar(select(Case.ref).where(Case.id == middle))
    app = create_app(runtime)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    results: dict[str, float] = {}
    async with httpx.AsyncClient(
        transport=transport, base_url="https://bench", headers={"X-Remote-User": USER}
    ) as client:
        for name, url in pages(middle or 1, ref or "PR-0000-0000"):
            times = []
            for attempt in range(repeat + 1):
                start = time.perf_counter()
                response = await client.get(url)
                elapsed = time.perf_counter() - start
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code}")
                if attempt:  # the first request warms caches and the chain check
                    times.append(elapsed)
            results[name] = statistics.median(times) * 1000
    runtime.engine.dispose()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000", help="cases present, comma-separated")
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per page")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    table: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="pb-web-bench-") as tmp:
        for size in sizes:
            folder = Path(tmp) / str(size)
            start = time.perf_counter()
            seed(folder, size, log=lambda *_: None)
            print(f"seeded {size:,} cases in {time.perf_counter() - start:.0f} s")
            table[size] = asyncio.run(measure(folder, args.repeat))
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    base = sizes[0]
    header = " | ".join(f"{s:,} cases" for s in sizes)
    print(f"\n| page | {header} | ratio {sizes[-1]:,} / {base:,} |")
    print("| --- |" + " ---: |" * (len(sizes) + 1))
    for name in table[base]:
        cells = " | ".join(f"{table[s][name]:.1f} ms" for s in sizes)
        ratio = table[sizes[-1]][name] / table[base][name]
        print(f"| {name} | {cells} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
