"""What staff may see of a case in a chat card: enough to decide, nothing more.

A staff chat is a group on a third party's servers, read on phones in public places, so a
card shows the sender masked (``m***@example.dk``) and hides every sentence that mentions
special-category data (GDPR art. 9: health, allergies, medication, diagnoses and the
like, in Danish and English). Whole sentences go, not single words: "my son has a severe
____ allergy to nuts" still tells the reader what was hidden. The full text stays in the
database and in ``privacybot case REF``; the card is only a preview.

These are pure functions over strings, so they are tested on their own and used by the
chat code without any I/O.
"""

from __future__ import annotations

import re

#: What replaces a hidden sentence; says why, so staff know to look in the case itself.
HIDDEN = "[hidden: special-category data]"

#: Word stems of special-category data (art. 9) in Danish and English. Matched at the start
#: of a word, so "allerg" finds allergy, allergies, allergisk, allergier. Stems that are
#: also everyday words in a privacy letter ("behandling" is "processing") are left out.
SPECIAL_CATEGORY_STEMS: tuple[str, ...] = (
    # English
    "health",
    "medical",
    "medicat",
    "medicine",
    "allerg",
    "diagnos",
    "illness",
    "disease",
    "disorder",
    "diabet",
    "insulin",
    "epilep",
    "asthma",
    "pregnan",
    "disabilit",
    "disabled",
    "depress",
    "anxiety",
    "adhd",
    "autis",
    "cancer",
    "hiv",
    "psychiatr",
    "psycholog",
    "mental",
    "therap",
    "prescription",
    "symptom",
    "surgery",
    "hospital",
    "sick",
    "religio",
    "ethnic",
    "racial",
    "sexual orientation",
    "trade union",
    "biometric",
    "genetic",
    "political opinion",
    # Danish
    "helbred",
    "sundhed",
    "medicin",
    "diagnose",
    "sygdom",
    "sygemeld",
    "sukkersyge",
    "diabetes",
    "epilepsi",
    "astma",
    "gravid",
    "handicap",
    "depressi",
    "angst",
    "psykisk",
    "psykiatr",
    "psykolog",
    "kræft",
    "læge",
    "sygehus",
    "hospital",
    "indlagt",
    "operation",
    "recept",
    "religiøs",
    "etnisk",
    "seksuel",
    "fagforening",
    "biometrisk",
    "genetisk",
    "politisk overbevisning",
    "allergi",
    "allergisk",
    "fødevareallergi",
    "nøddeallergi",
)

_SPECIAL = re.compile(
    r"(?<![\w])(?:" + "|".join(re.escape(stem) for stem in SPECIAL_CATEGORY_STEMS) + r")",
    re.IGNORECASE,
)
# A sentence ends at . ! ? or a line break; the break itself is kept with the sentence.
_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|\n|$)")


def mentions_special_category(text: str) -> bool:
    """Whether ``text`` holds a word that points to special-category data."""
    return _SPECIAL.search(text or "") is not None


def hide_special_categories(text: str) -> str:
    """``text`` with every sentence that mentions special-category data replaced.

    Consecutive hidden sentences collapse into one marker, so the card does not show how
    much was said about someone's health either.
    """
    out: list[str] = []
    for sentence in _SENTENCE.findall(text or ""):
        if not sentence:
            continue
        if _SPECIAL.search(sentence):
            ending = "\n" if sentence.endswith("\n") else " "
            if out and out[-1].rstrip() == HIDDEN:
                out[-1] = HIDDEN + ending
                continue
            lead = sentence[: len(sentence) - len(sentence.lstrip())]
            out.append(lead + HIDDEN + ending)
            continue
        out.append(sentence)
    return "".join(out).rstrip(" ")


def mask_address(address: str) -> str:
    """An e-mail address as staff need it: the domain, and the first letter of the rest.

    ``mette.hansen@example.dk`` → ``m***@example.dk``. A chat sender (``tg:123456789``)
    becomes ``chat user …789``: enough to tell two chat users apart on a card.
    """
    address = (address or "").strip()
    if address.startswith("tg:"):
        return f"chat user …{address[3:][-3:]}"
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return "***" if address else "(unknown)"
    return f"{local[0]}***@{domain}"


def mask_name(name: str) -> str:
    """A person's name as a card shows it: first name and initials (``Mette H.``)."""
    parts = (name or "").split()
    if not parts:
        return ""
    return " ".join([parts[0], *(p[0] + "." for p in parts[1:] if p)])


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a line or word break, marked with ``…``."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    for sep in ("\n", " "):
        at = cut.rfind(sep)
        if at > limit // 2:
            cut = cut[:at]
            break
    return cut.rstrip() + "…"
