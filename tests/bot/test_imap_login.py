"""IMAP settings of issue 3 against a real Dovecot: XOAUTH2, a trusted CA file, and the
first-start cut-off that keeps an old mailbox from being answered all at once.

XOAUTH2 is real here: Dovecot's ``oauth2`` passdb validates the bearer token locally as
an HS256-signed JWT (``introspection_mode = local``), so a token signed with the wrong
key is refused by the server exactly as Microsoft 365 or Google would refuse an expired
one. What cannot be proven on loopback is the providers' own token endpoints.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import pipeline
from bot.config import ImapSettings
from bot.imap_watcher import ImapWatcher, TokenError, access_token
from bot.runtime import Runtime
from storage.engine import unit_of_work
from storage.models import AuditEvent, Case, OutboxItem
from tests.bot.test_imap_watcher import (
    _server,
    mail,
    stored,
    stored_count,
    wait_until,
    watching,
)
from tests.servers.dovecot import Dovecot

LOGGER = "privacybot.inbound.imap"
REQUEST = "Hej\r\n\r\nJeg vil gerne have slettet alle mine personoplysninger hos jer.\r\n"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenIssuer:
    """Signs access tokens the way an identity provider would, with a key Dovecot trusts."""

    def __init__(self) -> None:
        self.key = secrets.token_bytes(32)
        self.folder = Path(tempfile.mkdtemp(prefix="privacybot-oauth2-"))
        # Dovecot's unprivileged auth process reads these: world-readable, like /etc/dovecot.
        key_file = self.folder / "keys" / "default" / "HS256" / "default"
        key_file.parent.mkdir(parents=True)
        key_file.write_text(base64.b64encode(self.key).decode())
        for path in (self.folder, *key_file.parents[:3]):
            path.chmod(0o755)
        key_file.chmod(0o644)
        self.conf = self.folder / "oauth2.conf.ext"
        self.conf.write_text(
            "introspection_mode = local\n"
            f"local_validation_key_dict = fs:posix:prefix={self.folder / 'keys'}/\n"
            "username_attribute = sub\n"
        )
        self.conf.chmod(0o644)

    def dovecot_config(self) -> str:
        return (
            "auth_mechanisms = plain login xoauth2 oauthbearer\n"
            "passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n"
            f"  args = {self.conf}\n}}\n"
        )

    def token(self, user: str, *, key: bytes | None = None) -> str:
        now = int(time.time())
        header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        claims = _b64url(
            json.dumps({"sub": user, "iat": now, "nbf": now, "exp": now + 3600}).encode()
        )
        signature = hmac.new(key or self.key, f"{header}.{claims}".encode(), hashlib.sha256)
        return f"{header}.{claims}.{_b64url(signature.digest())}"

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def issuer() -> Iterator[TokenIssuer]:
    made = TokenIssuer()
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def server() -> Iterator[Dovecot]:
    yield from _server()


@pytest.fixture
def tls_server() -> Iterator[Dovecot]:
    """Self-signed certificate: STARTTLS on ``port``, TLS on ``tls_port``, ``ca_file``."""
    yield from _server(tls=True)


@pytest.fixture
def dovecot_oauth2(issuer: TokenIssuer) -> Iterator[Dovecot]:
    """Dovecot that takes XOAUTH2 bearer tokens signed by ``issuer`` (and passwords)."""
    yield from _server(extra_config=issuer.dovecot_config())


def append_at(server: Dovecot, raw: bytes, when: datetime) -> None:
    """Deliver a mail whose INTERNALDATE is ``when``, as mail received long ago has."""
    with server.client() as imap:
        imap.append("INBOX", raw, msg_time=when)


# --- XOAUTH2 ---------------------------------------------------------------------------


def test_xoauth2_with_a_token_command_logs_in_and_takes_mail(
    runtime: Runtime, dovecot_oauth2: Dovecot, issuer: TokenIssuer, tmp_path: Path
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(issuer.token(dovecot_oauth2.user) + "\n")
    calls = tmp_path / "calls"
    # A command, as oama or a script around MSAL would be: it runs at every login.
    command = f"echo x >> {calls} && cat {token_file}"
    dovecot_oauth2.append(mail(1))
    with watching(
        runtime, dovecot_oauth2, auth="xoauth2", password="", oauth2_token_command=command
    ):
        wait_until(stored_count(runtime, 1))
    assert [r.external_id for r in stored(runtime)] == ["imap.1@example.dk"]
    assert calls.read_text().count("x") >= 1
    assert "method=XOAUTH2" in dovecot_oauth2.log()


def test_refused_xoauth2_token_is_one_clear_line_and_a_fresh_token_is_used_next_time(
    runtime: Runtime,
    dovecot_oauth2: Dovecot,
    issuer: TokenIssuer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    token_file = tmp_path / "token"
    bad = issuer.token(dovecot_oauth2.user, key=b"k" * 32)  # not signed by the provider
    token_file.write_text(bad)
    dovecot_oauth2.append(mail(1))
    with watching(
        runtime, dovecot_oauth2, auth="xoauth2", oauth2_token_file=str(token_file)
    ) as running:

        def refusals() -> list[logging.LogRecord]:
            return [r for r in caplog.records if "was refused" in r.getMessage()]

        wait_until(lambda: len(refusals()) >= 2)
        assert running.thread.is_alive()
        assert stored(runtime) == []
        token_file.write_text(issuer.token(dovecot_oauth2.user))  # the refresher caught up
        wait_until(stored_count(runtime, 1))

    for record in refusals():
        text = record.getMessage()
        assert record.levelno == logging.ERROR and record.exc_info is None
        assert "\n" not in text
        assert "AUTHENTICATIONFAILED" in text and "access token" in text
    assert bad not in caplog.text
    assert "Traceback" not in caplog.text


def test_a_failing_token_command_is_named_with_its_exit_status(tmp_path: Path) -> None:
    settings = ImapSettings(
        auth="xoauth2", oauth2_token_command=f"{sys.executable} -c 'raise SystemExit(3)'"
    )
    with pytest.raises(TokenError, match=r"oauth2_token_command .* exited with status 3"):
        access_token(settings)
    (tmp_path / "empty").write_text("\n")
    empty = ImapSettings(auth="xoauth2", oauth2_token_file=str(tmp_path / "empty"))
    with pytest.raises(TokenError, match="gave no access token"):
        access_token(empty)
    missing = ImapSettings(auth="xoauth2", oauth2_token_file=str(tmp_path / "nope"))
    with pytest.raises(TokenError, match="cannot be read"):
        access_token(missing)
    two = ImapSettings(auth="xoauth2", oauth2_token_command="echo Bearer abc")
    with pytest.raises(TokenError, match="only the token"):
        access_token(two)


def test_xoauth2_without_a_token_source_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="oauth2_token_command or oauth2_token_file"):
        ImapSettings(auth="xoauth2")


def test_token_command_failure_in_the_watcher_is_one_line_and_retried(
    runtime: Runtime, dovecot_oauth2: Dovecot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    with watching(runtime, dovecot_oauth2, auth="xoauth2", oauth2_token_command="exit 7"):
        wait_until(
            lambda: sum("exited with status 7" in r.getMessage() for r in caplog.records) >= 2
        )
    lines = [r for r in caplog.records if "exited with status 7" in r.getMessage()]
    assert all(r.levelno == logging.ERROR and r.exc_info is None for r in lines)
    assert all("retrying in" in r.getMessage() for r in lines)


# --- imap.ca_file ---------------------------------------------------------------------


@pytest.mark.parametrize("tls", ["ssl", "starttls"])
def test_ca_file_setting_trusts_the_servers_own_certificate(
    runtime: Runtime, tls_server: Dovecot, caplog: pytest.LogCaptureFixture, tls: str
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    port = tls_server.tls_port if tls == "ssl" else tls_server.port
    tls_server.append(mail(1))
    with watching(runtime, tls_server, tls=tls, port=port, ca_file=str(tls_server.ca_file)):
        wait_until(stored_count(runtime, 1))
    assert "certificate not trusted" not in caplog.text


def test_a_missing_ca_file_is_named_in_one_line(
    runtime: Runtime, tls_server: Dovecot, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    missing = tmp_path / "company-ca.pem"
    with watching(runtime, tls_server, tls="ssl", port=tls_server.tls_port, ca_file=str(missing)):
        wait_until(lambda: f"imap.ca_file {missing} does not exist" in caplog.text)
    assert "Traceback" not in caplog.text


# --- the first-start cut-off -------------------------------------------------------------


def _acks_and_suppressed(runtime: Runtime) -> tuple[dict[str, int], dict[str, str]]:
    """Per case ref: acknowledgements queued, and the reason one was not (if any)."""
    with unit_of_work(runtime.sessions) as session:
        cases = list(session.execute(select(Case)).scalars())
        items = list(session.execute(select(OutboxItem)).scalars())
        events = list(
            session.execute(
                select(AuditEvent).where(AuditEvent.action == "ack_suppressed")
            ).scalars()
        )
    acks = {c.ref: sum(1 for i in items if i.case_id == c.id and i.kind == "ack") for c in cases}
    reasons = {e.case_ref or "": json.loads(e.detail)["reason"] for e in events}
    return acks, reasons


def test_first_start_takes_old_mail_without_acknowledging_it_and_new_mail_with(
    runtime: Runtime, server: Dovecot
) -> None:
    old = datetime.now(UTC) - timedelta(days=400)
    append_at(server, mail(1, subject="Sletning", body=REQUEST), old)
    append_at(server, mail(2, subject="Sletning", body=REQUEST), old + timedelta(days=30))
    with watching(runtime, server):
        wait_until(stored_count(runtime, 2))
        server.append(mail(3, subject="Sletning", body=REQUEST))  # arrives after the start
        wait_until(stored_count(runtime, 3))
    # A restart finds a cursor: nothing is quiet that the first start would not make so.
    with watching(runtime, server):
        server.append(mail(4, subject="Sletning", body=REQUEST))
        wait_until(stored_count(runtime, 4))

    rows = stored(runtime)
    assert [(r.external_id, r.quiet) for r in rows] == [
        ("imap.1@example.dk", True),
        ("imap.2@example.dk", True),
        ("imap.3@example.dk", False),
        ("imap.4@example.dk", False),
    ]
    assert rows[0].received_at.date() == old.date(), "the deadline runs from the true receipt"
    pipeline.process_pending(runtime)
    acks, reasons = _acks_and_suppressed(runtime)
    assert sorted(acks.values()) == [0, 0, 1, 1], "every mail opened a case; old ones silently"
    assert sorted(reasons.values()) == ["received before the cut-off"] * 2


def test_since_setting_decides_which_old_mail_is_acknowledged(
    runtime: Runtime, server: Dovecot
) -> None:
    append_at(server, mail(1, subject="Sletning", body=REQUEST), datetime(2024, 5, 1, tzinfo=UTC))
    append_at(
        server, mail(2, subject="Sletning", body=REQUEST), datetime.now(UTC) - timedelta(days=2)
    )
    since = (datetime.now(UTC) - timedelta(days=10)).date()
    with watching(runtime, server, since=since.isoformat()):
        wait_until(stored_count(runtime, 2))
    assert [r.quiet for r in stored(runtime)] == [True, False]


def test_idle_and_poll_intervals_come_from_the_settings(runtime: Runtime) -> None:
    watcher = ImapWatcher(
        runtime,
        wake=lambda: None,
        stop=threading.Event(),
        settings=ImapSettings(idle_renew_seconds=120, poll_seconds=7.5),
    )
    assert (watcher.timing.idle_renew, watcher.timing.poll_interval) == (120, 7.5)
    with pytest.raises(ValueError, match="idle_renew_seconds"):
        ImapSettings(idle_renew_seconds=3600)  # past RFC 2177's 29 minutes
