"""The letters a requester and staff actually read, in Danish and English."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import jinja2
import pytest

from handlers import drafting
from handlers.drafting import (
    acknowledgement,
    choose_language,
    extension_notice,
    has_staff_notes,
    long_date,
    make_environment,
    message_id,
    reply,
    reply_mail,
    threading_headers,
)
from handlers.values import (
    REQUEST_TYPES,
    CaseView,
    Channel,
    Company,
    Inbound,
    Policy,
    RequestType,
)

ALOTT = Company(
    name="ALOTTbetter ApS",
    email="info@alottbetter.dk",
    phone="52119707",
    website="www.alottbetter.dk",
    address="",
)
RT = RequestType


@pytest.fixture(scope="module")
def env() -> jinja2.Environment:
    return make_environment()


def case_view(**changes: object) -> CaseView:
    base = CaseView(
        ref="PR-2026-0001",
        labels=(RT.ERASURE,),
        language="da",
        received_at=datetime(2026, 11, 24, 8, 15, tzinfo=UTC),
        deadline=date(2026, 12, 24),
        requester_name="Mette Hansen",
        requester_address="mette@example.org",
        subject="Slet mine oplysninger",
    )
    return replace(base, **changes)


def inbound(**changes: object) -> Inbound:
    base = Inbound(
        channel=Channel.SMTP,
        external_id="ext-1",
        message_id="<CAF-123@mail.example.org>",
        sender="mette@example.org",
        sender_name="Mette Hansen",
        recipients=("info@alottbetter.dk",),
        subject="Slet mine oplysninger",
        text="Hej, jeg vil gerne have slettet mine oplysninger.",
        quoted="",
        language="da",
        in_reply_to="<earlier@mail.example.org>",
        references=("<first@mail.example.org>", "<earlier@mail.example.org>"),
    )
    return replace(base, **changes)


# --------------------------------------------------------------------------- environment


def test_environment_is_strict_and_escapes_only_html(env: jinja2.Environment) -> None:
    assert env.undefined is jinja2.StrictUndefined
    assert env.keep_trailing_newline
    assert callable(env.autoescape)
    assert env.autoescape("da/ack.eml.j2") is False
    assert env.autoescape("da/staff_card.html.j2") is True
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()


def test_every_letter_template_is_found_through_the_package(env: jinja2.Environment) -> None:
    names = set(env.list_templates(extensions=["j2"]))
    for lang in ("da", "en"):
        for letter in ("ack.eml.j2", "reply.eml.j2", "extension.eml.j2"):
            assert f"{lang}/{letter}" in names
        for kind in REQUEST_TYPES:
            assert f"{lang}/reply/{kind}.j2" in names
    assert "_company.j2" in names


# --------------------------------------------------------------------------- language and dates


@pytest.mark.parametrize(
    ("language", "company_default", "expected"),
    [
        ("da", "da", "da"),
        ("en", "da", "en"),
        ("en-GB", "da", "en"),
        ("DA_dk", "en", "da"),
        ("de", "da", "da"),
        ("", "en", "en"),
        ("sv", "de", "en"),
    ],
)
def test_choose_language(language: str, company_default: str, expected: str) -> None:
    company = replace(ALOTT, default_language=company_default)
    assert choose_language(language, company) == expected


def test_long_date_in_both_languages() -> None:
    assert long_date(date(2026, 12, 24), "da") == "24. december 2026"
    assert long_date(date(2026, 3, 1), "en") == "1 March 2026"
    # 23:30 UTC on 31 May is 1 June in Copenhagen.
    assert long_date(datetime(2026, 5, 31, 23, 30, tzinfo=UTC), "da") == "1. juni 2026"
    with pytest.raises(ValueError):
        long_date(datetime(2026, 5, 31, 23, 30), "da")


# ------------------------------------------------------------------- Message-ID and threading


def test_message_id_is_stable_and_validated() -> None:
    made = message_id(kind="ack", ref="PR-2026-0001", n=1, domain="AlottBetter.dk")
    assert made == "<ack.PR-2026-0001.1@alottbetter.dk>"
    assert made == message_id(kind="ack", ref="PR-2026-0001", n=1, domain="alottbetter.dk")
    for bad in (
        {"kind": "ack", "ref": "PR 1", "n": 1, "domain": "alottbetter.dk"},
        {"kind": "a>ck", "ref": "PR-2026-0001", "n": 1, "domain": "alottbetter.dk"},
        {"kind": "ack", "ref": "PR-2026-0001", "n": 0, "domain": "alottbetter.dk"},
        {"kind": "ack", "ref": "PR-2026-0001", "n": 1, "domain": "alottbetter.dk>\r\nBcc: x"},
    ):
        with pytest.raises(ValueError):
            message_id(**bad)  # type: ignore[arg-type]


def test_threading_headers_follow_rfc5322() -> None:
    assert threading_headers("<c@x>", ("<a@x>", "<b@x>")) == {
        "In-Reply-To": "<c@x>",
        "References": "<a@x> <b@x> <c@x>",
    }
    # No References in the parent: its single In-Reply-To starts the chain.
    assert threading_headers("c@x", (), "<b@x>")["References"] == "<b@x> <c@x>"
    assert threading_headers(None, ("<a@x>",)) == {}
    many = tuple(f"<m{i}@x>" for i in range(50))
    refs = threading_headers("<last@x>", many)["References"].split()
    assert len(refs) == drafting.MAX_REFERENCES
    assert refs[0] == "<m0@x>" and refs[-1] == "<last@x>"


# --------------------------------------------------------------------------- acknowledgement


@pytest.mark.parametrize(
    ("language", "subject", "deadline_text", "received_text"),
    [
        (
            "da",
            "[PR-2026-0001] Vi har modtaget din henvendelse",
            "24. december 2026",
            "24. november 2026",
        ),
        (
            "en",
            "[PR-2026-0001] We have received your request",
            "24 December 2026",
            "24 November 2026",
        ),
    ],
)
def test_acknowledgement(
    env: jinja2.Environment, language: str, subject: str, deadline_text: str, received_text: str
) -> None:
    mail = acknowledgement(
        env, case=case_view(language=language), inbound=inbound(language=language), company=ALOTT
    )
    assert mail.subject == subject
    assert mail.to == "mette@example.org"
    assert mail.sender == "info@alottbetter.dk"
    assert mail.language == language
    assert mail.message_id == "<ack.PR-2026-0001.1@alottbetter.dk>"
    assert "PR-2026-0001" in mail.body
    assert deadline_text in mail.body
    assert received_text in mail.body
    assert "Mette Hansen" in mail.body
    assert mail.headers == {
        "In-Reply-To": "<CAF-123@mail.example.org>",
        "References": (
            "<first@mail.example.org> <earlier@mail.example.org> <CAF-123@mail.example.org>"
        ),
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
        "X-Loop": "info@alottbetter.dk",
        "Content-Language": language,
    }
    # The signature carries the company's details and no empty address line.
    tail = mail.body.rstrip("\n").splitlines()[-5:]
    assert tail[:2] == ["", "ALOTTbetter ApS"]
    assert tail[2].endswith(" 52119707")
    assert tail[3:] == ["info@alottbetter.dk", "www.alottbetter.dk"]
    assert "\n\n\n" not in mail.body
    assert mail.body.endswith("\n") and not mail.body.endswith("\n\n")


def test_acknowledgement_is_the_same_when_made_again(env: jinja2.Environment) -> None:
    first = acknowledgement(env, case=case_view(), inbound=inbound(), company=ALOTT)
    again = acknowledgement(env, case=case_view(), inbound=inbound(), company=ALOTT)
    assert first == again


def test_acknowledgement_never_echoes_what_the_sender_wrote(env: jinja2.Environment) -> None:
    sensitive = inbound(subject="Min diabetes og allergi", text="Jeg har diabetes; slet det.")
    mail = acknowledgement(
        env, case=case_view(subject=sensitive.subject), inbound=sensitive, company=ALOTT
    )
    assert "diabetes" not in (mail.subject + mail.body).lower()
    assert "erasure" not in mail.body and "slet" not in mail.body.lower()


def test_acknowledgement_for_unknown_language_uses_company_default(
    env: jinja2.Environment,
) -> None:
    mail = acknowledgement(env, case=case_view(language="fr"), inbound=inbound(), company=ALOTT)
    assert mail.language == "da"
    assert mail.subject == "[PR-2026-0001] Vi har modtaget din henvendelse"
    english_company = replace(ALOTT, default_language="en")
    mail = acknowledgement(
        env, case=case_view(language="fr"), inbound=inbound(), company=english_company
    )
    assert mail.language == "en"
    assert mail.headers["Content-Language"] == "en"
    assert "24 December 2026" in mail.body


def test_acknowledgement_of_a_chat_message_has_no_threading_headers(
    env: jinja2.Environment,
) -> None:
    chat = inbound(channel=Channel.CHAT, message_id=None, in_reply_to=None, references=())
    mail = acknowledgement(env, case=case_view(), inbound=chat, company=ALOTT)
    assert "In-Reply-To" not in mail.headers and "References" not in mail.headers
    assert mail.headers["Auto-Submitted"] == "auto-replied"


def test_company_address_lines_are_printed_and_blank_ones_skipped(
    env: jinja2.Environment,
) -> None:
    company = replace(ALOTT, address="Postboks 0\n\n0000 Eksempelby\n", phone="")
    mail = acknowledgement(env, case=case_view(), inbound=inbound(), company=company)
    assert mail.body.rstrip("\n").splitlines()[-5:] == [
        "ALOTTbetter ApS",
        "Postboks 0",
        "0000 Eksempelby",
        "info@alottbetter.dk",
        "www.alottbetter.dk",
    ]


# --------------------------------------------------------------------------- reply letters

ALL_TYPES = tuple(reversed(REQUEST_TYPES))  # given out of order on purpose

# Phrases each section must carry, per RULES.md, in each language.
REQUIRED = {
    "da": {
        RT.THIRD_PARTY_AUTHORISATION: ["skriftligt samtykke", "på mail", "hverken bekræfter"],
        RT.ACCESS: ["Anmodning om persondataudtræk", "underskrevet brev", "(Underskrift)"],
        RT.RECTIFICATION: ["retter", "hvilke oplysninger det drejer sig om"],
        RT.CONSENT_WITHDRAWAL: [
            "markedsføring",
            "op til 10 år",
            "historier og invitationer",
            "alene byggede på samtykket",
        ],
        RT.RESTRICTION: ["begrænse", "direkte markedsføring eller profilering"],
        RT.ERASURE: ["aftale", "bogføringsloven", "5 år", "2 år efter afslutningen"],
        RT.COMPLAINT: ["Datatilsynet", "www.datatilsynet.dk", "Carl Jacobsens Vej 35", "10 år"],
    },
    "en": {
        RT.THIRD_PARTY_AUTHORISATION: ["written consent", "by e-mail", "neither confirm"],
        RT.ACCESS: ["Anmodning om persondataudtræk", "signed letter", "(Signature)"],
        RT.RECTIFICATION: ["correct", "exactly which details"],
        RT.CONSENT_WITHDRAWAL: [
            "marketing",
            "up to 10 years",
            "stories and invitations",
            "based on consent alone stops",
        ],
        RT.RESTRICTION: ["restrict", "direct marketing or profiling"],
        RT.ERASURE: ["agreement", "Bookkeeping Act", "5 years", "2 years after it ends"],
        RT.COMPLAINT: ["Datatilsynet", "www.datatilsynet.dk", "Carl Jacobsens Vej 35", "10 years"],
    },
}
HEADINGS = {
    "da": {
        RT.THIRD_PARTY_AUTHORISATION: "Henvendelse på vegne af en anden person",
        RT.ACCESS: "Indsigt i dine personoplysninger",
        RT.RECTIFICATION: "Rettelse af dine oplysninger",
        RT.CONSENT_WITHDRAWAL: "Tilbagetrækning af samtykke",
        RT.RESTRICTION: "Begrænsning af behandlingen",
        RT.ERASURE: "Sletning af dine oplysninger",
        RT.COMPLAINT: "Din klage",
    },
    "en": {
        RT.THIRD_PARTY_AUTHORISATION: "Writing on behalf of another person",
        RT.ACCESS: "Access to your personal data",
        RT.RECTIFICATION: "Correcting your data",
        RT.CONSENT_WITHDRAWAL: "Withdrawal of consent",
        RT.RESTRICTION: "Restriction of processing",
        RT.ERASURE: "Erasure of your data",
        RT.COMPLAINT: "Your complaint",
    },
}


@pytest.mark.parametrize("language", ["da", "en"])
def test_one_letter_answers_every_type_in_order(env: jinja2.Environment, language: str) -> None:
    case = case_view(language=language, labels=ALL_TYPES)
    subject, body = reply(env, case=case, company=ALOTT, policy=Policy())
    assert subject.startswith("[PR-2026-0001] ")
    assert body.count("Mette Hansen") == 1
    assert long_date(case.deadline, language) in body
    lines = body.splitlines()
    positions = [lines.index(HEADINGS[language][kind]) for kind in REQUEST_TYPES]
    assert positions == sorted(positions)
    for kind, phrases in REQUIRED[language].items():
        for phrase in phrases:
            assert phrase in body, (kind, phrase)
    # The choice to answer an e-mailed access request directly is visible at the top.
    assert lines[0].startswith("[STAFF:")
    assert has_staff_notes(body)
    assert "ALOTTbetter ApS" in lines and "www.alottbetter.dk" in lines
    assert "\n\n\n" not in body


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("kind", REQUEST_TYPES)
def test_each_type_alone_renders_its_section(
    env: jinja2.Environment, language: str, kind: RequestType
) -> None:
    case = case_view(language=language, labels=(kind,))
    _, body = reply(env, case=case, company=ALOTT, policy=Policy())
    assert HEADINGS[language][kind] in body.splitlines()
    for phrase in REQUIRED[language][kind]:
        assert phrase in body
    others = set(REQUEST_TYPES) - {kind}
    for other in others:
        assert HEADINGS[language][other] not in body.splitlines()


def test_third_party_letter_promises_nothing_before_consent(env: jinja2.Environment) -> None:
    case = case_view(labels=(RT.THIRD_PARTY_AUTHORISATION, RT.ERASURE))
    _, body = reply(env, case=case, company=ALOTT, policy=Policy())
    assert "Når samtykket foreligger, sletter vi" in body
    assert "Vi har slettet" not in body
    assert "info@alottbetter.dk med sagsnummeret PR-2026-0001" in body


def test_erasure_and_consent_share_what_is_kept(env: jinja2.Environment) -> None:
    case = case_view(labels=(RT.ERASURE, RT.CONSENT_WITHDRAWAL), language="en")
    _, body = reply(env, case=case, company=ALOTT, policy=Policy())
    assert body.count("Bookkeeping Act") == 1
    assert "explained in the section on erasure below" in body


def test_access_answered_directly_when_policy_allows(env: jinja2.Environment) -> None:
    policy = Policy(access_requires_signed_letter=False)
    _, body = reply(env, case=case_view(labels=(RT.ACCESS,)), company=ALOTT, policy=policy)
    assert "Anmodning om persondataudtræk" not in body
    assert not has_staff_notes(body)
    assert "Vi sender dig en oversigt" in body


def test_access_letter_names_the_postal_address_when_configured(
    env: jinja2.Environment,
) -> None:
    company = replace(ALOTT, address="Postboks 0\n0000 Eksempelby")
    _, body = reply(env, case=case_view(labels=(RT.ACCESS,)), company=company, policy=Policy())
    assert "og send det til:\n\n    ALOTTbetter ApS\n    Postboks 0\n    0000 Eksempelby\n" in body
    _, without = reply(env, case=case_view(labels=(RT.ACCESS,)), company=ALOTT, policy=Policy())
    assert "så oplyser vi postadressen" in without


def test_retention_years_come_from_policy(env: jinja2.Environment) -> None:
    policy = Policy(retention_years=3, extended_retention_years=12)
    case = case_view(labels=(RT.ERASURE, RT.COMPLAINT))
    _, body = reply(env, case=case, company=ALOTT, policy=policy)
    assert "3 år efter afslutningen" in body and "12 år" in body


def test_reply_in_unknown_language_falls_back(env: jinja2.Environment) -> None:
    subject, body = reply(env, case=case_view(language="xx"), company=ALOTT, policy=Policy())
    assert subject == "[PR-2026-0001] Svar på din henvendelse om personoplysninger"
    assert "Kære Mette Hansen" in body
    company = replace(ALOTT, default_language="en")
    subject, _ = reply(env, case=case_view(language="xx"), company=company, policy=Policy())
    assert subject == "[PR-2026-0001] Our answer to your request about personal data"


def test_reply_without_a_name_greets_politely(env: jinja2.Environment) -> None:
    _, body = reply(env, case=case_view(requester_name=""), company=ALOTT, policy=Policy())
    assert body.startswith("Hej\n")


def test_not_privacy_has_no_reply(env: jinja2.Environment) -> None:
    with pytest.raises(ValueError, match="PR-2026-0001"):
        reply(env, case=case_view(labels=(RT.NOT_PRIVACY,)), company=ALOTT, policy=Policy())


# --------------------------------------------------------------------------- extension notice


@pytest.mark.parametrize(
    ("language", "old_text", "new_text"),
    [
        ("da", "24. december 2026", "24. februar 2027"),
        ("en", "24 December 2026", "24 February 2027"),
    ],
)
def test_extension_notice(
    env: jinja2.Environment, language: str, old_text: str, new_text: str
) -> None:
    subject, body = extension_notice(
        env,
        case=case_view(language=language),
        company=ALOTT,
        new_deadline=date(2027, 2, 24),
        reason="Oplysningerne ligger hos tre praktiksteder.",
    )
    assert subject.startswith("[PR-2026-0001] ")
    assert old_text in body and new_text in body
    assert "Oplysningerne ligger hos tre praktiksteder." in body
    assert "Datatilsynet" in body


def test_extension_needs_a_reason_and_a_later_deadline(env: jinja2.Environment) -> None:
    with pytest.raises(ValueError, match="reason"):
        extension_notice(
            env, case=case_view(), company=ALOTT, new_deadline=date(2027, 2, 24), reason="  "
        )
    with pytest.raises(ValueError, match="not after"):
        extension_notice(
            env, case=case_view(), company=ALOTT, new_deadline=date(2026, 12, 1), reason="x"
        )


# --------------------------------------------------------------------------- approved reply as mail


def test_reply_mail_threads_and_is_not_marked_automatic() -> None:
    mail = reply_mail(
        case=case_view(language="en"),
        subject="[PR-2026-0001] Our answer\r\nBcc: evil@example.net",
        body="Dear Mette Hansen,\n\nDone.\n",
        company=ALOTT,
        in_reply_to="<CAF-123@mail.example.org>",
        references=("<first@mail.example.org>",),
        n=2,
        domain="alottbetter.dk",
    )
    assert mail.to == "mette@example.org"
    assert mail.sender == "info@alottbetter.dk"
    assert mail.subject == "[PR-2026-0001] Our answer Bcc: evil@example.net"
    assert mail.message_id == "<reply.PR-2026-0001.2@alottbetter.dk>"
    assert mail.headers["In-Reply-To"] == "<CAF-123@mail.example.org>"
    assert mail.headers["References"] == "<first@mail.example.org> <CAF-123@mail.example.org>"
    assert mail.headers["Content-Language"] == "en"
    assert "Auto-Submitted" not in mail.headers
    assert mail.language == "en"


def test_reply_mail_never_sends_a_staff_note(env: jinja2.Environment) -> None:
    subject, body = reply(env, case=case_view(labels=(RT.ACCESS,)), company=ALOTT, policy=Policy())
    assert has_staff_notes(body)
    mail = reply_mail(
        case=case_view(),
        subject=subject,
        body=body,
        company=ALOTT,
        in_reply_to=None,
        references=(),
        n=1,
        domain="alottbetter.dk",
    )
    assert "[STAFF:" not in mail.body
    assert "Anmodning om persondataudtræk" in mail.body
    approved = "\n".join(line for line in body.splitlines() if not line.startswith("[STAFF:"))
    mail = reply_mail(
        case=case_view(),
        subject=subject,
        body=approved,
        company=ALOTT,
        in_reply_to=None,
        references=(),
        n=1,
        domain="alottbetter.dk",
    )
    assert "In-Reply-To" not in mail.headers


def test_warm_up_compiles_every_letter_and_names_a_company_letter_that_does_not(
    tmp_path: Path,
) -> None:
    (tmp_path / "da").mkdir()
    (tmp_path / "da" / "ack.eml.j2").write_text("Subject: Tak\n\n{% if %}\n", encoding="utf-8")
    env = make_environment(tmp_path)

    broken = drafting.warm_up(env)

    assert broken == ["da/ack.eml.j2"]
    # every other letter and the staff card are compiled and cached, in both languages
    compiled = {name for (_, name) in env.cache}  # type: ignore[union-attr]
    assert {"en/ack.eml.j2", "da/reply.eml.j2", "en/reply/erasure.j2",
            "staff_card.html.j2"} <= compiled
    assert not any(name.startswith("web/") for name in compiled)
    with pytest.raises(jinja2.TemplateSyntaxError):
        env.get_template("da/ack.eml.j2")
