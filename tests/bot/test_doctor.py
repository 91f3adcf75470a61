"""``privacybot doctor`` against real parts: databases, an SMTP relay with AUTH, Dovecot,
a local Bot API server, and ports where nothing listens.

What a user notices is asserted: one line per part, ``ok`` or ``FAIL`` with a hint, the
summary, and exit status 0 only when all is well.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from bot.cli import main
from bot.config import Settings
from bot.runtime import build_runtime
from tests.servers.dovecot import Dovecot, unavailable_reason
from tests.servers.fake_telegram import FakeTelegram, TelegramError


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(path: Path, sections: dict[str, dict[str, Any]]) -> Path:
    lines = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        for key, value in values.items():
            if isinstance(value, bool):
                lines.append(f"{key} = {'true' if value else 'false'}")
            elif isinstance(value, int | float):
                lines.append(f"{key} = {value}")
            elif isinstance(value, list):
                lines.append(f"{key} = {json.dumps(value)}")  # a TOML array of strings
            else:
                lines.append(f'{key} = "{value}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)  # it may hold passwords, as a careful operator keeps it
    return path


@pytest.fixture
def doctor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., tuple[int, dict[str, str], str]]:
    """Run ``privacybot --config FILE doctor`` with a config of sections; returns the exit
    status, each part's line, and the whole output."""
    for name in list(os.environ):
        if name.startswith("PRIVACYBOT_"):
            monkeypatch.delenv(name)

    def run(database_url: str, **sections: dict[str, Any]) -> tuple[int, dict[str, str], str]:
        values: dict[str, dict[str, Any]] = {
            "database": {"url": database_url},
            "outbox": {"folder": str(tmp_path / "outbox")},
        }
        for section, more in sections.items():
            values.setdefault(section, {}).update(more)
        config = write_config(tmp_path / "privacybot.toml", values)
        status = main(["--config", str(config), "doctor", "--timeout", "5"])
        out = capsys.readouterr().out
        lines = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) > 1 and parts[0] in ("ok", "FAIL", "skip"):
                lines[parts[1]] = line
        return status, lines, out

    return run


@pytest.fixture
def migrated(database_url: str, make_settings: Callable[..., Settings]) -> str:
    build_runtime(make_settings(database_url)).engine.dispose()
    return database_url


def test_all_is_well_on_a_migrated_database(
    doctor: Callable[..., tuple[int, dict[str, str], str]], migrated: str
) -> None:
    status, lines, out = doctor(migrated)
    assert status == 0, out
    assert lines["database"].startswith("ok") and "schema current" in lines["database"]
    assert lines["templates"].startswith("ok") and "da, en" in lines["templates"]
    assert lines["clock"].startswith("ok") and "Europe/Copenhagen" in lines["clock"]
    assert lines["outbox"].startswith("ok") and "free" in lines["outbox"]
    for part in ("imap", "relay", "telegram"):
        assert lines[part].startswith("skip"), out
    assert out.rstrip().endswith("all is well")


def test_a_database_that_is_not_migrated_says_upgrade(
    doctor: Callable[..., tuple[int, dict[str, str], str]], tmp_path: Path
) -> None:
    path = tmp_path / "old.db"
    sqlite3.connect(path).close()
    status, lines, out = doctor(f"sqlite:///{path}")
    assert status == 1
    assert lines["database"].startswith("FAIL") and "not migrated" in lines["database"]
    assert "hint: back up the database, then privacybot db upgrade" in lines["database"]
    assert out.rstrip().endswith("1 problem found")


def test_the_companys_own_letters_are_rendered_and_a_broken_one_is_named(
    doctor: Callable[..., tuple[int, dict[str, str], str]],
    migrated: str,
    tmp_path: Path,
    make_settings: Callable[..., Settings],
) -> None:
    """A company rewords a letter in its own folder; a typo there is caught by doctor,
    not in a customer's mail, and the service writes the reworded letter."""
    letters = tmp_path / "letters"
    (letters / "da" / "reply").mkdir(parents=True)
    erasure = letters / "da" / "reply" / "erasure.j2"
    erasure.write_text("Sletning\nVi sletter alt om dig, {{ company.nmae }}.\n", "utf-8")
    status, lines, out = doctor(migrated, company={"templates_folder": str(letters)})
    assert status == 1, out
    assert lines["templates"].startswith("FAIL")
    assert "da reply for erasure does not render" in lines["templates"]
    assert "nmae" in lines["templates"]

    erasure.write_text("Sletning\nVi har slettet alt om dig hos {{ company.name }}.\n", "utf-8")
    status, lines, out = doctor(migrated, company={"templates_folder": str(letters)})
    assert status == 0, out
    runtime = build_runtime(make_settings(migrated, company={"templates_folder": str(letters)}))
    try:
        text = runtime.templates.get_template("da/reply/erasure.j2").render(company=runtime.company)
        assert text == f"Sletning\nVi har slettet alt om dig hos {runtime.company.name}.\n"
        # every other letter is still the built-in one
        assert "reply/access.j2" in runtime.templates.get_template("da/reply/access.j2").filename
    finally:
        runtime.engine.dispose()


def test_a_templates_folder_that_does_not_exist_stops_start_up_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRIVACYBOT_COMPANY__TEMPLATES_FOLDER", str(tmp_path / "nope"))
    assert main(["config"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "company.templates_folder" in err and "is not a folder" in err


def test_a_missing_sqlite_file_is_reported_and_not_created(
    doctor: Callable[..., tuple[int, dict[str, str], str]], tmp_path: Path
) -> None:
    path = tmp_path / "nothing-here" / "privacybot.db"
    status, lines, _ = doctor(f"sqlite:///{path}")
    assert status == 1 and "does not exist" in lines["database"]
    assert not path.exists()


def test_an_unreachable_database_gives_exit_1_and_a_hint(
    doctor: Callable[..., tuple[int, dict[str, str], str]],
) -> None:
    url = f"postgresql+psycopg://privacybot:s3cret@127.0.0.1:{closed_port()}/privacybot"
    status, lines, out = doctor(url)
    assert status == 1
    assert lines["database"].startswith("FAIL") and "unreachable" in lines["database"]
    assert "(hint: is the database server running" in lines["database"]
    assert "s3cret" not in out


# --------------------------------------------------------------------------- relay


class _Recorder:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def relay() -> Iterator[tuple[Controller, _Recorder]]:
    """A real SMTP relay that offers AUTH (plain text is fine on loopback)."""

    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            b"relayuser",
            b"relaypass",
        )
        # handled=False: aiosmtpd then answers 535 itself (its default is to stay silent).
        return AuthResult(success=ok, handled=False)

    recorder = _Recorder()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=closed_port(),
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield controller, recorder
    controller.stop()


def test_relay_login_is_checked_and_nothing_is_sent(
    doctor: Callable[..., tuple[int, dict[str, str], str]],
    migrated: str,
    relay: tuple[Controller, _Recorder],
) -> None:
    controller, recorder = relay
    settings = {
        "enabled": True,
        "host": "127.0.0.1",
        "port": controller.port,
        "tls": "none",
        "username": "relayuser",
        "password": "relaypass",
    }
    status, lines, out = doctor(migrated, relay=settings)
    assert status == 0, out
    assert lines["relay"].startswith("ok") and "login ok (nothing sent)" in lines["relay"]
    assert recorder.messages == []

    status, lines, out = doctor(migrated, relay={**settings, "password": "wrong"})
    assert status == 1
    assert lines["relay"].startswith("FAIL") and "login refused" in lines["relay"]
    assert "hint: check relay.username and relay.password" in lines["relay"]
    assert "wrong" not in out and "relaypass" not in out


def test_relay_password_from_a_command_logs_in_and_is_never_shown(
    doctor: Callable[..., tuple[int, dict[str, str], str]],
    migrated: str,
    relay: tuple[Controller, _Recorder],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A password manager prints the password (and notes below it, as ``pass`` does)."""
    controller, recorder = relay
    vault = tmp_path / "vault.sh"
    vault.write_text("#!/bin/sh\nprintf 'relaypass\\nurl: smtp.example\\n'\n")
    vault.chmod(0o700)
    settings = {
        "enabled": True,
        "host": "127.0.0.1",
        "port": controller.port,
        "tls": "none",
        "username": "relayuser",
        "password_command": str(vault),
    }
    status, lines, out = doctor(migrated, relay=settings)
    assert status == 0, out
    assert "login ok (nothing sent)" in lines["relay"]
    assert recorder.messages == []

    config = tmp_path / "privacybot.toml"
    assert main(["--config", str(config), "config"]) == 0
    shown = capsys.readouterr().out
    assert '"password": "***"' in shown and "relaypass" not in shown

    # A command that fails stops start-up with one line that names it, and no output.
    write_config(
        config,
        {
            "database": {"url": migrated},
            "relay": {**settings, "password_command": "echo relaypass; false"},
        },
    )
    status = main(["--config", str(config), "doctor"])
    err = capsys.readouterr().err
    assert status == 2
    assert "relay.password_command 'echo' exited with status 1" in err
    assert "relaypass" not in err and len(err.strip().splitlines()) == 1


def test_an_unreachable_relay_gives_exit_1_and_a_hint(
    doctor: Callable[..., tuple[int, dict[str, str], str]],
    migrated: str,
) -> None:
    status, lines, _ = doctor(
        migrated, relay={"enabled": True, "host": "127.0.0.1", "port": closed_port(), "tls": "none"}
    )
    assert status == 1
    assert lines["relay"].startswith("FAIL") and "connection refused" in lines["relay"]
    assert "hint: check relay.host, relay.port and the firewall" in lines["relay"]


# --------------------------------------------------------------------------- IMAP


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    reason = unavailable_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"Dovecot is required in CI: {reason}")
        pytest.skip(reason)
    server = Dovecot()
    server.start()
    yield server
    server.close()


def test_imap_login_and_folder_against_dovecot(
    doctor: Callable[..., tuple[int, dict[str, str], str]],
    migrated: str,
    dovecot: Dovecot,
) -> None:
    dovecot.append(b"From: a@example.org\r\nSubject: x\r\n\r\nhello\r\n")
    imap = {
        "enabled": True,
        "host": dovecot.host,
        "port": dovecot.port,
        "tls": "none",
        "username": dovecot.user,
        "password": dovecot.password,
    }
    status, lines, out = doctor(migrated, imap=imap)
    assert status == 0, out
    assert lines["imap"].startswith("ok") and "folder INBOX (1 messages)" in lines["imap"]

    status, lines, out = doctor(migrated, imap={**imap, "password": "not-it"})
    assert status == 1 and "login refused" in lines["imap"]
    assert "hint: check imap.username and imap.password" in lines["imap"]

    status, lines, _ = doctor(migrated, imap={**imap, "mailbox": "NoSuchFolder"})
    assert status == 1 and "'NoSuchFolder' cannot be opened" in lines["imap"]
    assert "hint: check imap.mailbox" in lines["imap"]

    status, lines, _ = doctor(migrated, imap={**imap, "extra_mailboxes": ["Privacy"]})
    assert status == 1 and "'Privacy' cannot be opened" in lines["imap"]
    assert "hint: check imap.extra_mailboxes" in lines["imap"]
    with dovecot.client() as owner:
        owner.create_folder("Privacy")
    status, lines, _ = doctor(migrated, imap={**imap, "extra_mailboxes": ["Privacy"]})
    assert status == 0
    assert "folders INBOX (1 messages), Privacy (0 messages)" in lines["imap"]


def test_an_unreachable_imap_server_gives_exit_1_and_a_hint(
    doctor: Callable[..., tuple[int, dict[str, str], str]],
    migrated: str,
) -> None:
    imap = {
        "enabled": True,
        "host": "127.0.0.1",
        "port": closed_port(),
        "tls": "none",
        "username": "info",
        "password": "x",
    }
    status, lines, _ = doctor(migrated, imap=imap)
    assert status == 1
    assert lines["imap"].startswith("FAIL") and "unreachable" in lines["imap"]
    assert "hint: check imap.host, imap.port and the firewall" in lines["imap"]


# --------------------------------------------------------------------------- Telegram


class TelegramWithChats(FakeTelegram):
    """The local Bot API server, also answering ``getChat`` for the chats it knows."""

    chats = {-100200: {"id": -100200, "type": "supergroup", "title": "Staff"}}

    def _m_getChat(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        chat = self.chats.get(int(params["chat_id"]))
        if chat is None:
            raise TelegramError(400, "Bad Request: chat not found")
        return chat


def test_telegram_token_and_staff_chat(
    doctor: Callable[..., tuple[int, dict[str, str], str]],
    migrated: str,
) -> None:
    with TelegramWithChats() as telegram:
        settings = {
            "enabled": True,
            "token": telegram.token,
            "staff_chat_id": -100200,
            "base_url": telegram.base_url,
        }
        status, lines, out = doctor(migrated, telegram=settings)
        assert status == 0, out
        assert lines["telegram"].startswith("ok") and "staff chat 'Staff'" in lines["telegram"]

        status, lines, out = doctor(migrated, telegram={**settings, "token": "1:wrong"})
        assert status == 1 and "token was refused" in lines["telegram"]
        assert telegram.token not in out

        status, lines, _ = doctor(migrated, telegram={**settings, "staff_chat_id": -1})
        assert status == 1 and "staff chat -1 not reachable" in lines["telegram"]
        assert "hint: add the bot to the staff group" in lines["telegram"]


def test_an_unreachable_bot_api_gives_exit_1_and_a_hint(
    doctor: Callable[..., tuple[int, dict[str, str], str]],
    migrated: str,
) -> None:
    token = "123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    settings = {
        "enabled": True,
        "token": token,
        "staff_chat_id": -100200,
        "base_url": f"http://127.0.0.1:{closed_port()}/bot",
    }
    status, lines, out = doctor(migrated, telegram=settings)
    assert status == 1 and "unreachable" in lines["telegram"]
    assert "hint: check telegram.base_url" in lines["telegram"]
    assert token not in out


# --------------------------------------------------------------------------- files


def test_a_secrets_file_others_can_read_is_a_problem(
    doctor: Callable[..., tuple[int, dict[str, str], str]],
    migrated: str,
    tmp_path: Path,
) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[relay]\npassword = "x"\n')
    secrets.chmod(0o644)
    status, lines, _ = doctor(migrated, credentials={"file": "secrets.toml"})
    assert status == 1
    assert "mode 0644" in lines["secrets"] and f"hint: chmod 600 {secrets}" in lines["secrets"]
    secrets.chmod(0o600)
    status, lines, _ = doctor(migrated, credentials={"file": "secrets.toml"})
    assert status == 0 and lines["secrets"].startswith("ok")


def test_an_outbox_folder_that_is_a_file_is_a_problem(
    doctor: Callable[..., tuple[int, dict[str, str], str]],
    migrated: str,
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    status, lines, _ = doctor(migrated, outbox={"folder": str(blocker / "outbox")})
    assert status == 1 and lines["outbox"].startswith("FAIL")
    assert "hint: set outbox.folder" in lines["outbox"]
