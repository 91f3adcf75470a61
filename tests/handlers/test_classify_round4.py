"""Fourth round (English, Swedish, German; ``tests/data/heldout/dev10/``): the general
mechanisms it added, one sentence each, and the ordinary mail shaped like them that must
stay ordinary. The held-out mails hold the same cases in context; these pin the reason."""

from __future__ import annotations

import pytest

from handlers.classify import classify_text
from handlers.values import RequestType

T = RequestType

REQUESTS = [
    # who else sees it / what is done with it: access questions without "data"
    (
        "For the trek I filled in a medical form. Who actually gets to see that form?",
        "en",
        {T.ACCESS},
    ),
    ("What do you do with the passport scans after a trip is over?", "en", {T.ACCESS}),
    ("Could I get a list of every bit of info your system has on me?", "en", {T.ACCESS}),
    # objects a pronoun or a quantifier stands for
    (
        "Please send me a copy of all personal data you hold, and once I have received it, "
        "delete everything.",
        "en",
        {T.ACCESS, T.ERASURE},
    ),
    (
        "When I went to Bali I agreed you could use photos of me. I'd like to withdraw that now.",
        "en",
        {T.CONSENT_WITHDRAWAL},
    ),
    (
        "Your records show me as Mrs Keller. I'm Mx now. Could you update both, please?",
        "en",
        {T.RECTIFICATION},
    ),
    # inflected actions and the object before them
    (
        "The date of birth you have for me is off by a year. Would you mind amending your records?",
        "en",
        {T.RECTIFICATION},
    ),
    ("I'd like my account and everything attached to it gone.", "en", {T.ERASURE}),
    ("Quick one: my mobile's changed, it's now 07700 900456.", "en", {T.RECTIFICATION}),
    # objections to sharing, for oneself or a relative
    ("Please stop sharing my booking data with your marketing partners.", "en", {T.RESTRICTION}),
    (
        "I'm writing for my father. He doesn't want his details passed on to other companies.",
        "en",
        {T.RESTRICTION, T.THIRD_PARTY_AUTHORISATION},
    ),
    # writing at someone's request
    (
        "My husband asked me to sort this out for him: his surname is spelt wrong in your system.",
        "en",
        {T.RECTIFICATION, T.THIRD_PARTY_AUTHORISATION},
    ),
    # complaints without "complaint"
    (
        "I learned that my CV was shown to another company by your staff. I was never asked "
        "and I'm really upset.",
        "en",
        {T.COMPLAINT},
    ),
    ("I never consented to being added to your mailing list.", "en", {T.COMPLAINT}),
    # German: separable verbs, passive, compounds, where-from questions
    (
        "Ich ziehe meine Einwilligung zur Verwendung meiner Fotos zurück.",
        "de",
        {T.CONSENT_WITHDRAWAL},
    ),
    (
        "Bitte schränken Sie die Verarbeitung meiner Daten ein, bis alles geklärt ist.",
        "de",
        {T.RESTRICTION},
    ),
    ("Ich möchte, dass mein Kundenkonto samt aller Angaben entfernt wird.", "de", {T.ERASURE}),
    ("Woher haben Sie eigentlich meine E-Mail-Adresse?", "de", {T.ACCESS}),
    ("Sie dürfen meine Adresse nicht an Partnerfirmen weitergeben.", "de", {T.RESTRICTION}),
    # Swedish
    ("Hej, vem har ni delat mitt telefonnummer med?", "sv", {T.ACCESS}),
    ("Min adress har ändrats, den nya är Storgatan 5.", "sv", {T.RECTIFICATION}),
    ("Använd inte mina uppgifter i reklamsyfte.", "sv", {T.RESTRICTION}),
    (
        "Jag har aldrig gett er lov att lägga upp bilder på mig. Ta bort dem.",
        "sv",
        {T.COMPLAINT, T.ERASURE},
    ),
    # fourth batch: other registers
    ("Could y'all shoot me over whatever you've got stored on me?", "en", {T.ACCESS}),
    ("G'day, can you scrub me from your system? Cheers", "en", {T.ERASURE}),
    (
        "There's a typo in my last name on your end - it should read O'Sullivan.",
        "en",
        {T.RECTIFICATION},
    ),
    ("Please keep my data only for what's needed for your tax records.", "en", {T.RESTRICTION}),
    ("I don't consent to my information being used for profiling.", "en", {T.RESTRICTION}),
    (
        "I had told you about my mental health in confidence, and your coordinator told my "
        "host family about my mental health history.",
        "en",
        {T.COMPLAINT},
    ),
    (
        "Meine Anschrift ist nicht mehr aktuell, neu: Lindenstraße 3, 10115 Berlin.",
        "de",
        {T.RECTIFICATION},
    ),
    ("Ich möchte nicht, dass meine Daten für Werbung genutzt werden.", "de", {T.RESTRICTION}),
    ("Jag vill bli raderad ur ert kundregister.", "sv", {T.ERASURE}),
    ("Ring mig inte mer med erbjudanden.", "sv", {T.CONSENT_WITHDRAWAL}),
    # fifth batch
    (
        "You've spelled my first name 'Catherine' everywhere but it's 'Kathryn'.",
        "en",
        {T.RECTIFICATION},
    ),
    (
        "Can you confirm whether you're still holding my medical info from the 2021 trek?",
        "en",
        {T.ACCESS},
    ),
    (
        "I'm a social worker. With his written consent, I'm requesting a copy of the records you "
        "hold on him.",
        "en",
        {T.ACCESS, T.THIRD_PARTY_AUTHORISATION},
    ),
    ("Ich möchte, dass Sie alle meine Daten vernichten.", "de", {T.ERASURE}),
    (
        "Hej, mitt telefonnummer stämmer inte längre. Nytt nummer: 070-123 45 67.",
        "sv",
        {T.RECTIFICATION},
    ),
    # "everything you have on me" is what is asked for only after an asking verb
    ("I'm closing my old accounts. Please get rid of anything you have on me.", "en", {T.ERASURE}),
]

ORDINARY = [
    ("Who can see my booking in the app - can my travel buddy see it too?", "en"),
    ("Thanks for deleting my data so quickly, much appreciated!", "en"),
    ("Do you still have my jacket? I left it in the minibus.", "en"),
    ("I never signed up for the wine excursion, please remove it from my invoice.", "en"),
    ("I never gave permission for the extra charge on my card. Please refund it.", "en"),
    ("I'd like my luggage allowance removed from the booking.", "en"),
    ("My flight is at 10:40, not 12:40 as in your email.", "en"),
    ("My husband asked me to ask if there are still places on the Peru trip.", "en"),
    ("Please take the post about the Bali meetup down, the date has changed.", "en"),
    ("Tack för att ni raderade mina uppgifter!", "sv"),
    ("Jag har aldrig gett er lov att dra pengar två gånger från mitt kort!", "sv"),
    ("Hej, min advokat behöver en kopia av kontraktet.", "sv"),
    ("Sie dürfen meine Telefonnummer gerne an die Gastfamilie weitergeben.", "de"),
    ("Bitte schränken Sie die Auswahl der Ausflüge ein, es sind zu viele.", "de"),
    ("Can you scrub the second night from our reservation? We arrive a day later.", "en"),
    ("There's a typo in the itinerary - day 3 says Rome but it should be Florence.", "en"),
    ("Meine Anschrift für die Rechnung ist: Lindenstraße 3, 10115 Berlin.", "de"),
    ("Ich möchte nicht, dass meine Tochter allein fliegt.", "de"),
    ("Vilken information behöver ni från mig inför resan?", "sv"),
    ("Can you confirm whether you're still holding my room for Friday?", "en"),
    ("Mitt telefonnummer fungerar inte utomlands, mejla mig istället.", "sv"),
    ("Mit navn stod på en liste, der lå frit tilgængeligt.", "da"),
]


@pytest.mark.parametrize(("text", "language", "labels"), REQUESTS)
def test_round4_requests(text: str, language: str, labels: set[RequestType]) -> None:
    for mode in ("triggered", "full"):
        result = classify_text("", text, language, scan_mode=mode)
        assert set(result.labels) == labels, (mode, result.evidence)


@pytest.mark.parametrize(("text", "language"), ORDINARY)
def test_round4_ordinary_mail(text: str, language: str) -> None:
    for mode in ("triggered", "full"):
        result = classify_text("", text, language, scan_mode=mode)
        assert result.labels == (T.NOT_PRIVACY,), (mode, result.evidence)
