"""Swedish cues for the privacy classifier (rule format and flags: ``lexicon.en``).

Swedish letters in the wild mostly come from request generators, so the formal
register (``begär härmed``, ``invänder mot behandlingen``) matters as much as the
everyday one (``ta bort mina uppgifter``).
"""

from __future__ import annotations

from handlers.values import RequestType as T

AE = r"(?:ä|æ|ae|a)"
OE = r"(?:ö|ø|oe|o)"
AA = r"(?:å|aa|a)"

NEG = (
    r"(?:bokning\w*|faktura\w*|best" + AE + r"llning\w*|reservation\w*|ans" + OE + r"kan\w*|"
    r"flyg\w*|biljett\w*|betalning\w*|resa\w*|program\w*|senaste|f" + OE + r"rra)\b"
)
_GAP3 = rf"(?:(?!{NEG})\w+\W+){{0,3}}?"
_GAP4 = r"(?:\w+\W+){0,4}?"
_NOUN = r"(?:personuppgift\w*|uppgift\w*|data|konto\w*|profil\w*|information\w*)"
OBJ = (
    rf"(?:\b(?:mina|min|mitt|alla|hans|hennes|deras)\W+{_GAP3}{_NOUN}\b"
    r"|\bpersonuppgift\w*|\b(?:uppgift\w*|information\w*|data)\b[^.?!\n]{0,40}?"
    r"\b(?:om\s+mig|som\s+r" + OE + r"r\s+mig)\b)"
)
_REL = (
    r"(?:son|sons|dotter|dotters|barn|barns|mamma|mammas|pappa|pappas|mor|far|make|makes|"
    r"fru|frus|klient|klients|bror|syster)"
)
_GDPR = r"(?:gdpr|dataskyddsf" + OE + r"rordning\w*)"

RULES: tuple[tuple[T, str, str, float, str], ...] = (
    (T.CONSENT_WITHDRAWAL, "sv.aterkalla_samtycke",
     r"\bdra\w*\s+(?:\w+\s+){0,3}?tillbaka\s+(?:\w+\s+){0,2}?samtycke\w*"
     r"|\b" + AA + r"terkall\w*\s+(?:\w+\s+){0,3}?samtycke\w*"
     r"|\bsamtycke\w*\s+(?:\w+\s+){0,3}?(?:" + AA + r"terkallas|dras\s+tillbaka)", 0.9, ""),
    (T.CONSENT_WITHDRAWAL, "sv.avregistrera",
     r"\b(?:avregistrera|avprenumerera|avsluta\s+(?:min\s+)?prenumeration)\w*"
     r"(?:\s+\w+){0,4}?\s+(?:nyhetsbrev\w*|utskick\w*|e-?post\w*|mejl\w*|marknadsf\w*)"
     r"|\bvill\s+inte\s+(?:l" + AE + r"ngre\s+)?(?:f" + AA + r"|ta\s+emot)\s+(?:\w+\s+){0,2}?"
     r"(?:nyhetsbrev\w*|utskick\w*|reklam\w*|marknadsf\w*)", 0.85, "f"),
    (T.ACCESS, "sv.begar_tillgang",
     r"\b(?:beg" + AE + r"r\w*|vill\s+ha|ber\s+om)\s+(?:\w+\s+){0,2}?tillg" + AA + r"ng\b"
     r"|\btillg" + AA + r"ng\s+till\s+(?:\w+\s+){0,2}?(?:mina\s+)?personuppgift\w*"
     r"|\bregisterutdrag\w*|\br" + AE + r"tt(?:en)?\s+till\s+tillg" + AA + r"ng\b", 0.9, ""),
    (T.ACCESS, "sv.artikel15", rf"\bart(?:ikel|\.)?\s*15\b[^\n]{{0,30}}?{_GDPR}", 0.9, "a"),
    (T.ACCESS, "sv.kopia_av_mina_uppgifter",
     rf"\b(?:kopia|utdrag|f{OE}rteckning)\s+(?:av|" + OE + rf"ver)\s+(?:\w+\s+){{0,2}}?{OBJ}"
     r"|\bvilka\s+(?:\w+\s+){0,2}?(?:personuppgift\w*|uppgift\w*)\b[^.?!\n]{0,60}?\bom\s+mig\b",
     0.85, ""),
    (T.RECTIFICATION, "sv.rattelse",
     r"\br" + AE + r"ttelse\w*|\b(?:r" + AE + r"tta|korrigera|uppdatera|" + AE + r"ndra)\s+"
     rf"{_GAP4}{OBJ}|\bfelaktig\w*\s+(?:\w+\s+)?(?:personuppgift\w*|uppgift\w*|namn|adress)"
     r"|\bmin\s+(?:nya\s+)?adress\s+" + AE + r"r\s+nu\b", 0.85, ""),
    (T.ERASURE, "sv.radera_mina_uppgifter",
     rf"\b(?:radera\w*|radering\w*|ta\s+bort|tas\s+bort|tag\s+bort|avl{AE}gsna\w*)\W+{_GAP4}{OBJ}",
     0.85, "q"),
    (T.ERASURE, "sv.begaran_om_radering",
     r"\bbeg" + AE + r"ran\s+om\s+radering\b|\br" + AE + r"tt(?:en)?\s+att\s+bli\s+gl"
     + OE + r"md\b|\bart(?:ikel|\.)?\s*17\b[^\n]{0,30}?" + _GDPR, 0.9, ""),
    (T.RESTRICTION, "sv.invander_mot",
     r"\binv" + AE + r"nd\w*\s+(?:\w+\s+){0,3}?mot\s+(?:\w+\s+){0,3}?(?:behandling\w*|"
     r"direktmarknadsf\w*|profilering\w*|anv" + AE + r"ndning\w*|marknadsf\w*)", 0.85, ""),
    (T.RESTRICTION, "sv.begransa_behandlingen",
     r"\bbegr" + AE + r"nsa\w*\s+(?:\w+\s+){0,3}?behandling\w*|\bsluta\s+(?:att\s+)?"
     rf"(?:anv{AE}nda|behandla)\s+{OBJ}", 0.9, ""),
    (T.THIRD_PARTY_AUTHORISATION, "sv.for_min_sons_rakning",
     rf"\bf{OE}r\s+min\s+(?:\w+\s+)?{_REL}\s+r{AE}kning\b|\bp{AA}\s+uppdrag\s+av\s+min\s+"
     rf"(?:\w+\s+)?{_REL}\b|\bp{AA}\s+min\s+(?:\w+\s+)?{_REL}\s+v{AE}gnar\b|\bfullmakt\w*|"
     rf"\bv{AA}rdnadshavare\b", 0.85, "s"),
    (T.COMPLAINT, "sv.klagomal", r"\b(?:klagom" + AA + r"l\w*|klaga\w*)\b", 0.8, "cp"),
    (T.COMPLAINT, "sv.tidsfrist_overskriden",
     r"\b(?:period\w*|frist\w*|tidsgr" + AE + r"ns\w*)\b[^\n]{0,80}?\b" + OE + r"verskr\w*",
     0.75, "cp"),
)

CONDITIONAL = (
    r"\b(?:om\s+(?:du|ni)|annars|f" + OE + r"rbeh" + AA + r"ller|i\s+s" + AA + r"\s+fall|"
    r"huruvida|ifall)\b"
)
PRIVACY_CONTEXT = (
    r"\b(?:personuppgift\w*|tillsynsmyndighet\w*|imy|integritetsskydd\w*|gdpr|dataskydd\w*|"
    r"mina\s+uppgifter|art(?:ikel|\.)?\s*77)\b"
)
FOOTER = r"\b(?:klicka|l" + AE + r"nk\w*|h" + AE + r"r\s+f" + OE + r"r\s+att)\b"
CONSEQUENCE = r"\b(?:leda\s+till|inneb" + AE + r"ra|resultera\w*)\b"
NEGATION = r"\b(?:inte|icke|ej|aldrig)"
AFFIRMATION = r"(?:ja|japp|jo|ok|okej|g" + AE + r"rna|ja\s+tack|sj" + AE + r"lvklart)"

#: See ``handlers.lexicon.en.RULE_TRIGGERS``.
RULE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "sv.aterkalla_samtycke": ("samtyck",),
    "sv.avregistrera": (
        "avregistrer", "avprenumerer", "avsluta", "nyhetsbrev", "utskick", "reklam",
        "marknadsf",
    ),
    "sv.begar_tillgang": ("tillg", "registerutdrag"),
    "sv.artikel15": ("art",),
    "sv.kopia_av_mina_uppgifter": (
        "kopia", "utdrag", "förteckning", "forteckning", "foerteckning", "vilka",
    ),
    "sv.rattelse": (
        "rätt", "raett", "ratt", "korrigera", "uppdatera", "ändra", "aendra", "andra",
        "felaktig", "adress",
    ),
    "sv.radera_mina_uppgifter": ("radera", "radering", "bort", "avlägsn", "avlaegsn", "avlagsn"),
    "sv.begaran_om_radering": ("radering", "rätt", "raett", "ratt", "art"),
    "sv.invander_mot": ("invänd", "invaend", "invand", "inväend"),
    "sv.begransa_behandlingen": ("begränsa", "begraensa", "begransa", "sluta"),
    "sv.for_min_sons_rakning": (
        "räkning", "raekning", "rakning", "uppdrag", "vägnar", "vaegnar", "vagnar",
        "fullmakt", "vårdnadshavare", "vaardnadshavare", "vardnadshavare",
    ),
    "sv.klagomal": ("klagom", "klaga"),
    "sv.tidsfrist_overskriden": ("överskr", "oeverskr", "overskr"),
}


#: Personal data a pronoun ("ändra det") can point back to (flag ``r``).
ANTECEDENT = (
    r"\b(?:min|mitt|mina)\s+(?:\w+\s+)?(?:gamla\s+|nya\s+)?(?:adress\w*|namn|efternamn|"
    r"telefonnummer|nummer|e-?post\w*|mejl\w*|uppgift\w*|personuppgift\w*|profil\w*|konto\w*|"
    r"bild\w*|foto\w*)\b|\bjag\s+har\s+flyttat\b|\bpersonuppgift\w*"
)
FACTUAL = (
    r"\b(?:har|hade)\s+(?:\w+\s+){0,2}?(?:klagat|anm" + AE + r"lt|l" + AE + r"mnat)\b"
    r"|\bh" + AE + r"rmed\b"
)
OFFER_CUE = r"\b(?:vill\s+du|ska\s+vi|" + OE + r"nskar\s+du)\b"

RULES = RULES + (
    (T.RECTIFICATION, "sv.andra_det",
     r"\b(?:" + AE + r"ndra|r" + AE + r"tta|uppdatera|korrigera)\s+(?:\w+\s+)?(?:det|den|dem)\b"
     r"|\bni\s+har\s+(?:fortfarande\s+|kvar\s+)?min\s+gamla\s+(?:adress|e-?post\w*|mejl\w*|"
     r"nummer|telefonnummer|namn)"
     r"|\b(?:min|mitt)\s+(?:\w+\s+)?(?:adress|telefonnummer|nummer|namn|efternamn|e-?post\w*)\s+"
     + AE + r"r\s+(?:nu\s+)?(?:" + AE + r"ndrad\w*|ny\w*)\b", 0.75, "r"),
    (T.ERASURE, "sv.radera_det",
     r"\b(?:radera|ta\s+bort|tag\s+bort)\s+(?:\w+\s+)?(?:det|den|dem)\b", 0.75, "rq"),
    (T.ACCESS, "sv.vad_har_ni_om_mig",
     r"\bvad\s+(?:har|vet|sparar|lagrar)\s+ni\s+(?:\w+\s+){0,3}?om\s+mig\b"
     r"|\bvilka\s+(?:\w+\s+){0,2}?(?:personuppgift\w*|uppgift\w*|data)\b[^.?!\n]{0,40}?"
     r"\b(?:sparat|lagrat|registrerat)\b", 0.8, ""),
)
RULE_TRIGGERS.update(
    {
        "sv.andra_det": (
            "ändra", "aendra", "andra", "rätta", "raetta", "ratta", "uppdatera", "korrigera",
            "gamla", "ändrad", "aendrad", "andrad", "ny",
        ),
        "sv.radera_det": ("radera", "ta", "tag"),
        "sv.vad_har_ni_om_mig": ("vad", "vilka"),
    }
)
