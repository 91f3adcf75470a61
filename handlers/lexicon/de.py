"""German cues for the privacy classifier (rule format and flags: ``lexicon.en``).

German requests are usually formal letters (``Auskunft gemäß Art. 15 DSGVO``,
``Widerspruch gegen``); Swiss letters write ``ss`` for ``ß`` and ``Personendaten``.
Umlauts may arrive as ``ae``/``oe``/``ue`` or bare vowels.
"""

from __future__ import annotations

from handlers.values import RequestType as T

AE = r"(?:ä|ae|a)"
OE = r"(?:ö|oe|o)"
UE = r"(?:ü|ue|u)"
SS = r"(?:ß|ss)"

NEG = (
    r"(?:buchung\w*|rechnung\w*|bestellung\w*|reservierung\w*|bewerbung\w*|flug\w*|ticket\w*|"
    r"zahlung\w*|reise\w*|letzte\w*|vorherige\w*)\b"
)
_GAP3 = rf"(?:(?!{NEG})\w+\W+){{0,3}}?"
_GAP4 = r"(?:\w+\W+){0,4}?"
_NOUN = (
    r"(?:daten|personendaten|angaben|informationen|konto\w*|kundenkonto\w*|benutzerkonto\w*|"
    r"profil\w*|account\w*)"
)
OBJ = (
    rf"(?:\b(?:mein\w*|mich\s+betreffend\w*|s{AE}mtlich\w*|alle\w*|seine\w*|ihre\w*)\W+"
    rf"{_GAP3}(?:personenbezogen\w*\s+)?{_NOUN}\b"
    r"|\bpersonenbezogen\w*\s+daten\b|\bpersonendaten\b"
    r"|\b(?:daten|informationen|angaben)\b[^.?!\n]{0,40}?\b(?:" + UE + r"ber|zu)\s+"
    r"(?:mich|meiner\s+person)\b)"
)
_REL = (
    r"(?:sohn\w*|tochter|kind\w*|mutter|vater|eltern|mann\w*|frau|mandant\w*|mandantin|"
    r"bruder\w*|schwester)"
)
_DSGVO = r"(?:dsgvo|ds-gvo|gdpr|datenschutz-?grundverordnung)"

RULES: tuple[tuple[T, str, str, float, str], ...] = (
    (
        T.CONSENT_WITHDRAWAL,
        "de.widerruf_einwilligung",
        r"\bwiderruf\w*\s+(?:\w+\s+){0,4}?einwilligung\w*|\beinwilligung\w*[^\n]{0,200}?"
        r"\bwiderrufe\w*|\beinwilligung\w*\s+(?:\w+\s+){0,3}?(?:zur" + UE + r"ckziehe\w*|"
        r"entziehe\w*)",
        0.9,
        "",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "de.newsletter_abbestellen",
        r"\b(?:abbestell\w*|abmeld\w*|austragen)\b(?:\W+\w+){0,4}?\W+(?:newsletter\w*|"
        r"verteiler\w*|werbung\w*|e-?mails?)|\b(?:newsletter\w*|verteiler)\s+(?:\w+\s+){0,3}?"
        r"(?:abbestellen|abmelden|austragen)\b|\bkeine\s+werbung\s+mehr\b",
        0.85,
        "f",
    ),
    (
        T.ACCESS,
        "de.auskunft",
        r"\bauskunft\w*\s+(?:\w+\s+){0,2}?(?:gem" + AE + r"" + SS + r"|nach|" + UE + r"ber|"
        r"zu\s+erteilen|erteil\w*)|\b(?:bitte|ersuche)\w*\s+(?:\w+\s+){0,4}?(?:um\s+)?auskunft\b"
        r"|\bauskunftsersuchen\b|\bauskunftsrecht\w*\b",
        0.9,
        "",
    ),
    (T.ACCESS, "de.artikel15", rf"\bart(?:ikel|\.)?\s*15\b[^\n]{{0,30}}?{_DSGVO}", 0.9, "a"),
    (
        T.ACCESS,
        "de.ob_daten_verarbeitet",
        r"\bob\s+(?:sie\s+)?(?:mich\s+betreffende\s+)?(?:personenbezogene\s+)?daten\s+"
        r"(?:" + UE + r"ber\s+mich\s+)?(?:verarbeit|bearbeit|gespeichert)\w*"
        r"|\b(?:kopie|zugang|einsicht)\s+(?:\w+\s+){0,3}?"
        + OBJ
        + r"|\bwelche\s+(?:\w+\s+)?daten\s+(?:\w+\s+){0,3}?"
        + UE
        + r"ber\s+mich\b",
        0.85,
        "",
    ),
    (
        T.RECTIFICATION,
        "de.berichtigung",
        r"\bberichtig\w*|\bunrichtig\w*\s+(?:\w+\s+){0,2}?(?:daten|angaben)\b|"
        r"\b(?:korrigier\w*|"
        + AE
        + r"nder\w*|aktualisier\w*)\s+"
        + _GAP4
        + OBJ
        + r"|\bmeine\s+(?:neue\s+)?(?:anschrift|adresse)\s+lautet\s+(?:jetzt|nun|neu)\b",
        0.85,
        "",
    ),
    (
        T.ERASURE,
        "de.loeschen",
        rf"\bl{OE}sch\w*\W+{_GAP4}{OBJ}|{OBJ}\W+(?:\w+\W+){{0,3}}?(?:zu\s+l{OE}schen|gel{OE}scht)\b",
        0.85,
        "q",
    ),
    (
        T.ERASURE,
        "de.antrag_auf_loeschung",
        r"\b(?:antrag\s+auf|recht\s+auf)\s+(?:\w+\s+)?(?:l" + OE + r"schung|vergessenwerden)\b"
        r"|\bart(?:ikel|\.)?\s*17\b[^\n]{0,30}?" + _DSGVO,
        0.9,
        "",
    ),
    (
        T.RESTRICTION,
        "de.widerspruch",
        r"\bwiderspruch\w*\s+(?:\w+\s+){0,3}?gegen\b|\bwiderspreche\w*\b|\blehne\s+(?:\w+\s+){0,3}?"
        r"(?:die\s+)?verarbeitung\b",
        0.85,
        "",
    ),
    (
        T.RESTRICTION,
        "de.einschraenkung",
        r"\beinschr" + AE + r"nkung\s+der\s+verarbeitung\b|\bverarbeitung\b[^\n]{0,80}?"
        r"\beinzuschr" + AE + r"nken\b|\bverarbeitung\s+(?:\w+\s+){0,3}?einschr" + AE + r"nken\b",
        0.9,
        "",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "de.im_namen",
        rf"\bim\s+(?:namen|auftrag)\s+(?:meines|meiner|unseres|unserer)\s+(?:\w+\s+)?{_REL}"
        rf"|\bvollmacht\w*|\berziehungsberechtigt\w*|\bgesetzliche\w*\s+vertreter\w*",
        0.85,
        "s",
    ),
    (T.COMPLAINT, "de.beschwerde", r"\bbeschwer\w*", 0.8, "cp"),
    (
        T.COMPLAINT,
        "de.frist_ueberschritten",
        r"\bfrist\w*\b[^\n]{0,80}?\b(?:" + UE + r"berschritten|abgelaufen|verstrichen)\b",
        0.75,
        "cp",
    ),
)

CONDITIONAL = r"\b(?:sollte\w*|andernfalls|sonst|falls|wenn|vorbehalt\w*|behalte|ob|sofern)\b"
PRIVACY_CONTEXT = (
    r"\b(?:dsgvo|ds-gvo|datenschutz\w*|personenbezogen\w*|aufsichtsbeh" + OE + r"rde\w*|"
    r"meine\s+daten|art\.?\s*77)"
)
DISCLAIMER = (
    r"\b(?:nicht\s+der\s+(?:richtige|beabsichtigte|vorgesehene)\s+(?:empf" + AE + r"nger|"
    r"adressat)|(?:irrt" + UE + r"mlich|versehentlich|f" + AE + r"lschlicherweise)\s+erhalten)"
)
FIRST_PERSON = r"\b(?:ich|mich|mir|mein\w*)\b"
FOOTER = r"\b(?:klicken|hier|link\w*|wenn\s+sie)\b"
CONSEQUENCE = r"\b(?:zur\s+folge|f" + UE + r"hren|bedeuten)\b"
NEGATION = r"\b(?:nicht|nie|kein\w*)"
#: A negation in a question that asks us to act ("Können Sie das nicht einfach löschen?"): not a no.
ASKING_NEGATION = (
    r"\bk" + OE + r"nn(?:en|ten|t)\s+(?:sie|ihr)\s+(?:\w+\s+){0,3}?nicht\s+(?:\w+\s+)?$"
)
AFFIRMATION = r"(?:ja|jawohl|ok|okay|gerne|einverstanden)"

#: See ``handlers.lexicon.en.RULE_TRIGGERS``.
RULE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "de.widerruf_einwilligung": ("widerruf", "einwilligung"),
    "de.newsletter_abbestellen": (
        "abbestell",
        "abmeld",
        "austragen",
        "newsletter",
        "verteiler",
        "keine",
    ),
    "de.auskunft": ("auskunft",),
    "de.artikel15": ("art",),
    "de.ob_daten_verarbeitet": ("ob", "kopie", "zugang", "einsicht", "welche"),
    "de.berichtigung": (
        "berichtig",
        "unrichtig",
        "korrigier",
        "änder",
        "aender",
        "ander",
        "aktualisier",
        "lautet",
    ),
    "de.loeschen": ("lösch", "loesch", "losch", "gelösch", "geloesch", "gelosch"),
    "de.antrag_auf_loeschung": ("antrag", "recht", "art"),
    "de.widerspruch": ("widersp", "lehne"),
    "de.einschraenkung": ("einschr", "einzuschr"),
    "de.im_namen": ("namen", "auftrag", "vollmacht", "erziehungsberechtigt", "gesetzlich"),
    "de.beschwerde": ("beschwer",),
    "de.frist_ueberschritten": (
        "überschritten",
        "ueberschritten",
        "uberschritten",
        "abgelaufen",
        "verstrichen",
    ),
}


#: Personal data a pronoun ("korrigieren Sie sie") can point back to (flag ``r``).
ANTECEDENT = (
    r"\b(?:meine|mein|meinen|meiner|meines)\s+(?:\w+\s+)?(?:alte\w*\s+|neue\w*\s+)?"
    r"(?:adresse|anschrift|name\w*|telefonnummer|nummer|e-?mail\w*|daten|angaben|profil\w*|"
    r"konto\w*|foto\w*|bild\w*)\b|\bpersonenbezogen\w*\s+daten\b"
)
FACTUAL = (
    r"\b(?:habe|haben|hatte)\s+(?:\w+\s+){0,4}?(?:beschwert|eingereicht|gemeldet)\b|\bhiermit\b"
)
OFFER_CUE = r"\b(?:m" + OE + r"chten\s+sie|sollen\s+wir|w" + UE + r"nschen\s+sie)\b"
#: What our own questions offer (see ``handlers.lexicon.da.OFFER_RULES``): "Sollen wir Ihr
#: gesamtes Profil löschen oder Sie nur vom Newsletter abmelden?"
OFFER_RULES: tuple[tuple[T, str, str, float, str], ...] = (
    (
        T.ERASURE,
        "de.offer_loeschung",
        r"\b(?:ihre|ihr|dein\w*)\s+(?:\w+\s+){0,2}?(?:\w*daten|konto|profil|angaben)\w*\s+"
        r"(?:\w+\s+){0,2}?(?:l" + OE + r"sch\w*|entfern\w*)"
        r"|\bl" + OE + r"sch\w*\s+(?:\w+\s+){0,3}?(?:ihre|ihr|dein\w*)\s+(?:\w+\s+)?"
        r"(?:\w*daten|konto|profil|angaben)",
        0.7,
        "",
    ),
    (
        T.ACCESS,
        "de.offer_auskunft",
        r"\b(?:auskunft|kopie\s+(?:ihrer|deiner)\s+(?:\w+\s+)?daten)",
        0.7,
        "",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "de.offer_abmeldung",
        r"\b(?:abmeld\w*|abzumelden|austragen|einwilligung\s+(?:zu\s+)?widerruf\w*)",
        0.7,
        "",
    ),
    (
        T.RECTIFICATION,
        "de.offer_berichtigung",
        r"\b(?:ihre|ihr|dein\w*)\s+(?:\w+\s+)?(?:namen|adresse|anschrift|geburtsdatum|"
        r"e-?mail\w*|daten|angaben)\s+(?:\w+\s+){0,2}?(?:berichtig\w*|korrigier\w*|"
        r"aktualisier\w*|" + AE + r"ndern)",
        0.7,
        "",
    ),
)

RULES = RULES + (
    (
        T.RECTIFICATION,
        "de.korrigieren_sie_es",
        r"\b(?:korrigier\w*|" + AE + r"nder\w*|aktualisier\w*|berichtig\w*)\s+(?:sie\s+|ihr\s+)?"
        r"(?:es|sie|diese|das)\b",
        0.7,
        "r",
    ),
    (
        T.ERASURE,
        "de.loeschen_sie_sie",
        r"\bl" + OE + r"sch\w*\s+(?:sie\s+|ihr\s+)?(?:es|sie|diese|das)\b(?!\s+(?:letzte|e-?mail|"
        r"buchung|rechnung))",
        0.7,
        "rq",
    ),
)
RULE_TRIGGERS.update(
    {
        "de.korrigieren_sie_es": (
            "korrigier",
            "änder",
            "aender",
            "ander",
            "aktualisier",
            "berichtig",
        ),
        "de.loeschen_sie_sie": ("lösch", "loesch", "losch"),
    }
)

# -- everyday phrasings, second round (dev2/) -------------------------------------------
BUSINESS_DOC = r"\b(?:\w*ticket\w*|\w*rechnung\w*|quittung\w*|fluggesellschaft\w*|vertrag\w*)\b"
PERFECT = r"\b(?:ich|wir)\s+(?:habe|haben|hatte|hatten)"
PERFECT_SECOND = r"\bsie\s+haben"
RETRACTION = r"\bvergessen\s+sie\s+(?:es|das)\b|\bhat\s+sich\s+erledigt\b"
RETRACTION_HINTS = ("vergessen", "erledigt")
REPLACE = r"\bersetz\w*"
THIRD_PARTY_CUE = (
    rf"\b(?:mein\w*|unser\w*)\s+(?:\w+\s+)?{_REL}\b|\bvollmacht\w*|\bim\s+namen\b|"
    r"\b(?:mutter|vater|erziehungsberechtigt\w*)\s+von\b"
)
GREETING = r"hallo|guten\s+tag|liebe\w*\s+\w+|sehr\s+geehrte\w*\s+\w+(?:\s+und\s+\w+)?"
POLITE = r"bitte|danke|vielen\s+dank|sofort|umgehend"
SIGNOFF = r"gr" + UE + r"" + SS + r"e?|mfg|lg|viele\s+gr" + UE + SS + r"e|/"
SHORT_COMMANDS: tuple[tuple[T, str, str, float, str], ...] = (
    (
        T.CONSENT_WITHDRAWAL,
        "de.kurz_abmelden",
        r"(?:bitte\s+)?(?:abmelden|abbestellen|austragen|stopp)",
        0.8,
        "",
    ),
    (
        T.ERASURE,
        "de.kurz_loeschen",
        r"(?:bitte\s+)?(?:l"
        + OE
        + r"schen\s+sie\s+mich|mich\s+l"
        + OE
        + r"schen|konto\s+l"
        + OE
        + r"schen)",
        0.8,
        "",
    ),
)
_CONTACT = (
    r"(?:adresse|anschrift|name\w*|nachname\w*|vorname\w*|telefonnummer|handynummer|"
    r"e-?mail(?:-?adresse)?|geburtsdatum)"
)
RULES = RULES + (
    (
        T.ERASURE,
        "de.loeschen_sie_mich",
        r"\bl" + OE + r"sch\w*\s+(?:sie\s+)?mich\s+(?:\w+\s+)?aus\s+(?:\w+\s+){0,2}?\w*(?:datei|"
        r"system|datenbank|kartei|verteiler|liste)\w*|\bmich\s+(?:\w+\s+){0,3}?l" + OE + r"schen\b"
        r"|\bl" + OE + r"sch\w*\s+(?:\w+\s+){0,3}?(?:ausweis\w*|reisepass\w*|passkopie\w*|"
        r"attest\w*)\b",
        0.8,
        "q",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "de.keine_mehr",
        r"\bkeine\s+(?:\w+\s+)?(?:newsletter|werbung|e-?mails|angebote|werbemails|sms)\s+"
        r"(?:\w+\s+){0,3}?mehr\b|\bkeine\s+(?:weiteren\s+)?(?:newsletter|werbung|werbemails)\b",
        0.8,
        "f",
    ),
    (
        T.ACCESS,
        "de.was_gespeichert",
        r"\bwas\s+(?:haben|speichern|wissen)\s+sie\s+(?:\w+\s+){0,3}?" + UE + r"ber\s+mich\b",
        0.8,
        "",
    ),
    (
        T.RECTIFICATION,
        "de.falsch_geschrieben",
        rf"\b(?:mein\w*)\s+(?:\w+\s+)?{_CONTACT}\s+(?:\w+\s+){{0,4}}?(?:falsch|fehlerhaft|"
        r"nicht\s+korrekt|unrichtig)\b|\b(?:mein\w*)\s+(?:\w+\s+)?"
        + _CONTACT
        + r"\s+hat\s+sich\s+"
        + AE
        + r"ndert\b|\bmeine\s+neue\s+"
        + _CONTACT
        + r"\b",
        0.8,
        "b",
    ),
    (
        T.COMPLAINT,
        "de.ohne_zustimmung",
        r"\b(?:weitergegeben|gegeben|geschickt|verkauft|geteilt|gesendet)\b[^.?!\n]{0,30}?"
        r"\bohne\s+(?:mich\s+zu\s+fragen|(?:meine|unsere)\s+(?:zustimmung|einwilligung|erlaubnis))"
        r"|\bohne\s+(?:meine|unsere)\s+(?:zustimmung|einwilligung|erlaubnis)\b[^.?!\n]{0,60}?"
        r"\b(?:weitergegeben|gegeben|geschickt|verkauft|geteilt|gesendet)\b",
        0.8,
        "c",
    ),
)
RULE_TRIGGERS.update(
    {
        "de.loeschen_sie_mich": ("lösch", "loesch", "losch"),
        "de.keine_mehr": ("keine",),
        "de.was_gespeichert": ("was",),
        "de.falsch_geschrieben": ("mein",),
        "de.ohne_zustimmung": (
            "ohne",
            "weitergegeben",
            "gegeben",
            "geschickt",
            "verkauft",
            "geteilt",
            "gesendet",
        ),
    }
)

#: Flags the first round's rules gain now that the checks exist (see ``lexicon.da``).
_MORE_FLAGS = {
    "de.loeschen": "h",
    "de.loeschen_sie_sie": "h",
    "de.berichtigung": "bh",
    "de.korrigieren_sie_es": "bh",
}
RULES = tuple((t, n, p, w, f + _MORE_FLAGS.get(n, "")) for t, n, p, w, f in RULES)

# -- third round (dev3/) ------------------------------------------------------------------
_CONTACT3 = (
    r"(?:adresse|anschrift|name\w*|nachname\w*|vorname\w*|telefonnummer|handynummer|"
    r"e-?mail(?:-?adresse)?|geburtsdatum)"
)
RULES = RULES + (
    (
        T.ERASURE,
        "de.entfernen",
        r"\bentfern\w*\s+(?:sie\s+)?(?:\w+\s+){0,2}?"
        + OBJ
        + r"|\bentfern\w*\s+(?:sie\s+)?mich\s+aus\b",
        0.85,
        "q",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "de.austragen",
        r"\btrag\w*\s+(?:sie\s+)?mich\s+(?:\w+\s+){0,3}?aus\b|\baustragen\b"
        r"|\bmelde\w*\s+(?:sie\s+)?mich\s+(?:\w+\s+){0,2}?(?:newsletter\w*|verteiler\w*)\s+ab\b",
        0.8,
        "f",
    ),
    (
        T.RECTIFICATION,
        "de.aendern_sie_meinen_namen",
        r"\b(?:" + AE + r"ndern|korrigieren|aktualisieren|berichtigen)\s+sie\s+(?:bitte\s+)?"
        r"(?:mein\w*)\s+(?:\w+\s+)?" + _CONTACT3 + r"\b",
        0.8,
        "bh",
    ),
    (
        T.ACCESS,
        "de.welche_informationen",
        r"\bwelche\s+(?:\w+\s+)?(?:daten|informationen|angaben)\s+(?:\w+\s+){0,3}?"
        + UE
        + r"ber\s+mich\b",
        0.85,
        "",
    ),
)
RULE_TRIGGERS.update(
    {
        "de.entfernen": ("entfern",),
        "de.austragen": ("trag", "austragen", "melde"),
        "de.aendern_sie_meinen_namen": (
            "änder",
            "aender",
            "ander",
            "korrigier",
            "aktualisier",
            "berichtig",
        ),
        "de.welche_informationen": ("welche",),
    }
)

# -- the second opinion (``classify._paired``; see ``lexicon.da``) ------------------------
PAIR_DATA = (
    r"\b(?:mein\w*)\s+(?:\w+\s+)?(?:daten|angaben|konto|profil|adresse|anschrift|name\w*|"
    r"nachname\w*|telefonnummer)\b|\bpersonenbezogen\w*\s+daten"
    r"|\bihre\w*\s+(?:datenbank|kundendatei|system|kartei)\w*"
    r"|\b(?:daten|alles|informationen)\s+(?:\w+\s+){0,3}?" + UE + r"ber\s+mich\b"
)
PAIR_LIST = r"\b(?:newsletter\w*|werbung|werbemails?|angebote\w*|anrufe\w*)\b"
#: (a substring anywhere in a word: "flybooking", "rejseforsikringen")
PAIR_BLOCK = r"(?:buchung|rechnung|ticket|gep" + AE + r"ck|zahlung|visum|app|portal)"
PAIRS: tuple[tuple[T, str, str, str, float], ...] = (
    (
        T.ERASURE,
        "de.paar_loeschen",
        r"\b(?:l" + OE + r"sch\w*|entfern\w*)\b|\bnicht\s+mehr\s+(?:\w+\s+){0,3}?gespeichert\b",
        "data",
        0.6,
    ),
    (
        T.ACCESS,
        "de.paar_auskunft",
        r"\b(?:auskunft|kopie|welche|was\s+(?:haben|speichern|wissen)|einsicht)\b",
        "data",
        0.6,
    ),
    (
        T.RECTIFICATION,
        "de.paar_berichtigen",
        r"\b(?:korrigier\w*|(?:ä|ae)nder\w*|aktualisier\w*|falsch|berichtig\w*)\b",
        "data",
        0.6,
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "de.paar_abmelden",
        r"\b(?:abmeld\w*|abbestell\w*|austragen|keine\s+(?:\w+\s+)?mehr|nicht\s+mehr\s+(?:\w+\s+)?"
        r"(?:schicken|senden|anrufen|kontaktieren))\b",
        "list",
        0.6,
    ),
)
PAIR_TRIGGERS = (
    "daten",
    "angaben",
    "konto",
    "profil",
    "adresse",
    "anschrift",
    "name",
    "nachname",
    "telefonnummer",
    "personenbezogen",
    "datenbank",
    "kundendatei",
    "system",
    "kartei",
    "alles",
    "informationen",
    "ihre",
    "newsletter",
    "werbung",
    "werbemail",
    "angebot",
    "anruf",
)

# -- sixth round (dev6/): general second-opinion objects (see ``lexicon.da``) -------------
PAIR_CONTACT = (
    r"\b(?:(?:anrufen|kontaktieren|schreiben|schicken|senden|mailen)|rufen\s+sie\s+mich|"
    r"anrufe|e-?mails|"
    r"werbung|angebote|nachrichten)\b"
)
PAIR_EVENT = (
    r"\b(?:weitergegeben|weitergeleitet|geteilt|verkauft|gesendet|geschickt|ver"
    + OE
    + r"ffentlicht|offengelegt)\b"
)
PAIR_SENSITIVE = r"\b(?:telefonnummer|adresse|anschrift|gesundheit\w*|passnummer|reisepass)\b"
PAIR_RELATIVE = (
    r"\b(?:" + UE + r"ber|f" + UE + r"r)\s+mein\w*\s+(?:sohn|tochter|kind|mann|frau|mutter|"
    r"vater|bruder|schwester)\b"
)
SELF_SERVICE_Q = r"\bwie"
PAIRS = PAIRS + (
    (
        T.CONSENT_WITHDRAWAL,
        "de.paar_kontakt",
        r"\b(?:keine\s+(?:\w+\s+)?mehr|nicht\s+mehr|h" + OE + r"ren\s+sie\s+auf)\b",
        "contact",
        0.6,
    ),
    (
        T.COMPLAINT,
        "de.paar_beschwerde",
        r"\b(?:ohne\s+(?:meine\s+)?(?:zustimmung|einwilligung|erlaubnis)|datenschutzversto\w*|"
        r"ver" + AE + r"rgert|inakzeptabel|unversch" + AE + r"mt|nicht\s+in\s+ordnung|"
        r"rechtswidrig)\b",
        "event",
        0.6,
    ),
)
PAIR_CONTACT_TRIGGERS = (
    "rufen",
    "anrufen",
    "kontaktieren",
    "schreiben",
    "schicken",
    "senden",
    "mailen",
    "anrufe",
    "e-mails",
    "emails",
    "nachrichten",
    "werbung",
    "angebote",
)
PAIR_TRIGGERS = PAIR_TRIGGERS + (
    "gesundheit",
    "passnummer",
    "reisepass",
)
FIRST_PERSON = r"\b(?:ich|wir)\s+(?:habe\s+|haben\s+|hatte\s+)?(?:\w+\s+)?"
#: Word stems every ``PAIR_RELATIVE`` match holds.
PAIR_RELATIVE_TRIGGERS = (
    "sohn",
    "tochter",
    "kind",
    "mann$",
    "frau",
    "mutter",
    "vater",
    "bruder",
    "schwester",
)
PAIR_USE = r"\b(?:verwendet|genutzt|benutzt|verwenden|nutzen)\s+(?:\w+\s+){0,3}?f" + UE + r"r\b"
#: A short next sentence that points back to the data ("Få det slettet.", "Delete them.").
PAIR_FOLLOW = r"\b(?:sie|es)\b"

# -- fourth round (dev10/): wider vocabularies for writers the rounds before never met ----
# Separable verbs ("ziehe … zurück", "schränken Sie … ein"), the object before a passive
# participle ("dass mein Kundenkonto … entfernt wird"), compound nouns ("Kundenkonto",
# "Gesundheitsdaten"), questions about where our data came from and whom it went to, a
# relative's data ("über ihn", "ihre Daten" beside "unsere Tochter").
_COMPOUND = r"(?:kunden|benutzer|nutzer|kontakt|gesundheits|stamm|personal)"
_DATA_NOUN = (
    rf"(?:{_COMPOUND}?(?:daten|konto|profil)\w*|angaben|informationen|adresse|anschrift|"
    r"telefonnummer|handynummer|e-?mail-?adresse|fotos?|bilder)"
)
RULES = RULES + (
    (
        T.ERASURE,
        "de.konto_entfernt",
        rf"\b(?:mein\w*|s{AE}mtlich\w*|alle\w*)\s+(?:\w+\s+)?{_DATA_NOUN}\b[^.?!\n]{{0,80}}?"
        rf"\b(?:entfernt|gel{OE}scht)\s+(?:wird|werden|wurde|werden\s+soll|wird\s+bitte)\b",
        0.8,
        "q",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "de.einwilligung_zurueck",
        rf"\b(?:einwilligung|zustimmung|einverst{AE}ndnis)\w*\b[^.?!\n]{{0,80}}?\bzur{UE}ck\b"
        rf"|\b(?:widerrufe|entziehe)\s+(?:\w+\s+){{0,3}}?(?:zustimmung|einverst{AE}ndnis)\w*",
        0.85,
        "",
    ),
    (
        T.RESTRICTION,
        "de.schraenken_sie_ein",
        rf"\bschr{AE}nk\w*\s+(?:sie\s+)?(?:\w+\s+){{0,5}}?(?:verarbeitung|nutzung|verwendung)\b"
        r"[^.?!\n]{0,60}?\bein\b",
        0.85,
        "",
    ),
    (
        T.ACCESS,
        "de.woher_haben_sie",
        rf"\bwoher\s+(?:haben|hatten|bekamen|kennen|wissen)\s+sie\s+(?:\w+\s+){{0,2}}?(?:mein\w*|"
        rf"diese)\s+(?:\w+\s+)?[\w-]*(?:daten|adresse|nummer|angaben|name\w*)\b"
        rf"|\bwer\s+hat\s+ihnen\s+(?:\w+\s+)?mein\w*\s+[\w-]*(?:daten|adresse|nummer|angaben)\b"
        rf"|\b(?:an\s+wen|mit\s+wem)\s+(?:haben|hat|wurden|werden)\s+(?:sie\s+)?(?:\w+\s+){{0,4}}?"
        rf"(?:weitergegeben|gegeben|geschickt|verkauft|{UE}bermittelt|weitergeleitet|geteilt)",
        0.8,
        "",
    ),
    (
        T.ACCESS,
        "de.welche_daten_ueber_ihn",
        rf"\bwelche\s+(?:\w+\s+)?(?:daten|informationen|angaben)\s+(?:\w+\s+){{0,3}}?{UE}ber\s+"
        r"(?:ihn|sie|ihm|ihr|unsere\w*\s+\w+|meine\w*\s+\w+)\b",
        0.8,
        "t",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "de.ihre_daten",
        r"\b(?:seine|seiner|seinen|ihre|ihrer|ihren)\s+(?:\w+\s+)?(?:daten|angaben|fotos|bilder|"
        r"konto|profil|adresse|telefonnummer)\b"
        r"|\b(?:fotos|bilder|daten|angaben)\s+(?:von|" + UE + r"ber)\s+(?:ihr|ihm|ihn)\b",
        0.7,
        "st",
    ),
)
RULE_TRIGGERS.update(
    {
        "de.konto_entfernt": ("entfernt", "gelöscht", "geloescht", "geloscht"),
        "de.einwilligung_zurueck": (
            "einwilligung",
            "zustimmung",
            "einverst",
            "widerrufe",
            "entziehe",
        ),
        "de.schraenken_sie_ein": ("schränk", "schraenk", "schrank"),
        "de.woher_haben_sie": ("woher", "wer$", "wen$", "wem$"),
        "de.welche_daten_ueber_ihn": ("welche",),
        "de.ihre_daten": ("seine", "ihre", "ihr$", "ihm$", "ihn$"),
    }
)
PAIR_DATA = PAIR_DATA + rf"|\b(?:mein\w*)\s+(?:\w+\s+)?{_COMPOUND}(?:daten|konto|profil)\w*"
PAIR_TRIGGERS = (
    PAIR_TRIGGERS
    + tuple(
        f"{compound}{noun}"
        for compound in (
            "kunden",
            "benutzer",
            "nutzer",
            "kontakt",
            "gesundheits",
            "stamm",
            "personal",
        )
        for noun in ("dat", "kont", "profil")
    )
    + ("krankheit", "diagnose", "medikament", "allergie", "diabetes")
)
PAIR_EVENT = (
    PAIR_EVENT
    + r"|\b(?:erw"
    + AE
    + r"hnt|gezeigt|vorgelesen|gepostet|hochgeladen|ausgeh"
    + AE
    + r"ngt|"
    r"weitererz" + AE + r"hlt)\b"
)
PAIR_SENSITIVE = (
    PAIR_SENSITIVE + r"|\b(?:krankheit\w*|diagnose\w*|medikament\w*|allergie\w*|diabetes)\b"
)
PAIRS = PAIRS + (
    (
        T.COMPLAINT,
        "de.paar_beschwerde",
        r"\b(?:geht\s+(?:gar\s+|so\s+)?nicht|unm"
        + OE
        + r"glich|entsetzt|schockiert|emp"
        + OE
        + r"rt|w"
        + UE
        + r"tend|sauer|frechheit|ohne\s+mich\s+zu\s+fragen|nie\s+(?:zugestimmt|"
        r"eingewilligt))\b",
        "event",
        0.6,
    ),
)

# -- fourth round, second batch (dev10/*-s*) ----------------------------------------------
RULES = RULES + (
    (
        T.ACCESS,
        "de.was_ueber_mich_gespeichert",
        r"\b(?:was|welche\w*)\b[^.?!\n]{0,60}?\b(?:" + UE + r"ber|zu)\s+mich\b[^.?!\n]{0,30}?"
        r"\b(?:gespeichert|hinterlegt|erfasst|vorliegt|vorliegen|gesammelt|registriert|"
        r"verarbeitet)\b",
        0.8,
        "",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "de.keine_werbe_sms_mehr",
        r"\bkeine\s+(?:\w+\s+)?[\w-]*(?:newsletter|werbung|mails?|angebote|sms|anrufe|"
        r"nachrichten|post)\s+(?:\w+\s+){0,3}?mehr\b",
        0.8,
        "f",
    ),
    (
        T.RESTRICTION,
        "de.nicht_weitergeben",
        r"\b(?:d" + UE + r"rfen|sollen|wollen)\s+(?:sie\s+)?(?:\w+\s+)?mein\w*\s+(?:\w+\s+)?"
        r"[\w-]*(?:daten|adresse|nummer|angaben|fotos|bilder)\s+(?:\w+\s+){0,2}?nicht\s+"
        r"(?:\w+\s+){0,3}?(?:weitergeben|weiterzugeben|verkaufen|teilen|verwenden|nutzen|"
        r"benutzen|" + UE + r"bermitteln|weiterleiten)"
        r"|\b(?:verwenden|nutzen|benutzen|geben)\s+sie\s+(?:\w+\s+)?mein\w*\s+(?:\w+\s+)?"
        r"[\w-]*(?:daten|adresse|nummer|angaben|fotos|bilder)\s+nicht\b",
        0.8,
        "",
    ),
)
RULE_TRIGGERS.update(
    {
        "de.was_ueber_mich_gespeichert": (
            "gespeichert",
            "hinterlegt",
            "erfasst",
            "vorlieg",
            "gesammelt",
            "registriert",
            "verarbeitet",
        ),
        "de.keine_werbe_sms_mehr": ("keine",),
        "de.nicht_weitergeben": (
            "dürfen",
            "duerfen",
            "durfen",
            "sollen",
            "wollen",
            "verwenden",
            "nutzen",
            "benutzen",
            "geben",
        ),
    }
)
PAIR_TRIGGERS = PAIR_TRIGGERS + ("passkopie", "passfoto", "passdaten")
PAIR_SENSITIVE = PAIR_SENSITIVE + r"|\b(?:passkopie|passfoto|passdaten)\w*"
PAIR_EVENT = (
    PAIR_EVENT
    + r"|\b(?:lag\s+offen|offen\s+(?:herum)?lag|herumlag|sichtbar|einsehbar|jeder\s+konnte|"
    r"f" + UE + r"r\s+alle)\b"
)
PAIRS = PAIRS + (
    (
        T.RESTRICTION,
        "de.paar_einschraenken",
        r"\b(?:nicht\s+(?:\w+\s+){0,3}?(?:weitergeben|weiterzugeben|verkaufen|teilen|"
        + UE
        + r"bermitteln|weiterleiten)|einschr"
        + AE
        + r"nk\w*)\b",
        "data",
        0.6,
    ),
    (
        T.COMPLAINT,
        "de.paar_beschwerde",
        r"\b(?:unding|skandal\w*|unerh" + OE + r"rt|nicht\s+akzeptabel|unverantwortlich|"
        r"fahrl" + AE + r"ssig)\b",
        "event",
        0.6,
    ),
)

# -- fourth round, fourth batch (dev10/*-p*) ----------------------------------------------
RULES = RULES + (
    (
        T.RECTIFICATION,
        "de.nicht_mehr_aktuell",
        rf"\bmein\w*\s+(?:\w+\s+)?{_CONTACT}\s+(?:\w+\s+){{0,3}}?(?:nicht\s+mehr\s+(?:aktuell|"
        rf"g{UE}ltig|korrekt|richtig)|veraltet|{UE}berholt)\b",
        0.8,
        "b",
    ),
    (
        T.RESTRICTION,
        "de.nicht_dass_genutzt",
        r"\b(?:m" + OE + r"chte|will|w" + UE + r"nsche)\s+nicht,?\s+dass\s+(?:\w+\s+)?mein\w*\s+"
        r"(?:\w+\s+)?[\w-]*(?:daten|adresse|nummer|angaben|fotos|bilder)\b[^.?!\n]{0,60}?"
        r"\b(?:genutzt|verwendet|benutzt|weitergegeben|verkauft|geteilt|verarbeitet)\b",
        0.8,
        "",
    ),
)
RULE_TRIGGERS.update(
    {
        "de.nicht_mehr_aktuell": (
            "aktuell",
            "gültig",
            "gueltig",
            "gultig",
            "korrekt",
            "richtig",
            "veraltet",
            "überholt",
            "ueberholt",
            "uberholt",
        ),
        "de.nicht_dass_genutzt": (
            "genutzt",
            "verwendet",
            "benutzt",
            "weitergegeben",
            "verkauft",
            "geteilt",
            "verarbeitet",
        ),
    }
)
PAIR_TRIGGERS = PAIR_TRIGGERS + ("handynummer", "mobilnummer")
PAIR_SENSITIVE = PAIR_SENSITIVE + r"|\b(?:handynummer|mobilnummer)\b"
PAIRS = PAIRS + (
    (
        T.COMPLAINT,
        "de.paar_beschwerde",
        r"\bohne\s+(?:mein|unser)\w*\s+(?:wissen|einverst" + AE + r"ndnis)\b",
        "event",
        0.6,
    ),
)

# -- fourth round, fifth batch (dev10/*-v*) -----------------------------------------------
RULES = RULES + (
    (
        T.ERASURE,
        "de.vernichten",
        rf"\b(?:vernicht\w*|tilgen)\W+{_GAP4}{OBJ}|{OBJ}\W+(?:\w+\W+){{0,3}}?(?:vernichten|"
        r"vernichtet|tilgen|getilgt)\b"
        # "Die möchte ich gern vernichtet wissen" (a passport copy)
        r"|\bvernichtet\s+(?:wissen|sehen)\b",
        0.8,
        "q",
    ),
)
RULE_TRIGGERS.update({"de.vernichten": ("vernicht", "tilgen", "getilgt")})
PAIR_EVENT = PAIR_EVENT + r"|\bgegeben\b"
PAIRS = PAIRS + (
    (T.ERASURE, "de.paar_loeschen", r"\bvernicht\w*", "data", 0.6),
    (
        T.COMPLAINT,
        "de.paar_beschwerde",
        r"\bnicht\s+(?:so\s+)?(?:abgesprochen|vereinbart|erlaubt|genehmigt)\b",
        "event",
        0.6,
    ),
)

#: "Welche Angaben brauchen Sie von mir?" (see da.ASKS_WHAT_WE_NEED).
ASKS_WHAT_WE_NEED = (
    r"\b(?:was|welche\s+\w+)\s+(?:\w+\s+){0,3}?(?:brauchen|ben" + OE + r"tigen)\s+sie\b"
)

#: "Ich widerrufe meine Einwilligung", "löschen Sie meine personenbezogenen Daten" (see
#: da.EXPLICIT_REQUEST).
EXPLICIT_REQUEST = (
    r"\bich\s+widerrufe\s+(?:hiermit\s+)?(?:meine|alle\s+meine)\s+einwilligung\w*"
    r"|\bl" + OE + r"schen\s+sie\s+(?:bitte\s+)?(?:alle\s+)?meine\s+"
    r"(?:personenbezogenen\s+)?daten\b"
)
