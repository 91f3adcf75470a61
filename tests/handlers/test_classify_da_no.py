"""The fourth round for Danish and Norwegian (``tests/data/heldout/dev9/``): wider action,
object and displeasure vocabularies, pronoun objects, indirect word order, postposed
possessives, and the ordinary mail beside them.

dev9 was written before the classifier was run on it (recall 0.62, macro-F1 0.61 then);
the floor below is what this round reached on it, rounded down. Each sentence case is a
wording no earlier rule knew, or an ordinary mail one of the new words could open.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.eval_classifier import load, predict_inproc, score
from handlers.classify import classify, classify_text
from handlers.normalise import parse
from handlers.values import Channel, Inbound, RequestType

T = RequestType
NOT = (T.NOT_PRIVACY,)
DEV9 = Path(__file__).resolve().parents[1] / "data" / "heldout" / "dev9"


TRIAGE_BELOW = 0.65  # [classifier] triage_below's default


def _mail(text: str, language: str = "da") -> Inbound:
    return Inbound(
        channel=Channel.SMTP,
        external_id="x",
        message_id=None,
        sender="a@b.dk",
        sender_name="",
        recipients=(),
        subject="",
        text=text,
        quoted="",
        language=language,
    )


def test_dev9_floor() -> None:
    items = load([DEV9])
    assert len(items) >= 255
    predict_inproc(items)
    s = score(items)
    misses = [(i.file.name, sorted(i.gold), sorted(i.predicted)) for i in s.misses]
    assert s.recall >= 0.98, misses
    assert s.fp_rate <= 0.01, misses
    assert s.macro_f1 >= 0.95, misses
    assert s.exact >= 0.95, misses


def test_dev9_fast_scan_agrees_with_the_full_scan() -> None:
    for item in load([DEV9]):
        inbound = parse(item.file.read_bytes(), Channel.FILE)
        fast = classify_text(inbound.subject, inbound.text, inbound.language)
        full = classify_text(inbound.subject, inbound.text, inbound.language, scan_mode="full")
        assert fast.labels == full.labels, item.file.name


REQUESTS = [
    # erasure verbs beyond "slet"/"fjern", in a passive
    (
        "Jeg anmoder om, at samtlige personoplysninger om mig bortskaffes fra Deres registre.",
        {T.ERASURE},
    ),
    (
        "På jeres hjemmeside er der et billede hvor jeg er med. Jeg vil gerne have det taget ned.",
        {T.ERASURE},
    ),
    # registered as X, but it is Y: a correction without "ret"
    ("Hans fødselsdato er registreret som 12.03.1971, men den er 21.03.1971.", {T.RECTIFICATION}),
    ("I har mig registreret som mand, men jeg er kvinde. Det skal lige rettes.", {T.RECTIFICATION}),
    (
        "Min datter hedder Ida Marie, ikke Ida Maria, i jeres deltagerliste.",
        {T.RECTIFICATION, T.THIRD_PARTY_AUTHORISATION},
    ),
    ("I mangler min nøddeallergi i min profil.", {T.RECTIFICATION}),
    # a pronoun object pointing back to "min e-mail"
    ("I har skrevet min e-mail forkert. Kan I rette den?", {T.RECTIFICATION}),
    # objections: "modsætter mig", passives, "gider ikke at I …", pronoun objects
    ("Jeg modsætter mig at I bruger mine oplysninger til annoncer.", {T.RESTRICTION}),
    ("Jeg ønsker ikke at blive profileret.", {T.RESTRICTION}),
    ("Jeg gider ikke at I analyserer min adfærd på hjemmesiden.", {T.RESTRICTION}),
    ("Mit telefonnummer er kun til nødsituationer. Det må ikke bruges til salg.", {T.RESTRICTION}),
    ("Brug venligst kun min mail til praktisk information om turen.", {T.RESTRICTION}),
    # consent taken back by pronoun, and a newsletter stopped in the sentence after
    (
        "Jeg gav samtykke til, at I måtte gemme mine oplysninger i 10 år. Det trækker jeg tilbage.",
        {T.CONSENT_WITHDRAWAL},
    ),
    ("Jeg vil ikke længere have, at I bruger mine billeder på jeres blog.", {T.CONSENT_WITHDRAWAL}),
    # complaints without "klage": more events and more ways to be displeased
    (
        "Jeres medarbejder lagde min mail, med mit fulde navn, op i en Facebook-gruppe. Jeg "
        "føler mig udstillet.",
        {T.COMPLAINT},
    ),
    ("Hvordan kan det være at jeres sælger kender mit helbred? Jeg er rasende.", {T.COMPLAINT}),
    ("Jeg har i dag indgivet en anmeldelse til Datatilsynet.", {T.COMPLAINT}),
    # where the data came from, whoever holds it
    ("Hvor har han nummeret fra?", {T.ACCESS}),
    # the second batch of dev9, written after the rules above: questions by inversion,
    # "hvor længe", "lader være med at …", "bemyndiger … til at", surprise as displeasure
    ("Sælger I mine oplysninger videre til andre firmaer?", {T.ACCESS}),
    ("Hvor længe har I tænkt jer at beholde mit pas og min straffeattest?", {T.ACCESS}),
    ("Vær sød ikke at sende flere af jeres mails med rejsetilbud.", {T.CONSENT_WITHDRAWAL}),
    (
        "Jeg vil gerne have, at I lader være med at sende mine data til jeres amerikanske "
        "leverandør.",
        {T.RESTRICTION},
    ),
    ("I bedes ikke dele mine kontaktoplysninger med jeres partnere.", {T.RESTRICTION}),
    (
        "Jeg bemyndiger hermed min søster Hanne Lind til at varetage min sag over for jer.",
        {T.THIRD_PARTY_AUTHORISATION},
    ),
    (
        "Jeg hørte, at hun havde fået mit telefonnummer af jeres kontor. Det synes jeg ikke om.",
        {T.COMPLAINT},
    ),
    ("Nu vil jeg gerne have, at I rydder op i det I har om mig.", {T.ERASURE}),
    ("Jeg ønsker ikke flere tekstmeldinger fra dere.", {T.CONSENT_WITHDRAWAL}),
    ("Opplysningene mine skal bare brukes til reisen, ikke til markedsføring.", {T.RESTRICTION}),
    # the third batch: genitives of relatives, colleagues, clubs, "det rigtige er", partners
    (
        "Hvem har givet jer lov til at gemme min søns pasnummer efter turen?",
        {T.ACCESS, T.COMPLAINT, T.THIRD_PARTY_AUTHORISATION},
    ),
    (
        "Tre af vores medarbejdere har bedt mig indhente, hvad I har registreret om dem.",
        {T.ACCESS, T.THIRD_PARTY_AUTHORISATION},
    ),
    (
        "Min kone klarer det praktiske, så I må meget gerne svare hende om mine oplysninger.",
        {T.THIRD_PARTY_AUTHORISATION},
    ),
    ("Jeg vil ikke være med i jeres kundeklub længere.", {T.CONSENT_WITHDRAWAL}),
    (
        "Mit telefonnummer hos jer mangler et 4-tal til sidst. Det rigtige er 28 44 19 04.",
        {T.RECTIFICATION},
    ),
    ("Der er sket en fejl i min registrering: jeg er født i 1998, ikke 1989.", {T.RECTIFICATION}),
    ("Jeg vil ikke kontaktes af jeres samarbejdspartnere.", {T.RESTRICTION}),
    ("Stop venligst med at bruge mit navn og billede i jeres annoncer.", {T.RESTRICTION}),
    ("I har stadig mit gamle pas liggende. Makulér det.", {T.ERASURE}),
    ("kan i deleete min data fra jeres side", {T.ERASURE}),
    # the fourth batch: grandparents, "ud af jeres system", indirect "om I har", "kun i
    # forbindelse med", a list named after the number
    (
        "Jeg er farmor til Alma og har forældremyndigheden. Hendes efternavn er ændret til Krogh.",
        {T.RECTIFICATION, T.THIRD_PARTY_AUTHORISATION},
    ),
    ("Mine oplysninger skal ud af jeres system. Hurtigst muligt tak.", {T.ERASURE}),
    ("Jeg vil bare høre om i har nogle oplysniger på mig i jeres system?", {T.ACCESS}),
    ("Behandl kun mine oplysninger i forbindelse med min rejse – intet andet.", {T.RESTRICTION}),
    ("Fjern venligst mit nummer fra jeres sms-liste.", {T.CONSENT_WITHDRAWAL}),
    (
        "Hun må gerne ordne sagen for mig, skriver min datter på mine vegne.",
        {T.THIRD_PARTY_AUTHORISATION},
    ),
    ("Kan jeg få se hva som er lagret om meg hos dere?", {T.ACCESS}),
    # the fifth batch: reflexive possessives, in-laws, a named child's parent, worry
    (
        "Jeg ringer på vegne af min svigermor. Hun ønsker sin profil slettet.",
        {T.ERASURE, T.THIRD_PARTY_AUTHORISATION},
    ),
    (
        "Hej, jeg er Ninas mor. Hendes telefonnummer er ændret til 42 42 11 00.",
        {T.RECTIFICATION, T.THIRD_PARTY_AUTHORISATION},
    ),
    ("Jeres system har mig stående med en gammel adresse i Odense.", {T.RECTIFICATION}),
    (
        "Mine billeder må gerne ligge i jeres arkiv, men de må ikke komme ud på sociale medier.",
        {T.RESTRICTION},
    ),
    ("Tak, men nej tak til flere invitationer til jeres events.", {T.CONSENT_WITHDRAWAL}),
    ("Hvad er det for nogle oplysninger? Hvad har I registreret?", {T.ACCESS}),
    (
        "Jeres guide har stadig adgang til listen med alle vores numre. Det bekymrer mig.",
        {T.COMPLAINT},
    ),
    ("Ikke send meg flere invitasjoner, takk.", {T.CONSENT_WITHDRAWAL}),
    # Norwegian: indirect questions, postposed possessives, commas inside an authorisation
    ("Jeg lurer på hva dere har lagret om meg.", {T.ACCESS}),
    ("Etternavnet mitt er feilstavet hos dere.", {T.RECTIFICATION}),
    (
        "Jeg gir herved min mor, Kari Dahl, fullmakt til å snakke med dere.",
        {T.THIRD_PARTY_AUTHORISATION},
    ),
    (
        "Dere har lagt ut bilder av meg på Instagram uten å spørre. Ta dem ned.",
        {T.COMPLAINT, T.ERASURE},
    ),
]


@pytest.mark.parametrize(("text", "labels"), REQUESTS)
def test_requests_in_new_words(text: str, labels: set[RequestType]) -> None:
    norwegian = (" meg", "dere", "mitt ", " mine s", "lagret", "invitasjon")
    language = "no" if any(w in text for w in norwegian) else "da"
    result = classify(_mail(text, language))
    assert set(result.labels) == labels, result.evidence
    fast = classify_text("", text, language)
    full = classify_text("", text, language, scan_mode="full")
    assert fast.labels == full.labels


HARD_NEGATIVES = [
    # an imperative with "ikke" right after forbids; a notice we sent is reported
    "Slet ikke min profil, jeg skal måske med igen! Jeg fik en mail om at den snart bliver "
    "slettet.",
    # a pause or another channel is no stop for good
    "I skal ikke ringe mere i dag, jeg er på arbejde – skriv hellere en mail.",
    # a price registered wrongly is no personal data
    "Der er en fejl på hjemmesiden - prisen står som 0 kr. I bør nok rette det.",
    # a wrong recipient is not wrong data ("til en forkert person")
    "Kan I sende kontrakten igen? I sendte den til en forkert adresse.",
    # a relative as a sentence's subject, not about their data
    "Min kæreste kommer på besøg, må hun bo hos værtsfamilien? Kan I rette min adresse?",
    # a newsletter praised, not stopped, in the short sentence after
    "Tak for nyhedsbrevet. Det vil jeg ikke gå glip af.",
    # "ret" as an adverb ("ret overrasket") corrects nothing
    "Jeg blev ret overrasket over mit nye værelse, det er flot.",
    "Tak fordi I rettede fejlen på min faktura så hurtigt!",
    # a dinner's participant list is logistics
    "Kan I slette mit navn fra deltagerlisten til middagen fredag? Jeg kan ikke komme.",
    # a change taken back: "… så brug bare den gamle"
    "Min nye adresse fra 1. september? Nej, jeg flytter først til næste år, så brug bare den "
    "gamle.",
    # worry about a child is no complaint about data
    "Min datter har mistet sit pas i Nepal, og jeg er bekymret.",
    # Norwegian: "e-posten min" is the message, not the address
    "Slett den siste e-posten min, den var feil.",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives(text: str) -> None:
    labels = set(classify(_mail(text), use_model=False).labels)
    if "rette min adresse" in text:  # the request is there; no third party is
        # the rules find it; the model, reading a mail about a visit, overrules it
        # (docs/classifier.md, "Known weaknesses")
        assert labels == {T.RECTIFICATION}
    else:
        assert labels == set(NOT), classify(_mail(text), use_model=False).evidence
        with_model = classify(_mail(text))
        # what the model alone sees waits in triage: no acknowledgement goes out
        assert with_model.labels == NOT or with_model.confidence < TRIAGE_BELOW
