"""Loop guard: machine mail gets a named verdict, a person's mail gets through."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from handlers.loop_guard import LOOP_RULES, check
from handlers.normalise import parse, parse_chat
from handlers.values import Channel, Inbound, LoopVerdict

MAIL = Path(__file__).resolve().parents[1] / "data" / "mail"
PUBLIC = MAIL / "public"
OWN_ADDRESSES = frozenset({"info@alottbetter.dk"})
OWN_DOMAINS = frozenset({"alottbetter.dk"})

PUBLIC_MACHINE_MAIL = {
    "bounceparser-corpus--aol-vacation.msg.eml": "auto-submitted",
    "bounceparser-corpus--exchange.unknown.msg.eml": "machine-sender",
    "flanker-fixtures--bounce_office365.eml.eml": "dsn",
    "flanker-fixtures--disposition-notification.eml.eml": "dsn",
    "sisimai-set-of-emails--lhost-exim-01.eml.eml": "dsn",
    "sisimai-set-of-emails--lhost-qmail-01.eml.eml": "null-return-path",
    "sisimai-set-of-emails--lhost-yahoo-01.eml.eml": "machine-sender",
    "sisimai-set-of-emails--rfc3834-01.eml.eml": "auto-submitted",
    "sisimai-set-of-emails--rfc3834-03.eml.eml": "autoreply-subject",
    "spamassassin-testdata--nice_002.eml": "precedence",
    "zammad-test-mails--mail033-undelivered-mail-returned-to-sender.box.eml": "dsn",
    "zammad-test-mails--mail089.box.eml": "auto-submitted",
}
PUBLIC_REQUEST_LETTERS = (
    "datenanfragen-templates--de-access-default.eml",
    "datenanfragen-templates--en-erasure-default.eml",
    "datenanfragen-templates--sv-access-default.eml",
    "gdpr-documents-good-lly--gdpr_erase_en.eml",
    "websight-model-letters--en-model-correspondence-for-right-to-access.eml",
)


def verdict_for(inbound: Inbound) -> LoopVerdict | None:
    return check(inbound, own_addresses=OWN_ADDRESSES, own_domains=OWN_DOMAINS)


def load(path: Path) -> Inbound:
    return parse(path.read_bytes(), Channel.IMAP)


def person(**changes: object) -> Inbound:
    """An ordinary customer mail; each test changes one thing about it."""
    base = Inbound(
        channel=Channel.IMAP,
        external_id="m1@example.dk",
        message_id="m1@example.dk",
        sender="kunde@example.dk",
        sender_name="Kunde",
        recipients=("info@alottbetter.dk",),
        subject="Sletning af mine oplysninger",
        text="Slet venligst mine oplysninger.",
        quoted="",
        language="da",
        headers={"content-type": "text/plain; charset=utf-8"},
        return_path="kunde@example.dk",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- test mails


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("outlook-autoreply-da.eml", "auto-submitted"),
        ("outlook-autoreply-no-headers.eml", "autoreply-subject"),
        ("bounce-dsn.eml", "dsn"),
        ("newsletter.eml", "list"),
    ],
)
def test_machine_mail_is_held_back_with_the_rule_that_fired(name: str, rule: str) -> None:
    verdict = verdict_for(load(MAIL / name))
    assert verdict is not None
    assert verdict.rule == rule
    assert verdict.reason


@pytest.mark.parametrize(
    "name",
    [
        "da-erasure-quoted-reply.eml",
        "gmail-reply-en.eml",
        "outlook-reply-da.eml",
        "en-html-only.eml",
        "encoded-word-subject.eml",
        "windows-1252-da.eml",
        "unknown-charset.eml",
        "forwarded-by-staff-da.eml",
        "forwarded-attachment-rfc822.eml",
        "google-group-delivery.eml",
    ],
)
def test_a_persons_mail_gets_through(name: str) -> None:
    assert verdict_for(load(MAIL / name)) is None


def test_every_public_copy_is_listed_as_machine_mail_or_request() -> None:
    copied = {p.name for p in PUBLIC.glob("*.eml")}
    assert copied == set(PUBLIC_MACHINE_MAIL) | set(PUBLIC_REQUEST_LETTERS)


@pytest.mark.parametrize(("name", "rule"), sorted(PUBLIC_MACHINE_MAIL.items()))
def test_public_bounces_and_autoreplies_are_held_back(name: str, rule: str) -> None:
    verdict = verdict_for(load(PUBLIC / name))
    assert verdict is not None, name
    assert verdict.rule == rule


@pytest.mark.parametrize("name", PUBLIC_REQUEST_LETTERS)
def test_public_request_letters_get_through(name: str) -> None:
    assert verdict_for(load(PUBLIC / name)) is None


# --------------------------------------------------------------------------- each rule


@pytest.mark.parametrize(
    ("headers", "rule"),
    [
        ({"auto-submitted": "auto-replied"}, "auto-submitted"),
        ({"auto-submitted": "auto-generated; owner-email=x@y"}, "auto-submitted"),
        ({"auto-submitted": "auto-notified"}, "auto-submitted"),
        ({"precedence": "bulk"}, "precedence"),
        ({"precedence": "junk"}, "precedence"),
        ({"precedence": "list"}, "precedence"),
        ({"precedence": "auto_reply"}, "precedence"),
        ({"list-id": "<news.example.com>"}, "list"),
        ({"list-unsubscribe": "<mailto:u@example.com>"}, "list"),
        ({"x-autoreply": "yes"}, "autoreply-header"),
        ({"x-autorespond": "Vacation"}, "autoreply-header"),
        ({"x-loop": "yes"}, "x-loop"),
        ({"x-loop": "info@alottbetter.dk"}, "own-mail"),
        ({"x-failed-recipients": "kunde@example.dk"}, "dsn"),
    ],
)
def test_header_rules(headers: dict[str, str], rule: str) -> None:
    verdict = verdict_for(person(headers=headers))
    assert verdict is not None and verdict.rule == rule


@pytest.mark.parametrize(
    "headers",
    [
        {"auto-submitted": "no"},
        {"auto-submitted": "auto-forwarded"},  # a forwarding hop, not a machine's own mail
        {"precedence": "first-class"},
        {"x-auto-response-suppress": "All"},  # Exchange stamps this on forwarded mail too
        {"x-auto-response-suppress": "DR, RN, NRN, OOF, AutoReply"},
        {"x-autoreply": "no"},
        {"x-ms-exchange-generated-message-source": "Mailbox Rules Agent"},
    ],
)
def test_headers_that_do_not_prove_a_machine_let_the_mail_through(
    headers: dict[str, str],
) -> None:
    assert verdict_for(person(headers=headers)) is None


def test_our_own_google_group_relaying_a_customer_is_not_a_list() -> None:
    inbound = person(
        headers={"list-id": "<info.alottbetter.dk>", "precedence": "list", "list-unsubscribe": "x"}
    )
    assert verdict_for(inbound) is None


def test_multipart_report_is_a_dsn_and_says_which_report() -> None:
    inbound = person(
        content_type="multipart/report",
        headers={"content-type": "multipart/report; report-type=disposition-notification"},
    )
    verdict = verdict_for(inbound)
    assert verdict == LoopVerdict(
        rule="dsn", reason="multipart/report report-type=disposition-notification"
    )


@pytest.mark.parametrize("return_path", ["", None])
def test_null_return_path_only_when_the_header_says_so(return_path: str | None) -> None:
    headers = {"return-path": "<>"} if return_path == "" else {}
    verdict = verdict_for(person(return_path=return_path, headers=headers))
    if return_path == "":
        assert verdict is not None and verdict.rule == "null-return-path"
    else:
        assert verdict is None


@pytest.mark.parametrize(
    "sender",
    [
        "MAILER-DAEMON@mx.example.com",
        "postmaster@example.com",
        "noreply@shop.example.com",
        "no-reply@accounts.example.com",
        "no_reply@example.com",
        "do-not-reply@example.com",
        "donotreply@example.com",
        "noreply+tracking@example.com",
        "noreply-dmarc-support@example.com",
    ],
)
def test_machine_senders(sender: str) -> None:
    verdict = verdict_for(person(sender=sender.lower(), return_path=None))
    assert verdict is not None and verdict.rule == "machine-sender"
    assert "@" not in verdict.reason  # reasons name the rule, never a full address
    # a no-reply system may carry a person's words (a ticket, a review, a form): it is
    # never answered but still read; the mail system itself speaks only for itself
    assert verdict.relayed == (sender.split("@")[0].lower() not in ("mailer-daemon", "postmaster"))


def test_what_a_relayed_verdict_does_not_cover() -> None:
    """Only the sender's name makes a verdict ``relayed``: a no-reply sender's mail that
    is also an auto-reply or a list mail is held back by that rule, and not read."""
    noreply = {"sender": "noreply@tickets.example.com", "return_path": None}
    auto = verdict_for(person(**noreply, headers={"auto-submitted": "auto-replied"}))
    assert auto is not None and auto.rule != "machine-sender" and not auto.relayed
    listed = verdict_for(person(**noreply, headers={"list-id": "<news.example.com>"}))
    assert listed is not None and not listed.relayed


@pytest.mark.parametrize("sender", ["noreen@example.dk", "postmasters.club@example.dk", "mai@x.dk"])
def test_people_whose_names_look_like_machines_get_through(sender: str) -> None:
    assert verdict_for(person(sender=sender, return_path=sender)) is None


def test_return_path_of_a_machine_is_enough() -> None:
    verdict = verdict_for(person(return_path="bounce@example.com".replace("bounce", "noreply")))
    assert verdict is not None and verdict.rule == "machine-sender"


@pytest.mark.parametrize(
    "changes",
    [
        {"sender": "info@alottbetter.dk"},
        {"return_path": "info@alottbetter.dk"},
        {"message_id": "ack.PR-2026-0001.1@alottbetter.dk"},
        {"message_id": "reply.PR-2026-0042.2@mail.alottbetter.dk"},
    ],
)
def test_our_own_mail_coming_back(changes: dict[str, str]) -> None:
    verdict = verdict_for(person(**changes))
    assert verdict is not None and verdict.rule == "own-mail"


def test_staff_mail_from_our_own_mail_server_is_still_read() -> None:
    assert verdict_for(person(message_id="CAF=x1y2z3@alottbetter.dk")) is None


def test_a_reply_to_our_mail_is_not_our_own_mail() -> None:
    inbound = person(in_reply_to="ack-1@alottbetter.dk", references=("ack-1@alottbetter.dk",))
    assert verdict_for(inbound) is None


@pytest.mark.parametrize(
    "subject",
    [
        "Automatic reply: Your order",
        "Autosvar: Din ordre",
        "Automatisk svar: Din ordre",
        "Out of Office: back Monday",
        "Fraværende: Din ordre 10490",
        "Undeliverable: Vi har modtaget din henvendelse",
        "Delivery Status Notification (Failure)",
        "Mail delivery failed: returning message to sender",
        "Returned mail: see transcript for details",
        "Ikke leveret: Vi har modtaget din henvendelse",
        "Unzustellbar: Ihre Anfrage",
    ],
)
def test_autoreply_subjects_as_last_resort(subject: str) -> None:
    verdict = verdict_for(person(subject=subject))
    assert verdict is not None and verdict.rule == "autoreply-subject"
    assert subject not in verdict.reason  # never the whole subject (it may name people)


@pytest.mark.parametrize(
    "subject",
    [
        "Re: Out of office hours, please delete my data",
        "Spørgsmål om min fraværende ordre",
        "Vacation booking: delete my data",
        "Returned goods and my personal data",
    ],
)
def test_subjects_that_merely_mention_the_words_get_through(subject: str) -> None:
    assert verdict_for(person(subject=subject)) is None


def test_weak_subject_with_exchange_suppress_header_is_an_autoreply() -> None:
    inbound = person(
        subject="Re: Din ordre (Out of Office)", headers={"x-auto-response-suppress": "All"}
    )
    verdict = verdict_for(inbound)
    assert verdict is not None and verdict.rule == "autoreply-subject"


def test_chat_is_never_held_back() -> None:
    inbound = parse_chat(
        chat_id=1,
        message_id=2,
        user_id=3,
        user_name="noreply",
        text="Automatic reply: slet mig",
        reply_to_message_id=None,
    )
    assert verdict_for(inbound) is None


def test_rules_are_named_and_ordered_with_reports_first() -> None:
    names = [name for name, _ in LOOP_RULES]
    assert names[0] == "dsn"
    assert names[-1] == "autoreply-subject"
    assert len(names) == len(set(names))
