"""English cues for the privacy classifier.

Rules pair an ACTION with a DATA-SUBJECT object inside a short window instead of
listing whole sentences, so that unseen wordings of the same request still match and
"delete my last mail" or "correct the invoice" (no personal-data object) do not.

Every pattern is written in lower case and run against lower-cased text; patterns use
only non-capturing groups because the classifier names the groups itself.

A rule is ``(label, name, pattern, weight, flags)``; ``flags`` holds:
``c`` drop the match when its sentence is conditional ("if you do not answer, I will
complain"), ``p`` keep the match only when its sentence has a privacy context word,
``s`` keep the match only when another label or a privacy word supports it,
``f`` drop the match inside newsletter-footer phrasing ("click here to unsubscribe"),
``q`` drop the match when its sentence speaks of a consequence ("if this results in
the deletion of an account"),
``m`` keep the match only when its sentence is about processing ("I object" to a fee
is no objection under art. 21),
``a`` an article citation: dropped when its sentence already holds another label's
action ("erasure ... according to Article 15").
"""

from __future__ import annotations

from handlers.values import RequestType as T

# Words that turn "my ... details" into ordinary business ("my booking details").
NEG = (
    r"(?:booking|bookings|invoice|invoices|order|orders|reservation|reservations|flight|"
    r"flights|ticket|tickets|payment|payments|bank|card|travel|trip|programme|program|"
    r"application|visa|insurance|accommodation|housing|last|previous|latest|recent|"
    r"arrival|departure|internship|login|log-?in|password|portal|wifi|company)\b"
)
_GAP3 = rf"(?:(?!{NEG})\w+\W+){{0,3}}?"
_GAP4 = r"(?:\w+\W+){0,4}?"
_POSS = r"(?:my|our|his|her|their)"
_NOUN = r"(?:data|information|info|details|records?|account|profile|pii|file|user\s*data)"
#: An object that is the writer's (or a represented person's) personal data.
OBJ = (
    rf"(?:\b{_POSS}\W+{_GAP3}{_NOUN}\b"
    r"|\bpersonal\s+(?:data|information|details)\b"
    r"|\b(?:data|information|info|records|everything|anything|details)\b[^.?!\n]{0,40}?"
    r"\b(?:about|on|concerning|relating\s+to|related\s+to|regarding|of)\s+(?:me|us)\b"
    r"|\bme\s+from\s+(?:all\s+)?(?:of\s+)?(?:your\s+)?(?:database|system|records|files|"
    r"register|crm)s?\b)"
)
_RECT_NOUN = (
    r"(?:name|surname|first\s+name|last\s+name|address|e-?mail(?:\s+address)?|"
    r"phone(?:\s+number)?|mobile(?:\s+number)?|date\s+of\s+birth|birth\s*date|birthday|"
    r"personal\s+(?:data|information|details)|details|data|information|info|records?|"
    r"profile|gender|passport\s+number)"
)
OBJ_RECT = rf"(?:\b{_POSS}\W+{_GAP3}{_RECT_NOUN}\b|\bpersonal\s+(?:data|information|details)\b)"
_ERASE = (
    r"\b(?:delet\w*|eras\w*|remov\w*|wip(?:e|ed|ing)|purg\w*|destroy\w*|scrub\w*|expung\w*|"
    r"eliminat\w*)\b"
)
_RECTIFY = r"\b(?:correct|correcting|corrected|correction|rectif\w*|updat\w*|chang\w*|amend\w*|fix|fixing|modif\w*)\b"  # noqa: E501
_FAULTY = (
    r"(?:wrong|incorrect\w*|inaccurate|misspel\w*|spel\w+\s+(?:wrong\w*|incorrect\w*)|"
    r"outdated|out\s+of\s+date|incomplete|obsolete|not\s+correct|not\s+right)"
)
_REL = (
    r"(?:son|daughter|child|children|kid|kids|mother|father|mom|mum|dad|parent|parents|"
    r"husband|wife|partner|brother|sister|client|grand\w+|nephew|niece|ward|spouse|"
    r"boyfriend|girlfriend|fianc\w*|stepson|stepdaughter)"
)
_GDPR = r"(?:gdpr|general\s+data\s+protection|of\s+the\s+(?:regulation|gdpr))"

RULES: tuple[tuple[T, str, str, float, str], ...] = (
    # -- consent withdrawal --------------------------------------------------------
    (
        T.CONSENT_WITHDRAWAL,
        "en.withdraw_consent",
        r"\b(?:withdraw\w*|revok\w*|retract\w*|rescind\w*|cancel\w*|pull\w*\s+back|"
        r"tak(?:e|es|ing)\s+back|took\s+back)\W+(?:\w+\W+){0,3}?consent\b"
        r"|\b(?:tak(?:e|es|ing)|took)\s+(?:my|our|the)\s+consent\s+back\b"
        r"|\b(?:withdraw\w*|revok\w*|retract\w*|rescind\w*)\s+(?:\w+\s+){0,2}?(?:permission|"
        r"approval|agreement)\s+(?:for|to)\s+(?:you\s+)?(?:to\s+)?(?:use|keep|contact|send|share|"
        r"publish|store)\b",
        0.9,
        "",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "en.consent_withdrawn",
        r"\bconsent\b(?:\W+\w+){0,5}?\W+(?:is|be|been|hereby)\s+(?:withdrawn|revoked)\b",
        0.8,
        "",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "en.no_longer_consent",
        r"\b(?:no\s+longer|not\s+any\s+longer)\s+(?:\w+\s+){0,2}?consent\b",
        0.85,
        "",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "en.unsubscribe_me",
        r"\b(?:unsubscribe\s+me|please\s+unsubscribe|(?:want|like|wish|need|going)\s+to\s+"
        r"unsubscribe|i\s+(?:hereby\s+)?unsubscribe)\b"
        # "unsubscribe my daughter from the ski trip" leaves a trip, not a list
        r"(?!\s+(?:\w+\s+){0,3}?from\s+(?:the|this|that|our|my|his|her)\s+(?:\w+\s+){0,2}?"
        r"(?:trip|tour|course|class|excursion|programme|program|camp|event|booking)s?\b)",
        0.85,
        "f",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "en.remove_from_list",
        r"\b(?:remove|take|delete)\s+me\s+(?:off|from)\s+(?:\w+\s+){0,3}?(?:mailing|marketing|"
        r"newsletter|e-?mail|contact|distribution|sms|subscriber|subscription)s?\b",
        0.85,
        "f",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "en.stop_marketing",
        r"\bstop\s+(?:sending|e-?mailing|texting|calling|contacting)\s+me\b(?:\W+\w+){0,3}?\W+"
        r"(?:marketing|newsletters?|promotion\w*|advertis\w*|offers|e-?mails|mails|sms|texts|"
        r"messages)"
        # "You don't need to text me anymore"
        r"|\b(?:(?:don't|do\s+not)\s+need|no\s+need)\s+to\s+(?:text|sms|e-?mail|call|phone|ring)\s+"
        r"me\s+(?:any\s*more|any\s+longer)\b",
        0.8,
        "f",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "en.opt_out",
        r"\bopt(?:ing|ed)?[\s-]*out\b(?:\W+\w+){0,4}?\W+(?:marketing|newsletters?|mailing|"
        r"e-?mails|communications?|promotion\w*)|\b(?:marketing|newsletter)\s+opt[\s-]*out\b",
        0.8,
        "f",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "en.no_more_newsletters",
        r"\b(?:do\s+not|don't|no\s+longer)\s+(?:want|wish)\s+to\s+(?:receive|get)\b"
        r"(?:\W+\w+){0,3}?\W+(?:newsletters?|marketing|promotion\w*|offers|advertis\w*|"
        r"e-?mails|mails)",
        0.75,
        "f",
    ),
    # -- access ----------------------------------------------------------------------
    (
        T.ACCESS,
        "en.sar",
        r"\b(?:(?:data\s+)?subject\s+access\s+request|data\s+access\s+request"
        r"|dsar|right\s+(?:of|to)\s+access)\b",
        0.95,
        "",
    ),
    (T.ACCESS, "en.article15", rf"\bart(?:icle|\.)?\s*15\b[^\n]{{0,30}}?{_GDPR}", 0.9, "a"),
    (
        T.ACCESS,
        "en.request_access",
        r"\b(?:request\w*|ask\w*\s+for)\s+(?:\w+\s+){0,2}?access\s+(?:according|pursuant|"
        r"under|in\s+accordance)\b",
        0.75,
        "",
    ),
    (T.ACCESS, "en.access_to_my_data", rf"\baccess\s+to\s+(?:\w+\s+){{0,2}}?{OBJ}", 0.85, "l"),
    (
        T.ACCESS,
        "en.copy_of_my_data",
        rf"\b(?:(?:copy|copies|export|download)\s+(?:of\s+)?|(?:overview|list)\s+of\s+)"
        rf"(?:\w+\s+){{0,3}}?{OBJ}",
        0.85,
        "",
    ),
    (
        T.ACCESS,
        "en.what_data_do_you_hold",
        r"\b(?:what|which)\s+(?:\w+\s+){0,3}?(?:data|information|info|details)\b"
        r"(?:(?!need|require|must|should)[^.?!\n]){0,60}?"
        rf"\b(?:about|on|of|regarding|concerning)\s+(?:me|us|my\s+(?:\w+\s+)?{_REL})\b"
        r"|\bwhat\s+(?:do\s+)?you\s+(?:know|have|hold|store|keep)\s+(?:about|on)\s+me\b",
        0.85,
        "",
    ),
    (
        T.ACCESS,
        "en.whether_you_process",
        r"\bwhether\s+(?:or\s+not\s+)?(?:you\s+(?:are\s+)?(?:process|hold|stor|keep|collect)\w*"
        r"\s+(?:any\s+)?personal\s+(?:data|information)|(?:any\s+(?:of\s+)?)?my\s+personal\s+"
        r"(?:data|information))",
        0.8,
        "",
    ),
    (
        T.ACCESS,
        "en.send_me_my_data",
        r"\b(?:send|give|provide|show|tell|email|e-mail)\s+me\s+(?:\w+\s+){0,4}?"
        r"(?:data|information|everything)\b[^.?!\n]{0,40}?\b(?:about|on|concerning)\s+me\b",
        0.85,
        "",
    ),
    # -- rectification ------------------------------------------------------------------
    (T.RECTIFICATION, "en.rectification", r"\brectif(?:y|ication|ied)\b", 0.85, ""),
    (T.RECTIFICATION, "en.article16", rf"\bart(?:icle|\.)?\s*16\b[^\n]{{0,30}}?{_GDPR}", 0.85, "a"),
    (T.RECTIFICATION, "en.correct_my_data", rf"{_RECTIFY}\W+{_GAP4}{OBJ_RECT}", 0.8, ""),
    (
        T.RECTIFICATION,
        "en.my_data_is_wrong",
        r"\b(?:my\s+(?:\w+\s+)?(?:name|surname|address|date\s+of\s+birth|birth\s*date|birthday|"
        r"e-?mail(?:\s+address)?|phone\s+number|gender|details|personal\s+(?:data|information))"
        r"|(?:data|information|details)\s+(?:(?:that\s+)?you\s+(?:hold|have|keep)\s+)?"
        r"(?:about|on)\s+me)\s+(?:is|are|was|were|has\s+been|have\s+been)\s+(?:\W*\w+\W*?\s){0,2}?\W*"
        + _FAULTY,
        0.85,
        "",
    ),
    (
        T.RECTIFICATION,
        "en.inaccurate_data",
        rf"\b{_FAULTY}\s+(?:\w+\s+){{0,1}}?(?:personal\s+data|personal\s+information|"
        r"date\s+of\s+birth|birth\s*date|spelling\s+of\s+my\s+name)",
        0.8,
        "",
    ),
    (
        T.RECTIFICATION,
        "en.my_new_address",
        r"\bmy\s+new\s+(?:postal\s+|home\s+|e-?mail\s+)?(?:address|surname|last\s+name|name|"
        r"phone\s+number)\b|\bmy\s+(?:postal\s+|home\s+)?address\s+is\s+now\b",
        0.7,
        "",
    ),
    # -- erasure --------------------------------------------------------------------------
    (T.ERASURE, "en.delete_my_data", rf"{_ERASE}\W+{_GAP4}{OBJ}", 0.85, "q"),
    (
        T.ERASURE,
        "en.my_data_deleted",
        rf"{OBJ}\W+(?:\w+\W+){{0,3}}?(?:deleted|erased|removed|wiped|destroyed|purged)\b",
        0.8,
        "q",
    ),
    (
        T.ERASURE,
        "en.right_to_be_forgotten",
        r"\bright\s+to\s+(?:be\s+forgotten|erasure)\b|\brequest\s+for\s+erasure\b|"
        r"\berasure\s+request\b|\bdeletion\s+request\b",
        0.9,
        "",
    ),
    (
        T.ERASURE,
        "en.delete_such_data",
        r"\b(?:delete|erase|remove)\s+(?:such|this|that|the\s+said)\s+(?:personal\s+)?"
        r"(?:data|information)\b",
        0.7,
        "p",
    ),
    (T.ERASURE, "en.article17", rf"\bart(?:icle|\.)?\s*17\b[^\n]{{0,30}}?{_GDPR}", 0.9, "a"),
    (
        T.ERASURE,
        "en.close_my_account",
        r"\b(?:close|terminate|cancel)\s+my\s+(?:user\s+)?"
        r"(?:account|profile)\s+and\s+(?:delete|erase|remove)",
        0.85,
        "",
    ),
    # -- restriction ----------------------------------------------------------------------
    (
        T.RESTRICTION,
        "en.i_object",
        r"\b(?:i|we)\s+(?:hereby\s+)?(?:(?:am|are)\s+)?"
        r"(?:hereby\s+)?object(?:ing)?\b",
        0.85,
        "m",
    ),
    (
        T.RESTRICTION,
        "en.objection_to_processing",
        r"\bobject(?:ion|ing)?\s+to\s+(?:the\s+|any\s+|all\s+|further\s+)?(?:\w+\s+){0,2}?"
        r"(?:processing|use|direct\s+marketing|profiling|marketing)\b",
        0.85,
        "",
    ),
    (
        T.RESTRICTION,
        "en.restrict_processing",
        r"\brestrict\w*\W+(?:\w+\W+){0,3}?(?:processing|use|using)\b|\blimit\w*\s+(?:the\s+)?"
        r"(?:processing|use)\s+of\s+my\b",
        0.9,
        "",
    ),
    (
        T.RESTRICTION,
        "en.stop_processing",
        r"\b(?:stop|cease|cessation\s+of|halt)\W+(?:\w+\W+){0,3}?(?:processing|using|use\s+of)"
        r"\W+(?:\w+\W+){0,2}?(?:my\s+(?:personal\s+)?(?:data|information|details)|personal\s+"
        r"(?:data|information))\b",
        0.85,
        "",
    ),
    (
        T.RESTRICTION,
        "en.do_not_use_my_data",
        r"\b(?:do\s+not|don't|not\s+to|no\s+longer)\s+(?:want\s+(?:you\s+)?to\s+)?"
        r"(?:use|process|sell|share)\s+my\s+(?:personal\s+)?(?:data|information)"
        r"|\b(?:do\s+not|don't)\s+want\s+my\s+(?:personal\s+)?(?:data|information)\s+"
        r"(?:to\s+be\s+)?(?:used|processed|shared)",
        0.8,
        "",
    ),
    (
        T.RESTRICTION,
        "en.retention_hold",
        r"\bretention\s+hold\b|\bpreservation\s+(?:notice|request)\b|\bprevent\s+(?:the\s+)?"
        r"deletion\b",
        0.75,
        "",
    ),
    (
        T.RESTRICTION,
        "en.article18_21",
        rf"\bart(?:icle|\.)?\s*(?:18|21)\b[^\n]{{0,30}}?{_GDPR}",
        0.6,
        "a",
    ),
    # -- third-party authorisation ----------------------------------------------------
    (
        T.THIRD_PARTY_AUTHORISATION,
        "en.on_behalf_of",
        rf"\bon\s+behalf\s+of\s+(?:my|our)\s+(?:\w+\s+)?{_REL}\b"
        rf"|\b(?:i\s+am|i'm)\s+writing\s+for\s+my\s+(?:\w+\s+)?{_REL}\b",
        0.85,
        "s",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "en.power_of_attorney",
        r"\bpower\s+of\s+attorney\b|\bletter\s+of\s+authori[sz]ation\b|\blegal\s+guardian\b",
        0.9,
        "",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "en.i_authorise",
        r"\bi\s+(?:hereby\s+)?(?:authori[sz]e|give|grant|allow|permit)\s+(?:my\s+)?"
        r"(?:\w+\W+){0,4}?(?:to\s+)?(?:act|speak|talk|communicate|handle|deal|receive|"
        r"represent|see|access|request|ask)\b",
        0.85,
        "s",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "en.represent",
        r"\b(?:i\s+represent|i\s+am\s+writing\s+as|(?:as|i\s+am|i'm)\s+(?:the\s+|his\s+|"
        r"her\s+|their\s+)?(?:parent|guardian|mother|father|mum|mom|dad|lawyer|attorney|"
        r"solicitor|legal\s+representative)\s+of)\b|\bas\s+(?:his|her|their)\s+(?:parent|"
        r"guardian|mother|father|mum|mom|dad)\b|\bmy\s+(?:lawyer|solicitor|attorney|"
        r"legal\s+representative)\b",
        0.75,
        "s",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "en.relatives_data",
        rf"\b(?:my|our)\s+(?:\w+\s+)?{_REL}(?:'s|’s|s')\s+(?:personal\s+)?(?:data|information|"
        r"account|profile)\b",
        0.85,
        "",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "en.on_my_behalf",
        r"\bon\s+my\s+behalf\b|\bact\s+for\s+me\b",
        0.7,
        "s",
    ),
    # -- complaint -------------------------------------------------------------------------
    (T.COMPLAINT, "en.complaint_about_data", r"\b(?:complain\w*|complaint)\b", 0.8, "cp"),
    (T.COMPLAINT, "en.article77", r"\bart(?:icle|\.)?\s*77\b", 0.9, "c"),
    (
        T.COMPLAINT,
        "en.data_shared_without_consent",
        r"\b(?:you|your\s+\w+)\s+(?:have\s+|has\s+)?(?:shared|disclosed|leaked|sold|passed\s+on|"
        r"given|sent|forwarded|published|exposed|misused|lost)\s+my\s+(?:\w+\s+){0,2}?"
        r"(?:data|information|details|passport|address|phone\s+number|photos?)\b"
        r"|(?<!whom\s)(?<!which\s)\bmy\s+(?:personal\s+)?(?:data|information|details)\s+(?:was|were|has\s+been|"
        r"have\s+been)\s+(?:\w+\s+)?(?:shared|leaked|disclosed|exposed|sold|sent|passed\s+on|"
        r"published|compromised|misused|breached|stolen)\b",
        0.8,
        "c",
    ),
    (
        T.COMPLAINT,
        "en.without_my_consent",
        r"\bwithout\s+my\s+(?:consent|permission|knowledge)\b",
        0.7,
        "cp",
    ),
    (
        T.COMPLAINT,
        "en.failed_to_comply",
        r"\b(?:declined|refused|failed)\s+to\s+(?:fully\s+)?comply\s+with\s+my\b"
        r"|\b(?:not|never)\s+(?:fully\s+)?complied\s+with\s+my\b"
        r"|\bin\s+violation\s+of\s+(?:\W*\w+\W+){0,3}?(?:art|article|gdpr|regulation|"
        r"data\s+protection)\b",
        0.8,
        "c",
    ),
    (
        T.COMPLAINT,
        "en.no_reply_to_request",
        r"\b(?:did\s+not|have\s+not|haven't|didn't|never)\s+(?:yet\s+)?(?:receive[ds]?|got|gotten)"
        r"\s+(?:a|an|any)\s+(?:reply|answer|response)\b",
        0.7,
        "cp",
    ),
    (
        T.COMPLAINT,
        "en.deadline_exceeded",
        r"\b(?:period|deadline|time\s+limit|one\s+month)\b[^\n]{0,80}?\b(?:exceeded|expired|"
        r"passed|missed|overdue)\b",
        0.75,
        "cp",
    ),
    (
        T.COMPLAINT,
        "en.data_breach",
        r"\b(?:data|privacy|security|personal\s+data)\s+breach\b",
        0.6,
        "c",
    ),
)

#: Sentences that only threaten or hypothesise: their complaint cues are not complaints.
CONDITIONAL = (
    r"\b(?:if(?!\s+(?:you\s+must|need\s+be|necessary|needed)\b)|unless|otherwise|or\s+else|"
    r"failing|should\s+you|reserve\w*|in\s+case|"
    r"whether|any\s+such)\b"
)
#: Phrases that make a sentence about personal data, so "complaint" in it is about data.
PRIVACY_CONTEXT = (
    r"\b(?:personal\s+(?:data|information)|my\s+(?:personal\s+)?(?:data|information|details)|"
    r"data\s+protection|gdpr|privacy|supervisory\s+authority|ico|art(?:icle|\.)?\s*77|"
    r"datatilsynet|my\s+(?:\w+\s+)?request)\b"
)
#: What makes an objection about processing rather than about a fee or a date.
PROCESSING_CONTEXT = (
    r"\b(?:processing|profiling|marketing|personal\s+data|my\s+(?:\w+\s+)?(?:data|information)|"
    r"art(?:icle|\.)?\s*21)\b"
)
#: A confidentiality notice under a signature: the sender's organisation speaks, not the
#: writer ("If you are not the intended recipient, please delete this e-mail").
DISCLAIMER = (
    r"\b(?:not\s+the\s+intended\s+recipient|intended\s+(?:solely\s+|only\s+)?for\s+the\s+"
    r"(?:\w+\s+){0,3}?(?:addressee|recipient)|received\s+this\s+(?:e-?mail|message|"
    r"communication)\s+(?:\w+\s+){0,2}?(?:in\s+error|by\s+mistake))"
)
#: Words by which a writer speaks of themselves: a paragraph with one is theirs.
FIRST_PERSON = r"\b(?:me|my|mine|myself)\b"
#: Newsletter footers phrase their unsubscribe link like a request.
FOOTER = (
    r"\b(?:if\s+you\s+(?:no\s+longer|don't|do\s+not|wish|want|would\s+(?:like|prefer))|"
    r"click|here\s+to|this\s+link|the\s+link|you\s+can\s+unsubscribe|you\s+are\s+receiving|"
    r"(?:reply|text)\s+[\"']?stop)\b"
)
#: A deletion that is only a possible consequence of something else.
CONSEQUENCE = r"\b(?:result\s+in|lead\s+to|would\s+mean|entail)\b"
#: The word just before a cue that turns it round ("do not delete").
NEGATION = r"(?:\b(?:not|never)|n[’']t)"
#: A negation in a question that asks us to act ("Can't you just delete it?"): not a no.
ASKING_NEGATION = r"\b(?:ca|wo|could|would|why\s+do)n[’']t\s+you\s+(?:\w+\s+)?$"
#: Short replies that agree to what the quoted text offered.
AFFIRMATION = (
    r"(?:yes|yeah|yep|yup|ok|okay|sure|please\s+do|go\s+ahead|that'?s\s+(?:fine|ok|right)|"
    r"i\s+confirm|confirmed|correct|please\s+proceed|agreed?)"
)
#: Our own questions or acknowledgements in the quoted text that a "yes" can answer.
OFFER_RULES: tuple[tuple[T, str, str, float, str], ...] = (
    (
        T.ERASURE,
        "en.offer_erasure",
        r"\b(?:delet\w*|eras\w*|remov\w*)\b(?:\W+\w+){0,4}?\W+your\s+(?:\w+\s+){0,2}?"
        r"(?:data|information|details|account|profile)\b",
        0.7,
        "",
    ),
    (
        T.ACCESS,
        "en.offer_access",
        r"\b(?:copy|overview)\s+of\s+(?:\w+\s+){0,2}?your\s+(?:\w+\s+){0,2}?(?:data|information)",
        0.7,
        "",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "en.offer_unsubscribe",
        r"\b(?:unsubscrib\w*|withdraw\w*\s+your\s+consent|remove\s+you\s+from\s+(?:\w+\s+){0,2}?"
        r"(?:list|newsletter)|stop\w*\s+(?:\w+\s+){0,2}?(?:newsletter|e-?mails|mails|texts?|sms))",
        0.7,
        "",
    ),
    (
        T.RECTIFICATION,
        "en.offer_rectify",
        r"\b(?:correct|update|change)\w*\s+your\s+(?:\w+\s+){0,2}?(?:name|address|e-?mail|"
        r"phone|date\s+of\s+birth|details|data|information)\b",
        0.7,
        "",
    ),
)


_REL_STEMS = (
    "son",
    "daughter",
    "child",
    "kid",
    "mother",
    "father",
    "mom",
    "mum",
    "dad",
    "parent",
    "husband",
    "wife",
    "partner",
    "brother",
    "sister",
    "client",
    "grand",
    "nephew",
    "niece",
    "ward",
    "spouse",
    "boyfriend",
    "girlfriend",
    "fianc",
    "stepson",
    "stepdaughter",
)
_FAULTY_STEMS = (
    "wrong",
    "incorrect",
    "inaccurate",
    "misspel",
    "spel",
    "outdated",
    "date",
    "incomplete",
    "obsolete",
    "correct",
    "right",
)
#: Word-initial stems of which every match of a rule contains at least one. The
#: classifier looks for these first and runs a rule only near them: that is what keeps
#: it fast. A new rule needs an entry here (checked at import).
RULE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "en.withdraw_consent": ("consent", "withdraw", "revok", "retract", "rescind"),
    "en.consent_withdrawn": ("consent",),
    "en.no_longer_consent": ("consent",),
    "en.unsubscribe_me": ("unsubscrib",),
    "en.remove_from_list": ("remove", "take", "delete"),
    "en.stop_marketing": ("stop", "need$"),
    "en.opt_out": ("opt",),
    "en.no_more_newsletters": ("receive", "get"),
    "en.sar": ("access", "dsar"),
    "en.article15": ("art",),
    "en.request_access": ("access",),
    "en.access_to_my_data": ("access",),
    "en.copy_of_my_data": ("copy", "copies", "export", "download", "overview", "list"),
    "en.what_data_do_you_hold": ("what", "which"),
    "en.whether_you_process": ("whether",),
    "en.send_me_my_data": ("send", "give", "provide", "show", "tell", "email", "e-mail"),
    "en.rectification": ("rectif",),
    "en.article16": ("art",),
    "en.correct_my_data": ("correct", "rectif", "updat", "chang", "amend", "fix", "modif"),
    "en.my_data_is_wrong": _FAULTY_STEMS,
    "en.inaccurate_data": _FAULTY_STEMS,
    "en.my_new_address": ("new", "address"),
    "en.delete_my_data": (
        "delet",
        "eras",
        "remov",
        "wip",
        "purg",
        "destroy",
        "scrub",
        "expung",
        "eliminat",
    ),
    "en.my_data_deleted": ("delet", "eras", "remov", "wip", "purg", "destroy"),
    "en.right_to_be_forgotten": ("right", "erasure", "deletion"),
    "en.delete_such_data": ("delete", "erase", "remove"),
    "en.article17": ("art",),
    "en.close_my_account": ("close", "terminate", "cancel"),
    "en.i_object": ("object",),
    "en.objection_to_processing": ("object",),
    "en.restrict_processing": ("restrict", "limit"),
    "en.stop_processing": ("stop", "cease", "cessation", "halt"),
    "en.do_not_use_my_data": ("use", "process", "sell", "shar"),
    "en.retention_hold": ("retention", "preservation", "prevent"),
    "en.article18_21": ("art",),
    "en.on_behalf_of": ("behalf", "writing"),
    "en.power_of_attorney": ("attorney", "authori", "guardian"),
    "en.i_authorise": ("authori", "give", "grant", "allow", "permit"),
    "en.represent": (
        "represent",
        "writing",
        "parent",
        "guardian",
        "mother",
        "father",
        "lawyer",
        "attorney",
        "solicitor",
        "legal",
    ),
    "en.relatives_data": _REL_STEMS,
    "en.on_my_behalf": ("behalf", "act"),
    "en.complaint_about_data": ("complain",),
    "en.article77": ("art",),
    "en.data_shared_without_consent": (
        "shared",
        "disclosed",
        "leaked",
        "sold",
        "passed",
        "given",
        "sent",
        "forwarded",
        "published",
        "exposed",
        "misused",
        "lost",
        "compromised",
        "breached",
        "stolen",
    ),
    "en.without_my_consent": ("without",),
    "en.failed_to_comply": ("declined", "refused", "failed", "complied", "violation"),
    "en.no_reply_to_request": ("reply", "answer", "response"),
    "en.deadline_exceeded": ("exceeded", "expired", "passed", "missed", "overdue"),
    "en.data_breach": ("breach",),
}


# -- everyday phrasings (held-out dev set): pronoun objects, sources, login problems ------
#: Personal data a pronoun ("update it", "delete them") can point back to (flag ``r``).
ANTECEDENT = (
    # "my last email" is a message, not an address
    r"\b(?:my|our)\s+(?!(?:last|latest|previous|earlier)\s+e-?mail)"
    r"(?:\w+\s+){0,2}?(?:name|surname|address|e-?mail|"
    # "deleted it from my phone": there the phone is a device, not a number
    r"(?<!from\smy\s)(?<!on\smy\s)phone|number|mobile|"
    r"date\s+of\s+birth|birthday|details|data|information|info|profile|account|photos?|"
    r"pictures?|passport|story|medical|health|allergy|allergies|emergency\s+contact)\b"
    r"|\b(?:passport\s+(?:copy|scan)|copy\s+of\s+my\s+passport|medical\s+(?:form|info\w*|"
    r"records?|certificate)|vaccination\s+certificate)\b"
    r"|\b(?:photos?|pictures?|data|information|everything)\s+(?:\w+\s+)?(?:of|about|on)\s+me\b"
    r"|\bon\s+file\s+(?:for|about|on)\s+me\b"
    r"|\b(?:his|her)\s+(?:\w+\s+)?(?:name|surname|address|e-?mail|phone|number|date\s+of\s+birth|"
    r"details|allergy|allergies)\b"
    r"|\bi(?:'ve|\s+have)\s+(?:just\s+)?moved\b|\bpersonal\s+(?:data|information|details)\b"
)
#: Facts, not threats: "I have complained", "I hereby complain" (flag ``c``).
FACTUAL = (
    r"\b(?:have|has|had|i've|we've)\s+(?:\w+\s+){0,2}?(?:complained|reported|filed|lodged|"
    r"submitted|made)\b|\bhereby\b|\b(?:today|yesterday)\b|\bfyi\b"
)
#: A login or connection problem: "access to my account" is no access request (flag ``l``).
LOGIN = (
    r"\b(?:log\s*in|logging\s+in|login|sign\s*in|password\w*|username|portal|app|wifi|"
    r"wi-fi|internet|account|profile|course)\b"
)
#: Our own questions and offers in quoted text.
OFFER_CUE = (
    r"\b(?:would\s+you\s+like|do\s+you\s+want|shall\s+we|should\s+we|if\s+you\s+(?:would\s+"
    r"like|want|wish))\b"
)

RULES = RULES + (
    (
        T.RECTIFICATION,
        "en.update_it",
        rf"{_RECTIFY}\s+(?:\w+\s+)?(?:it|that|this|them|those)\b(?!\s+(?:booking|invoice|"
        r"flight|date|ticket|itinerary))",
        0.75,
        "r",
    ),
    (
        T.RECTIFICATION,
        "en.my_email_has_changed",
        r"\bmy\s+(?:\w+\s+)?(?:e-?mail(?:\s+address)?|address|phone(?:\s+number)?|"
        r"(?:mobile\s+)?number|mobile|name|surname|last\s+name)(?:\s+(?:has|have|is)|'s|’s)\s+"
        r"(?:now\s+)?(?:changed|new)\b"
        r"|\byou\s+(?:still\s+)?have\s+my\s+(?:\w+\s+)?(?:name|surname|address|e-?mail|"
        r"phone\s+number|date\s+of\s+birth|birthday)\s+(?:as|wrong\w*|spelled|down\s+as)\b"
        r"|\byou\s+(?:still\s+)?have\s+my\s+old\s+(?:address|e-?mail|phone|number|name)",
        0.8,
        "",
    ),
    (
        T.ERASURE,
        "en.delete_it",
        r"\b(?:delete|erase|remove|wipe)\s+(?:\w+\s+)?(?:it|them|those)\b(?!\s+from\s+(?:the\s+)?"
        r"(?:booking|invoice|basket|cart))",
        0.75,
        "rq",
    ),
    (
        T.ERASURE,
        "en.forget_me",
        r"\bforget\s+(?:about\s+)?me\b|\b(?:want|wish|like)\s+to\s+be\s+(?:removed|deleted|"
        r"erased|forgotten)\b|\b(?:do\s+not|don't|no\s+longer)\s+want\s+to\s+be\s+(?:in|on)\s+"
        r"your\s+(?:system|database|records|files|register|crm)s?\b",
        0.8,
        "",
    ),
    (
        T.ACCESS,
        "en.where_did_you_get",
        r"\bwhere\s+(?:did|do)\s+you\s+(?:get|obtain|find|have)\s+my\s+(?:\w+\s+)?(?:data|"
        r"details|information|number|e-?mail(?:\s+address)?|address|name|contact\s+details)\b"
        r"|\bwhat\s+(?:do|are|will)\s+you\s+(?:use|using)\s+my\s+(?:personal\s+)?(?:data|"
        r"information|details)\s+for\b"
        r"|\bwho\s+(?:do|have|did|has)\s+(?:you\s+)?(?:shared|share|given|give|sold|sell|"
        r"passed|disclosed)\s+my\s+(?:\w+\s+)?(?:data|information|details)\b"
        r"|\b(?:who|whom)\s+(?:you(?:'ve|\s+have)?\s+)?(?:shared|given|sold|passed|disclosed)\s+"
        r"it\s+(?:with|to)\b",
        0.8,
        "",
    ),
    (
        T.ACCESS,
        "en.data_about_her",
        r"\b(?:send|give|provide|show|tell|email)\s+(?:me|us)\s+(?:\w+\s+){0,4}?(?:data|"
        r"information|info|details|everything)\b[^.?!\n]{0,40}?\b(?:about|on)\s+(?:him|her|them)\b"
        r"|\b(?:what|which)\s+(?:\w+\s+){0,3}?(?:data|information|info|details)\b[^.?!\n]{0,50}?"
        r"\b(?:about|on)\s+(?:him|her)\b",
        0.8,
        "t",
    ),
    (
        T.COMPLAINT,
        "en.reported_to_authority",
        r"\b(?:report\w*|complain\w*)\s+(?:you|this|it|your\s+company|the\s+matter)?\s*to\s+"
        r"(?:the\s+)?(?:\w+\s+){0,2}?(?:datatilsynet|data\s+protection\s+(?:authority|agency)|"
        r"supervisory\s+authority|ico|dpa)\b",
        0.8,
        "c",
    ),
    (
        T.RESTRICTION,
        "en.only_use_for",
        r"\b(?:limit|restrict)\s+(?:its|their|the)\s+use\s+to\b|\bonly\s+(?:be\s+)?(?:use|used|"
        r"process|processed)\s+(?:\w+\s+)?for\b"
        r"|\b(?:do\s+not|don't)\s+want\s+my\s+(?:\w+\s+){0,2}?(?:data|information|details|"
        r"photos?)\s+(?:to\s+be\s+)?(?:used|processed|shared|passed\s+on)\b",
        0.75,
        "r",
    ),
)
RULE_TRIGGERS.update(
    {
        "en.update_it": ("correct", "rectif", "updat", "chang", "amend", "fix", "modif"),
        "en.my_email_has_changed": (
            "e-mail",
            "email",
            "address",
            "phone",
            "number",
            "mobile",
            "name",
            "surname",
            "last",
            "date",
            "birthday",
        ),
        "en.delete_it": ("delete", "erase", "remove", "wipe"),
        "en.forget_me": (
            "forget",
            "removed",
            "deleted",
            "erased",
            "forgotten",
            "system",
            "database",
            "records",
            "files",
            "register",
            "crm",
        ),
        "en.where_did_you_get": ("where", "what", "who", "whom"),
        "en.data_about_her": ("send", "give", "provide", "show", "tell", "email", "what", "which"),
        "en.reported_to_authority": ("report", "complain"),
        "en.only_use_for": ("limit", "restrict", "use", "process", "shared", "passed"),
    }
)

# -- everyday phrasings, second round (dev2/): bare commands, objects without a
# possessive, life events that imply a correction, parents, complaints without "complain" --
#: Documents and services that are not our records: correcting them is no rectification.
BUSINESS_DOC = (
    r"\b(?:on|in)\s+(?:facebook|instagram|linkedin|tiktok|snapchat|whatsapp)\b"
    r"|\b(?:e-?tickets?|tickets?|boarding\s+pass\w*|airline\w*|invoices?|receipts?|contracts?|"
    r"name\s+(?:badge|tag)s?|itinerar\w*|certificates?|diploma\w*|company\s+name)\b"
)
PERFECT = r"\b(?:i|we)\s+(?:have|had)|\b(?:i|we)['’]ve\b"
PERFECT_SECOND = r"\byou\s+have|\byou['’]ve"
RETRACTION = (
    r"\bnever\s*mind\b|\b(?:actually|oh|ah|no)\W+(?:\w+\W+)?(?:forget\s+it|scratch\s+that|"
    r"no\s+need)\b|\bforget\s+(?:it|that)\s*[,.!-]+\s*(?:i|i've|i\s+have|we)\b"
    r"|\b(?:i've|i\s+have)\s+(?:\w+\s+)?(?:done|sorted|fixed|figured|found|changed|updated)\s+"
    r"(?:it\s+)?(?:out\s+)?myself\b|\bignore\s+(?:my|this|the)\s+(?:last\s+|previous\s+)?"
    r"(?:mail|e-?mail|message)\b"
)
RETRACTION_HINTS = ("never", "forget", "scratch", "no need", "myself", "ignore")
REPLACE = r"\breplac\w*\b"
#: An old request the writer only refers to ("you never answered my request to delete my
#: data"): the complaint about it is new, the request is not.
REFERENCE = (
    r"\b(?:answered|replied\s+to|responded\s+to|ignored|dealt\s+with|processed|acted\s+on)\s+"
    r"(?:\w+\s+){0,2}?(?:request|e-?mail|letter)\s+(?:to|for|asking\s+(?:you\s+)?to)"
)
THIRD_PARTY_CUE = (
    rf"\b(?:my|our)\s+(?:\w+\s+)?{_REL}\b|\bon\s+behalf\b|\bpower\s+of\s+attorney\b|"
    r"\b(?:guardian|parent|mother|father|mum|mom|dad)\s+of\b|\blegal\s+guardian\b"
)
GREETING = r"hi|hello|hey|dear\s+\w+|hiya|no\s+thanks|no\s+thank\s+you|no"
POLITE = (
    r"please|pls|plz|thanks|thank\s+you|thx|ty|now|asap|immediately|right\s+now|"
    r"straight\s+away|cheers|at\s+once"
)
SIGNOFF = r"regards|kind\s+regards|best|br|cheers|thanks|thank\s+you|sincerely"
SHORT_COMMANDS: tuple[tuple[T, str, str, float, str], ...] = (
    (
        T.CONSENT_WITHDRAWAL,
        "en.short_unsubscribe",
        r"(?:please\s+)?(?:unsubscribe|unsub|opt\s*-?\s*out|stop|remove\s+me|take\s+me\s+off)"
        r"(?:\s+(?:me|from\s+(?:this|the|your)\s+(?:list|newsletter|mailing\s+list)|"
        r"(?:this|the|your)\s+list|everything|all))?",
        0.8,
        "",
    ),
    (
        T.ERASURE,
        "en.short_delete_me",
        r"(?:please\s+)?(?:delete|erase|forget)\s+(?:me|my\s+(?:account|profile|data|details|"
        r"information|info))(?:\s+(?:completely|entirely|from\s+(?:your|all)\s+\w+))?",
        0.8,
        "",
    ),
)

#: Personal data that belongs to one person whether or not a possessive stands before it.
_PD = (
    r"(?:passport(?:\s+(?:copy|scan|number|details|photo))?|(?:copy|scan)\s+of\s+(?:my\s+)?"
    r"passport|medical\s+(?:info\w*|form|forms|details|records?|certificate|data|history|"
    r"notes)|health\s+(?:info\w*|data|details|form|records?)|vaccination\s+(?:certificate|"
    r"record|card)s?|police\s+(?:check|certificate|record)|criminal\s+record\s+check|"
    r"doctor'?s\s+(?:note|letter|certificate)|national\s+id|id\s+(?:copy|card|scan))"
)
_CONTACT = (
    r"(?:address|e-?mail(?:\s+address)?|phone(?:\s+number)?|mobile(?:\s+number)?|number|"
    r"name|surname|last\s+name|first\s+name|date\s+of\s+birth|birthday|emergency\s+contact|"
    r"next\s+of\s+kin|contact\s+details|contact\s+person)"
)
_NEWS2 = (
    r"(?:offers?|promo\w*|deals?|newsletters?|marketing|mails|e-?mails|texts|sms|spam|"
    r"adverts?|advertising|ads|calls|brochures?|catalogues?|updates)"
)
RULES = RULES + (
    (T.ERASURE, "en.delete_document", rf"{_ERASE}\W+(?:\w+\W+){{0,4}}?{_PD}\b", 0.8, "q"),
    (
        T.ERASURE,
        "en.delete_me",
        r"\b(?:delete|erase)\s+me\b(?!\s+(?:from|off)\s+(?:the\s+|this\s+|your\s+)?(?:group|chat|"
        r"whatsapp|list|trip))"
        r"|\b(?:delete|erase|remove|wipe)\s+me\s+(?:from|off|out\s+of)\s+(?:all\s+)?(?:of\s+)?"
        r"(?:your\s+)?\w*\s*(?:database|system|records|files|register|crm|customer\s+file)s?\b",
        0.8,
        "q",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "en.no_more_offers",
        rf"\b(?:no\s+more|stop\s+(?:sending|emailing|texting|calling|spamming)\s+(?:me\s+)?"
        rf"(?:\w+\s+){{0,2}}?|don't\s+(?:send|email|text|call)\s+me\s+(?:any\s+)?(?:more\s+)?"
        rf"(?:\w+\s+)?)(?:your\s+)?(?:\w+\s+)?{_NEWS2}\b"
        r"|\bno\s+longer\s+(?:agree|consent)\s+to\b"
        r"|\b(?:take|remove)\s+me\s+off\s+(?:your|the|all)\s+(?:\w+\s+)?(?:lists?|mailing\w*)\b",
        0.8,
        "f",
    ),
    (
        T.ACCESS,
        "en.what_do_you_have_on_me",
        r"\b(?:what|which|how\s+much)\s+(?:(?!need|require)\w+\s+){0,3}?(?:do|have|did)\s+you\s+"
        r"(?:(?!need|require|want)\w+\s+){0,2}?"
        r"(?:have|hold|keep|store|know|got|collected|saved)\s+(?:on\s+file\s+|\w+\s+)?(?:on|about)\s+me\b"
        r"|\b(?:what|which)\s+(?:\w+\s+){0,2}?(?:data|information|info|details|records)\s+"
        r"(?:(?!need|require|must|should|want)\w+\s+){0,3}?(?:on|about)\s+me\b"
        r"|\b(?:see|send\s+me|get|show\s+me|copy\s+of|list\s+of|know)\s+(?:all\s+)?(?:of\s+)?"
        r"(?:the\s+)?(?:records|files|notes|data|information|everything)\s+(?:that\s+)?you\s+"
        r"(?:keep|hold|have|store)\s+(?:on|about)\s+me\b"
        rf"|\bhow\s+did\s+you\s+(?:get|obtain|find)\s+(?:hold\s+of\s+)?my\s+(?:\w+\s+)?{_CONTACT}\b"
        rf"|\bwho\s+(?:gave|sold|passed)\s+you\s+my\s+(?:\w+\s+)?{_CONTACT}\b"
        rf"|\bwho\s+did\s+you\s+(?:give|sell|pass|send)\s+my\s+(?:\w+\s+)?{_CONTACT}\b",
        0.8,
        "",
    ),
    (
        T.RECTIFICATION,
        "en.new_contact",
        r"\b(?<!your\s)(?<!their\s)(?<!his\s)(?<!her\s)(?<!the\s)(?<!our\s)"
        rf"(?:my\s+)?new\s+{_CONTACT}\s*(?:is\b|:)"
        rf"|\b(?:i've|i\s+have)\s+(?:\w+\s+)?(?:changed|got\s+a\s+new|new)\s+(?:my\s+)?"
        rf"(?:{_CONTACT})\b[^.!?\n]{{0,60}}?\b(?:new|now)\b"
        rf"|\b(?:put|use|add|record|note)\s+(?:that|this|it|the\s+new\s+\w+)\s+(?:\w+\s+){{0,2}}?"
        r"(?:on|in|to)\s+my\s+(?:file|record|records|profile|account)\b"
        rf"|\bmy\s+{_CONTACT}\s+has\s+changed\b|\bi(?:'ve|\s+have)\s+moved\b[^.!?\n]{{0,40}}?"
        rf"\bnew\s+(?:address|home)\b",
        0.75,
        "b",
    ),
    (
        T.RECTIFICATION,
        "en.add_contact",
        r"\badd\s+(?:my\s+)?(?:\w+\s+){0,3}?as\s+(?:a\s+|my\s+|an\s+)?(?:\w+\s+)?(?:emergency\s+)?"
        r"(?:contact|next\s+of\s+kin)\b",
        0.8,
        "",
    ),
    (
        T.RECTIFICATION,
        "en.spelled_wrong",
        rf"\b(?:got|have|has|'ve)\s+(?:got\s+)?my\s+(?:\w+\s+)?{_CONTACT}\s+(?:\w+\s+)?(?:spelled|"
        r"spelt|written|down|recorded|registered|listed)\s+(?:\w+\s+)?(?:wrong\w*|incorrect\w*|as)\b"
        rf"|\b(?:wrong|incorrect|misspelt|misspelled)\s+{_CONTACT}\s+(?:\w+\s+){{0,2}}?(?:on|in)\s+"
        r"(?:my|your)\s+(?:profile|account|file|records?|system)\b"
        rf"|\bmy\s+{_CONTACT}\s+(?:is|was)\s+(?:\w+\s+)?(?:wrong|incorrect)\b",
        0.8,
        "b",
    ),
    (
        T.RESTRICTION,
        "en.dont_use_for_marketing",
        r"\b(?:do\s+not|don't|please\s+don't|never)\s+(?:\w+\s+)?(?:use|share|sell|pass\s+on|give)\s+"
        r"(?:my|them|it)\s+(?:\w+\s+){0,2}?(?:for|with|to)\s+(?:\w+\s+){0,3}?(?:marketing|"
        r"advertising|ads|profiling|analysis|analytics|third\s+parties|partners?|hotels?|"
        r"operators?|anyone|other\s+companies)\b"
        r"|\b(?:do\s+not|don't|please\s+don't)\s+(?:use|share|sell)\s+my\s+(?:personal\s+)?"
        r"(?:details|info|data|information)\b"
        r"|\bobject\s+to\s+(?:my|you)\s+(?:\w+\s+){0,2}?(?:being\s+)?(?:used|using|processing|"
        r"processed|shared|sharing)\b",
        0.8,
        "",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "en.parent_of",
        r"\b(?:i'm|i\s+am|we\s+are|we're)\s+\w+(?:'s|’s)\s+(?:mother|father|mum|mom|dad|parents?|"
        r"guardian)\b"
        r"|\b(?:i'm|i\s+am|we\s+are|we're)\s+(?:the\s+)?(?:\w+\s+)?(?:mother|father|mum|mom|dad|"
        r"parents?|guardian|legal\s+guardian)\s+(?:of|to)\b"
        r"|\b(?:his|her)\s+(?:\w+\s+){0,2}?(?:data|details|information|info|records|account|"
        r"profile|passport)\b",
        0.75,
        "st",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "en.may_deal_with_you",
        r"\b(?:may|can|is\s+allowed\s+to|has\s+my\s+permission\s+to|have\s+my\s+permission\s+to)\s+"
        r"(?:\w+\s+){0,2}?(?:deal|speak|talk|act|communicate)\s+(?:with\s+you\s+)?(?:on\s+my\s+"
        r"behalf|for\s+me)\b"
        r"|\byou\s+have\s+my\s+permission\s+to\s+(?:talk|speak|deal|share)\b",
        0.8,
        "",
    ),
    (
        T.COMPLAINT,
        "en.sent_to_someone_else",
        r"\b(?:sent|emailed|gave|given|shared|forwarded|showed|passed|disclosed|leaked|sold)\s+"
        r"(?:\w+\s+){0,6}?(?:my|our)\s+(?:\w+\s+){0,3}?(?:details|data|information|info|"
        r"passport\w*|address|number|records?|form)\b[^.?!\n]{0,60}?\bto\s+(?:an(?:other)?\s+|"
        r"the\s+(?:whole|wrong|entire)\s+|a\s+(?:different|random|wrong)\s+|other\s+|my\s+"
        r"employer|someone)"
        r"|\b(?:given|passed|sold|shared)\s+(?:my|our)\s+(?:\w+\s+){0,2}?(?:details|data|"
        r"information|info|number)\s+to\s+(?:others|other\s+companies|third\s+parties)\s+"
        r"without\b",
        0.8,
        "c",
    ),
)
RULE_TRIGGERS.update(
    {
        "en.delete_document": (
            "delet",
            "eras",
            "remov",
            "wip",
            "purg",
            "destroy",
            "scrub",
            "expung",
            "eliminat",
        ),
        "en.delete_me": ("delete", "erase", "remove", "wipe"),
        "en.no_more_offers": (
            "offer",
            "promo",
            "deal",
            "newsletter",
            "marketing",
            "mails",
            "email",
            "e-mail",
            "texts",
            "sms",
            "spam",
            "advert",
            "ads",
            "calls",
            "brochure",
            "catalogue",
            "updates",
            "agree",
            "consent",
            "list",
            "mailing",
        ),
        "en.what_do_you_have_on_me": (
            "what",
            "which",
            "how",
            "records",
            "files",
            "notes",
            "data",
            "information",
            "everything",
            "who",
        ),
        "en.new_contact": ("new", "put", "use", "add", "record", "note", "changed", "moved"),
        "en.add_contact": ("add",),
        "en.spelled_wrong": (
            "spel",
            "written",
            "down",
            "recorded",
            "registered",
            "listed",
            "wrong",
            "incorrect",
            "misspel",
        ),
        "en.dont_use_for_marketing": ("not", "don't", "never", "object"),
        "en.parent_of": (
            "mother",
            "father",
            "mum",
            "mom",
            "dad",
            "parent",
            "guardian",
            "legal",
            "his",
            "her",
        ),
        "en.may_deal_with_you": ("deal", "speak", "talk", "act", "communicate", "permission"),
        "en.sent_to_someone_else": (
            "sent",
            "emailed",
            "gave",
            "given",
            "shared",
            "forwarded",
            "showed",
            "passed",
            "disclosed",
            "leaked",
            "sold",
        ),
    }
)

#: Flags the first round's rules gain now that the checks exist (see ``lexicon.da``).
_MORE_FLAGS = {
    "en.delete_my_data": "h",
    "en.delete_it": "h",
    "en.correct_my_data": "bh",
    "en.my_data_is_wrong": "b",
    "en.inaccurate_data": "b",
    "en.my_new_address": "b",
    "en.update_it": "bh",
    "en.my_email_has_changed": "b",
}
RULES = tuple((t, n, p, w, f + _MORE_FLAGS.get(n, "")) for t, n, p, w, f in RULES)

# -- third round (dev3/) ------------------------------------------------------------------
RULES = RULES + (
    (
        T.CONSENT_WITHDRAWAL,
        "en.stop_the_emails",
        rf"\bstop\s+(?:the|your|all|these|those|all\s+the|all\s+your)\s+(?:\w+\s+)?{_NEWS2}\b",
        0.8,
        "f",
    ),
    (
        T.RECTIFICATION,
        "en.use_this_address",
        r"\buse\s+(?:this|my\s+new|the\s+new|my\s+other)\s+(?:e-?mail\s+)?(?:address|e-?mail|"
        r"number|phone\s+number)\b[^.?!\n]{0,30}?\b(?:from\s+now\s+on|instead|going\s+forward|"
        r"in\s+future|from\s+today)\b",
        0.75,
        "b",
    ),
    (
        T.RECTIFICATION,
        "en.it_is_out_of_date",
        r"\b(?:it|some\s+of\s+it|some\s+of\s+this|parts\s+of\s+it|that)\s+(?:is|are|was)\s+"
        r"(?:\w+\s+)?(?:out\s+of\s+date|outdated|wrong|incorrect|inaccurate)\b[^.?!\n]{0,60}?"
        r"\b(?:fix|fixed|correct|corrected|update|updated|change|changed)\b",
        0.75,
        "brh",
    ),
    (
        T.RESTRICTION,
        "en.dont_profile_me",
        r"\b(?:don't|do\s+not|not)\s+want\s+(?:you\s+)?to\s+(?:profile|track|analy[sz]e|target)\s+me\b"
        r"|\b(?:no|stop|don't\s+send\s+me)\s+(?:\w+\s+)?personali[sz]ed\s+(?:ads|advertising|"
        r"marketing|offers)\b|\bsend\s+me\s+personali[sz]ed\s+(?:ads|advertising)\b",
        0.8,
        "",
    ),
    (
        T.ACCESS,
        "en.send_me_what_you_have",
        r"\b(?:send|give|show|tell|email)\s+(?:me|us)\s+(?:\w+\s+)?(?:what|whatever|everything)\s+"
        r"(?:\w+\s+)?you\s+(?:have|hold|keep|store)\s+(?:on\s+file\s+)?(?:on|about|for)\s+"
        r"(?:me|us|him|her)\b",
        0.8,
        "",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "en.discuss_with_her",
        r"\byou\s+(?:can|may)\s+(?:discuss|talk\s+about|share|speak\s+about)\s+"
        r"[^.?!\n]{0,60}?\bwith\s+(?:her|him|them)\b",
        0.8,
        "t",
    ),
)
RULE_TRIGGERS.update(
    {
        "en.stop_the_emails": ("stop",),
        "en.use_this_address": ("use",),
        "en.it_is_out_of_date": ("out", "outdated", "wrong", "incorrect", "inaccurate"),
        "en.dont_profile_me": ("want", "personali"),
        "en.send_me_what_you_have": ("what",),
        "en.discuss_with_her": ("discuss", "talk", "share", "speak"),
    }
)

# -- the second opinion (``classify._paired``; see ``lexicon.da``) ------------------------
PAIR_DATA = (
    # "delete my last email": a message, not an address
    r"\bmy\s+(?!(?:last|latest|previous|earlier)\s+e-?mail)"
    r"(?:[\w']+\s+){0,2}?(?:data|details|information|info|account|profile|records?|"
    # "deleted it from my phone", "the photos on my phone": a device, not our records
    r"passport|photos?|pictures?|address|name|surname|(?<!from\smy\s)(?<!on\smy\s)phone|number|e-?mail|date\s+of\s+birth|"
    r"file)\b|\bpersonal\s+(?:data|information|details)\b"
    r"|\b(?:data|information|info|details|everything|anything)\s+(?:\w+\s+){0,4}?(?:about|on)\s+"
    r"me\b|\byour\s+(?:\w+\s+)?(?:database|system|records|files|register|crm|mailing\s+list)s?\b"
)
PAIR_LIST = (
    r"\b(?:newsletters?|mailing\s+lists?|marketing|promotions?|promos?|offers|adverts|"
    r"advertising|ads|sales\s+calls|new\s+trips|texts|promotional\s+\w+)\b"
)
#: (a substring anywhere in a word: "flybooking", "rejseforsikringen")
PAIR_BLOCK = (
    r"(?:booking|reservation|invoice|ticket|receipt|contract|itinerary|luggage|baggage|"
    r"payment|deposit|visa|insurance|airline|flight|app|portal|login|password|facebook|"
    r"instagram|linkedin|trustpilot|whatsapp|calendar|phone\s+died|placement|application|"
    r"reminder|vaccin)"
    r"|\b(?:do\s+you\s+need|you\s+need|need\s+from\s+me|i\s+sent|i've\s+sent|filled\s+in|"
    r"bring)\b"
)
PAIRS: tuple[tuple[T, str, str, str, float], ...] = (
    (
        T.ERASURE,
        "en.pair_delete",
        r"\b(?:delete|deleted\s+from|erase|remove|wipe|destroy|purge|forget|get\s+rid\s+of|"
        r"be\s+(?:deleted|removed|erased|forgotten)|(?:have|get)\s+(?:\w+\s+)?(?:deleted|removed|"
        r"erased))\b|\b(?:don't|do\s+not|no\s+longer)\s+want\s+to\s+be\s+(?:in|on|stored|kept)\b",
        "data",
        0.6,
    ),
    (
        T.ACCESS,
        "en.pair_access",
        r"\b(?:what|which|who|whom|whether|copy|see|(?<!let\syou\s)(?<!let\sus\s)know|access|"
        r"(?:do|did)\s+you\s+(?:still\s+)?"
        r"(?:have|hold|keep|store))\b",
        "data",
        0.6,
    ),
    (
        T.RECTIFICATION,
        "en.pair_correct",
        r"\b(?:correct|update|change|fix|amend|add|(?<!to\sthe\s)(?<!to\sa\s)wrong|incorrect|"
        r"misspel\w*|out\s+of\s+date|"
        r"outdated|is\s+now)\b",
        "data",
        0.6,
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "en.pair_unsubscribe",
        r"\b(?:unsubscribe|opt\s+out|stop|no\s+more|remove\s+me|take\s+me\s+off|(?:don't|do\s+not|"
        r"no\s+longer)\s+(?:want|wish|send|contact|e-?mail|call|text))\b",
        "list",
        0.6,
    ),
)
#: Word stems every ``PAIR_DATA`` or ``PAIR_LIST`` match holds (see ``lexicon.da``).
PAIR_TRIGGERS = (
    "data",
    "details",
    "information",
    "info",
    "account",
    "profile",
    "record",
    "passport",
    "photo",
    "picture",
    "address",
    "name",
    "surname",
    "phone",
    "number",
    "email",
    "e-mail",
    "date",
    "file",
    "personal",
    "everything",
    "anything",
    "database",
    "system",
    "records",
    "register",
    "crm",
    "mailing",
    "newsletter",
    "marketing",
    "promotion",
    "promo",
    "offers",
    "advert",
    "ads",
    "sales",
    "trips",
    "texts",
)

# -- fifth round (dev5/) ------------------------------------------------------------------
RULES = RULES + (
    (
        T.RECTIFICATION,
        "en.missing_from_my_profile",
        rf"\bmy\s+(?:\w+\s+)?(?:middle\s+name|{_CONTACT})\s+(?:is|are)\s+missing\s+(?:from|in|on)\s+"
        r"(?:my|your)\s+(?:profile|account|records?|file|system)\b",
        0.8,
        "b",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "en.rather_not_get",
        rf"\b(?:rather\s+not|prefer\s+not\s+to|don't\s+want\s+to|do\s+not\s+want\s+to)\s+(?:get|"
        rf"receive)\s+(?:\w+\s+){{0,3}}?{_NEWS2}\b",
        0.8,
        "f",
    ),
)
RULE_TRIGGERS.update(
    {
        "en.missing_from_my_profile": ("missing",),
        "en.rather_not_get": ("rather", "prefer", "don't", "not"),
    }
)

# -- sixth round (dev6/): general second-opinion objects (see ``lexicon.da``) -------------
PAIR_CONTACT = (
    r"\b(?:(?:call|calling|phone|phoning|ring|ringing|text|texting|e-?mail|e-?mailing|contact|"
    r"contacting|write\s+to|writing\s+to|send|sending|message|messaging)\s+me|calls|texts|"
    r"be\s+(?:contacted|called|phoned|rung|texted|e-?mailed)|"
    r"e-?mails|letters|messages|mailings|promos?|offers|deals)\b"
)
PAIR_EVENT = (
    r"\b(?:shared|sent|e-?mailed|circulated|meant\s+for|intended\s+for|gave|given|passed\s+on|"
    r"handed\s+(?:over|out)|sold|"
    r"leaked|disclosed|posted|"
    r"published|visible|exposed|told|lost|cc'?d|forwarded|used|added)\b"
)
PAIR_SENSITIVE = (
    r"\b(?:passport\w*|health|medical|diagnosis|illness|condition|address\w*|birthdays?|phone\s+number|"
    r"mobile\s+number|date\s+of\s+birth|photos?\s+of\s+me|pictures?\s+of\s+me|my\s+name)\b"
)
PAIR_RELATIVE = (
    rf"\b(?:about|on|for|of|regarding)\s+my\s+(?:\w+\s+)?{_REL}\b"
    r"|\b(?:as|i'?m|i\s+am)\s+(?:his|her|their)\s+(?:legal\s+)?(?:guardian|parents?|mother|"
    r"father|mum|mom|dad)\b"
    rf"|\bmy\s+(?:\w+\s+)?{_REL}'s\b"
)
SELF_SERVICE = r"\bhow\s+(?:do|can|could|should)\s+i|\bwhere\s+(?:\w+\s+){0,4}?can\s+i"
#: Our invitation to an event in the quote: a bare "unsubscribe" under it declines it.
INVITATION = (
    r"\b(?:sign\s+up|register\w*|rsvp|webinar\w*|event|invitation\w*|invite\w*|"
    r"information\s+evening|meeting)\b"
)
_DISPLEASED = (
    r"\b(?:not\s+(?:ok|okay|happy|acceptable|right|fine|cool)|unacceptable|outrageous|appall\w*|"
    r"disgust\w*|disgraceful|furious|angry|upset|illegal|unlawful|harassment|"
    r"unprofessional|shock\w*|should\s+never|no\s+right|"
    r"how\s+(?:did|could|can)\s+(?:this|that)\s+(?:happen|be)|(?:did\s+not|didn'?t)\s+agree|"
    r"never\s+(?:agreed|consented|gave\s+(?:\w+\s+)?(?:permission|consent))|"
    r"without\s+(?:my\s+|our\s+)?(?:consent|permission|asking|knowledge)|without\s+asking)\b"
)
PAIRS = PAIRS + (
    (
        T.CONSENT_WITHDRAWAL,
        "en.pair_contact",
        r"\b(?:stop|quit|cease|refrain\s+from|no\s+more|never\s+again|leave\s+me\s+alone|remove\s+me|"
        r"take\s+me\s+off|opt\s+(?:me\s+)?out|unsubscribe|(?<!who\s)(?<!they\s)(?:don'?t|dont|do\s+not|"
        r"doesn'?t|"
        r"no\s+longer)\s+(?:\w+\s+)?(?:want|wish|need|contact|call|phone|ring|e-?mail|text|send|"
        r"write|bother))\b(?!\s+to\s+(?:call|phone|ring|e-?mail|contact|write|text))",
        "contact",
        0.6,
    ),
    (T.COMPLAINT, "en.pair_complaint", _DISPLEASED, "event", 0.6),
    (
        T.RESTRICTION,
        "en.pair_restrict",
        r"\b(?:restrict\w*|limit\w*|object\s+to|only\s+(?:\w+\s+)?(?:use|used|process\w*)|"
        r"(?:don'?t|do\s+not|not\s+to|not\s+be)\s+(?:\w+\s+){0,2}?(?:use|used|process\w*|share|shared|"
        r"pass|passed|give|given|sell|sold|disclose\w*|hand))\b",
        "data",
        0.6,
    ),
    (
        T.ACCESS,
        "en.pair_who_has",
        r"\b(?:hold|held|(?:have|has)\s+you\s+(?:\w+\s+)?(?:shared|given|sold|passed))\b",
        "data",
        0.6,
    ),
    (
        T.RECTIFICATION,
        "en.pair_changed",
        r"\b(?:changed\s+to|(?:'s|has)\s+changed|new\s+one\s+is)\b",
        "data",
        0.6,
    ),
)
#: "records you hold on my niece": data about a relative is an object too.
PAIR_DATA = (
    PAIR_DATA
    + rf"|\b(?:records?|data|information|details|file)\s+(?:\w+\s+){{0,3}}?(?:on|about)\s+my\s+"
    rf"(?:\w+\s+)?{_REL}\b|\bmy\s+e-?mail'?s\b"
)
PAIR_CONTACT_TRIGGERS = (
    "call",
    "phone",
    "ring",
    "text",
    "e-mail",
    "email",
    "contact",
    "write",
    "writing",
    "send",
    "sending",
    "message",
    "messaging",
    "mailings",
    "promo",
    "offers",
    "deals",
    "emails",
    "e-mails",
    "letters",
    "rung",
)
PAIR_TRIGGERS = PAIR_TRIGGERS + (
    "records",
    "birthday",
    "passport",
    "health",
    "medical",
    "diagnosis",
    "illness",
    "condition",
    "mobile",
)
#: The writer as the one who did something with the data ("I gave my passport to …").
FIRST_PERSON = r"\b(?:i|we)\s+(?:have\s+|had\s+|'ve\s+)?(?:just\s+|already\s+|also\s+)?"
#: Word stems every ``PAIR_RELATIVE`` match holds.
PAIR_RELATIVE_TRIGGERS = (*_REL_STEMS, "guardian")
#: Using the data for a purpose: with a mailing-list word, an objection (restriction).
PAIR_USE = r"\b(?:use|used|using|process|processed)\s+(?:\w+\s+){0,4}?for\b"
#: A short next sentence that points back to the data ("Få det slettet.", "Delete them.").
PAIR_FOLLOW = r"\b(?:they|them|it|those)\b"

# -- fourth round (dev10/): wider vocabularies for writers the rounds before never met ----
# Every addition is a kind of wording, not one mail's phrase: who-else questions about
# what we hold, "everything"/"both"/"take it down" as objects, "never consented" as the
# complaint the README labels it, writers acting at someone's request, inflected actions
# ("amending your records"), objections to sharing, and more ways of being unhappy.
ANTECEDENT = (
    ANTECEDENT
    + r"|\b(?:records?|system|file|profile|database)\s+(?:\w+\s+)?(?:shows?|says|lists?|has|"
    r"have)\s+me\s+(?:down\s+)?as\b|\byou\s+(?:still\s+)?have\s+me\s+(?:down\s+|listed\s+|"
    r"registered\s+)?as\b|\b(?:photos?|pictures?|images?|videos?)\s+(?:\w+\s+)?of\s+(?:me|us|"
    r"him|her)\b"
)
_SHARE_ING = r"(?:sharing|selling|passing|giving|disclosing|handing|using|processing)"
RULES = RULES + (
    (
        T.ACCESS,
        "en.who_else_sees_it",
        r"\bwho\s+(?:else\s+|actually\s+|exactly\s+|all\s+)?(?:can|could|will|gets?\s+to|is\s+able\s+"
        r"to|(?:has|have)\s+access\s+to|(?:has|have)\s+seen|sees|reads)\s+(?:see\s+|access\s+|"
        r"read\s+|view\s+)?(?:my|that|this|these|those|it|them)\b"
        r"|\bwho\s+(?:else\s+)?(?:did|have|has|do)\s+you\s+(?:\w+\s+)?(?:give|gave|given|share|"
        r"shared|pass|passed|send|sent|sell|sold|show|shown|disclose\w*|forward\w*)\s+(?:it|them|"
        r"this|that|those)\s+(?:on\s+)?(?:to|with)\b"
        r"|\bwho\s+else\s+(?:has|have|got|gets|received)\s+(?:my|it|them|this|that)\b",
        0.8,
        "r",
    ),
    (
        T.ERASURE,
        "en.delete_everything",
        r"\b(?:delete|erase|remove|wipe|destroy)\s+(?:it\s+all|everything|all\s+of\s+(?:it|that|"
        r"them|this)|all\s+(?:that|this)|the\s+lot)\b",
        0.75,
        "rq",
    ),
    (
        T.ERASURE,
        "en.take_it_down",
        r"\btake\s+(?:it|them|this|that|those|these|(?:the|my)\s+(?:\w+\s+)?(?:photos?|pictures?|"
        r"post|posts|images?|videos?|page))\s+(?:down|offline)\b"
        r"|\btake\s+down\s+(?:the|my|those|these|this|that)\s+(?:\w+\s+)?(?:photos?|pictures?|"
        r"post|posts|images?|videos?)\b",
        0.75,
        "rqh",
    ),
    (
        T.ERASURE,
        "en.delete_photos_of_him",
        rf"{_ERASE}\W+(?:\w+\W+){{0,3}}?(?:photos?|pictures?|images?|videos?|footage)\s+(?:\w+\s+)?"
        rf"(?:of|showing)\s+(?:me|us|him|her|my\s+(?:\w+\s+)?{_REL})\b"
        rf"|\b(?:photos?|pictures?|images?|videos?)\s+(?:of|showing)\s+(?:me|us|him|her|my\s+"
        rf"(?:\w+\s+)?{_REL})\b[^.?!\n]{{0,60}}?\b(?:deleted|removed|taken\s+down|erased)\b",
        0.75,
        "qh",
    ),
    (
        T.ERASURE,
        "en.want_it_gone",
        r"\b(?:want|like|need|wish)\s+(?:my|our|all\s+my|the)\s+(?:\w+\s+)?(?:data|details|information|"
        r"info|account|profile|records?|file|photos?|pictures?|cv|everything)\b"
        r"(?!\s+(?:from|off)\s+(?:the\s+|this\s+|your\s+)?(?:\w+\s+)?(?:group|chat|whatsapp|trip|"
        r"booking|list))[^.?!\n]{0,50}?\b(?:gone|deleted|erased|removed|wiped)\b",
        0.75,
        "q",
    ),
    (
        T.CONSENT_WITHDRAWAL,
        "en.withdraw_it",
        r"\b(?:withdraw|revoke|retract|rescind|take\s+back)\s+(?:that|it|this)\b"
        r"(?!\s+(?:booking|application|order|offer|payment|request))",
        0.7,
        "r",
    ),
    (
        T.RECTIFICATION,
        "en.the_data_you_have_is_wrong",
        rf"\b{_CONTACT}\s+(?:that\s+)?you\s+(?:have|hold|keep|got|use|list)\s+(?:\w+\s+){{0,3}}?"
        r"(?:for|on|about|of)\s+me\s+(?:is|are|was|were)\s+(?:\w+\s+){0,2}?(?:wrong\w*|incorrect|"
        r"inaccurate|off|old|outdated|out\s+of\s+date|misspel\w*|not\s+(?:right|correct))\b",
        0.8,
        "b",
    ),
    (
        T.RECTIFICATION,
        "en.update_both",
        rf"{_RECTIFY}\s+(?:\w+\s+)?(?:both|these|all\s+(?:of\s+)?(?:it|them|that|this))\b",
        0.75,
        "rbh",
    ),
    (
        T.RESTRICTION,
        "en.stop_sharing_my_data",
        rf"\b(?:stop|cease|quit)\s+(?:\w+\s+)?{_SHARE_ING}\s+(?:on\s+|over\s+)?(?:\w+\s+){{0,2}}?"
        r"(?:my|our)\s+(?:\w+\s+){0,2}?(?:data|information|info|details|records|address|number|"
        r"photos?|pictures?|e-?mail\s+address)\b",
        0.8,
        "",
    ),
    (
        T.COMPLAINT,
        "en.never_consented",
        # only consent to a use of data, or a bare "I never consented.": "I never signed up
        # for the wine excursion" and "never gave permission for the extra charge" are
        # about a booking
        r"\bi\s+(?:have\s+|had\s+)?never\s+(?:ever\s+)?(?:(?:consented|opted\s+in|subscribed)"
        r"(?=\s*(?:[.!?,;)]|\n|$|and\b|but\b))"
        r"|(?:consented|opted\s+in|subscribed|signed\s+up|(?:gave|given)\s+(?:you\s+|anyone\s+)?"
        r"(?:my\s+)?(?:consent|permission))\s+(?:\w+\s+){0,2}?(?:to|for|with)\s+(?:\w+\s+){0,2}?"
        r"(?:use|using|share|sharing|publish\w*|post\w*|send\w*|stor\w*|keep\w*|contact\w*|"
        r"call\w*|text\w*|e-?mail\w*|sell\w*|pass\w*|process\w*|newsletters?|marketing|mailing\w*|"
        r"texts|sms|messages|being\s+\w+|any\s+of\s+(?:this|that|it)|my\s+(?:\w+\s+)?(?:data|"
        r"details|information|number|address|photos?|pictures?))\b)",
        0.75,
        "c",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "en.at_her_request",
        r"\b(?:at\s+the\s+(?:request|behest)\s+of|on\s+(?:his|her|their)\s+behalf"
        r"|(?:has|have|had)\s+asked\s+(?:me|us)\s+to\s+(?:write|contact|ask|request|let\s+you|tell|"
        r"inform|email|e-mail|get\s+in|deal|handle|sort|pass)"
        r"|(?:asked|wants|wanted)\s+me\s+to\s+(?:write|contact|ask|request|let\s+you|tell|inform|"
        r"email|e-mail|get\s+in|deal\s+with|handle|sort|take\s+care))\b",
        0.75,
        "s",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "en.his_name",
        r"\b(?:his|her)\s+(?:\w+\s+)?(?:surname|last\s+name|first\s+name|middle\s+name|"
        r"date\s+of\s+birth|home\s+address|e-?mail\s+address|phone\s+number)\b",
        0.7,
        "st",
    ),
)
RULE_TRIGGERS.update(
    {
        "en.who_else_sees_it": ("who",),
        "en.delete_everything": ("delete", "erase", "remove", "wipe", "destroy"),
        "en.take_it_down": ("down", "offline"),
        "en.delete_photos_of_him": (
            "delet",
            "eras",
            "remov",
            "wip",
            "purg",
            "destroy",
            "scrub",
            "expung",
            "eliminat",
            "photo",
            "picture",
            "image",
            "video",
        ),
        "en.want_it_gone": ("gone", "deleted", "erased", "removed", "wiped"),
        "en.withdraw_it": ("withdraw", "revoke", "retract", "rescind", "back"),
        "en.the_data_you_have_is_wrong": (
            "wrong",
            "incorrect",
            "inaccurate",
            "off$",
            "old$",
            "outdated",
            "out$",
            "misspel",
            "not$",
        ),
        "en.update_both": ("correct", "rectif", "updat", "chang", "amend", "fix", "modif"),
        "en.stop_sharing_my_data": ("stop", "cease", "quit"),
        "en.never_consented": ("never",),
        "en.at_her_request": ("request", "behest", "behalf", "asked", "wants", "wanted"),
        "en.his_name": ("his", "her"),
    }
)
#: "Thanks for deleting my data": our own deed acknowledged, not a request (flag ``h``).
PERFECT_SECOND = (
    PERFECT_SECOND + r"|\bthanks?\s+(?:you\s+)?(?:so\s+much\s+|very\s+much\s+|a\s+lot\s+)?for"
)
OFFER_RULES = OFFER_RULES + (
    (
        T.ERASURE,
        "en.offer_erasure_about_you",
        r"\b(?:delet\w*|eras\w*|remov\w*)\W+(?:\w+\W+){0,2}?(?:data|information|details)\W+"
        r"(?:\w+\W+){0,3}?(?:about|on|for)\W+you\b",
        0.7,
        "",
    ),
)

# The second opinion's vocabularies, wider: inflected actions, objects without "my"
# ("photos of me", a CV), ways data gets out ("shown", "put up", "read out"), and more
# ways of being unhappy about it.
PAIR_DATA = (
    PAIR_DATA
    + r"|\b(?:photos?|pictures?|images?|videos?)\s+(?:\w+\s+)?(?:of|showing)\s+(?:me|us)\b"
    r"|\bmy\s+(?:\w+\s+)?(?:cv|résumé|resume)\b"
)
PAIR_TRIGGERS = PAIR_TRIGGERS + (
    "image",
    "video",
    "cv",
    "resume",
    "résumé",
    "allerg",
    "medication",
    "epilep",
    "diabet",
    "disabilit",
    "pregnan",
)
PAIR_EVENT = (
    PAIR_EVENT + r"|\b(?:shown|showed|revealed|read\s+out|mentioned|put|obtained|got\s+hold\s+of|"
    r"did\s+you\s+get)\b"
)
PAIR_SENSITIVE = (
    PAIR_SENSITIVE
    + r"|\b(?:cv|résumé|allerg\w*|medication|epilep\w*|diabet\w*|disabilit\w*|pregnan\w*)\b"
)
PAIRS = PAIRS + (
    (
        T.ERASURE,
        "en.pair_delete",
        r"\b(?:want|like|need|wish)\b[^.?!\n]{0,60}?\b(?:gone|deleted|removed|erased|wiped)\b"
        r"|\btake\s+(?:\w+\s+){0,3}?down\b",
        "data",
        0.6,
    ),
    (
        T.RECTIFICATION,
        "en.pair_correct",
        r"\b(?:amending|amended|correcting|updating|fixing|rectify\w*|(?:is|are)\s+off\s+by)\b",
        "data",
        0.6,
    ),
    (
        T.RESTRICTION,
        "en.pair_restrict",
        rf"\b(?:stop|cease|quit)\s+(?:\w+\s+)?{_SHARE_ING}\b",
        "data",
        0.6,
    ),
    (
        T.COMPLAINT,
        "en.pair_complaint",
        r"\b(?:creepy|not\s+impressed|disappoint\w*|horrified|mortified|embarrass\w*|humiliat\w*|"
        r"invasion|should(?:\s+not|n'?t)\s+(?:have\s+)?(?:happen\w*|be\s+possible)|"
        r"(?:was|were)\s+never\s+asked|nobody\s+asked|no\s*one\s+asked|without\s+being\s+asked|"
        r"(?:from|to|by)\s+(?:total\s+|complete\s+)?strangers|"
        r"people\s+i\s+(?:don'?t|do\s+not)\s+(?:even\s+)?know|how\s+dare)\b",
        "event",
        0.6,
    ),
)

# -- fourth round, second batch (dev10/*-s*): what the first additions still missed -------
ANTECEDENT = ANTECEDENT + r"|\bpassport\s+(?:copies|scans|photos|details)\b"
_PASSED = r"(?:used|processed|shared|passed\s+on|given|sold|sent|disclosed|handed\s+over)"
_THEIR_DATA = (
    r"(?:\w+\s+){0,2}?(?:data|information|info|details|photos?|pictures?|address|number|"
    r"records|e-?mail\s+address)"
)
RULES = RULES + (
    (
        T.RESTRICTION,
        "en.doesnt_want_it_shared",
        r"\b(?:do\s+not|don't|does\s+not|doesn't|doesnt|dont)\s+want\s+(?:my|our)\s+"
        rf"{_THEIR_DATA}\s+(?:to\s+be\s+)?{_PASSED}\b",
        0.8,
        "",
    ),
    (
        T.RESTRICTION,
        "en.doesnt_want_his_shared",
        r"\b(?:do\s+not|don't|does\s+not|doesn't|doesnt|dont)\s+want\s+(?:his|her|their)\s+"
        rf"{_THEIR_DATA}\s+(?:to\s+be\s+)?{_PASSED}\b",
        0.8,
        "t",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "en.her_assistant",
        r"\b(?:i'm|i\s+am|as)\s+(?:\w+\s+){1,3}?\w+(?:'s|’s)\s+(?:personal\s+)?(?:assistant|"
        r"secretary|pa|representative|carer|caregiver|executor)\b"
        r"|\b(?:'s|’s|'ve|’ve|has|have|had)\s+asked\s+(?:me|us)\s+to\b"
        r"|\bas\s+(?:the\s+)?executor\b",
        0.75,
        "s",
    ),
    (
        T.ACCESS,
        "en.what_do_you_do_with",
        r"\bwhat\s+(?:do|will|did|does)\s+(?:you|your\s+company)\s+do\s+with\s+(?:the\s+|my\s+|our\s+|"
        r"all\s+(?:the\s+|my\s+)?)(?:\w+\s+){0,2}?(?:data|information|info|details|passport\w*|"
        r"scans?|copies|photos?\s+of\s+(?:me|us)|medical\s+\w+|health\s+\w+|records?|cv)\b",
        0.75,
        "",
    ),
    (
        T.ACCESS,
        "en.do_you_still_have_it",
        r"\b(?:do|did)\s+you\s+still\s+(?:have|hold|keep|store)\s+(?:mine|it|them|those|these|"
        r"that)\b",
        0.75,
        "r",
    ),
    (
        T.RECTIFICATION,
        "en.it_is_a_not_b",
        rf"\bmy\s+(?:\w+\s+)?{_CONTACT}\s+is\s+[^.?!\n]{{1,40}}?,?\s+not\s+[^.?!\n]{{1,30}}?"
        r"\b(?:as\s+(?:in|on)\s+(?:your|my)|you\s+have|you've\s+got|in\s+your)\b",
        0.75,
        "b",
    ),
    (
        T.RECTIFICATION,
        "en.his_is_a_not_b",
        rf"\b(?:his|her)\s+(?:\w+\s+)?{_CONTACT}\s+is\s+[^.?!\n]{{1,40}}?,?\s+not\s+"
        r"[^.?!\n]{1,30}?\b(?:as\s+(?:in|on)\s+(?:your|his|her)|you\s+have|you've\s+got|"
        r"in\s+your)\b",
        0.75,
        "bt",
    ),
)
RULE_TRIGGERS.update(
    {
        "en.doesnt_want_it_shared": ("not", "don't", "doesn't", "doesnt", "dont"),
        "en.doesnt_want_his_shared": ("not", "don't", "doesn't", "doesnt", "dont"),
        "en.her_assistant": (
            "assistant",
            "secretary",
            "pa$",
            "representative",
            "carer",
            "caregiver",
            "executor",
            "asked",
        ),
        "en.what_do_you_do_with": ("what",),
        "en.do_you_still_have_it": ("still",),
        "en.it_is_a_not_b": ("not",),
        "en.his_is_a_not_b": ("not",),
    }
)
PAIR_DATA = (
    PAIR_DATA + r"|\bmy\s+mobile\b"
    r"|\b(?:info|information|data|details)\s+(?:that\s+)?"
    r"i\s+(?:gave|provided|submitted|filled\s+in|uploaded)\b"
)
PAIR_CONTACT = PAIR_CONTACT + r"|\bhear\s+from\s+(?:you|your\s+\w+)\b"
PAIR_CONTACT_TRIGGERS = PAIR_CONTACT_TRIGGERS + ("hear",)
PAIR_EVENT = (
    PAIR_EVENT
    + r"|\b(?:lying\s+around|left\s+(?:out|open|lying)|for\s+(?:anyone|everyone|all)\s+to\s+see|"
    r"(?:anyone|everyone)\s+could\s+see)\b"
    r"|\b(?:how|why)\s+(?:on\s+earth\s+)?(?:does|do|did|would|could|can|has|have)\s+(?:\w+\s+){1,6}?"
    r"(?:have|has|got|get|know|knows)\b"
)
PAIRS = PAIRS + (
    (
        T.ERASURE,
        "en.pair_delete",
        r"\bnothing\s+(?:\w+\s+){0,3}?(?:is\s+|gets\s+)?(?:left|remains|kept|stored|stays)\b"
        r"|\b(?:not|no\s+longer)\s+be\s+(?:kept|stored|held|retained)\b",
        "data",
        0.6,
    ),
    (
        T.COMPLAINT,
        "en.pair_complaint",
        r"\b(?:disgrace\w*|scandal\w*|irresponsible|careless|negligen\w*|unbelievable)\b",
        "event",
        0.6,
    ),
)

# -- fourth round, fourth batch (dev10/*-p*): registers the earlier batches lacked --------
# "whatever you've got stored on me", "scrub me from your system", "a typo in my last
# name", "keep my data only for …", "I don't consent to my information being used for
# profiling", "swap it for …", and more complaint signals ("in confidence", "hardly
# professional", "don't share it again").
ANTECEDENT = ANTECEDENT + r"|\beverything\b[^.?!\n]{0,30}?\b(?:on|about)\s+me\b"
_HOLD = (
    r"(?:have|has|hold|holds|keep|keeps|store|stores|stored|saved|collected|got|recorded|"
    r"registered|on\s+file)"
)
#: What one asks to be given: "everything you have on me" after "wipe" is erasure's object.
_ASK_FOR = (
    # "email" only as a verb ("email me what …"): "my last email and everything you hold
    # about me" names a mail, not an asking verb
    r"\b(?:send|shoot|give|show|tell|e-?mail(?=\s+(?:me|us)\b)|forward|get(?!\s+rid)|see|know|"
    r"access|copy\s+of|"
    r"list\s+of|overview\s+of|provide|asking\s+for|ask\s+for|request\w*)\s+(?:me\s+|us\s+)?"
    r"(?:over\s+|across\s+|through\s+)?(?:\w+\s+){0,2}?"
)
RULES = RULES + (
    (
        T.ACCESS,
        "en.whatever_you_have_on_me",
        rf"{_ASK_FOR}(?:what(?:ever)?|everything|anything)\s+(?:(?:that|which)\s+)?(?:you|you've|"
        r"you\s+have|your\s+(?:company|system|team|database|records))\s+(?:\w+\s+){0,3}?"
        rf"{_HOLD}\s+(?:\w+\s+){{0,2}}?(?:on|about)\s+me\b",
        0.8,
        "",
    ),
    (
        T.ACCESS,
        "en.whatever_you_have_on_him",
        rf"{_ASK_FOR}(?:what(?:ever)?|everything|anything)\s+(?:(?:that|which)\s+)?(?:you|you've|"
        r"you\s+have)\s+"
        rf"(?:\w+\s+){{0,3}}?{_HOLD}\s+(?:\w+\s+){{0,2}}?(?:on|about)\s+(?:him|her|them|my\s+"
        rf"(?:\w+\s+)?{_REL})\b",
        0.8,
        "t",
    ),
    (
        T.ERASURE,
        "en.scrub_me",
        r"\b(?:scrub|strike|purge|clear|get|take|wipe)\s+me\s+(?:out\s+of|off|from)\s+(?:all\s+)?"
        r"(?:of\s+)?(?:your\s+)?(?:\w+\s+)?(?:database|system|records|files|register|crm|"
        r"customer\s+(?:file|list|database))s?\b",
        0.8,
        "q",
    ),
    (
        T.RECTIFICATION,
        "en.typo_in_my_name",
        rf"\b(?:typo|mistake|error|misspelling)\s+in\s+(?:my|his|her)\s+(?:\w+\s+)?{_CONTACT}\b"
        rf"|\bmy\s+(?:\w+\s+)?{_CONTACT}\s+(?:\w+\s+){{0,4}}?should\s+(?:read|be|say)\b",
        0.8,
        "b",
    ),
    (
        T.RECTIFICATION,
        "en.swap_it",
        r"\b(?:swap|switch|replace|change)\s+(?:it|that|this|them)\s+(?:for|to|with)\b",
        0.7,
        "rbh",
    ),
    (
        T.RESTRICTION,
        "en.keep_only_for",
        r"\b(?:keep|use|store|hold|process)\s+my\s+(?:\w+\s+){0,2}?(?:data|information|details|"
        r"info)\s+(?:\w+\s+)?only\s+(?:for|to)\b"
        r"|\bonly\s+(?:keep|use|store|hold|process)\s+my\s+(?:\w+\s+){0,2}?(?:data|information|"
        r"details|info)\s+(?:for|to)\b",
        0.8,
        "",
    ),
    (
        T.RESTRICTION,
        "en.dont_consent_to_use",
        r"\b(?:do\s+not|don't|dont)\s+(?:consent|agree)\s+to\s+(?:my|our|you)\s+(?:\w+\s+){0,2}?"
        r"(?:(?:data|information|details|info|photos?)\s+)?(?:being\s+)?(?:used|using|processed|"
        r"processing|shared|sharing|sold|selling|passed)\b",
        0.8,
        "",
    ),
)
RULE_TRIGGERS.update(
    {
        "en.whatever_you_have_on_me": ("what", "everything", "anything"),
        "en.whatever_you_have_on_him": ("what", "everything", "anything"),
        "en.scrub_me": ("database", "system", "records", "files", "register", "crm", "customer"),
        "en.typo_in_my_name": ("typo", "mistake", "error", "misspelling", "should"),
        "en.swap_it": ("swap", "switch", "replace", "change"),
        "en.keep_only_for": ("only",),
        "en.dont_consent_to_use": ("not", "don't", "dont"),
    }
)
PAIR_CONTACT = (
    PAIR_CONTACT
    + r"|\b(?:contacting|calling|phoning|ringing|texting|e-?mailing|writing\s+to|sending)\s+"
    r"(?:him|her|them)\b"
)
PAIR_CONTACT_TRIGGERS = PAIR_CONTACT_TRIGGERS + (
    "contacting",
    "calling",
    "phoning",
    "ringing",
    "texting",
    "emailing",
    "e-mailing",
)
PAIR_EVENT = PAIR_EVENT + r"|\b(?:printed|went\s+(?:out\s+)?to\s+(?:every\w*|all|the\s+whole))\b"
PAIRS = PAIRS + (
    (
        T.ERASURE,
        "en.pair_delete",
        r"\bscrub\w*\b",
        "data",
        0.6,
    ),
    (
        T.COMPLAINT,
        "en.pair_complaint",
        r"\b(?:in\s+confidence|confidential(?:ly)?|hardly\s+professional|not\s+(?:very\s+)?"
        r"professional|sloppy|amateur\w*|(?:don'?t|do\s+not|never)\s+(?:\w+\s+)?(?:share|send|"
        r"publish|post|do)\s+(?:it|this|that|them)\s+again)\b",
        "event",
        0.6,
    ),
)

# -- fourth round, fifth batch (dev10/*-v*) -----------------------------------------------
THIRD_PARTY_CUE = (
    THIRD_PARTY_CUE
    + r"|\bwith\s+(?:his|her|their)\s+(?:\w+\s+)?(?:consent|authori[sz]ation|permission)\b"
    r"|\b(?:social|support|case)\s+worker\b"
)
RULES = RULES + (
    (
        T.RECTIFICATION,
        "en.you_spelled_my_name",
        r"\b(?:you've|you\s+have|you)\s+(?:\w+\s+)?(?:spelled|spelt|misspelled|misspelt|written|got|"
        rf"recorded|listed|entered|typed)\s+my\s+(?:\w+\s+)?{_CONTACT}\b[^.?!\n]{{0,50}}?"
        r"\b(?:but|wrong\w*|incorrect\w*|should|instead)\b",
        0.8,
        "b",
    ),
    (
        T.RECTIFICATION,
        "en.could_that_be_fixed",
        r"\b(?:it|that|this|they|these|those)\s+(?:\w+\s+)?(?:be|get|gets|got)\s+(?:fixed|"
        r"corrected|updated|changed|amended|rectified)\b",
        0.7,
        "rbh",
    ),
    (
        T.RESTRICTION,
        "en.used_only_for",
        r"\bmy\s+(?:\w+\s+){0,2}?(?:data|information|details|info)\s+(?:is|are|will\s+be|get|gets)\s+"
        r"(?:only\s+used|used\s+only)\s+(?:for|to)\b",
        0.8,
        "",
    ),
    (
        T.ACCESS,
        "en.whether_you_still_hold",
        r"\bwhether\s+(?:or\s+not\s+)?(?:you're|you\s+are|you)\s+(?:still\s+)?(?:process|hold|stor|"
        r"keep|collect|retain)\w*\s+(?:any\s+(?:of\s+)?)?(?:my|our)\s+(?:\w+\s+){0,2}?(?:data|"
        r"information|info|details|records?|passport\w*|photos?)\b",
        0.8,
        "",
    ),
    (
        T.ACCESS,
        "en.copy_of_his_data",
        r"\b(?:copy|copies|list|overview)\s+of\s+(?:\w+\s+){0,2}?(?:data|information|info|details|"
        r"records|files?)\s+(?:that\s+)?(?:you\s+)?(?:\w+\s+)?(?:hold|have|keep|store)\s+(?:on|about)\s+"
        rf"(?:him|her|them|my\s+(?:\w+\s+)?{_REL})\b",
        0.8,
        "t",
    ),
    (
        T.THIRD_PARTY_AUTHORISATION,
        "en.with_his_consent",
        r"\bwith\s+(?:his|her|their)\s+(?:\w+\s+)?(?:consent|authori[sz]ation|permission)\b"
        r"|\b(?:social|support|case)\s+worker\b",
        0.75,
        "s",
    ),
)
RULE_TRIGGERS.update(
    {
        "en.you_spelled_my_name": (
            "spelled",
            "spelt",
            "misspelled",
            "misspelt",
            "written",
            "got",
            "recorded",
            "listed",
            "entered",
            "typed",
        ),
        "en.could_that_be_fixed": (
            "fixed",
            "corrected",
            "updated",
            "changed",
            "amended",
            "rectified",
        ),
        "en.used_only_for": ("only",),
        "en.whether_you_still_hold": ("process", "hold", "stor", "keep", "collect", "retain"),
        "en.copy_of_his_data": ("him$", "her$", "them$", *_REL_STEMS),
        "en.with_his_consent": ("consent", "authori", "permission", "social", "support", "case"),
    }
)
PAIRS = PAIRS + (
    (
        T.COMPLAINT,
        "en.pair_complaint",
        r"\b(?:inappropriate|not\s+appropriate|out\s+of\s+(?:order|line)|express\w*\s+my\s+concern|"
        r"strangers|(?:didn'?t|did\s+not|never)\s+sign\s+up\s+for\s+(?:that|this|it))\b",
        "event",
        0.6,
    ),
)

# -- thirteenth round (dev81, dev82): a child kept out of photos, a photo held back until
# the writer says so, a record to update
RULES = RULES + (
    (
        T.CONSENT_WITHDRAWAL,
        "en.not_in_photos",
        r"\b(?:not|never)\s+(?:to\s+)?(?:appear|be\s+shown|be\s+featured|feature)\s+in\s+(?:any\s+)?"
        r"(?:of\s+(?:the|your)\s+)?(?:photos|pictures|videos|images|photographs)\b",
        0.75,
        "",
    ),
    (
        T.RESTRICTION,
        "en.not_until_i_say",
        r"\b(?:prefer|rather)\s+(?:that\s+)?you\s+(?:do\s+not|don't|didn't|did\s+not)\s+"
        r"(?:send|share|show|pass\s+on|give\s+out)\s+my\s+(?:photo|picture|details|data|profile|"
        r"information|info)\b",
        0.75,
        "",
    ),
    (
        T.RECTIFICATION,
        "en.update_his_file",
        rf"{_RECTIFY}\s+(?:my|his|her|their|our)\s+(?:file|records?|registration|"
        r"details\s+on\s+file)\b",
        0.7,
        "",
    ),
)
RULE_TRIGGERS.update(
    {
        "en.not_in_photos": ("appear", "shown", "featur"),
        "en.not_until_i_say": ("prefer", "rather"),
        "en.update_his_file": ("correct", "rectif", "updat", "chang", "amend", "fix", "modif"),
    }
)

#: "What information do you need from me for the visa?" (see da.ASKS_WHAT_WE_NEED).
ASKS_WHAT_WE_NEED = r"\b(?:what|which\s+\w+)\s+(?:\w+\s+){0,2}?(?:do|would|will)\s+you\s+need\b"

#: "I withdraw my consent", "erase my personal data" (see da.EXPLICIT_REQUEST).
EXPLICIT_REQUEST = (
    r"\bi\s+(?:hereby\s+)?withdraw\s+(?:all\s+)?(?:of\s+)?my\s+consent\b"
    r"|\b(?:erase|delete|remove)\s+(?:all\s+(?:of\s+)?)?my\s+personal\s+(?:data|information|details)\b"
)
