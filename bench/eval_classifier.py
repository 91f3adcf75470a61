"""Score the classifier on a labelled folder of ``.eml`` files (issue 4's figures).

Each folder holds ``*.eml`` and a ``labels.json`` (``{file: {"labels": [...], ...}}``;
``public-labels.json`` is also read, so the public corpus folders work too).

By default the mails go through ``privacybot classify --json`` in a subprocess, exactly
as the external held-out check runs them (parse, loop guard, classify, with the
configuration of the environment). ``--inproc`` calls the same function path in this
process (faster while tuning; the figures are the same).

Run::

    .venv/bin/python -m bench.eval_classifier tests/data/heldout/dev
    .venv/bin/python -m bench.eval_classifier tests/data/heldout/dev --misses
    .venv/bin/python -m bench.eval_classifier tests/data/heldout/test
    .venv/bin/python -m bench.eval_classifier tests/data/corpus

Prints: privacy recall, the share of ``not_privacy`` mail classified as a request,
per-type precision / recall / F1, macro-F1 over the seven types, exact label-set match
(over all mails and over the requests), the confusion between labels and, with
``--misses``, every mail whose label set is wrong with the evidence that decided it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOT = "not_privacy"
TYPES: tuple[str, ...] = (
    "consent_withdrawal",
    "access",
    "rectification",
    "erasure",
    "restriction",
    "third_party_authorisation",
    "complaint",
)


@dataclass
class Item:
    file: Path
    gold: frozenset[str]
    lang: str = ""
    predicted: frozenset[str] = frozenset()
    evidence: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Scores:
    n: int
    requests: int
    recall: float
    fp_rate: float
    per_type: dict[str, tuple[float, float, float, int]]  # precision, recall, f1, support
    macro_f1: float
    exact: float
    exact_requests: float
    confusion: dict[str, dict[str, int]]
    misses: list[Item]


def load(folders: Iterable[Path]) -> list[Item]:
    """The labelled mails of ``folders``, in file-name order."""
    items: list[Item] = []
    for folder in folders:
        labels: dict[str, dict] = {}
        for name in ("labels.json", "public-labels.json"):
            if (folder / name).exists():
                labels.update(json.loads((folder / name).read_text(encoding="utf-8")))
        if not labels:
            raise SystemExit(f"{folder}: no labels.json")
        for fname, meta in sorted(labels.items()):
            # the public corpus keeps its labels beside two sub-folders of mails
            for path in (folder / fname, folder / "letters" / fname, folder / "public" / fname):
                if path.exists():
                    items.append(Item(path, frozenset(meta["labels"]), meta.get("lang", "")))
                    break
    return items


def predict_cli(items: Sequence[Item], extra_args: Sequence[str] = ()) -> None:
    """Fill in ``predicted`` with ``privacybot classify --json`` (one process, all files)."""
    exe = Path(sys.executable).with_name("privacybot")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "bot"]
    by_name = {str(item.file): item for item in items}
    for start in range(0, len(items), 400):
        chunk = items[start : start + 400]
        out = subprocess.run(
            [*cmd, *extra_args, "classify", "--json", *(str(i.file) for i in chunk)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
        for line in out.splitlines():
            row = json.loads(line)
            item = by_name[row["file"]]
            item.predicted = frozenset(row["labels"])
            item.evidence = row["evidence"]


def predict_inproc(items: Sequence[Item]) -> None:
    """Fill in ``predicted`` by calling the function path ``classify`` uses."""
    from bot.cli import classify_raw
    from bot.config import load_settings

    settings = load_settings(None)
    for item in items:
        row = classify_raw(item.file.read_bytes(), settings)
        item.predicted = frozenset(row["labels"])
        item.evidence = row["evidence"]


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(items: Sequence[Item]) -> Scores:
    """The figures of issue 4 over ``items`` (which must carry predictions)."""
    req = [i for i in items if i.gold != {NOT}]
    neg = [i for i in items if i.gold == {NOT}]
    found = sum(1 for i in req if i.predicted - {NOT})
    false_pos = sum(1 for i in neg if i.predicted - {NOT})
    per_type: dict[str, tuple[float, float, float, int]] = {}
    for t in TYPES:
        tp = sum(1 for i in items if t in i.gold and t in i.predicted)
        fp = sum(1 for i in items if t not in i.gold and t in i.predicted)
        fn = sum(1 for i in items if t in i.gold and t not in i.predicted)
        if tp + fp + fn == 0:
            continue  # neither in the gold labels nor predicted: no figure
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        per_type[t] = (p, r, _f1(p, r), tp + fn)
    confusion: dict[str, dict[str, int]] = {}
    for i in items:
        for g in i.gold:
            row = confusion.setdefault(g, {})
            for p in i.predicted or {NOT}:
                row[p] = row.get(p, 0) + 1
    misses = [i for i in items if i.predicted != i.gold]
    return Scores(
        n=len(items),
        requests=len(req),
        recall=found / len(req) if req else 1.0,
        fp_rate=false_pos / len(neg) if neg else 0.0,
        per_type=per_type,
        macro_f1=sum(v[2] for v in per_type.values()) / len(per_type) if per_type else 1.0,
        exact=sum(1 for i in items if i.predicted == i.gold) / len(items) if items else 1.0,
        exact_requests=(
            sum(1 for i in req if i.predicted == i.gold) / len(req) if req else 1.0
        ),
        confusion=confusion,
        misses=misses,
    )


def report(s: Scores, *, misses: bool, title: str = "") -> str:
    short = {t: t[:8] for t in (*TYPES, NOT)}
    short["third_party_authorisation"] = "3rdparty"
    out = [title] if title else []
    out.append(
        f"mails {s.n} (requests {s.requests}, not_privacy {s.n - s.requests})\n"
        f"privacy recall        {s.recall:.3f}   (target >= 0.97)\n"
        f"not_privacy -> request {s.fp_rate:.3f}   (target <= 0.02)\n"
        f"macro-F1 (7 types)    {s.macro_f1:.3f}   (target >= 0.90)\n"
        f"exact label set       {s.exact:.3f}   (target >= 0.85; requests only "
        f"{s.exact_requests:.3f})"
    )
    out.append(f"\n{'type':<27}{'P':>6}{'R':>6}{'F1':>6}{'n':>5}")
    for t, (p, r, f, n) in s.per_type.items():
        out.append(f"{t:<27}{p:6.2f}{r:6.2f}{f:6.2f}{n:5d}")
    cols = [*TYPES, NOT]
    out.append("\nconfusion (row: gold label, column: predicted labels of those mails)")
    out.append(" " * 10 + "".join(f"{short[c]:>9}" for c in cols))
    for g in cols:
        if g in s.confusion:
            row = s.confusion[g]
            out.append(f"{short[g]:<10}" + "".join(f"{row.get(c, 0):>9}" for c in cols))
    if misses and s.misses:
        out.append(f"\nmisses ({len(s.misses)}):")
        for i in s.misses:
            gold = ",".join(sorted(i.gold))
            got = ",".join(sorted(i.predicted))
            out.append(f"  {i.file.parent.name}/{i.file.name}: gold {gold}  got {got}")
            for e in i.evidence:
                out.append(f"      {e['label']}: {e['phrase']!r} [{e['rule']}]")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--misses", action="store_true", help="print every wrong mail")
    ap.add_argument("--inproc", action="store_true", help="classify in this process")
    ap.add_argument("--config", help="configuration file passed to privacybot")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    items = load(args.folders)
    if args.inproc:
        predict_inproc(items)
    else:
        predict_cli(items, ["--config", args.config] if args.config else [])
    s = score(items)
    if args.json:
        print(
            json.dumps(
                {
                    "n": s.n,
                    "recall": round(s.recall, 4),
                    "fp_rate": round(s.fp_rate, 4),
                    "macro_f1": round(s.macro_f1, 4),
                    "exact": round(s.exact, 4),
                    "per_type": {t: [round(x, 4) for x in v] for t, v in s.per_type.items()},
                }
            )
        )
    else:
        print(report(s, misses=args.misses, title=" + ".join(map(str, args.folders))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
