"""Recognise the privacy requests in a message and say which phrases decided it.

Rules first: staff must see *why* a message became a case, an operator must be able to
add phrases, and the service must run offline and decide the same way every time. A
trained model (``handlers.model``) reviews what the rules found (overrules a request it
is sure is ordinary mail, adds a complaint or third party they missed) and reads what
they did not; what it alone sees opens its case in triage, with the words that weighed
most. Each rule pairs an action with a personal-data object inside a short window
(``handlers.lexicon``), so "delete my personal data" matches in any wording while
"delete my last mail" or "correct the invoice" do not.

The rules of all languages run on every message: a Danish mail quotes an English
sentence, a Swede writes to a Danish company, and the language detector can be wrong.
That would cost a full regex pass per rule (a leading ``\\b`` defeats the regex
engine's first-character skip), so each rule names the word stems every match of it
contains (``RULE_TRIGGERS``): one pass of a trie-shaped regex finds those stems, and a
rule runs only in a window around them. ``scan_mode="full"`` runs every rule over the
whole text; the tests check that both modes agree. The context checks (negation,
conditional threats, newsletter footers) run only on the few matches there are.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from re import _constants, _parser  # type: ignore[attr-defined]  # see _quick
from types import ModuleType

from handlers import model
from handlers.lexicon import da, de, en, no, sv
from handlers.normalise import REPLY_SUBJECT
from handlers.values import (
    REQUEST_TYPES,
    Classification,
    Evidence,
    Inbound,
    RequestType,
)

__all__ = ["classify", "classify_text", "compile_phrases", "Phrases", "LEXICONS", "warm_up"]

#: Every language's cues are used for every message (see the module docstring).
LEXICONS: tuple[ModuleType, ...] = (en, da, sv, no, de)

#: Abbreviations whose full stop ends no sentence ("Art. 77", "e.g.", "f.eks.", "z.B.").
_ABBREVIATIONS = (
    "art",
    "nr",
    "no",
    "abs",
    "stk",
    "jf",
    "jfr",
    "evt",
    "ca",
    "bl.a",
    "f.eks",
    "fx",
    "e.g",
    "i.e",
    "etc",
    "vs",
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "tlf",
    "tel",
    "inkl",
    "ekskl",
    "mht",
    "vedr",
    "pga",
    "iht",
    "ifm",
    "ang",
    "z.b",
    "d.h",
    "bzw",
    "vgl",
    "ggf",
    "usw",
    "bzgl",
    "s.u",
    "s.o",
    "t.ex",
    "m.m",
    "o.s.v",
    "osv",
    "dvs",
    "pkt",
    "lit",
    "para",
    "sek",
    "bspw",
    "evtl",
    "sog",
    "u.a",
    "z.t",
    "ff",
    "resp",
    "incl",
    "approx",
    "kl",
    "cf",
    "ref",
    "ibid",
)
#: Sentence ends: punctuation, a blank line, or a line break before a capital/non-letter.
#: Wrapped lines continue in lower case, so they stay in the sentence they belong to.
#: A full stop after an abbreviation or after a day number ("den 3. marts") ends nothing.
#: (One alternative per first character, each beginning with it, lets the engine skip
#: to the next of them; the abbreviation checks only concern a full stop.)
_BOUNDARY = re.compile(
    r"\."
    + "".join(rf"(?<!\b{re.escape(a)}\.)" for a in sorted(set(_ABBREVIATIONS), key=len))
    + r"(?<![\s(]\d\.)(?<![\s(]\d\d\.)(?<![\s(][a-zæøå]\.)"
    + r"[.!?]*(?=\s|$)|![.!?]*(?=\s|$)|\?[.!?]*(?=\s|$)|\n\s*\n|\n(?=\s*[^a-zæøåäöüé\s])"
    # a greeting opens the body: "Sletning af konto\nHej, min konto er låst" is two
    # sentences (under re.I the class above refuses capitals too, so "\nHej" needs this)
    + r"|\n(?=\s*(?:hej|hejsa|hi|hello|dear|kære|kaere|hallo|hei|goddag|guten\s+tag)\b)",
    re.I,
)
_SHORT_REPLY_CHARS = 160
#: How far around a trigger stem a rule may reach (widest rule: ~200 chars to the verb).
_BEFORE = 240
_AFTER = 280
_NOT_PRIVACY_CONFIDENCE = 0.9
_NEAR_MISS_CONFIDENCE = 0.6


@dataclass(frozen=True)
class _Rule:
    label: RequestType
    name: str
    weight: float
    flags: str
    pattern: re.Pattern[str] | None = None
    #: a triggered rule's pattern and stems, compiled on first use (``_rule_pattern``)
    source: str = ""
    stems: tuple[str, ...] = ()


def _union(attr: str, default: str | None = None) -> re.Pattern[str]:
    """Every lexicon's ``attr`` as one pattern, in the fastest form that matches the same
    (``_fast``); its ``.pattern`` is that form, so patterns built from the union take
    ``_union_text``."""
    return _fast(_union_text(attr, default))


def _union_text(attr: str, default: str | None = None) -> str:
    """Every lexicon's ``attr`` as one alternation (uncompiled: ``_quick`` compiles it)."""
    parts = [getattr(lex, attr, default) for lex in LEXICONS]
    return "|".join(f"(?:{p})" for p in parts if p)


def _first_letters(items: list) -> tuple[set[str], bool, bool] | None:
    """The characters a match of parsed ``items`` can begin with, whether a word boundary
    stands before each of them, and whether the items can match nothing; None when that
    cannot be told (``\\w``, ``.``, classes with categories)."""
    chars: set[str] = set()
    boundary = False
    for op, av in items:
        if op is _parser.AT:
            if av is not _constants.AT_BOUNDARY:
                return None
            boundary = True
        elif op in (_parser.ASSERT, _parser.ASSERT_NOT):
            continue  # look-arounds consume nothing
        elif op is _parser.LITERAL:
            chars.add(chr(av))
            return chars, boundary, False
        elif op is _parser.IN:
            for kind, value in av:
                if kind is _parser.LITERAL:
                    chars.add(chr(value))
                elif kind is _parser.RANGE:
                    chars.update(chr(c) for c in range(value[0], value[1] + 1))
                else:
                    return None
            return chars, boundary, False
        elif op in (_parser.SUBPATTERN, _parser.BRANCH, _parser.MAX_REPEAT, _parser.MIN_REPEAT):
            if op is _parser.SUBPATTERN:
                alternatives, least = [av[3]], 1
            elif op is _parser.BRANCH:
                alternatives, least = av[1], 1
            else:
                alternatives, least = [av[2]], av[0]
            empty = least == 0
            every_boundary = True
            for alternative in alternatives:
                sub = _first_letters(list(alternative))
                if sub is None:
                    return None
                chars |= sub[0]
                every_boundary &= sub[1]
                empty |= sub[2]
            boundary = boundary or every_boundary
            if not empty:
                return chars, boundary, False
            if not boundary:
                return None  # a path that skips this part may start without a boundary
        else:
            return None
    return chars, boundary, True


def _quick(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled so that the engine rejects most positions at once.

    Python's engine tries a pattern that begins with ``\\b(?:…|…)`` at every position of
    the text; ``\\b(?=[…])`` with the letters a match can begin with lets it drop most
    of them before trying any alternative (about 1.5 times faster on these rules). It is
    added only when every match provably begins at a word boundary with one of those
    letters, so what matches is unchanged."""
    try:
        info = _first_letters(list(_parser.parse(pattern)))
    except (re.error, RecursionError):
        info = None
    if info is None or not info[0] or not info[1] or info[2]:
        return re.compile(pattern)
    letters = "".join(re.escape(ch) for ch in sorted(info[0]))
    return re.compile(rf"\b(?=[{letters}])(?:{pattern})")


#: Written after the first letter of an alternative, this stands for the ``\b`` before it:
#: no word character before that letter (the letter itself is one).
_BOUNDARY_AFTER_FIRST = r"(?<!\w.)"
#: A look-ahead for a set of plain letters: "(?=[my])".
_LETTERS_AHEAD = re.compile(r"\(\?=\[(\w+)\]\)")
_WORD = re.compile(r"\w+")
#: The most alternatives a pattern is spread into (``_by_first_letter``).
_MAX_ALTERNATIVES = 400
#: How much longer than the original a rewritten pattern may be.
_MAX_GROWTH = 8


def _top_level(pattern: str, start: int = 0) -> tuple[list[str], int] | None:
    """The alternatives of ``pattern`` from ``start`` to the ``)`` that closes the group
    ``start`` is in (or to the end), and where that ``)`` stands; None if unbalanced."""
    parts: list[str] = []
    depth = 0
    in_class = False
    begin = i = start
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            i = _class_body(pattern, i)
            continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                parts.append(pattern[begin:i])
                return parts, i
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[begin:i])
            begin = i + 1
        i += 1
    if depth or in_class:
        return None
    parts.append(pattern[begin:])
    return parts, len(pattern)


#: What ``_spread`` gives: alternatives that begin with a literal word character, each
#: with whether ``\b`` stands before it and the look-behinds (sign, body) there.
_Spread = list[tuple[bool, tuple[tuple[str, str], ...], str]]


def _spread(
    branch: str, boundary: bool = False, behind: tuple = (), *, loose: bool = False
) -> _Spread | None:
    """``branch`` (one alternative, no ``|`` outside groups) as alternatives that each
    begin with a literal word character, in the order the engine tries them; None when
    it does not begin so. ``loose``: a leading ``\\w*`` or ``\\w+`` is left out, so
    that the alternatives only find every place where the branch could match."""
    if branch.startswith(r"\b"):
        return _spread(branch[2:], True, behind, loose=loose)
    if loose and branch.startswith((r"\w*", r"\w+")):
        return _spread(branch[3:], loose=True)
    lookahead = _LETTERS_AHEAD.match(branch)
    if lookahead:  # "(?=[my])…": only the alternatives that begin with those letters
        spread = _spread(branch[lookahead.end() :], boundary, behind, loose=loose)
        allowed = lookahead.group(1)
        return None if spread is None else [p for p in spread if p[2][0] in allowed]
    if branch.startswith(("(?<!", "(?<=")):  # "(?<!alt\s)hvad"
        body = _top_level(branch, 4)
        if body is None or body[1] == len(branch):
            return None
        sign, close = branch[3], body[1]
        behind = (*behind, (sign, branch[4:close]))
        return _spread(branch[close + 1 :], boundary, behind, loose=loose)
    if branch.startswith("(?:"):
        inner = _top_level(branch, 3)
        if inner is None or inner[1] == len(branch):
            return None
        alternatives, close = inner
        after = branch[close + 1 :]
        if after[:1] == "?" and after[1:2] not in ("?", "+"):
            alternatives = [*alternatives, ""]  # greedy "(?:X)?Y" is "XY|Y"
            after = after[1:]
        if after[:1] in ("?", "*", "+", "{"):
            return None  # the match may begin after the group
        out: _Spread = []
        for alternative in alternatives:
            spread = _spread(alternative + after, boundary, behind, loose=loose)
            if spread is None:
                return None
            out.extend(spread)
            if len(out) > _MAX_ALTERNATIVES:
                return None
        return out
    if re.match(r"\w", branch[:1]) and branch[1:2] not in ("?", "*", "+", "{"):
        return [(boundary, behind, branch)]
    return None


def _by_first_letter(pattern: str, *, loose: bool = False) -> str | None:
    """``pattern`` rewritten to begin with a set of letters, or None when it cannot be.

    Python's engine scans for a pattern whose alternatives each begin with a literal
    letter in a tight loop that skips every other character (a "charset prefix"); a
    pattern that begins with ``\\b`` or a group of groups is tried at every position,
    which is what made a rule over a window cost. The rewriting keeps what matches:
    ``(?:A|B)X`` is ``AX|BX`` (tried in the same order), and so is ``(?:A)?X`` with
    ``AX|X``; ``\\bc…`` for a letter ``c`` is ``c(?<!\\w.)…`` and ``(?<!L)c…`` is
    ``c(?<!(?:L)c)…``; alternatives that begin with different letters never compete at
    one position, so those with the same first letter are gathered behind it (in order).
    ``loose`` (see ``_spread``) gives a pattern that finds a match wherever ``pattern``
    has one, and maybe more: a quick test before the real one.
    """
    top = _top_level(pattern)
    if top is None or top[1] != len(pattern):
        return None
    spread: _Spread = []
    for branch in top[0]:
        part = _spread(branch, loose=loose)
        if part is None:
            return None
        spread.extend(part)
        if len(spread) > _MAX_ALTERNATIVES:
            return None
    by_letter: dict[str, list[str]] = {}
    for boundary, behind, branch in spread:
        letter = branch[0]
        tail = "".join(f"(?<{sign}(?:{body}){letter})" for sign, body in behind) + branch[1:]
        if boundary:
            tail = _BOUNDARY_AFTER_FIRST + tail
        by_letter.setdefault(letter, []).append(tail)
    parts = []
    for letter, tails in by_letter.items():
        if len(tails) == 1:
            parts.append(letter + tails[0])
        elif all(t.startswith(_BOUNDARY_AFTER_FIRST) for t in tails):
            size = len(_BOUNDARY_AFTER_FIRST)
            parts.append(f"{letter}{_BOUNDARY_AFTER_FIRST}(?:{'|'.join(t[size:] for t in tails)})")
        else:
            parts.append(f"{letter}(?:{'|'.join(tails)})")
    return "|".join(parts)


def _fast(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled in the fastest form that provably matches the same: spread
    by first letter (``_by_first_letter``), else with ``\\b(?=[…])`` (``_quick``)."""
    rewritten = _by_first_letter(pattern)
    if (
        rewritten is not None
        and len(rewritten) <= _MAX_GROWTH * len(pattern)  # compiling costs start-up time
        and not _has_group(pattern)  # groups would be copied
    ):
        try:
            return re.compile(rewritten)
        except re.error:
            pass
    return _quick(pattern)


#: How long a literal beginning ``_heads`` reads, and how many it follows at most.
_HEAD_CHARS = 16
_MAX_HEADS = 400


def _heads(items: list, boundary: bool = False, head: str = "") -> list[tuple[bool, str]] | None:
    """The literal text every match of parsed ``items`` begins with, one per path through
    its leading groups, each with whether a ``\\b`` stands before it; None when there are
    too many paths. A path's text ends at the first part that is not a literal letter
    (look-arounds and boundaries, which consume nothing, are read past)."""
    for i, (op, av) in enumerate(items):
        if len(head) >= _HEAD_CHARS:
            break
        if op is _parser.AT:
            boundary = boundary or (av is _constants.AT_BOUNDARY and not head)
        elif op in (_parser.ASSERT, _parser.ASSERT_NOT):
            continue
        elif op is _parser.LITERAL:
            head += chr(av)
        elif op in (_parser.SUBPATTERN, _parser.BRANCH, _parser.IN):
            if op is _parser.SUBPATTERN:
                if av[1] or av[2]:
                    break  # inline flags
                alternatives = [list(av[3])]
            elif op is _parser.BRANCH:
                alternatives = [list(alternative) for alternative in av[1]]
            elif all(kind is _parser.LITERAL for kind, _ in av):
                alternatives = [[entry] for entry in av]
            else:
                break
            out: list[tuple[bool, str]] = []
            for alternative in alternatives:
                sub = _heads(alternative + list(items[i + 1 :]), boundary, head)
                if sub is None or len(out) + len(sub) > _MAX_HEADS:
                    return None
                out.extend(sub)
            return out
        else:
            break
    return [(boundary, head)]


def _starts_at_stem(pattern: str, stems: Iterable[str]) -> bool:
    """Whether every match of ``pattern`` begins, after a word boundary, with one of
    ``stems`` (whole-word ``$`` stems do not count). Then the trigger pass reports the
    word every match begins with, and the rule need only be tried where its stems stand
    instead of over its whole window."""
    plain = tuple(s for s in stems if _WORD.match(s) and not s.endswith("$"))
    heads = _heads(list(_parser.parse(pattern)))
    return (
        bool(plain)
        and heads is not None
        and all(boundary and head.startswith(plain) for boundary, head in heads)
    )


#: How many word beginnings a rule may be tried at (``_word_heads``), each one
#: ``str.find`` over a window, before reading the window with the pattern is cheaper.
_MAX_WORD_HEADS = 32


def _word_heads(pattern: str) -> tuple[str, ...] | None:
    """The text every match of ``pattern`` begins with, after a word boundary, when it
    is a few beginnings of two letters or more ("min", "mit", "vores" for "\\b(?:min|mit|
    mine|vores)\\s+..."); None otherwise. A rule whose matches do not begin at its stems
    ("min datter": the stem is the second word) is then tried only where one of them
    stands in its window: Python's engine cannot skip ahead to a ``\\b`` and tries every
    place. A beginning that another one begins is dropped: its places are among the
    other's."""
    heads = _heads(list(_parser.parse(pattern)))
    if heads is None or not all(
        boundary and len(head) >= 2 and _is_word_char(head[0]) for boundary, head in heads
    ):
        return None
    kept: list[str] = []
    for head in sorted({head for _, head in heads}, key=lambda head: (len(head), head)):
        if not head.startswith(tuple(kept)):
            kept.append(head)
    return tuple(kept) if len(kept) <= _MAX_WORD_HEADS else None


def _matches_at_heads(
    pattern: re.Pattern[str], heads: tuple[str, ...], text: str, lo: int, hi: int
) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text, lo, hi)`` for a pattern whose every match begins, after a
    word boundary, with one of ``heads`` (``_word_heads``): tried at those places only.
    No two heads begin at one place, since none begins another."""
    starts: list[int] = []
    for head in heads:
        at = text.find(head, lo, hi)
        while at >= 0:
            if at == 0 or not (text[at - 1].isalnum() or text[at - 1] == "_"):  # \b before
                starts.append(at)
            at = text.find(head, at + 1, hi)
    if len(heads) > 1:
        starts.sort()
    done = lo
    for start in starts:
        if start >= done:
            m = pattern.match(text, start, hi)
            if m is not None:
                done = m.end()
                yield m


class _AnyOf:
    """A union that is only asked whether it matches somewhere in a span, which it does
    when one of its alternatives does: those that ``_fast`` can spread are searched
    together first, the others only where a quick loose form of them finds something
    (``\\b\\w*(?:billet|faktura)\\w*\\b`` tried at every letter was most of the second
    opinion's time)."""

    def __init__(self, pattern: str) -> None:
        top = _top_level(pattern)
        branches = top[0] if top is not None and top[1] == len(pattern) else [pattern]
        quick = [b for b in branches if _spread(b) is not None]
        slow = [b for b in branches if _spread(b) is None]
        self._quick = _fast("|".join(quick)) if quick else None
        self._slow = re.compile("|".join(slow)) if slow else None
        hint = _by_first_letter("|".join(slow), loose=True) if slow else None
        self._hint = re.compile(hint) if hint else None

    def found_in(self, text: str, lo: int, hi: int) -> bool:
        if self._quick is not None and self._quick.search(text, lo, hi):
            return True
        if self._slow is None or (self._hint and not self._hint.search(text, lo, hi)):
            return False
        return self._slow.search(text, lo, hi) is not None


def _class_body(pattern: str, i: int) -> int:
    """Where the members of the class opened by ``pattern[i] == "["`` begin: past a "^"
    and a "]" that stands first, which is a literal there."""
    i += 1
    if pattern[i : i + 1] == "^":
        i += 1
    if pattern[i : i + 1] == "]":
        i += 1
    return i


def _has_group(pattern: str) -> bool:
    """Whether ``pattern`` has a capturing group; read rather than compiled, which at
    import would cost the start-up time that compiling rules on first use saves."""
    i = 0
    in_class = False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            i = _class_body(pattern, i)
            continue
        elif ch == "(" and (pattern[i + 1 : i + 2] != "?" or pattern[i + 2 : i + 4] == "P<"):
            return True
        i += 1
    return False


def _check_lower(pattern: str, where: str) -> None:
    """Rules run on lower-cased text, so an upper-case letter in one can never match."""
    bare = re.sub(r"\\.", "", pattern)
    if any(ch.isupper() for ch in bare):
        raise ValueError(f"{where}: rule patterns must be lower case")


def _compile_rules(
    rules: Iterable[tuple[RequestType, str, str, float, str]],
) -> tuple[tuple[RequestType, re.Pattern[str], dict[str, _Rule]], ...]:
    """One alternation per label; the named group that matched says which rule it was."""
    by_label: dict[RequestType, list[tuple[str, str, float, str]]] = {}
    for label, name, pattern, weight, flags in rules:
        _check_lower(pattern, name)
        if re.compile(pattern).groups:
            raise ValueError(f"{name}: use non-capturing groups only")
        by_label.setdefault(label, []).append((name, pattern, weight, flags))
    compiled = []
    for label in REQUEST_TYPES:
        entries = by_label.get(label)
        if not entries:
            continue
        groups: dict[str, _Rule] = {}
        alternatives = []
        for i, (name, pattern, weight, flags) in enumerate(entries):
            group = f"r{i}"
            groups[group] = _Rule(label, name, weight, flags)
            alternatives.append(f"(?P<{group}>{pattern})")
        compiled.append((label, re.compile("|".join(alternatives)), groups))
    return tuple(compiled)


def _trie(words: Iterable[str]) -> str:
    """One regex for many stems that tries one branch per letter, not one per stem."""
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return f"(?:{body})?"
        return body

    return build(root)


#: The index the trigger pass gives a stem of the second opinion's objects (``PAIR_TRIGGERS``)
#: and of its ways of contacting the writer (``PAIR_CONTACT_TRIGGERS``).
_PAIR_SPOT = -1
_CONTACT_SPOT = -2
_RELATIVE_SPOT = -3


def _compile_triggered() -> tuple[tuple[_Rule, ...], dict[str, tuple[int, ...]]]:
    rules: list[_Rule] = []
    by_stem: dict[str, list[int]] = {}
    for lex in LEXICONS:
        triggers: dict[str, tuple[str, ...]] = lex.RULE_TRIGGERS
        for label, name, pattern, weight, flags in lex.RULES:
            stems = triggers.get(name)
            if not stems:
                raise ValueError(f"{name}: no RULE_TRIGGERS entry")
            for stem in stems:
                _check_lower(stem, name)
                by_stem.setdefault(stem, []).append(len(rules))
            _check_lower(pattern, name)
            if _has_group(pattern):
                raise ValueError(f"{name}: use non-capturing groups only")
            rules.append(_Rule(label, name, weight, flags, None, pattern, tuple(stems)))
        unknown = set(triggers) - {rule[1] for rule in lex.RULES}
        if unknown:
            raise ValueError(f"RULE_TRIGGERS for unknown rules: {sorted(unknown)}")
        for stem in getattr(lex, "PAIR_TRIGGERS", ()):
            _check_lower(stem, "PAIR_TRIGGERS")
            by_stem.setdefault(stem, []).append(_PAIR_SPOT)
        for stem in getattr(lex, "PAIR_CONTACT_TRIGGERS", ()):
            _check_lower(stem, "PAIR_CONTACT_TRIGGERS")
            by_stem.setdefault(stem, []).append(_CONTACT_SPOT)
        for stem in getattr(lex, "PAIR_RELATIVE_TRIGGERS", ()):
            _check_lower(stem, "PAIR_RELATIVE_TRIGGERS")
            by_stem.setdefault(stem, []).append(_RELATIVE_SPOT)
    stems = {stem: tuple(sorted(set(idx))) for stem, idx in by_stem.items()}
    return tuple(rules), stems


_TRIGGERED, _STEM_RULES = _compile_triggered()


@functools.cache
def trigger_regex() -> re.Pattern[str]:
    """Every trigger stem as one regex over the text: the words the trigger pass reads
    are its matches that open something (``_trigger_words`` finds them without it; the
    tests hold it to this). The whole word is read, so that a stem ending in "$" ("fa$",
    "hvor$") stands for that word alone rather than for every word it begins ("far",
    "hvornår")."""
    return re.compile(r"\b" + _trie(s.rstrip("$") for s in _STEM_RULES) + r"\w*")


#: The stems that hold more than word characters ("e-mail", "don't"): a trigger word
#: that begins with one runs across the "-" or "'" (``_trigger_words``).
_ODD_STEMS = tuple(s for s in (s.rstrip("$") for s in _STEM_RULES) if not _WORD.fullmatch(s))
_ODD_TRIGGER = re.compile(r"\b" + _trie(_ODD_STEMS) + r"\w*") if _ODD_STEMS else None
_PLAIN_STEMS = frozenset(s.rstrip("$") for s in _STEM_RULES) - frozenset(_ODD_STEMS)
_LONGEST_STEM = max(map(len, _PLAIN_STEMS))
_RULE_PATTERNS: dict[int, tuple[re.Pattern[str], bool, tuple[str, ...] | None]] = {}


def warm_up(*, use_model: bool = True) -> None:
    """Compile every rule and read the model now rather than on first use: for a service,
    which decides many messages, not for ``privacybot classify``, which decides one."""
    for index in range(len(_TRIGGERED)):
        _rule_pattern(index)
    if use_model:
        model.shipped()


def _rule_pattern(index: int) -> tuple[re.Pattern[str], bool, tuple[str, ...] | None]:
    """A triggered rule's compiled pattern, whether its matches begin at its stems, and
    else the few words they all begin with (``_word_heads``), made on first use: doing it
    for every rule at import was most of the start-up of ``privacybot classify``, and a
    message opens few rules."""
    made = _RULE_PATTERNS.get(index)
    if made is None:
        rule = _TRIGGERED[index]
        at_stem = _starts_at_stem(rule.source, rule.stems)
        made = (_fast(rule.source), at_stem, None if at_stem else _word_heads(rule.source))
        _RULE_PATTERNS[index] = made
    return made


_WHITESPACE = re.compile(r"\s")
_WORD = re.compile(r"\w+")
_OFFERS = _compile_rules(rule for lex in LEXICONS for rule in getattr(lex, "OFFER_RULES", ()))
_CONDITIONAL = _union("CONDITIONAL")
_PRIVACY = _union("PRIVACY_CONTEXT")
_PROCESSING = _union("PROCESSING_CONTEXT")
_FOOTER = _union("FOOTER")
_CONSEQUENCE = _union("CONSEQUENCE")
_FACTUAL = _union("FACTUAL")
_LOGIN = _union("LOGIN")
_ANTECEDENT = _union("ANTECEDENT")
_OFFER_CUE = _union("OFFER_CUE")
_BUSINESS_DOC = _union("BUSINESS_DOC")
_PERFECT = re.compile(r"(?:" + _union_text("PERFECT") + r")\W+(?:\w+\W+){0,2}?$")
_RETRACTION = _union("RETRACTION")
_RETRACTION_HINTS = tuple(hint for lex in LEXICONS for hint in getattr(lex, "RETRACTION_HINTS", ()))
_REPLACE = _union("REPLACE")
_THIRD_PARTY_CUE = _union("THIRD_PARTY_CUE")
_REFERENCE = re.compile(r"(?:" + _union_text("REFERENCE") + r")\W+(?:\w+\W+){0,4}?$")
_PERFECT_SECOND = re.compile(r"(?:" + _union_text("PERFECT_SECOND") + r")\W+(?:\w+\W+){0,2}?$")
_SHORT_TEXT_CHARS = 120
_SHORT_REST_CHARS = 45


def _short_patterns() -> tuple[tuple[_Rule, re.Pattern[str]], ...]:
    """Each lexicon's bare commands, wrapped in the greetings, courtesies and sign-offs
    of every language: "hej, afmeld venligst!", "unsubscribe pls", "slet mig. mvh k"."""
    greeting = _union_text("GREETING")
    polite = _union_text("POLITE")
    signoff = _union_text("SIGNOFF")
    out = []
    for lex in LEXICONS:
        for label, name, pattern, weight, flags in getattr(lex, "SHORT_COMMANDS", ()):
            _check_lower(pattern, name)
            full = (
                rf"\W*(?:(?:{greeting})\W+)?({pattern})(?:\W+(?:{polite}))*\W*"
                rf"(?:(?:{signoff})\b.{{0,40}})?$"
            )
            out.append((_Rule(label, name, weight, flags), re.compile(full)))
    return tuple(out)


_SHORT_PATTERNS = _short_patterns()
_SHORT_RULES = frozenset(rule.name for rule, _ in _SHORT_PATTERNS)
_INVITATION = _union("INVITATION")


def _pair_rules() -> tuple[tuple[_Rule, str, re.Pattern[str]], ...]:
    """Each lexicon's ``PAIRS``: (label, name, action pattern, object kind, weight)."""
    out = []
    for lex in LEXICONS:
        for label, name, pattern, kind, weight in getattr(lex, "PAIRS", ()):
            _check_lower(pattern, name)
            out.append((_Rule(label, name, weight, ""), kind, re.compile(pattern)))
    return tuple(out)


_PAIRS = _pair_rules()
#: What a second-opinion action must stand beside: the writer's data, a mailing list, a
#: way of contacting the writer ("ring til mig", "texts"), or something done with data
#: ("delt", "sent to the wrong address") that the writer is unhappy about (complaints).
_PAIR_OBJECTS = {
    kind: _fast(_union_text(attr))
    for kind, attr in (
        ("data", "PAIR_DATA"),
        ("list", "PAIR_LIST"),
        ("contact", "PAIR_CONTACT"),
        ("event", "PAIR_EVENT"),
    )
}
_PAIR_LABELS = {
    kind: frozenset(rule.label for rule, rule_kind, _ in _PAIRS if rule_kind == kind)
    for kind in _PAIR_OBJECTS
}


def _pair_actions() -> dict[str, tuple[tuple[RequestType, re.Pattern[str], tuple], ...]]:
    """Per object kind and label, every language's actions as one alternation (one pass
    instead of five); the language's own pattern is looked up only for a hit's name."""
    out: dict[str, list[tuple[RequestType, re.Pattern[str], tuple]]] = {}
    for kind in _PAIR_OBJECTS:
        for label in REQUEST_TYPES:
            members = tuple(
                (rule, pattern)
                for rule, rule_kind, pattern in _PAIRS
                if rule_kind == kind and rule.label is label
            )
            if members:
                union = _fast("|".join(f"(?:{p.pattern})" for _, p in members))
                out.setdefault(kind, []).append((label, union, members))
    return {kind: tuple(v) for kind, v in out.items()}


_PAIR_ACTIONS = _pair_actions()
_RESTRICTION_ACTIONS = next(
    union for label, union, _ in _PAIR_ACTIONS["data"] if label is RequestType.RESTRICTION
)
_PAIR_BLOCK = _union("PAIR_BLOCK")
#: One pass each: footers and conditions make a sentence unsafe to guess at; business
#: documents and logins make it about something else than our records of a person.
_PAIR_UNSAFE = _fast(f"{_union_text('FOOTER')}|{_union_text('CONDITIONAL')}")
_PAIR_BLOCKED = _AnyOf(f"{_union_text('PAIR_BLOCK')}|{_union_text('BUSINESS_DOC')}")
#: Data a complaint can be about without a possessive ("cpr-nummeret", "depression").
_PAIR_SENSITIVE = _fast(_union_text("PAIR_SENSITIVE"))
#: The writer as the one who did it ("jeg sendte jer mit pas", "I gave my passport to …"):
#: then it is no complaint about us.
_FIRST_PERSON_BEFORE = re.compile(r"(?:" + _union_text("FIRST_PERSON") + r")$")
#: A relative or client the request is about ("om min søn", "records on my niece").
_PAIR_RELATIVE = _fast(_union_text("PAIR_RELATIVE"))
#: How-to questions about doing it oneself: "how do I change", "hvordan ændrer jeg".
_SELF_SERVICE = re.compile(r"(?:" + _union_text("SELF_SERVICE") + r")\s+$")
_SELF_SERVICE_Q = re.compile(r"(?:" + _union_text("SELF_SERVICE_Q") + r")\s+$")
_SELF_SERVICE_AFTER = re.compile(r"\w*\s+(?:jeg|jag|ich|eg)\b")
_PAIR_WEIGHT = 0.6
#: Object kinds whose types a business sentence cannot carry (only consent withdrawal).
_UNBLOCKABLE_NOT = frozenset({"list", "contact"})
#: The fine line the labels draw by wording: no second guess beside either of them.
_MARKETING = frozenset({RequestType.CONSENT_WITHDRAWAL, RequestType.RESTRICTION})
#: Using data for a purpose ("bruges til reklame", "used for marketing").
_PAIR_USE = _union("PAIR_USE")
#: A pronoun that points back to the data in the sentence before.
_PAIR_FOLLOW = _union("PAIR_FOLLOW")
#: A short sentence after a mailing list that stops it by pronoun ("Få det stoppet.").
_PAIR_LIST_FOLLOW = _union("PAIR_LIST_FOLLOW", r"(?!)")
_SHORT_FOLLOW_CHARS = 40
_FOLLOW_CHARS = 90
_PAIR_MAX_SENTENCES = 40
_NEGATED = re.compile(
    # a comma or a full stop between the negation and the cue ends the negation's reach:
    # "det skal I ikke have, fjern det" is a request
    r"(?:"
    + "|".join(f"(?:{lex.NEGATION})" for lex in LEXICONS)
    + r")[^\w,;:.!?]+(?:\w+[^\w,;:.!?]+)?$"
)
#: "Kan I ikke bare slette den?", "can't you delete it?": a negation in a question that
#: asks us to act is a request, not its refusal.
_ASKING_NEGATION = _union("ASKING_NEGATION")


def _negated(lower: str, lo: int, s: int) -> bool:
    """Whether a negation reaches the cue at ``s`` (not looking before ``lo``)."""
    return (
        _NEGATED.search(lower, max(lo, s - 30), s) is not None
        and _ASKING_NEGATION.search(lower, max(lo, s - 60), s) is None
    )


_AFFIRMATION = re.compile(
    r"^\W*(?:" + "|".join(f"(?:{lex.AFFIRMATION})" for lex in LEXICONS) + r")\b"
)


#: Compiled operator phrases (``[classifier] extra_phrases``): one alternation per label.
Phrases = tuple[tuple[RequestType, re.Pattern[str], dict[str, _Rule]], ...]
_OPERATOR_WEIGHT = 0.85


def _phrase_pattern(phrase: str) -> str:
    """A literal phrase, any case and spacing, whole words at both ends; ``*`` at the end
    of a word stands for any ending ("slet* mig" matches "slette mig", "sletter mig")."""
    words = phrase.lower().split()
    if not words:
        raise ValueError("empty phrase")
    parts = []
    for word in words:
        star = word.endswith("*") and len(word) > 1
        body = re.escape(word.rstrip("*")) + (r"\w*" if star else "")
        parts.append(body)
    pattern = r"\W+".join(parts)
    if re.match(r"\w", words[0]):
        pattern = r"\b" + pattern
    if re.search(r"\w$", words[-1]) and not words[-1].endswith("*"):
        pattern += r"\b"
    return pattern


def compile_phrases(extra: dict[str, dict[str, list[str]]] | None) -> Phrases:
    """Operator phrases per label and language, e.g. ``{"erasure": {"da": ["glem mig"]}}``.

    They add to the lexicons (they never remove a rule), are matched in every message
    whatever its language, as literal phrases (not regular expressions), and pass the
    same negation and one-sentence checks as the built-in rules. Evidence names them
    ``config.<label>.<language>``. Raises ``ValueError`` for an unknown label.
    """
    rules: list[tuple[RequestType, str, str, float, str]] = []
    for label_name, by_language in (extra or {}).items():
        try:
            label = RequestType(label_name)
        except ValueError:
            raise ValueError(f"unknown request type {label_name!r}") from None
        if label is RequestType.NOT_PRIVACY:
            raise ValueError("not_privacy takes no phrases: phrases only add requests")
        for language, phrases in by_language.items():
            for phrase in phrases:
                rules.append(
                    (
                        label,
                        f"config.{label.value}.{language}",
                        _phrase_pattern(phrase),
                        _OPERATOR_WEIGHT,
                        "",
                    )
                )
    return _compile_rules(rules)


def _sentence_span(text: str, start: int, end: int, floor: int = 0) -> tuple[int, int]:
    """The sentence around a match, where threats and footers show themselves. ``floor``:
    where the sentence before ends, when known (no need to look back past it)."""
    lo = max(floor, start - 400)
    begin = lo
    for m in _BOUNDARY.finditer(text, lo, start):
        begin = m.end()
    m = _BOUNDARY.search(text, end, end + 400)
    return begin, (m.start() if m else min(len(text), end + 400))


def _previous_sentence_start(text: str, begin: int) -> int:
    """Where the sentence before the one starting at ``begin`` starts."""
    lo = max(0, begin - 300)
    prev = lo
    for m in _BOUNDARY.finditer(text, lo, max(lo, begin - 1)):
        if m.end() < begin:
            prev = m.end()
    return prev


def _crosses_sentence(text: str, start: int, end: int) -> bool:
    """A rule's action and object must stand in one sentence ("... mine login-oplysninger
    igen? Jeg har slettet mailen" is no erasure)."""
    m = _BOUNDARY.search(text, start, end)
    return m is not None and m.end() < end


def _within_sentences(
    original: str, lower: str, matches: Iterable[tuple[_Rule, re.Match[str]]]
) -> Iterator[tuple[_Rule, re.Match[str]]]:
    """Each match, or, for one that runs across a sentence boundary, the rule's match in
    the sentences after it: "Sletning⏎Hej⏎⏎Slet venligst mine data" read from the subject
    to the object is no request, and it hid the one that is ("Slet venligst mine data"),
    since a pattern's matches do not overlap."""
    for rule, m in matches:
        found: re.Match[str] | None = m
        while found is not None and _crosses_sentence(original, *found.span()):
            cut = found.start()
            for boundary in _BOUNDARY.finditer(original, found.start(), found.end()):
                if boundary.end() < found.end():
                    cut = boundary.end()
            found = found.re.search(lower, cut, found.endpos)
        if found is not None:
            yield rule, found


@dataclass
class _Found:
    rule: _Rule
    start: int
    end: int
    sentence: tuple[int, int] | None = None


def _full_matches(
    lower: str, rules: tuple[tuple[RequestType, re.Pattern[str], dict[str, _Rule]], ...]
) -> Iterator[tuple[_Rule, re.Match[str]]]:
    for _label, pattern, groups in rules:
        for m in pattern.finditer(lower):
            yield groups[m.lastgroup or ""], m


#: The rules each trigger word opens (a word holds several stems: "sletter" holds "slet"),
#: and the second opinion's spot tags it carries.
#: Also whether the word needs looking at: it opens a rule, holds a spot, or is odd (holds
#: other characters than letters, see ``_triggered_matches``).
_WORD_RULES: dict[str, tuple[tuple[int, ...], tuple[int, ...], bool, bool]] = {}


def _rules_of_word(word: str) -> tuple[tuple[int, ...], tuple[int, ...], bool, bool]:
    found = {i for k in range(1, len(word) + 1) for i in _STEM_RULES.get(word[:k], ())}
    found.update(_STEM_RULES.get(word + "$", ()))
    indices = tuple(sorted(i for i in found if i >= 0))
    tags = tuple(sorted(i for i in found if i < 0))
    odd = not word.isalnum()
    entry = indices, tags, odd, bool(indices or tags or odd)
    if len(_WORD_RULES) < 50_000:  # only words that begin with a stem are kept
        _WORD_RULES[word] = entry
    return entry


#: Per word of a text, its trigger entry (``_rules_of_word``) when the trigger pass reads
#: it (it begins with a stem) and it opens something, else None.
_WORD_TRIGGERS: dict[str, tuple[tuple[int, ...], tuple[int, ...], bool, bool] | None] = {}


def _word_trigger(word: str) -> tuple[tuple[int, ...], tuple[int, ...], bool, bool] | None:
    """The word's entry when the stem regex would read it: it must begin with a stem, or
    a word with "_" and no stem ("my_data") would count as odd and be read where the
    regex never looks."""
    entry = None
    if any(word[:k] in _PLAIN_STEMS for k in range(1, min(len(word), _LONGEST_STEM) + 1)):
        entry = _rules_of_word(word)
        if not entry[3]:
            entry = None
    if len(_WORD_TRIGGERS) < 50_000:
        _WORD_TRIGGERS[word] = entry
    return entry


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what ``\w`` matches in a str pattern


def _trigger_words(lower: str, words: list[str]) -> list[tuple[int, int, str]]:
    r"""The words the trigger pass reads, as ``(start, end, word)`` in text order: the
    matches of ``trigger_regex()`` that open a rule or hold a spot, found from ``words`` (the
    text's ``\w+`` words, which the model reads too) rather than by a second regex scan
    of the text. A word that begins with an odd stem ("e-mail", "don't") runs across
    its "-" or "'", as that regex reads it, and the plain words inside it are none."""
    found: list[tuple[int, int, str]] = []
    odd: list[tuple[int, int]] = []
    if _ODD_TRIGGER is not None and any(stem in lower for stem in _ODD_STEMS):
        for t in _ODD_TRIGGER.finditer(lower):
            word = t.group()
            entry = _WORD_RULES.get(word) or _rules_of_word(word)
            if entry[3]:
                found.append((t.start(), t.end(), word))
            odd.append(t.span())
    size = len(lower)
    cache = _WORD_TRIGGERS
    for word in set(words):
        entry = cache[word] if word in cache else _word_trigger(word)
        if entry is None:
            continue
        width = len(word)
        at = lower.find(word)
        while at >= 0:
            end = at + width
            if (at == 0 or not _is_word_char(lower[at - 1])) and (
                end == size or not _is_word_char(lower[end])
            ):
                if not odd or not any(lo <= at < hi for lo, hi in odd):
                    found.append((at, end, word))
                at = lower.find(word, end)
            else:
                at = lower.find(word, at + 1)
    found.sort()
    return found


def _every_rule_matches(lower: str) -> Iterator[tuple[_Rule, re.Match[str]]]:
    """Every rule over the whole text, each on its own (a rule's matches must not hide
    another's, as they would in one alternation): the reference for the fast scan."""
    for index, rule in enumerate(_TRIGGERED):
        yield from ((rule, m) for m in _rule_pattern(index)[0].finditer(lower))


def _triggered_matches(
    lower: str, spots: list[tuple[int, int]] | None = None, words: list[str] | None = None
) -> Iterator[tuple[_Rule, re.Match[str]]]:
    r"""Rule matches near their trigger stems; ``spots`` collects where the stems of the
    second opinion's objects stand, so that it need not read the whole text again.
    ``words``: the text's ``\w+`` words, when the caller has them (``classify``)."""
    # windows per rule, merged as they come: stems are found left to right, so both ends
    # of the windows only grow
    # each window is [lo, hi, where its stems start, ...]
    windows: dict[int, list[list[int]]] = {}
    # words that hold more than letters ("e-mail", "don't") can hide a stem ("mail")
    # from the trigger pass: a window that overlaps one is read whole
    odd: list[tuple[int, int]] = []
    for start, end, word in _trigger_words(lower, _WORD.findall(lower) if words is None else words):
        indices, tags, is_odd, _ = _WORD_RULES.get(word) or _rules_of_word(word)
        if tags and spots is not None:
            spots.extend((start, tag) for tag in tags)
        if is_odd:
            odd.append((start, end))
        lo = start - _BEFORE
        if lo < 0:
            lo = 0
        hi = end + _AFTER
        for index in indices:
            spans = windows.get(index)
            if spans is None:
                windows[index] = [[lo, hi, start]]
            elif lo <= spans[-1][1]:
                spans[-1][1] = hi
                spans[-1].append(start)
            else:
                spans.append([lo, hi, start])
    size = len(lower)
    for index, spans in windows.items():
        rule = _TRIGGERED[index]
        pattern, at_stem, heads = _RULE_PATTERNS.get(index) or _rule_pattern(index)
        for k, span in enumerate(spans):
            lo, hi = span[0], span[1]
            if hi < size:  # never cut a word in two: a cut word could match as a whole one
                ws = _WHITESPACE.search(lower, hi)
                hi = ws.start() if ws else size
            if at_stem and not any(s < hi and lo < e for s, e in odd):
                # every match begins where one of the rule's stems does: the same matches
                # as reading the window, found by trying those places only (a long run
                # without spaces can carry the end past the next window's first stems)
                done = lo
                for start in itertools.chain.from_iterable(
                    itertools.islice(later, 2, None) for later in spans[k:]
                ):
                    if start >= hi:
                        break
                    if start >= done:
                        m = pattern.match(lower, start, hi)
                        if m is not None:
                            done = m.end()
                            yield rule, m
            elif heads is not None:
                for m in _matches_at_heads(pattern, heads, lower, lo, hi):
                    yield rule, m
            else:
                for m in pattern.finditer(lower, lo, hi):
                    yield rule, m


def _scan(
    original: str,
    lower: str,
    matches: Iterable[tuple[_Rule, re.Match[str]]],
) -> tuple[dict[RequestType, list[_Found]], bool]:
    """Matches per label that survive their context checks, and whether any did not."""
    found: dict[RequestType, list[_Found]] = {}
    near_miss = False
    retracted = _retraction_point(lower)
    for rule, m in _within_sentences(original, lower, matches):
        label = rule.label
        s, e = m.span()
        if s < retracted or _negated(lower, 0, s) or _REFERENCE.search(lower, max(0, s - 90), s):
            near_miss = True
            continue
        flags = rule.flags
        sentence = None
        if flags and flags != "s":
            sentence = _sentence_span(original, s, e)
            sent = lower[sentence[0] : sentence[1]]
            if (
                ("c" in flags and _conditional(lower, sentence, s, e))
                or ("p" in flags and not _PRIVACY.search(sent))
                or ("m" in flags and not _PROCESSING.search(sent))
                or ("f" in flags and _FOOTER.search(sent))
                or ("q" in flags and _CONSEQUENCE.search(sent))
                or ("l" in flags and _LOGIN.search(lower, s, e))
                or ("r" in flags and not _has_antecedent(original, lower, sentence[0], e))
                or ("b" in flags and _about_business_document(original, lower, sentence, flags, m))
                or ("h" in flags and _self_reported(lower, sentence, s))
                or ("t" in flags and not _THIRD_PARTY_CUE.search(lower))
            ):
                near_miss = True
                continue
            if label is RequestType.ERASURE and _REPLACE.search(sent):
                label = RequestType.RECTIFICATION  # "delete the old number, use this one"
        if label is RequestType.ACCESS and _asks_what_we_need(original, lower, s, e):
            near_miss = True  # "Vilka uppgifter om mig behöver ni?": what to send us
            continue
        found.setdefault(label, []).append(_Found(rule, s, e, sentence))
    for hits in found.values():
        hits.sort(key=lambda h: h.start)
    _drop_cited_articles(found)
    return found, near_miss


def _asks_what_we_need(original: str, lower: str, start: int, end: int) -> bool:
    """Whether the sentence of a match asks what we need from the writer ("Hvilke
    opplysninger om meg trenger dere til visumet?"): documents to send, not data held."""
    lo, hi = _sentence_span(original, start, end)
    return _ASKS_WHAT_WE_NEED.search(lower, lo, hi) is not None


def _refusal(lower: str, words: list[str] | None = None) -> str:
    """How the writer says no to a request shape the text holds: "withdrawn" when it is
    taken back or an old one is referred to, "negated" when it is negated ("I må endelig
    ikke slette min profil"), "" when neither. Word stems cannot see that; the rules'
    own checks can, so the model's yes does not overrule them (``_model_opinion``)."""
    retracted = _retraction_point(lower)
    refusal = ""
    for _, m in _triggered_matches(lower, [], words):
        s = m.start()
        if s < retracted or _REFERENCE.search(lower, max(0, s - 90), s):
            return "withdrawn"
        if _negated(lower, 0, s):
            refusal = "negated"
    return refusal


#: What a negated request shape can still ask for: to refrain ("I må ikke give mine
#: oplysninger til andre", "ber dere om ikke å slette noe" while a dispute runs). Of the
#: 27 labelled mails where a negation had kept the model's yes back, 25 were requests,
#: 15 of them restrictions; "don't delete my profile" reads as an erasure, and stays no.
_REFRAINING = frozenset(
    {RequestType.RESTRICTION, RequestType.COMPLAINT, RequestType.THIRD_PARTY_AUTHORISATION}
)


def _retraction_point(lower: str) -> int:
    """Where the writer takes back what came before ("… nej glem det", "never mind"):
    a request asked and withdrawn in one message is no request. -1 when there is none."""
    point = -1
    if not any(hint in lower for hint in _RETRACTION_HINTS):
        return point  # one substring test per hint is far cheaper than a regex pass
    for m in _RETRACTION.finditer(lower):
        point = m.start()
    return point


def _about_business_document(
    original: str, lower: str, sentence: tuple[int, int], flags: str, m: re.Match[str]
) -> bool:
    """A correction of a ticket, an invoice or a name badge is not a correction of our
    records ("mit navn er stavet forkert på flybilletten"). A pronoun rule, or a match that
    names no personal data of its own ("Können Sie das berichtigen?"), also looks at the
    sentence before, where its object stands ("The invoice shows … Fix it")."""
    lo, hi = sentence
    if "r" in flags or not _ANTECEDENT.search(lower, m.start(), m.end()):
        lo = _previous_sentence_start(original, lo)
    return _BUSINESS_DOC.search(lower, lo, hi) is not None


def _self_reported(lower: str, sentence: tuple[int, int], start: int) -> bool:
    """A change already made is news, not a request: "jeg har selv opdateret mit nummer
    i appen", "indtil I har rettet min adresse", "I've deleted my old profile by mistake".
    Life events that call for a correction ("jeg har skiftet navn") have rules of their own
    without this check."""
    lo = max(sentence[0], start - 40)
    # "jeg har slettet min gamle profil", "I har rettet min adresse"
    if _PERFECT_SECOND.search(lower, lo, start) or _PERFECT.search(lower, lo, start):
        return True
    return _self_service(lower, lo, start) or _asked_as_how_to(lower, sentence, start)


def _asked_as_how_to(lower: str, sentence: tuple[int, int], start: int) -> bool:
    """A question ("Ændre mit telefonnummer?", often the subject) that the mail asks
    elsewhere as how-to with the same verb ("hvor kan jeg selv ændre mit nummer?") is
    that how-to question, not a request."""
    if "?" not in lower[start : sentence[1] + 1]:
        return False
    verb = _WORD.match(lower, start)
    if verb is None:
        return False
    for m in re.finditer(rf"\b{re.escape(verb.group())}\b", lower):
        if not sentence[0] <= m.start() < sentence[1] and _self_service(
            lower, max(0, m.start() - 40), m.start()
        ):
            return True
    return False


def _self_service(lower: str, lo: int, start: int) -> bool:
    """ "Hvordan ændrer jeg mit profilbillede?", "how do I change my photo?": the writer
    asks how to do it, which is no request that we do it. "Hvordan får jeg mine data
    slettet?" is one, so only the verb right after "how" (with the writer as its subject,
    "hvordan <verb> jeg", or "how do I <verb>") counts."""
    if _SELF_SERVICE.search(lower, lo, start):
        return True
    return bool(
        _SELF_SERVICE_Q.search(lower, lo, start) and _SELF_SERVICE_AFTER.match(lower, start)
    )


def _short_command(lower: str) -> list[_Found]:
    """A message that is nothing but a command ("Afmeld", "unsubscribe please", "slet mig
    venligst. Mvh K") as a reply to our newsletter or a mail of its own. Rules need an
    object ("afmeld … nyhedsbrevet"); a bare command has none, and means it all the same.
    Only short texts count, and the command must fill a line of its own."""
    text = lower.strip()
    if not text or len(text) > _SHORT_TEXT_CHARS:
        return []
    hits: list[_Found] = []
    offset = lower.find(text)
    pos = 0
    for line in text.split("\n"):
        start = offset + pos
        pos += len(line) + 1
        body = line.strip()
        if not body or len(text) - len(body) > _SHORT_REST_CHARS:
            continue  # a command beside a real sentence is that sentence's business
        for rule, pattern in _SHORT_PATTERNS:
            m = pattern.match(body)
            if m and not any(h.rule.label is rule.label for h in hits):
                begin = start + line.find(body)
                hits.append(_Found(rule, begin + m.start(1), begin + m.end(1)))
    return hits


#: Before "mine oplysninger", a question whether something reached us ("Har I fået …",
#: "Have you received …"), not what we hold about the writer.
_RECEIVED_BY_US = re.compile(
    r"\b(?:har|have|fik|fikk|did|haben)\s+(?:i|dere|ni|you|sie)\s+(?:\w+\s+)?"
    r"(?:f(?:å|aa|a)et|modtaget|f(?:å|aa|a)tt|mottatt|mottagit|received|got|gotten|get|"
    r"erhalten|bekommen)\b"
)


#: "Hvor har dere fått …", "Where did you get …": the data's source, which is access.
_SOURCE_QUESTION = re.compile(
    r"\b(?:hvor|hvorfra|hvordan|where|how|woher|wie|var|varifr(?:å|aa|a)n|hur)\W*$"
)


def _received_by_us(lower: str, lo: int, hi: int) -> bool:
    """Whether the writer asks if something reached us ("Har I fået mine oplysninger?")."""
    m = _RECEIVED_BY_US.search(lower, lo, hi)
    return m is not None and not _SOURCE_QUESTION.search(lower, max(0, m.start() - 12), m.start())


def _paired(
    original: str,
    lower: str,
    found: dict[RequestType, list[_Found]],
    spots: list[tuple[int, int]] | None = None,
) -> list[_Found]:
    """The second opinion: an action of a request type and its object in one sentence, in
    any order and at any distance ("mine oplysninger fra 2018, vil I slette dem?", "Har I
    stadig mine data?", "stop med at ringe til mig"). Rules need the words in a set order;
    people do not write in one. It speaks for each type the rules did not find (a second
    type in a mail a rule decided is as real as the first), with a low weight, so what it
    alone decides goes to triage with its best guess. Sentences about a booking, an
    invoice, a ticket or a login are left alone.

    Objects are the writer's data, a mailing list, a way of contacting the writer, or
    something done with personal data (shared, sent, leaked); for the last the "action" is
    the writer's displeasure, which may stand in the sentence before or the two after
    ("… delt med hele holdet. Det burde aldrig være sket.").

    ``spots`` (from the trigger pass) are where an object can stand; without them every
    object in the text is looked for, which is the slow reference the tests compare with.
    """
    if spots is None:
        spots = [
            (m.start(), _CONTACT_SPOT if kind == "contact" else _PAIR_SPOT)
            for kind, objects in (*_PAIR_OBJECTS.items(), ("sensitive", _PAIR_SENSITIVE))
            if kind != "event"  # an event counts only beside data, whose start is enough
            for m in objects.finditer(lower)
        ]
    kinds = [k for k in _PAIR_OBJECTS if any(lb not in found for lb in _PAIR_LABELS[k])]
    # who writes for whom is no request of its own: "As her guardian I'm requesting …"
    decided = any(label is not RequestType.THIRD_PARTY_AUTHORISATION for label in found)
    if not kinds:
        return []
    # each sentence with the kinds of stem in it: contact objects are looked for only where
    # a contact stem stands, the others where a data or list stem does
    sentences: dict[tuple[int, int], set[int]] = {}
    last: tuple[int, int] | None = None
    for start, tag in sorted(set(spots)):
        if tag == _RELATIVE_SPOT:
            continue
        if last is None or not last[0] <= start < last[1]:
            last = _sentence_span(original, start, start + 1, last[1] if last else 0)
        sentences.setdefault(last, set()).add(tag)
    read = 0  # sentences that held an object: the same ones whichever way they were found
    hits: list[_Found] = []
    retracted: int | None = None
    # a sentence a rule has read is that rule's: a second guess at it adds doubt, not a type
    # (who writes, a relative or an agent, claims no sentence: "som værge vil vi se …");
    # a rule's match never crosses a sentence, so where it starts says which one it read
    taken = [
        (h.start, h.end, label)
        for label, found_hits in found.items()
        if label is not RequestType.THIRD_PARTY_AUTHORISATION
        for h in found_hits
    ]
    for sentence, tags in sentences.items():
        if read >= _PAIR_MAX_SENTENCES:
            break
        lo, hi = sentence
        ruled = [(s, e, label) for s, e, label in taken if lo <= s < hi]
        # … except for a plain "stop writing to me" beside another type's rule ("Slet min
        # profil og stop alle mails til mig"), away from the rule's own words
        if ruled and any(label in _MARKETING for _, _, label in ruled):
            continue
        # … and "who did you give my data to? I'm furious" asks and complains at once: a
        # sentence only an access rule read may still carry the displeasure's event
        asked = all(label is RequestType.ACCESS for _, _, label in ruled)
        # a sentence about a booking or an invoice can still restrict or complain, no more
        blocked = _PAIR_BLOCKED.found_in(lower, lo, hi)
        objects: dict[str, re.Match[str]] = {}
        for kind in kinds:
            if _CONTACT_SPOT not in tags if kind == "contact" else _PAIR_SPOT not in tags:
                continue
            if ruled and kind not in _UNBLOCKABLE_NOT and not (kind == "event" and asked):
                continue
            if blocked and (
                kind in _UNBLOCKABLE_NOT
                or (
                    kind == "data"
                    and (
                        RequestType.RESTRICTION in found
                        or not _RESTRICTION_ACTIONS.search(lower, lo, hi)
                    )
                )
            ):
                continue  # the cue is rarer than the data, so it is looked for first
            obj = _pair_object(kind, lower, lo, hi, objects)
            if obj is not None:
                objects[kind] = obj
        if not objects:
            continue
        read += 1
        if _PAIR_UNSAFE.search(lower, lo, hi):
            continue
        for kind, obj in objects.items():
            a_lo, a_hi = lo, hi
            if kind == "event":
                # the displeasure may stand before or after: "… delt med hele holdet. Det
                # burde aldrig være sket."
                a_lo = _previous_sentence_start(original, lo)
                a_hi = _following_sentences_end(original, hi, 2)
            elif kind == "data":
                # "… noget om mig. Få det slettet." – a short one after that points back
                nxt = _following_sentences_end(original, hi, 1)
                if (
                    nxt - hi <= _FOLLOW_CHARS
                    and _PAIR_FOLLOW.search(lower, hi, nxt)
                    and not _PAIR_UNSAFE.search(lower, hi, nxt)
                    and not _PAIR_BLOCKED.found_in(lower, hi, nxt)
                ):
                    a_hi = nxt
            elif kind in _UNBLOCKABLE_NOT:
                # "Jeres sælgere ringer hele tiden. Det skal stoppe." – a short one after;
                # after a list, one that points back ("… jeres nyhedsbrev. Få det stoppet.")
                nxt = _following_sentences_end(original, hi, 1)
                if (
                    nxt - hi <= _SHORT_FOLLOW_CHARS
                    and not (_FOOTER.search(lower, hi, nxt) or _CONDITIONAL.search(lower, hi, nxt))
                    and (kind == "contact" or _PAIR_LIST_FOLLOW.search(lower, hi, nxt))
                ):
                    a_hi = nxt
            for label, actions, members in _PAIR_ACTIONS[kind]:
                if label in found or any(h.rule.label is label for h in hits):
                    continue
                if blocked and kind != "event" and label is not RequestType.RESTRICTION:
                    continue  # a complaint happens anywhere; "kun til min booking" restricts
                if decided and label is RequestType.ACCESS and original[hi : hi + 1] != "?":
                    # beside a decided request, only a question asks what we hold: "with
                    # whom you shared my data" in a deletion letter asks nothing
                    continue
                for m in actions.finditer(lower, a_lo, a_hi):
                    s, e = m.span()
                    if retracted is None:
                        retracted = _retraction_point(lower)
                    if (
                        any(s < r_end and r_start < e for r_start, r_end, _ in ruled)
                        # a follow-up carries an instruction ("Få det slettet."); "Har I
                        # det?" after "… givet jer mit nummer" asks about contact, no more
                        or (kind == "data" and s >= hi and label is RequestType.ACCESS)
                        or s < retracted
                        or _negated(lower, a_lo, s)
                        or _REFERENCE.search(lower, max(a_lo, s - 90), s)
                        or (kind != "event" and _self_reported(lower, sentence, s))
                        # "Vill du inte ha fler mejl från oss?": an offer to the reader
                        # (a newsletter's footer, a supplier's pitch), not the writer asking
                        or _OFFER_CUE.search(lower, lo, hi)
                        # "Har I fået mine oplysninger?": whether a form reached us, not
                        # who has received the data ("Hvem har fået min adresse?")
                        or (
                            label is RequestType.ACCESS
                            and s < obj.start()
                            and _received_by_us(lower, s, obj.start())
                        )
                    ):
                        continue
                    start, end = min(s, obj.start()), max(e, obj.end())
                    if end - start > 120:
                        start, end = s, e
                    rule = next((r for r, p in members if p.match(lower, s, a_hi)), members[0][0])
                    if kind in _UNBLOCKABLE_NOT and _PAIR_USE.search(lower, lo, hi):
                        # "… ikke have, at de bruges til reklame": an objection to a use of
                        # the data (restriction), not marketing stopped (consent)
                        if RequestType.RESTRICTION in found or any(
                            h.rule.label is RequestType.RESTRICTION for h in hits
                        ):
                            break
                        rule = _Rule(RequestType.RESTRICTION, rule.name + ".brug", rule.weight, "")
                    hits.append(_Found(rule, start, end, sentence))
                    break
    return hits


def _pair_object(
    kind: str, lower: str, lo: int, hi: int, seen: dict[str, re.Match[str]]
) -> re.Match[str] | None:
    """The object of ``kind`` in a sentence. Something done with data counts only where
    the data is named and the writer did not do it ("jeg sendte jer mit pas" is news)."""
    objects = _PAIR_OBJECTS[kind]
    if kind != "event":
        return objects.search(lower, lo, hi)
    event = None
    for m in objects.finditer(lower, lo, hi):
        if not _FIRST_PERSON_BEFORE.search(lower, max(lo, m.start() - 30), m.start()):
            event = m
            break
    if event is None:
        return None
    if "data" in seen or _PAIR_SENSITIVE.search(lower, lo, hi):
        return event
    return event if _PAIR_OBJECTS["data"].search(lower, lo, hi) else None


def _following_sentences_end(original: str, end: int, count: int) -> int:
    """Where the ``count`` sentences after the one ending at ``end`` end."""
    for _ in range(count):
        m = _BOUNDARY.search(original, min(len(original), end + 1), end + 300)
        if m is None:
            return min(len(original), end + 300)
        end = m.start()
    return end


def _about_relative(
    lower: str, found: dict[RequestType, list[_Found]], spots: list[tuple[int, int]] | None
) -> _Found | None:
    """A request about a relative or a client ("Hvad har I registreret om min søn?",
    "all records you hold on my niece") is made for someone else: staff must see the
    writer's authority before acting, whatever the wording of the request. The relative
    must stand in the request's own sentence: a writer asking for their own data names a
    child elsewhere as context ("My daughter's booking stays in place"); anywhere in the
    mail, 48 of 101 labelled mails it named were the writer's own requests, and
    ``--lofo`` on the untuned folders gained macro-F1 0.886 -> 0.888 without it."""
    if RequestType.THIRD_PARTY_AUTHORISATION in found:
        return None
    asks = [h for label, hits in found.items() if label is not RequestType.COMPLAINT for h in hits]
    if not asks:
        return None
    if spots is None:
        m = _PAIR_RELATIVE.search(lower)
    else:  # only near a relation word ("søn", "niece", "værge") can one be named; 70 on,
        # as "Min søn Oliver på 14 får jeres nyhedsbrev" is confirmed by the data after it
        m = next(
            (
                hit
                for pos, tag in spots
                if tag == _RELATIVE_SPOT
                for hit in [_PAIR_RELATIVE.search(lower, max(0, pos - 40), pos + 70)]
                if hit
            ),
            None,
        )
    if m is None:
        return None
    if not any(  # in the sentence of one of the requests
        lo <= m.start() and m.end() <= hi
        for lo, hi in (_sentence_span(lower, h.start, h.end) for h in asks)
    ):
        return None
    rule = _Rule(RequestType.THIRD_PARTY_AUTHORISATION, "pair.relative", _PAIR_WEIGHT, "")
    return _Found(rule, m.start(), m.end())


def _conditional(lower: str, sentence: tuple[int, int], start: int, end: int) -> bool:
    """A complaint only threatened ("otherwise I will complain") or hypothetical.

    A conditional word anywhere in the sentence makes the cue conditional, unless the
    cue itself states a fact: "I have complained", "jeg har indgivet en klage", "I hereby
    complain" happened, whatever "if" stands later in the sentence.
    """
    lo, hi = sentence
    if not _CONDITIONAL.search(lower, lo, hi):
        return False
    return not _FACTUAL.search(lower, max(lo, start - 40), min(hi, end + 25))


def _has_antecedent(original: str, lower: str, sentence_start: int, end: int) -> bool:
    """A pronoun object ("ret det", "delete them") needs personal data to point back to:
    in its own sentence, in the two sentences before, or in the subject line."""
    lo = _previous_sentence_start(original, _previous_sentence_start(original, sentence_start))
    if _ANTECEDENT.search(lower, lo, end):
        return True
    head = lower.find("\n")  # the subject line, when there is one, is the first line
    return 0 < head < lo and _ANTECEDENT.search(lower, 0, head) is not None


def _drop_cited_articles(found: dict[RequestType, list[_Found]]) -> None:
    """An article number only cites the basis of the action in its own sentence.

    "Erasure of my data under Article 15" is an erasure (with a wrong citation), so an
    article rule is dropped when its sentence already holds another label's action.
    """
    cited = [(label, f) for label, hits in found.items() for f in hits if "a" in f.rule.flags]
    if not cited:
        return
    actions = [
        (label, f.start) for label, hits in found.items() for f in hits if "a" not in f.rule.flags
    ]
    for label, hit in cited:
        assert hit.sentence is not None
        lo, hi = hit.sentence
        if any(other != label and lo <= pos < hi for other, pos in actions):
            found[label].remove(hit)
            if not found[label]:
                del found[label]


def _resolve_support(found: dict[RequestType, list[_Found]], lower: str) -> bool:
    """Drop weak-only labels ("on behalf of my son") unless the message is about data."""
    strong = any(f for hits in found.values() for f in hits if "s" not in f.rule.flags)
    privacy_word = strong or bool(_PRIVACY.search(lower))
    dropped = False
    for label in list(found):
        if privacy_word:
            continue
        if all("s" in f.rule.flags for f in found[label]):
            del found[label]
            dropped = True
    return dropped


def _label_confidence(hits: list[_Found]) -> float:
    miss = 1.0
    for hit in hits:
        miss *= 1.0 - hit.rule.weight
    return min(0.99, 1.0 - miss)


def _build(
    found: dict[RequestType, list[_Found]],
    source: str,
    language: str,
    near_miss: bool,
    rule_prefix: str = "",
) -> Classification:
    if not found:
        confidence = _NEAR_MISS_CONFIDENCE if near_miss else _NOT_PRIVACY_CONFIDENCE
        return Classification((RequestType.NOT_PRIVACY,), language, confidence, ())
    labels = tuple(label for label in REQUEST_TYPES if label in found)
    evidence = []
    confidences = []
    for label in labels:
        hits = found[label]
        best = max(hits, key=lambda h: (h.rule.weight, -h.start))
        phrase = " ".join(source[best.start : best.end].split())
        evidence.append(Evidence(label, phrase, rule_prefix + best.rule.name))
        confidences.append(_label_confidence(hits))
    confidence = round(sum(confidences) / len(confidences), 3)
    return Classification(labels, language, confidence, tuple(evidence))


#: Plurals that learners of English give uncountable nouns ("delete my datas", "my
#: informations are wrong"), read as the nouns the rules know. A space takes the "s"'s
#: place, so every offset still points into the text as written.
_LEARNER_PLURAL = re.compile(r"\b(data|information|info)s\b")


def _prepare(subject: str, text: str) -> tuple[str, str]:
    """Subject and body as one text; a reply's subject is ours, so it is left out."""
    subject = subject or ""
    if REPLY_SUBJECT.match(subject):  # ours ("Re: Your erasure request"), not a request
        subject = ""
    original = f"{subject}\n{text or ''}" if subject else (text or "")
    lower = original.lower()
    if len(lower) != len(original):  # a few characters lower-case into two: keep offsets
        original = lower
    if "datas" in lower or "informations" in lower or "infos" in lower:
        lower = _LEARNER_PLURAL.sub(r"\1 ", lower)
    if any(word in lower for word in _DISCLAIMER_WORDS):
        original, lower = _without_disclaimers(original, lower)
    return original, lower


#: A confidentiality notice under a signature ("Hvis du ikke er den rette modtager, ... slet
#: e-mailen fra dit system") is the sender's organisation speaking, not the writer: read,
#: it asks us to delete a mail. A paragraph that holds one and no word by which a writer
#: speaks of themselves is blanked out (spaces, so offsets hold) before rules and model
#: read the text. Every such notice names the recipient or the addressee, which is
#: looked for first, as plain text.
_DISCLAIMER = _union("DISCLAIMER")
_FIRST_PERSON = _union("FIRST_PERSON")
_DISCLAIMER_WORDS = ("modtag", "recipient", "addressee", "mottag", "mottak", "empf", "adressat")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def _without_disclaimers(original: str, lower: str) -> tuple[str, str]:
    for notice in reversed(list(_DISCLAIMER.finditer(lower))):
        start, end = notice.span()
        lo = max((b.end() for b in _PARAGRAPH_BREAK.finditer(lower, 0, start)), default=0)
        after = _PARAGRAPH_BREAK.search(lower, end)
        hi = after.start() if after is not None else len(lower)
        if lo == 0 or _FIRST_PERSON.search(lower, lo, hi):
            continue  # the whole text, or the writer's own words
        blank = " " * (hi - lo)
        original = original[:lo] + blank + original[hi:]
        lower = lower[:lo] + blank + lower[hi:]
    return original, lower


def classify_text(
    subject: str,
    text: str,
    language: str,
    *,
    scan_mode: str = "triggered",
    phrases: Phrases = (),
    pairs: bool = True,
) -> Classification:
    """Classify a subject and new text; for callers that have no ``Inbound`` (CLI, tests).

    ``scan_mode="full"`` runs every rule over the whole text: slow, but it is the
    reference the fast ``"triggered"`` mode is tested against. ``phrases`` are the
    operator's own (``compile_phrases``).
    """
    return _classify_prepared(
        *_prepare(subject, text), language, scan_mode=scan_mode, phrases=phrases, pairs=pairs
    )


def _classify_prepared(
    original: str,
    lower: str,
    language: str,
    *,
    scan_mode: str = "triggered",
    phrases: Phrases = (),
    pairs: bool = True,
    words: list[str] | None = None,
) -> Classification:
    """The rules over a text ``_prepare`` made: ``classify`` prepares it once for the
    rules and the model, and reads its words once for both (``words``)."""
    matches: Iterable[tuple[_Rule, re.Match[str]]]
    spots: list[tuple[int, int]] | None = None
    if scan_mode == "full":
        matches = _every_rule_matches(lower)
    elif scan_mode == "triggered":
        spots = []
        matches = _triggered_matches(lower, spots, words)
    else:
        raise ValueError(f"unknown scan_mode {scan_mode!r}")
    if phrases:
        matches = itertools.chain(matches, _full_matches(lower, phrases))
    found, near_miss = _scan(original, lower, matches)
    for hit in _short_command(lower):
        found.setdefault(hit.rule.label, []).insert(0, hit)
    if pairs:  # a second opinion for each type the rules did not find
        for hit in _paired(original, lower, found, spots):
            found.setdefault(hit.rule.label, []).append(hit)
        relative = _about_relative(lower, found, spots)
        if relative is not None:
            found[relative.rule.label] = [relative]
    if found:
        near_miss = _resolve_support(found, lower) or near_miss
    return _build(found, original, language, near_miss)


def _declines_invitation(inbound: Inbound, result: Classification) -> bool:
    """A bare "Afmeld" / "unsubscribe" under our invitation to an event or a webinar
    declines the event; under a newsletter or an offer it withdraws consent. Only a
    message decided by a bare command alone, and only when the quote invites and names
    no list or marketing, counts as declining."""
    if not inbound.quoted or not all(e.rule in _SHORT_RULES for e in result.evidence):
        return False
    quoted = inbound.quoted.lower()
    return _INVITATION.search(quoted) is not None and _PAIR_OBJECTS["list"].search(quoted) is None


_QUOTE_MARKER = re.compile(r"(?m)^[ \t]*(?:>[ \t]?)+")


#: Where a writer adds to the subject of a reply: "Re: Nyhedsbrev april – AFMELD", "Re: Vi
#: savner dig! – og nej, bare nedlæg min konto". Only after a dash or a bar set off by
#: spaces, so our own subject ("Re: Din profil hos A Lot Better") is never read.
_SUBJECT_ADDITION = re.compile(r"\s[-–—|]+\s+(?=\S)")
_ADDED_BEFORE_REPLY = re.compile(r"^(\W*\w[^:]{0,38}?)\s+(?:re|sv|aw|vs)\s*:\s", re.I)
#: How much new text a reply may have and still be said in its subject.
_SUBJECT_ONLY_CHARS = 40


def _added_to_subject(inbound: Inbound, phrases: Phrases) -> Classification | None:
    """A reply whose new text says (next to) nothing, and whose subject the writer has
    added a request to after a dash: the rules read that last part of the subject. The
    rest of a reply's subject is ours and is not read (``_prepare``)."""
    subject = inbound.subject or ""
    if len((inbound.text or "").strip()) > _SUBJECT_ONLY_CHARS:
        return None
    prefix = REPLY_SUBJECT.match(subject)
    if prefix is not None:
        parts = _SUBJECT_ADDITION.split(subject[prefix.end() :])
        if len(parts) < 2:
            return None
        added = parts[-1].strip()
    else:  # "AFMELD Re: Sidste pladser til Malta": written before our subject
        before = _ADDED_BEFORE_REPLY.match(subject)
        if before is None:
            return None
        added = before.group(1).strip()
    lower = added.lower()
    if len(lower) != len(added):
        added = lower
    result = _classify_prepared(added, lower, inbound.language, phrases=phrases)
    return result if result.is_privacy else None


#: A short reply that picks the list from the choices our question offered: "Kun
#: nyhedsbrevet", "No, only the newsletter please", "Bare nyhetsbrevet, takk" under
#: "Would you like us to delete your whole profile, or only unsubscribe you ...?".
_CHOSEN_LIST = re.compile(
    r"\b(?:kun|bare|bara|only|just|nur)\s+(?:(?:the|den|das|det|dem|jeres|your|ihren)\s+)?"
    r"(?:nyheds?brev\w*|nyhetsbrev\w*|newsletter\w*|news\s+letters?|mails|e-?mails|sms\w*|"
    r"texts|utskick\w*|markedsf(?:ø|oe|o)ring\w*|marketing)\b"
)


#: "Begge dele", "Both please", "Beides" under our question of two choices: both.
_BOTH = re.compile(
    r"^\W*(?:begge\s+del(?:e|er)|begge\s+to|begge|both(?:\s+of\s+them)?|beides|b(?:å|aa|a)da)\b"
)
#: A short no ("Nej", "Nej tak", "No thanks", "Nei takk", "Nein danke").
_DECLINED = re.compile(
    r"^\W*(?:nej|nope|no|nei|nein)(?:\W+(?:tak|tack|takk|thanks|thank\s+you|danke))?\W*$"
)
#: What may stand under a short no: a signature.
_SIGNATURE_CHARS = 60
#: Our question whether the reader still wants to hear from us: a no to it withdraws the
#: consent ("Vil du fortsat have vores nyhedsbrev?" – "Nej").
_KEEP_QUESTION = re.compile(
    r"\b(?:vil\s+du\s+(?:fortsat|stadig|fortsatt|fremdeles|gerne\s+blive\s+ved\s+med\s+at|"
    r"gjerne\s+fortsette\s+(?:(?:å|aa|a)\s+)?)\s*(?:have|modtage|h(?:ø|oe|o)re|f(?:å|aa|a)|motta)"
    r"|skal\s+vi\s+(?:holde\s+kontakten|blive\s+ved)"
    r"|vill\s+du\s+(?:forts(?:ä|ae|a)tta\s+(?:att\s+)?(?:f(?:å|aa|a)|ta\s+emot|h(?:ö|oe|o)ra)|"
    r"fortfarande\s+(?:ha|f(?:å|aa|a)))"
    r"|(?:would|do)\s+you\s+(?:like\s+to\s+)?(?:keep|continue|still\s+want)\w*\s+"
    r"(?:to\s+)?(?:hear|receiv|get|our|hearing|receiving|getting)"
    r"|m(?:ö|oe|o)chten\s+sie\s+(?:weiterhin|auch\s+k(?:ü|ue|u)nftig)\s+(?:\w+\s+){0,3}?"
    r"(?:erhalten|bekommen|h(?:ö|oe|o)ren))"
)
_KEPT_IN_TOUCH = _Rule(RequestType.CONSENT_WITHDRAWAL, "keep_in_touch", 0.7, "")


def _declined_keep_question(inbound: Inbound) -> Classification | None:
    """A short "no" under our question whether the reader still wants our mail."""
    quoted = _QUOTE_MARKER.sub("", inbound.quoted)
    lower = quoted.lower()
    if len(lower) != len(quoted):
        quoted = lower
    m = _KEEP_QUESTION.search(lower)
    if m is None or not _is_offer(quoted, lower, m.start(), m.end()):
        return None
    found = {RequestType.CONSENT_WITHDRAWAL: [_Found(_KEPT_IN_TOUCH, m.start(), m.end(), None)]}
    return _build(found, quoted, inbound.language, False, rule_prefix="declined:")


def _affirmed_offer(inbound: Inbound) -> Classification | None:
    """A short "yes please" answers the offer in the quoted text, which is ours; a short
    "only the newsletter" takes the unsubscription it offered and not the deletion."""
    text = (inbound.text or "").strip()
    if not inbound.quoted or len(text) > _SHORT_REPLY_CHARS:
        return None
    chosen = _CHOSEN_LIST.search(text.lower()) is not None
    first, _, rest = text.lower().partition("\n")
    if _DECLINED.match(first) and len(rest.strip()) <= _SIGNATURE_CHARS:
        return _declined_keep_question(inbound)
    if not chosen and not (_AFFIRMATION.search(text.lower()) or _BOTH.match(text.lower())):
        return None
    # the quote markers go: a wrapped line of our offer ("… delete the personal\n> data we
    # hold about you?") is one sentence, and "> " would end it at every line break
    quoted = _QUOTE_MARKER.sub("", inbound.quoted)
    lower = quoted.lower()
    if len(lower) != len(quoted):
        quoted = lower
    found, _ = _scan(quoted, lower, _full_matches(lower, _OFFERS))
    for label in list(found):  # only what we asked or offered can be agreed to
        found[label] = [f for f in found[label] if _is_offer(quoted, lower, f.start, f.end)]
        if not found[label] or (chosen and label is not RequestType.CONSENT_WITHDRAWAL):
            del found[label]
    if not found:
        return None
    return _build(found, quoted, inbound.language, False, rule_prefix="affirmed:")


def _is_offer(quoted: str, lower: str, start: int, end: int) -> bool:
    """A question ("Ønsker du, at vi sletter dine oplysninger?") or an offer ("if you
    would like us to delete your data, ..."): not a statement such as "Emne: Indsigt"."""
    lo, hi = _sentence_span(quoted, start, end)
    if quoted[hi : hi + 1] == "?" or "?" in quoted[end:hi]:
        return True
    return _OFFER_CUE.search(lower, lo, hi) is not None


#: A request only the statistical model saw: below ``[classifier] triage_below`` (0.65),
#: so its case waits in triage for staff, like the second opinion's alone.
_MODEL_CONFIDENCE = 0.6
_ASKS_WHAT_WE_NEED = _fast(_union_text("ASKS_WHAT_WE_NEED"))
#: "I withdraw my consent", "erase my personal data": never overruled by the model, as
#: the rules' surest phrases hardly are (``SURE_PHRASE_FROM``), however ordinary the
#: rest of the mail reads ("Under the GDPR I ask you to erase my personal data." beside
#: a paragraph about an information meeting read as ordinary mail at C = 16).
_EXPLICIT_REQUEST = _fast(_union_text("EXPLICIT_REQUEST"))  # searched in every request
#: What ``privacybot classify`` reports for a request in mail from a no-reply sender
#: (``LoopVerdict.relayed``): the service opens its case in triage, unacknowledged.
RELAYED_CONFIDENCE = 0.6


#: Invitations as mail we send ("stop inviting me", "afmeld mig jeres invitationer"): a
#: consent to withdraw, unlike the event itself.
_INVITING = re.compile(r"\b(?:invit\w*|inbjud\w*|einlad\w*)")


def _cancels_an_event(lower: str) -> bool:
    """ "Jeg vil gerne afmelde mig informationsmødet på torsdag": the model reads "afmelde
    mig" as a consent withdrawn; a short mail that names an event, not our invitations,
    and no list or marketing declines the event, as a bare "afmeld" under our invitation
    does (``_declines_invitation``). A long mail that mentions a registration ("hvornår
    tilmeldingen åbner") may withdraw a consent elsewhere, and is left to the model."""
    return (
        len(lower.strip()) <= _SHORT_TEXT_CHARS
        and _INVITATION.search(lower) is not None
        and _INVITING.search(lower) is None
        and _PAIR_OBJECTS["list"].search(lower) is None
    )


def _model_opinion(lower: str, language: str, words: list[str]) -> Classification | None:
    """The trained model's word on a text the rules found ordinary (``handlers.model``).

    Only above its threshold, and with the words that weighed most as the evidence, so
    staff see why a case they did not expect was opened.
    """
    opinion = model.opinion(lower, words=words)
    if opinion.privacy <= model.shipped().threshold:
        return None
    refusal = _refusal(lower, words)
    if refusal == "withdrawn":
        return None
    if _ASKS_WHAT_WE_NEED.search(lower):  # "what do you need from me?" asks for nothing
        return None
    labels = tuple(t for t in REQUEST_TYPES if t.value in model.request_types(opinion))
    if refusal == "negated" and not (
        RequestType.RESTRICTION in labels and _REFRAINING.issuperset(labels)
    ):
        return None
    if labels == (RequestType.CONSENT_WITHDRAWAL,) and _cancels_an_event(lower):
        return None
    evidence = tuple(
        Evidence(label, ", ".join(opinion.words[label.value]), f"model.{label.value}")
        for label in labels
    )
    return Classification(labels, language, _MODEL_CONFIDENCE, evidence)


#: The types the model may add to what the rules found: the two the rules find worst
#: (a complaint in plain words, someone writing for another person).
_MODEL_ADDS = (RequestType.COMPLAINT, RequestType.THIRD_PARTY_AUTHORISATION)
#: The other five, added more carefully (``add_other_type_above``), only when the mail
#: says more than the sentences the rules read and reads as a request as a whole: with
#: 7,949 training mails they raised macro-F1 on the untuned folders from 0.860 to 0.873
#: (``bench/train_model.py --lofo``; with fewer mails they were wrong more often than right).
_MODEL_ADDS_ELSEWHERE = tuple(t for t in REQUEST_TYPES if t not in _MODEL_ADDS)
#: A rules' request the model is sure is ordinary mail: below ``triage_below``, so the
#: message is kept as ``not_privacy:uncertain`` with the overruled phrases as evidence.
_OVERRULED_CONFIDENCE = 0.5
#: The rules' confidence from which their request is a sure phrase: a legal word or a
#: request said in full, overruled only where the model is all but certain the mail is
#: ordinary (``SURE_PHRASE_OVERRULED_BELOW``); what the model should overrule are request
#: shapes in business mail, which the rules find with less confidence (``--lofo``, 2026-12-02:
#: overruled at 0.3, 3 of 4 requests at 0.95 or above were real ones).
SURE_PHRASE_FROM = 0.95
#: ... below which even a sure phrase is overruled: a keyword in a supplier's GDPR pitch
#: ("en aflyst rejse bliver til en indsigtsanmodning"), a bank's "indsigelse" about a card
#: payment, "Auskunft über die Abfahrtszeit". ``--lofo`` on the untuned folders (8,993
#: mails): ordinary mail opened 0.031 -> 0.027, recall unchanged at 0.967; at 0.1 recall
#: fell. A request said outright (``_EXPLICIT_REQUEST``) is never overruled.
SURE_PHRASE_OVERRULED_BELOW = 0.05


def request_sentences(original: str, lower: str, result: Classification) -> str:
    """The sentences that hold the rules' evidence, joined: what the request itself says,
    without the rest of a long mail around it (``_model_review``)."""
    spans = []
    for e in result.evidence:
        found = _find_words(lower, e.phrase.lower().split())
        if found is not None:
            spans.append(_sentence_span(original, *found))
    return " ".join(lower[lo:hi] for lo, hi in sorted(set(spans)))


def _find_words(text: str, words: list[str]) -> tuple[int, int] | None:
    """Where ``words`` first stand in ``text`` separated by any whitespace: the span
    ``re.search(r"\\s+".join(map(re.escape, words)), text)`` gives, found with ``str.find``.
    Every phrase is a new pattern, and compiling one cost more than the rest of a review."""
    if not words:
        return None
    first, rest = words[0], words[1:]
    size = len(text)
    at = text.find(first)
    while at >= 0:
        end = at + len(first)
        for word in rest:
            gap = end
            while gap < size and text[gap].isspace():
                gap += 1
            if gap == end or not text.startswith(word, gap):
                break
            end = gap + len(word)
        else:
            return at, end
        at = text.find(first, at + 1)
    return None


def _model_review(
    original: str, lower: str, result: Classification, words: list[str]
) -> Classification:
    """The trained model's word on what the rules found (``handlers.model``).

    Rules see request shapes; the model weighs every word of the mail. Where it is sure the
    mail is ordinary (a duplicate booking to delete, a legal disclaimer, a trip's list) the
    request is overruled; where it is sure of a complaint or a third party the rules did
    not name (a parent writing for a child, displeasure in plain words), the type is
    added. An operator's own phrase (``config.*``) is the operator's decision and is never
    overruled.
    """
    if any(e.rule.startswith("config.") for e in result.evidence):
        return result
    candidates = tuple(t.value for t in _MODEL_ADDS if t not in result.labels)
    others = tuple(t.value for t in _MODEL_ADDS_ELSEWHERE if t not in result.labels)
    seen = model.review(
        lower,
        candidates,
        lambda: request_sentences(original, lower, result),
        may_overrule=lambda: _EXPLICIT_REQUEST.search(lower) is None,
        overrule_below=(
            SURE_PHRASE_OVERRULED_BELOW if result.confidence >= SURE_PHRASE_FROM else None
        ),
        others=others,
        words=words,
    )
    if seen.overrule:
        evidence = tuple(
            Evidence(RequestType.NOT_PRIVACY, e.phrase, f"model.overruled:{e.rule}")
            for e in result.evidence
        )
        return Classification(
            (RequestType.NOT_PRIVACY,), result.language, _OVERRULED_CONFIDENCE, evidence
        )
    if not seen.added:
        return result
    added = [label for label in REQUEST_TYPES if label.value in seen.added]
    labels = tuple(label for label in REQUEST_TYPES if label in result.labels or label in added)
    evidence = result.evidence + tuple(
        Evidence(label, ", ".join(seen.added[label.value]), f"model.{label.value}")
        for label in added
    )
    return Classification(labels, result.language, result.confidence, evidence)


def classify(inbound: Inbound, phrases: Phrases = (), *, use_model: bool = True) -> Classification:
    """Label a message from its subject and new text, never from its quoted history.

    Old requests quoted under "thanks, see you in June" are not new requests. The one
    use of ``quoted``: a short affirmative reply ("ja tak", "yes please") takes its
    meaning from the offer it answers, e.g. "shall we also delete your data?". The trained
    model (``use_model``, ``[classifier] model``) reviews what the rules found, and when no
    rule finds a request it may still see one; its case goes to triage.
    """
    original, lower = _prepare(inbound.subject, inbound.text)
    words = _WORD.findall(lower)  # read once, for the rules' triggers and for the model
    result = _classify_prepared(original, lower, inbound.language, phrases=phrases, words=words)
    if result.is_privacy:
        if _declines_invitation(inbound, result):
            return _build({}, "", inbound.language, True)
        return _model_review(original, lower, result, words) if use_model else result
    affirmed = _affirmed_offer(inbound)
    if affirmed is not None:
        return affirmed
    added = _added_to_subject(inbound, phrases)
    if added is not None:
        return added
    if use_model:
        seen = _model_opinion(lower, inbound.language, words)
        if seen is not None:
            return seen
    return result
