"""The classifier against real request letters and real machine/ordinary mail.

The corpus (``tests/data/corpus``, copied from ``/work/shared/corpus``; sources and
licences in its ``SOURCES.md``) holds English, Swedish and German request letters and
95 non-requests (bounces, auto-replies, newsletters, spam, support mail). The floors
below are what the classifier reaches today, rounded down a little, so a change that
makes it worse fails here and prints the files it now gets wrong.

Run with ``-s`` to see the per-label figures and the misses.
"""

from __future__ import annotations

import email
import html
import json
import re
from email import policy
from pathlib import Path

import pytest

from handlers.classify import classify, classify_text
from handlers.values import REQUEST_TYPES, Channel, Inbound, RequestType

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
SETS = (("letters", "labels.json"), ("public", "public-labels.json"))

#: Labels a careful reader gave but this project's rules deliberately do not: complaints
#: about a service (flight compensation, denied boarding, a French order complaint)
#: are not complaints about personal data (DESIGN.md, RULES.md).
KNOWN_DISAGREEMENTS = {
    "diogenes-protocol-templates--en-eu261-compensation-request.eml",
    "diogenes-protocol-templates--en-ticketing-mismatch-denied-boarding.eml",
    "zammad-test-mails--mail072.box.eml",
}

try:  # the project's own parser splits quoted history off; fall back when absent
    from handlers.normalise import parse as _normalise_parse
except Exception:  # pragma: no cover - depends on a module written in parallel
    _normalise_parse = None


def _fallback_inbound(raw: bytes, language: str) -> Inbound:
    """Subject plus text/plain body (text/html stripped when there is no plain part)."""
    msg = email.message_from_bytes(raw, policy=policy.default)
    plain: list[str] = []
    htmls: list[str] = []
    for part in msg.walk():
        if part.is_multipart() or part.is_attachment():
            continue
        try:
            content = part.get_content()
        except Exception:
            content = (part.get_payload(decode=True) or b"").decode("latin-1")
        if not isinstance(content, str):
            continue
        if part.get_content_type() == "text/plain":
            plain.append(content)
        elif part.get_content_type() == "text/html":
            htmls.append(html.unescape(re.sub(r"<[^>]+>", " ", content)))
    return Inbound(
        channel=Channel.FILE,
        external_id="corpus",
        message_id=None,
        sender="",
        sender_name="",
        recipients=(),
        subject=str(msg["subject"] or ""),
        text="\n".join(plain) if plain else "\n".join(htmls),
        quoted="",
        language=language,
    )


def _inbound(raw: bytes, language: str) -> Inbound:
    if _normalise_parse is not None:
        try:
            return _normalise_parse(raw, Channel.FILE)
        except Exception:
            pass
    return _fallback_inbound(raw, language)


def _load() -> list[tuple[str, frozenset[str], Inbound]]:
    items = []
    for folder, label_file in SETS:
        labels = json.loads((CORPUS / label_file).read_text(encoding="utf-8"))
        for name, meta in sorted(labels.items()):
            raw = (CORPUS / folder / name).read_bytes()
            items.append((name, frozenset(meta["labels"]), _inbound(raw, meta["lang"])))
    return items


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, frozenset[str], Inbound]]:
    if not CORPUS.is_dir():
        pytest.skip("tests/data/corpus is missing")
    return _load()


@pytest.fixture(scope="module")
def results(corpus):
    return [(name, gold, classify(inbound)) for name, gold, inbound in corpus]


def _is_privacy(labels: frozenset[str]) -> bool:
    return labels != {RequestType.NOT_PRIVACY.value}


def test_corpus_targets(results) -> None:
    tp = fn = fp = tn = exact = 0
    misses = []
    for name, gold, got in results:
        pred = frozenset(label.value for label in got.labels)
        g, p = _is_privacy(gold), _is_privacy(pred)
        tp += g and p
        fn += g and not p
        fp += (not g) and p
        tn += (not g) and not p
        exact += gold == pred
        if gold != pred:
            misses.append(f"{name}: gold {sorted(gold)} got {sorted(pred)} {got.evidence}")
    f1s = []
    for label in REQUEST_TYPES:
        v = label.value
        a = sum(1 for _, g, r in results if v in g and label in r.labels)
        b = sum(1 for _, g, r in results if v not in g and label in r.labels)
        c = sum(1 for _, g, r in results if v in g and label not in r.labels)
        precision = a / (a + b) if a + b else 1.0
        recall = a / (a + c) if a + c else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f1s.append(f1)
        print(f"{v:28s} P {precision:.2f} R {recall:.2f} F1 {f1:.2f}")
    recall = tp / (tp + fn)
    fp_rate = fp / (fp + tn)
    exact_set = exact / len(results)
    macro_f1 = sum(f1s) / len(f1s)
    print(
        f"n={len(results)} recall {recall:.3f} fp-rate {fp_rate:.3f} "
        f"macro-F1 {macro_f1:.3f} exact-set {exact_set:.3f}"
    )
    print("\n".join(misses))
    # Measured: recall 0.955, fp-rate 0.000, macro-F1 0.977, exact-set 0.981.
    assert recall >= 0.95, misses
    assert fp_rate <= 0.01, misses
    assert macro_f1 >= 0.95, misses
    assert exact_set >= 0.97, misses


def test_request_letters_get_exactly_their_labels(results) -> None:
    """Issue 4: every generator letter must come out with exactly its labels."""
    wrong = [
        (name, sorted(gold), [label.value for label in got.labels])
        for name, gold, got in results
        if _is_privacy(gold)
        and name not in KNOWN_DISAGREEMENTS
        and gold != {label.value for label in got.labels}
    ]
    assert wrong == []


def test_triggered_scan_agrees_with_full_scan(corpus) -> None:
    """The fast path may only skip work, never change a decision."""
    for name, _gold, inbound in corpus:
        fast = classify_text(inbound.subject, inbound.text, inbound.language)
        full = classify_text(inbound.subject, inbound.text, inbound.language, scan_mode="full")
        assert fast.labels == full.labels, name
