"""The command-line contract, run as a user runs it: a subprocess in a folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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
    result = privacybot(
        "config", cwd=tmp_path, env={"PRIVACYBOT_IMAP__IDLE_RENEW_SECONDS": "900"}
    )
    assert result.returncode == 2 and "imap.idle_renew_seconds" in result.stderr


def test_config_prints_effective_settings_with_secrets_masked(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[company]\nname = "Acme A/S"\n[imap]\npassword = "hunter2"\n')
    result = privacybot(
        "--config", str(config), "config", cwd=tmp_path,
        env={"PRIVACYBOT_TELEGRAM__TOKEN": "123:secret", "PRIVACYBOT_SMTP_LISTENER__PORT": "2525"},
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["company"]["name"] == "Acme A/S"
    assert shown["smtp_listener"]["port"] == 2525
    assert shown["imap"]["password"] == "***" and shown["telegram"]["token"] == "***"
    assert "hunter2" not in result.stdout and "123:secret" not in result.stdout


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


def test_non_editable_install_finds_templates_and_migrations(tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    probe = (
        "import handlers.drafting as d, storage.migrate as m, importlib.resources as r;"
        f"assert str(r.files('storage')).startswith({str(target)!r}), r.files('storage');"
        "env = d.make_environment(); env.get_template('da/ack.eml.j2');"
        "assert (r.files('storage') / 'migrations' / 'versions').is_dir();"
        "print('ok')"
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=work, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == "ok", result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "bot", "cases"], cwd=work, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert (work / "data" / "privacybot.db").is_file()


def test_a_reader_that_goes_away_is_no_error(tmp_path: Path) -> None:
    """`privacybot config | head -1`: the pipe closes before we are done writing."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write now fails with EPIPE
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIVACYBOT_")}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot", "config"],
            cwd=tmp_path, env=env, stdout=write_end, stderr=subprocess.PIPE,
            text=True, timeout=60,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 0
    assert done.stderr == ""
