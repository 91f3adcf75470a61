"""Throughput of ``handlers.classify.classify`` on ~2 KB mails (issue 4: >= 2,000 msgs/s).

A baseline in the same run (lower-casing plus one regex search over the same inputs)
turns the figure into a ratio, so a slow machine does not hide a slow classifier.
Run: ``.venv/bin/python bench/classify_bench.py [N]``.
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from handlers.classify import classify  # noqa: E402
from handlers.values import Channel, Inbound  # noqa: E402

_FILLER_DA = (
    "Tak for en god snak i telefonen i går. Vi glæder os meget til opholdet i Sydney, og "
    "min datter har allerede pakket det meste. Kan I fortælle, hvornår flyet lander, og om "
    "der er nogen, der henter hende i lufthavnen? Vi har også et spørgsmål om forsikringen "
    "og om depositummet, som vi betalte den 3. marts. "
)
_FILLER_EN = (
    "Thanks for the quick answer about the visa. I have attached the signed contract and a "
    "copy of my passport. Could you tell me when the host family expects me, and whether "
    "the airport pick-up is included in the price? I also wonder about the travel insurance "
    "and the payment plan for the remaining amount. "
)
_REQUESTS = (
    "Jeg vil gerne have slettet alle mine oplysninger hos jer.",
    "Please send me a copy of the personal data you hold about me.",
    "Jeg trækker hermed mit samtykke tilbage og vil ikke modtage flere nyhedsbreve.",
    "My surname is spelled wrong in your records, please correct it.",
    "",
    "",
    "",
)


def _mails(n: int) -> list[Inbound]:
    rng = random.Random(4)
    mails = []
    for i in range(n):
        filler = _FILLER_DA if i % 2 else _FILLER_EN
        body = filler * 6
        cut = rng.randrange(len(body) // 2)
        text = body[:cut] + rng.choice(_REQUESTS) + " " + body[cut:]
        text = text[:2048]
        mails.append(
            Inbound(
                channel=Channel.SMTP,
                external_id=str(i),
                message_id=None,
                sender="a@b.dk",
                sender_name="",
                recipients=(),
                subject="Spørgsmål om opholdet" if i % 2 else "Question about my stay",
                text=text,
                quoted="",
                language="da" if i % 2 else "en",
            )
        )
    return mails


_BASELINE = re.compile(r"\b(?:slet\w*|delet\w*)\b")


def _baseline(mail: Inbound) -> object:
    return _BASELINE.search((mail.subject + "\n" + mail.text).lower())


def _rate(fn, mails: list[Inbound], runs: int = 5) -> float:
    rates = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for mail in mails:
            fn(mail)
        rates.append(len(mails) / (time.perf_counter() - t0))
    return statistics.median(rates)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    mails = _mails(n)
    size = statistics.mean(len(m.text) for m in mails)
    classify(mails[0])  # warm the regex caches outside the timing
    ours = _rate(classify, mails)
    base = _rate(_baseline, mails)
    print(f"mails: {n}, mean text {size:.0f} chars, median of 5 runs")
    print(f"classify: {ours:,.0f} msgs/s")
    print(f"baseline (lower + 1 regex): {base:,.0f} msgs/s")
    print(f"ratio classify/baseline: {ours / base:.3f}")
    print("target (issue 4): >= 2,000 msgs/s per core:", "met" if ours >= 2000 else "NOT met")


if __name__ == "__main__":
    main()
