"""Danish cues for the privacy classifier.

Written for Danish as customers type it: with and without æ/ø/å (``ae``/``oe``/``aa``
or the bare vowel), both ``I``/``jer``/``jeres`` and ``du``/``dig``/``din``, the many
forms of "oplysninger" (``oplysningerne``, ``personoplysninger``, ``oplysningar``), and
compounds. Compounds such as ``bookingoplysninger`` or ``flyoplysninger`` deliberately
do not match: ``\\b`` in front of the noun keeps them out, which is what keeps
"ret bookingoplysningerne" an ordinary booking matter.

Rule format and flags: see ``handlers.lexicon.en``.
"""

from __future__ import annotations

from handlers.values import RequestType as T

AE = r"(?:æ|ae|a|e)"
OE = r"(?:ø|oe|o)"
AA = r"(?:å|aa|a)"

NEG = (
    r"(?:booking\w*|bestilling\w*|faktura\w*|regning\w*|reservation\w*|ans" + OE + r"gning\w*|"
    r"fly\w*|billet\w*|betaling\w*|rejse\w*|program\w*|praktik\w*|visum\w*|forsikring\w*|"
    r"bolig\w*|sidste|seneste|forrige|tidligere|login\w*|log|adgangs\w*|kode\w*)\b"
)
_GAP3 = rf"(?:(?!{NEG})\w+\W+){{0,3}}?"
_GAP4 = r"(?:\w+\W+){0,4}?"
_POSS = r"(?:mine|min|mit|vores|alle|samtlige|hans|hendes|deres|hele|sin|sit|sine)"
_NOUN = (
    # "oplysniger", "oplysinger": typed on a phone
    r"(?:(?:person|kunde|bruger|kontakt)?oplysn?i?n?g\w*|oplysningar\w*|opl|data|dataene|"
    r"persondata\w*|personinfo\w*|informationer\w*|info|(?:bruger|kunde)?konto\w*|"
    r"(?:bruger)?profil\w*|cpr(?:-?nummer)?|personnummer)"
)
OBJ = (
    rf"(?:\b{_POSS}\W+{_GAP3}{_NOUN}\b"
    r"|\bperson(?:lige\s+)?(?:oplysning\w*|data\w*|info\w*)"
    r"|\b(?:oplysning\w*|data|alt|det|informationer)\b[^.?!\n]{0,40}?\b(?:om|p"
    + AA
    + r")\s+(?:mig|os)\b"
    r"|\bmig\s+(?:fra|i|ud\s+af)\s+(?:\w+\s+){0,2}?(?:system\w*|database\w*|register\w*|"
    r"kartotek\w*|kundeliste\w*|kundedatabase\w*|crm))"
)
_RECT_NOUN = (
    r"(?:navn\w*|efternavn\w*|fornavn\w*|adresse\w*|e-?mail(?:-?adresse\w*)?|mailadresse\w*|"
    r"telefon\w*|tlf\w*|mobilnummer\w*|f" + OE + r"dselsdato\w*|f" + OE + r"dselsdag\w*|"
    r"f" + OE + r"dsels\w*|k" + OE + r"n|cpr(?:-?nummer)?|pasnummer\w*|"
    r"(?:person|kunde|kontakt)?oplysning\w*|oplysningar\w*|data|persondata\w*|"
    r"informationer\w*|(?:bruger)?profil\w*)"
)
OBJ_RECT = rf"(?:\b{_POSS}\W+{_GAP3}{_RECT_NOUN}\b|\bperson(?:lige\s+)?oplysning\w*)"
#: "Slet ikke min profil" forbids: an imperative with "ikke"/"aldrig" right after is no request.
_NOT_AFTER = r"(?!\s+(?:ikke|ik|aldrig)\b)"
_ERASE = (
    r"\b(?:slet\w*|fjern\w*|destru\w*|udslet\w*|makul[eé]r\w*|bortskaf\w*|tilintetg\w*|"
    r"dele+te\w*|ryd(?:de|der)?\s+op\s+i)\b" + _NOT_AFTER
)
_RECTIFY = (
    r"\b(?:ret(?!\s+til\b)|rette|retter|rettet|rettes|rettelse\w*|opdater\w*|" + AE + r"ndr\w*|"
    r"korriger\w*|berigtig\w*|skift\w*)\b"
)
_FAULTY = (
    r"(?:forkert\w*|fejl\w*|stavet\s+forkert|forkert\s+stavet|ikke\s+korrekt\w*|"
    r"ikke\s+rigtig\w*|for" + AE + r"ldet\w*|ukorrekt\w*|urigtig\w*|mangelfuld\w*)"
)
_REL = (
    r"(?:s" + OE + r"n|s" + OE + r"nn\w*|datter|d" + OE + r"tre|d" + OE + r"tter\w*|barn|"
    r"b" + OE + r"rn\w*|mor|moder|far|fader|for" + AE + r"ldre|mand|kone|hustru|"
    r"k" + AE + r"reste\w*|partner\w*|bror|broder|s" + OE + r"ster|klient\w*|"
    r"barnebarn|nev" + OE + r"|niece|mormor|morfar|farmor|farfar|svigers" + OE + r"n|"
    r"svigermor|svigerfar|svigerfor" + AE + r"ldre|svigerdatter|svoger|svigerinde|"
    r"stedbarn|steds" + OE + r"n|steddatter|plejebarn|myndling\w*|medarbejder\w*|ansatte|"
    r"kolleg\w*)"
)
_SAMTYKKE = r"samtyk\w*"
_NEWS = (
    r"(?:nyhedsbrev\w*|nyhedsmail\w*|newsletter\w*|mailliste\w*|mailingliste\w*|"
    r"markedsf" + OE + r"ring\w*|reklame\w*|tilbudsmail\w*|kampagnemail\w*|"
    r"marketingmail\w*|sms-?\w*|e-?mails?|mails|nyheder|tilbud)"
)
_GDPR = r"(?:gdpr|databeskyttelses\w*|persondataforordning\w*|forordning\w*)"

RULES: tuple[tuple[T, str, str, float, str], ...] = (
    # -- samtykke / afmelding ------------------------------------------------------------
    (
        T.CONSENT_WITHDRAWAL,
        "da.traek_samtykke",
        rf"\btr{AE}k\w*\s+(?:\w+\W+){{0,4}}?{_SAMTYKKE}\W+(?:\w+\W+){{0,6}}?tilbage\b"
        rf"|\b{_SAMTYKKE}\W+(?:\w+\W+){{0,3}}?tr{AE}kk?e[sr]?\s+tilbage\b"
        rf"|\btr{AE}k\w*\s+(?:\w+\s+){{0,3}}?tilbage\s+(?:\w+\s+){{0,2}}?{_SAMTYKKE}"
        rf"|\b(?:tilbagekald\w*|tilbagetr{AE}k\w*)\s+(?:\w+\s+){{0,3}}?{_SAMTYKKE}"
        rf"|\b{_SAMTYKKE}\s+(?:\w+\s+){{0,3}}?"
        r"tilbagekald\w*",
        0.9,
        "",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "da.ikke_laengere_samtykke",
        rf"\bikke\s+(?:l{AE}ngere|mere)\s+(?:\w+\s+){{0,3}}?{_SAMTYKKE}"
        rf"|\b{_SAMTYKKE}\w*\s+(?:\w+\s+){{0,3}}?(?:ophører|ophoerer|ophorer|bortfalder|"
        r"annulleres|tilbagekaldes)\b",
        0.85,
        "",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "da.afmeld",
        rf"\b(?:afmeld\w*|framel\w*|afmel\w*)\s+(?:\w+\s+){{0,4}}?{_NEWS}"
        r"|\bafmelding\s+af\s+(?:\w+\s+){0,2}?(?:nyhedsbrev\w*|mail\w*|markedsf\w*)",
        0.85,
        "f",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "da.fjern_fra_liste",
        rf"\b(?:fjern|slet|tag)\w*\s+(?:\w+\s+)?(?:mig|mit\s+(?:\w+\s+)?(?:nummer|navn|mobilnummer|"
        r"telefonnummer)|min\s+(?:\w+\s+)?(?:mail|e-?mail\w*|mailadresse|adresse))\s+"
        rf"(?:fra|af|ud\s+af|ud\s+fra)\s+(?:\w+\s+){{0,2}}?{_NEWS}",
        0.85,
        "f",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "da.vil_ikke_modtage",
        rf"\b(?:vil|{OE}nsker|gider)\s+(?:\w+\s+)?(?:ikke|ik)\s+(?:l{AE}ngere\s+|mere\s+)?"
        rf"(?:at\s+)?(?:modtage|have|f{AA})\s+(?:\w+\s+){{0,3}}?{_NEWS}"
        rf"|\bstop\w*\s+(?:med\s+at\s+)?(?:sende|send)\s+(?:mig\s+)?(?:\w+\s+){{0,2}}?{_NEWS}"
        rf"|\bikke\s+(?:l{AE}ngere\s+|mere\s+)?(?:kontakt\w*|ringe\s+til)\s+mig\b[^.?!\n]{{0,30}}?"
        r"(?:markedsf\w*|reklame\w*|salg\w*|tilbud\w*)",
        0.8,
        "f",
    ),
    # -- indsigt ---------------------------------------------------------------------------
    # "Aktindsigt" is the public sector's access to documents (offentlighedsloven): a
    # kommune's hearing, its decision on our own request, a journalist's documents. It asks
    # for the writer's data only when the writer asks for it or it is about them.
    (
        T.ACCESS,
        "da.aktindsigt",
        r"\b(?:ret\s+til\s+)?aktindsigt\b[^.?!\n]{0,120}?\b(?:mig|mine|min|mit|"
        r"persondata\w*|personoplysning\w*)\b"
        r"|\b(?:jeg|vi)\s+(?:\w+\s+){0,3}?(?:anmod\w*|beder|bede|kr"
        + AE
        + r"ver|"
        + OE
        + r"nsker)\s+(?:\w+\s+){0,3}?(?:om\s+)?aktindsigt\b",
        0.9,
        "",
    ),
    (
        T.ACCESS,
        "da.indsigt",
        r"\b(?:ret\s+til\s+)?(?:registerindsigt|indsigtsanmodning\w*|indsigtsbegæring|"
        r"indsigtsretten|indsigtsret)\b|\bindsigt\s+(?:i\s+)?(?:\w+\s+){0,3}?(?:oplysning\w*|"
        r"opl|data|persondata\w*|personoplysning\w*|hvad|hvilke|alt)\b"
        r"|\b(?:anmod\w*|bede\w*|beder|kr" + AE + r"ve\w*|" + OE + r"nsk\w*)\s+(?:\w+\s+){0,3}?"
        r"(?:om\s+)?indsigt\b",
        0.9,
        "",
    ),
    (
        T.ACCESS,
        "da.persondataudtraek",
        r"\b(?:person)?data(?:-|\s)?udtr" + AE + r"k\w*|\bregisterudskrift\w*|\bdataudtr\w*",
        0.9,
        "",
    ),
    (T.ACCESS, "da.artikel15", rf"\bart(?:ikel|\.)?\s*15\b[^\n]{{0,30}}?{_GDPR}", 0.9, "a"),
    (
        T.ACCESS,
        "da.hvilke_oplysninger",
        r"\b(?:hvilke|hvilken|hvad(?<!alt\shvad)(?<!alt,\shvad)|hvor\s+mange)\s+(?:\w+\s+){0,3}?"
        r"(?:oplysning\w*|opl|data|"
        r"persondata\w*|personoplysning\w*|info\w*)\b"
        r"(?:(?!brug|behov|skal|mangler|kr" + AE + r"v|beh" + OE + r"v)[^.?!\n]){0,60}?"
        r"\b(?:om\s+(?:mig|os)|om\s+min\s+\w+|p" + AA + r"\s+mig|registreret|gemt|opbevar\w*|"
        r"liggende)\b"
        r"|\b(?<!alt\s)hvad\s+(?:har|ved|gemmer|opbevarer|registrerer)\s+(?:i|du|de|jeres\s+\w+)\s+"
        r"(?:\w+\s+){0,3}?om\s+mig\b"
        r"|\b(?<!alt\s)hvad\s+(?:i|du|de)\s+(?:har|ved|gemmer|opbevarer)\s+(?:\w+\s+){0,3}?om\s+mig\b",
        0.85,
        "",
    ),
    (
        T.ACCESS,
        "da.kopi_af_mine_data",
        rf"\b(?:kopi\w*|udskrift\w*|oversigt\w*|liste|eksport\w*|download\w*|udlevering)\s+"
        rf"(?:af|over|med)\s+(?:\w+\s+){{0,2}}?{OBJ}",
        0.85,
        "l",
    ),
    (
        T.ACCESS,
        "da.send_mine_data",
        rf"\b(?:send|sende|give|udlever\w*|maile)\s+(?:mig\s+)?(?:\w+\s+){{0,2}}?{OBJ}"
        rf"|\b(?:se|(?:f{AA}|have)\s+(?:adgang\s+til|indblik\s+i|udleveret|tilsendt|en\s+kopi\s+af))\s+"
        rf"(?:\w+\s+){{0,2}}?{OBJ}",
        0.7,
        "l",
    ),
    # -- berigtigelse ------------------------------------------------------------------------
    (T.RECTIFICATION, "da.ret_mine_oplysninger", rf"{_RECTIFY}\W+{_GAP4}{OBJ_RECT}", 0.8, ""),
    (
        T.RECTIFICATION,
        "da.forkerte_oplysninger",
        rf"\b(?:mit|min|mine)\s+(?:\w+\s+)?{_RECT_NOUN}\b\s+(?:\w+\s+){{0,4}}?(?:er|var|står|staar|"
        rf"stod|blev)\s+(?:\w+\s+){{0,3}}?{_FAULTY}"
        # "sendt til en forkert adresse" is a wrong recipient, not wrong data
        rf"|(?<!til\s)(?<!til\sen\s)(?<!til\sden\s)\b{_FAULTY}\s+(?:\w+\s+)?(?:navn\w*|adresse\w*|"
        rf"f{OE}dselsdato\w*|cpr\w*|"
        r"e-?mailadresse\w*|mailadresse\w*|telefonnummer\w*|personoplysning\w*|oplysning\w*\s+om\s+mig)"
        r"|\b(?:mit|mine)\s+(?:\w+\s+)?navn\w*\s+(?:\w+\s+){0,3}?stavet\s+(?:\w+\s+)?forkert",
        0.85,
        "",
    ),
    (
        T.RECTIFICATION,
        "da.ny_adresse",
        r"\b(?:min|mit)\s+nye\s+(?:\w+\s+)?(?:adresse|efternavn|navn|telefonnummer|mailadresse|"
        r"e-?mail)\b|\bjeg\s+har\s+(?:lige\s+)?skiftet\s+(?:navn|adresse|efternavn)\b",
        0.7,
        "",
    ),
    (T.RECTIFICATION, "da.berigtigelse", r"\bberigtig\w*|\bartikel\s*16\b", 0.85, ""),
    # -- sletning -------------------------------------------------------------------------------
    (
        T.ERASURE,
        "da.pronomen_slettes",
        r"\b(?:oplysning\w*|data|persondata\w*|personoplysning\w*)\b[^.?!\n]{0,80}?"
        r"\b(?:de|dem|det)\s+(?:\w+\s+){0,2}?(?:slettes|slettet)\b",
        0.75,
        "q",
    ),
    (T.ERASURE, "da.slet_mine_oplysninger", rf"{_ERASE}\W+{_GAP4}{OBJ}", 0.85, "q"),
    (
        T.ERASURE,
        "da.oplysninger_slettes",
        rf"{OBJ}\W+(?:\w+\W+){{0,4}}?(?:slettet|slettes|sletttet|fjernet|fjernes|destrueret|"
        r"makuleret|bortskaffe[ts]|tilintetgjort|tilintetg" + OE + r"res|kasseret|kasseres)\b",
        0.8,
        "q",
    ),
    (
        T.ERASURE,
        "da.vil_slettes",
        # a negation in the gap says the opposite: "jeg vil ikke slettes!"
        r"\b(?:jeg|vi)\s+(?:(?!(?:ikke|ik|aldrig)\b)\w+\s+){0,3}?(?:blive\s+slettet|slettes)\b"
        r"(?!\s+fra\s+(?:\w+\s+)?(?:mailingliste\w*|mailliste\w*|nyhedsbrev\w*|liste\w*|sms\w*))"
        r"|\bslet\w*\s+mig\s+(?:helt|fuldst" + AE + r"ndigt|permanent|alle\s+steder)\b",
        0.75,
        "q",
    ),
    (
        T.ERASURE,
        "da.retten_til_at_blive_glemt",
        r"\bret\w*\s+til\s+(?:at\s+blive\s+glemt|sletning)\b|\banmodning\s+om\s+sletning\b|"
        r"\bsletteanmodning\w*|\bsletningsanmodning\w*|\bartikel\s*17\b",
        0.9,
        "",
    ),
    (
        T.ERASURE,
        "da.luk_konto",
        r"\b(?:luk|nedl" + AE + r"g|opsig)\w*\s+(?:min|mit)\s+(?:\w+\s+)?(?:konto|profil|bruger)"
        r"\w*\s+og\s+slet",
        0.85,
        "",
    ),
    # -- begrænsning / indsigelse ----------------------------------------------------------
    (
        T.RESTRICTION,
        "da.indsigelse",
        r"\b(?:g"
        + OE
        + r"r\w*|gj"
        + OE
        + r"r\w*|fremsæt\w*|fremsaet\w*|har|nedl"
        + AE
        + r"gg\w*)\s+"
        r"(?:(?!ingen|ikke)\w+\s+){0,2}?indsigelse\b|\bindsigelse\s+(?:mod|imod)\b|\bprotest\w*\s+(?:mod|imod)\s+"
        r"(?:\w+\s+){0,3}?(?:behandling\w*|brug\w*|markedsf\w*|profilering\w*)",
        0.85,
        "",
    ),
    (
        T.RESTRICTION,
        "da.begraens_behandling",
        rf"\bbegr{AE}ns\w*\s+(?:\w+\s+){{0,4}}?(?:behandling\w*|brug\w*|anvendelse\w*|"
        rf"oplysning\w*|data)\b|\bbegr{AE}nsning\s+af\s+(?:\w+\s+)?behandling\w*",
        0.9,
        "",
    ),
    (
        T.RESTRICTION,
        "da.stop_behandling",
        rf"\b(?:stop|stoppe|ophør|ophoer|indstil\w*|h{OE}re\s+op\s+med)\w*\s+(?:med\s+)?"
        rf"(?:at\s+)?(?:\w+\s+){{0,2}}?(?:behandl\w*|bruge|brug|anvende|anvendelse)\s+(?:af\s+)?"
        rf"{OBJ}",
        0.85,
        "",
    ),
    (
        T.RESTRICTION,
        "da.ikke_bruge_til_markedsfoering",
        rf"\b(?:ikke|ik)\s+(?:\w+\s+){{0,3}}?(?:bruge|bruger|anvende|behandle|bruges|anvendes|"
        rf"behandles|videregive\w*|s{AE}lge)\s+(?:\w+\s+){{0,4}}?(?:markedsf\w*|reklame\w*|"
        r"profilering\w*|analyse\w*|statistik\w*|tredjepart\w*)"
        r"|\bingen\s+(?:direkte\s+)?(?:markedsf" + OE + r"ring|profilering)\b",
        0.75,
        "",
    ),
    (
        T.RESTRICTION,
        "da.artikel18_21",
        rf"\bart(?:ikel|\.)?\s*(?:18|21)\b[^\n]{{0,30}}?{_GDPR}",
        0.6,
        "a",
    ),
    # -- tredjepart / fuldmagt -------------------------------------------------------------
    (
        T.THIRD_PARTY_AUTHORISATION,
        "da.paa_vegne_af",
        rf"\bp{AA}\s+vegne\s+af\s+(?:min|mit|mine|vores)\s+(?:\w+\s+)?{_REL}\b"
        rf"|\bp{AA}\s+(?:min|mit|mine|vores)\s+(?:\w+\s+)?{_REL}s\s+vegne\b",
        0.85,
        "s",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "da.fuldmagt",
        r"\bfuldmagt\w*|\bv" + AE + r"rge\b|\bv" + AE + r"rgem" + AA + r"l\w*|\bbisidder\w*|"
        r"\bmin\s+advokat\s+(?:\w+\s+){0,2}?(?:skriver|kontakter|henvender|repr" + AE + r"se"
        r"nterer)\b"
        r"|\bmin\s+klient\b",
        0.85,
        "s",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "da.giver_lov",
        r"\b(?:jeg|vi)\s+(?:\w+\s+){0,2}?(?:giver|gir|bemyndiger|tillader|autoriserer)\s+"
        r"(?:hermed\s+)?(?:min|mit|mine|vores)\s+(?:\w+\W+){0,4}?(?:lov|tilladelse|fuldmagt|"
        r"ret)\b|\b(?:m"
        + AA
        + r"|kan)\s+(?:gerne\s+)?(?:tale|skrive|h"
        + AE
        + r"ndtere|f"
        + AA
        + r"\s+oplysninger)\s+(?:med\s+jer\s+)?p"
        + AA
        + r"\s+mine\s+vegne\b",
        0.85,
        "",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "da.slaegtnings_data",
        rf"\b(?:min|mit|mine|vores)\s+(?:\w+\s+)?{_REL}s\s+(?:\w+\s+)?(?:oplysning\w*|data|"
        r"persondata|personoplysning\w*|konto\w*|profil\w*|pasnummer\w*|cpr\w*|"
        r"adresse\w*|telefonnummer\w*|f" + OE + r"dselsdato\w*|helbred\w*|\w*journal\w*|"
        r"billede\w*)\b"
        # "min fars oplysninger, så han kan betale": details to pay with, not his data
        r"(?![^.?!\n]{0,80}\bbetal)"
        rf"|\b(?:oplysning\w*|data)\b[^.?!\n]{{0,30}}?\bom\s+(?:min|mit|vores)\s+(?:\w+\s+)?{_REL}\b",
        0.85,
        "",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "da.paa_mine_vegne",
        rf"\bp{AA}\s+mine\s+vegne\b|\bjeg\s+er\s+(?:\w+\s+)?(?:mor|far|for{AE}lder|v{AE}rge)\s+til\b",
        0.7,
        "s",
    ),
    # -- klage ---------------------------------------------------------------------------------
    (T.COMPLAINT, "da.klage_over_behandling", r"\b(?:klag\w*|klaget)\b", 0.8, "cp"),
    (
        T.COMPLAINT,
        "da.videregivet_mine_oplysninger",
        # "(jeg vil høre) om I har givet …" asks (access); it does not accuse
        r"(?<!om\s)(?<!hvem\s)(?<!hvor\s)\b(?:i|i\s+har|har\s+i|jeres\s+\w+\s+har|de\s+har|du\s+har)\s+(?:\w+\s+)?(?:delt|"
        r"videregivet|videresendt|sendt|l" + AE + r"kket|solgt|givet|offentliggjort|udleveret|"
        r"misbrugt|mistet)\s+(?:\w+\s+){0,2}?(?:mine|min|mit)\s+(?:\w+\s+)?(?:oplysning\w*|data|"
        r"persondata|personoplysning\w*|pas\w*|cpr\w*|adresse|billeder|fotos?)\b"
        r"|\b(?:mine|min|mit)\s+(?:person)?(?:oplysning\w*|data|persondata|cpr\w*)\s+(?:er|blev)\s+"
        r"(?:\w+\s+){0,2}?(?:delt|videregivet|sendt|l" + AE + r"kket|solgt|offentliggjort|"
        r"misbrugt|kompromitteret|stj" + AA + r"let)\b",
        0.8,
        "c",
    ),
    (
        T.COMPLAINT,
        "da.uden_samtykke",
        rf"\buden\s+(?:mit|min|mine|vores)\s+(?:\w+\s+)?(?:{_SAMTYKKE}|"
        r"tilladelse|viden)\b",
        0.7,
        "cp",
    ),
    (
        T.COMPLAINT,
        "da.databrud",
        r"\b(?:databrud|sikkerhedsbrud|datal" + AE + r"k\w*|brud\s+p" + AA + r"\s+(?:\w+\s+)?"
        r"(?:persondatasikkerheden|datasikkerheden|sikkerheden))\b",
        0.75,
        "c",
    ),
    (
        T.COMPLAINT,
        "da.frist_overskredet",
        r"\b(?:frist\w*|tidsfrist\w*|m" + AA + r"neds\w*)\b[^\n]{0,60}?\b(?:overskredet|"
        r"overskrider|udl" + OE + r"bet|sprunget)\b|\b(?:ikke\s+(?:har\s+)?(?:svaret|besvaret|"
        r"efterkommet|overholdt))\s+(?:\w+\s+){0,3}?(?:min|mit)\s+(?:\w+\s+)?(?:anmodning|"
        r"henvendelse|indsigtsanmodning|sletteanmodning)\w*",
        0.75,
        "cp",
    ),
)

CONDITIONAL = (
    r"\b(?:hvis|medmindre|ellers|i\s+modsat\s+fald|forbeholder|s" + AA + r"fremt|"
    # "om I har" is an indirect question after "høre/vide/spørge" ("jeg vil høre om I har
    # givet min adresse videre"), not a condition
    r"(?<!høre\s)(?<!hore\s)(?<!hoere\s)(?<!vide\s)(?<!spørge\s)(?<!sporge\s)(?<!spoerge\s)"
    r"(?<!høre,\s)(?<!hore,\s)(?<!hoere,\s)(?<!vide,\s)(?<!spørge,\s)(?<!sporge,\s)"
    r"om\s+(?:i|du)\s+(?:har|kan|vil)|hvorvidt)\b"
)
PRIVACY_CONTEXT = (
    r"\b(?:mine\s+(?:person)?(?:oplysning\w*|data)|persondata\w*|personoplysning\w*|"
    r"datatilsynet\w*|gdpr|databeskyttelse\w*|privatliv\w*|mine\s+data|"
    r"min\w*\s+(?:\w+\s+)?oplysning\w*|jeres\s+(?:system|database|kartotek|register|registre)\b)"
)
PROCESSING_CONTEXT = (
    r"\b(?:behandling\w*|profilering\w*|markedsf" + OE + r"ring\w*|mine\s+data|annonce\w*|"
    r"reklame\w*|mine\s+(?:\w+\s+)?oplysning\w*|"
    r"persondata\w*|personoplysning\w*)"
)
DISCLAIMER = (
    r"\b(?:ikke\s+(?:er\s+)?(?:den\s+)?(?:rette|tilsigtede|korrekte|retm" + AE + r"ssige|"
    r"rigtige)\s+modtager|modtaget\s+(?:denne\s+)?(?:e-?mail|mail|meddelelse|besked)\w*\s+"
    r"(?:\w+\s+){0,2}?(?:ved\s+en\s+fejl|fejlagtigt)|kun\s+til\s+brug\s+for\s+"
    r"(?:adressaten|modtageren))"
)
FIRST_PERSON = r"\b(?:jeg|mig|min|mit|mine)\b"
FOOTER = (
    r"\b(?:klik|tryk|linket|link|her\s+for\s+at|hvis\s+du\s+(?:ikke|" + OE + r"nsker|vil)|"
    r"du\s+kan\s+afmelde|du\s+modtager\s+denne)\b"
)
CONSEQUENCE = r"\b(?:f" + OE + r"re\s+til|medf" + OE + r"r\w*|resultere\w*|betyde\w*)\b"
NEGATION = r"\b(?:ikke|ik|aldrig|ingen|lad(?:e|er)?\s+v" + AE + r"re\s+med|undlad(?:e|er)?)"
#: A negation in a question that asks us to act ("Kan I ikke bare slette den?"): not a no.
ASKING_NEGATION = r"\b(?:vil|kan|gider|kunne|ville)\s+i\s+(?:ikke|ik)\s+(?:\w+\s+)?$"
AFFIRMATION = (
    r"(?:ja|jo|jep|jeps|jah|yes|ok|okay|gerne|ja\s+tak|ja\s+gerne|ja\s+venligst|"
    r"det\s+m" + AA + r"\s+i\s+(?:meget\s+)?gerne|g" + OE + r"r\s+det|bare\s+g" + OE + r"r\s+det|"
    r"det\s+er\s+fint|det\s+er\s+i\s+orden|bekr" + AE + r"fte\w*|korrekt|tak)"
)
OFFER_RULES: tuple[tuple[T, str, str, float, str], ...] = (
    (
        T.ERASURE,
        "da.offer_sletning",
        r"\b(?:slet\w*|fjern\w*)\b(?:\W+\w+){0,4}?\W+(?:dine|din|dit|jeres)\s+(?:\w+\s+){0,2}?"
        r"(?:\w*oplysning\w*|\w*data|konto\w*|profil\w*)",
        0.7,
        "",
    ),
    (
        T.ACCESS,
        "da.offer_indsigt",
        r"\b(?:indsigt|kopi\s+af\s+(?:dine|jeres)\s+(?:oplysning\w*|data))",
        0.7,
        "",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "da.offer_afmelding",
        r"\b(?:afmeld\w*|framel\w*|tr" + AE + r"kke\s+(?:dit|jeres)\s+samtykke\s+tilbage|"
        r"stop\w*\s+(?:\w+\s+){0,2}?(?:nyhedsbrev\w*|mails|sms\w*))",
        0.7,
        "",
    ),
    (
        T.RECTIFICATION,
        "da.offer_rettelse",
        r"\b(?:ret|rette|opdater\w*|"
        + AE
        + r"ndr\w*)\s+(?:dine|din|dit)\s+(?:\w+\s+)?(?:navn|adresse|"
        r"oplysning\w*|f" + OE + r"dselsdato|e-?mail\w*)",
        0.7,
        "",
    ),
)

_REL_STEMS = (
    "søn",
    "soen",
    "son",
    "datter",
    "døtre",
    "doetre",
    "dotre",
    "døtter",
    "doetter",
    "dotter",
    "barn",
    "børn",
    "boern",
    "born",
    "mor$",
    "mors$",
    "moder",
    "far$",
    "fars$",
    "fader",
    "forældre",
    "foraeldre",
    "foraldre",
    "foreldre",
    "mand$",
    "mands$",
    "kone",
    "hustru",
    "kæreste",
    "kaereste",
    "kareste",
    "kereste",
    "partner",
    "bror",
    "broder",
    "søster",
    "soester",
    "soster",
    "klient",
    "nevø",
    "nevoe",
    "nevo",
    "niece",
    "svigers",
    "stedbarn",
    "stedsøn",
    "stedsoen",
    "stedson",
    "steddatter",
    "plejebarn",
    "myndling",
    "medarbejder",
    "ansatte",
    "kollega",
    "kolleger",
    "svigermor",
    "svigerfar",
    "svigerfor",
    "svigerdatter",
    "svoger",
    "svigerinde",
)
_NEWS_STEMS = (
    "nyhedsbrev",
    "nyhedsmail",
    "newsletter",
    "mailliste",
    "mailingliste",
    "markedsf",
    "reklame",
    "tilbud",
    "kampagnemail",
    "marketingmail",
    "sms",
    "e-mail",
    "email",
    "mail",
    "nyheder",
    "salg",
)
#: See ``handlers.lexicon.en.RULE_TRIGGERS``.
RULE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "da.traek_samtykke": ("samtyk",),
    "da.ikke_laengere_samtykke": ("samtyk",),
    "da.afmeld": ("afmel", "framel"),
    "da.fjern_fra_liste": ("fjern", "slet", "tag"),
    "da.vil_ikke_modtage": _NEWS_STEMS,
    "da.indsigt": ("registerindsigt", "indsigt"),
    "da.aktindsigt": ("aktindsigt",),
    "da.persondataudtraek": ("persondata", "data", "registerudskrift"),
    "da.artikel15": ("art",),
    "da.hvilke_oplysninger": ("hvilke", "hvilken", "hvad", "hvor$"),
    "da.kopi_af_mine_data": (
        "kopi",
        "udskrift",
        "oversigt",
        "liste",
        "eksport",
        "download",
        "udlevering",
    ),
    "da.send_mine_data": (
        "send",
        "give",
        "udlever",
        "maile",
        "se$",
        "få",
        "faa",
        "fa$",
        "tilsendt",
    ),
    "da.ret_mine_oplysninger": (
        "ret",
        "opdater",
        "ændr",
        "aendr",
        "andr",
        "endr",
        "korriger",
        "berigtig",
        "skift",
    ),
    "da.forkerte_oplysninger": (
        "forkert",
        "fejl",
        "stavet",
        "korrekt",
        "rigtig",
        "forældet",
        "foraeldet",
        "foraldet",
        "foreldet",
        "ukorrekt",
        "urigtig",
        "mangelfuld",
    ),
    "da.ny_adresse": ("nye", "skiftet"),
    "da.berigtigelse": ("berigtig", "artikel"),
    "da.slet_mine_oplysninger": (
        "slet",
        "fjern",
        "destru",
        "udslet",
        "makul",
        "bortskaf",
        "tilintetg",
        "ryd",
        "delet",
        "deleet",
    ),
    "da.oplysninger_slettes": (
        "slet",
        "fjern",
        "destru",
        "makuler",
        "bortskaf",
        "tilintetg",
        "kasser",
    ),
    "da.vil_slettes": ("slet",),
    "da.pronomen_slettes": ("slet",),
    "da.retten_til_at_blive_glemt": ("ret", "slet", "artikel"),
    "da.luk_konto": ("slet",),
    "da.indsigelse": ("indsigelse", "protest"),
    "da.begraens_behandling": ("begræns", "begraens", "begrans", "begrens"),
    "da.stop_behandling": (
        "stop",
        "ophør",
        "ophoer",
        "ophor",
        "indstil",
        "høre",
        "hoere",
        "hore",
    ),
    "da.ikke_bruge_til_markedsfoering": (
        "markedsf",
        "reklame",
        "profilering",
        "analyse",
        "statistik",
        "tredjepart",
    ),
    "da.artikel18_21": ("art",),
    "da.paa_vegne_af": ("vegne",),
    "da.fuldmagt": (
        "fuldmagt",
        "værge",
        "vaerge",
        "varge",
        "verge",
        "bisidder",
        "advokat",
        "klient",
    ),
    "da.giver_lov": ("giver", "gir", "bemyndig", "tillader", "autoriser", "vegne"),
    "da.slaegtnings_data": _REL_STEMS,
    "da.paa_mine_vegne": (
        "vegne",
        "mor$",
        "far$",
        "forælder",
        "foraelder",
        "foralder",
        "forelder",
        "værge",
        "vaerge",
        "varge",
        "verge",
    ),
    "da.klage_over_behandling": ("klag",),
    "da.videregivet_mine_oplysninger": (
        "delt",
        "videregivet",
        "videresendt",
        "sendt",
        "lækket",
        "laekket",
        "lakket",
        "lekket",
        "solgt",
        "givet",
        "offentliggjort",
        "udleveret",
        "misbrugt",
        "mistet",
        "kompromitteret",
        "stjålet",
        "stjaalet",
        "stjalet",
    ),
    "da.uden_samtykke": ("uden",),
    "da.databrud": ("databrud", "sikkerhedsbrud", "datal", "brud"),
    "da.frist_overskredet": (
        "overskredet",
        "overskrider",
        "udløbet",
        "udloebet",
        "udlobet",
        "sprunget",
        "svaret",
        "besvaret",
        "efterkommet",
        "overholdt",
    ),
}

# -- everyday phrasings (held-out dev set): pronoun objects, "må ikke", sources -------------
#: Personal data a pronoun ("ret det", "slet den") can point back to (flag ``r``).
ANTECEDENT = (
    r"\b(?:min|mit|mine)\s+(?:\w+\s+)?(?:gamle\s+|nye\s+)?(?:(?:person|kontakt|kunde|helbreds)?"
    r"oplysning\w*|data|persondata\w*|adresse\w*|e-?mail-?adresse\w*|mailadresse\w*|hotmail|"
    # "skærmen på min telefon", "fra min telefon": a device, not a number
    r"gmail|(?<!på\smin\s)(?<!fra\smin\s)telefon\w*|tlf\w*|mobil\w*|nummer|navn\w*|"
    r"efternavn\w*|fornavn\w*|f"
    + OE
    + r"dselsdato\w*|cpr\w*|profil\w*|konto\w*|billede\w*|foto\w*|historie\w*|pasnummer\w*|"
    r"allergi\w*|n" + OE + r"dkontakt\w*)\b"
    r"|\b(?:hans|hendes)\s+(?:\w+\s+)?(?:adresse\w*|navn\w*|telefonnummer\w*|oplysning\w*|"
    r"allergi\w*|f" + OE + r"dselsdato\w*)\b"
    r"|\b(?:min|mit|mine)\s+(?:\w+\s+)?(?:pas|passet|sygesikringskort\w*|k" + OE + r"rekort\w*|"
    r"id-?kort\w*|sundhedskort\w*|journal\w*|diagnose\w*|sygdom\w*)\b"
    r"|\b(?:billede\w*|foto\w*|video\w*)\s+(?:\w+\s+){0,3}?(?:af|med)\s+(?:mig|mit\s+pas)\b"
    r"|\b(?:billede\w*|foto\w*|video\w*|oplysning\w*|data|alt)\s+(?:\w+\s+)?(?:af|om)\s+"
    rf"(?:mig|os|(?:mit|min|vores)\s+{_REL})\b"
    r"|\b(?:passkopi\w*|pasnummer\w*|l" + AE + r"geerkl" + AE + r"ring\w*|straffeattest\w*|"
    r"vaccinationsattest\w*|helbredsoplysning\w*|cpr-?nummer\w*|kopi(?:en)?\s+af\s+(?:mit\s+)?pas)"
    r"|\b(?:min|mit)\s+(?:mail|nummer)\s+fra\b"
    r"|\bjeg\s+er\s+(?:lige\s+)?flyttet\b|\bpersonoplysning\w*"
)
#: Facts, not threats: "jeg har klaget", "klager hermed" (flag ``c`` ignores "hvis" then).
FACTUAL = (
    r"\b(?:har|havde)\s+(?:\w+\s+){0,3}?(?:klaget|indgivet|anmeldt|indberettet)\b|\bhermed\b"
    r"|\bi\s+dag\b"
)
#: A login or connection problem: "adgang til min konto/portalen" is not a request (flag ``l``).
LOGIN = (
    r"\b(?:log\w*\s+ind|logge\s+ind|login\w*|log-?in\w*|adgangskode\w*|kodeord\w*|password\w*|"
    r"brugernavn\w*|portal\w*|app|appen|wifi|wi-fi|internet\w*|adgang\s+n" + AE + r"gtet|"
    r"l" + AA + r"st|konto\w*|profil\w*|kursus\w*|kurset)\b"
)
#: Our own questions and offers in quoted text ("Ønsker du, at vi ...").
OFFER_CUE = (
    r"\b(?:" + OE + r"nsker\s+(?:du|i)|vil\s+(?:du|i)\s+(?:have|gerne)|skal\s+vi|"
    r"hvis\s+du\s+" + OE + r"nsker)\b"
)

RULES = RULES + (
    (
        T.RECTIFICATION,
        "da.ret_det",
        rf"{_RECTIFY}\s+(?:\w+\s+){{0,2}}?(?:det|den|dem)\b(?!\s+(?:sidste|ene|anden))"
        r"|\b(?:f" + AA + r"|faa)\s+(?:det|den|dem)\s+(?:\w+\s+)?(?:rettet|" + AE + r"ndret|"
        r"opdateret|korrigeret)\b|\b(?:det|den|dem)\s+(?:\w+\s+){0,3}?(?:rettes|rettet|"
        + AE
        + r"ndres|opdateres|korrigeres)\b",
        0.75,
        "r",
    ),
    (
        T.RECTIFICATION,
        "da.mit_nummer_er_skiftet",
        r"\b(?:min|mit|mine|hans|hendes)\s+(?:\w+\s+)?(?:adresse|telefonnummer|nummer|navn|efternavn|"
        r"e-?mail\w*|mailadresse\w*|mobilnummer)\s+(?:er|blev)\s+(?:blevet\s+)?(?:\w+\s+)?"
        r"(?:skiftet|" + AE + r"ndret|nyt|ny)\b"
        r"|\b(?:i|du|de)\s+har\s+(?:stadig\s+|endnu\s+|fortsat\s+)?(?:min|mit|mine)\s+gamle\s+"
        r"(?:adresse|telefonnummer|nummer|navn|efternavn|e-?mail\w*|mailadresse|hotmail|gmail)"
        r"|\b(?:har|er)\s+(?:\w+\s+){0,2}?(?:stavet|skrevet|registreret|noteret)\s+(?:mit|min|"
        r"mine)\s+(?:\w+\s+)?(?:navn\w*|efternavn\w*|adresse\w*|f" + OE + r"dselsdato\w*)\s+"
        r"(?:\w+\s+){0,2}?forkert"
        r"|\b(?:tilf"
        + OE
        + r"j\w*|supplere?)\s+(?:\w+\s+){0,4}?(?:som\s+)?(?:n"
        + OE
        + r"dkontakt\w*|til\s+min\s+profil|i\s+min\s+profil)\b",
        0.8,
        "",
    ),
    (
        T.ERASURE,
        "da.slet_det",
        r"\b(?:slet\w*|fjern\w*|makul[eé]r\w*|destru[eé]r\w*|kass[eé]r\w*)\s+(?:\w+\s+)?"
        r"(?:det|den|dem)\b(?!\s+(?:sidste|ene|anden|"
        r"dobbelte|gamle\s+(?:booking|mail|kladde)))"
        # "(en mail) om at den snart bliver slettet" reports; it asks nothing
        r"|(?<!om\sat\s)\b(?:det|den|dem|de)\s+(?:(?!ikke\b|ik\b|aldrig\b)\w+\s+){0,4}?(?:slettet|slettes|"
        r"slette|fjernet|fjernes|"
        r"fjerne)\b"
        r"|\btag\s+(?:det|den|dem|billedet|videoen|opslaget)\s+ned\b",
        0.75,
        "rq",
    ),
    (
        T.ERASURE,
        "da.ikke_vaere_registreret",
        rf"\b(?:vil|{OE}nsker|gider)\s+ikke\s+(?:l{AE}ngere\s+|mere\s+)?(?:at\s+)?"
        rf"(?:v{AE}re|st{AA})\s+(?:\w+\s+)?(?:registreret|i\s+jeres\s+(?:system|database|"
        r"kartotek))\w*"
        rf"|\b(?:vil|{OE}nsker)\s+ikke\s+(?:l{AE}ngere\s+)?(?:at\s+)?(?:i|du|de)\s+(?:\w+\s+)?"
        rf"(?:har|gemmer|opbevarer|beholder|ligger\s+inde\s+med)\s+{OBJ}",
        0.8,
        "",
    ),
    (
        T.ACCESS,
        "da.hvad_staar_der_om_mig",
        r"\bhvad\s+st" + AA + r"r\s+der\s+(?:\w+\s+)?om\s+mig\b"
        r"|\bse\s+hvad\s+(?:der\s+)?(?:er\s+)?(?:skrevet|noteret|registreret)\s+om\s+"
        r"(?:mig|os|ham|hende)\b"
        r"|\bhvor\s+har\s+(?:i|du|de)\s+(?:\w+\s+)?(?:min|mit|mine)\s+(?:\w+\s+)?fra\b"
        r"|\bhvem\s+(?:har\s+)?(?:i|du)\s+(?:\w+\s+)?(?:delt|givet|videregivet|sendt|deler|"
        r"giver|videregiver|s" + AE + r"lger|solgt)\s+(?:mine|min|mit|dem)\b"
        r"|\bhvad\s+bruger\s+(?:i|du|de)\s+(?:\w+\s+)?(?:mine|min|mit)\s+(?:\w+\s+)?"
        r"(?:oplysning\w*|data|persondata|personoplysning\w*)\s+til\b"
        r"|\bhvor\s+l" + AE + r"nge\s+(?:gemmer|opbevarer|beholder)\s+(?:i|du)\s+(?:\w+\s+)?"
        r"(?:mine|min|mit)\b",
        0.8,
        "",
    ),
    (
        T.ACCESS,
        "da.oplysninger_om_hende",
        r"\b(?:hvilke|hvad|hvilken)\s+(?:\w+\s+){0,3}?(?:oplysning\w*|data|persondata\w*|"
        r"personoplysning\w*|info\w*)\b[^.?!\n]{0,40}?\bom\s+(?:ham|hende)\b",
        0.8,
        "t",
    ),
    (
        T.RESTRICTION,
        "da.maa_ikke_bruge",
        r"\b(?:i|du|de)\s+m" + AA + r"\s+ikke\s+(?!l" + AE + r"ngere)(?:\w+\s+)?(?:bruge|"
        r"anvende|dele|videregive|s" + AE + r"lge|offentligg" + OE + r"re)\s+(?:mit|min|mine)\s+"
        r"(?:\w+\s+)?(?:oplysning\w*|data|persondata|billede\w*|foto\w*|historie\w*|navn|"
        r"adresse|helbreds\w*)"
        r"|\bikke\W+(?:\w+\W+){0,3}?(?:videregiv\w*|dele|deler|deles|s" + AE + r"lge\w*)\s+"
        r"(?:\w+\s+)?(?:mine|min|mit|hans|hendes)\s+(?:\w+\s+)?(?:(?:kontakt|person|helbreds|"
        r"sundheds|pas)?oplysning\w*|data|persondata|"
        r"helbredsoplysning\w*|billede\w*)"
        r"|\b(?:lad(?:e|er)?\s+v" + AE + r"re\s+med\s+at|undlad(?:e|er)?\s+at)\s+(?:\w+\s+)?"
        r"(?:bruge|anvende|behandle|dele|videregive|sende|give|s" + AE + r"lge)\s+" + OBJ,
        0.8,
        "",
    ),
    (
        T.RESTRICTION,
        "da.kun_bruges_til",
        r"\bkun\s+(?:\w+\s+){0,2}?(?:bruge|bruges|brugt|anvende\w*|behandle\w*)\s+til\b",
        0.75,
        "r",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "da.stop_nyhedsbrev",
        r"\bstop\w*\s+(?:\w+\s+){0,3}?(?:nyhedsbrev\w*|markedsf\w*|reklame\w*|tilbudsmails?|"
        r"sms\w*)"
        r"|\bm" + AA + r"\s+ikke\s+(?:l" + AE + r"ngere\s+|mere\s+)?sende\s+mig\s+(?:flere\s+)?"
        rf"(?:\w+\s+){{0,2}}?{_NEWS}"
        r"|\bikke\s+l" + AE + r"ngere\s+(?:\w+\s+)?(?:bruge|anvende|behandle)\s+(?:\w+\s+){0,3}?"
        r"(?:til|i)\s+(?:\w+\s+)?(?:invitation\w*|markedsf\w*|reklame\w*|nyhedsbrev\w*|"
        r"historie\w*|tilbud\w*)",
        0.8,
        "f",
    ),
)
RULE_TRIGGERS.update(
    {
        "da.ret_det": ("ret", "opdater", "ændr", "aendr", "andr", "endr", "korriger", "skift"),
        "da.mit_nummer_er_skiftet": (
            "skift",
            "ændr",
            "aendr",
            "andr",
            "nyt$",
            "ny$",
            "gamle",
            "stavet",
            "skrevet",
            "registreret",
            "noteret",
            "tilføj",
            "tilfoej",
            "tilfoj",
            "supple",
        ),
        "da.slet_det": ("slet", "fjern", "tag", "makul", "destru", "kass"),
        "da.ikke_vaere_registreret": (
            "registreret",
            "system",
            "database",
            "kartotek",
            "oplysning",
            "data",
            "persondata",
            "personinfo",
            "person",
            "informationer",
            "info",
            "konto",
            "bruger",
            "kunde",
            "kontakt",
            "profil",
            "cpr",
            "personnummer",
            "mig",
        ),
        "da.hvad_staar_der_om_mig": ("hvad", "hvor$", "hvem"),
        "da.oplysninger_om_hende": ("hvilke", "hvad", "hvilken"),
        "da.maa_ikke_bruge": (
            "bruge",
            "anvende",
            "dele",
            "deler",
            "deles",
            "videregiv",
            "sælge",
            "saelge",
            "salge",
            "selge",
            "offentlig",
            "lade",
            "lader",
            "undlad",
        ),
        "da.kun_bruges_til": ("kun",),
        "da.stop_nyhedsbrev": ("stop", "sende", "bruge", "anvende", "behandle"),
    }
)

# -- everyday phrasings, second round (dev2/): bare commands, objects without a
# possessive, life events that imply a correction, parents, complaints without "klage" ----
#: Documents and services that are not our records: correcting them is no rectification.
BUSINESS_DOC = (
    r"\b\w*(?:billet|boardingpas|flyselskab|faktura|kvittering|kontrakt|navneskilt|rejseplan|"
    # a criminal-record or vaccination certificate is the person's own data, not our document
    r"diplom|certifikat|bevis|annonce|ans" + OE + r"gning|gebyr|hotel|"
    r"(?<!straffe)(?<!vaccinations)(?<!børne)(?<!boerne)(?<!borne)attest)\w*\b"
    r"|\bp" + AA + r"\s+(?:facebook|instagram|linkedin|tiktok|snapchat|messenger)\b"
)
#: The writer's own perfect ("jeg har opdateret"): with it, a change is news, not a request.
PERFECT = r"\b(?:jeg|vi)\s+(?:har|havde)"
PERFECT_SECOND = r"\b(?:i|du|de)\s+har"
#: "… nej glem det", "nej vent", "jeg har fundet ud af det selv": the request is taken back.
RETRACTION = (
    r"\bglem\s+det\b(?!\s+(?:ikke|med|mig|om))"
    r"|\bnej\s+vent\b|\bhar\s+(?:\w+\s+)?(?:fundet\s+ud\s+af\s+det|l" + OE + r"st\s+det|"
    r"klaret\s+det|ordnet\s+det|fikset\s+det)\s+selv\b"
    r"|\bbrug\s+(?:bare\s+|stadig\s+|fortsat\s+)*(?:den|det|de)\s+gamle\b"
)
#: Words every retraction contains: the retraction pattern runs only where one stands.
RETRACTION_HINTS = ("glem", "vent", "selv", "den gamle", "det gamle", "de gamle")
#: "… og erstat det med": a deletion that is part of a correction.
REPLACE = r"\berstat\w*|\bi\s+stedet\s+for\s+(?:det|den)\s+gamle\b|\bbrug\s+(?:det|den|de)\s+nye\b"
#: An old request the writer only refers to (see ``lexicon.en.REFERENCE``).
REFERENCE = (
    r"\b(?:besvaret|svaret\s+p" + AA + r"|reageret\s+p" + AA + r"|ignoreret|behandlet|efterk"
    r"ommet)\s+"
    r"(?:\w+\s+){0,2}?(?:anmodning|henvendelse|mail|brev|foresp" + OE + r"rgsel)\s+om\s+(?:at\s+)?"
)
#: Someone other than the writer: a relative, a ward, a client, a power of attorney.
THIRD_PARTY_CUE = (
    rf"\b(?:min|mit|mine|vores)\s+(?:\w+\s+)?{_REL}\b|\b(?:mor|far|for{AE}ldre|for{AE}lder|"
    rf"v{AE}rge)\s+til\b|\bp{AA}\s+vegne\b|\bfuldmagt\w*|\bv{AE}rge\w*"
)
GREETING = r"hej|hejsa|hey|hall" + OE + r"j|k" + AE + r"re\s+\w+|goddag|dav|nej\s+tak|nej"
POLITE = (
    r"venligst|tak|mange\s+tak|tusind\s+tak|nu|hurtigst\s+muligt|med\s+det\s+samme|straks|"
    r"gerne|alts" + AA
)
SIGNOFF = r"mvh|m\.v\.h|vh|hilsen|venlig\s+hilsen|kh|knus|/"
_ACCOUNT = r"(?:profil|konto|bruger|data|oplysninger|info)(?:en|er|erne|ne)?"
SHORT_COMMANDS: tuple[tuple[T, str, str, float, str], ...] = (
    (
        T.CONSENT_WITHDRAWAL,
        "da.kort_afmeld",
        r"(?:afmeld|frameld|afmelde|afmeldes)(?:\s+(?:mig|os))?(?:\s+(?:fra\s+)?(?:alt|alle\s+lister|"
        r"nyhedsbrevet|listen|mails|jeres\s+\w+))?|stop(?:p|\s+mails?|\s+nyhedsbrev\w*|\s+spam)?"
        r"|(?:tag|fjern|slet)\s+mig\s+(?:af|fra|ud\s+af)\s+(?:listen|jeres\s+liste|mailinglisten|"
        r"nyhedsbrevet)",
        0.8,
        "",
    ),
    (
        T.ERASURE,
        "da.kort_slet_mig",
        rf"(?:slet|fjern)\s+(?:mig|(?:min|mit|mine|al|alle)\s+(?:\w+\s+)?{_ACCOUNT})"
        r"(?:\s+(?:helt|fra\s+alt|fra\s+jeres\s+\w+))?",
        0.8,
        "",
    ),
)

#: Personal data that belongs to one person whether or not a possessive stands before it.
_PD = (
    r"(?:pas(?:set)?|passkopi\w*|pasnummer\w*|pasfoto\w*|kopi(?:en)?\s+af\s+(?:mit\s+|det\s+\w+\s+)?"
    r"pas\w*|l" + AE + r"geerkl" + AE + r"ring\w*|straffeattest\w*|b" + OE + r"rneattest\w*|"
    r"vaccinationsattest\w*|vaccinationskort\w*|helbredsoplysning\w*|helbredserkl" + AE + r""
    r"ring\w*|"
    r"journal\w*|cpr\w*|personnummer\w*|sygdomsoplysning\w*|medicinliste\w*|"
    r"allergioplysning\w*)"
)
_CONTACT = (
    r"(?:adresse\w*|e-?mail(?:-?adresse\w*)?|mailadresse\w*|mail|telefonnummer\w*|"
    r"telefon|tlf(?:\.|-?nr\.?|-?nummer)?|nummer|mobilnummer\w*|mobil|navn|efternavn\w*|"
    r"fornavn\w*|mellemnavn\w*|f" + OE + r"dselsdato\w*|f" + OE + r"dselsdag\w*|"
    r"n" + OE + r"dkontakt\w*|kontaktperson\w*|p" + AA + r"r" + OE + r"rende\w*|"
    r"cpr(?:-?nummer\w*|-?nr\.?)?|personnummer\w*|pasnummer\w*)"
)
#: "ny telefon" is a new phone, "nyt nummer" a new number.
_NEW_CONTACT = r"(?!telefon\b|mobil\b)" + _CONTACT
_ERASE2 = (
    r"\b(?:slet\w*|fjern\w*|destru\w*|makuler\w*|smid\w*|kasser\w*|bortskaf\w*|"
    r"tilintetg\w*)\b" + _NOT_AFTER
)
_STORY = (
    r"(?:historie\w*|billede\w*|foto\w*|video\w*|rejsehistorie\w*|udtalelse\w*|"
    r"anmeldelse\w*)"
)
_MORE = r"(?:flere|mere|nogen\s+flere|fler|l" + AE + r"ngere)"
_NEWS2 = (
    r"(?:tilbud\w*|rabat\w*|kampagne\w*|reklame\w*|nyhedsbrev\w*|nyhedsmail\w*|"
    r"sms(?:'er|er)?|mails?|e-?mails?|markedsf" + OE + r"ring\w*|spam|salgsopkald\w*|"
    r"opkald\w*|invitation\w*|tilbudsmails?|nyheder|kataloger|brochurer|tekstbesked\w*|"
    r"beskeder)"
)

RULES = RULES + (
    (
        T.ERASURE,
        "da.slet_dokument",
        rf"{_ERASE2}\s+(?:\w+\s+){{0,4}}?{_PD}\b"
        # a job applicant's papers: "I må gerne kassere mit CV og min ansøgning"
        rf"|{_ERASE2}\s+(?:\w+\s+)?(?:mit|min|mine|vores)\s+(?:cv(?:['’-]?(?:et|en))?|ans"
        + OE + r"gning(?:en|er|erne)?)\b"
        # a withdrawn application: "slette alt hvad jeg har sendt (pas kopi, referencer)"
        rf"|{_ERASE2}\s+alt\s+(?:det\s+)?(?:hvad|som)\s+(?:jeg|vi)\s+har\s+(?:sendt|"
        r"indsendt|uploadet|givet\s+jer|oplyst)\b"
        # a named person's profile: "kan i slette olivers profil"
        rf"|{_ERASE2}\s+(?:\w+\s+)?(?!jeres\b)\w+s\s+profil(?:en)?\b"
        rf"|{_ERASE2}\s+(?:\w+\s+)?(?:mit|min|mine)\s+(?:gamle\s+)?(?:telefonnummer\w*|"
        r"mobilnummer\w*|adresse\w*|mailadresse\w*|e-?mailadresse\w*|cpr\w*|pasnummer\w*)",
        0.8,
        "q",
    ),
    (
        T.ERASURE,
        "da.dokument_slettes",
        rf"\b{_PD}\b[^.?!\n]{{0,60}}?\b(?:slettet|slettes|fjernet|fjernes|destrueret|"
        r"makuleret|smidt\s+ud|kasseret)\b"
        rf"|\b(?:dem|den|det|de)\s+(?:\w+\s+){{0,3}}?(?:gemmer|opbevarer|beholder)\b[^.?!\n]{{0,30}}?"
        r"\bsmid\s+(?:dem|den|det)\s+ud\b",
        0.75,
        "q",
    ),
    (
        T.ERASURE,
        "da.slet_mig",
        r"\bslet(?:te|ter)?\s+mig\b(?!\s+(?:fra|af|p" + AA + r"|ud|som|til|ind|op)\b)"
        r"|\b(?:slet|fjern)\w*\s+(?:mig|os)\s+helt\b"
        r"|\b(?:slet|fjern|tag)\w*\s+mig\s+(?:ud\s+)?(?:fra|af|i|ud\s+af)\s+(?:jeres\s+|alle\s+|"
        r"jeres\s+\w+\s+)?\w*(?:system|database|register|kartotek|kundeliste|crm|arkiv)\w*"
        r"|\b(?:vil|" + OE + r"nsker|skal)\s+(?:\w+\s+){0,2}?glemmes\b"
        r"|\b(?:mine\s+(?:\w+\s+)?(?:oplysning\w*|data|persondata)|jeg)\s+ikke\s+(?:\w+\s+)?"
        r"(?:ligger|st" + AA + r"r|findes|er\s+registreret|er\s+gemt)\s+(?:\w+\s+){0,2}?(?:h"
        r"os\s+jer|"
        r"i\s+jeres\s+\w+)\s+(?:mere|l" + AE + r"ngere)\b"
        r"|\bjeg\s+vil\s+ikke\s+have\s+at\s+(?:i|du)\s+(?:gemmer|opbevarer|beholder)\b",
        0.8,
        "q",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "da.ikke_flere_tilbud",
        r"\b(?:vil|" + OE + r"nsker|gider|orker|magter|beh" + OE + r"ver|skal)\s+(?:\w+\s+)?"
        rf"(?:ikke|ik)\s+(?:\w+\s+){{0,2}}?(?:have|f{AA}|modtage)\s+(?:(?:\w+\s+){{0,2}}?{_MORE}\s+"
        rf"(?:\w+\s+)?{_NEWS2}|(?:\w+\s+){{0,2}}?{_NEWS2}(?:\s+\w+){{0,3}}?\s+{_MORE}\b|"
        rf"(?:noget\s+)?(?:mere|flere|noget)\s+(?:\w+\s+)?fra\s+(?:jer|dig)\b)"
        rf"|\b(?:orker|gider)\s+ikke\s+{_MORE}\s+(?:\w+\s+)?{_NEWS2}"
        rf"|\b(?:skal|m{AA})\s+ikke\s+(?:l{AE}ngere\s+|mere\s+)?(?:sende|ringe|maile|skrive|sms'e)\s+"
        rf"(?:\w+\s+){{0,2}}?(?:mig|til\s+mig|os)\b[^.?!\n]{{0,40}}?{_NEWS2}"
        rf"|\bingen\s+{_MORE}\s+{_NEWS2}"
        rf"|\bikke\s+(?:at\s+)?(?:sende|maile|skrive|ringe)\s+(?:mig\s+)?(?:flere|mere)\s+"
        rf"(?:\w+\s+){{0,3}}?{_NEWS2}"
        rf"|\b(?:ikke|ik)\b[^.?!\n]{{0,30}}?\b(?:have|f{AA}|modtage)\s+(?:\w+\s+){{0,2}}?(?:flere|mere)\s+"
        rf"(?:\w+\s+){{0,2}}?{_NEWS2}"
        rf"|\bstop\w*\s+(?:med\s+)?(?:at\s+)?(?:sende|ringe|maile|skrive|kontakte|sms'e)\s+"
        rf"(?:\w+\s+){{0,2}}?(?:mig|til\s+mig)\b[^.?!\n]{{0,40}}?{_NEWS2}"
        rf"|\bafmeld(?:e|es|er)?\s+(?:\w+\s+){{0,3}}?(?:jeres\s+|alle\s+)?(?:lister|listen|"
        r"nyhedsbrev\w*|mailliste\w*|sms-?liste\w*|tilbud\w*)"
        r"|\b(?:samtykke\w*)\s+(?:\w+\s+){0,3}?g"
        + AE
        + r"lder\s+ikke\s+(?:l"
        + AE
        + r"ngere|mere)\b",
        0.8,
        "f",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "da.ikke_bruge_min_historie",
        r"\b(?:m" + AA + r"|skal)\s+ikke\s+(?:(?:l" + AE + r"ngere|mere)\s+(?:bruge|vise|dele|"
        r"offentligg"
        + OE
        + r"re)\s+(?:\w+\s+){0,2}?(?:min|mit|mine)\s+(?:\w+\s+)?"
        + _STORY
        + r"|(?:bruge|vise|dele|offentligg"
        + OE
        + r"re)\s+(?:\w+\s+){0,2}?(?:min|mit|mine)\s+"
        r"(?:\w+\s+)?"
        + _STORY
        + r"(?:\s+(?:og|eller)\s+(?:min|mit|mine)\s+"
        + _STORY
        + r")?\s+(?:\w+\s+){0,2}?(?:l"
        + AE
        + r"ngere|mere)\b)"
        r"|\bikke\s+(?:l" + AE + r"ngere|mere)\s+(?:\w+\s+){0,2}?(?:med\s+i|v" + AE + r"re\s"
        r"+med\s+i)"
        r"\s+(?:\w+\s+){0,2}?(?:historie\w*|rejsehistorie\w*|billede\w*|kampagne\w*|video\w*)",
        0.8,
        "",
    ),
    (
        T.ACCESS,
        "da.hvad_har_i_om_mig",
        r"\b(?<!alt\s)(?:hvad|hvilke)\s+(?:\w+\s+){0,3}?"
        r"(?:har|ved|gemmer|opbevarer|"
        r"registrerer|ligger)\s+(?:(?!brug|behov|mangle|skal)\w+\s+){0,4}?(?:om|p" + AA + r""
        r")\s+mig\b"
        r"|\b(?:hvordan|hvorfra)\s+(?:har|fik|er)\s+(?:i|du|de)\s+(?:\w+\s+){0,3}?(?:mit|min|mine)\s+"
        rf"(?:\w+\s+)?(?:{_CONTACT}|oplysning\w*|data)\b"
        r"|\bhvem\s+har\s+(?:\w+\s+){0,2}?givet\s+(?:jer|dig|dem)\s+(?:mit|min|mine)\b",
        0.8,
        "",
    ),
    (
        T.ACCESS,
        "da.data_export",
        r"\b(?:data\s*-?\s*(?:export|eksport|udtr" + AE + r"k|kopi)|eksport\s+af\s+(?:mine\s"
        r"+)?data)\b",
        0.8,
        "l",
    ),
    (
        T.ACCESS,
        "da.oplysninger_om_ham",
        r"\b(?:kopi\w*|udskrift\w*|oversigt\w*|indsigt|vide)\b[^.?!\n]{0,40}?"
        r"\b(?:oplysning\w*|data|alt)\b[^.?!\n]{0,30}?\bom\s+(?:ham|hende)\b",
        0.8,
        "t",
    ),
    (
        T.RECTIFICATION,
        "da.ny_kontakt",
        r"\bny(?<!jeres\sny)(?<!deres\sny)(?<!din\sny)(?<!dit\sny)(?<!den\sny)(?<!det\sny)"
        r"(?<!\sde\sny)(?<!hans\sny)(?<!\set\sny)(?<!\sen\sny)(?<!har\sny)(?<!fået\sny)"
        rf"(?<!faaet\sny)(?<!hendes\sny)(?:t|e)?\s+(?:{_NEW_CONTACT})\s*(?:er\b|:)"
        rf"|\b(?:brug|skriv|send|ring)\w*\s+(?:\w+\s+){{0,2}}?(?:min|mit)\s+nye\s+{_CONTACT}"
        rf"|\bjeg\s+har\s+f{AA}et\s+(?:et\s+)?(?:nyt|ny)\s+(?:{_NEW_CONTACT})\b"
        rf"|\bjeg\s+(?:er|har)\s+(?:lige\s+|netop\s+)?(?:flyttet|blevet\s+gift)\b[^.?!\n]{{0,60}}?"
        rf"\b(?:ny|nye|nyt|hedder\s+nu|adresse)\b"
        rf"|\bhedder\s+(?:nu|fremover)\b",
        0.75,
        "b",
    ),
    (
        T.RECTIFICATION,
        "da.skal_rettes",
        rf"\b(?:min|mit|mine|hans|hendes)\s+(?:\w+\s+)?(?:{_CONTACT}|oplysning\w*|allergi\w*|"
        r"uddannelse\w*|diagnose\w*)\s+(?:\w+\s+){0,3}?(?:skal|b" + OE + r"r|m" + AA + r")\s+"
        r"(?:\w+\s+)?(?:rettes|" + AE + r"ndres|opdateres|korrigeres|skiftes)\b",
        0.8,
        "bh",
    ),
    (
        T.RECTIFICATION,
        "da.tilfoej_kontakt",
        rf"\b(?:tilf{OE}j\w*|s{AE}t\w*|skriv\w*|notere?)\s+(?:\w+[\s,.]+){{0,12}}?som\s+(?:\w+\s+)?"
        rf"(?:n{OE}dkontakt\w*|kontaktperson\w*|p{AA}r{OE}rende\w*)\b"
        rf"|\b(?:tilf{OE}j\w*|notere?)\s+(?:\w+[\s,.]+){{0,12}}?til\s+(?:min\s+)?(?:profil\w*|"
        rf"kontakter|n{OE}dkontakt\w*|kontaktperson\w*|p{AA}r{OE}rende\w*)\b"
        rf"|\bn{OE}dkontakt\w*\s+(?:\w+\s+){{0,3}}?(?:skal|er)\s+(?:\w+\s+)?(?:" + AE + r"ndres|"
        r"rettes|skiftes|ny|nu|" + AE + r"ndret)\b",
        0.8,
        "",
    ),
    (
        T.RECTIFICATION,
        "da.fejl_i_mit",
        rf"\b{_FAULTY}\s+(?:i|p{AA}|ved)\s+(?:mit|min|mine)\s+(?:\w+\s+)?(?:{_CONTACT}|oplysning\w*|"
        r"registrering\w*|profil\w*)"
        rf"|\b(?:mit|min|mine|hans|hendes)\s+(?:\w+\s+)?(?:{_CONTACT})\s+(?:\w+\s+){{0,3}}?"
        r"(?:st" + AA + r"r|er\s+skrevet|er\s+noteret|er\s+registreret|er\s+opf" + OE + r"rt)\s+"
        r"(?:\w+\s+){0,2}?(?:forkert|som|med)\b"
        rf"|\b(?:stavet|skrevet|noteret|registreret)\s+(?:mit|min|mine)\s+(?:\w+\s+)?{_CONTACT}\s+"
        r"(?:\w+\s+)?forkert",
        0.8,
        "b",
    ),
    (
        T.RESTRICTION,
        "da.vil_ikke_have_at_de_bruges",
        r"\b(?:vil|" + OE + r"nsker)\s+ikke\s+(?!l" + AE + r"ngere|mere)(?:\w+\s+)?"
        r"(?:have\s+)?at\s+"
        r"(?:mine\s+(?:\w+\s+)?"
        r"(?:oplysning\w*|data|billede\w*)|de|den|det|i|du)\s+(?:\w+\s+){0,2}?(?:bruges|bliver\s+"
        r"brugt|anvendes|deles|gives\s+videre|bliver\s+givet\s+videre|videregives|s" + AE + r"lges|"
        r"bruger|deler|giver\s+(?:\w+\s+)?videre|videregiver|s" + AE + r"lger|sender\s+(?:\w+\s+)?"
        r"videre|analyserer|profilerer)\b"
        r"|\bnej\s+tak\s+til\s+at\s+(?:i|du)\s+(?:\w+\s+){0,2}?(?:analyserer|profilerer|sporer|"
        r"tracker|bruger|deler)\b"
        r"|\b(?:vil|" + OE + r"nsker)\s+ikke\s+(?:at\s+)?(?:profileres|spores|trackes|analyseres)\b"
        r"|\b(?:s" + AE + r"t\w*|l" + AE + r"g\w*)\s+(?:\w+\s+){0,3}?behandling\w*\s+(?:\w+"
        r"\s+){0,4}?"
        r"(?:p" + AA + r"\s+pause|p" + AA + r"\s+hold|i\s+bero)\b"
        r"|\b(?:m" + AA + r"|skal)\s+(?:kun|udelukkende)\s+(?:bruges|anvendes|behandles)\s+til\b"
        r"|\bm" + AA + r"\s+ikke\s+bruges\s+til\s+(?:noget\s+)?andet\b",
        0.8,
        "",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "da.foraelder_til",
        rf"\b(?:jeg|vi)\s+er\s+(?:\w+\s+)?(?:mor|far|for{AE}ldre|for{AE}lder|v{AE}rge|"
        rf"plejefor{AE}ldre|bedstefor{AE}ldre|farmor|farfar|mormor|morfar|bedstemor|"
        r"bedstefar)\s+til\b"
        rf"|\b(?:jeg|vi)\s+skriver\s+(?:for|p{AA}\s+vegne\s+af)\s+(?:min|mit|vores)\s+(?:\w+\s+)?{_REL}\b"
        r"|\b(?:hans|hendes)\s+(?:\w+\s+){0,2}?(?:oplysning\w*|data|profil\w*|konto\w*|pas\w*|"
        r"cpr\w*|adresse\w*|journal\w*)\b",
        0.75,
        "st",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "da.fuldmagt_til_at",
        r"\b(?:giver|bemyndiger)\s+(?:hermed\s+)?(?:min|mit|mine|vores)\s+(?:\w+\s+){0,3}?"
        r"(?:fuldmagt|lov|tilladelse)\b|\bhar\s+(?:min\s+)?fuldmagt\s+til\s+at\b"
        r"|\b(?:bemyndiger|autoriserer)\s+(?:hermed\s+)?(?:min|mit|mine|vores)\s+(?:\w+\W+){0,4}?"
        r"til\s+at\b"
        r"|\bm" + AA + r"\s+gerne\s+(?:\w+\s+){0,4}?p" + AA + r"\s+mine\s+vegne\b",
        0.8,
        "",
    ),
    (
        T.COMPLAINT,
        "da.videregivet_uden_at_spoerge",
        r"\b(?:sendt|givet|solgt|delt|udleveret|lagt\s+(?:\w+\s+){0,6}?ud|vist|videregivet|"
        r"videresendt|l" + AE + r"kket|offentliggjort)\b[^.?!\n]{0,80}?\b(?:uden\s+at\s+(?:\w+\s+)?"
        r"(?:sp" + OE + r"rge|sp" + OE + r"rg|have\s+spurgt|bede\s+om\s+lov|f" + AA + r"\s+lov)|"
        rf"uden\s+(?:mit|vores|min)\s+(?:\w+\s+)?(?:{_SAMTYKKE}|tilladelse|accept|viden))"
        r"|\b(?:sendt|sendte|givet|gav|delt|delte|udleveret|udleverede|vist|viste|videresendt|"
        r"videresendte|videregivet|videregav)\s+(?:\w+\s+){0,6}?"
        rf"(?:{_PD}|helbredsoplysning\w*|oplysning\w*|l{AE}gepapir\w*)\b[^.?!\n]{{0,40}}?\btil\s+(?:en\s+)?"
        r"(?:helt\s+)?(?:anden|andre|forkert\w*|fremmed\w*|hele|min\s+(?:\w+\s+)?arbejdsgiver)\b"
        r"|\bbrud\s+p" + AA + r"\s+(?:min\w*\s+)?(?:privatliv\w*|tavshedspligt\w*|fortrolighed\w*)",
        0.8,
        "c",
    ),
    (
        T.COMPLAINT,
        "da.anmeldt_til_datatilsynet",
        r"\b(?:anmeldt|meldt|indberettet|indrapporteret|klaget\s+over)\s+(?:\w+\s+){0,3}?til\s+"
        r"datatilsynet\b|\b(?:anmelder|melder|indberetter)\s+(?:\w+\s+){0,2}?(?:hermed\s+)?til\s+"
        r"datatilsynet\b|\b(?:indgivet|sendt|lavet)\s+(?:en\s+)?(?:anmeldelse|indberetning|klage)\s+"
        r"(?:\w+\s+){0,2}?til\s+datatilsynet\b",
        0.8,
        "c",
    ),
)
RULE_TRIGGERS.update(
    {
        "da.slet_dokument": (
            "slet",
            "fjern",
            "destru",
            "makuler",
            "smid",
            "kasser",
            "bortskaf",
            "tilintetg",
        ),
        "da.dokument_slettes": (
            "slettet",
            "slettes",
            "fjernet",
            "fjernes",
            "destrueret",
            "makuleret",
            "smidt",
            "kasseret",
            "smid",
        ),
        "da.slet_mig": (
            "slet",
            "fjern",
            "tag",
            "glemmes",
            "ligger",
            "står",
            "staar",
            "star",
            "findes",
            "registreret",
            "gemt",
            "gemmer",
            "opbevarer",
            "beholder",
        ),
        "da.ikke_flere_tilbud": (
            "tilbud",
            "rabat",
            "kampagne",
            "reklame",
            "nyhedsbrev",
            "nyhedsmail",
            "sms",
            "mail",
            "e-mail",
            "email",
            "markedsf",
            "spam",
            "salgsopkald",
            "opkald",
            "invitation",
            "nyheder",
            "katalog",
            "brochure",
            "lister",
            "listen",
            "samtyk",
            "modtage",
            "tekstbesked",
            "beskeder",
        ),
        "da.ikke_bruge_min_historie": (
            "historie",
            "billede",
            "foto",
            "video",
            "rejsehistorie",
            "udtalelse",
            "anmeldelse",
            "kampagne",
        ),
        "da.hvad_har_i_om_mig": ("hvad", "hvilke", "hvordan", "hvorfra", "hvem"),
        "da.data_export": ("data", "eksport"),
        "da.oplysninger_om_ham": ("kopi", "udskrift", "oversigt", "indsigt", "vide"),
        "da.ny_kontakt": (
            "ny$",
            "nyt$",
            "nye$",
            "brug",
            "skriv",
            "send",
            "ring",
            "fået",
            "faaet",
            "faet",
            "flyttet",
            "blevet",
            "hedder",
        ),
        "da.skal_rettes": (
            "rettes",
            "ændres",
            "aendres",
            "andres",
            "endres",
            "opdateres",
            "korrigeres",
            "skiftes",
        ),
        "da.tilfoej_kontakt": (
            "nødkontakt",
            "noedkontakt",
            "nodkontakt",
            "kontakt",
            "pårør",
            "paaroer",
            "paror",
            "paaror",
            "paroer",
        ),
        "da.fejl_i_mit": (
            "forkert",
            "fejl",
            "stavet",
            "korrekt",
            "rigtig",
            "forældet",
            "foraeldet",
            "foraldet",
            "foreldet",
            "ukorrekt",
            "urigtig",
            "mangelfuld",
            "står",
            "staar",
            "star",
            "skrevet",
            "noteret",
            "registreret",
        ),
        "da.vil_ikke_have_at_de_bruges": (
            "brug",
            "anvend",
            "del",
            "gives",
            "giver",
            "givet",
            "videregiv",
            "sælg",
            "saelg",
            "salg",
            "selg",
            "send",
            "analyser",
            "profiler",
            "spores",
            "tracke",
            "nej",
            "behandling",
            "kun",
            "udelukkende",
        ),
        "da.foraelder_til": (
            "mor$",
            "far$",
            "foræld",
            "foraeld",
            "forald",
            "foreld",
            "værge",
            "vaerge",
            "varge",
            "verge",
            "plejefor",
            "bedstefor",
            "bedstemor",
            "bedstefar",
            "farmor",
            "farfar",
            "mormor",
            "morfar",
            "skriver",
            "hans",
            "hendes",
        ),
        "da.fuldmagt_til_at": ("giver", "bemyndig", "autoriser", "fuldmagt", "vegne"),
        "da.videregivet_uden_at_spoerge": (
            "sendt",
            "givet",
            "solgt",
            "delt",
            "udleveret",
            "lagt",
            "vist",
            "videregivet",
            "gav",
            "viste",
            "videregav",
            "udleverede",
            "videresendt",
            "lækket",
            "laekket",
            "lakket",
            "lekket",
            "offentliggjort",
            "brud",
        ),
        "da.anmeldt_til_datatilsynet": (
            "anmeldt",
            "meldt",
            "indberettet",
            "indrapporteret",
            "klaget",
            "anmelder",
            "melder",
            "indberetter",
            "indgivet",
        ),
    }
)

#: Flags the first round's rules gain now that the checks exist: ``b`` (a ticket or an
#: invoice is not our record) and ``h`` (a change already made is news, not a request).
_MORE_FLAGS = {
    "da.slet_mine_oplysninger": "h",
    "da.slet_det": "h",
    "da.ret_mine_oplysninger": "bh",
    "da.forkerte_oplysninger": "b",
    "da.ny_adresse": "b",
    "da.ret_det": "bh",
    "da.indsigelse": "b",  # "indsigelse mod afbestillingsgebyret" is about a fee
    "da.mit_nummer_er_skiftet": "b",
}
RULES = tuple((t, n, p, w, f + _MORE_FLAGS.get(n, "")) for t, n, p, w, f in RULES)

# -- third round (dev3/): imperatives with "ikke", passives, disclosures of health data,
# parents named by genitive, a relative allowed to be told ----------------------------------
_SPECIAL = (
    r"(?:sygdom\w*|helbred\w*|diagnose\w*|medicin\w*|graviditet\w*|handicap\w*|"
    r"psykisk\w*|journal\w*|behandling\s+for|allergi\w*|religion\w*|seksualitet\w*|straffeattest\w*)"
)
RULES = RULES + (
    (
        T.RESTRICTION,
        "da.brug_dem_ikke_til",
        r"\b(?:brug|anvend|del|send|giv)\s+(?:\w+\s+){0,2}?(?:ikke|aldrig)\s+(?:\w+\s+){0,2}?"
        r"(?:videre\b|(?:til|med)\s+(?:\w+\s+)?(?:reklame\w*|markedsf\w*|tilbud\w*|profilering\w*|"
        r"analyse\w*|andre|andet|tredjepart\w*|samarbejdspartner\w*|partnere)\b)"
        r"|\b(?:mine|min|mit)\s+(?:\w+\s+)?(?:oplysning\w*|data|persondata|billede\w*|"
        r"adresse\w*|telefonnummer\w*|mail\w*)\s+(?:\w+\s+){0,2}?(?:m" + AA + r"|skal)\s+ikke\s+"
        r"(?:\w+\s+)?(?:deles|bruges|gives\s+videre|videregives|s" + AE + r"lges|anvendes|"
        r"sendes\s+videre)\b",
        0.8,
        "",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "da.han_maa_gerne_faa",
        r"\b(?:hun|han|de)\s+m" + AA + r"\s+(?:gerne|godt)\s+(?:\w+\s+){0,2}?(?:f" + AA + r"|tale|"
        r"snakke|ringe|skrive|h" + AE + r"ndtere|klare|tage\s+sig\s+af|ordne|varetage|svare|"
        r"kontakte|f" + OE + r"re)\b"
        r"|\b(?:jeg|vi)\s+er\s+\w+s\s+(?:mor|far|for" + AE + r"ldre|v" + AE + r"rge)\b",
        0.8,
        "t",
    ),
    (
        T.ACCESS,
        "da.hvad_har_i_om_hende",
        r"\b(?<!alt\s)(?:hvad|hvilke|hvilken)\s+(?:\w+\s+){0,3}?(?:har|ved|gemmer|opbevarer|"
        r"registreret|registrerer)\s+(?:\w+\s+){0,3}?(?:om|p" + AA + r")\s+(?:ham|hende|dem)\b",
        0.8,
        "t",
    ),
    (
        T.COMPLAINT,
        "da.fortalt_om_min_sygdom",
        r"\b(?:fortalt|sagt|oplyst|afsl" + OE + r"ret|r" + OE + r"bet|n" + AE + r"vnt|videregivet|"
        r"sladret)\s+(?:\w+\s+){0,4}?om\s+(?:min|mit|mine|hans|hendes)\s+(?:\w+\s+)?"
        + _SPECIAL
        + r"|\b(?:min|mit|mine)\s+(?:\w+\s+)?"
        + _SPECIAL
        + r"\s+(?:\w+\s+){0,3}?(?:er|blev)\s+"
        r"(?:\w+\s+)?(?:fortalt|delt|videregivet|sendt|n" + AE + r"vnt)\s+(?:til|med)\b",
        0.8,
        "c",
    ),
)
RULE_TRIGGERS.update(
    {
        "da.brug_dem_ikke_til": (
            "brug",
            "anvend",
            "del",
            "send",
            "giv",
            "deles",
            "bruges",
            "gives",
            "videregives",
            "sælges",
            "saelges",
            "salges",
            "selges",
            "anvendes",
            "sendes",
        ),
        "da.han_maa_gerne_faa": (
            "gerne",
            "godt",
            "mor$",
            "far$",
            "foræld",
            "foraeld",
            "forald",
            "foreld",
            "værge",
            "vaerge",
            "varge",
            "verge",
        ),
        "da.hvad_har_i_om_hende": ("hvad", "hvilke", "hvilken"),
        "da.fortalt_om_min_sygdom": (
            "fortalt",
            "sagt",
            "oplyst",
            "afsløret",
            "afsloeret",
            "afsloret",
            "røbet",
            "roebet",
            "robet",
            "nævnt",
            "naevnt",
            "navnt",
            "nevnt",
            "videregivet",
            "sladret",
        ),
    }
)

# -- the second opinion (``classify._paired``): an action and personal data in one sentence --
#: The writer's personal data, or the writer inside our records.
PAIR_DATA = (
    r"\b(?:mine|min|mit)\s+(?:\w+\s+){0,2}?(?:oplysning\w*|data|persondata|personoplysning\w*|"
    r"profil\w*|konto\w*|brugerkonto\w*|cpr\w*|pas|passet|pasnummer\w*|passkopi\w*|"
    r"billede\w*|foto\w*|helbred\w*|adresse\w*|navn|efternavn\w*|fornavn\w*|"
    r"telefonnummer\w*|nummer|mailadresse\w*|e-?mail|f" + OE + r"dselsdato\w*|ting)\b"
    r"|\bpersonoplysning\w*|\bpersondata\w*"
    r"|\b(?:oplysning\w*|data|alt)\s+(?:\w+\s+){0,4}?(?:om|p" + AA + r")\s+mig\b"
    r"|\b(?:jeres|dit|din)\s+(?:\w+\s+)?\w*(?:system|database|kartotek|register|kundeliste|"
    r"mailingliste|crm)\w*"
)
#: Mailing lists and marketing: the object of a withdrawn consent.
PAIR_LIST = (
    r"\b(?:nyhedsbrev\w*|mailliste\w*|mailingliste\w*|markedsf" + OE + r"ring\w*|reklame\w*|"
    r"tilbudsmail\w*|kampagne\w*|henvendelse\w*|salgsopkald\w*|nyhedsmail\w*|"
    r"sms-?(?:er|'er|service\w*)?|tilbud\s+p" + AA + r"\s+mail)\b"
)
#: Sentences about something else than our records of a person.
PAIR_BLOCK = (
    r"(?:booking|bestilling|faktura|regning|billet|kvittering|kontrakt|rejseplan|bagage|"
    r"betaling|depositum|visum|forsikring|flyselskab|\bfly(?:et|s)?\b|\bapp(?:en|s)?\b|portal|portalen|"
    r"login|kode|adgangskode|password|facebook|instagram|linkedin|trustpilot|whatsapp|"
    r"messenger|kalender|telefonen|praktiksted|ans" + OE + r"gning|tilmelding|deltagerliste|"
    r"g(?:æ|ae|a)steliste|holdliste|middagen|infom(?:ø|oe|o)de|"
    # one trip, course or excursion ("jeres mails om Thailand-turen"), not the offers of new ones
    # (plain literals: a \b in this group slows every search of it)
    # ("efter turen", "før turen" only say when)
    r"(?<!efter )(?<!før )(?<!foer )(?<!under )turen|"
    r"turlisten|udflugten|ekskursionen|kurset|lejren|\brykker)"
    # "I mangler mit pas" asks the writer for something; "mit nummer mangler et 4-tal" does not
    r"|\b(?:skal\s+(?:i|du)\s+bruge|har\s+(?:i|du)\s+brug\s+for|(?:i|du|vi|der)\s+mangler|"
    r"mangler\s+(?:i|du|vi|der|stadig)|sendt\s+jer|"
    r"sende\s+jer|udfyldt\w*)\b"
)
PAIRS: tuple[tuple[T, str, str, str, float], ...] = (
    (
        T.ERASURE,
        "da.par_slet",
        r"\b(?:slet|slette|slettes|sletter|sletning|fjern|fjerne|fjernes|fjerner|destruer\w*|"
        r"makuler\w*|smid\w*|glemmes|udslet\w*|bortskaf\w*|ryd(?:de|der)?\s+op|"
        r"(?:f" + AA + r"|have|blive)\s+"
        r"(?:\w+\s+)?(?:slettet|fjernet|bortskaffet))\b"
        + _NOT_AFTER
        + r"|\b(?:ikke|ik)\s+(?:\w+\s+){0,2}?(?:st"
        + AA
        + r"|v"
        + AE
        + r"re|findes|ligge|"
        r"v" + AE + r"re\s+registreret)\s+(?:\w+\s+)?(?:i|hos)\b",
        "data",
        0.6,
    ),
    (
        T.ACCESS,
        "da.par_indsigt",
        r"\b(?:hvor\s+l" + AE + r"nge|indsigt|kopi|udskrift|oversigt|"
        r"(?<!kan\s)(?<!andre\s)(?<!alle\s)(?<!folk\s)"
        r"(?<!fremmede\s)(?<!nogen\s)(?<!enhver\s)(?<!\.)se|vide|(?<!alt\s)hvad|hvilke|hvem|hvor\s+har|hvordan\s+har|"
        r"(?<!hvorfor\s)har\s+(?:i|du)\s+(?:stadig|fortsat|stadigv" + AE + r"k)?)\b",
        "data",
        0.6,
    ),
    (
        T.RECTIFICATION,
        "da.par_ret",
        r"\b(?:ret(?=\s+(?:\w+\s+)?(?:det|den|dem|de|min|mit|mine|hans|hendes|venligst|lige|"
        r"gerne|endelig|ogs" + AA + r"|op|navn\w*|adresse\w*|\w*oplysning\w*|fejl\w*|jeres)\b)|"
        r"rette|rettes|retter|rettet|korriger\w*|opdater|opdatere|opdateres|"
        # not AE, whose bare "a" makes "andre" (others) a change
        r"(?:æ|ae|e)ndr|(?:æ|ae|e)ndre|(?:æ|ae|e)ndres|fiks\w*|tilf"
        + OE
        + r"j|tilf"
        + OE
        + r"je|tilf"
        + OE
        + r"jes|(?<!til\s)(?<!til\sen\s)(?<!til\set\s)(?<!til\sden\s)forkert\w*|"
        r"fejl(?<!ved\sen\sfejl)|fejlen|st" + AA + r"r\s+som|er\s+nu|"
        r"hedder\s+nu)\b",
        "data",
        0.6,
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "da.par_afmeld",
        r"\b(?:afmeld\w*|frameld\w*|meld\w*\s+(?:jeg\s+|vi\s+)?(?:mig|os)\s+ud|stop|stoppe|stoppet|"
        r"stoppes|frabeder|frabede|slut\s+med|v" + AE + r"re\s+slut|"
        r"lade\s+v" + AE + r"re|"
        r"slet\w*\s+mig|"
        r"fjern\w*\s+mig|tilbagekald\w*|(?:vil|"
        + OE
        + r"nsker|gider|orker|skal|m"
        + AA
        + r")\s+(?:\w+\s+)?ikke|ingen\s+flere)\b",
        "list",
        0.6,
    ),
)

# -- fourth round (dev4/) -----------------------------------------------------------------
RULES = RULES + (
    (
        T.CONSENT_WITHDRAWAL,
        "da.afmeld_mig_alt",
        r"\b(?:afmeld|frameld)\w*\s+(?:mig|os)\s+(?:fra\s+)?(?:alt|alle\s+lister|det\s+hele|"
        r"alle\s+jeres\s+\w+)\b"
        r"|\b(?:slet|fjern)\w*\s+(?:mig\s+)?fra\s+(?:jeres\s+)?(?:mailingliste\w*|mailliste\w*|"
        r"nyhedsbrev\w*|sms-?liste\w*)"
        r"|\bfrabeder\s+mig\s+(?:\w+\s+){0,2}?(?:henvendelse\w*|opkald\w*|mails?|tilbud\w*|"
        r"reklame\w*|nyhedsbrev\w*)"
        r"|\blade\s+v" + AE + r"re\s+med\s+at\s+(?:sende|ringe|maile|skrive)\s+(?:\w+\s+){0,3}?"
        r"(?:nyhedsbrev\w*|tilbud\w*|reklame\w*|mails?|sms\w*)"
        r"|\bikke\s+l" + AE + r"ngere\s+(?:\w+\s+){0,3}?(?:bruger|bruge|viser|vise|deler|dele)\s+"
        r"(?:\w+\s+){0,2}?(?:billede\w*|foto\w*|video\w*|historie\w*)",
        0.8,
        "f",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "da.om_ham_med_slaegtning",
        r"(?:oplysning\w*|\bdata\b|\balt\b)[^.?!\n]{0,40}?\bom\s+(?:ham|hende)\b"
        r"|\bfuldmagt\w*\b[^.?!\n]{0,80}?\bp" + AA + r"\s+(?:hans|hendes)\s+vegne\b"
        r"|\bp" + AA + r"\s+(?:hans|hendes)\s+vegne\b[^.?!\n]{0,80}?\bfuldmagt\w*",
        0.75,
        "t",
    ),
)
RULE_TRIGGERS.update(
    {
        "da.afmeld_mig_alt": (
            "afmeld",
            "frameld",
            "slet",
            "fjern",
            "frabeder",
            "lade",
            "længere",
            "laengere",
            "langere",
            "lengere",
        ),
        "da.om_ham_med_slaegtning": (
            "oplysning",
            "data",
            "helbredsoplysning",
            "personoplysning",
            "fuldmagt",
            "vegne",
        ),
    }
)
RULES = RULES + (
    (
        T.COMPLAINT,
        "da.aldrig_givet_lov",
        r"\baldrig\s+(?:\w+\s+)?(?:givet|sagt)\s+(?:\w+\s+)?(?:lov|ja|tilladelse|"
        r"samtykke|accept)\s+til\b",
        0.75,
        "rc",
    ),
)
RULE_TRIGGERS.update({"da.aldrig_givet_lov": ("givet", "sagt")})
#: Word stems every ``PAIR_DATA`` or ``PAIR_LIST`` match holds (the trigger pass finds them).
PAIR_TRIGGERS = (
    "oplysning",
    "data",
    "persondata",
    "personoplysning",
    "profil",
    "konto",
    "brugerkonto",
    "cpr",
    "pas",
    "billede",
    "foto",
    "helbred",
    "adresse",
    "navn",
    "efternavn",
    "fornavn",
    "telefonnummer",
    "nummer",
    "mailadresse",
    "email",
    "e-mail",
    "fødselsdato",
    "foedselsdato",
    "fodselsdato",
    "ting",
    "alt",
    "system",
    "database",
    "kartotek",
    "register",
    "kundeliste",
    "kunde",
    "mailingliste",
    "crm",
    "nyhedsbrev",
    "mailliste",
    "markedsf",
    "reklame",
    "tilbudsmail",
    "kampagne",
    "henvendelse",
    "salgsopkald",
    "nyhedsmail",
    "sms",
    "tilbud",
)

# -- fifth round (dev5/) ------------------------------------------------------------------
RULES = RULES + (
    (
        T.RECTIFICATION,
        "da.mangler_i_min_profil",
        r"\b(?:mit|min|mine)\s+(?:\w+\s+)?(?:mellemnavn|navn|efternavn|fornavn|adresse|"
        r"telefonnummer|mailadresse|n"
        + OE
        + r"dkontakt|kontaktperson|allergi\w*|f"
        + OE
        + r"dselsdato)\s+(?:\w+\s+)?mangler\s+(?:i|p"
        + AA
        + r")\s+(?:min|mit|jeres)\s+"
        r"(?:profil\w*|oplysning\w*|system\w*|kartotek\w*)",
        0.8,
        "b",
    ),
    (
        T.RESTRICTION,
        "da.bruges_til_andet_end",
        r"\b(?:bruges|anvendes|behandles|bruge|anvende)\s+til\s+(?:noget\s+)?andet\s+end\b"
        r"|\b(?:accepterer|vil)\s+ikke,?\s+at\s+(?:mine\s+(?:\w+\s+)?(?:oplysning\w*|data)|de)\s+"
        r"(?:\w+\s+)?(?:bruges|anvendes|deles|videregives|s" + AE + r"lges)\b",
        0.8,
        "",
    ),
    (
        T.ERASURE,
        "da.nedlaeg",
        r"\bnedl" + AE + r"gg?\w*\s+(?:\w+\s+){0,3}?(?:min|mit|den|det)\s*(?:profil\w*|konto\w*|"
        r"bruger\w*)?\b(?:[^.?!\n]{0,40}?\balt\b)"
        r"|\bnedl" + AE + r"gg?\w*\s+(?:min|mit)\s+(?:\w+\s+)?(?:profil\w*|konto\w*|bruger\w*)",
        0.75,
        "h",
    ),
)
RULE_TRIGGERS.update(
    {
        "da.mangler_i_min_profil": ("mangler",),
        "da.bruges_til_andet_end": ("andet", "accepterer"),
        "da.nedlaeg": ("nedlæg", "nedlaeg", "nedlag", "nedleg"),
    }
)

# -- sixth round (dev6/): general second-opinion objects, not phrases ----------------------
#: Ways of contacting the writer: what "stop", "lad være", "ikke mere" take back when no
#: mailing list is named ("I må gerne lade være med at skrive til mig fremover").
PAIR_CONTACT = (
    r"\b(?:(?:ring\w*|kontakt\w*|skriv\w*|mail\w*|send\w*|sms'?e)\s+(?:\w+\s+){0,2}?"
    r"(?:til\s+)?(?:mig|os)|(?:med\s+)?at\s+(?:ringe|skrive|maile|kontakte)|"
    r"kontaktes|ringes\s+op|opkald\w*|opringning\w*|sms'?er\w*|smser|mails|e-?mails|breve|henvendelse\w*|"
    r"tilbud\w*|reklamer|jeres\s+liste\w*|listen)\b"
)
#: "ikke ringe mere i dag, skriv hellere": a pause or another channel, not a stop for good.
_FOR_NOW = (
    r"(?![^.?!\n]{0,30}?\b(?:i\s+dag|idag|i\s+aften|i\s+morgen|lige\s+nu|i\s+denne\s+uge|"
    r"denne\s+uge|hellere|i\s+stedet)\b)"
)
#: Something done with personal data; with the writer's displeasure, a complaint.
PAIR_EVENT = (
    r"\b(?:delt|deles|sendt|sendte|givet|gav|videregivet|videregav|videresendt|solgt|solgte|"
    r"l" + AE + r"kket|fortalt|fortalte|vist|viste|synlig\w*|offentliggjort|lagt\s+(?:\w+\s+){0,8}?"
    r"(?:p" + AA + r"|ud|op|i|ind)|stod\s+p" + AA + r"|mistet|brugt|misbrugt|cc|"
    r"(?:havde|har|f" + AA + r"et|fik)\s+(?:\w+\s+){0,3}?fra\s+jer\w*)\b"
)
#: Personal data a complaint can name without "min/mit" ("CPR-nummeret", "min depression").
PAIR_SENSITIVE = (
    r"\b(?:cpr\w*|personnummer\w*|pasnummer\w*|pas|passet|helbred\w*|diagnose\w*|depression\w*|"
    r"sygdom\w*|diabetes|medicin\w*|allergi\w*|graviditet\w*|l" + AE + r"geerkl" + AE + r"ring\w*|"
    r"spiseforstyrrelse\w*|angst|psykisk\w*|handicap\w*|adhd|autisme|"
    r"adresse\w*|telefonnummer\w*|mobilnummer\w*|billede\w*\s+af\s+mig|mit\s+navn)\b"
)
#: Who the request is about, when it is not the writer.
PAIR_RELATIVE = (
    rf"\b(?:om|for|p{AA}|vedr\w*)\s+(?:min|mit|vores)\s+(?:\w+\s+)?{_REL}\b"
    r"|\b(?:hans|hendes)\s+(?:mor|far|for" + AE + r"ldre|v" + AE + r"rge)\b"
)
#: How-to questions: "hvordan ændrer jeg …" asks how, not that we do it.
SELF_SERVICE_Q = r"\bhvordan"
#: "kan jeg selv ændre mit nummer?": the writer asks whether to do it, not that we do it.
SELF_SERVICE = (
    r"\b(?:kan|m" + AA + r")\s+(?:jeg|vi)\s+selv|\bhvor\s+(?:\w+\s+){0,4}?kan\s+(?:jeg|vi)"
)
#: Our invitation to an event in the quote: a bare "Afmeld" under it declines the event.
INVITATION = (
    r"\b(?:tilmeld\w*|informationsaften\w*|informationsm" + OE + r"de\w*|webinar\w*|"
    r"arrangement\w*|invitation\w*|inviter\w*|m" + OE + r"det|festen)\b"
)
#: Displeasure, the "action" of a complaint about what was done with personal data.
_DISPLEASED = (
    r"\b(?:ikke\s+i\s+orden|ikke\s+(?:ok|okay|acceptabel\w*|godt\s+nok|rimeligt|lovligt|"
    r"meningen)|uacceptabel\w*|kritisabel\w*|uprofessionel\w*|utilfreds|skandal\w*|ulovlig\w*|"
    r"ubehagelig\w*|ked\s+af|vred\w*|rasende|chokere\w*|forarget|tr" + AE + r"t\s+af|"
    r"finder\s+jeg\s+mig\s+ikke|burde\s+aldrig|ingen\s+ret|fortrolig\w*|alvorlig\w*|rystet|"
    r"utryg\w*|d" + AA + r"rligt\s+h" + AA + r"ndteret|"
    r"kr" + AE + r"nk\w*|"
    r"uden\s+at\s+(?:\w+\s+)?sp" + OE + r"rge|uden\s+(?:min|mit|vores)\s+(?:\w+\s+)?(?:samtykke|"
    r"tilladelse|accept|viden)|aldrig\s+(?:\w+\s+)?(?:sagt\s+ja|givet\s+(?:\w+\s+)?(?:lov|"
    r"samtykke|tilladelse))|ikke\s+givet\s+(?:\w+\s+)?(?:lov|samtykke|tilladelse)|"
    r"hvordan\s+kan\s+det\s+(?:ske|v" + AE + r"re)|stort\s+problem|"
    r"(?:for|virkelig|meget|s" + AA + r")\s+d" + AA + r"rlig\w*|under\s+al\s+kritik|pinlig\w*|"
    r"uh" + OE + r"rt|respektl" + OE + r"s\w*|sjusk\w*|sk" + OE + r"desl" + OE + r"s\w*|"
    r"udstillet|ydmyg\w*|overv" + AA + r"get|burde\s+ikke|skulle\s+ikke\s+have|"
    r"(?:var|er)\s+kun\s+(?:ment\s+)?til|kun\s+ment\s+til|ikke\s+(?:rart|fedt|sjovt)|"
    r"f" + OE + r"ler\s+mig\s+(?:\w+\s+)?(?:udstillet|kr" + AE + r"nket|snydt|forfulgt|"
    r"utryg|overv" + AA + r"get)|hvem\s+har\s+givet\s+(?:jer|dig|dem)\s+lov|"
    r"synes\s+(?:jeg\s+)?(?:\w+\s+)?ikke\s+om|bryder\s+mig\s+ikke\s+om|ikke\s+regnet\s+med|"
    r"overrasket|forbavset|helt\s+vildt(?!\s+(?:god\w*|fed\w*|sjov\w*|flot\w*|dejlig\w*))|"
    r"vanvittig\w*|gav\s+kun\s+(?:\w+\s+)?lov|kun\s+(?:givet\s+)?lov\s+til)\b"
)
PAIRS = PAIRS + (
    (
        T.CONSENT_WITHDRAWAL,
        "da.par_kontakt",
        r"\b(?:stop\w*|hold\w*\s+(?:\w+\s+)?op|meld\w*\s+(?:jeg\s+|vi\s+)?(?:mig|os)\s+ud|"
        r"lad\s+v" + AE + r"re|lade\s+v" + AE + r"re|frabeder|frabede|"
        r"ingen\s+flere|slut\s+med|nu\s+er\s+det\s+nok|afmeld\w*|fjern\w*\s+mig|tag\s+mig\s+af|"
        r"(?:vil|"
        + OE
        + r"nsker|skal|gider|m"
        + AA
        + r")\s+(?:\w+\s+)?(?:ikke|ik)\b"
        + _FOR_NOW
        + r"|"
        r"ikke\s+(?:\w+\s+)?(?:mere|l" + AE + r"ngere|fremover)" + _FOR_NOW + r"|"
        r"ikke\s+(?:at\s+)?(?:\w+\s+)?flere|"
        r"ikke\s+(?:\w+\s+){0,3}?igen)",
        "contact",
        0.6,
    ),
    (T.COMPLAINT, "da.par_klage", _DISPLEASED, "event", 0.6),
    (
        T.RESTRICTION,
        "da.par_begraens",
        r"\b(?:begr" + AE + r"ns\w*|kun\s+(?:\w+\s+){0,2}?(?:bruge|bruges|anvende|anvendes|til)|"
        r"mods" + AE + r"tt?e[rs]?\s+(?:\w+\s+)?(?:mig|os)|"
        r"stop\w*\s+(?:\w+\s+){0,2}?at\s+(?:bruge|anvende|dele|vise|behandle)|"
        r"ikke\s+(?:\w+\s+)?(?:bruge|bruger|bruges|anvende|anvendes|behandle|behandles|dele|"
        r"deles|videregive\w*|(?:gives|sendes)\s+videre|s" + AE + r"lges|profileres))\b",
        "data",
        0.6,
    ),
    (
        T.ACCESS,
        "da.par_hvem_har_faaet",
        r"\b(?:udlever\w*|maskinl" + AE + r"sbar\w*|(?:om|har)\s+(?:i|du)\s+(?:\w+\s+)?"
        r"(?:givet|delt|solgt|videregivet|sendt)|hvem\s+(?:\w+\s+)?(?:har|f" + AA + r"r)|"
        # a question by inversion: "Sælger I mine oplysninger videre?"
        r"(?:s" + AE + r"lger|deler|giver|videregiver|videresender)\s+(?:i|du)(?=\s))\b",
        "data",
        0.6,
    ),
    (
        T.ERASURE,
        "da.par_vaek",
        r"\b(?:v" + AE + r"k|nedl" + AE + r"gge[st]?|nedlagt)\b",
        "data",
        0.6,
    ),
    (
        T.RECTIFICATION,
        "da.par_den_nye",
        r"\b(?:(?:den|det|de)\s+(?:nye|rigtige|korrekte)\s+(?:\w+\s+)?(?:er|lyder)|stadig\s+(?:\w+\s+){0,2}?gamle\s+(?:adresse|nummer|"
        r"telefonnummer|navn|efternavn|mail\w*|e-?mail))\b",
        "data",
        0.6,
    ),
)
#: "registreret om min søn": data about a relative is an object of access and erasure too.
PAIR_DATA = (
    PAIR_DATA
    + r"|\bnoget\s+(?:\w+\s+)?om\s+mig\b"
    + r"|\b(?:registreret|gemt|noteret|opbevaret|har)\s+om\s+(?:min|mit|vores)\s+(?:\w+\s+)?"
    + _REL
    + r"\b"
)
#: Word stems every ``PAIR_CONTACT`` match holds.
PAIR_CONTACT_TRIGGERS = (
    "ring",
    "kontakt",
    "skriv",
    "maile",
    "mailer",
    "send",
    "sms",
    "opkald",
    "mails",
    "e-mails",
    "emails",
    "breve",
    "henvendelse",
    "tilbud",
    "liste",
    "reklamer",
    "mail",
    "opringning",
)
PAIR_TRIGGERS = PAIR_TRIGGERS + (
    "noget",
    # what PAIR_SENSITIVE names (a complaint's event is looked for beside it)
    "cpr",
    "personnummer",
    "pasnummer",
    "helbred",
    "diagnose",
    "depression",
    "sygdom",
    "diabetes",
    "medicin",
    "allergi",
    "graviditet",
    "lægeerkl",
    "laegeerkl",
    "lageerkl",
    "legeerkl",
    "mobilnummer",
    "spiseforstyrrelse",
    "angst",
    "psykisk",
    "handicap",
    "adhd",
    "autisme",
    "registreret",
    "gemt",
    "noteret",
    "opbevaret",
)
RULES = RULES + (
    (
        T.THIRD_PARTY_AUTHORISATION,
        "da.min_mand_maa_gerne",
        rf"\b(?:min|mit|mine|vores)\s+(?:\w+\s+)?{_REL}\s+(?:\w+\s+)?m{AA}\s+(?:gerne|godt)\s+"
        r"(?:\w+\s+){0,2}?(?:ringe|skrive|tale|snakke|h" + OE + r"re|f" + AA + r"|kontakte|"
        r"henvende)\b",
        0.8,
        "",
    ),
)
RULE_TRIGGERS.update({"da.min_mand_maa_gerne": ("gerne", "godt")})
#: The writer as the one who did something with the data ("jeg sendte jer mit pas").
FIRST_PERSON = r"\b(?:jeg|vi)\s+(?:har\s+|havde\s+)?(?:\w+\s+)?"
#: Word stems every ``PAIR_RELATIVE`` match holds.
PAIR_RELATIVE_TRIGGERS = (*_REL_STEMS, "værge", "vaerge", "varge", "verge")
#: Using the data for a purpose: with a mailing-list word, an objection (restriction).
PAIR_USE = r"\b(?:bruges|anvendes|bruge|anvende|bruger|behandles)\s+(?:\w+\s+){0,3}?til\b"
#: A short next sentence that points back to the data ("Få det slettet.", "Delete them.").
PAIR_FOLLOW = r"\b(?:de|dem|det|den)\b"

# -- seventh round (dev9/): wider vocabularies, pronoun objects, word orders --------------
#: "… som 12.03.1971, men den er 21.03.1971", "Ida Marie, ikke Ida Maria": the writer sets
#: a record right by contrasting what is registered with what is true.
_REGISTERED = r"(?:registreret|noteret|opf" + OE + r"rt|skrevet|stavet|st" + AA + r"r|oprettet)"
RULES = RULES + (
    (
        T.RECTIFICATION,
        "da.registreret_som_men",
        rf"\b{_REGISTERED}\s+(?:\w+\s+){{0,3}}?som\s+[^.?!\n]{{1,60}}?,?\s+men\s+(?:\w+\s+){{0,2}}?"
        r"(?:er|hedder|skal\s+v" + AE + r"re|burde\s+v" + AE + r"re|rigtig\w*|korrekt\w*)\b"
        r"|\b(?:hedder|staves|skrives|er\s+f" + OE + r"dt)\s+[\w\s.-]{1,40}?,\s*ikke\s+\w+",
        0.75,
        "b",
    ),
    (
        T.RECTIFICATION,
        "da.mangler_min_x",
        r"\bmangler\s+(?:(?:min|mit|mine)\s+)(?:\w+\s+){0,2}?(?:i|p" + AA + r")\s+"
        r"(?:min|mit|jeres)\s+"
        r"(?:\w+\s+)?(?:profil\w*|oplysning\w*|system\w*|kartotek\w*|registrering\w*)",
        0.75,
        "b",
    ),
    (
        T.RESTRICTION,
        "da.det_maa_ikke_bruges",
        # a pronoun object, resolved by flag r: "Mit telefonnummer … Det må ikke bruges til salg."
        r"\b(?:det|den|de|dem)\s+(?:m" + AA + r"|skal)\s+(?:\w+\s+)?(?:ikke|aldrig)\s+(?:\w+\s+)?"
        r"(?:bruges|anvendes|deles|gives\s+videre|videregives|s" + AE + r"lges|sendes\s+videre)\b"
        r"|\bstop\w*\s+(?:med\s+)?(?:at\s+)?(?:bruge|anvende|behandle|dele)\s+(?:dem|den|det|de)\b"
        r"|\bkun\s+(?:\w+\s+){0,2}?til\s+(?:brug|anvendelse)\b"
        r"|\b(?:brug|anvend)\w*\s+(?:\w+\s+){0,2}?kun\s+(?:\w+\s+){0,3}?til\b",
        0.75,
        "r",
    ),
    (
        T.RESTRICTION,
        "da.modsaetter_mig",
        r"\bmods" + AE + r"tt?e[rs]?\s+(?:\w+\s+)?(?:mig|os)\b"
        r"|\b(?:er|st" + AA + r"r)\s+(?:\w+\s+)?imod\s+at\s+(?:i|du|de|jeres)\b",
        0.8,
        "m",
    ),
    (
        T.RESTRICTION,
        "da.vil_ikke_profileres",
        r"\b(?:vil|" + OE + r"nsker|gider)\s+(?:heller\s+)?(?:ikke|ik)\s+(?:have\s*,?\s+)?"
        r"(?:at\s+)?"
        r"(?:blive\s+)?(?:profileret|profileres|sporet|spores|tracket|trackes|analyseret|analyseres|"
        r"overv" + AA + r"get|overv" + AA + r"ges)\b"
        r"|\b(?:gider|vil|" + OE + r"nsker)\s+(?:heller\s+)?(?:ikke|ik)\s+(?:have\s*,?\s+)?at\s+"
        r"(?:i|du|de|jeres\s+\w+)\s+(?:\w+\s+)?(?:bruger|deler|analyserer|profilerer|sporer|"
        r"s" + AE + r"lger|videregiver|giver\s+(?:\w+\s+)?videre|sender\s+(?:\w+\s+){0,2}?videre|"
        r"bruge|dele|s" + AE + r"lge|videregive|sende\s+(?:\w+\s+){0,3}?(?:videre|til\s+andre))\b"
        r"|\b(?:indg" + AA + r"|indg" + AA + r"r|indgaar)\s+i\s+(?:\w+\s+)?\w*(?:analyse|statistik|"
        r"markedsf|kampagne|reklame)\w*"
        # "Kan I sætte vores profil på pause, så vi ikke bliver foreslået …"
        r"|\bs" + AE + r"tt?e[r]?\s+(?:min|mit|vores)\s+(?:\w+\s+)?profil\w*\s+p" + AA
        + r"\s+pause\b",
        0.8,
        "",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "da.vil_ikke_laengere_have_at_i_bruger",
        r"\b(?:vil|" + OE + r"nsker)\s+ikke\s+(?:l" + AE + r"ngere|mere)\s+(?:have\s*,?\s+)?at\s+"
        r"(?:i|du|de)\s+(?:bruger|viser|deler|offentligg" + OE + r"r)\s+(?:\w+\s+){0,2}?"
        r"(?:min|mit|mine)\s+(?:\w+\s+)?" + _STORY,
        0.8,
        "",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "da.det_traekker_jeg_tilbage",
        r"\b(?:det|den|dem|dette)\s+(?:\w+\s+)?tr" + AE + r"kker\s+(?:jeg|vi)\s+"
        r"(?:hermed\s+|nu\s+)?"
        r"tilbage\b",
        0.7,
        "r",
    ),
    (
        T.ERASURE,
        "da.have_det_taget_ned",
        r"\b(?:have|f" + AA + r")\s+(?:det|den|dem|billedet|billederne|videoen|opslaget)\s+"
        r"(?:\w+\s+)?(?:taget\s+ned|fjernet|slettet)\b",
        0.75,
        "rq",
    ),
    (
        T.ACCESS,
        "da.hvor_har_x_det_fra",
        r"\bhvor\s+(?:har|fik|f" + AA + r"r)\s+(?:\w+\s+){1,2}?"
        r"(?:(?:min|mit|mine)\s+(?:\w+\s+)?\w+|"
        r"nummeret|telefonnummeret|mobilnummeret|adressen|mailadressen|navnet|oplysningerne|"
        r"dataene)\s+fra\b",
        0.8,
        "",
    ),
    (
        T.COMPLAINT,
        "da.anmodning_ikke_efterkommet",
        r"\b(?:min|mit|vores)\s+(?:\w+\s+)?(?:anmodning|henvendelse|indsigtsanmodning|"
        r"sletteanmodning)\w*\b[^.?!\n]{0,60}?\b(?:stadig|endnu|fortsat)\s+(?:\w+\s+){0,2}?ikke\s+"
        r"(?:\w+\s+)?(?:besvaret|efterkommet|behandlet|gennemf" + OE + r"rt|ordnet)\b",
        0.75,
        "c",
    ),
)
RULE_TRIGGERS.update(
    {
        "da.registreret_som_men": (
            "registreret",
            "noteret",
            "opført",
            "opfoert",
            "opfort",
            "skrevet",
            "stavet",
            "står",
            "staar",
            "star$",
            "oprettet",
            "hedder",
            "staves",
            "skrives",
            "født",
            "foedt",
            "fodt",
        ),
        "da.mangler_min_x": ("mangler",),
        "da.det_maa_ikke_bruges": (
            "bruges",
            "anvendes",
            "deles",
            "gives",
            "videregives",
            "sælges",
            "saelges",
            "salges",
            "selges",
            "sendes",
            "stop",
            "kun$",
        ),
        "da.modsaetter_mig": ("modsæt", "modsaet", "modsat", "imod"),
        "da.vil_ikke_profileres": (
            "pause$",
            "profiler",
            "spore",
            "sporer",
            "sporet",
            "tracke",
            "analyser",
            "overvåg",
            "overvaag",
            "overvag",
            "bruger",
            "deler",
            "sælger",
            "saelger",
            "salger",
            "videregiv",
            "giver",
            "sender",
            "bruge",
            "dele",
            "sælge",
            "saelge",
            "salge",
            "sende",
            "indgå",
            "indgaa",
            "indga",
        ),
        "da.vil_ikke_laengere_have_at_i_bruger": (
            "historie",
            "billede",
            "foto",
            "video",
            "rejsehistorie",
            "udtalelse",
            "anmeldelse",
        ),
        "da.det_traekker_jeg_tilbage": ("trækker", "traekker", "trakker", "trekker"),
        "da.have_det_taget_ned": ("taget", "fjernet", "slettet"),
        "da.hvor_har_x_det_fra": ("hvor$",),
        "da.anmodning_ikke_efterkommet": (
            "besvaret",
            "efterkommet",
            "behandlet",
            "gennemført",
            "gennemfoert",
            "gennemfort",
            "ordnet",
        ),
    }
)
#: Personal data the second opinion also knows: papers, history, a mail address in full.
PAIR_DATA = (
    PAIR_DATA
    + r"|\b(?:mine|min|mit)\s+(?:\w+\s+){0,2}?(?:papirer|l"
    + AE
    + r"gepapir\w*|historik\w*|"
    r"information\w*|e-?mailadresse\w*|mobilnummer\w*|l" + OE + r"n|straffeattest\w*|"
    r"(?:kontakt|helbreds|sundheds|pas|kunde|bruger)oplysning\w*)\b"
    + r"|\b(?:jeres|deres)\s+(?:\w+\s+)?(?:registre|systemer)\b"
)
PAIR_SENSITIVE = (
    PAIR_SENSITIVE[:-3]
    + r"|pasnumre|f"
    + OE
    + r"dselsdato\w*|mailadresse\w*|e-?mailadresse\w*|l"
    + AE
    + r"gepapir\w*|l"
    + OE
    + r"n(?:nen|seddel\w*)?|billede\w*\s+af\s+(?:min|mit)\s+\w+)\b"
)
#: More things done with data: put up, known, passed on, created, fetched by someone else.
PAIR_EVENT = (
    PAIR_EVENT[:-3]
    + r"|lagde\s+[^.?!\n]{0,80}?\b(?:p"
    + AA
    + r"|ud|op|i|ind)|hang|h"
    + AE
    + r"ngt|"
    r"(?:l" + AA + r"|ligger|ligge)\s+fremme|kender|kendte|kendskab|vidste|"
    r"(?:f" + AA + r"et|fik)\s+(?:fat\s+i|adgang\s+til|(?=min\b|mit\b|mine\b))|"
    r"(?:giver|sender)\s+(?:\w+\s+){0,3}?videre|deler|s" + AE + r"lger|videregiver|"
    r"oprettet|registreret|fotografere[dt]|filme[dt]|kopiere[dt]|scanne[dt]|"
    r"(?:ligger|st" + AA + r"r|h" + AE + r"nger)\s+(?:der\s+)?(?:stadig|fortsat|"
    r"stadigv" + AE + r"k)|"
    r"(?:ligger|st" + AA + r"r)\s+(?:\w+\s+){0,2}?p" + AA + r"\s+(?:jeres|nettet|internettet|"
    r"facebook|instagram))\b"
)
#: "(Henrik,) far til Malthe", and a relative as the subject of a sentence about their data
#: or mail ("Min søn Oliver får jeres nyhedsbrev, … Vi vil gerne have det stoppet"; not
#: "Min kæreste kommer på besøg").
PAIR_RELATIVE = (
    PAIR_RELATIVE
    + rf"|\b(?:mor|far|for{AE}lder|v{AE}rge)\s+til\s+\w+"
    # at a sentence's start: nothing but a space after ".!?", a line break, or the text's
    # start before it; written to begin with a letter so the engine can skip ahead fast
    + rf"|\b[mv](?<![^\s][mv])(?<![^.!?\n][ \t][mv])(?:in|it|ores)\s+(?:\w+\s+)?{_REL}\b"
    r"(?=[^.?!\n]{0,40}?\b(?:nyhedsbrev\w*|mails|sms\w*|profil\w*|konto\w*|oplysning\w*|data|"
    r"hedder|navn\w*|adresse\w*|telefonnummer\w*|f" + OE + r"dselsdato\w*|cpr\w*)\b)"
)
ANTECEDENT = (
    ANTECEDENT
    + r"|\b(?:min|mit)\s+(?:e-?)?mail(?:-?adresse\w*)?\b"
    # "I har mig registreret som mand"; "prisen står som 0 kr." is no personal data
    + r"|\b(?:mig|os|ham|hende|(?:min|mit|mine|hans|hendes)\s+\w+)\s+(?:er\s+)?(?:registreret|"
    r"noteret|opf"
    + OE
    + r"rt|oprettet)\s+som\b"
    + r"|\bhedder\b[^.?!\n]{0,30}?\bikke\b"
    + r"|\bbillede\w*\s+(?:\w+\s+){0,3}?(?:hvor|som)\s+jeg\b"
    + r"|\bsamtyk\w*"
)
PAIR_TRIGGERS = PAIR_TRIGGERS + (
    "papir",
    "lægepapir",
    "laegepapir",
    "lagepapir",
    "legepapir",
    "historik",
    "information",
    "løn",
    "loen",
    "registre",
    "systemer",
    "mailadresse",
    "e-mailadresse",
    "emailadresse",
    "straffeattest",
    "kontaktoplysning",
    "helbredsoplysning",
    "sundhedsoplysning",
    "pasoplysning",
    "kundeoplysning",
    "brugeroplysning",
)
#: Withdrawing what was given (consent) beside the data it covers ("Jeg gav samtykke til,
#: at I måtte gemme mine oplysninger … Det trækker jeg tilbage").
PAIRS = PAIRS + (
    (
        T.CONSENT_WITHDRAWAL,
        "da.par_traek_tilbage",
        r"\btr" + AE + r"kk\w*\s+(?:\w+\s+){0,3}?tilbage\b|\btilbagekald\w*",
        "data",
        0.6,
    ),
)
#: A short sentence after a mailing list that stops it by pronoun: "Vi vil gerne have det
#: stoppet.", "Stop det.", "Det vil jeg ikke have mere." ("Det vil jeg ikke gå glip af" is
#: no stop).
PAIR_LIST_FOLLOW = (
    r"\b(?:stop\w*|afmeld\w*|frameld\w*)\s+(?:\w+\s+)?(?:det|den|dem)\b"
    r"|\b(?:det|den|dem)\b[^.?!\n]{0,25}?\b(?:stop\w*|afmeld\w*|frameld\w*|"
    r"ikke\s+(?:\w+\s+){0,2}?(?:mere|flere|l" + AE + r"ngere))"
)

# -- third dev9 batch: someone asked to act, loyalty clubs, partners, journals ----------------
RULES = RULES + (
    (
        T.THIRD_PARTY_AUTHORISATION,
        "da.har_bedt_mig",
        # "De har bedt mig indhente …", "I må meget gerne svare hende direkte"
        r"\b(?:har|havde)\s+bedt\s+mig\s+(?:om\s+at\s+)?(?:\w+\s+)?(?:indhente|f" + AA + r"|"
        r"sp" + OE + r"rge|skrive|henvende|kontakte|anmode|bede|s" + OE + r"ge)\b"
        r"|\b(?:i|du)\s+m" + AA + r"\s+(?:meget\s+)?(?:gerne|godt)\s+(?:\w+\s+)?"
        r"(?:svare|skrive\s+til|ringe\s+til|tale\s+med|snakke\s+med|kontakte|informere|orientere)\s+(?:\w+\s+)?"
        rf"(?:hende|ham|dem|(?:min|mit|mine)\s+{_REL})\b",
        0.8,
        "t",
    ),
)
RULE_TRIGGERS.update({"da.har_bedt_mig": ("bedt", "gerne", "godt")})
THIRD_PARTY_CUE = THIRD_PARTY_CUE + r"|\bhar\s+bedt\s+mig\b"
#: Loyalty clubs are marketing lists too.
PAIR_LIST = PAIR_LIST[:-3] + r"|kundeklub\w*|medlemsklub\w*|fordelsklub\w*|rabatklub\w*)\b"
PAIR_TRIGGERS = PAIR_TRIGGERS + (
    "kundeklub",
    "medlemsklub",
    "fordelsklub",
    "rabatklub",
    "journal",
    "lægejournal",
    "laegejournal",
    "lagejournal",
    "legejournal",
    "sygejournal",
    "patientjournal",
)
#: Being contacted by partners is data passed on: an objection (restriction), not a stop.
PAIR_USE = PAIR_USE + (
    r"|\b(?:samarbejdspartner\w*|partnere|tredjepart\w*|andre\s+(?:firma\w*|virksomhed\w*))\b"
)
PAIR_EVENT = PAIR_EVENT[:-3] + r"|udleveret|udleverede)\b"
PAIR_SENSITIVE = PAIR_SENSITIVE[:-3] + r"|(?:l" + AE + r"ge|syge|patient)?journal\w*)\b"

# -- fourth dev9 batch -----------------------------------------------------------------
RULES = RULES + (
    (
        T.ACCESS,
        "da.hvad_der_er_gemt_om_mig",
        r"\bhvad\s+(?:der\s+)?(?:er|bliver|st" + AA + r"r)\s+(?:\w+\s+)?"
        r"(?:gemt|registreret|noteret|opbevaret|lagret)\s+(?:\w+\s+){0,2}?"
        r"(?:om|p" + AA + r")\s+mig\b",
        0.8,
        "",
    ),
)
RULE_TRIGGERS.update({"da.hvad_der_er_gemt_om_mig": ("hvad",)})
#: Misspelt "oplysninger" ("oplysniger", "oplysinger") beside "om/på mig".
PAIR_DATA = (
    PAIR_DATA
    + r"|\b(?:oplysing|oplysnig|opysning)\w*\s+(?:\w+\s+){0,4}?(?:om|p"
    + AA
    + r")\s+mig\b"
)
PAIR_TRIGGERS = PAIR_TRIGGERS + ("oplysing", "oplysnig", "opysning")
PAIRS = PAIRS + (
    (
        T.ERASURE,
        "da.par_ud_af",
        r"\bud\s+af\s+(?:jeres|dit|din|deres)\b",
        "data",
        0.6,
    ),
    (
        T.ACCESS,
        "da.par_om_i_har",
        # "jeg vil høre, om I har nogle oplysninger på mig": an indirect question
        r"\bom\s+(?:i|du)\s+har\s+(?:nogen|nogle|noget|stadig|fortsat|gemt|registreret|liggende)\b",
        "data",
        0.6,
    ),
    (
        T.RESTRICTION,
        "da.par_kun_i_forbindelse",
        r"\b(?:(?:brug|anvend|behandl)\w*\s+(?:\w+\s+)?kun|"
        r"kun\s+(?:\w+\s+){0,4}?i\s+forbindelse\s+med|"
        r"intet\s+andet|ikke\s+til\s+(?:noget\s+)?andet)\b",
        "data",
        0.6,
    ),
)
THIRD_PARTY_CUE = THIRD_PARTY_CUE + (
    r"|\b(?:farmor|farfar|mormor|morfar|bedstemor|bedstefar|bedstefor" + AE + r"ldre)\s+til\b"
)

# -- fifth dev9 batch (measured, then tuned): more of the same kinds ------------------------
RULES = RULES + (
    (
        T.RECTIFICATION,
        "da.har_mig_staaende_med",
        # "Jeres system har mig stående med en gammel adresse"
        r"\bhar\s+(?:mig|min\s+\w+|mit\s+\w+)\s+(?:st" + AA + r"ende|registreret|noteret|"
        r"liggende)\s+"
        r"med\s+(?:en\s+|et\s+|den\s+|det\s+|mit\s+|min\s+)?(?:gammel|gamle|forkert\w*|for"
        + AE
        + r"ldet\w*)\b",
        0.8,
        "",
    ),
    (
        T.RESTRICTION,
        "da.maa_ikke_komme_ud",
        # "… men de må ikke komme ud på sociale medier" (a pronoun object, flag r)
        r"\b(?:det|den|de|dem)\s+(?:m" + AA + r"|skal)\s+(?:\w+\s+)?(?:ikke|aldrig)\s+"
        r"(?:komme\s+ud|"
        r"vises|offentligg" + OE + r"res|l" + AE + r"gges\s+(?:ud|op)|postes|deles)\b",
        0.75,
        "r",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "da.nej_tak_til_flere",
        rf"\bnej\s+tak\s+til\s+(?:\w+\s+)?(?:flere|mere)\s+(?:\w+\s+)?{_NEWS2}",
        0.8,
        "f",
    ),
    (
        T.ACCESS,
        "da.hvad_har_i_registreret",
        r"\bhvad\s+har\s+(?:i|du|de)\s+(?:egentlig\s+|ellers\s+|s" + AA + r"\s+)?(?:registreret|"
        r"noteret|gemt|opbevaret|lagret)\s*\?",
        0.75,
        "",
    ),
)
RULE_TRIGGERS.update(
    {
        "da.har_mig_staaende_med": (
            "gammel",
            "gamle",
            "forkert",
            "forældet",
            "foraeldet",
            "foraldet",
            "foreldet",
        ),
        "da.maa_ikke_komme_ud": (
            "komme",
            "vises",
            "offentlig",
            "lægges",
            "laegges",
            "lagges",
            "legges",
            "postes",
            "deles",
        ),
        "da.nej_tak_til_flere": ("nej",),
        "da.hvad_har_i_registreret": ("hvad",),
    }
)
#: "jeg er Ninas mor": a named child's parent.
THIRD_PARTY_CUE = THIRD_PARTY_CUE + (
    r"|\ber\s+\w+s\s+(?:mor|far|for" + AE + r"ldre|v" + AE + r"rge|farmor|farfar|mormor|morfar)\b"
)
#: Worry and unfairness are displeasure too; "has access" is something done with data.
PAIRS = tuple(
    # "det bekymrer mig", not "jeg er bekymret for min datter"
    (
        t,
        n,
        pat[:-3] + r"|bekymrer\s+mig|bekymrende|ikke\s+fair|uretf" + AE + r"rdig\w*|"
        r"(?:var|er)\s+privat)\b",
        k,
        w,
    )
    if n == "da.par_klage"
    else (t, n, pat, k, w)
    for t, n, pat, k, w in PAIRS
)
PAIR_EVENT = PAIR_EVENT[:-3] + r"|har\s+(?:stadig\s+|fortsat\s+)?adgang\s+til)\b"
PAIR_SENSITIVE = PAIR_SENSITIVE[:-3] + r"|(?:vores|mine|alle\s+vores)\s+(?:telefon)?numre)\b"
PAIR_TRIGGERS = PAIR_TRIGGERS + ("numre", "telefonnumre")
PAIR_DATA = (
    PAIR_DATA + r"|\b(?:sin|sit|sine)\s+(?:\w+\s+)?(?:oplysning\w*|data|profil\w*|konto\w*)\b"
)

# -- thirteenth round (dev81, dev82): an addition to a child's record
# ("Kan I tilføje det til hendes oplysninger")
RULES = RULES + (
    (
        T.RECTIFICATION,
        "da.tilfoej_til_oplysninger",
        r"\btilf" + OE + r"j\w*\s+(?:\w+\s+){0,3}?til\s+(?:mine|hans|hendes|vores|deres|\w+s)\s+"
        r"(?:oplysninger|profil|journal|tilmelding|skema)\b",
        0.75,
        "",
    ),
)
RULE_TRIGGERS.update(
    {
        "da.tilfoej_til_oplysninger": ("tilf",),
    }
)

#: The writer asks what we need from them ("Hvad skal I bruge af oplysninger om mig til
#: visummet?"): a question about documents to send, not about data we hold. The model
#: reads "oplysninger om mig" as an access request; 39 of 40 labelled mails that ask
#: this are ordinary mail, so the model alone does not open a case for one.
ASKS_WHAT_WE_NEED = (
    r"\bhvad\s+skal\s+(?:i|de)\s+(?:bruge|have)\s+(?:af|fra)\b"
    r"|\b(?:hvad|hvilke\s+\w+)\s+(?:\w+\s+){0,3}?har\s+(?:i|de)\s+brug\s+for\b"
    r"|\b(?:hvad|hvilke\s+\w+)\s+(?:\w+\s+){0,3}?beh" + OE + r"ver\s+(?:i|de)\b"
)

#: Requests so explicit that the model never overrules them, whatever the rest of the mail
#: is about ("Jeg trækker hermed mit samtykke tilbage", "slet alle mine personoplysninger"):
#: none of the 11,853 labelled mails that say them is ordinary mail.
EXPLICIT_REQUEST = (
    r"\bjeg\s+(?:hermed\s+)?tr" + AE + r"kker\s+(?:hermed\s+)?(?:mit|mine|alle\s+mine)\s+"
    r"samtykke\w*\s+tilbage\b"
    r"|\bslet(?:te)?\s+(?:alle\s+)?mine\s+person(?:oplysninger|data|lige\s+oplysninger)\b"
)
