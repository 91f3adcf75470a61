"""The classifier's trained second opinion (handlers/model.py, bench/train_model.py)."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import train_model
from bot.cli import classify_raw
from bot.config import load_settings
from handlers import classify, model, normalise
from handlers.values import Channel, RequestType

ROOT = Path(__file__).resolve().parents[2]


def mail(subject: str, body: str) -> bytes:
    return (
        f"From: Kunde <kunde@example.dk>\nTo: info@example.dk\nSubject: {subject}\n"
        "Message-ID: <model.1@example.dk>\nContent-Type: text/plain; charset=utf-8\n\n"
        f"{body}\n"
    ).encode()


#: No rule of the lexicons reads "fjern … min tilmelding" as an erasure (a registration is
#: not personal data to them); the model has learnt it from the shipped mails. ("min
#: ansøgning" was the example until a rule read a job applicant's papers, twelfth round.)
UNSEEN = mail(
    "Mine papirer",
    "Jeg rejser ikke med jer alligevel. Fjern venligst min tilmelding og de bilag, jeg har sendt.",
)


def test_the_shipped_weights_are_what_the_shipped_mails_train() -> None:
    """Anyone can rebuild the model from the repository and get the same one."""
    texts, labels = train_model.training_texts()
    trained = train_model.train(texts, labels)
    shipped = json.loads((ROOT / "handlers" / "model_weights.json").read_text("utf-8"))
    assert trained["mails"] == shipped["mails"] == len(texts)
    assert trained["trained_on"] == shipped["trained_on"]
    assert not set(shipped["trained_on"]) & set(train_model.HELD_BACK)
    assert trained["features"] == shipped["features"]
    worst = max(
        abs(a - b)
        for a, b in zip(model.decode_rows(trained), model.decode_rows(shipped), strict=True)
    )
    assert worst < 1e-3, f"retrain with: python -m bench.train_model ({worst})"
    assert trained["intercepts"] == pytest.approx(shipped["intercepts"], abs=1e-3)


def test_a_request_no_rule_sees_is_caught_with_its_words_and_sent_to_triage() -> None:
    inbound = normalise.parse(UNSEEN, Channel.FILE)
    assert not classify.classify(inbound, use_model=False).is_privacy
    result = classify.classify(inbound)
    assert result.labels == (RequestType.ERASURE,)
    assert result.confidence < load_settings(None).classifier.triage_below
    [evidence] = result.evidence
    assert evidence.rule == "model.erasure"
    assert "fjern" in evidence.phrase.split(", ")


def test_model_false_in_the_configuration_leaves_the_rules_alone(tmp_path: Path) -> None:
    config = tmp_path / "privacybot.toml"
    config.write_text("[classifier]\nmodel = false\n", encoding="utf-8")
    assert classify_raw(UNSEEN, load_settings(None))["labels"] == ["erasure"]
    assert classify_raw(UNSEEN, load_settings(config))["labels"] == ["not_privacy"]


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Afmelding", "Min søn vil gerne trække sig fra programmet i foråret. Hvad koster det?"),
        ("Oops", "Please delete my last mail, I sent it to you by mistake."),
        ("Faktura 2231", "Kan I rette fakturaen? Der står det gamle firmanavn."),
        ("Payment", "My mother will pay the rest of the deposit next week."),
        ("Fly", "Your data shows the flight is late, will somebody wait at the airport?"),
        ("Login", "Jeg kan ikke komme ind på min konto, kan I nulstille min adgangskode?"),
    ],
)
def test_the_issues_hard_negatives_stay_ordinary_mail(subject: str, body: str) -> None:
    inbound = normalise.parse(mail(subject, body), Channel.FILE)
    assert classify.classify(inbound).labels == (RequestType.NOT_PRIVACY,)


def test_the_same_answer_whatever_the_hash_seed() -> None:
    """Sets hand out features in an order that depends on the hash seed; the sums don't."""
    script = (
        "from handlers import model\n"
        "texts = ['Fjern venligst min ansøgning og de bilag', 'Hvad har I om mig?',"
        " 'Kan I rette fakturaen?', 'I do not want you to profile me']\n"
        "print([repr(model.opinion(t.lower(), full=True)) for t in texts])\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1
    assert "privacy=" in outputs.pop()


#: Ordinary mail the rules read as a request: a signature's disclaimer ("kun til den eller
#: de navngivne modtagere") has the shape of a restriction. Labelled ordinary in dev14/.
DISCLAIMER = ROOT / "tests" / "data" / "heldout" / "dev14" / "da-n05.eml"


def test_the_model_overrules_a_rules_request_it_is_sure_is_ordinary_mail() -> None:
    inbound = normalise.parse(DISCLAIMER.read_bytes(), Channel.FILE)
    rules = classify.classify(inbound, use_model=False)
    assert rules.labels == (RequestType.RESTRICTION,)
    result = classify.classify(inbound)
    assert result.labels == (RequestType.NOT_PRIVACY,)
    # kept as uncertain ordinary mail, with what was overruled as the evidence
    assert result.confidence < load_settings(None).classifier.triage_below
    assert [e.rule for e in result.evidence] == [f"model.overruled:{rules.evidence[0].rule}"]
    assert result.evidence[0].phrase == rules.evidence[0].phrase


#: A long, ordinary mail about a trip with one clear request at its end: the mail as a
#: whole reads as ordinary to the model, the request's own sentence does not.
LONG_MAIL = mail(
    "Spørgsmål til turen",
    "Tak for en god snak i telefonen i går. Vi glæder os meget til opholdet i Sydney, og min "
    "datter har allerede pakket det meste. Kan I fortælle, hvornår flyet lander, og om der "
    "er nogen, der henter hende i lufthavnen? Vi har også et spørgsmål om forsikringen og "
    "om depositummet, som vi betalte den 3. marts. Jeg trækker hermed mit samtykke tilbage "
    "og vil ikke modtage flere nyhedsbreve.",
)


def test_a_clear_request_at_the_end_of_a_long_ordinary_mail_is_not_overruled() -> None:
    inbound = normalise.parse(LONG_MAIL, Channel.FILE)
    _, lower = classify._prepare(inbound.subject, inbound.text)
    weights = model.shipped()
    # the mail as a whole is one the model would overrule ...
    assert model.opinion(lower).privacy < weights.overrule_below
    result = classify.classify(inbound)
    # ... but the sentence that asks reads as a request on its own, so the rules stand
    assert result.labels == (RequestType.CONSENT_WITHDRAWAL,)
    assert result.confidence >= load_settings(None).classifier.triage_below
    assert not any(e.rule.startswith("model.overruled") for e in result.evidence)


def test_a_sure_rule_is_never_overruled(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a model that would overrule every request, an explicit phrase the rules are
    sure of (0.95 or more) stands, and a weak request shape (the disclaimer's 0.6) falls."""
    eager = dataclasses.replace(model.shipped(), overrule_below=1.1, sentences_below=1.1)
    monkeypatch.setattr(model, "shipped", lambda: eager)
    sure = normalise.parse(
        mail(
            "Samtykke",
            "Jeg trækker hermed mit samtykke tilbage og vil ikke modtage flere nyhedsbreve.",
        ),
        Channel.FILE,
    )
    assert classify.classify(sure, use_model=False).confidence >= classify.SURE_PHRASE_FROM
    assert classify.classify(sure).labels == (RequestType.CONSENT_WITHDRAWAL,)
    weak = normalise.parse(DISCLAIMER.read_bytes(), Channel.FILE)
    assert classify.classify(weak, use_model=False).confidence < classify.SURE_PHRASE_FROM
    assert classify.classify(weak).labels == (RequestType.NOT_PRIVACY,)


def test_a_sure_legal_word_used_in_its_everyday_sense_is_overruled() -> None:
    """ "Innsyn" is the Norwegian legal word for access, and the rules are sure of it; a
    parent asking for "innsyn i programmet" of a school trip asks for nothing about
    themselves, and the model, all but certain, overrules it (SURE_PHRASE_OVERRULED_BELOW)."""
    inbound = normalise.parse(
        mail(
            "Innsyn i programmet",
            "Hei,\n\nVi er noen foreldre fra Bergen som gjerne vil ha innsyn i programmet for "
            "leirskoleuka i Edinburgh før vi betaler. Hva gjør barna om kveldene, og hvor mye "
            "fritid har de uten voksne?\n\nVennlig hilsen\nAstrid",
        ),
        Channel.FILE,
    )
    assert classify.classify(inbound, use_model=False).confidence >= classify.SURE_PHRASE_FROM
    result = classify.classify(inbound)
    assert result.labels == (RequestType.NOT_PRIVACY,)
    assert [e.rule for e in result.evidence] == ["model.overruled:no.innsyn"]


def test_an_operators_phrase_is_never_overruled() -> None:
    inbound = normalise.parse(DISCLAIMER.read_bytes(), Channel.FILE)
    phrases = classify.compile_phrases({"restriction": {"da": ["navngivne modtagere"]}})
    result = classify.classify(inbound, phrases)
    assert RequestType.RESTRICTION in result.labels
    assert any(e.rule == "config.restriction.da" for e in result.evidence)


def test_the_model_adds_a_complaint_the_rules_did_not_name() -> None:
    """ "I never agreed to it" complains (tests/data/heldout/README.md); the rules see
    only the stop."""
    inbound = normalise.parse(
        mail(
            "Re: din ansøgning",
            "Stop med at sende mig sms'er om tilbud. Jeg har fået fem i denne uge og har aldrig "
            "sagt ja til det.",
        ),
        Channel.FILE,
    )
    assert classify.classify(inbound, use_model=False).labels == (RequestType.CONSENT_WITHDRAWAL,)
    result = classify.classify(inbound)
    assert result.labels == (RequestType.CONSENT_WITHDRAWAL, RequestType.COMPLAINT)
    assert [e.rule for e in result.evidence][-1] == "model.complaint"
    assert result.evidence[-1].phrase  # the words that weighed most, for staff


def test_the_model_names_another_type_only_where_the_mail_says_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a model that would add every type, a one-sentence request keeps the rules'
    reading ("om mig" is no access request in "rydder op i det I har om mig"), and the
    same request followed by a paragraph the rules did not read gets the model's types."""
    eager = dataclasses.replace(model.shipped(), add_other_type_above=0.0)
    monkeypatch.setattr(model, "shipped", lambda: eager)
    request = "Nu vil jeg gerne have, at I rydder op i det I har om mig."
    alone = classify.classify(normalise.parse(mail("Oprydning", request), Channel.FILE))
    assert alone.labels == (RequestType.ERASURE,)
    more = request + (
        "\n\nDesuden undrer jeg mig over, hvem der ellers har fået mit telefonnummer, for "
        "jeg bliver ringet op af firmaer, jeg aldrig har hørt om."
    )
    longer = classify.classify(normalise.parse(mail("Oprydning", more), Channel.FILE))
    assert RequestType.ERASURE in longer.labels
    assert len(longer.labels) > 1
    assert any(e.rule.startswith("model.") for e in longer.evidence)


@pytest.mark.parametrize(
    "text",
    [
        "Hvad skal I bruge af oplysninger om mig til visummet?",
        "What information do you need from me for the visa application?",
        "Vilka uppgifter om mig behöver ni till visumet?",
        "Hvilke opplysninger om meg trenger dere til visumet?",
        "Welche Angaben über mich brauchen Sie für das Visum?",
    ],
)
def test_asking_what_we_need_from_the_writer_opens_no_case(text: str) -> None:
    """ "What do you need from me?" is about documents to send: the model reads "om mig"
    as an access request, so it does not open a case on its own word for one."""
    result = classify.classify(normalise.parse(mail("Visum", text), Channel.FILE))
    assert result.labels == (RequestType.NOT_PRIVACY,), result.evidence


def test_asking_what_our_use_of_ones_data_is_stays_an_access_request() -> None:
    """What we use the writer's data for (art. 15's purposes) is not what we need. (The
    future "Hvad skal I bruge mine oplysninger til?" can mean either, "what will you need
    them for" when we ask for a document; the model puts it near its threshold, 0.57 to
    0.77 over the last three trainings, so it is no test of this.)"""
    for text in (
        "Hvad bruger I mine oplysninger til?",
        "What do you use my data for?",
        "Hvad skal I bruge mine oplysninger til?",
    ):
        assert classify._ASKS_WHAT_WE_NEED.search(text.lower()) is None
    for text in ("Hvad bruger I mine oplysninger til?", "What do you use my data for?"):
        result = classify.classify(normalise.parse(mail("Spørgsmål", text), Channel.FILE))
        assert RequestType.ACCESS in result.labels, result.evidence


def test_an_explicit_request_beside_ordinary_paragraphs_is_never_overruled() -> None:
    """ "Under the GDPR I ask you to erase my personal data." between a greeting and two
    paragraphs about an information meeting: the model reads the mail, and at C = 16 the
    sentence too, as ordinary (GDPR is mostly a word of business letters in the training
    mail), but a phrase this explicit is the writer's request whatever surrounds it."""
    filler = (
        "Kind regards, and have a good weekend. We hope to see you at the information "
        "meeting next month, where we would like to hear more about the programme. "
    )
    text = f"Hello\n\nUnder the GDPR I ask you to erase my personal data.\n\n{filler * 3}"
    result = classify.classify(normalise.parse(mail("GDPR erasure", text), Channel.FILE))
    assert result.labels == (RequestType.ERASURE,), result.evidence
    assert result.confidence >= load_settings(None).classifier.triage_below


#: Words the shipped model knows, in both spellings of æ/ø/å, numbers, and odd letters.
_WORDS = st.sampled_from(
    [
        "slet",
        "sletning",
        "mine",
        "min",
        "oplysninger",
        "ønsker",
        "oensker",
        "øjeblikkeligt",
        "data",
        "personal",
        "my",
        "delete",
        "please",
        "copy",
        "samtykke",
        "nyhedsbrev",
        "12",
        "2024",
        "3.",
        "Æble",
        "straße",
        "İstanbul",
        "ǅemal",
        "x",
    ]
)


@given(st.lists(st.one_of(_WORDS, st.text(max_size=8)), max_size=40).map(" ".join))
@settings(max_examples=2000, deadline=None)
def test_the_features_counted_are_the_features_of_the_text(text: str) -> None:
    """The model counts a text's features from its words (read once by ``classify``,
    folded and cut once per distinct word); they must be what ``features`` makes of it."""
    w = model.shipped()
    reference = model.features(text.lower())
    expected = sorted((w.index[f], n) for f, n in reference.items() if f in w.index)
    lower = text.lower()
    assert sorted(model._hot_counts(lower, w, re.findall(r"\w+", lower))) == expected
    assert sorted(model._hot_counts(lower, w)) == expected


def test_the_words_remembered_start_afresh_when_there_are_many(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = dataclasses.replace(model.shipped(), word_keys={})
    monkeypatch.setattr(model, "_MAX_KEYS", 6)
    texts = ["slet mine oplysninger nu", "please delete my personal data 2024", "samtykke"]
    for text in texts * 2:
        expected = sorted((w.index[f], n) for f, n in model.features(text).items() if f in w.index)
        assert sorted(model._hot_counts(text, w)) == expected
        assert len(w.word_keys) <= 6
