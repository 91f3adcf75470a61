"""``privacybot init`` as an operator runs it: a subprocess in an empty folder.

The written file must load, ``privacybot config`` must mask the secrets, and the secrets
must be in a file only the owner can read (or left to the environment).
"""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

from tests.bot.test_cli import privacybot

FLAGS = (
    "--company-name",
    "Acme A/S",
    "--company-email",
    "info@acme.dk",
    "--imap-host",
    "mail.acme.dk",
    "--imap-username",
    "info@acme.dk",
    "--imap-password",
    "imap-pw-123",
    "--relay-host",
    "smtp.acme.dk",
    "--relay-port",
    "465",
    "--relay-tls",
    "ssl",
    "--relay-username",
    "info@acme.dk",
    "--relay-password",
    "relay-pw-456",
    "--telegram-token",
    "123456:telegram-token-789",
    "--telegram-staff-chat-id",
    "-100200",
    "--telegram-staff-user-ids",
    "11, 22",
)


def test_init_with_flags_writes_a_config_that_loads_with_secrets_apart(tmp_path: Path) -> None:
    result = privacybot("init", "--no-input", *FLAGS, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    config = tmp_path / "privacybot.toml"
    secrets = tmp_path / "privacybot.credentials.toml"
    assert f"wrote {config.name}" in result.stdout and f"wrote {secrets.name}" in result.stdout

    main_text = config.read_text()
    for secret in ("imap-pw-123", "relay-pw-456", "telegram-token-789"):
        assert secret not in main_text
        assert secret in secrets.read_text()
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert "# The controller's name, as letters sign it." in main_text  # commented

    shown = privacybot("--config", str(config), "config", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    effective = json.loads(shown.stdout)
    assert effective["company"]["name"] == "Acme A/S"
    assert effective["company"]["phone"] == ""  # not the first customer's number
    assert effective["imap"]["enabled"] and effective["imap"]["host"] == "mail.acme.dk"
    assert effective["relay"]["port"] == 465 and effective["relay"]["tls"] == "ssl"
    assert effective["telegram"]["staff_chat_id"] == -100200
    assert effective["telegram"]["staff_user_ids"] == [11, 22]
    for section, key in (("imap", "password"), ("relay", "password"), ("telegram", "token")):
        assert effective[section][key] == "***"
    for secret in ("imap-pw-123", "relay-pw-456", "telegram-token-789"):
        assert secret not in shown.stdout


def test_secrets_left_to_the_environment(tmp_path: Path) -> None:
    result = privacybot("init", "--no-input", "--credentials", "env", *FLAGS, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "privacybot.credentials.toml").exists()
    assert "PRIVACYBOT_IMAP__PASSWORD" in result.stdout
    assert "PRIVACYBOT_TELEGRAM__TOKEN" in result.stdout
    assert "imap-pw-123" not in (tmp_path / "privacybot.toml").read_text()

    shown = privacybot(
        "--config",
        "privacybot.toml",
        "config",
        cwd=tmp_path,
        env={"PRIVACYBOT_IMAP__PASSWORD": "from-env"},
    )
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["imap"]["password"] == "***"
    assert "from-env" not in shown.stdout


def test_the_environment_wins_over_the_secrets_file(tmp_path: Path) -> None:
    assert privacybot("init", "--no-input", *FLAGS, cwd=tmp_path).returncode == 0
    probe = (
        "from bot.config import load_settings;"
        "s = load_settings('privacybot.toml');"
        "print(s.imap.password.get_secret_value(), s.relay.password.get_secret_value())"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
            "PRIVACYBOT_RELAY__PASSWORD": "env-pw",
        },
    )
    assert out.stdout.split() == ["imap-pw-123", "env-pw"], out.stderr


def test_init_asks_on_a_terminal(tmp_path: Path) -> None:
    answers = (
        "\n".join(
            [
                "Bager Hansen ApS",  # company name
                "info@bagerhansen.dk",  # email
                "",  # phone: default (empty for a new company)
                "",  # website
                "",  # address
                "en",  # default language
                "",  # database url: default
                "y",  # use IMAP?
                "imap.bagerhansen.dk",
                "",
                "",
                "info",
                "imap-secret",
                "",
                "n",  # relay?
                "n",  # telegram?
            ]
        )
        + "\n"
    )
    result = privacybot("init", "--interactive", cwd=tmp_path, stdin=answers.encode())
    assert result.returncode == 0, result.stderr
    assert "Company name" in result.stdout and "IMAP password" in result.stdout
    shown = json.loads(privacybot("--config", "privacybot.toml", "config", cwd=tmp_path).stdout)
    assert shown["company"]["name"] == "Bager Hansen ApS"
    assert shown["company"]["default_language"] == "en"
    assert shown["imap"]["enabled"] and shown["imap"]["username"] == "info"
    assert shown["imap"]["password"] == "***"
    assert not shown["relay"]["enabled"] and not shown["telegram"]["enabled"]
    assert "imap-secret" in (tmp_path / "privacybot.credentials.toml").read_text()


def test_init_refuses_to_overwrite_and_to_write_a_bad_setting(tmp_path: Path) -> None:
    assert privacybot("init", "--no-input", cwd=tmp_path).returncode == 0
    again = privacybot("init", "--no-input", cwd=tmp_path)
    assert again.returncode == 2
    assert again.stderr.strip().splitlines() == [
        "privacybot: init: privacybot.toml exists; use --force to overwrite it"
    ]
    bad = privacybot(
        "init", "--no-input", "-o", "other.toml", "--company-email", "not-an-address", cwd=tmp_path
    )
    assert bad.returncode == 2 and "company.email" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "other.toml").exists()


def test_a_config_written_without_flags_runs_doctor(tmp_path: Path) -> None:
    assert privacybot("init", "--no-input", cwd=tmp_path).returncode == 0
    assert privacybot("--config", "privacybot.toml", "db", "upgrade", cwd=tmp_path).returncode == 0
    result = privacybot("--config", "privacybot.toml", "doctor", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert result.stdout.rstrip().endswith("all is well")
