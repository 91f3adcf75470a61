"""A realistic flood for the SMTP benchmarks, made here (no personal data, no fixtures).

The mix follows issue 9: about 40 % privacy requests in Danish and English (each from its
own sender, so the per-sender acknowledgement cap does not hide work), the rest ordinary
customer mail, auto-replies and newsletters. Bodies are 0.5 to 2.5 KB, some mails are
``multipart/alternative`` with an HTML part, as mail clients send them.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

COMPANY = "info@alottbetter.dk"

_REQUESTS_DA = (
    ("Slet mine oplysninger", "Jeg vil gerne have slettet alle mine personoplysninger hos jer."),
    ("Afmeld nyhedsbrev", "Jeg trækker hermed mit samtykke tilbage og vil ikke modtage flere "
     "nyhedsbreve. Slet venligst også mine oplysninger."),
    ("Indsigt", "Jeg beder om indsigt i de personoplysninger, I har registreret om mig."),
    ("Forkert navn", "Mit efternavn er stavet forkert i jeres system, ret venligst mine "
     "oplysninger."),
    ("Sletning", "Slet venligst mine data og min profil hos jer."),
)
_REQUESTS_EN = (
    ("Delete my data", "Please delete all the personal data you hold about me."),
    ("Unsubscribe", "Unsubscribe me and delete my data, I withdraw my consent."),
    ("Subject access request", "Please send me a copy of the personal data you hold about me."),
    ("Wrong address", "My surname is spelled wrong in your records, please correct my "
     "personal data."),
    ("GDPR erasure", "Under the GDPR I ask you to erase my personal data."),
)
_ORDINARY_DA = (
    ("Spørgsmål om opholdet", "Tak for en god snak i telefonen i går. Vi glæder os meget til "
     "opholdet i Sydney, og min datter har allerede pakket det meste. Kan I fortælle, hvornår "
     "flyet lander, og om der er nogen, der henter hende i lufthavnen? "),
    ("Faktura 2291", "Jeg har modtaget fakturaen, men beløbet passer ikke med tilbuddet. Kan "
     "I sende en ny faktura med den aftalte rabat? "),
    ("Depositum", "Vi har også et spørgsmål om forsikringen og om depositummet, som vi "
     "betalte den 3. marts. Hvornår får vi det tilbage? "),
)
_ORDINARY_EN = (
    ("Question about my stay", "Thanks for the quick answer about the visa. I have attached "
     "the signed contract. Could you tell me when the host family expects me, and whether "
     "the airport pick-up is included in the price? "),
    ("Invoice", "Could you resend the invoice for the spring programme? Our accounts "
     "department cannot find it. "),
    ("Course dates", "Which dates are available for the language course in August, and is "
     "there still room for two students? "),
)
_FILLER_DA = ("Venlig hilsen og god weekend. Vi ses forhåbentlig til informationsmødet i "
              "næste måned, hvor vi også vil høre mere om programmet. ")
_FILLER_EN = ("Kind regards, and have a good weekend. We hope to see you at the information "
              "meeting next month, where we would like to hear more about the programme. ")
_AUTO = (
    ({"Auto-Submitted": "auto-replied"}, "Automatisk svar: Fraværende",
     "Jeg er på ferie til og med mandag og læser ikke mails. Ved hastesager ring 7020 1020."),
    ({"X-Autoreply": "yes"}, "Out of office", "I am away until Monday with no access to mail."),
    ({"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"},
     "Automatic reply: Re: your booking", "Thank you for your mail. I am out of the office."),
)
_NEWS = (
    ("Nyhedsbrev: sommerens rejser", "Se vores nye rejser til Australien og New Zealand. "
     "Afmeld nyhedsbrevet nederst i mailen. "),
    ("Weekly digest", "Top stories this week in education and travel. To stop receiving "
     "these emails, unsubscribe at the link below. "),
)


@dataclass(frozen=True)
class Mail:
    kind: str  # request_da | request_en | ordinary | auto | newsletter
    sender: str
    message_id: str
    data: bytes


def _message(sender_name: str, sender: str, subject: str, body: str, msgid: str,
             *, html: bool, headers: dict[str, str] | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"{sender_name} <{sender}>"
    msg["To"] = COMPANY
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = f"<{msgid}>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if html:
        paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
        msg.add_alternative(f"<html><body>{paragraphs}</body></html>", subtype="html")
    return msg.as_bytes()


def _body(rng: random.Random, text: str, filler: str, greeting: str, name: str) -> str:
    repeat = rng.randrange(0, 6)
    return f"{greeting}\n\n{text}\n\n{filler * repeat}\n\n{name}\n"


def make_mails(n: int, *, seed: int = 9, tag: str = "run") -> list[Mail]:
    """``n`` mails in a fixed, shuffled mix; Message-IDs and senders are unique per ``tag``."""
    rng = random.Random(seed)
    kinds = (["request_da"] * 20 + ["request_en"] * 20 + ["ordinary"] * 35
             + ["auto"] * 15 + ["newsletter"] * 10)
    mails = []
    for i in range(n):
        kind = kinds[i % len(kinds)] if n >= len(kinds) else rng.choice(kinds)
        msgid = f"{tag}.{i}.{rng.getrandbits(32):08x}@bench.example"
        person = f"Kunde {i}"
        if kind in ("request_da", "request_en"):
            da = kind == "request_da"
            subject, text = rng.choice(_REQUESTS_DA if da else _REQUESTS_EN)
            sender = f"kunde{i}.{tag}@example.{'dk' if da else 'com'}"
            body = _body(rng, text, _FILLER_DA if da else _FILLER_EN,
                         "Hej" if da else "Hello", person)
            data = _message(person, sender, subject, body, msgid, html=rng.random() < 0.3)
        elif kind == "ordinary":
            da = rng.random() < 0.5
            subject, text = rng.choice(_ORDINARY_DA if da else _ORDINARY_EN)
            sender = f"kunde{i}.{tag}@example.{'dk' if da else 'com'}"
            body = _body(rng, text * rng.randrange(1, 4), _FILLER_DA if da else _FILLER_EN,
                         "Hej" if da else "Hello", person)
            data = _message(person, sender, subject, body, msgid, html=rng.random() < 0.3)
        elif kind == "auto":
            headers, subject, text = rng.choice(_AUTO)
            sender = f"kunde{i}.{tag}@example.dk"
            data = _message(person, sender, subject, text, msgid, html=False, headers=headers)
        else:
            subject, text = rng.choice(_NEWS)
            sender = "news@newsletter.example"
            data = _message(
                "Newsletter", sender, subject, text * rng.randrange(3, 10), msgid, html=True,
                headers={
                    "List-Id": "<news.newsletter.example>",
                    "List-Unsubscribe": "<https://newsletter.example/u>",
                    "Precedence": "bulk",
                },
            )
        mails.append(Mail(kind, sender, msgid, data))
    rng.shuffle(mails)
    return mails


_FROM_LINE = re.compile(rb"^(>*From )", re.MULTILINE)


def write_mbox(mails: list[Mail], path: Path, *, received: datetime | None = None) -> int:
    """Write ``mails`` as an mboxrd file (what ``privacybot import`` reads); returns bytes.

    Each entry gets a ``From_`` line with the sender and a delivery time one second after
    the previous one, body lines starting with ``From `` (or ``>From ``) get one more
    ``>``, and a blank line ends each entry, as mail clients' exports write them.
    """
    start = received or datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    with path.open("wb") as fh:
        for i, mail in enumerate(mails):
            at = start + timedelta(seconds=i)
            fh.write(f"From {mail.sender} {at:%a %b %d %H:%M:%S %Y}\n".encode())
            data = mail.data.replace(b"\r\n", b"\n")
            fh.write(_FROM_LINE.sub(rb">\1", data))
            fh.write(b"\n" if data.endswith(b"\n") else b"\n\n")
        return fh.tell()
