"""The classifier on the project's own held-out mails, and the hard cases they taught.

``tests/data/heldout/`` (see its README) holds realistic mails written before the
classifier was run on them: ``dev/``, ``dev2/`` … ``dev8/``, ``dev10/``, ``dev11/`` and (since
the second round) ``test/`` are tuned on, ``test2/``, ``test3/`` and ``test4/`` are only
measured. The floors below are the figures reached (docs/classifier.md), rounded down a
little, so a change that makes the classifier worse fails here. Run
``python -m bench.eval_classifier tests/data/heldout/dev6 --misses`` to see what is wrong;
do not print the misses of ``test2/``, ``test3/`` or ``test4/``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.eval_classifier import load, predict_inproc, score
from bot import cli
from bot.config import ConfigError, load_settings
from handlers.classify import classify, classify_text, compile_phrases
from handlers.values import Channel, Inbound, RequestType

T = RequestType
NOT = (T.NOT_PRIVACY,)
HELDOUT = Path(__file__).resolve().parents[1] / "data" / "heldout"

#: (folder, recall >=, not_privacy-as-request <=, macro-F1 >=, exact label set >=, mails >=)
FLOORS = (
    ("dev", 0.99, 0.01, 0.99, 0.99, 130),
    ("test", 0.99, 0.01, 0.98, 0.98, 130),
    ("dev2", 0.99, 0.01, 0.98, 0.98, 150),
    ("dev3", 0.99, 0.01, 0.98, 0.97, 80),
    # da-r07 "... nyhedsbrev? Jeg har aldrig bedt om det." is labelled consent withdrawal
    # alone, from before the third round's "never agreed to it" complains; since dev74 the
    # model adds the complaint
    ("dev4", 0.99, 0.01, 0.94, 0.97, 60),
    ("dev5", 0.93, 0.01, 0.84, 0.96, 30),
    ("dev6", 0.99, 0.01, 0.96, 0.96, 150),
    ("dev7", 0.99, 0.01, 0.99, 0.99, 68),
    ("dev8", 0.99, 0.07, 0.97, 0.96, 40),
    # mostly hard ordinary mail (issue 4's false-positive target), 30 requests close to it
    ("dev11", 0.99, 0.02, 0.95, 0.97, 370),
    # fourth round, English/Swedish/German (three batches, each measured before its tuning)
    ("dev10", 0.99, 0.01, 0.98, 0.98, 327),
    # fifth round (written before any change, no rule tuned on them; trained on)
    ("dev12", 0.98, 0.01, 0.91, 0.91, 283),
    ("dev13", 0.98, 0.01, 0.91, 0.90, 288),
    ("dev14", 0.97, 0.07, 0.90, 0.87, 259),
    ("dev15", 0.99, 0.04, 0.92, 0.92, 220),
    ("dev16", 0.97, 0.02, 0.91, 0.92, 224),
    ("dev17", 0.96, 0.03, 0.92, 0.91, 151),
    ("dev18", 0.97, 0.01, 0.91, 0.91, 150),
    # sixth round (written before any change, measured once with main 3563ebf; trained on)
    ("dev19", 0.99, 0.03, 0.93, 0.94, 204),
    ("dev20", 0.98, 0.01, 0.94, 0.94, 203),
    ("dev21", 0.99, 0.01, 0.90, 0.92, 180),
    ("dev22", 0.97, 0.01, 0.92, 0.91, 200),
    ("dev23", 0.98, 0.04, 0.90, 0.90, 203),
    ("dev24", 0.99, 0.01, 0.94, 0.95, 180),
    ("dev25", 0.97, 0.01, 0.93, 0.92, 200),
    ("dev26", 0.98, 0.03, 0.94, 0.93, 204),
    ("dev27", 0.98, 0.03, 0.92, 0.92, 180),
    ("dev28", 0.97, 0.03, 0.92, 0.92, 200),
    ("dev29", 0.98, 0.01, 0.93, 0.91, 200),
    ("dev30", 0.98, 0.03, 0.91, 0.91, 180),
    ("dev31", 0.98, 0.03, 0.91, 0.91, 204),
    ("dev32", 0.99, 0.01, 0.95, 0.95, 202),
    ("dev33", 0.95, 0.01, 0.92, 0.95, 201),
    ("dev34", 0.97, 0.03, 0.91, 0.93, 200),
    ("dev35", 0.99, 0.04, 0.90, 0.91, 200),
    ("dev36", 0.98, 0.01, 0.96, 0.97, 204),
    ("dev37", 0.97, 0.05, 0.95, 0.95, 200),
    ("dev38", 0.99, 0.02, 0.90, 0.96, 203),
    ("dev39", 0.99, 0.02, 0.92, 0.93, 201),
    ("dev40", 0.99, 0.06, 0.88, 0.92, 220),
    ("dev41", 0.98, 0.02, 0.97, 0.97, 201),
    ("dev42", 1.00, 0.01, 0.95, 0.96, 200),
    ("dev43", 0.98, 0.01, 0.95, 0.96, 200),
    ("dev44", 0.98, 0.05, 0.94, 0.94, 200),
    ("dev45", 0.98, 0.05, 0.93, 0.93, 201),
    ("dev46", 1.00, 0.03, 0.97, 0.96, 203),
    ("dev47", 0.98, 0.09, 0.90, 0.88, 201),
    ("dev48", 0.99, 0.02, 0.96, 0.95, 202),
    ("dev49", 0.97, 0.03, 0.95, 0.95, 201),
    ("dev50", 0.88, 0.02, 0.92, 0.91, 200),
    ("dev51", 0.99, 0.01, 0.96, 0.96, 208),
    ("dev52", 0.98, 0.01, 0.92, 0.92, 203),
    ("dev53", 0.99, 0.02, 0.95, 0.96, 217),
    ("dev54", 0.99, 0.01, 0.96, 0.96, 200),
    ("dev55", 0.99, 0.01, 0.96, 0.94, 215),
    ("dev58", 0.99, 0.01, 0.98, 0.98, 200),
    ("dev59", 0.99, 0.01, 0.97, 0.97, 200),
    ("dev60", 0.99, 0.01, 0.97, 0.97, 200),
    ("dev61", 0.98, 0.01, 0.98, 0.98, 200),
    ("dev62", 0.98, 0.03, 0.95, 0.96, 200),
    ("dev63", 0.98, 0.04, 0.95, 0.94, 200),
    ("dev64", 0.99, 0.01, 0.96, 0.97, 200),
    ("dev65", 0.99, 0.02, 0.97, 0.97, 200),
    ("dev66", 0.99, 0.01, 0.97, 0.97, 200),
    ("dev67", 0.99, 0.05, 0.94, 0.94, 200),
    ("dev68", 0.99, 0.01, 0.97, 0.97, 200),
    ("dev69", 0.99, 0.01, 0.97, 0.97, 200),
    # formal and official mail; third persons and relays (fresh: 0.988 / 0.042 / 0.878 /
    # 0.880 and 0.956 / 0.009 / 0.921 / 0.895 before they were trained on)
    ("dev71", 0.99, 0.04, 0.92, 0.92, 200),
    ("dev72", 0.99, 0.01, 0.96, 0.95, 200),
    # a fortnight as it arrives; Nordic, German and non-native English (fresh: 1.000 /
    # 0.000 / 0.974 / 0.980 and 1.000 / 0.017 / 0.941 / 0.950)
    ("dev70", 0.99, 0.01, 0.97, 0.98, 200),
    ("dev73", 0.99, 0.01, 0.96, 0.97, 200),
    # written on phones; threads and follow-ups; English-speaking customers (fresh: 0.950 /
    # 0.033 / 0.895 / 0.890, 0.889 / 0.082 / 0.817 / 0.790, 1.000 / 0.033 / 0.935 / 0.922)
    ("dev74", 0.99, 0.02, 0.96, 0.96, 200),
    ("dev75", 0.96, 0.02, 0.95, 0.93, 200),
    ("dev76", 0.99, 0.01, 0.97, 0.96, 204),
    # written and measured, not yet trained on (bench/train_model.py PENDING)
    ("dev56", 0.94, 0.01, 0.92, 0.92, 159),
    ("dev57", 0.98, 0.03, 0.89, 0.90, 180),
    # threads, a second writer (fresh: 0.889 / 0.109 / 0.839 / 0.820; then three rules
    # for replies were made from its misses); a representative January (fresh: 0.986 /
    # 0.015 / 0.957 / 0.970)
    ("dev77", 0.96, 0.11, 0.86, 0.85, 200),
    ("dev78", 0.98, 0.02, 0.95, 0.96, 200),
    # threads, a third writer (fresh, fourth session of 2026-12-04): replies in a case's
    # thread are the weak kind (docs/classifier.md "Known weaknesses")
    ("dev79", 0.86, 0.07, 0.78, 0.77, 202),
    # a representative June, requests worded indirectly (fresh: 0.875 / 0.045 / 0.803 /
    # 0.806; then five rules were made from its misses)
    ("dev80", 0.92, 0.05, 0.81, 0.82, 160),
    # a representative August-September and October-November, requests as questions,
    # asides and irritation (fresh, fifth session of 2026-12-04: 0.960 / 0.026 / 0.866 /
    # 0.874 and 0.922 / 0.018 / 0.802 / 0.830; then seven rules were made from their misses)
    ("dev81", 0.96, 0.03, 0.86, 0.87, 215),
    ("dev82", 0.98, 0.02, 0.84, 0.85, 200),
    # never tuned on (nor trained on): the honest figures (docs/classifier.md)
    ("test2", 0.97, 0.01, 0.96, 0.96, 200),
    ("test3", 0.97, 0.01, 0.93, 0.93, 200),
    ("test4", 0.99, 0.02, 0.94, 0.94, 200),
    ("test5", 0.99, 0.01, 0.93, 0.92, 200),
    ("test6", 0.97, 0.01, 0.93, 0.94, 202),
    ("test7", 0.97, 0.01, 0.93, 0.93, 200),
    # a representative May, measured once (fourth session of 2026-12-04): recall 0.957
    ("test8", 0.95, 0.01, 0.90, 0.89, 200),
    # a representative December-January (fifth session of 2026-12-04, measured once)
    ("test9", 0.95, 0.01, 0.87, 0.87, 200),
)
FOLDERS = tuple(row[0] for row in FLOORS)


@pytest.mark.parametrize(("folder", "recall", "fp_rate", "macro_f1", "exact", "size"), FLOORS)
def test_heldout_floors(
    folder: str, recall: float, fp_rate: float, macro_f1: float, exact: float, size: int
) -> None:
    items = load([HELDOUT / folder])
    assert len(items) >= size
    predict_inproc(items)
    s = score(items)
    # the misses of test2 … test5 are not shown: looking at them is how a held-out
    # set stops being one
    misses = (
        []
        if folder.startswith("test")
        else [(i.file.name, sorted(i.gold), sorted(i.predicted)) for i in s.misses]
    )
    # plain numbers, so a failing assertion prints figures, not the scored mails
    got_recall, got_fp_rate, got_macro_f1, got_exact = s.recall, s.fp_rate, s.macro_f1, s.exact
    assert got_recall >= recall, misses
    assert got_fp_rate <= fp_rate, misses
    assert got_macro_f1 >= macro_f1, misses
    assert got_exact >= exact, misses


def test_heldout_labels_are_well_formed() -> None:
    names = {t.value for t in RequestType}
    total = requests = 0
    for folder in FOLDERS:
        labels = json.loads((HELDOUT / folder / "labels.json").read_text(encoding="utf-8"))
        assert {p.name for p in (HELDOUT / folder).glob("*.eml")} == set(labels)
        for meta in labels.values():
            assert set(meta["labels"]) <= names
            assert meta["labels"] == ["not_privacy"] or "not_privacy" not in meta["labels"]
            total += 1
            requests += meta["labels"] != ["not_privacy"]
    assert total >= 1290
    assert 0.35 <= requests / total <= 0.55


def _mail(text: str, subject: str = "", quoted: str = "", language: str = "da") -> Inbound:
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


# Ordinary mail with request words in it: none may become a case.
HARD_NEGATIVES = [
    "I can't access my account, the password reset link never arrives.",
    "I don't have access to my account any more, can you unlock it?",
    "Jeg kan ikke få adgang til min konto på portalen, koden er forkert.",
    "Kan I sende mig mine login-oplysninger igen? Jeg har slettet mailen ved en fejl.",
    "There is no access to the wifi in the house.",
    "Can you send me a copy of my invoice? I need it for my employer.",
    "Kan I sende mig en kopi af min kontrakt?",
    "Remove me from the WhatsApp group please, I'm home now.",
    "Delete the duplicate booking please, ref 55120.",
    "Kan I slette den ene booking? Jeg har booket to gange.",
    "Please update my booking dates, I arrive on 12 July.",
    "Could you correct the invoice? It has my old company name on it.",
    "Min mor betaler resten af rejsen på fredag.",
    "Your data shows the flight is late by two hours.",
    "I want to withdraw from the programme in Cape Town.",
    "Jeg vil gerne trække min ansøgning tilbage til programmet.",
    "Please delete my last mail, I sent it by mistake.",
    "If you don't refund me within 14 days I will complain to the consumer authority.",
    "Hvis I ikke svarer inden fredag, klager jeg til Datatilsynet.",
    "Jeg vil klage over min værtsfamilie, værelset er koldt.",
    "I må endelig ikke slette min profil, jeg kommer igen næste år.",
    "Kan I ændre min returbillet til den 20. august?",
    # the public sector's access to documents, not to the writer's data
    "Kommunen har modtaget en anmodning om aktindsigt i sagen om indkøb af lejrskoleture. "
    "Vi giver jer lejlighed til at udtale jer, før der træffes afgørelse.",
    "Jeg har via aktindsigt hos kommunen fået dokumenterne i udbuddet af lejrskoleture.",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives(text: str) -> None:
    result = classify(_mail(text))
    assert result.labels == NOT, result.evidence


# The everyday phrasings the lexicons learnt from dev/ (and must keep).
REQUESTS = [
    (
        "Mit telefonnummer er skiftet, det nye er 28 44 19 02. Kan I opdatere det?",
        {T.RECTIFICATION},
    ),
    ("I have moved. My new address is 14 Elm Road. Could you update it?", {T.RECTIFICATION}),
    (
        "You have my name as Jon Smyth, it should be John Smith. Can you correct it?",
        {T.RECTIFICATION},
    ),
    ("Ni har min gamla adress. Den nya är Storgatan 12. Kan ni ändra det?", {T.RECTIFICATION}),
    ("Telefonnummeret mitt er endret til 912 34 567. Kan dere oppdatere det?", {T.RECTIFICATION}),
    ("Hvor har I min mailadresse fra? Slet den venligst.", {T.ACCESS, T.ERASURE}),
    ("Hvad står der egentlig om mig i jeres system?", {T.ACCESS}),
    ("Jeg ønsker ikke længere at I har mine oplysninger liggende.", {T.ERASURE}),
    ("Please forget me. I don't want to be in your system anymore.", {T.ERASURE}),
    (
        "Jeg ønsker ikke, at I videregiver mine oplysninger til jeres samarbejdspartnere.",
        {T.RESTRICTION},
    ),
    ("I må ikke sende mig flere mails med tilbud.", {T.CONSENT_WITHDRAWAL}),
    (
        "Ret lige min adresse til Havnegade 7, og stop så også nyhedsbrevet.",
        {T.RECTIFICATION, T.CONSENT_WITHDRAWAL},
    ),
    (
        "I hereby authorise my partner, James Lee, to deal with you regarding my personal data.",
        {T.THIRD_PARTY_AUTHORISATION},
    ),
    (
        "I'm writing on behalf of my daughter Zoe (15). Could you send us the information you "
        "have on file about her?",
        {T.THIRD_PARTY_AUTHORISATION, T.ACCESS},
    ),
    (
        "I have reported you to Datatilsynet, even though I asked whether you would answer.",
        {T.COMPLAINT},
    ),
    ("Jeg har i dag klaget til Datatilsynet, hvis I vil vide det.", {T.COMPLAINT}),
    ("Jeg anmoder hermed om aktindsigt i alle registreringer, der vedrører mig.", {T.ACCESS}),
]


@pytest.mark.parametrize(("text", "labels"), REQUESTS)
def test_everyday_requests(text: str, labels: set[RequestType]) -> None:
    result = classify(_mail(text))
    assert set(result.labels) == labels, result.evidence
    fast = classify_text("", text, "da")
    full = classify_text("", text, "da", scan_mode="full")
    assert fast.labels == full.labels


def test_asking_where_our_copy_of_a_number_came_from_is_access() -> None:
    """The source of the data is art. 15's. Whether "I never gave it to you" also
    complains is a judgement the labelled mails split on (dev/en-r29, dev18/en-r13 and
    dev32/en-r27 read it as access alone; "I never consented to ..." is a complaint,
    README "Labelling decisions"), and the model's complaint score for it sits at its
    threshold (0.56 to 0.65 over the last three trainings): either reading is accepted."""
    text = "Where did you get my phone number from? I never gave it to you."
    labels = set(classify(_mail(text)).labels)
    assert T.ACCESS in labels
    assert labels <= {T.ACCESS, T.COMPLAINT}


def test_abbreviations_do_not_end_a_sentence() -> None:
    # "Art. 77" keeps the threat and the complaint in one (conditional) sentence
    text = "Hvis I ikke svarer, klager jeg jf. Art. 77 GDPR til Datatilsynet."
    assert classify(_mail(text)).labels == NOT


def test_action_and_object_must_share_a_sentence() -> None:
    text = "Kan I rette fakturaen? Der står mit gamle firmanavn."
    assert classify(_mail(text)).labels == NOT


def test_pronoun_without_personal_data_is_no_request() -> None:
    assert classify(_mail("Jeg har sendt en fil. Kan I slette den?")).labels == NOT
    assert classify(_mail("The calendar invite is wrong. Please delete it.")).labels == NOT


def test_yes_agrees_only_to_our_question() -> None:
    offer = (
        "Vi har registreret at du har afmeldt dig. Ønsker du, at vi også sletter dine "
        "personoplysninger?"
    )
    assert classify(_mail("ja tak, gør det", quoted=offer)).labels == (T.ERASURE,)
    own_old_mail = "Fra: Kristian\nEmne: Indsigt\n\nJeg vil gerne have indsigt i mine data."
    assert classify(_mail("Tak, det er modtaget.", quoted=own_old_mail)).labels == NOT


def test_operator_phrases_add_to_the_rules() -> None:
    phrases = compile_phrases(
        {"erasure": {"da": ["glem mig"]}, "consent_withdrawal": {"en": ["leave the alumni* list"]}}
    )
    result = classify(_mail("Hej, glem mig venligst."), phrases)
    assert result.labels == (T.ERASURE,)
    assert result.evidence[0].rule == "config.erasure.da"
    assert classify(_mail("Please let me leave the alumnis list."), phrases).labels == (
        T.CONSENT_WITHDRAWAL,
    )
    # negation applies (the rules' check; what the model makes of "ikke mig" is its own)
    assert classify(_mail("Glem ikke mig!"), phrases, use_model=False).labels == NOT
    # the rules know the phrase only when configured (the trained model may know it anyway)
    assert classify(_mail("Hej, glem mig venligst."), use_model=False).labels == NOT


def test_operator_phrases_are_validated() -> None:
    with pytest.raises(ValueError):
        compile_phrases({"not_privacy": {"da": ["x"]}})
    with pytest.raises(ValueError):
        compile_phrases({"erasur": {"da": ["x"]}})


def test_cli_uses_configured_phrases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "privacybot.toml"
    config.write_text('[classifier]\nextra_phrases = {erasure = {da = ["glem mig"]}}\n')
    mail = tmp_path / "m.eml"
    mail.write_bytes(
        b"From: a@example.dk\nTo: info@alottbetter.dk\nSubject: hej\n\nHej, glem mig venligst.\n"
    )
    assert cli.main(["--config", str(config), "classify", "--json", str(mail)]) == 0
    row = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert row["labels"] == ["erasure"]
    assert row["evidence"][0]["rule"] == "config.erasure.da"
    bad = tmp_path / "bad.toml"
    bad.write_text('[classifier]\nextra_phrases = {erasur = {da = ["glem mig"]}}\n')
    with pytest.raises(ConfigError, match="classifier.extra_phrases"):
        load_settings(bad)
