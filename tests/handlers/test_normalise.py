"""What a person reading the normalised message would notice: the right words, decoded,
without the quoted history, in the right language, and nothing lost on broken mail."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.normalise import detect_language, parse, parse_chat, split_quoted
from handlers.values import Channel, Inbound

MAIL = Path(__file__).resolve().parents[1] / "data" / "mail"


def load(name: str) -> Inbound:
    return parse((MAIL / name).read_bytes(), Channel.IMAP)


# --------------------------------------------------------------------------- parse


def test_danish_gmail_reply_keeps_only_the_new_request() -> None:
    inbound = load("da-erasure-quoted-reply.eml")

    assert inbound.sender == "mette.jensen@example.dk"
    assert inbound.sender_name == "Mette Jensen"
    assert "Jeg vil gerne have slettet min konto" in inbound.text
    assert "jeg ønsker ikke flere nyhedsbreve" in inbound.text
    assert "Din ordre 10482" not in inbound.text
    assert "skrev Alottbetter Kundeservice" in inbound.quoted
    assert "> Din ordre 10482 er nu afsendt og kan følges på" in inbound.quoted
    assert inbound.language == "da"
    assert inbound.in_reply_to == "ack-10482@alottbetter.dk"
    assert inbound.references == ("order-10482@alottbetter.dk", "ack-10482@alottbetter.dk")
    assert inbound.message_id == "CAF3b9xq1=Yk7pT2@mail.gmail.com"
    assert inbound.external_id == inbound.message_id
    assert inbound.return_path == "mette.jensen@example.dk"
    assert inbound.defects == ()


def test_gmail_alternative_prefers_plain_text_and_drops_the_quote() -> None:
    inbound = load("gmail-reply-en.eml")

    assert inbound.text == (
        "Hi,\n\nPlease send me a copy of all personal data you hold about me.\n\nThanks,\nOliver"
    )
    assert "Please delete this mail" in inbound.quoted
    assert inbound.recipients == ("info@alottbetter.dk", "legal@example.com")
    assert inbound.content_type == "multipart/alternative"
    assert inbound.language == "en"


def test_outlook_danish_reply_cuts_at_the_fra_sendt_block() -> None:
    inbound = load("outlook-reply-da.eml")

    assert inbound.text.endswith("Jens Hansen\nIndkøbschef")
    assert "tilbagekalder hermed mit samtykke" in inbound.text
    assert "Vedhæftet er faktura" not in inbound.text
    assert inbound.quoted.startswith("________________________________\nFra: Alottbetter")
    # An unquoted comma in the display name must not split the sender in two.
    assert inbound.sender == "jens.hansen@firma.example.dk"
    assert inbound.sender_name == "Hansen, Jens"


def test_html_only_mail_becomes_readable_text_without_script_or_style() -> None:
    inbound = load("en-html-only.eml")

    assert "I would like to exercise my right of access under the GDPR." in inbound.text
    assert "Please tell me what data you hold about me." in inbound.text
    assert "- My orders\n- My newsletter consent" in inbound.text
    assert "alert" not in inbound.text and "color: red" not in inbound.text
    assert "<" not in inbound.text
    assert inbound.quoted == "> Earlier: thanks for shopping with us"
    assert inbound.content_type == "text/html"


def test_rfc2047_encoded_subject_and_sender_name_are_decoded() -> None:
    inbound = load("encoded-word-subject.eml")

    assert inbound.subject == "Anmodning om sletning af mine oplysninger – kære Alottbetter"
    assert inbound.sender_name == "Søren Æbelø"
    assert inbound.sender == "soren@example.dk"


def test_windows_1252_body_labelled_latin1_keeps_danish_letters_and_euro() -> None:
    inbound = load("windows-1252-da.eml")

    assert "Kære Alottbetter" in inbound.text
    assert "mit køb på 499 € i sidste måned" in inbound.text
    assert "“første”" in inbound.text
    # The From header carries raw 8-bit bytes, as some clients still send.
    assert inbound.sender_name == "Birthe Ødegård"
    assert inbound.language == "da"


def test_unknown_charset_falls_back_and_says_so() -> None:
    inbound = load("unknown-charset.eml")

    assert inbound.text == (
        "Jeg ønsker ikke at modtage flere mails fra jer. Fjern venligst min e-mail."
    )
    assert "unknown-charset:x-dansk-ukendt" in inbound.defects


@pytest.mark.parametrize(
    ("charset", "body", "defect"),
    [
        ("utf-8", "Slet mine oplysninger, æøå".encode("latin-1"), "charset-mismatch:utf-8"),
        ("iso-8859-1", "Slet mine oplysninger, æøå".encode("latin-1"), None),
        ("iso-8859-1", "Slet mine oplysninger, æøå".encode(), "charset-mismatch:iso-8859-1"),
        ("windows-1252", "Slet mine oplysninger, æøå".encode("cp1252"), None),
        ("x-mac-danish", "Slet mine oplysninger, æøå".encode(), "unknown-charset:x-mac-danish"),
        ("", "Slet mine oplysninger, æøå".encode(), None),
    ],
)
def test_body_charsets_decode_to_the_same_danish_text(
    charset: str, body: bytes, defect: str | None
) -> None:
    ctype = f"text/plain; charset={charset}" if charset else "text/plain"
    raw = (
        b"From: a@example.dk\r\nSubject: x\r\nContent-Type: " + ctype.encode() + b"\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body + b"\r\n"
    )
    inbound = parse(raw, Channel.SMTP)
    assert inbound.text == "Slet mine oplysninger, æøå"
    if defect:
        assert defect in inbound.defects


def test_encoded_word_with_unknown_charset_does_not_break_the_subject() -> None:
    raw = (
        b"From: a@example.dk\r\nSubject: =?x-klingon?q?Slet_mig?= nu\r\n"
        b"Content-Type: text/plain\r\n\r\nSlet mig\r\n"
    )
    inbound = parse(raw, Channel.SMTP)
    assert "Slet" in inbound.subject and "nu" in inbound.subject


def test_forward_with_nothing_written_uses_the_forwarded_request_as_text() -> None:
    inbound = load("forwarded-by-staff-da.eml")

    assert inbound.sender == "sara@alottbetter.dk"
    assert inbound.text.startswith("Hej Sara\nKan I sende mig alt hvad I har registreret om mig?")
    assert "Vestergade 12" in inbound.text
    assert "Sendt fra min iPhone" not in inbound.text
    assert "Sara Lind | Alottbetter" in inbound.quoted
    assert "Videresendt besked" in inbound.quoted


def test_forwarded_message_rfc822_attachment_is_read_and_its_files_listed() -> None:
    inbound = load("forwarded-attachment-rfc822.eml")

    assert inbound.text == (
        "Jeg vil gerne have slettet mine oplysninger hos jer. Se vedhæftede kvittering."
    )
    assert "From: Ulla Berg <ulla@example.dk>" in inbound.quoted
    assert inbound.attachments == ("kvittering.pdf",)
    assert "JVBERi" not in inbound.text + inbound.quoted


def test_attachments_are_named_but_never_decoded_into_text() -> None:
    raw = (
        b"From: Kim <kim@example.dk>\r\nSubject: Bilag\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSe bilag.\r\n"
        b'--b\r\nContent-Type: text/plain; name="noter.txt"\r\n'
        b'Content-Disposition: attachment; filename="noter.txt"\r\n\r\nhemmelig note\r\n'
        b'--b\r\nContent-Type: image/jpeg; name="=?utf-8?q?pas_=C3=B8.jpg?="\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ\r\n--b--\r\n"
    )
    inbound = parse(raw, Channel.SMTP)
    assert inbound.text == "Se bilag."
    assert inbound.attachments == ("noter.txt", "pas ø.jpg")


def test_bounce_report_text_is_the_human_part_only() -> None:
    inbound = load("bounce-dsn.eml")

    assert inbound.content_type == "multipart/report"
    assert "could not\nbe delivered" in inbound.text
    assert "Final-Recipient" not in inbound.text
    assert inbound.return_path == ""
    assert inbound.headers["auto-submitted"] == "auto-replied"


def test_decision_headers_are_lower_case_and_decoded() -> None:
    inbound = load("newsletter.eml")

    assert inbound.headers["list-id"] == "Webshop Nyt <nyt.news.example.com>"
    assert inbound.headers["list-unsubscribe"].startswith("<https://news.example.com/u/5521>")
    assert "received" not in inbound.headers
    assert all(key == key.lower() for key in inbound.headers)


def test_missing_from_and_message_id_still_give_a_stable_id() -> None:
    raw = b"Subject: hej\r\n\r\nSlet mine data tak\r\n"
    first = parse(raw, Channel.SMTP)
    again = parse(raw, Channel.SMTP)

    assert first.sender == "" and first.sender_name == ""
    assert "no-from" in first.defects
    assert first.message_id is None
    assert first.external_id.startswith("sha256:")
    assert first.external_id == again.external_id
    assert parse(raw, Channel.SMTP, external_id="imap:7:42").external_id == "imap:7:42"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe garbage",
        b"From: <<<>>>@@\r\nTo: ,,,;;\r\nSubject: =?utf-8?b?!!!?=\r\n\r\nbody",
        b"Content-Type: multipart/mixed\r\n\r\nno boundary at all",
        b'Content-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n",
        b"From: a@b\r\nMessage-ID: no brackets@all\r\nIn-Reply-To: junk\r\n\r\nx",
        b"Content-Type: text/html\r\n\r\n" + b"<div>" * 5000 + b"deep" + b"</div>" * 5000,
    ],
)
def test_broken_mail_never_raises(raw: bytes) -> None:
    inbound = parse(raw, Channel.SMTP)
    assert isinstance(inbound, Inbound)
    assert inbound.external_id


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    assert isinstance(parse(raw, Channel.FILE), Inbound)


@settings(max_examples=100, deadline=None)
@given(
    st.text(max_size=200),
    st.sampled_from(["utf-8", "latin-1", "x-unknown", "utf-7", "ebcdic-cp-us", "bogus\x00"]),
)
def test_arbitrary_headers_and_charsets_never_raise(header: str, charset: str) -> None:
    raw = (
        b"From: " + header.encode("utf-8", "surrogatepass") + b"\r\n"
        b"Subject: " + header.encode("utf-8", "surrogatepass") + b"\r\n"
        b"Content-Type: text/plain; charset=" + charset.encode("latin-1") + b"\r\n\r\nbody"
    )
    assert isinstance(parse(raw, Channel.SMTP), Inbound)


def test_a_letter_starting_with_its_own_header_block_is_not_thrown_away() -> None:
    raw = (
        b"From: Jens <jens@example.dk>\r\nSubject: Brev\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Fra: Jens Hansen\r\nTil: Alottbetter ApS\r\nEmne: Sletning\r\n\r\n"
        b"Jeg anmoder hermed om sletning af mine personoplysninger.\r\n"
    )
    inbound = parse(raw, Channel.SMTP)
    assert "Jeg anmoder hermed om sletning" in inbound.text


# --------------------------------------------------------------------------- split_quoted


@pytest.mark.parametrize(
    ("text", "new", "quoted_start"),
    [
        (
            "Ja tak, slet alt.\n\nDen 3. maj 2026 kl. 10.12 skrev Info <i@x.dk>:\n> Slettes?",
            "Ja tak, slet alt.",
            "Den 3. maj 2026",
        ),
        (
            "Ja.\n\nd. 3. maj 2026 kl. 10.12 skrev Info <info@x.dk>:\n> Spørgsmål?",
            "Ja.",
            "d. 3. maj 2026",
        ),
        (
            "Ja.\n\nman. 4. maj 2026 kl. 09.00 skrev Info <info@x.dk>:\n\nTekst uden citat",
            "Ja.",
            "man. 4. maj",
        ),
        (
            "Yes.\n\nOn Mon, 4 May 2026 at 09:00, Info <info@x.dk> wrote:\n\nunquoted old text",
            "Yes.",
            "On Mon",
        ),
        (
            "Ja bitte.\n\nAm 04.05.2026 um 09:00 schrieb Info <info@x.de>:\n> Frage?",
            "Ja bitte.",
            "Am 04.05.2026",
        ),
        (
            "Ja.\n\nDen 4 maj 2026 kl. 09:00 skrev Info <info@x.se>:\n> Fråga?",
            "Ja.",
            "Den 4 maj",
        ),
        ("OK\n\n-----Original Message-----\nFrom: x\nold", "OK", "-----Original Message-----"),
        ("OK\n\n-----Oprindelig meddelelse-----\nFra: x\ngammel", "OK", "-----Oprindelig"),
        (
            "OK\n\nFrom: Info <info@x.dk>\nSent: Monday, May 4, 2026 9:00 AM\nTo: me\nold",
            "OK",
            "From: Info",
        ),
        ("OK\n\nFra: Info\nSendt: 4. maj 2026 09:00\nTil: mig\ngammel", "OK", "Fra: Info"),
        ("OK\n\nFrom: Info Sent: Monday To: me Subject: x", "OK", "From: Info Sent"),
        ("Slet mig.\n\n-- \nJens Hansen\n+45 12 34 56 78", "Slet mig.", "-- "),
        ("Slet mig.\n\nSendt fra min iPhone", "Slet mig.", "Sendt fra min iPhone"),
        ("Delete me.\n\nSent from my iPhone", "Delete me.", "Sent from my iPhone"),
    ],
)
def test_split_quoted_recognises_common_clients(text: str, new: str, quoted_start: str) -> None:
    got_new, got_quoted = split_quoted(text)
    assert got_new == new
    assert got_quoted.startswith(quoted_start)


def test_inline_answers_between_quotes_stay_in_the_new_text() -> None:
    text = (
        "On Mon, 4 May 2026 at 09:00, Info <info@x.dk> wrote:\n"
        "> Do you want your data deleted?\n"
        "Yes, delete everything.\n"
        "> And the newsletter?\n"
        "Stop it too."
    )
    new, quoted = split_quoted(text)
    assert new == "Yes, delete everything.\nStop it too."
    assert "> Do you want your data deleted?" in quoted


def test_everything_quoted_gives_empty_text() -> None:
    new, quoted = split_quoted("> old line one\n> old line two")
    assert new == ""
    assert quoted == "> old line one\n> old line two"


def test_a_customer_mentioning_what_they_wrote_is_not_a_quote() -> None:
    text = "On Monday I wrote:\nplease delete my account. Nothing happened."
    assert split_quoted(text) == (text, "")


def test_forward_with_a_long_staff_text_above_keeps_staff_text_only() -> None:
    note = "Kan du tage denne? " * 20
    text = note + "\n\n---------- Forwarded message ---------\nFrom: K\n\nSlet mig"
    new, quoted = split_quoted(text)
    assert new == note.strip()
    assert "Slet mig" in quoted


def test_outlook_forward_known_only_from_subject_uses_forwarded_body() -> None:
    text = (
        "________________________________\nFra: Kunde <k@example.dk>\n"
        "Sendt: 4. maj 2026 09:00\nTil: Sara\nEmne: Slet\n\nSlet venligst min profil."
    )
    assert split_quoted(text)[0] == ""
    assert split_quoted(text, is_forward=True)[0] == "Slet venligst min profil."


# --------------------------------------------------------------------------- language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hej, jeg vil gerne have slettet mine oplysninger. Mvh Jens", "da"),
        ("Kan I fortælle mig hvad I har gemt om mig? Venlig hilsen", "da"),
        ("Slet mig", "da"),
        ("Hei, jeg ønsker at dere sletter alle opplysningene om meg. Vennlig hilsen Ola", "no"),
        ("Hei, eg vil ikkje ha fleire e-postar. Kva har de lagra om meg?", "no"),
        ("Hej, jag vill att ni raderar mina personuppgifter. Med vänliga hälsningar", "sv"),
        ("Sehr geehrte Damen und Herren, bitte löschen Sie meine Daten.", "de"),
        ("Hi, please delete all the personal data you hold about me.", "en"),
        ("Bonjour, je vous prie de supprimer mes données personnelles.", "other"),
        ("Beste, ik wil dat u mijn gegevens verwijdert. Met vriendelijke groet", "other"),
        ("", "other"),
        ("ok", "other"),
        ("12345 67890", "other"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


# --------------------------------------------------------------------------- chat


def test_chat_message_becomes_an_inbound_in_its_own_thread() -> None:
    inbound = parse_chat(
        chat_id=555,
        message_id=17,
        user_id=4242,
        user_name="Mette J",
        text="Hej, vil I slette mine oplysninger?",
        reply_to_message_id=12,
    )
    assert inbound.channel == Channel.CHAT
    assert inbound.external_id == "tg:555:17"
    assert inbound.sender == "tg:4242"
    assert inbound.sender_name == "Mette J"
    assert inbound.chat_thread == "555"
    assert inbound.in_reply_to == "tg:555:12"
    assert inbound.text == "Hej, vil I slette mine oplysninger?"
    assert inbound.language == "da"


def test_chat_message_without_reply_has_no_in_reply_to() -> None:
    inbound = parse_chat(
        chat_id=1, message_id=2, user_id=3, user_name="", text="", reply_to_message_id=None
    )
    assert inbound.in_reply_to is None
    assert inbound.language == "other"


def test_a_forward_with_a_short_cover_note_keeps_the_customers_words() -> None:
    text = (
        "Kan du tage denne?\n\n"
        "---------- Forwarded message ---------\n"
        "From: Mette Hansen <mette@example.dk>\n"
        "Date: Mon, 23 Nov 2026 at 10:12\n"
        "Subject: Sletning\n"
        "To: <anna@alottbetter.dk>\n\n"
        "Jeg vil gerne have slettet mine personoplysninger.\n"
    )
    new, _quoted = split_quoted(text)
    assert "Kan du tage denne?" in new
    assert "Jeg vil gerne have slettet mine personoplysninger." in new


def test_a_partners_signed_note_passing_on_a_parents_mail_keeps_the_parents_words() -> None:
    """A partner school's cover note with its signature is longer than a bare "Kan du
    tage denne?", but it says it passes the mail below on: the parent's words are read."""
    note = (
        "Hej ALOTTbetter\n\nVi har fået nedenstående fra en forælder. Det drejer sig om jeres "
        "deltagerliste til Cambridge-turen, så jeg sender den videre til jer.\n\n"
        "Venlig hilsen\nKaren Friis\nInternational koordinator, Sprogskolen Aarhus\n\n"
    )
    forwarded = (
        "Fra: Hanne Bro <hanne@example.dk>\nSendt: 3. marts 2026 08:12\nTil: Karen Friis\n"
        "Emne: Forkert mobilnummer\n\nMin søns mobilnummer står forkert på listen. Kan du "
        "sørge for at de får det rettet?\n"
    )
    new, _quoted = split_quoted(note + forwarded, is_forward=True)
    assert "sender den videre" in new
    assert "Min søns mobilnummer står forkert" in new
    # a note as long that says nothing about passing a mail on is the writer's own
    own = note.replace("nedenstående", "en besked").replace(
        "sender den videre til jer", "vi glæder os meget til turen og til at se jer igen"
    )
    assert len(own.strip()) > 200
    assert "Min søns" not in split_quoted(own + forwarded, is_forward=True)[0]


def test_a_ticket_systems_from_and_subject_lines_are_not_quoted_history() -> None:
    """ "Fra: … / Emne: …" with no date and no recipient is a ticket system's or a form's
    summary above the customer's words, not an Outlook header over an old mail."""
    text = (
        "En ny billet er oprettet.\n\nBillet: #31188\n"
        "Fra: Alberte Schou <alberte@example.dk>\nEmne: Forkert fødselsår på min profil\n"
        "Prioritet: Lav\n\nBeskrivelse:\nPå min profil står jeg som født i 2009, men jeg er "
        "født i 2008. Vil I rette det?\n"
    )
    new, quoted = split_quoted(text)
    assert "Vil I rette det?" in new
    assert quoted == ""
    outlook = text.replace("Emne:", "Sendt: 3. marts 2026 08:12\nEmne:")
    assert "Vil I rette det?" in split_quoted(outlook)[1]


def test_a_ticket_notification_that_quotes_the_customer_keeps_the_customers_words() -> None:
    """A helpdesk's "New ticket #7760 / Requester: …" with the customer's words quoted
    with "> ": a mail that answers nothing quotes what it passes on, so it is read; the
    same quote under "Re:" is history."""
    body = (
        "New ticket #7760\nRequester: Tom Whitfield <tom@example.com>\n\n"
        "> Your records have my date of birth as 1 July 2007; it's 7 January 2007.\n"
        "> Please fix it in my file.\n"
    )
    raw = (
        "From: helpdesk@example.com\nTo: info@alottbetter.dk\n"
        "Subject: {subject}\nMessage-ID: <t7760@example.com>\n"
        "Content-Type: text/plain; charset=utf-8\n\n" + body
    )
    subject = "[Ticket 7760] Wrong date of birth"
    ticket = parse(raw.format(subject=subject).encode(), Channel.SMTP)
    assert "Please fix it in my file." in ticket.text
    reply = parse(raw.format(subject="Re: " + subject).encode(), Channel.SMTP)
    assert "Please fix it in my file." not in reply.text
    assert "Please fix it in my file." in reply.quoted
