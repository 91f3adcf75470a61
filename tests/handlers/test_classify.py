"""Realistic Danish and English mails to info@, requests and hard negatives.

Most are Danish because no public Danish request letters exist to borrow; they are
written the way customers write: formal, sloppy, without æøå, mixed into an ordinary
question, several requests at once, a parent writing for a child.
"""

from __future__ import annotations

import pytest

from handlers.classify import classify, classify_text
from handlers.values import Channel, Inbound, RequestType

T = RequestType
NOT = (T.NOT_PRIVACY,)


def _mail(text: str, subject: str = "", language: str = "da", quoted: str = "") -> Inbound:
    return Inbound(
        channel=Channel.SMTP,
        external_id="x",
        message_id=None,
        sender="a@b.dk",
        sender_name="",
        recipients=(),
        subject=subject,
        text=text,
        quoted=quoted,
        language=language,
    )


# (subject, text, labels, a phrase that must appear in the evidence)
REQUESTS = [
    # typed on a phone
    (
        "hej",
        "kan i slete mine oplysniger, jeg har ik bug for jer mer. tak",
        {T.ERASURE},
        "slete mine oplysniger",
    ),
    (
        "blog post",
        "Hi! I'm taking back my consent for the blog post about my year in Sydney.",
        {T.CONSENT_WITHDRAWAL},
        "taking back my consent",
    ),
    (
        "Sletning",
        "Hej. Jeg vil gerne have slettet alle mine oplysninger hos jer. Mvh Mette",
        {T.ERASURE},
        "slettet alle mine oplysninger",
    ),
    (
        "",
        "hej kan i slette mine oplysningar, jeg skal ikk på tur alligevel. mvh kasper",
        {T.ERASURE},
        "slette mine oplysningar",
    ),
    (
        "",
        "Hej! Jeg vil gerne traekke mit samtykke tilbage, og I maa gerne slette min profil.",
        {T.CONSENT_WITHDRAWAL, T.ERASURE},
        "traekke mit samtykke tilbage",
    ),
    (
        "Min søn",
        "Hej. Jeg skriver på vegne af min søn Oliver (17). Vi vil gerne have, at I "
        "sletter hans oplysninger. Venlig hilsen Hanne",
        {T.THIRD_PARTY_AUTHORISATION, T.ERASURE},
        "på vegne af min søn",
    ),
    (
        "",
        "Hvilke oplysninger har I registreret om mig? Og hvornår starter programmet i Sydney?",
        {T.ACCESS},
        "Hvilke oplysninger har I registreret",
    ),
    (
        "Anmodning om persondataudtræk",
        "Til ALOTTbetter ApS\n\nJeg anmoder hermed om indsigt i "
        "de personoplysninger, I behandler om mig, jf. artikel 15 i GDPR.\n\nMed venlig hilsen\n"
        "Jens Holm",
        {T.ACCESS},
        "persondataudtræk",
    ),
    (
        "",
        "Mit efternavn er stavet forkert i jeres system, det hedder Sørensen med ø. Kan I "
        "rette det?",
        {T.RECTIFICATION},
        "Mit efternavn er stavet forkert",
    ),
    (
        "Ny adresse",
        "Kan I opdatere min adresse til Vestergade 4, 8000 Aarhus C? Tak!",
        {T.RECTIFICATION},
        "opdatere min adresse",
    ),
    (
        "",
        "Afmeld venligst jeres nyhedsbrev, jeg vil ikke modtage flere mails.",
        {T.CONSENT_WITHDRAWAL},
        "nyhedsbrev",
    ),
    (
        "",
        "Jeg gør hermed indsigelse mod jeres brug af mine oplysninger til markedsføring.",
        {T.RESTRICTION},
        "indsigelse",
    ),
    (
        "Klage",
        "Jeg vil klage over jeres behandling af mine personoplysninger. I har sendt "
        "mit pas til en anden kunde!",
        {T.COMPLAINT},
        "klage",
    ),
    (
        "",
        "Til orientering: Jeg har klaget til Datatilsynet over, at I ikke har slettet mine "
        "oplysninger.",
        {T.COMPLAINT},
        "klaget",
    ),
    (
        "",
        "Hvis I ikke svarer inden 14 dage, klager jeg til Datatilsynet. Send mig en kopi af "
        "mine data.",
        {T.ACCESS},
        "kopi af mine data",
    ),
    (
        "",
        "Jeg giver hermed min mor lov til at tale med jer om min sag og mine oplysninger.",
        {T.THIRD_PARTY_AUTHORISATION},
        "giver hermed min mor lov",
    ),
    (
        "",
        "Hej, vi har betalt depositum, tak. Og så en ting mere: kan I begrænse brugen af "
        "mine oplysninger til det, der er nødvendigt for rejsen?",
        {T.RESTRICTION},
        "begrænse brugen",
    ),
    (
        "",
        "Jeg vil gerne se hvilke data I har om min datter Freja, og derefter skal de slettes.",
        {T.ACCESS, T.ERASURE, T.THIRD_PARTY_AUTHORISATION},
        "data I har om",
    ),
    ("", "I want to complain about how you handled my personal data.", {T.COMPLAINT}, "complain"),
    (
        "Delete",
        "Please delete my account and all data you have about me. Also unsubscribe me "
        "from the newsletter.",
        {T.ERASURE, T.CONSENT_WITHDRAWAL},
        "delete my account",
    ),
    (
        "",
        "Dear ALOTTbetter, I am writing on behalf of my daughter Emma. Please send us a copy "
        "of the personal data you hold about her.",
        {T.THIRD_PARTY_AUTHORISATION, T.ACCESS},
        "on behalf of my daughter",
    ),
    ("", "Hej, jeg vil gerne vide hvad I har gemt om mig", {T.ACCESS}, "hvad I har gemt om mig"),
    (
        "",
        "hi what information do u have about me?? thx",
        {T.ACCESS},
        "what information do u have about me",
    ),
    (
        "",
        "I no longer consent to you processing my data for marketing.",
        {T.CONSENT_WITHDRAWAL},
        "no longer consent",
    ),
    (
        "",
        "I object to the processing of my personal data for profiling.",
        {T.RESTRICTION},
        "object",
    ),
    (
        "",
        "My name is misspelled in your records, it should be Jensen, not Jenssen.",
        {T.RECTIFICATION},
        "My name is misspelled",
    ),
    (
        "Subject access request",
        "Under Article 15 GDPR I request a copy of my personal data.",
        {T.ACCESS},
        "access request",
    ),
    (
        "",
        "Please withdraw my consent and erase everything you hold about me (right to be "
        "forgotten).",
        {T.CONSENT_WITHDRAWAL, T.ERASURE},
        "withdraw my consent",
    ),
]

# Ordinary mail that uses the same words: none of it may become a case.
HARD_NEGATIVES = [
    # whether a form reached us, not what we hold
    (
        "har i fået det",
        "har i fået mine oplysninger? udfyldte tilmeldingen i går. vil bare være sikker",
    ),
    ("", "Have you received my details? I filled in the application form on Sunday."),
    ("", "Hi, I would like to withdraw from the programme in Bali. How do I get a refund?"),
    ("", "Jeg vil gerne trække min ansøgning tilbage."),
    ("", "Please delete my last mail, I sent it by mistake."),
    ("", "Slet venligst min sidste mail, den var sendt ved en fejl."),
    ("", "Could you correct the invoice? The amount is wrong."),
    ("", "Kan I rette fakturaen? Beløbet er forkert."),
    ("", "My mother will pay the deposit."),
    ("", "Min mor betaler depositummet, hun overfører i morgen."),
    ("", "Your data shows the flight is late."),
    ("", "Can you update my booking dates to 3 June?"),
    ("", "Please update my booking details: I arrive on the 5th."),
    (
        "Visum",
        "Skal jeg have visum til Thailand? Hvilke oplysninger skal I bruge om mig til ansøgningen?",
    ),
    ("", "Do I need a visa? What information do you need about me for the application?"),
    ("", "Jeg vil gerne afbestille min rejse til Australien."),
    ("", "Jeg vil klage over værtsfamilien, de var uvenlige og maden var dårlig."),
    ("", "I want to complain about the accommodation, the room was dirty."),
    ("", "Jeg har ret til at få pengene tilbage, da flyet blev aflyst."),
    ("", "I object to the extra fee for the airport transfer."),
    ("", "Otherwise I will complain to the supervisory authority about the delay of my visa."),
    ("", "Jeg vil gerne afmelde mig informationsmødet på torsdag."),
    ("Automatisk svar", "Jeg er på ferie til og med 14. juli og har begrænset adgang til mail."),
    ("Out of office", "I will be back on Monday and have limited access to email."),
    (
        "Undelivered Mail Returned to Sender",
        "This is the mail system at host mx.example.com. "
        "I'm sorry to have to inform you that your message could not be delivered. You can "
        "delete your own text from the attached returned message.",
    ),
    ("Nyhedsbrev juni", "Nye praktikpladser i Sydney! Klik her for at afmelde nyhedsbrevet."),
    (
        "Newsletter",
        "Great offers this week. If you no longer wish to receive these emails, "
        "click here to unsubscribe.",
    ),
    ("WIN NOW", "Congratulations!!! You have won. To be removed from our list reply REMOVE."),
    # an offer to the reader, in a supplier's pitch: the reader is "du", not the writer
    (
        "Ny bokningsmodul",
        "Boka en gratis demo så visar vi hur det funkar. Vill du inte ha "
        'fler mejl från oss? Svara "nej tack".',
    ),
    ("", "Betaling: jeg har overført 5.000 kr. Kan I bekræfte, at I har modtaget pengene?"),
    ("", "Thanks, see you in June!"),
    ("Re: Din anmodning om sletning af dine oplysninger", "Tak for svaret, vi ses i juni!"),
]


@pytest.mark.parametrize(("subject", "text", "labels", "phrase"), REQUESTS)
def test_requests(subject: str, text: str, labels: set[RequestType], phrase: str) -> None:
    result = classify(_mail(text, subject))
    assert set(result.labels) == labels, result.evidence
    assert result.is_privacy
    assert {e.label for e in result.evidence} == labels
    assert any(phrase.lower() in e.phrase.lower() for e in result.evidence), result.evidence
    message = " ".join(f"{subject} {text}".split()).lower()
    for e in result.evidence:  # evidence is quoted from the message, not invented
        assert " ".join(e.phrase.split()).lower() in message
        assert e.rule
    assert 0.0 < result.confidence <= 1.0


@pytest.mark.parametrize(("subject", "text"), HARD_NEGATIVES)
def test_hard_negatives(subject: str, text: str) -> None:
    result = classify(_mail(text, subject))
    assert result.labels == NOT, result.evidence
    assert result.evidence == ()
    assert 0.0 < result.confidence <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "Hvem har fået min adresse? Det vil jeg gerne vide.",
        "Hvor har dere fått navnet og adressen min fra?",
        "Which third parties have received my details?",
    ],
)
def test_asking_who_received_ones_data_stays_an_access_request(text: str) -> None:
    assert T.ACCESS in classify_text("", text, "da").labels


def test_labels_follow_request_type_order() -> None:
    result = classify(
        _mail(
            "Slet mine oplysninger. Hvilke oplysninger har I om mig? Jeg "
            "skriver på vegne af min datter."
        )
    )
    assert result.labels == (T.THIRD_PARTY_AUTHORISATION, T.ACCESS, T.ERASURE)


def test_language_is_passed_through() -> None:
    assert classify(_mail("Please delete my data", language="en")).language == "en"
    assert classify_text("", "hej", "sv").language == "sv"


def test_near_miss_lowers_not_privacy_confidence() -> None:
    plain = classify(_mail("Hvornår lander flyet?"))
    footer = classify(_mail("Klik her for at afmelde nyhedsbrevet."))
    assert plain.labels == footer.labels == NOT
    assert footer.confidence < plain.confidence


def test_negated_request_is_not_a_request() -> None:
    assert (
        classify(
            _mail("Please do not delete my account, I am coming back next year.", language="en")
        ).labels
        == NOT
    )
    assert (
        classify(_mail("I må endelig ikke slette min profil, jeg rejser igen til sommer.")).labels
        == NOT
    )
    # the negation stands inside the rule's words, not before them
    text = "Nej vent, I har misforstået mig. Jeg vil ikke slettes! Jeg skal med jer til Malta."
    assert classify_text("", text, "da").labels == NOT
    # the model may still wonder ("vil ikke", "slettes"): staff decide, nothing is sent
    assert classify(_mail(text)).confidence < 0.65


@pytest.mark.parametrize(
    ("text", "language", "label"),
    [
        ("Kan I ikke bare slette min profil?", "da", T.ERASURE),
        ("Vil I ikke rette mit efternavn til Nørskov?", "da", T.RECTIFICATION),
        ("Kan dere ikke bare slette kontoen min?", "no", T.ERASURE),
        ("Kan ni inte radera mina uppgifter?", "sv", T.ERASURE),
        ("Can't you delete my data?", "en", T.ERASURE),
    ],
)
def test_a_negation_in_a_question_that_asks_us_to_act_is_a_request(
    text: str, language: str, label: T
) -> None:
    assert classify(_mail(text, language=language)).labels == (label,)
    # ... and the statement it resembles still is not
    assert classify(_mail("I can't delete my account, can you help?", language="en")).labels == NOT


def test_a_negated_request_that_asks_us_to_refrain_is_a_restriction() -> None:
    # the rules read "give mine oplysninger" as negated; the model reads a restriction
    text = (
        "Hej. Jeg har fået et tilbud fra en sprogskole i Tyskland, som skriver, at de har "
        "fået mine oplysninger fra jer. I må ikke give mine oplysninger til andre firmaer. "
        "Peter"
    )
    result = classify(_mail(text))
    assert T.RESTRICTION in result.labels
    assert result.confidence < 0.65  # the model's alone: staff confirm it in triage
    # a negated erasure is still no request
    assert classify(_mail("I må endelig ikke slette min profil, jeg rejser igen.")).labels == NOT


def test_quoted_history_is_not_a_new_request() -> None:
    old = "> Jeg vil gerne have slettet alle mine oplysninger.\n> Mvh Mette"
    result = classify(_mail("Tak, vi ses i juni!", quoted=old))
    assert result.labels == NOT


def test_short_yes_answers_our_offer() -> None:
    offer = (
        "Tak for din henvendelse. Ønsker du, at vi også sletter dine oplysninger "
        "hos os? Venlig hilsen ALOTTbetter"
    )
    result = classify(_mail("Ja tak, gør det", quoted=offer))
    assert result.labels == (T.ERASURE,)
    assert result.evidence[0].rule.startswith("affirmed:")
    en = classify(
        _mail("Yes please.", quoted="Would you like us to delete your data?", language="en")
    )
    assert en.labels == (T.ERASURE,)


_CHOICE = {
    "da": "Ønsker du, at vi sletter hele din profil, eller skal vi kun afmelde dig nyhedsbrevet?",
    "en": "Would you like us to delete your whole profile, or only stop our newsletter and "
    "text offers?",
    "no": "Vil du at vi sletter hele profilen din, eller vil du bare meldes av nyhetsbrevet?",
    "sv": "Vill du att vi raderar hela din profil, eller ska vi bara avregistrera dig från "
    "nyhetsbrevet?",
    "de": "Sollen wir Ihr gesamtes Profil löschen oder Sie nur vom Newsletter abmelden?",
}


@pytest.mark.parametrize(
    ("language", "both"),
    [
        ("da", "Begge dele.\n\nMvh Hanne"),
        ("en", "Both please"),
        ("no", "Begge deler."),
        ("sv", "Båda, tack"),
        ("de", "Beides bitte"),
    ],
)
def test_both_takes_every_choice_our_question_offered(language: str, both: str) -> None:
    result = classify(_mail(both, quoted=_CHOICE[language], language=language))
    assert result.labels == (T.CONSENT_WITHDRAWAL, T.ERASURE)


@pytest.mark.parametrize(
    ("question", "answer", "language", "labels"),
    [
        (
            "Vil du fortsat have vores nyhedsbrev om sprogrejser?",
            "Nej\n\nJ. Kvist",
            "da",
            (T.CONSENT_WITHDRAWAL,),
        ),
        (
            "Would you like to keep hearing from us about summer courses?",
            "No thanks",
            "en",
            (T.CONSENT_WITHDRAWAL,),
        ),
        ("Vil du fortsatt motta nyhetsbrevet vårt?", "Nei takk.", "no", (T.CONSENT_WITHDRAWAL,)),
        # a no to something else is no withdrawal, and a yes to staying is none
        ("Vil du have et enkeltværelse til 1.200 kr. ekstra?", "Nej tak", "da", NOT),
        ("Vil du fortsat have vores nyhedsbrev?", "Ja tak", "da", NOT),
    ],
)
def test_a_short_no_to_our_keep_in_touch_question_withdraws_consent(
    question: str, answer: str, language: str, labels: tuple[RequestType, ...]
) -> None:
    inbound = _mail(answer, quoted=f"> Hej\n>\n> {question}", language=language)
    # the rules' answer: on two words the model guesses (docs/classifier.md, "Known
    # weaknesses"), and what it alone says waits in triage
    assert classify(inbound, use_model=False).labels == labels
    if labels != NOT:
        assert classify(inbound).evidence[0].rule == "declined:keep_in_touch"


@pytest.mark.parametrize(
    ("language", "yes", "only_the_list"),
    [
        ("da", "Ja tak", "Kun nyhedsbrevet, tak. Profilen må gerne blive."),
        ("en", "Yes please", "No, only the newsletter please. Keep the account."),
        ("no", "Ja takk", "Bare nyhetsbrevet, takk. Profilen kan stå."),
        ("sv", "Ja tack", "Bara nyhetsbrevet, tack."),
        ("de", "Ja bitte", "Nur den Newsletter bitte, das Profil brauche ich noch."),
    ],
)
def test_a_short_answer_takes_what_our_question_offered(
    language: str, yes: str, only_the_list: str
) -> None:
    """In every language we write in, "yes" agrees to all we offered, and "only the
    newsletter" to the unsubscription alone, with our offer as the evidence."""
    both = classify(_mail(yes, quoted=_CHOICE[language], language=language))
    assert both.labels == (T.CONSENT_WITHDRAWAL, T.ERASURE)
    assert all(e.rule.startswith("affirmed:") for e in both.evidence)
    chosen = classify(_mail(only_the_list, quoted=_CHOICE[language], language=language))
    assert chosen.labels == (T.CONSENT_WITHDRAWAL,)
    assert chosen.evidence[0].rule.startswith("affirmed:")
    # the same words without our question ask for nothing we can tell
    assert classify(_mail(only_the_list, language=language)).labels != (T.ERASURE,)


@pytest.mark.parametrize(
    ("subject", "text", "labels"),
    [
        ("Re: Nyhedsbrev april – AFMELD", "", (T.CONSENT_WITHDRAWAL,)),
        ("Re: Vi savner dig! – og nej, bare nedlæg min konto", "Tak.\n\nJonas", (T.ERASURE,)),
        ("Re: Summer offers - unsubscribe", "Sent from my iPhone", (T.CONSENT_WITHDRAWAL,)),
        ("AFMELD Re: Sidste pladser til Malta i uge 28", "", (T.CONSENT_WITHDRAWAL,)),
        # our own subject is never read, nor a writer's own words after a dash in it
        ("Re: Din profil hos A Lot Better – status", "", NOT),
        ("Re: Afmelding – Thea Mørch, Costa Rica", "", NOT),
        ("Re: Dobbelt booking – slet den ene", "", NOT),
        # a reply that says more in its new text is read from its new text
        ("Re: Sommer – slet mig", "Tak for svaret, vi ses i lufthavnen den 3. juli kl. 8!", NOT),
    ],
)
def test_what_a_writer_adds_to_a_replys_subject_is_read(
    subject: str, text: str, labels: tuple[RequestType, ...]
) -> None:
    result = classify(_mail(text, subject=subject, quoted="> Hej fra A Lot Better"))
    assert result.labels == labels
    if labels != NOT:
        assert result.evidence[0].phrase.lower() in subject.lower()


def test_long_reply_does_not_borrow_the_quote() -> None:
    offer = "Ønsker du, at vi sletter dine oplysninger?"
    text = "Ja, jeg har et spørgsmål mere om rejsen. " + "Hvornår går flyet? " * 10
    assert classify(_mail(text, quoted=offer)).labels == NOT


def test_own_verb_in_short_reply_counts() -> None:
    result = classify(_mail("ja tak, slet venligst alle mine data"))
    assert result.labels == (T.ERASURE,)


@pytest.mark.parametrize(
    ("subject", "text"),
    [(s, t) for s, t, _, _ in REQUESTS] + HARD_NEGATIVES,
)
def test_fast_scan_matches_full_scan(subject: str, text: str) -> None:
    fast = classify_text(subject, text, "da")
    full = classify_text(subject, text, "da", scan_mode="full")
    assert fast.labels == full.labels


def test_unknown_scan_mode_is_refused() -> None:
    with pytest.raises(ValueError):
        classify_text("", "x", "da", scan_mode="quick")


@pytest.mark.parametrize(
    ("text", "label", "phrase"),
    [
        ("I want that you erase my datas, I do not travel with you.", T.ERASURE, "erase my data"),
        (
            "Hello, my informations are wrong, please correct",
            T.RECTIFICATION,
            "my informations are wrong",
        ),
        ("Please eliminate all my personal datas.", T.ERASURE, "eliminate all my personal data"),
    ],
)
def test_a_learners_plural_reads_as_the_noun(text: str, label: RequestType, phrase: str) -> None:
    """ "my datas", "my informations": uncountable nouns in a learner's plural."""
    result = classify(_mail(text, language="en"))
    assert label in result.labels
    assert any(phrase in e.phrase for e in result.evidence)


SIGNATURE = (
    "Med venlig hilsen\nYasmin Haddad\nAdministrativ medarbejder\n\n"
    "Denne e-mail er kun til brug for adressaten og kan indeholde fortrolige oplysninger. "
    "Hvis du ikke er den tilsigtede modtager, må du ikke læse den. Giv venligst afsenderen "
    "besked og slet e-mailen fra dit system."
)


def test_a_confidentiality_notice_asks_for_nothing() -> None:
    """A municipality's notice under a question about medicine on the plane: "slet
    e-mailen fra dit system" is the organisation's boilerplate, not the writer's request."""
    text = (
        "Hej\n\nEn forælder spørger, om hendes søn må have sin ADHD-medicin med i "
        "håndbagagen.\n\n" + SIGNATURE
    )
    assert classify(_mail(text, "Medicin i håndbagagen")).labels == NOT


def test_a_request_beside_a_confidentiality_notice_stands() -> None:
    """The notice is blanked, not the writer's own words, even in its paragraph."""
    text = "Hej\n\nJeg vil gerne have slettet alle mine oplysninger hos jer.\n\n" + SIGNATURE
    result = classify(_mail(text))
    assert result.labels == (T.ERASURE,)
    own = (
        "Hej\n\nJeg har modtaget jeres mail ved en fejl, jeg er ikke den rette modtager. "
        "Slet venligst mine oplysninger."
    )
    assert T.ERASURE in classify(_mail("Intro\n\n" + own)).labels


def test_a_match_across_the_subject_does_not_hide_one_in_the_body() -> None:
    """ "Sletning⏎Hej⏎⏎Slet venligst mine data" matched from the subject's "Sletning" to
    "data" across two sentences, was dropped, and hid the body's own request: the case
    went to triage on the second opinion alone, unacknowledged."""
    result = classify(_mail("Hej\n\nSlet venligst mine data og min profil hos jer.", "Sletning"))
    assert result.labels == (T.ERASURE,)
    assert result.evidence[0].phrase == "Slet venligst mine data"
    assert result.confidence >= 0.65  # acknowledged at once, not left in triage
