"""Train the classifier's statistical second opinion (``handlers/model.py``).

    .venv/bin/python -m bench.train_model            # writes handlers/model_weights.json
    .venv/bin/python -m bench.train_model --check    # exit 1 if the shipped file differs

It learns from the labelled mails the project ships: every folder of
``tests/data/heldout/`` except the never-tuned ``test2/``, ``test3/`` and ``test4/`` (they
stay the honest measure, docs/classifier.md), and the public corpus in
``tests/data/corpus/``. The text of each mail is what the rules read: ``normalise.parse``,
then ``classify._prepare`` of subject and new text.

The model: scikit-learn's ``TfidfVectorizer`` over ``handlers.model.features`` (word
stems and stem pairs; a feature must occur in two mails) with sublinear term frequency,
and ``LogisticRegression`` (lbfgs, C = 4, classes balanced): one for privacy request or
not over every mail, one per request type over the requests. Training is deterministic
(lbfgs, fixed data order); the file stores each number rounded to 6 decimals.

The threshold was chosen by leaving one training folder out at a time (``--lofo``: train
on the rest, score the left-out folder's mails that the rules call ordinary). On the 2,005
training mails of 2026-12-03 the rules alone open 1.06 % of the ordinary mail; the model
adds 2.75 % at 0.7, 1.51 % at 0.75, 0.89 % at 0.8 and 0.35 % at 0.85. 0.8 is the lowest
threshold at which rules and model together stay within the issue's 2 %; a case only the
model opens is not acknowledged (triage), so a wrong one costs staff a look, not a
confusing letter to a customer.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.eval_classifier import load

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "data" / "heldout"
CORPUS = ROOT / "tests" / "data" / "corpus"
WEIGHTS = ROOT / "handlers" / "model_weights.json"
#: Never trained on: these folders measure what the classifier does on unseen mail.
HELD_BACK = ("test2", "test3", "test4")
THRESHOLD, TYPE_THRESHOLD = 0.8, 0.5
C = 4.0


def training_folders() -> list[Path]:
    """Every shipped labelled folder but the held-back ones, in a fixed order."""
    folders = sorted(p for p in HELDOUT.iterdir() if p.is_dir() and p.name not in HELD_BACK)
    return [*folders, CORPUS]


def training_texts() -> tuple[list[str], list[frozenset[str]]]:
    """(text, gold labels) of every training mail, as the classifier reads it."""
    from handlers import classify, normalise
    from handlers.values import Channel

    texts: list[str] = []
    labels: list[frozenset[str]] = []
    for item in load(training_folders()):
        inbound = normalise.parse(item.file.read_bytes(), Channel.FILE)
        _, lower = classify._prepare(inbound.subject, inbound.text)
        texts.append(lower)
        labels.append(item.gold)
    return texts, labels


def leave_one_folder_out(thresholds: tuple[float, ...] = (0.7, 0.75, 0.8, 0.85, 0.9)) -> str:
    """How the threshold was chosen: for each training folder, train on the others and
    score its mails that the rules call ordinary; report per threshold what the model
    would add, requests found and ordinary mail opened, over all folders."""
    from handlers import classify, model, normalise
    from handlers.values import Channel

    rows = []  # (folder, text, is_request, rules_say_request, gold labels)
    for folder in training_folders():
        for item in load([folder]):
            inbound = normalise.parse(item.file.read_bytes(), Channel.FILE)
            _, lower = classify._prepare(inbound.subject, inbound.text)
            rules = classify.classify(inbound, use_model=False).is_privacy
            is_request = item.gold != frozenset({"not_privacy"})
            rows.append((folder.name, lower, is_request, rules, item.gold))
    found = dict.fromkeys(thresholds, 0)
    opened = dict.fromkeys(thresholds, 0)
    for folder in sorted({r[0] for r in rows}):
        train_rows = [r for r in rows if r[0] != folder]
        weights = model.weights_from_dict(train(
            [r[1] for r in train_rows],
            [r[4] for r in train_rows],
        ))
        for _, text, is_request, rules, _ in (r for r in rows if r[0] == folder):
            if rules:
                continue
            p = model.opinion(text, weights).privacy
            for t in thresholds:
                if p > t:
                    found[t] += is_request
                    opened[t] += not is_request
    requests = sum(r[2] for r in rows)
    ordinary = len(rows) - requests
    missed = sum(r[2] and not r[3] for r in rows)
    wrong = sum(r[3] and not r[2] for r in rows)
    lines = [f"{len(rows)} mails, {requests} requests; the rules miss {missed} requests and "
             f"open {wrong} of {ordinary} ordinary mails ({wrong / ordinary:.2%})"]
    for t in thresholds:
        lines.append(f"threshold {t:.2f}: the model adds {found[t]} requests and "
                     f"{opened[t]} ordinary mails (+{opened[t] / ordinary:.2%})")
    return "\n".join(lines)


def train(texts: list[str], labels: list[frozenset[str]]) -> dict:
    """The weights, in the stored form ``handlers.model.weights_from_dict`` reads."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from handlers.model import features
    from handlers.values import REQUEST_TYPES

    def analyse(text: str) -> list[str]:
        return list(features(text).elements())

    vectoriser = TfidfVectorizer(analyzer=analyse, min_df=2, sublinear_tf=True)
    matrix = vectoriser.fit_transform(texts)
    is_request = np.array([label != frozenset({"not_privacy"}) for label in labels])

    def fit(rows, target) -> LogisticRegression:  # type: ignore[no-untyped-def]
        model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced")
        return model.fit(rows, target)

    types = [t.value for t in REQUEST_TYPES]
    models = [fit(matrix, is_request)]
    requests = np.flatnonzero(is_request)
    for name in types:
        target = np.array([name in labels[i] for i in requests])
        models.append(fit(matrix[requests], target))

    names = vectoriser.get_feature_names_out()
    order = np.argsort(names)
    idf = vectoriser.idf_
    coefs = np.vstack([m.coef_[0] for m in models])
    return {
        "about": "handlers/model.py; trained by bench/train_model.py, do not edit",
        "outputs": ["privacy", *types],
        "threshold": THRESHOLD,
        "type_threshold": TYPE_THRESHOLD,
        "trained_on": [p.name for p in training_folders()],
        "mails": len(texts),
        "intercepts": [round(float(m.intercept_[0]), 6) for m in models],
        "features": [str(names[i]) for i in order],
        "rows": [
            [round(float(idf[i]), 6), *(round(float(c), 6) for c in coefs[:, i])]
            for i in order
        ],
    }


def render(weights: dict) -> str:
    """One feature row per line: small diffs, a readable file."""
    head = {k: v for k, v in weights.items() if k not in ("features", "rows")}
    lines = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    body = ",\n".join(json.dumps(f, ensure_ascii=False) for f in weights["features"])
    rows = ",\n".join(json.dumps(r) for r in weights["rows"])
    return f'{lines},\n "features": [\n{body}\n ],\n "rows": [\n{rows}\n ]\n}}\n'


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the shipped file")
    ap.add_argument("--out", type=Path, default=WEIGHTS)
    ap.add_argument("--lofo", action="store_true", help="how the threshold was chosen")
    args = ap.parse_args(argv)
    if args.lofo:
        print(leave_one_folder_out())
        return 0
    texts, labels = training_texts()
    text = render(train(texts, labels))
    if args.check:
        same = args.out.exists() and args.out.read_text(encoding="utf-8") == text
        print("shipped weights are up to date" if same else f"{args.out} differs: retrain")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"{args.out}: {len(texts)} mails")
    return 0


if __name__ == "__main__":
    sys.exit(main())
