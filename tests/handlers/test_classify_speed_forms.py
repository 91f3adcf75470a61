"""The classifier's fast forms find what the plain ones do (issue 4/9: speed).

``handlers.classify`` rewrites patterns so Python's engine can skip ahead
(``_by_first_letter``), tries a rule only where its stems start when every match begins
there (``_starts_at_stem``), and asks some unions only whether they match (``_AnyOf``).
Each must give the same matches as the pattern read plainly over the same window.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers import classify as c

TEXTS = (
    "Hej. Jeg vil gerne have slettet alle mine oplysninger hos jer, også min datters.",
    "Please send me a copy of the personal data you hold about me. I never got an answer.",
    "Kan I give mig en kopi af mine data? Min søn har også en profil. Fakturaen er forkert.",
    "Jag vill att ni raderar mina uppgifter. Bitte löschen Sie meine Daten.",
    # a long run without spaces carries a window's end past the next window's stems
    "klage " + "y" * 10 + " " + "-" * 600 + "klage" + "-" * 50 + " end",
    "complain e-mail don't delete my data " + "_" * 400 + " unsubscribe " + "x-" * 300,
)


#: Some labelled mails' texts, so each union meets the words it is written for.
_CORPUS_TEXTS = tuple(
    path.read_text(encoding="utf-8", errors="replace")[-1500:]
    for folder in ("dev74", "dev75", "dev76")
    for path in sorted((Path(__file__).parents[1] / "data" / "heldout" / folder).glob("*.eml"))[::9]
)


def _window_scan(lower: str) -> list[tuple[str, tuple[int, int]]]:
    """The trigger pass with every rule read plainly over its windows (the old scan)."""
    windows: dict[int, list[list[int]]] = {}
    for t in c.trigger_regex().finditer(lower):
        indices = c._rules_of_word(t.group())[0]
        lo, hi = max(0, t.start() - c._BEFORE), t.end() + c._AFTER
        for index in indices:
            spans = windows.setdefault(index, [])
            if spans and lo <= spans[-1][1]:
                spans[-1][1] = hi
            else:
                spans.append([lo, hi])
    out = []
    for index, spans in windows.items():
        plain = re.compile(c._TRIGGERED[index].source)
        for lo, hi in spans:
            if hi < len(lower):
                ws = c._WHITESPACE.search(lower, hi)
                hi = ws.start() if ws else len(lower)
            out.extend((c._TRIGGERED[index].name, m.span()) for m in plain.finditer(lower, lo, hi))
    return out


@pytest.mark.parametrize("text", TEXTS)
def test_stem_anchored_scan_finds_what_window_reading_does(text: str) -> None:
    lower = text.lower()
    fast = [(rule.name, m.span()) for rule, m in c._triggered_matches(lower, [])]
    assert fast == _window_scan(lower)


def test_every_rule_rewritten_matches_the_same() -> None:
    for index, rule in enumerate(c._TRIGGERED):
        fast, _, _ = c._rule_pattern(index)
        plain = re.compile(rule.source)
        for text in TEXTS:
            lower = text.lower()
            assert [m.span() for m in fast.finditer(lower)] == [
                m.span() for m in plain.finditer(lower)
            ], rule.name


#: Every lexicon attribute the classifier reads as one union (``_union``).
_UNIONS = sorted(set(re.findall(r'_union\("([A-Z_]+)"', Path(c.__file__).read_text("utf-8"))))


@pytest.mark.parametrize("attr", _UNIONS)
def test_every_union_in_its_fast_form_matches_the_same(attr: str) -> None:
    fast = c._union(attr)
    plain = re.compile(c._union_text(attr))
    for text in (*TEXTS, *_CORPUS_TEXTS):
        lower = text.lower()
        for lo in range(0, len(lower), 7):
            for hi in (lo + 40, lo + 200, len(lower)):
                assert [m.span() for m in fast.finditer(lower, lo, hi)] == [
                    m.span() for m in plain.finditer(lower, lo, hi)
                ], (attr, lo, hi)


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"\b(?:min|mit)\s+(?:\w+\s+)?søn", "min søn, mit barn, minsøn, amin søn"),
        (r"(?<!alt\s)\bhvad\b|\bhvilke\b", "alt hvad, hvad, hvilke, ahvad"),
        (r"\b(?:ret\s+til\s+)?aktindsigt\w*", "ret til aktindsigt, aktindsigten, raktindsigt"),
        (r"\b(?=[my])(?:\b(?:you|my)\s+data)", "you data, my data, amy data"),
    ],
)
def test_first_letter_form_matches_the_same(pattern: str, text: str) -> None:
    rewritten = c._by_first_letter(pattern)
    assert rewritten is not None
    for lo in range(len(text)):
        assert [m.span() for m in re.finditer(rewritten, text[lo:])] == [
            m.span() for m in re.finditer(pattern, text[lo:])
        ]
        assert [m.span() for m in re.compile(rewritten).finditer(text, lo)] == [
            m.span() for m in re.compile(pattern).finditer(text, lo)
        ]


def test_any_of_answers_as_the_union_does() -> None:
    union = f"{c._union_text('PAIR_BLOCK')}|{c._union_text('BUSINESS_DOC')}"
    plain = re.compile(union)
    any_of = c._AnyOf(union)
    for text in (*TEXTS, "flybilletten", "min faktura", "på facebook", "e-ticket", "ingen"):
        lower = text.lower()
        for lo in range(0, len(lower), 5):
            for hi in (lo + 20, lo + 80, len(lower)):
                assert any_of.found_in(lower, lo, hi) == (plain.search(lower, lo, hi) is not None)


@given(
    st.text(alphabet="ab \n\t\u00a0\u2003.", max_size=30),
    st.text(alphabet="ab \n\t\u00a0.", max_size=12),
)
@settings(max_examples=2000, deadline=None)
def test_evidence_phrase_found_as_the_whitespace_pattern_finds_it(text: str, phrase: str) -> None:
    """The model's review reads the sentences of the rules' evidence; finding a phrase
    with ``str.find`` must give the span the whitespace-tolerant pattern gives."""
    words = phrase.split()
    m = re.search(r"\s+".join(map(re.escape, words)), text) if words else None
    assert c._find_words(text, words) == (m.span() if m else None)


_PIECES = (
    "e-mail",
    "e-post",
    "don't",
    "doesn't",
    "e-",
    "-",
    "'",
    "mail",
    "data",
    "slet",
    "_",
    " ",
    "\n",
    "d",
    "e",
    "t",
    "hvor",
    "hvornår",
    "ny",
    "2",
    "æ",
    "mig",
    "e-mailadresse",
    "n't",
    "é",
    "oplysninger",
    "delete",
)


@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
@settings(max_examples=3000, deadline=None)
def test_trigger_words_are_the_stem_regex_matches(lower: str) -> None:
    """``classify`` finds its trigger words among the text's words (read once for the
    model too); they must be the matches of the one regex of every stem, in order."""
    expected = [
        (t.start(), t.end(), t.group())
        for t in c.trigger_regex().finditer(lower)
        if c._rules_of_word(t.group())[3]
    ]
    assert c._trigger_words(lower, c._WORD.findall(lower)) == expected


@pytest.mark.parametrize("text", TEXTS)
def test_trigger_words_of_real_texts(text: str) -> None:
    lower = text.lower()
    expected = [
        (t.start(), t.end(), t.group())
        for t in c.trigger_regex().finditer(lower)
        if c._rules_of_word(t.group())[3]
    ]
    assert expected  # the texts hold trigger words
    assert c._trigger_words(lower, c._WORD.findall(lower)) == expected


_HEADED = [
    (c._TRIGGERED[index].name, made)
    for index, made in ((index, c._rule_pattern(index)) for index in range(len(c._TRIGGERED)))
    if made[2] is not None
]
_HEAD_PIECES = sorted(
    {head for _, (_, _, heads) in _HEADED for head in heads}
    | {stem for rule in c._TRIGGERED for stem in rule.stems if stem.isalpha()}
    | {"min datter", "did not receive any reply", "mit barn", ". ", ",", "-", "\n", "'"}
)


@given(
    st.lists(st.sampled_from(_HEAD_PIECES) | st.text(max_size=4), max_size=30).map(" ".join),
    st.integers(0, 40),
    st.integers(0, 400),
)
@settings(max_examples=300, deadline=None)
def test_a_rule_tried_at_its_word_beginnings_finds_what_reading_its_window_does(
    text: str, lo: int, width: int
) -> None:
    lower = text.lower()
    hi = min(len(lower), lo + width)
    for name, (fast, _, heads) in _HEADED:
        assert [m.span() for m in c._matches_at_heads(fast, heads, lower, lo, hi)] == [
            m.span() for m in fast.finditer(lower, lo, hi)
        ], name


@pytest.mark.parametrize(
    ("pattern", "heads"),
    [
        (r"\b(?:min|mit|mine|vores)\s+(?:\w+\s+)?datter", ("min", "mit", "vores")),
        (r"(?<!alt\s)\bhvad\b|\bhvilke\b", ("hvad", "hvilke")),
        (r"\b(?:did\s+not|didn't|never)\s+(?:got|received)", ("did", "never")),
        (r"(?:min|mit)\s+datter", None),  # no word boundary before: any place may begin one
        (r"\b\w+\s+datter", None),
        (r"\b(?:a|an)\s+copy", None),  # one letter: too many places to try
    ],
)
def test_the_word_beginnings_of_a_pattern(pattern: str, heads: tuple[str, ...] | None) -> None:
    assert c._word_heads(pattern) == heads
