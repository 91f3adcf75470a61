"""Norwegian (bokmål) cues for the privacy classifier (format and flags: ``lexicon.en``).

Danish rules already catch much Norwegian (``slett``, ``samtykke``); these add the
spellings that differ: ``opplysninger``, ``meg``, ``dere``, ``innsyn``, ``sønn``.
"""

from __future__ import annotations

from handlers.values import RequestType as T

AE = r"(?:æ|ae|a|e)"
OE = r"(?:ø|oe|o)"
AA = r"(?:å|aa|a)"

NEG = (
    r"(?:bestilling\w*|booking\w*|faktura\w*|reservasjon\w*|s" + OE + r"knad\w*|fly\w*|"
    r"billett\w*|betaling\w*|reise\w*|program\w*|siste|forrige)\b"
)
_GAP3 = rf"(?:(?!{NEG})\w+\W+){{0,3}}?"
_GAP4 = r"(?:\w+\W+){0,4}?"
_NOUN = r"(?:(?:person)?opplysning\w*|data|personopplysning\w*|konto\w*|profil\w*)"
OBJ = (
    rf"(?:\b(?:mine|min|mitt|alle|hans|hennes|deres)\W+{_GAP3}{_NOUN}\b"
    r"|\bpersonopplysning\w*|\b(?:opplysning\w*|data|alt)\b[^.?!\n]{0,40}?\bom\s+meg\b"
    r"|\b(?:opplysning\w*|data\w*|profil\w*|konto\w*|informasjon\w*|info)\s+(?:mine|min|mitt)\b)"
)
_REL = (
    r"(?:s" + OE + r"nn|s" + OE + r"nnen|datter|barn|mor|far|foreldre|mann|kone|klient|"
    r"bror|s" + OE + r"ster)"
)

RULES: tuple[tuple[T, str, str, float, str], ...] = (
    (T.CONSENT_WITHDRAWAL, "no.trekke_samtykke",
     r"\btrekk\w*\s+(?:\w+\s+){0,3}?(?:tilbake\s+)?(?:\w+\s+){0,2}?samtykke\w*"
     r"|\bsamtykke\w*\s+(?:\w+\s+){0,3}?trekk\w*\s+tilbake", 0.9, ""),
    (T.CONSENT_WITHDRAWAL, "no.meld_meg_av",
     r"\bmeld\w*\s+meg\s+av\s+(?:\w+\s+){0,2}?(?:nyhetsbrev\w*|e-?post\w*|epostliste\w*|"
     r"markedsf\w*|reklame\w*|sms\w*)|\breserver\w*\s+meg\s+mot\s+(?:\w+\s+)?(?:markedsf\w*|"
     r"reklame\w*)", 0.85, "f"),
    (T.ACCESS, "no.innsyn",
     r"\binnsyn\w*\b|\bhvilke\s+(?:\w+\s+){0,2}?(?:opplysning\w*|data|personopplysning\w*)\b"
     r"[^.?!\n]{0,60}?\bom\s+meg\b|\bhva\s+(?:har|vet|lagrer)\s+dere\s+(?:\w+\s+){0,3}?om\s+meg\b",
     0.9, ""),
    (T.ACCESS, "no.kopi_av_mine_data", rf"\bkopi\s+av\s+(?:\w+\s+){{0,2}}?{OBJ}", 0.85, ""),
    (T.RECTIFICATION, "no.retting",
     rf"\b(?:rett|rette|retting|korriger\w*|oppdater\w*|endre)\s+{_GAP4}{OBJ}"
     r"|\b(?:feil|uriktig\w*|ukorrekt\w*)\s+(?:\w+\s+)?(?:personopplysning\w*|opplysning\w*|"
     r"navn|adresse|f" + OE + r"dselsdato)\b", 0.85, ""),
    (T.ERASURE, "no.slett_mine_opplysninger",
     rf"\b(?:slett\w*|fjern\w*)\W+{_GAP4}{OBJ}|{OBJ}\W+(?:\w+\W+){{0,3}}?(?:slettet|slettes)\b",
     0.85, "q"),
    (T.ERASURE, "no.retten_til_sletting",
     r"\brett\w*\s+til\s+(?:sletting|" + AA + r"\s+bli\s+glemt)\b|\bkrav\s+om\s+sletting\b",
     0.9, ""),
    (T.RESTRICTION, "no.begrense_protestere",
     r"\bbegrens\w*\s+(?:\w+\s+){0,3}?behandling\w*|\bprotester\w*\s+(?:\w+\s+){0,2}?mot\s+"
     r"(?:\w+\s+){0,3}?(?:behandling\w*|bruk\w*|markedsf\w*|profilering\w*)", 0.85, ""),
    (T.THIRD_PARTY_AUTHORISATION, "no.paa_vegne_av",
     rf"\bp{AA}\s+vegne\s+av\s+(?:min|mitt|mine|v{AA}r)\s+(?:\w+\s+)?{_REL}\b|\bfullmakt\w*"
     rf"|\bverge\b", 0.85, "s"),
    (T.COMPLAINT, "no.klage", r"\bklag\w*\b", 0.8, "cp"),
)

CONDITIONAL = r"\b(?:hvis|dersom|ellers|med\s+mindre|forbeholder|i\s+motsatt\s+fall)\b"
PRIVACY_CONTEXT = (
    r"\b(?:personopplysning\w*|mine\s+opplysning\w*|datatilsynet|personvern\w*|gdpr)\b"
)
FOOTER = r"\b(?:klikk|lenke\w*|her\s+for\s+" + AA + r")\b"
CONSEQUENCE = r"\b(?:f" + OE + r"re\s+til|medf" + OE + r"re|bety)\b"
NEGATION = r"\b(?:ikke|aldri|ingen)"
AFFIRMATION = r"(?:ja|jo|ok|greit|gjerne|ja\s+takk)"

#: See ``handlers.lexicon.en.RULE_TRIGGERS``.
RULE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "no.trekke_samtykke": ("samtykk",),
    "no.meld_meg_av": ("meld", "reserver"),
    "no.innsyn": ("innsyn", "hvilke", "hva"),
    "no.kopi_av_mine_data": ("kopi",),
    "no.retting": (
        "rett", "korriger", "oppdater", "endre", "feil", "uriktig", "ukorrekt",
    ),
    "no.slett_mine_opplysninger": ("slett", "fjern"),
    "no.retten_til_sletting": ("rett", "krav"),
    "no.begrense_protestere": ("begrens", "protester"),
    "no.paa_vegne_av": ("vegne", "fullmakt", "verge"),
    "no.klage": ("klag",),
}


#: Personal data a pronoun ("oppdatere det") can point back to (flag ``r``); Norwegian
#: puts the possessive after the noun ("telefonnummeret mitt").
ANTECEDENT = (
    r"\b(?:min|mitt|mine)\s+(?:\w+\s+)?(?:gamle\s+|nye\s+)?(?:adresse\w*|navn\w*|"
    r"telefonnummer\w*|nummer\w*|e-?post\w*|opplysning\w*|profil\w*|konto\w*|bilde\w*)\b"
    r"|\b(?:adresse\w*|navn\w*|etternavn\w*|telefonnummer\w*|nummer\w*|e-?post\w*|"
    r"opplysning\w*|profil\w*|konto\w*|bilde\w*)\s+(?:min|mitt|mine|mi)\b"
    r"|\bjeg\s+har\s+flyttet\b|\bpersonopplysning\w*"
)
FACTUAL = r"\b(?:har|hadde)\s+(?:\w+\s+){0,2}?(?:klaget|anmeldt|meldt)\b|\bherved\b"
OFFER_CUE = r"\b(?:" + OE + r"nsker\s+du|vil\s+du|skal\s+vi)\b"

RULES = RULES + (
    (T.RECTIFICATION, "no.oppdatere_det",
     r"\b(?:oppdater\w*|rett|rette|endre|korriger\w*)\s+(?:\w+\s+)?(?:det|den|dem)\b"
     r"|\b(?:adresse\w*|navn\w*|etternavn\w*|telefonnummer\w*|nummer\w*|e-?post\w*)\s+"
     r"(?:min|mitt|mi)\s+(?:er|har)\s+(?:blitt\s+)?(?:endret|byttet|ny|nytt)\b", 0.75, "r"),
    (T.ERASURE, "no.slett_det",
     r"\b(?:slett\w*|fjern\w*)\s+(?:\w+\s+)?(?:det|den|dem)\b", 0.75, "rq"),
)
RULE_TRIGGERS.update(
    {
        "no.oppdatere_det": ("oppdater", "rett", "endre", "korriger", "adresse", "navn",
                             "etternavn", "telefonnummer", "nummer", "e-post", "epost"),
        "no.slett_det": ("slett", "fjern"),
    }
)
