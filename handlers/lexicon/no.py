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
    (
        T.CONSENT_WITHDRAWAL,
        "no.trekke_samtykke",
        r"\btrekk\w*\s+(?:\w+\s+){0,3}?(?:tilbake\s+)?(?:\w+\s+){0,2}?samtykke\w*"
        r"|\bsamtykke\w*\s+(?:\w+\s+){0,3}?trekk\w*\s+tilbake",
        0.9,
        "",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "no.meld_meg_av",
        r"\bmeld\w*\s+meg\s+av\s+(?:\w+\s+){0,2}?(?:nyhetsbrev\w*|e-?post\w*|epostliste\w*|"
        r"markedsf\w*|reklame\w*|sms\w*)|\breserver\w*\s+meg\s+mot\s+(?:\w+\s+)?(?:markedsf\w*|"
        r"reklame\w*)",
        0.85,
        "f",
    ),
    (
        T.ACCESS,
        "no.innsyn",
        r"\binnsyn\w*\b|\bhvilke\s+(?:\w+\s+){0,2}?(?:opplysning\w*|data|personopplysning\w*)\b"
        r"[^.?!\n]{0,60}?\bom\s+meg\b|\bhva\s+(?:har|vet|lagrer)\s+dere\s+(?:\w+\s+){0,3}?om\s+meg\b",
        0.9,
        "",
    ),
    (T.ACCESS, "no.kopi_av_mine_data", rf"\bkopi\s+av\s+(?:\w+\s+){{0,2}}?{OBJ}", 0.85, ""),
    (
        T.RECTIFICATION,
        "no.retting",
        rf"\b(?:rett|rette|retting|korriger\w*|oppdater\w*|endre)\s+{_GAP4}{OBJ}"
        # "sendt … til feil adresse" is a wrong recipient, not wrong data
        r"|(?<!til\s)\b(?:feil|uriktig\w*|ukorrekt\w*)\s+(?:\w+\s+)?(?:personopplysning\w*|opplysning\w*|"
        r"navn|adresse|f" + OE + r"dselsdato)\b",
        0.85,
        "",
    ),
    (
        T.ERASURE,
        "no.slett_mine_opplysninger",
        rf"\b(?:slett\w*|fjern\w*)\W+{_GAP4}{OBJ}|{OBJ}\W+(?:\w+\W+){{0,3}}?(?:slettet|slettes)\b",
        0.85,
        "q",
    ),
    (
        T.ERASURE,
        "no.retten_til_sletting",
        r"\brett\w*\s+til\s+(?:sletting|" + AA + r"\s+bli\s+glemt)\b|\bkrav\s+om\s+sletting\b",
        0.9,
        "",
    ),
    (
        T.RESTRICTION,
        "no.begrense_protestere",
        r"\bbegrens\w*\s+(?:\w+\s+){0,3}?behandling\w*|\bprotester\w*\s+(?:\w+\s+){0,2}?mot\s+"
        r"(?:\w+\s+){0,3}?(?:behandling\w*|bruk\w*|markedsf\w*|profilering\w*)",
        0.85,
        "",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "no.paa_vegne_av",
        rf"\bp{AA}\s+vegne\s+av\s+(?:min|mitt|mine|v{AA}r)\s+(?:\w+\s+)?{_REL}\b|\bfullmakt\w*"
        rf"|\bverge\b",
        0.85,
        "s",
    ),
    (T.COMPLAINT, "no.klage", r"\bklag\w*\b", 0.8, "cp"),
)

CONDITIONAL = r"\b(?:hvis|dersom|ellers|med\s+mindre|forbeholder|i\s+motsatt\s+fall)\b"
PRIVACY_CONTEXT = (
    r"\b(?:personopplysning\w*|mine\s+opplysning\w*|datatilsynet|personvern\w*|gdpr)\b"
)
DISCLAIMER = (
    r"\b(?:ikke\s+(?:er\s+)?(?:den\s+)?(?:rette|riktige|tiltenkte)\s+mottaker\w*|mottatt\s+"
    r"(?:denne\s+)?(?:e-?post\w*|meldingen|e-?mailen)\s+(?:\w+\s+){0,2}?(?:ved\s+en\s+feil|"
    r"feilaktig))"
)
FIRST_PERSON = r"\b(?:jeg|meg|min|mitt|mine)\b"
FOOTER = r"\b(?:klikk|lenke\w*|her\s+for\s+" + AA + r")\b"
CONSEQUENCE = r"\b(?:f" + OE + r"re\s+til|medf" + OE + r"re|bety)\b"
NEGATION = r"\b(?:ikke|aldri|ingen)"
#: A negation in a question that asks us to act ("Kan dere ikke bare slette den?"): not a no.
ASKING_NEGATION = r"\b(?:vil|kan|kunne|ville)\s+dere\s+ikke\s+(?:\w+\s+)?$"
AFFIRMATION = r"(?:ja|jo|ok|greit|gjerne|ja\s+takk)"

#: See ``handlers.lexicon.en.RULE_TRIGGERS``.
RULE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "no.trekke_samtykke": ("samtykk",),
    "no.meld_meg_av": ("meld", "reserver"),
    "no.innsyn": ("innsyn", "hvilke", "hva"),
    "no.kopi_av_mine_data": ("kopi",),
    "no.retting": (
        "rett",
        "korriger",
        "oppdater",
        "endre",
        "feil",
        "uriktig",
        "ukorrekt",
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
#: What our own questions offer (see ``handlers.lexicon.da.OFFER_RULES``): "Vil du at vi
#: sletter hele profilen din, eller skal vi bare melde deg av nyhetsbrevet?"
OFFER_RULES: tuple[tuple[T, str, str, float, str], ...] = (
    (
        T.ERASURE,
        "no.offer_sletting",
        r"\b(?:slett\w*|fjern\w*)\b(?:\W+\w+){0,4}?\W+(?:dine|din|ditt)\s+(?:\w+\s+){0,2}?"
        r"(?:\w*opplysning\w*|\w*data|konto\w*|profil\w*)"
        r"|\b(?:slett\w*|fjern\w*)\s+(?:\w+\s+){0,2}?(?:\w*opplysning\w*|\w*data\w*|konto\w*|"
        r"profil\w*)\s+(?:dine|din|ditt)\b|\bslett\w*\s+deg\b",
        0.7,
        "",
    ),
    (
        T.ACCESS,
        "no.offer_innsyn",
        r"\b(?:innsyn|kopi\s+av\s+(?:dine|deres)\s+(?:opplysning\w*|data))",
        0.7,
        "",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "no.offer_avmelding",
        r"\b(?:meld\w*\s+(?:deg\s+)?av\b|avmeld\w*|trekk\w*\s+(?:tilbake\s+)?(?:ditt\s+)?samtykke\w*)",
        0.7,
        "",
    ),
    (
        T.RECTIFICATION,
        "no.offer_retting",
        r"\b(?:rett\w*|oppdater\w*|endr\w*)\s+(?:dine|din|ditt)\s+(?:\w+\s+)?(?:navn|adresse|"
        r"opplysning\w*|f" + OE + r"dselsdato|e-?post\w*)",
        0.7,
        "",
    ),
)

RULES = RULES + (
    (
        T.RECTIFICATION,
        "no.oppdatere_det",
        r"\b(?:oppdater\w*|rett|rette|endre|korriger\w*)\s+(?:\w+\s+)?(?:det|den|dem)\b"
        r"|\b(?:adresse\w*|navn\w*|etternavn\w*|telefonnummer\w*|nummer\w*|e-?post\w*)\s+"
        r"(?:min|mitt|mi)\s+(?:er|har)\s+(?:blitt\s+)?(?:endret|byttet|ny|nytt)\b",
        0.75,
        "r",
    ),
    (
        T.ERASURE,
        "no.slett_det",
        r"\b(?:slett\w*|fjern\w*)\s+(?:\w+\s+)?(?:det|den|dem)\b",
        0.75,
        "rq",
    ),
)
RULE_TRIGGERS.update(
    {
        "no.oppdatere_det": (
            "oppdater",
            "rett",
            "endre",
            "korriger",
            "adresse",
            "navn",
            "etternavn",
            "telefonnummer",
            "nummer",
            "e-post",
            "epost",
        ),
        "no.slett_det": ("slett", "fjern"),
    }
)

# -- everyday phrasings, second round (dev2/) -------------------------------------------
_REL2 = (
    r"(?:s" + OE + r"nn\w*|datter\w*|dattera|barn\w*|mor|moren|far|faren|foreldre|mann\w*|"
    r"kone\w*|samboer\w*|bror\w*|s" + OE + r"ster\w*)"
)
BUSINESS_DOC = (
    r"\b(?:\w*billett\w*|faktura\w*|kvittering\w*|flyselskap\w*|kontrakt\w*|reise"
    r"plan\w*)\b"
)
PERFECT = r"\b(?:jeg|vi)\s+(?:har|hadde)"
PERFECT_SECOND = r"\bdere\s+har"
RETRACTION = r"\bglem\s+det\b(?!\s+ikke)"
RETRACTION_HINTS = ("glem",)
REPLACE = r"\berstatt\w*"
THIRD_PARTY_CUE = (
    rf"\b(?:min|mitt|mine|v{AA}r|v{AA}rt)\s+(?:\w+\s+)?{_REL2}\b|\b{_REL2}\s+(?:min|mitt|mi)\b"
    r"|\b(?:mor|far|forelder|foreldre|verge)\s+til\b|\bfullmakt\w*|\bp" + AA + r"\s+vegne\b"
)
GREETING = r"hei|hallo|heisann"
POLITE = r"takk|tusen\s+takk|n" + AA + r"|snarest|vennligst"
SIGNOFF = r"mvh|hilsen|vennlig\s+hilsen|/"
SHORT_COMMANDS: tuple[tuple[T, str, str, float, str], ...] = (
    (
        T.CONSENT_WITHDRAWAL,
        "no.kort_meld_av",
        r"(?:meld\s+(?:meg|oss)\s+av|avmeld(?:e|ing)?(?:\s+meg)?|stopp)(?:\s+(?:nyhetsbrevet|listen|"
        r"alt))?",
        0.8,
        "",
    ),
    (
        T.ERASURE,
        "no.kort_slett_meg",
        r"(?:slett|fjern)\s+(?:meg|kontoen\s+min|profilen\s+min|alt\s+om\s+meg)",
        0.8,
        "",
    ),
)
_NEWS2 = (
    r"(?:nyhetsbrev\w*|reklame\w*|tilbud\w*|e-?post\w*|sms\w*|markedsf" + OE + r"ring\w*|"
    r"utsendelse\w*|kampanje\w*|invitasjon\w*)"
)
_CONTACT = (
    r"(?:adresse\w*|e-?post\w*|telefonnummer\w*|nummer\w*|navn\w*|etternavn\w*|"
    r"f" + OE + r"dselsdato\w*|personnummer\w*|n" + AE + r"rmeste\s+p" + AA + r"r" + OE + r"rende)"
)
RULES = RULES + (
    (
        T.ERASURE,
        "no.slett_meg",
        r"\b(?:slett\w*|fjern\w*)\s+meg\s+(?:ut\s+)?(?:fra|av)\s+(?:\w+\s+){0,2}?\w*(?:system|"
        r"register|database|kundeliste|kartotek)\w*"
        r"|\b(?:slett\w*|fjern\w*)\s+(?:\w+\s+){0,3}?(?:opplysning\w*|data|informasjon\w*)\s+"
        r"(?:om\s+meg|hennes|hans|deres)\b"
        r"|\bslett\w*\s+(?:\w+\s+){0,3}?(?:pass\w*|passkopi\w*|legeattest\w*|"
        r"legeerkl" + AE + r"ring\w*|politiattest\w*|journal\w*)\b",
        0.8,
        "q",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "no.ikke_mer_reklame",
        rf"\b(?:ikke|aldri)\s+(?:send|sende)\s+(?:meg\s+)?(?:\w+\s+){{0,2}}?(?:mer|flere)\s+(?:\w+\s+)?"
        rf"{_NEWS2}|\bvil\s+ikke\s+(?:lenger\s+)?(?:ha|f{AA}|motta)\s+(?:\w+\s+){{0,2}}?(?:mer|flere)\s+"
        rf"(?:\w+\s+)?{_NEWS2}|\bslutt\s+(?:\w+\s+)?(?:sende|ringe)\s+(?:\w+\s+){{0,3}}?{_NEWS2}",
        0.8,
        "f",
    ),
    (
        T.ACCESS,
        "no.hva_har_dere_om_meg",
        r"\b(?:hva|hvilke|hva\s+slags|hvilken)\s+(?:\w+\s+){0,3}?(?:har|vet|lagrer|lagret)\s+dere\s+"
        r"(?:\w+\s+){0,3}?om\s+(?:meg|ham|henne|henne)\b"
        r"|\bhvordan\s+har\s+dere\s+f" + AA + r"tt\s+(?:tak\s+i\s+)?(?:mitt|min|mine|\w+\s+mitt)\b",
        0.8,
        "",
    ),
    (
        T.RECTIFICATION,
        "no.nytt_nummer",
        rf"\b(?:f{AA}tt|har)\s+(?:et\s+)?(?:nytt|ny)\s+{_CONTACT}\b|\b(?:min|mitt)\s+nye\s+{_CONTACT}\b"
        rf"|\b{_CONTACT}\s+(?:min|mitt|mi)\s+er\s+(?:\w+\s+)?(?:feil|ny|endret|byttet)\b"
        rf"|(?<!til\s)\b(?:feil|uriktig\w*)\s+{_CONTACT}\b",
        0.8,
        "b",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "no.forelder_til",
        r"\bjeg\s+er\s+(?:\w+\s+)?(?:mor|far|forelder|verge)\s+til\b|\b(?:jeg|vi)\s+skriver\s+for\s+"
        rf"(?:min|mitt|v{AA}r)\s+(?:\w+\s+)?{_REL2}\b"
        r"|\b(?:opplysning\w*|data|kont\w*|profil\w*)\s+(?:hennes|hans)\b|\b(?:hennes|hans)\s+"
        r"(?:opplysning\w*|data|konto\w*|profil\w*)\b",
        0.75,
        "st",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "no.har_fullmakt",
        r"\bhar\s+fullmakt\s+til\s+" + AA + r"\b|\bgir\s+(?:\w+\s+){0,3}?fullmakt\b",
        0.8,
        "",
    ),
    (
        T.COMPLAINT,
        "no.delte_uten_aa_spoerre",
        r"\b(?:delte|delt|sendte|sendt|ga|gitt|solgte|solgt)\s+(?:\w+\s+){0,5}?(?:min|mitt|mine|\w+\s+"
        r"(?:min|mitt|mine))\b[^.?!\n]{0,60}?\buten\s+(?:" + AA + r"\s+sp" + OE + r"rre|samtykke|"
        r"tillatelse)\b|\b(?:anmeldt|meldt|klaget)\s+(?:\w+\s+){0,2}?til\s+datatilsynet\b",
        0.8,
        "c",
    ),
)
RULE_TRIGGERS.update(
    {
        "no.slett_meg": ("slett", "fjern"),
        "no.ikke_mer_reklame": (
            "nyhetsbrev",
            "reklame",
            "tilbud",
            "e-post",
            "epost",
            "sms",
            "invitasjon",
            "markedsf",
            "utsendelse",
            "kampanje",
        ),
        "no.hva_har_dere_om_meg": ("hva", "hvilke", "hvilken", "hvordan"),
        "no.nytt_nummer": ("ny$", "nytt$", "nye$", "feil", "endret", "byttet", "uriktig"),
        "no.forelder_til": (
            "mor",
            "far",
            "forelder",
            "verge",
            "skriver",
            "opplysning",
            "data",
            "kont",
            "profil",
            "hennes",
            "hans",
        ),
        "no.har_fullmakt": ("fullmakt",),
        "no.delte_uten_aa_spoerre": ("uten", "anmeldt", "meldt", "klaget"),
    }
)

#: Flags the first round's rules gain now that the checks exist (see ``lexicon.da``).
_MORE_FLAGS = {
    "no.slett_mine_opplysninger": "h",
    "no.slett_det": "h",
    "no.retting": "bh",
    "no.oppdatere_det": "bh",
}
RULES = tuple((t, n, p, w, f + _MORE_FLAGS.get(n, "")) for t, n, p, w, f in RULES)

# -- third round (dev3/) ------------------------------------------------------------------
RULES = RULES + (
    (
        T.ERASURE,
        "no.slett_all_informasjon",
        r"\b(?:slett\w*|fjern\w*)\s+(?:\w+\s+){0,3}?(?:informasjon\w*|info|alt)\b[^.?!\n]{0,30}?"
        r"\bom\s+(?:meg|henne|ham)\b",
        0.85,
        "q",
    ),
    (
        T.ACCESS,
        "no.se_hva_dere_har",
        r"\b(?:se|vite|f" + AA + r"\s+vite)\s+(?:\w+\s+)?(?:hva|hvilke|hvilken)\s+"
        r"(?:\w+\s+){0,2}?dere\s+"
        r"(?:har|vet|lagrer)\s+(?:\w+\s+)?(?:registrert|lagret)?\s*(?:om|p" + AA + r")\s+meg\b",
        0.8,
        "",
    ),
)
RULE_TRIGGERS.update(
    {
        "no.slett_all_informasjon": ("slett", "fjern"),
        "no.se_hva_dere_har": ("hva", "hvilke", "hvilken"),
    }
)

# -- the second opinion (``classify._paired``; see ``lexicon.da``) ------------------------
PAIR_DATA = (
    r"\b(?:mine|min|mitt)\s+(?:\w+\s+)?(?:opplysning\w*|data|konto|profil|adresse|navn)\b"
    r"|\b(?:opplysning\w*|data|konto\w*|profil\w*|adresse\w*|navn\w*|telefonnummer\w*|"
    r"informasjon)\s+(?:mine|min|mitt)\b|\bpersonopplysning\w*"
    r"|\b(?:alt|informasjon|opplysning\w*)\s+(?:\w+\s+){0,3}?om\s+meg\b"
    r"|\b(?:registeret|systemet|databasen)\s+deres\b"
)
PAIR_LIST = r"\b(?:nyhetsbrev\w*|reklame\w*|tilbud\w*|e-?poster|utsendelse\w*)\b"
#: (a substring anywhere in a word: "flybooking", "rejseforsikringen")
PAIR_BLOCK = (
    r"(?:bestilling|booking|faktura|billett|bagasje|betaling|visum|reiseplan|app|"
    r"portal)"
)
PAIRS: tuple[tuple[T, str, str, str, float], ...] = (
    (
        T.ERASURE,
        "no.par_slett",
        r"\b(?:slett|slette|slettes|sletter|fjern|fjerne|fjernes)\b"
        r"|\bikke\s+(?:\w+\s+)?(?:st" + AA + r"|v" + AE + r"re|ligge)\s+i\b",
        "data",
        0.6,
    ),
    (
        T.ACCESS,
        "no.par_innsyn",
        r"\b(?:innsyn|kopi|(?<!kan\s)(?<!\.)se|vite|hva|hvilke)\b",
        "data",
        0.6,
    ),
    (
        T.RECTIFICATION,
        "no.par_rett",
        r"\b(?:rett|rette|endre|oppdater\w*|(?<!til\s)feil|fiks\w*)\b",
        "data",
        0.6,
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "no.par_meld_av",
        r"\b(?:meld\w*\s+meg\s+av|slutt|(?:vil|skal|m" + AA + r")\s+(?:\w+\s+)?ikke|ikke\s+send|"
        r"ingen\s+flere)\b",
        "list",
        0.6,
    ),
)
PAIR_TRIGGERS = (
    "opplysning",
    "data",
    "konto",
    "profil",
    "adresse",
    "navn",
    "telefonnummer",
    "informasjon",
    "personopplysning",
    "alt",
    "registeret",
    "systemet",
    "databasen",
    "nyhetsbrev",
    "reklame",
    "tilbud",
    "e-post",
    "epost",
    "utsendelse",
)

# -- sixth round (dev6/): general second-opinion objects (see ``lexicon.da``) -------------
PAIR_CONTACT = (
    r"\b(?:(?:ringe|ringer|ring|kontakte|skrive|sende|sender)\s+(?:\w+\s+)?(?:til\s+)?meg|"
    r"oppringing\w*|anrop|sms\w*|e-?poster|tilbud\w*|reklame\w*)\b"
)
PAIR_EVENT = r"\b(?:delt|sendt|gitt|gav|solgt|lekket|vist|publisert|lagt\s+ut)\b"
PAIR_SENSITIVE = r"\b(?:personnummer\w*|pass\w*|helse\w*|adresse\w*|telefonnummer\w*)\b"
PAIR_RELATIVE = (
    r"\b(?:om|for|p" + AA + r")\s+(?:min|mitt|mine)\s+(?:s" + OE + r"nn|datter|barn|mann|kone|"
    r"mor|far|bror|s" + OE + r"ster)\b"
)
SELF_SERVICE_Q = r"\bhvordan"
#: "kan jeg selv endre nummeret?": asks whether to do it, not that we do it.
SELF_SERVICE = r"\bkan\s+(?:jeg|vi)\s+selv"
#: Our invitation to an event in the quote: a bare "meld av" under it declines it.
INVITATION = r"\b(?:p" + AA + r"meld\w*|infom" + OE + r"te\w*|invitasjon\w*|webinar\w*)\b"
PAIRS = PAIRS + (
    (
        T.CONSENT_WITHDRAWAL,
        "no.par_kontakt",
        r"\b(?:slutt|stopp\w*|ingen\s+flere|(?:vil|skal)\s+(?:\w+\s+)?ikke|ikke\s+(?:\w+\s+)?"
        r"(?:mer|lenger))\b",
        "contact",
        0.6,
    ),
    (
        T.COMPLAINT,
        "no.par_klage",
        r"\b(?:ikke\s+(?:greit|ok|akseptabelt|i\s+orden)|uakseptabel\w*|ulovlig\w*|"
        r"uten\s+" + AA + r"\s+sp" + OE + r"rre|uten\s+(?:mitt\s+)?(?:samtykke|tillatelse))\b",
        "event",
        0.6,
    ),
    (T.RECTIFICATION, "no.par_feilstavet", r"\b(?:feilstavet|feilskrevet|galt)\b", "data", 0.6),
)
PAIR_DATA = PAIR_DATA + r"|\b(?:navnet|adressen|nummeret|telefonnummeret)\s+mitt?\b"
PAIR_CONTACT_TRIGGERS = (
    "ringe",
    "ringer",
    "ring",
    "kontakte",
    "skrive",
    "sende",
    "sender",
    "oppringing",
    "anrop",
    "sms",
    "e-poster",
    "eposter",
    "tilbud",
    "reklame",
)
PAIR_TRIGGERS = PAIR_TRIGGERS + (
    "navnet",
    "adressen",
    "nummeret",
    "personnummer",
    "pass",
    "helse",
)
FIRST_PERSON = r"\b(?:jeg|vi)\s+(?:har\s+|hadde\s+)?(?:\w+\s+)?"
#: Word stems every ``PAIR_RELATIVE`` match holds.
PAIR_RELATIVE_TRIGGERS = (
    "sønn",
    "soenn",
    "sonn",
    "datter",
    "barn",
    "mann$",
    "kone",
    "mor$",
    "far$",
    "bror",
    "søster",
    "soester",
    "soster",
)
PAIR_USE = r"\b(?:brukes|bruke|bruker|benyttes)\s+(?:\w+\s+){0,3}?til\b"
#: A short next sentence that points back to the data ("Få det slettet.", "Delete them.").
PAIR_FOLLOW = r"\b(?:de|dem|det|den)\b"

# -- seventh round (dev9/): word orders and postposed possessives ---------------------------
#: Definite nouns that take the possessive after them ("etternavnet mitt").
_DEF = (
    r"(?:navnet|etternavnet|fornavnet|mellomnavnet|adressen|e-?postadressen|"
    r"nummeret|telefonnummeret|mobilnummeret|f" + OE + r"dselsdatoen|personnummeret|"
    r"opplysningene|profilen|kontoen)"
)
RULES = RULES + (
    (
        T.ACCESS,
        "no.hva_dere_har_lagret",
        # indirect questions put the subject first: "jeg lurer på hva dere har lagret om meg"
        r"\b(?:hva|hvilke\s+\w+|hvilken\s+\w+)\s+dere\s+(?:har\s+|egentlig\s+)?(?:\w+\s+)?"
        r"(?:lagret|registrert|har|vet|lagrer|oppbevarer)\s+(?:\w+\s+){0,2}?(?:om|p"
        + AA
        + r")\s+(?:meg|oss)\b"
        r"|\bhva\s+(?:som\s+)?(?:er|blir)\s+(?:lagret|registrert)\s+(?:\w+\s+)?(?:om|p"
        + AA
        + r")\s+meg\b"
        r"|\bhvor\s+har\s+dere\s+(?:\w+\s+)?(?:f"
        + AA
        + r"tt\s+)?(?:tak\s+i\s+)?(?:"
        + _DEF
        + r"\s+(?:mitt|min|mi|mine)|(?:mitt|min|mine)\s+\w+)\s+fra\b",
        0.8,
        "",
    ),
    (
        T.RECTIFICATION,
        "no.etternavnet_mitt_er_feil",
        rf"\b{_DEF}\s+(?:mitt|min|mi|mine)\s+(?:er|st" + AA + r"r)\s+(?:\w+\s+){0,2}?(?:feil\w*|"
        r"galt|uriktig\w*|ukorrekt\w*|feilstavet|feilskrevet)"
        rf"|\b(?:rett|rette|endre|oppdater\w*|korriger\w*)\s+(?:\w+\s+)?{_DEF}\s+(?:mitt|min|mi|mine)\b",
        0.8,
        "b",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "no.skriver_for_datteren_min",
        r"\b(?:jeg|vi)\s+skriver\s+(?:for|p" + AA + r"\s+vegne\s+av)\s+(?:\w+\s+)?"
        rf"{_REL2}\s+(?:min|mitt|mi|v" + AA + r"r|v" + AA + r"rt)\b"
        r"|\bgir\s+(?:herved\s+)?[^.?!\n]{0,50}?\b(?:fullmakt|lov|tillatelse)\s+til\b",
        0.8,
        "",
    ),
    (
        T.COMPLAINT,
        "no.lagt_ut_uten_aa_spoerre",
        r"\b(?:lagt\s+ut|publisert|postet|delt|vist)\s+[^.?!\n]{0,60}?\buten\s+(?:"
        + AA
        + r"\s+sp"
        + OE
        + r"rre|(?:mitt\s+|v"
        + AA
        + r"rt\s+)?(?:samtykke|tillatelse))\b",
        0.8,
        "c",
    ),
    (
        T.ERASURE,
        "no.ta_dem_ned",
        r"\bta\s+(?:det|den|dem|bildet|bildene|innlegget)\s+ned\b",
        0.75,
        "rq",
    ),
)
RULE_TRIGGERS.update(
    {
        "no.hva_dere_har_lagret": ("hva", "hvilke", "hvilken", "hvor$"),
        "no.etternavnet_mitt_er_feil": (
            "navnet",
            "etternavnet",
            "fornavnet",
            "mellomnavnet",
            "adressen",
            "e-post",
            "epost",
            "nummeret",
            "telefonnummeret",
            "mobilnummeret",
            "fødselsdatoen",
            "foedselsdatoen",
            "fodselsdatoen",
            "personnummeret",
            "opplysningene",
            "profilen",
            "kontoen",
            "rett",
            "endre",
            "oppdater",
            "korriger",
        ),
        "no.skriver_for_datteren_min": ("skriver", "gir$"),
        "no.lagt_ut_uten_aa_spoerre": ("uten",),
        "no.ta_dem_ned": ("ta$",),
    }
)
ANTECEDENT = ANTECEDENT + r"|\bbilde\w*\s+(?:\w+\s+){0,2}?av\s+meg\b"
PAIR_DATA = PAIR_DATA + rf"|\b{_DEF}\s+(?:mitt|min|mi|mine)\b"
PAIR_TRIGGERS = PAIR_TRIGGERS + (
    "etternavnet",
    "fornavnet",
    "mellomnavnet",
    "e-postadressen",
    "epostadressen",
    "mobilnummeret",
    "fødselsdatoen",
    "foedselsdatoen",
    "fodselsdatoen",
    "personnummeret",
    "opplysningene",
    "profilen",
    "kontoen",
)
PAIR_SENSITIVE = PAIR_SENSITIVE[:-3] + r"|bilde\w*\s+av\s+meg)\b"
PAIR_RELATIVE = (
    PAIR_RELATIVE
    + r"|\b(?:om|for|p"
    + AA
    + r")\s+(?:s"
    + OE
    + r"nnen|datteren|barnet|mannen|kona|moren|"
    r"faren|broren|s" + OE + r"steren)\s+(?:min|mitt|mi|v" + AA + r"r)\b"
)
PAIR_RELATIVE_TRIGGERS = PAIR_RELATIVE_TRIGGERS + (
    "sønnen",
    "soennen",
    "sonnen",
    "datteren",
    "barnet",
    "mannen",
    "kona",
    "moren",
    "faren",
    "broren",
    "søsteren",
    "soesteren",
    "sosteren",
)
#: "ikke ringe mer i dag, skriv heller": a pause or another channel, no stop for good.
_FOR_NOW = (
    r"(?![^.?!\n]{0,30}?\b(?:i\s+dag|i\s+kveld|i\s+morgen|akkurat\s+n" + AA + r"|heller|"
    r"i\s+stedet|hellere)\b)"
)
PAIRS = tuple(
    (t, n, pat + _FOR_NOW if n == "no.par_kontakt" else pat, kind, w)
    for t, n, pat, kind, w in PAIRS
)
#: Restriction in the second opinion: "skal bare brukes til reisen", "ikke deles".
PAIRS = PAIRS + (
    (
        T.RESTRICTION,
        "no.par_begrens",
        r"\b(?:(?:bare|kun)\s+(?:\w+\s+)?(?:brukes|bruke|benyttes|til)|ikke\s+(?:\w+\s+)?"
        r"(?:bruke|brukes|benytte|benyttes|dele|deles|selge|selges|gi\s+videre|gis\s+videre))\b",
        "data",
        0.6,
    ),
)
#: Text messages and "ønsker ikke flere …" without a verb.
_NEWS3 = _NEWS2[:-1] + r"|tekstmelding\w*|meldinger|e-?poster|oppringing\w*|anrop)"
RULES = RULES + (
    (
        T.CONSENT_WITHDRAWAL,
        "no.onsker_ikke_flere",
        r"\b(?:vil|"
        + OE
        + r"nsker|gidder)\s+ikke\s+(?:lenger\s+)?(?:(?:ha|f"
        + AA
        + r"|motta)\s+)?"
        rf"(?:\w+\s+){{0,2}}?(?:mer|flere)\s+(?:\w+\s+)?{_NEWS3}",
        0.8,
        "f",
    ),
    (
        T.RESTRICTION,
        "no.bare_brukes_til",
        r"\b(?:skal|m" + AA + r"|kan)\s+(?:bare|kun)\s+(?:brukes|benyttes)\s+til\b"
        r"|\bikke\s+(?:\w+\s+)?(?:brukes|benyttes|deles)\s+(?:\w+\s+){0,2}?til\s+(?:\w+\s+)?"
        r"(?:markedsf\w*|reklame\w*|profilering\w*)",
        0.8,
        "",
    ),
)
RULE_TRIGGERS.update(
    {
        "no.onsker_ikke_flere": ("mer$", "flere"),
        "no.bare_brukes_til": ("brukes", "benyttes", "deles"),
    }
)
PAIR_LIST = PAIR_LIST[:-3] + r"|tekstmelding\w*)\b"
PAIR_CONTACT = PAIR_CONTACT[:-3] + r"|tekstmelding\w*|meldinger)\b"
PAIR_TRIGGERS = PAIR_TRIGGERS + ("tekstmelding",)
PAIR_CONTACT_TRIGGERS = PAIR_CONTACT_TRIGGERS + ("tekstmelding", "meldinger")
#: Exposed recipients ("alle mottakerne sto synlige"): a complaint's event and data.
PAIR_EVENT = PAIR_EVENT[:-3] + r"|synlig\w*|sto\s+synlig\w*)\b"
PAIR_SENSITIVE = PAIR_SENSITIVE[:-3] + r"|e-?postadresse\w*|mottakerne|mottakere)\b"
PAIR_TRIGGERS = PAIR_TRIGGERS + ("e-postadresse", "epostadresse", "mottaker")

#: "Hvilke opplysninger trenger dere fra meg?" (see da.ASKS_WHAT_WE_NEED).
ASKS_WHAT_WE_NEED = r"\b(?:hva|hvilke\s+\w+)\s+(?:\w+\s+){0,3}?trenger\s+(?:dere|de)\b"

#: "Jeg trekker tilbake mitt samtykke", "slett mine personopplysninger" (see
#: da.EXPLICIT_REQUEST).
EXPLICIT_REQUEST = (
    r"\bjeg\s+(?:trekker|tilbakekaller)\s+(?:herved\s+)?(?:tilbake\s+)?(?:mitt|mine)\s+"
    r"samtykke\w*"
    r"|\bslett(?:e)?\s+(?:alle\s+)?mine\s+personopplysninger\b"
)
