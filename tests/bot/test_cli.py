"""The command-line contract, run as a user runs it: a subprocess in a folder."""

from __future__ import annotations

import json
import os
import signal
import smtplib
import socket
import sqlite3
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from storage.migrate import alembic_config
from tests.servers.relay import free_port

ROOT = Path(__file__).resolve().parents[2]

ERASURE_DA = (
    b"From: Mette Hansen <mette@example.dk>\r\n"
    b"To: info@alottbetter.dk\r\n"
    b"Subject: Slet mine oplysninger\r\n"
    b"Message-ID: <cli.1@example.dk>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Hej\r\n\r\nJeg vil gerne have slettet mine personoplysninger.\r\n\r\nMvh Mette\r\n"
)


def privacybot(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PRIVACYBOT_")}
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=clean,
        input=stdin.decode() if stdin else None,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_commands_use_embedded_defaults_in_an_empty_folder(tmp_path: Path) -> None:
    result = privacybot("cases", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert (tmp_path / "data" / "privacybot.db").is_file()
    assert privacybot("drafts", "--json", cwd=tmp_path).returncode == 0
    verify = privacybot("audit", "verify", cwd=tmp_path)
    assert verify.returncode == 0 and "OK" in verify.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("approve", "not-a-number"),
        ("case", "PR-2026-9999"),
        ("approve", "424242"),
        ("classify", "no-such-file.eml"),
        ("reject", "1"),
        ("frobnicate",),
    ],
)
def test_bad_usage_exits_2_with_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = privacybot(*args, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("privacybot")


def test_a_bad_setting_names_itself(tmp_path: Path) -> None:
    result = privacybot("config", cwd=tmp_path, env={"PRIVACYBOT_SMTP_LISTENER__PORT": "abc"})
    assert result.returncode == 2
    assert "smtp_listener.port" in result.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('[company]\nemail = "not-an-address"\n')
    result = privacybot("--config", str(bad), "config", cwd=tmp_path)
    assert result.returncode == 2 and "company.email" in result.stderr
    # IDLE is re-issued every 10 minutes at most: a longer interval is refused.
    result = privacybot("config", cwd=tmp_path, env={"PRIVACYBOT_IMAP__IDLE_RENEW_SECONDS": "900"})
    assert result.returncode == 2 and "imap.idle_renew_seconds" in result.stderr


def test_config_prints_effective_settings_with_secrets_masked(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[company]\nname = "Acme A/S"\n[imap]\npassword = "hunter2"\n')
    result = privacybot(
        "--config",
        str(config),
        "config",
        cwd=tmp_path,
        env={"PRIVACYBOT_TELEGRAM__TOKEN": "123:secret", "PRIVACYBOT_SMTP_LISTENER__PORT": "2525"},
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["company"]["name"] == "Acme A/S"
    assert shown["smtp_listener"]["port"] == 2525
    assert shown["imap"]["password"] == "***" and shown["telegram"]["token"] == "***"
    assert "hunter2" not in result.stdout and "123:secret" not in result.stdout


def test_config_file_from_the_environment_and_the_environment_wins_over_it(
    tmp_path: Path,
) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[smtp_listener]\nport = 2525\n[policy]\nretention_years = 5\n")
    result = privacybot(
        "config",
        cwd=tmp_path,
        env={"PRIVACYBOT_CONFIG": str(config), "PRIVACYBOT_SMTP_LISTENER__PORT": "2626"},
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["policy"]["retention_years"] == 5, "PRIVACYBOT_CONFIG names the file"
    assert shown["smtp_listener"]["port"] == 2626, "the environment wins over the file"
    missing = privacybot("config", cwd=tmp_path, env={"PRIVACYBOT_CONFIG": "nope.toml"})
    assert missing.returncode == 2 and "nope.toml does not exist" in missing.stderr


def test_the_example_file_is_the_first_companys_configuration(tmp_path: Path) -> None:
    """docs/privacybot.example.toml loads, and the company and its policy rules are
    configuration: ALOTTbetter's details there, every key of DESIGN.md's contract present."""
    example = ROOT / "docs" / "privacybot.example.toml"
    result = privacybot("--config", str(example), "config", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["company"]["name"] == "ALOTTbetter ApS"
    assert shown["company"]["email"] == "info@alottbetter.dk"
    assert shown["policy"] == {
        **shown["policy"],
        "retention_years": 2,
        "extended_retention_years": 10,
        "access_requires_signed_letter": True,
        "acks_per_sender_per_day": 3,
    }
    contract = {
        "company": ["name", "email", "phone", "website", "address", "default_language"],
        "database": ["url"],
        "smtp_listener": ["enabled", "host", "port", "max_message_bytes"],
        "imap": [
            "enabled",
            "host",
            "port",
            "tls",
            "username",
            "password",
            "mailbox",
            "processed_action",
            "processed_folder",
        ],
        "relay": ["enabled", "host", "port", "tls", "username", "password"],
        "outbox": ["folder"],
        "telegram": ["enabled", "token", "staff_chat_id", "staff_user_ids", "base_url"],
        "policy": [
            "retention_years",
            "extended_retention_years",
            "access_requires_signed_letter",
            "acks_per_sender_per_day",
        ],
    }
    for section, keys in contract.items():
        assert set(keys) <= set(shown[section]), section
    defaults = json.loads(privacybot("config", cwd=tmp_path).stdout)
    assert defaults["database"]["url"] == "sqlite:///data/privacybot.db"
    assert defaults["outbox"]["folder"] == "data/outbox"
    assert (defaults["smtp_listener"]["host"], defaults["smtp_listener"]["port"]) == (
        "127.0.0.1",
        8025,
    )
    assert defaults["imap"]["mailbox"] == "INBOX" and defaults["relay"]["enabled"] is False


def test_classify_json_from_file_and_stdin(tmp_path: Path) -> None:
    mail = tmp_path / "erasure.eml"
    mail.write_bytes(ERASURE_DA)
    result = privacybot("classify", "--json", str(mail), "-", cwd=tmp_path, stdin=ERASURE_DA)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["file"] for r in rows] == [str(mail), "-"]
    for row in rows:
        assert row["labels"] == ["erasure"]
        assert row["language"] == "da"
        assert 0.0 <= row["confidence"] <= 1.0
        assert row["evidence"]


def test_classify_reads_a_no_reply_senders_mail_and_reports_its_request_as_triage(
    tmp_path: Path,
) -> None:
    """A ticket system's notification from noreply@ carrying a customer's request is a
    request the service opens in triage (below ``triage_below``); a mail-system bounce
    sender's text is not read at all."""
    person = b"Mette Hansen <mette@example.dk>"
    ticket = ERASURE_DA.replace(person, b"<noreply@tickets.example.net>")
    daemon = ERASURE_DA.replace(person, b"<MAILER-DAEMON@mx.example.net>")
    (tmp_path / "ticket.eml").write_bytes(ticket)
    (tmp_path / "daemon.eml").write_bytes(daemon)
    result = privacybot("classify", "--json", "ticket.eml", "daemon.eml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    relayed, bounced = (json.loads(line) for line in result.stdout.splitlines())
    assert relayed["labels"] == ["erasure"]
    assert relayed["confidence"] < 0.65  # the default [classifier] triage_below
    assert "machine-sender" in [e["rule"] for e in relayed["evidence"]]
    assert bounced["labels"] == ["not_privacy"]
    assert [e["rule"] for e in bounced["evidence"]] == ["machine-sender"]


def test_pip_install_into_a_fresh_venv_gives_a_privacybot_that_finds_its_files(
    tmp_path: Path,
) -> None:
    """Issue 2, item 1: ``pip install .`` (not editable) into a fresh venv, then the
    ``privacybot`` console script, run from an empty folder, migrates its database and
    writes an acknowledgement from its templates: both come from the installed package.

    The wheel is built here and installed without dependencies (no network); the fresh
    venv borrows this venv's dependencies through a ``.pth`` line added only afterwards.
    A plain path line does not run that folder's own ``.pth`` files, so the editable
    install of this checkout stays invisible and the source tree is never imported.
    """
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(wheels),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = wheels.glob("privacybot-*.whl")
    venv = tmp_path / "fresh"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stderr
    purelib = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_path('purelib'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "zz_test_dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )

    work = tmp_path / "empty"
    work.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PRIVACYBOT_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    script = str(venv / "bin" / "privacybot")

    def fresh(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [script, *args],
            cwd=work,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
        )

    where = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import bot, handlers, storage, templates; "
            "print(bot.__file__, storage.__file__, list(templates.__path__)[0])",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(path.startswith(purelib) for path in where), where

    upgraded = fresh("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    with sqlite3.connect(work / "data" / "privacybot.db") as db:
        applied = {v for (v,) in db.execute("SELECT version_num FROM alembic_version")}
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    heads = set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())
    assert applied == heads, "every migration shipped in the wheel was applied"
    assert mode == "wal"

    port = free_port()
    log = (work / "service.log").open("wb")
    service = subprocess.Popen(
        [script, "run"],
        cwd=work,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**env, "PRIVACYBOT_SMTP_LISTENER__PORT": str(port)},
    )
    try:
        _wait_listening(port, service)
        with smtplib.SMTP("127.0.0.1", port, timeout=15) as client:
            client.sendmail("mette@example.dk", ["info@alottbetter.dk"], ERASURE_DA)
        deadline = time.monotonic() + 60
        while not list((work / "data" / "outbox").glob("ack.*.eml")):
            assert time.monotonic() < deadline, (work / "service.log").read_text()
            time.sleep(0.1)
    finally:
        service.send_signal(signal.SIGTERM)
        service.wait(timeout=30)
        log.close()
    drafts = fresh("drafts", "--json")
    assert drafts.returncode == 0, drafts.stderr
    [draft] = [json.loads(line) for line in drafts.stdout.splitlines()]
    assert draft["status"] == "pending" and draft["case_ref"].startswith("PR-")


def _wait_listening(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, "privacybot run ended before it listened"
        assert time.monotonic() < deadline, "privacybot run did not start listening"
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)


def test_a_reader_that_goes_away_is_no_error(tmp_path: Path) -> None:
    """`privacybot config | head -1`: the pipe closes before we are done writing."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write now fails with EPIPE
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIVACYBOT_")}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot", "config"],
            cwd=tmp_path,
            env=env,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 0
    assert done.stderr == ""


def test_every_requirement_is_bounded_and_pinned_where_the_tests_passed() -> None:
    """Issue 2, item 1: bounded versions in pyproject.toml, and constraints.txt holds for
    each requirement (the build's too) the version the tests passed with, inside its range."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = [
        *project["project"]["dependencies"],
        *project["project"]["optional-dependencies"]["test"],
        *project["build-system"]["requires"],
    ]
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version
    for text in declared:
        requirement = Requirement(text)
        assert any(s.operator in ("<", "<=", "~=", "==") for s in requirement.specifier), (
            f"{text} has no upper bound"
        )
        pinned = pins.get(canonicalize_name(requirement.name))
        assert pinned, f"{requirement.name} is not in constraints.txt"
        assert requirement.specifier.contains(pinned, prereleases=True), (text, pinned)
