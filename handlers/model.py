"""The classifier's statistical second opinion: a linear model over word stems.

The rules (``handlers.classify``) decide what they recognise and explain it phrase by
phrase; unseen wordings are what they miss (docs/classifier.md, "Known weaknesses"). This
model reads the same text, the subject and the sender's new text, as a bag of word
stems: every word cut to its first six letters and every pair of neighbouring words cut
to five, with æ/ø/å and ä/ö/ü folded to ae/oe/aa/ae/oe/ue, so "sletningen", "slette" and
"slettes" share a feature, and inflection or spelling does not hide a request.

It is a logistic regression (one for "is this a privacy request", one per request type,
trained on requests only), trained by ``bench/train_model.py`` on the labelled mails the
project ships and stored in ``model_weights.json`` (the numbers as one base64 string).
Running it is a dictionary look-up per feature and a dot product, in pure Python: no
library, no download, the same answer every time.

``classify`` asks it twice. When no rule found a request, a request it sees above its
threshold opens a case that waits in triage for staff to confirm, with the words that
weighed most as evidence. When the rules found one, it reviews them: a type it is sure of
that the rules missed is added, and a "request" it is sure is ordinary mail (business
words in request shapes: "slet den dobbelte booking", a disclaimer) is overruled and
kept as uncertain ordinary mail, unless the sentences that hold the request read as one
when alone (a clear request at the end of a long ordinary mail) or the rules are sure of
it (``classify.SURE_PHRASE_FROM``: then only when the model is all but certain,
``classify.SURE_PHRASE_OVERRULED_BELOW``). The four numbers were chosen on mail the model
had not been trained on (``bench/train_model.py --lofo``).
"""

from __future__ import annotations

import base64
import heapq
import json
import math
import re
import sys
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from itertools import filterfalse, islice
from operator import itemgetter, mul

#: Letters folded before stemming, so that Danish written without æ/ø/å still matches.
_FOLD_PAIRS = (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("ä", "ae"), ("ö", "oe"), ("ü", "ue"))
_WORD = re.compile(r"\w+")
#: A word's stem is its first six letters: inflections and compounds share it
#: ("oplysninger", "oplysningerne"), and so do most spellings of one verb. In a pair of
#: neighbouring words each is cut to five.
STEM, PAIR_STEM = 6, 5


def _fold(text: str) -> str:
    """æ/ø/å and ä/ö/ü as ae/oe/aa/ae/oe/ue. ``str.replace`` is several times faster
    than ``translate`` with two-letter replacements."""
    for letter, folded in _FOLD_PAIRS:
        if letter in text:
            text = text.replace(letter, folded)
    return text


def _words(text: str) -> list[str]:
    """The words the model reads: folded, numbers left out."""
    return list(filterfalse(str.isdigit, _WORD.findall(_fold(text.lower()))))


_STEM_OF = itemgetter(slice(None, STEM))
_PAIR_STEM_OF = itemgetter(slice(None, PAIR_STEM))


def features(text: str) -> Counter[str]:
    """How often each feature occurs in ``text``: each word's stem, and each pair of
    neighbouring words as ``stem_stem`` (five letters each: "slet_mine", "ikke_slett").
    Numbers (dates, booking numbers) say nothing about a request and are left out."""
    words = _words(text)
    short = [w[:PAIR_STEM] for w in words]
    pairs = [first + "_" + second for first, second in zip(short, short[1:], strict=False)]
    return Counter([w[:STEM] for w in words] + pairs)


def feature_words(text: str) -> dict[str, str]:
    """For each feature, the words of ``text`` that first gave it, as written: staff
    read "sletning" or "mine oplysninger" in the evidence, not "sletni" or "mine_oplys"."""
    written = [w for w in _WORD.findall(text.lower()) if not w.isdigit()]
    folded = [_fold(w) for w in written]
    source: dict[str, str] = {}
    for word, fold in zip(written, folded, strict=True):
        source.setdefault(fold[:STEM], word)
    for i in range(len(written) - 1):
        key = folded[i][:PAIR_STEM] + "_" + folded[i + 1][:PAIR_STEM]
        source.setdefault(key, f"{written[i]} {written[i + 1]}")
    return source


@dataclass(frozen=True)
class Weights:
    """A trained model: per feature its idf and one coefficient per output."""

    outputs: tuple[str, ...]  # "privacy", then the request types
    intercepts: tuple[float, ...]
    features: tuple[str, ...]  # sorted; a feature's number indexes the columns below
    index: dict[str, int]  # feature -> its number
    idf: array  # per feature
    coefs: tuple[array, ...]  # per output, per feature
    # the hot path, feature -> its number: words' stems by the stem, pairs of neighbouring
    # words by the two stems, so that counting them builds no strings
    stems: dict[str, int]
    pairs: dict[tuple[str, str], int]
    threshold: float  # privacy probability above which the model speaks
    type_threshold: float  # a type's probability above which it is named
    overrule_below: float  # privacy probability below which a rule's request is overruled
    # ... when its own sentences, read alone, are also below this: a clear request at the
    # end of a long ordinary mail is diluted by the mail, not by itself
    sentences_below: float
    add_type_above: float  # a type's probability above which it is added to the rules' types
    # ... for the other five types (``classify._MODEL_ADDS_ELSEWHERE``), and only when the
    # mail holds more than this many characters outside the rules' own sentences and reads
    # as a request as a whole (privacy above ``other_types_from``): a request beside an
    # ordinary question ("... and a copy of my passport") is not also an access request
    add_other_type_above: float
    other_types_beyond: int
    other_types_from: float
    # per word seen, what the model counts of it (``_keys``); filled as mail is read
    word_keys: dict[str, tuple[int, str] | None] = field(
        default_factory=dict, compare=False, repr=False
    )


@dataclass(frozen=True)
class Opinion:
    """What the model thinks of one text."""

    privacy: float
    types: dict[str, float]
    words: dict[str, tuple[str, ...]]  # per type, the words that weighed most for it


def encode_rows(rows: list[list[float]]) -> str:
    """Per feature its idf and coefficients, as ``model_weights.json`` stores them: one
    base64 string of little-endian 32-bit floats. Read as JSON numbers, half a million of
    them took longer than everything else ``privacybot classify`` does for one mail."""
    flat = array("f", [value for row in rows for value in row])
    if sys.byteorder != "little":
        flat.byteswap()
    return base64.b64encode(flat.tobytes()).decode("ascii")


def decode_rows(data: dict) -> array:
    """The stored rows, flat: feature after feature, idf then one coefficient per output."""
    flat = array("f")
    flat.frombytes(base64.b64decode(data["rows"]))
    if sys.byteorder != "little":
        flat.byteswap()
    if len(flat) != len(data["features"]) * (len(data["outputs"]) + 1):
        raise ValueError("model weights: rows do not match features and outputs")
    return flat


def weights_from_dict(data: dict) -> Weights:
    """The stored form (``model_weights.json``) as ``Weights``."""
    outputs = tuple(data["outputs"])
    features = tuple(data["features"])
    flat = decode_rows(data)
    width = len(outputs) + 1
    numbered = dict(zip(features, range(len(features)), strict=True))
    stems = {f: i for f, i in numbered.items() if "_" not in f}
    pairs = {}
    for feature, i in numbered.items():
        parts = feature.split("_")
        if len(parts) == 2:
            pairs[parts[0], parts[1]] = i
    return Weights(
        outputs=outputs,
        intercepts=tuple(data["intercepts"]),
        features=features,
        index=numbered,
        idf=flat[0::width],
        coefs=tuple(flat[k::width] for k in range(1, width)),
        stems=stems,
        pairs=pairs,
        threshold=float(data["threshold"]),
        type_threshold=float(data["type_threshold"]),
        overrule_below=float(data["overrule_below"]),
        sentences_below=float(data["sentences_below"]),
        add_type_above=float(data["add_type_above"]),
        add_other_type_above=float(data["add_other_type_above"]),
        other_types_beyond=int(data["other_types_beyond"]),
        other_types_from=float(data["other_types_from"]),
    )


@cache
def shipped() -> Weights:
    """The weights shipped with the package, read once."""
    text = files("handlers").joinpath("model_weights.json").read_text(encoding="utf-8")
    return weights_from_dict(json.loads(text))


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _hot_counts(text: str, w: Weights, words: list[str] | None = None) -> list[tuple[int, int]]:
    """The shipped features of ``text`` by number, with their counts: the same as
    ``features`` gives, counted without building a string per word or pair of words (a
    mail has hundreds of pairs; only a few are features). Each distinct word is folded
    and cut once, and remembered (``_keys``); a text with "_" in a word is counted by
    ``features`` itself, since such a word's stem can read as a pair ("ab_cd")."""
    if "_" in text:
        counts, index = features(text), w.index
        return [(index[f], counts[f]) for f in counts.keys() & index.keys()]
    if words is None:
        words = _WORD.findall(text.lower())
    keys = _keys(w, words)
    # digits are no words to the model: the words either side of one are neighbours
    seq = list(filter(None, map(keys.__getitem__, words)))
    stems = Counter(map(_FIRST, seq))
    short = list(map(_SECOND, seq))
    pairs = Counter(zip(short, islice(short, 1, None), strict=False))
    stems.pop(-1, None)  # words whose stem is no feature
    hot_pairs = w.pairs
    return list(stems.items()) + [(hot_pairs[f], pairs[f]) for f in pairs.keys() & hot_pairs.keys()]


_FIRST, _SECOND = itemgetter(0), itemgetter(1)
#: How many distinct words ``_keys`` remembers before it starts afresh.
_MAX_KEYS = 50_000


def _keys(w: Weights, words: list[str]) -> dict[str, tuple[int, str] | None]:
    r"""Per word of ``words`` (lower-cased ``\w+`` words, not folded): its stem's feature
    number (-1 for none) and its stem in a pair, or None for a number. Kept per
    ``Weights``: the same words come back in mail after mail."""
    keys = w.word_keys
    missing = set(words).difference(keys)
    if missing:
        if len(keys) + len(missing) > _MAX_KEYS:
            keys.clear()
        stems = w.stems
        for word in missing:
            if word.isdigit():
                keys[word] = None
            else:
                folded = _fold(word)
                keys[word] = (stems.get(folded[:STEM], -1), sys.intern(folded[:PAIR_STEM]))
    return keys


@dataclass(frozen=True)
class _Known:
    """A text's features the model knows: their numbers and tf-idf values, unscaled."""

    numbers: list[int]
    values: list[float]
    norm: float


def _privacy(text: str, w: Weights, words: list[str] | None = None) -> tuple[_Known, float]:
    """The known features of ``text`` with their weights, and the privacy probability.

    The features are weighted as scikit-learn's ``TfidfVectorizer(sublinear_tf=True)``
    weights them (1 + log count, times idf, scaled to unit length), so the numbers are the
    ones the trainer saw; features the training mails never had are left out, as there.
    """
    idf = w.idf
    counts = _hot_counts(text, w, words)
    numbers = [i for i, _ in counts]
    values = list(map(idf.__getitem__, numbers))
    for k, (_, n) in enumerate(counts):
        if n > 1:
            values[k] *= 1.0 + math.log(n)
    # fsum: exact, so the answer does not depend on the order a set hands features out
    norm = math.sqrt(math.fsum(map(mul, values, values))) or 1.0
    known = _Known(numbers, values, norm)
    return known, _output(known, w, 0)


def _output(known: _Known, w: Weights, i: int) -> float:
    """Output ``i``'s probability (0: privacy, then the request types)."""
    pushes = math.fsum(map(mul, known.values, map(w.coefs[i].__getitem__, known.numbers)))
    return _sigmoid(w.intercepts[i] + pushes / known.norm)


def _top_words(known: _Known, w: Weights, i: int, source: dict[str, str]) -> tuple[str, ...]:
    """The (up to three) words that pushed most towards output ``i``, as written."""
    coefs = w.coefs[i]
    pushes = heapq.nlargest(
        3, ((value * coefs[f], f) for f, value in zip(known.numbers, known.values, strict=True))
    )
    return tuple(source[w.features[f]] for push, f in pushes if push > 0)


def opinion(
    text: str,
    weights: Weights | None = None,
    *,
    full: bool = False,
    words: list[str] | None = None,
) -> Opinion:
    """The model's probabilities for ``text`` (subject and new text, as the rules read).

    The types and the evidence are worked out only for a text over the threshold (or with
    ``full``): most mail is ordinary, and the privacy score alone is one dot product.
    ``words``: the ``\\w+`` words of a lower-cased ``text``, when the caller has them.
    """
    w = weights or shipped()
    known, privacy = _privacy(text, w, words)
    if privacy <= w.threshold and not full:
        return Opinion(privacy=privacy, types={}, words={})
    source = feature_words(text)
    types: dict[str, float] = {}
    words: dict[str, tuple[str, ...]] = {}
    for i, output in enumerate(w.outputs[1:], start=1):
        types[output] = _output(known, w, i)
        words[output] = _top_words(known, w, i, source)
    return Opinion(privacy=privacy, types=types, words=words)


@dataclass(frozen=True)
class Review:
    """The model's word on a request the rules found."""

    overrule: bool  # surely ordinary mail
    added: dict[str, tuple[str, ...]]  # a type to add, with the words that weighed most


def review(
    text: str,
    candidates: tuple[str, ...],
    sentences: Callable[[], str],
    weights: Weights | None = None,
    *,
    may_overrule: bool | Callable[[], bool] = True,
    overrule_below: float | None = None,
    others: tuple[str, ...] = (),
    words: list[str] | None = None,
) -> Review:
    """Whether to overrule the rules' request, and which types the rules did not name to
    add: any of ``candidates`` above ``add_type_above``, any of ``others`` above
    ``add_other_type_above`` when the mail says more than the rules' own sentences and
    reads as a request as a whole.

    ``sentences()`` gives the sentences that hold the rules' evidence: a request is
    overruled only when the mail reads as ordinary mail below ``overrule_below`` (the
    weights' own when None) and the sentences do too (never without ``may_overrule``;
    a callable is asked only then, since what it stands for may read the whole text).
    A one-sentence request ("Nu vil jeg gerne have, at I rydder op i
    det I har om mig") is the rules' to read; the model's own reading of its words ("om
    mig": access) names no second type, while a second request elsewhere in the mail may.
    Only the asked types are worked out, and their words only when they are added: the
    review runs on every request the rules find."""
    w = weights or shipped()
    known, privacy = _privacy(text, w, words)
    own: str | None = None
    below = w.overrule_below if overrule_below is None else overrule_below
    if privacy < below and (may_overrule() if callable(may_overrule) else may_overrule):
        own = sentences()
        if not own or _privacy(own, w)[1] < w.sentences_below:
            return Review(overrule=True, added={})
    asked = [(name, w.add_type_above) for name in candidates]
    if others and privacy > w.other_types_from:
        own = sentences() if own is None else own
        if len(text) - len(own) > w.other_types_beyond:
            asked += [(name, w.add_other_type_above) for name in others]
    added: dict[str, tuple[str, ...]] = {}
    source: dict[str, str] | None = None
    for name, above in asked:
        i = w.outputs.index(name)
        if _output(known, w, i) > above:
            source = source if source is not None else feature_words(text)
            added[name] = _top_words(known, w, i, source)
    return Review(overrule=False, added=added)


def request_types(op: Opinion, weights: Weights | None = None) -> list[str]:
    """The types the model would name for a text it calls a request: every type above
    the type threshold, or the likeliest one when none is (``op`` from ``full``)."""
    w = weights or shipped()
    named = [t for t, p in op.types.items() if p > w.type_threshold]
    return named or [max(op.types, key=op.types.__getitem__)]
