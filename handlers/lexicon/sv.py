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
    (
        T.CONSENT_WITHDRAWAL,
        "sv.aterkalla_samtycke",
        r"\bdra\w*\s+(?:\w+\s+){0,3}?tillbaka\s+(?:\w+\s+){0,2}?samtycke\w*"
        r"|\b" + AA + r"terkall\w*\s+(?:\w+\s+){0,3}?samtycke\w*"
        r"|\bsamtycke\w*\s+(?:\w+\s+){0,3}?(?:" + AA + r"terkallas|dras\s+tillbaka)",
        0.9,
        "",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "sv.avregistrera",
        r"\b(?:avregistrera|avprenumerera|avsluta\s+(?:min\s+)?prenumeration)\w*"
        r"(?:\s+\w+){0,4}?\s+(?:nyhetsbrev\w*|utskick\w*|e-?post\w*|mejl\w*|marknadsf\w*)"
        r"|\bvill\s+inte\s+(?:l" + AE + r"ngre\s+)?(?:f" + AA + r"|ta\s+emot)\s+(?:\w+\s+){0,2}?"
        r"(?:nyhetsbrev\w*|utskick\w*|reklam\w*|marknadsf\w*)",
        0.85,
        "f",
    ),
    (
        T.ACCESS,
        "sv.begar_tillgang",
        r"\b(?:beg" + AE + r"r\w*|vill\s+ha|ber\s+om)\s+(?:\w+\s+){0,2}?tillg" + AA + r"ng\b"
        r"|\btillg" + AA + r"ng\s+till\s+(?:\w+\s+){0,2}?(?:mina\s+)?personuppgift\w*"
        r"|\bregisterutdrag\w*|\br" + AE + r"tt(?:en)?\s+till\s+tillg" + AA + r"ng\b",
        0.9,
        "",
    ),
    (T.ACCESS, "sv.artikel15", rf"\bart(?:ikel|\.)?\s*15\b[^\n]{{0,30}}?{_GDPR}", 0.9, "a"),
    (
        T.ACCESS,
        "sv.kopia_av_mina_uppgifter",
        rf"\b(?:kopia|utdrag|f{OE}rteckning)\s+(?:av|" + OE + rf"ver)\s+(?:\w+\s+){{0,2}}?{OBJ}"
        r"|\bvilka\s+(?:\w+\s+){0,2}?(?:personuppgift\w*|uppgift\w*)\b[^.?!\n]{0,60}?\bom\s+mig\b",
        0.85,
        "",
    ),
    (
        T.RECTIFICATION,
        "sv.rattelse",
        r"\br" + AE + r"ttelse\w*|\b(?:r" + AE + r"tta|korrigera|uppdatera|" + AE + r"ndra)\s+"
        rf"{_GAP4}{OBJ}|\bfelaktig\w*\s+(?:\w+\s+)?(?:personuppgift\w*|uppgift\w*|namn|adress)"
        r"|\bmin\s+(?:nya\s+)?adress\s+" + AE + r"r\s+nu\b",
        0.85,
        "",
    ),
    (
        T.ERASURE,
        "sv.radera_mina_uppgifter",
        rf"\b(?:radera\w*|radering\w*|ta\s+bort|tas\s+bort|tag\s+bort|tar\s+bort|avl{AE}gsna\w*)\W+"
        rf"{_GAP4}{OBJ}",
        0.85,
        "q",
    ),
    (
        T.ERASURE,
        "sv.begaran_om_radering",
        r"\bbeg"
        + AE
        + r"ran\s+om\s+radering\b|\br"
        + AE
        + r"tt(?:en)?\s+att\s+bli\s+gl"
        + OE
        + r"md\b|\bart(?:ikel|\.)?\s*17\b[^\n]{0,30}?"
        + _GDPR,
        0.9,
        "",
    ),
    (
        T.RESTRICTION,
        "sv.invander_mot",
        r"\binv" + AE + r"nd\w*\s+(?:\w+\s+){0,3}?mot\s+(?:\w+\s+){0,3}?(?:behandling\w*|"
        r"direktmarknadsf\w*|profilering\w*|anv" + AE + r"ndning\w*|marknadsf\w*)",
        0.85,
        "",
    ),
    (
        T.RESTRICTION,
        "sv.begransa_behandlingen",
        r"\bbegr" + AE + r"nsa\w*\s+(?:\w+\s+){0,3}?behandling\w*|\bsluta\s+(?:att\s+)?"
        rf"(?:anv{AE}nda|behandla)\s+{OBJ}",
        0.9,
        "",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "sv.for_min_sons_rakning",
        rf"\bf{OE}r\s+min\s+(?:\w+\s+)?{_REL}\s+r{AE}kning\b|\bp{AA}\s+uppdrag\s+av\s+min\s+"
        rf"(?:\w+\s+)?{_REL}\b|\bp{AA}\s+min\s+(?:\w+\s+)?{_REL}\s+v{AE}gnar\b|\bfullmakt\w*|"
        rf"\bv{AA}rdnadshavare\b",
        0.85,
        "s",
    ),
    (T.COMPLAINT, "sv.klagomal", r"\b(?:klagom" + AA + r"l\w*|klaga\w*)\b", 0.8, "cp"),
    (
        T.COMPLAINT,
        "sv.tidsfrist_overskriden",
        r"\b(?:period\w*|frist\w*|tidsgr" + AE + r"ns\w*)\b[^\n]{0,80}?\b" + OE + r"verskr\w*",
        0.75,
        "cp",
    ),
)

CONDITIONAL = (
    r"\b(?:om\s+(?:du|ni)|annars|f" + OE + r"rbeh" + AA + r"ller|i\s+s" + AA + r"\s+fall|"
    r"huruvida|ifall)\b"
)
PRIVACY_CONTEXT = (
    r"\b(?:personuppgift\w*|tillsynsmyndighet\w*|imy|integritetsskydd\w*|gdpr|dataskydd\w*|"
    r"mina\s+uppgifter|art(?:ikel|\.)?\s*77)\b"
)
DISCLAIMER = (
    r"\b(?:inte\s+(?:" + AE + r"r\s+)?(?:den\s+)?(?:avsedda|r" + AE + r"tta|korrekta)\s+"
    r"mottagare\w*|(?:f" + AA + r"tt|mottagit)\s+(?:detta\s+)?(?:e-?post\w*|mejl\w*|"
    r"meddelande\w*)\s+(?:\w+\s+){0,2}?(?:av\s+misstag|felaktigt))"
)
FIRST_PERSON = r"\b(?:jag|mig|min|mitt|mina)\b"
FOOTER = r"\b(?:klicka|l" + AE + r"nk\w*|h" + AE + r"r\s+f" + OE + r"r\s+att)\b"
CONSEQUENCE = r"\b(?:leda\s+till|inneb" + AE + r"ra|resultera\w*)\b"
NEGATION = r"\b(?:inte|icke|ej|aldrig)"
#: A negation in a question that asks us to act ("Kan ni inte bara radera den?"): not a no.
ASKING_NEGATION = r"\b(?:vill|kan|kunde|skulle)\s+ni\s+(?:inte|icke)\s+(?:\w+\s+)?$"
AFFIRMATION = r"(?:ja|japp|jo|ok|okej|g" + AE + r"rna|ja\s+tack|sj" + AE + r"lvklart)"

#: See ``handlers.lexicon.en.RULE_TRIGGERS``.
RULE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "sv.aterkalla_samtycke": ("samtyck",),
    "sv.avregistrera": (
        "avregistrer",
        "avprenumerer",
        "avsluta",
        "nyhetsbrev",
        "utskick",
        "reklam",
        "marknadsf",
    ),
    "sv.begar_tillgang": ("tillg", "registerutdrag"),
    "sv.artikel15": ("art",),
    "sv.kopia_av_mina_uppgifter": (
        "kopia",
        "utdrag",
        "förteckning",
        "forteckning",
        "foerteckning",
        "vilka",
    ),
    "sv.rattelse": (
        "rätt",
        "raett",
        "ratt",
        "korrigera",
        "uppdatera",
        "ändra",
        "aendra",
        "andra",
        "felaktig",
        "adress",
    ),
    "sv.radera_mina_uppgifter": (
        "radera",
        "radering",
        "bort",
        "avlägsn",
        "avlaegsn",
        "avlagsn",
        "tar",
    ),
    "sv.begaran_om_radering": ("radering", "rätt", "raett", "ratt", "art"),
    "sv.invander_mot": ("invänd", "invaend", "invand", "inväend"),
    "sv.begransa_behandlingen": ("begränsa", "begraensa", "begransa", "sluta"),
    "sv.for_min_sons_rakning": (
        "räkning",
        "raekning",
        "rakning",
        "uppdrag",
        "vägnar",
        "vaegnar",
        "vagnar",
        "fullmakt",
        "vårdnadshavare",
        "vaardnadshavare",
        "vardnadshavare",
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
#: What our own questions offer (see ``handlers.lexicon.da.OFFER_RULES``): "Vill du att vi
#: raderar hela din profil, eller ska vi bara avregistrera dig från nyhetsbrevet?"
OFFER_RULES: tuple[tuple[T, str, str, float, str], ...] = (
    (
        T.ERASURE,
        "sv.offer_radering",
        r"\b(?:radera\w*|ta\s+bort|tar\s+bort)\b(?:\W+\w+){0,4}?\W+(?:dina|din|ditt)\s+"
        r"(?:\w+\s+){0,2}?(?:\w*uppgift\w*|\w*data|konto\w*|profil\w*)|\bradera\w*\s+dig\b",
        0.7,
        "",
    ),
    (
        T.ACCESS,
        "sv.offer_registerutdrag",
        r"\b(?:registerutdrag\w*|kopia\s+av\s+(?:dina|era)\s+(?:\w*uppgift\w*|data))",
        0.7,
        "",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "sv.offer_avregistrering",
        r"\b(?:avregistrera\w*|avanm" + AE + r"l\w*|avsluta\s+(?:\w+\s+)?prenumeration\w*|"
        r"" + AA + r"terkalla\s+(?:ditt\s+)?samtycke)",
        0.7,
        "",
    ),
    (
        T.RECTIFICATION,
        "sv.offer_rattelse",
        r"\b(?:r" + AE + r"tta|uppdatera|" + AE + r"ndra)\s+(?:dina|din|ditt)\s+(?:\w+\s+)?(?:namn|"
        r"adress\w*|\w*uppgift\w*|f" + OE + r"delsedatum|e-?post\w*)",
        0.7,
        "",
    ),
)

RULES = RULES + (
    (
        T.RECTIFICATION,
        "sv.andra_det",
        r"\b(?:" + AE + r"ndra|r" + AE + r"tta|uppdatera|korrigera)\s+(?:\w+\s+)?(?:det|den|dem)\b"
        r"|\bni\s+har\s+(?:fortfarande\s+|kvar\s+)?min\s+gamla\s+(?:adress|e-?post\w*|mejl\w*|"
        r"nummer|telefonnummer|namn)"
        r"|\b(?:min|mitt)\s+(?:\w+\s+)?(?:adress|telefonnummer|nummer|namn|efternamn|e-?post\w*)\s+"
        + AE
        + r"r\s+(?:nu\s+)?(?:"
        + AE
        + r"ndrad\w*|ny\w*)\b",
        0.75,
        "r",
    ),
    (
        T.ERASURE,
        "sv.radera_det",
        r"\b(?:radera|ta\s+bort|tag\s+bort)\s+(?:\w+\s+)?(?:det|den|dem)\b",
        0.75,
        "rq",
    ),
    (
        T.ACCESS,
        "sv.vad_har_ni_om_mig",
        r"\bvad\s+(?:har|vet|sparar|lagrar)\s+ni\s+(?:\w+\s+){0,3}?om\s+mig\b"
        r"|\bvilka\s+(?:\w+\s+){0,2}?(?:personuppgift\w*|uppgift\w*|data)\b[^.?!\n]{0,40}?"
        r"\b(?:sparat|lagrat|registrerat)\b",
        0.8,
        "",
    ),
)
RULE_TRIGGERS.update(
    {
        "sv.andra_det": (
            "ändra",
            "aendra",
            "andra",
            "rätta",
            "raetta",
            "ratta",
            "uppdatera",
            "korrigera",
            "gamla",
            "ändrad",
            "aendrad",
            "andrad",
            "ny",
        ),
        "sv.radera_det": ("radera", "bort"),
        "sv.vad_har_ni_om_mig": ("vad", "vilka"),
    }
)

# -- everyday phrasings, second round (dev2/) -------------------------------------------
_REL2 = (
    r"(?:son|sonen|dotter|dottern|barn|barnet|mamma|pappa|mor|far|make|maken|fru|frun|"
    r"sambo|bror|syster|f" + OE + r"r" + AE + r"ldrar)"
)
BUSINESS_DOC = r"\b(?:\w*biljett\w*|faktur\w*|kvitto\w*|flygbolag\w*|kontrakt\w*|resplan\w*)\b"
PERFECT = r"\b(?:jag|vi)\s+(?:har|hade)"
PERFECT_SECOND = r"\bni\s+har"
RETRACTION = r"\bgl" + OE + r"m\s+det\b(?!\s+inte)|\bstrunta\s+i\s+det\b"
RETRACTION_HINTS = ("glöm", "gloem", "glom", "strunta")
REPLACE = r"\bers" + AE + r"tt\w*"
THIRD_PARTY_CUE = (
    rf"\b(?:min|mitt|mina|v{AA}r|v{AA}rt)\s+(?:\w+\s+)?{_REL2}\b|\b(?:mamma|pappa|mor|far|"
    rf"f{OE}r{AE}lder|v{AA}rdnadshavare)\s+till\b|\bfullmakt\w*|\bv{AE}gnar\b"
)
GREETING = r"hej|hejsan|hall" + AA
POLITE = r"tack|tack\s+s" + AA + r"\s+mycket|nu|omg" + AA + r"ende|sn" + AE + r"lla"
SIGNOFF = r"mvh|h" + AE + r"lsningar|v" + AE + r"nliga\s+h" + AE + r"lsningar|/"
SHORT_COMMANDS: tuple[tuple[T, str, str, float, str], ...] = (
    (
        T.CONSENT_WITHDRAWAL,
        "sv.kort_avregistrera",
        r"(?:avregistrera|avprenumerera|avsluta)(?:\s+mig)?(?:\s+(?:fr" + AA + r"n\s+)?"
        r"(?:nyhetsbrevet|listan|utskicken))?",
        0.8,
        "",
    ),
    (
        T.ERASURE,
        "sv.kort_radera_mig",
        r"(?:radera|ta\s+bort)\s+(?:mig|mitt\s+konto|min\s+profil|mina\s+uppgifter)",
        0.8,
        "",
    ),
)
_NEWS2 = (
    r"(?:utskick\w*|erbjudand\w*|nyhetsbrev\w*|reklam\w*|marknadsf" + OE + r"ring\w*|mejl|"
    r"e-?post|sms|kampanj\w*)"
)
_CONTACT = (
    r"(?:adress\w*|e-?post\w*|mejl\w*|telefonnummer\w*|nummer|namn|efternamn\w*|f"
    + OE
    + r"rnamn\w*|personnummer\w*|f"
    + OE
    + r"delsedatum\w*)"
)
RULES = RULES + (
    (
        T.ERASURE,
        "sv.radera_mig",
        r"\b(?:radera|ta\s+bort|tag\s+bort|stryk)\s+mig\s+(?:ur|fr" + AA + r"n)\s+(?:\w+\s+){0,2}?"
        r"\w*(?:system|register|databas|kundregister|lista)\w*"
        r"|\b(?:radera|ta\s+bort)\s+(?:\w+\s+){0,3}?(?:hennes|hans)\s+(?:\w+\s+)?(?:uppgifter|"
        r"personuppgifter|konto|profil)\b"
        r"|\b(?:radera\w*|ta\s+bort|tas\s+bort)\s+(?:\w+\s+){0,3}?(?:pass\w*|passkopia\w*|"
        r"l" + AE + r"karintyg\w*|journal\w*)\b",
        0.8,
        "q",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "sv.inga_fler_utskick",
        rf"\bvill\s+inte\s+(?:l{AE}ngre\s+)?(?:ha|f{AA}|ta\s+emot)\s+(?:\w+\s+){{0,2}}?(?:fler|mer|"
        rf"n{AA}gra\s+fler)\s+(?:\w+\s+)?{_NEWS2}"
        rf"|\bsluta\s+(?:att\s+)?(?:skicka|mejla|ringa|sms:a)\s+(?:\w+\s+){{0,3}}?{_NEWS2}"
        rf"|\binga\s+fler\s+{_NEWS2}",
        0.8,
        "f",
    ),
    (
        T.ACCESS,
        "sv.vad_har_ni_sparat",
        r"\b(?:vad|vilka|vilken)\s+(?:\w+\s+){0,3}?(?:(?:har|vet|sparar|lagrar)\s+ni|ni\s+(?:har|"
        r"vet|sparar|lagrar))\s+(?:\w+\s+){0,3}?"
        r"om\s+(?:mig|honom|henne)\b"
        r"|\bhur\s+har\s+ni\s+f" + AA + r"tt\s+(?:tag\s+p" + AA + r"\s+)?(?:mitt|min|mina)\b"
        r"|\b(?:kopia|utdrag)\s+(?:av|p" + AA + r")\s+(?:\w+\s+){0,3}?(?:uppgifter|data)\s+"
        r"(?:\w+\s+){0,3}?om\s+(?:mig|honom|henne)\b",
        0.8,
        "",
    ),
    (
        T.RECTIFICATION,
        "sv.ny_adress",
        rf"\b(?:min|mitt)\s+nya\s+{_CONTACT}\s+"
        + AE
        + r"r\b|\bjag\s+har\s+(?:bytt|"
        + AE
        + rf"ndrat|f{AA}tt\s+nytt?)\s+(?:\w+\s+)?{_CONTACT}\b"
        rf"|\b(?:fel|felaktig\w*)\s+(?:\w+\s+)?{_CONTACT}\b|\b(?:min|mitt)\s+{_CONTACT}\s+"
        rf"{AE}r\s+(?:\w+\s+)?(?:fel|felstavat|felaktig\w*)\b",
        0.8,
        "b",
    ),
    (
        T.RESTRICTION,
        "sv.inte_anvands_till",
        r"\b(?:vill\s+inte\s+att|f" + AA + r"r\s+inte)\s+(?:\w+\s+){0,3}?(?:anv" + AE + r"nd\w*|"
        r"delas|dela|s"
        + AE
        + r"ljas|s"
        + AE
        + r"lja|l"
        + AE
        + r"mnas\s+ut|l"
        + AE
        + r"mna\s+ut)\s+(?:\w+\s+){0,3}?(?:till|f"
        + OE
        + r"r|med)\s+(?:\w+\s+)?(?:reklam\w*|"
        r"marknadsf\w*|profilering\w*|tredje\s+part\w*|andra\w*|partner\w*)",
        0.8,
        "",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "sv.foralder_till",
        r"\bjag\s+"
        + AE
        + r"r\s+(?:\w+\s+)?(?:mamma|pappa|mor|far|f"
        + OE
        + r"r"
        + AE
        + r"lder|v"
        + AA
        + r"rdnadshavare)\s+till\b|\b(?:jag|vi)\s+skriver\s+f"
        + OE
        + rf"r\s+(?:min|mitt|v{AA}r)\s+(?:\w+\s+)?{_REL2}\b"
        r"|\b(?:hennes|hans)\s+(?:\w+\s+)?(?:uppgifter|personuppgifter|data|konto|profil)\b",
        0.75,
        "st",
    ),
    (
        T.COMPLAINT,
        "sv.anmalt_till_imy",
        r"\b(?:anm" + AE + r"lt|anm" + AE + r"ler|rapporterat)\s+(?:\w+\s+){0,2}?till\s+"
        r"(?:imy|integritetsskyddsmyndigheten|datainspektionen)\b"
        r"|\b(?:skickade|skickat|delade|delat|gav|gett|l" + AE + r"mnade|l" + AE + r"mnat)\s+"
        r"(?:\w+\s+){0,5}?(?:mitt|min|mina)\s+(?:\w+\s+){0,2}?\w*\s*(?:till|med)\s+(?:fel|en\s+annan|"
        r"andra)\b",
        0.8,
        "c",
    ),
)
RULE_TRIGGERS.update(
    {
        "sv.radera_mig": ("radera", "bort", "stryk"),
        "sv.inga_fler_utskick": (
            "utskick",
            "erbjudand",
            "nyhetsbrev",
            "reklam",
            "marknadsf",
            "mejl",
            "e-post",
            "epost",
            "sms",
            "kampanj",
        ),
        "sv.vad_har_ni_sparat": ("vad", "vilka", "vilken", "hur", "kopia", "utdrag"),
        "sv.ny_adress": (
            "nya",
            "bytt",
            "ändrat",
            "aendrat",
            "andrat",
            "fått",
            "faatt",
            "fatt",
            "fel",
            "felaktig",
            "felstavat",
        ),
        "sv.inte_anvands_till": ("vill", "får", "faar", "far"),
        "sv.foralder_till": (
            "mamma",
            "pappa",
            "mor",
            "far",
            "förälder",
            "foerälder",
            "foralder",
            "vårdnad",
            "vaardnad",
            "vardnad",
            "skriver",
            "hennes",
            "hans",
        ),
        "sv.anmalt_till_imy": (
            "anmält",
            "anmaelt",
            "anmalt",
            "anmäler",
            "anmaeler",
            "anmaler",
            "rapporterat",
            "skickade",
            "skickat",
            "delade",
            "delat",
            "gav",
            "gett",
            "lämna",
            "laemna",
            "lamna",
        ),
    }
)

#: Flags the first round's rules gain now that the checks exist (see ``lexicon.da``).
_MORE_FLAGS = {
    "sv.radera_mina_uppgifter": "h",
    "sv.radera_det": "h",
    "sv.rattelse": "bh",
    "sv.andra_det": "bh",
}
RULES = tuple((t, n, p, w, f + _MORE_FLAGS.get(n, "")) for t, n, p, w, f in RULES)

# -- third round (dev3/) ------------------------------------------------------------------
RULES = RULES + (
    (
        T.ERASURE,
        "sv.radera_allt_om_mig",
        r"\b(?:radera\w*|ta\s+bort|tar\s+bort|tas\s+bort)\s+(?:\w+\s+){0,2}?allt\b[^.?!\n]{0,30}?"
        r"\bom\s+(?:mig|henne|honom)\b",
        0.85,
        "q",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "sv.avregistrera_mig",
        r"\b(?:avregistrera|avanm" + AE + r"l|stryk|ta\s+bort)\w*\s+mig\s+(?:fr" + AA + r"n\s+)?"
        r"(?:\w+\s+)?"
        r"(?:nyhetsbrev\w*|utskick\w*|e-?postlista\w*|mejllista\w*|sms-?\w*)",
        0.85,
        "f",
    ),
    (
        T.RECTIFICATION,
        "sv.felstavat",
        r"\b(?:mitt|min)\s+(?:\w+\s+)?(?:namn|efternamn|f"
        + OE
        + r"rnamn|adress|personnummer)\s+"
        + AE
        + r"r\s+(?:\w+\s+)?(?:felstavat|felstavad|fel|felaktig\w*)\b",
        0.8,
        "b",
    ),
    (
        T.COMPLAINT,
        "sv.skickat_till_fel",
        r"\b(?:skickat|skickade|l" + AE + r"mnat|l" + AE + r"mnade|delat|delade)\s+(?:\w+\s+){0,3}?"
        r"(?:mina|min|mitt)\s+(?:\w+\s+)?(?:personuppgift\w*|uppgift\w*|adress|pass\w*|"
        r"personnummer)\s+(?:\w+\s+){0,2}?till\s+(?:fel|en\s+annan|andra|obeh" + OE + r"riga)\b",
        0.8,
        "c",
    ),
)
RULE_TRIGGERS.update(
    {
        "sv.radera_allt_om_mig": ("radera", "bort"),
        "sv.avregistrera_mig": ("avregistrer", "avanm", "stryk", "bort"),
        "sv.felstavat": ("felstava", "fel"),
        "sv.skickat_till_fel": ("skicka", "lämna", "laemna", "lamna", "delat", "delade"),
    }
)

# -- the second opinion (``classify._paired``; see ``lexicon.da``) ------------------------
PAIR_DATA = (
    r"\b(?:mina|min|mitt)\s+(?:\w+\s+)?(?:uppgift\w*|personuppgift\w*|data|konto|profil|"
    r"adress|namn|telefonnummer|pass)\b|\bpersonuppgift(?!sansvarig)\w*"
    r"|\b(?:allt|uppgift\w*|information)\s+(?:\w+\s+){0,3}?om\s+mig\b"
    r"|\bert\s+(?:\w+\s+)?(?:register|system|databas)\w*"
)
PAIR_LIST = r"\b(?:nyhetsbrev\w*|utskick\w*|reklam\w*|erbjudand\w*|marknadsf" + OE + r"ring\w*)\b"
#: (a substring anywhere in a word: "flybooking", "rejseforsikringen")
PAIR_BLOCK = r"(?:bokning|faktura|biljett|bagage|betalning|visum|resplan|app|portal)"
PAIRS: tuple[tuple[T, str, str, str, float], ...] = (
    (
        T.ERASURE,
        "sv.par_radera",
        r"\b(?:radera|raderar|raderas|ta\s+bort|tar\s+bort|tas\s+bort|stryk|gl" + OE + r"m)\b"
        r"|\binte\s+(?:\w+\s+)?(?:finnas|vara|st" + AA + r")\s+(?:kvar\s+)?i\b",
        "data",
        0.6,
    ),
    (
        T.ACCESS,
        "sv.par_tillgang",
        r"\b(?:vad|vilka|kopia|(?<!kan\s)(?<!\.)se|veta|tillg" + AA + r"ng)\b",
        "data",
        0.6,
    ),
    (
        T.RECTIFICATION,
        "sv.par_ratta",
        r"\b(?:r" + AE + r"tta|(?:ä|ae)ndra|uppdatera|(?<!till\s)fel|felaktig\w*|felstava\w*)\b",
        "data",
        0.6,
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "sv.par_avregistrera",
        r"\b(?:avregistrera|avanm" + AE + r"l\w*|sluta|(?:vill|ska|f" + AA + r")\s+(?:\w+\s+)?inte|"
        r"inga\s+fler)\b",
        "list",
        0.6,
    ),
)
PAIR_TRIGGERS = (
    "uppgift",
    "personuppgift",
    "data",
    "konto",
    "profil",
    "adress",
    "namn",
    "telefonnummer",
    "pass",
    "allt",
    "information",
    "register",
    "system",
    "databas",
    "nyhetsbrev",
    "utskick",
    "reklam",
    "erbjudand",
    "marknadsf",
)

# -- sixth round (dev6/): general second-opinion objects (see ``lexicon.da``) -------------
PAIR_CONTACT = (
    r"\b(?:(?:ringa|ringer|kontakta|kontaktar|skriva|skriver|mejla|maila|skicka|skickar)\s+"
    # "mitt senaste mejl" is a message the writer sent, not a way of reaching them
    r"(?:\w+\s+)?(?:till\s+)?mig|bli\s+(?:kontaktad|uppringd)|kontaktas|samtal|sms|"
    r"(?<!senaste\s)(?<!sista\s)(?<!förra\s)(?:mejl|mail)|"
    r"utskick\w*|reklam\w*|erbjudand\w*)\b"
)
PAIR_EVENT = (
    r"\b(?:delat|delade|skickat|skickade|l" + AE + r"mnat\s+ut|l" + AE + r"mnade\s+ut|gett|gav|"
    r"s" + AA + r"lt|l" + AE + r"ckt|visat|publicerat|lagt\s+ut)\b"
)
PAIR_SENSITIVE = r"\b(?:personnummer\w*|pass\w*|h" + AE + r"lsa\w*|adress\w*|telefonnummer\w*)\b"
PAIR_RELATIVE = (
    r"\b(?:om|f" + OE + r"r|p" + AA + r")\s+(?:min|mitt|mina)\s+(?:son|dotter|barn|man|fru|"
    r"mamma|pappa|bror|syster)\b"
)
SELF_SERVICE_Q = r"\bhur"
#: "kan jag själv ändra numret?": asks whether to do it, not that we do it.
SELF_SERVICE = r"\bkan\s+(?:jag|vi)\s+sj" + AE + r"lv"
#: Our invitation to an event in the quote: a bare "avanmäl" under it declines it.
INVITATION = r"\b(?:anm" + AE + r"l\w*|webbinari\w*|inbjud\w*|informationsm" + OE + r"te\w*)\b"
PAIRS = PAIRS + (
    (
        T.CONSENT_WITHDRAWAL,
        "sv.par_kontakt",
        r"\b(?:sluta|stoppa|inga\s+fler|(?:vill|ska)\s+(?:\w+\s+)?inte|inte\s+(?:\w+\s+)?l"
        + AE
        + r"ngre)\b",
        "contact",
        0.6,
    ),
    (
        T.COMPLAINT,
        "sv.par_klagomal",
        r"\b(?:inte\s+(?:okej|ok|acceptabelt|rimligt|i\s+sin\s+ordning)|oacceptabel\w*|uppr"
        + OE
        + r"rd|arg|olagligt|utan\s+(?:mitt\s+)?(?:lov|samtycke|tillst"
        + AA
        + r"nd)|"
        r"utan\s+att\s+fr" + AA + r"ga)\b",
        "event",
        0.6,
    ),
    (
        T.RESTRICTION,
        "sv.par_begransa",
        r"\b(?:begr" + AE + r"nsa\w*|inte\s+(?:\w+\s+)?(?:anv" + AE + r"nd\w*|dela\w*))\b",
        "data",
        0.6,
    ),
)
PAIR_CONTACT_TRIGGERS = (
    "ringa",
    "ringer",
    "kontakta",
    "skriva",
    "skriver",
    "mejla",
    "maila",
    "skicka",
    "samtal",
    "sms",
    "mejl",
    "mail",
    "utskick",
    "reklam",
    "erbjudand",
    "uppringd",
)
PAIR_TRIGGERS = PAIR_TRIGGERS + (
    "personnummer",
    "hälsa",
    "hælsa",
    "haelsa",
    "halsa",
)
FIRST_PERSON = r"\b(?:jag|vi)\s+(?:har\s+|hade\s+)?(?:\w+\s+)?"
#: Word stems every ``PAIR_RELATIVE`` match holds.
PAIR_RELATIVE_TRIGGERS = (
    "son",
    "dotter",
    "barn",
    "man$",
    "fru",
    "mamma",
    "pappa",
    "bror",
    "syster",
)
PAIR_USE = (
    r"\b(?:används|användas|använda|anv" + AE + r"nder)\s+(?:\w+\s+){0,3}?(?:till|f" + OE + r"r)\b"
)
#: A short next sentence that points back to the data ("Få det slettet.", "Delete them.").
PAIR_FOLLOW = r"\b(?:de|dem|det|den)\b"

# -- fourth round (dev10/): wider vocabularies for writers the rounds before never met ----
# "Tack för att ni raderade …" acknowledges our deed; whom our data went to; a change
# told in the passive ("min adress har ändrats"); photos "på mig" as what a pronoun
# points back to; "never gave you permission" as the complaint the README labels it;
# more ways data gets out ("nämndes") and of being unhappy.
PERFECT_SECOND = (
    PERFECT_SECOND + r"|\btack\s+(?:s" + AA + r"\s+mycket\s+)?f" + OE + r"r\s+att\s+(?:ni|du)"
)
ANTECEDENT = (
    ANTECEDENT
    + r"|\b(?:bilder|bild|foton?|fotografier|filmer?)\s+(?:\w+\s+)?(?:p"
    + AA
    + r"|av|med)\s+mig\b"
)
RULES = RULES + (
    (
        T.ACCESS,
        "sv.vem_har_ni_delat",
        r"\b(?:vem|vilka)\s+har\s+ni\s+(?:\w+\s+)?(?:delat|gett|givit|l"
        + AE
        + r"mnat|s"
        + AA
        + r"lt|skickat|visat)\s+(?:\w+\s+){0,2}?(?:mitt|min|mina)\b"
        r"|\bvar\s*ifr"
        + AA
        + r"n\s+har\s+ni\s+f"
        + AA
        + r"tt\s+(?:tag\s+p"
        + AA
        + r"\s+)?(?:mitt|min|mina)\b"
        r"|\bvar\s+har\s+ni\s+f" + AA + r"tt\s+(?:tag\s+p" + AA + r"\s+)?(?:mitt|min|mina)\b"
        r"|\bvem\s+(?:har\s+)?(?:gav|gett|givit)\s+er\s+(?:mitt|min|mina)\b",
        0.8,
        "",
    ),
    (
        T.RECTIFICATION,
        "sv.har_andrats",
        r"\b(?:min|mitt|mina)\s+(?:\w+\s+)?(?:adress|telefonnummer|nummer|namn|efternamn|e-?post\w*|"
        r"mejl\w*)\s+har\s+(?:nu\s+)?(?:" + AE + r"ndrats|bytts|blivit\s+ny)\b",
        0.8,
        "b",
    ),
    (
        T.COMPLAINT,
        "sv.aldrig_gett_lov",
        # consent to a use of data, not "aldrig gett er lov att dra pengar från mitt kort"
        r"\b(?:har\s+)?aldrig\s+(?:gett|gav|givit|l"
        + AE
        + r"mnat)\s+(?:er|ni|dig|n"
        + AA
        + r"gon)?\s*(?:\w+\s+)?(?:lov|samtycke|tillst"
        + AA
        + r"nd|godk"
        + AE
        + r"nnande)\b"
        r"(?:\s+(?:till\s+)?att\s+(?:\w+\s+){0,2}?(?:l"
        + AE
        + r"gga|publicera|dela|anv"
        + AE
        + r"nda|skicka|spara|l"
        + AE
        + r"mna|s"
        + AE
        + r"lja|ge|visa|ringa|mejla|sms\w*|kontakta)"
        r"|\s+till\s+(?:det|detta)|(?=\s*[.!?,;]|\s*$))"
        r"|\bhar\s+aldrig\s+(?:samtyckt|anm" + AE + r"lt\s+mig)\b",
        0.75,
        "c",
    ),
)
RULE_TRIGGERS.update(
    {
        "sv.vem_har_ni_delat": ("vem", "vilka", "varifr", "fått", "faatt", "fatt"),
        "sv.har_andrats": ("ändrats", "aendrats", "andrats", "bytts", "blivit"),
        "sv.aldrig_gett_lov": ("aldrig",),
    }
)
PAIR_DATA = PAIR_DATA + r"|\bera\s+(?:\w+\s+)?(?:register|system|databaser)\w*"
PAIR_TRIGGERS = PAIR_TRIGGERS + (
    "diabetes",
    "sjukdom",
    "diagnos",
    "allergi",
    "medicin",
    "bilder",
    "foto",
)
PAIR_EVENT = (
    PAIR_EVENT
    + r"|\b(?:n"
    + AE
    + r"mndes|n"
    + AE
    + r"mnde|n"
    + AE
    + r"mnt|visades|lades\s+ut|lagt\s+upp|"
    r"la\s+upp|lade\s+upp|publicerades|skickades|delades|l" + AE + r"ckt|l" + AE + r"ckte)\b"
)
PAIR_SENSITIVE = (
    PAIR_SENSITIVE
    + r"|\b(?:diabetes|sjukdom\w*|diagnos\w*|allergi\w*|medicin\w*|bilder\s+p"
    + AA
    + r"\s+mig)\b"
)
PAIRS = PAIRS + (
    (
        T.COMPLAINT,
        "sv.par_klagomal",
        r"\b(?:borde\s+aldrig|besvik\w*|chockad|chockerad|fruktansv"
        + AE
        + r"rt|kr"
        + AE
        + r"nk\w*|inte\s+godtagbart|aldrig\s+(?:gett|gav|givit)\s+(?:er\s+)?(?:\w+\s+)?(?:lov|"
        r"samtycke|tillst" + AA + r"nd))\b",
        "event",
        0.6,
    ),
)

# -- fourth round, second batch (dev10/*-s*) ----------------------------------------------
RULES = RULES + (
    # ("god man" itself was left out: its stem "god" opens a window in every Danish "god
    # dag", 6 per bench mail; a Swedish guardian's letter names "förordnande"/"fullmakt")
    (
        T.THIRD_PARTY_AUTHORISATION,
        "sv.god_man",
        r"\b(?:f" + OE + r"rvaltare|ombud|f" + OE + r"retr" + AE + r"d\w*)\b",
        0.75,
        "s",
    ),
    (
        T.RESTRICTION,
        "sv.anvand_inte",
        r"\b(?:anv" + AE + r"nd|dela|s" + AE + r"lj|l" + AE + r"mna\s+ut|ge)\s+inte\s+(?:ut\s+)?"
        r"(?:\w+\s+)?(?:mina|min|mitt)\s+(?:\w+\s+)?(?:uppgift\w*|personuppgift\w*|data|adress\w*|"
        r"telefonnummer|namn|bilder|foton?)\b",
        0.8,
        "",
    ),
)
RULE_TRIGGERS.update(
    {
        "sv.god_man": (
            "förvaltare",
            "foervaltare",
            "forvaltare",
            "ombud",
            "företräd",
            "foeretraed",
            "foretrad",
        ),
        "sv.anvand_inte": (
            "använd",
            "anvaend",
            "anvand",
            "dela",
            "sälj",
            "saelj",
            "salj",
            "lämna",
            "laemna",
            "lamna",
            "ge$",
        ),
    }
)
PAIRS = PAIRS + (
    (
        T.RESTRICTION,
        "sv.par_begransa",
        r"\b(?:anv" + AE + r"nd|dela|s" + AE + r"lj)\s+inte\b",
        "data",
        0.6,
    ),
)
PAIR_EVENT = (
    PAIR_EVENT
    + r"|\b(?:ligger|finns|st"
    + AA
    + r"r)\s+(?:\w+\s+){0,6}?p"
    + AA
    + r"\s+(?:er|era|n"
    + AE
    + r"tet|internet|facebook|instagram)\b"
)
PAIRS = PAIRS + (
    (T.COMPLAINT, "sv.par_klagomal", r"\baldrig\s+(?:godk" + AE + r"nt|samtyckt)\b", "event", 0.6),
)

# -- fourth round, fourth batch (dev10/*-p*) ----------------------------------------------
RULES = RULES + (
    (
        T.ERASURE,
        "sv.bli_raderad",
        r"\bbli\s+(?:raderad|borttagen|struken)\s+(?:ur|fr" + AA + r"n)\s+(?:\w+\s+){0,2}?"
        r"\w*(?:system|register|databas|lista)\w*"
        r"|\ballt\s+(?:\w+\s+){0,3}?om\s+(?:mig|oss|honom|henne)\s+(?:\w+\s+)?(?:raderas|tas\s+bort|"
        r"stryks)\b"
        rf"|{OBJ}\W+(?:\w+\W+){{0,3}}?(?:raderas|tas\s+bort|stryks)\b",
        0.8,
        "q",
    ),
)
RULE_TRIGGERS.update(
    {"sv.bli_raderad": ("raderad", "borttagen", "struken", "raderas", "tas", "stryks")}
)
PAIR_DATA = PAIR_DATA + r"|\bert\s+(?:\w+\s+)?kundregister\w*"
PAIR_TRIGGERS = PAIR_TRIGGERS + ("kundregister",)
PAIR_CONTACT = PAIR_CONTACT + r"|\b(?:ring|kontakta|mejla|maila|skriv|sms:a)\s+(?:till\s+)?mig\b"
PAIR_CONTACT_TRIGGERS = PAIR_CONTACT_TRIGGERS + ("ring",)
PAIRS = PAIRS + (
    (
        T.CONSENT_WITHDRAWAL,
        "sv.par_kontakt",
        r"\b(?:inte\s+(?:\w+\s+)?mer|aldrig\s+mer)\b",
        "contact",
        0.6,
    ),
    (T.ACCESS, "sv.par_tillgang", r"\b(?:vilken|vilket)\b", "data", 0.6),
    (T.ERASURE, "sv.par_radera", r"\bbli\s+(?:raderad|borttagen|struken)\b", "data", 0.6),
)

# -- fourth round, fifth batch (dev10/*-v*) -----------------------------------------------
_KIN = (
    r"(?:farmor|mormor|farfar|morfar|sv" + AE + r"rmor|sv" + AE + r"rfar|mamma|pappa|mor|far|son|"
    r"dotter|bror|syster|make|maka|fru|man|sambo)"
)
THIRD_PARTY_CUE = THIRD_PARTY_CUE + rf"|\b(?:min|mitt|mina|v{AA}r|v{AA}rt)\s+(?:\w+\s+)?{_KIN}\b"
RULES = RULES + (
    (
        T.THIRD_PARTY_AUTHORISATION,
        "sv.hjalper_min",
        r"\bjag\s+(?:hj" + AE + r"lper|sk" + OE + r"ter|tar\s+hand\s+om|skriver\s+" + AA + r"t|"
        rf"mejlar\s+{AA}t)\s+(?:min|mitt|mina|v{AA}r)\s+(?:\w+\s+)?{_KIN}\b"
        r"|\b(?:hans|hennes)\s+(?:\w+\s+)?(?:namn|efternamn|f" + OE + r"rnamn|adress|telefonnummer|"
        r"personnummer|f" + OE + r"delsedatum)\b",
        0.75,
        "st",
    ),
    (
        T.RECTIFICATION,
        "sv.hennes_namn_fel",
        r"\b(?:hans|hennes)\s+(?:\w+\s+)?(?:namn|efternamn|f" + OE + r"rnamn|adress|personnummer|"
        r"telefonnummer|f" + OE + r"delsedatum)\s+" + AE + r"r\s+(?:\w+\s+)?(?:felstavat|felstavad|"
        r"fel|felaktig\w*)\b",
        0.8,
        "bt",
    ),
    (
        T.RECTIFICATION,
        "sv.stammer_inte",
        rf"\b(?:min|mitt|mina)\s+(?:\w+\s+)?{_CONTACT}\s+(?:\w+\s+)?(?:st{AE}mmer\s+inte|{AE}r\s+inte\s+"
        rf"(?:l{AE}ngre\s+)?(?:aktuell\w*|r{AE}tt|korrekt)|{AE}r\s+gammal\w*)",
        0.8,
        "b",
    ),
)
RULE_TRIGGERS.update(
    {
        "sv.hjalper_min": (
            "hjälper",
            "hjaelper",
            "hjalper",
            "sköter",
            "skoeter",
            "skoter",
            "tar",
            "skriver",
            "mejlar",
            "namn",
            "efternamn",
            "förnamn",
            "foernamn",
            "fornamn",
            "adress",
            "telefonnummer",
            "personnummer",
            "födelsedatum",
            "foedelsedatum",
            "fodelsedatum",
        ),
        "sv.hennes_namn_fel": ("felstava", "fel$", "felaktig"),
        "sv.stammer_inte": (
            "stämmer",
            "staemmer",
            "stammer",
            "aktuell",
            "rätt",
            "raett",
            "ratt",
            "korrekt",
            "gammal",
        ),
    }
)
PAIR_EVENT = (
    PAIR_EVENT
    + r"|\b(?:fick\s+(?:\w+\s+){0,3}?se|kunde\s+(?:\w+\s+){0,2}?se|syntes|synlig\w*|visades)\b"
)
PAIRS = PAIRS + (
    (
        T.ACCESS,
        "sv.par_tillgang",
        r"\b(?:har\s+ni\s+(?:\w+\s+)?kvar|finns\s+(?:\w+\s+)?kvar|sparar\s+ni|lagrar\s+ni|"
        r"beh" + AA + r"ller\s+ni)\b",
        "data",
        0.6,
    ),
    (T.RECTIFICATION, "sv.par_ratta", r"\bst" + AE + r"mmer\s+inte\b", "data", 0.6),
    (
        T.COMPLAINT,
        "sv.par_klagomal",
        r"\b(?:tycker\s+jag\s+inte\s+om|gillar\s+(?:jag\s+)?inte|inte\s+schysst)\b",
        "event",
        0.6,
    ),
)

#: "Vilka uppgifter behöver ni från mig?" (see da.ASKS_WHAT_WE_NEED).
ASKS_WHAT_WE_NEED = r"\b(?:vad|vilka\s+\w+)\s+(?:\w+\s+){0,3}?beh" + OE + r"ver\s+ni\b"

#: "Jag återkallar mitt samtycke", "radera mina personuppgifter" (see da.EXPLICIT_REQUEST).
EXPLICIT_REQUEST = (
    r"\bjag\s+(?:h" + AE + r"rmed\s+)?" + AA + r"terkallar\s+(?:mitt|mina)\s+samtycke\w*"
    r"|\bradera\s+(?:alla\s+)?mina\s+personuppgifter\b"
)
