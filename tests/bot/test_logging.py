"""Logs of a real ``privacybot run``: JSON lines on request, levels per part, and never
the address of the person who wrote."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import smtplib
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from bot.logs import JsonFormatter, RedactAddresses, parse_levels
from tests.bot.test_cli import privacybot
from tests.bot.test_doctor import closed_port

SENDER = "mette.hansen@example.dk"


def run_service(tmp_path: Path, *flags: str) -> list[str]:
    """Start the service, send it one privacy request, wait for the case, stop it with
    SIGTERM, and return what it logged on stderr."""
    port = closed_port()
    config = tmp_path / "privacybot.toml"
    config.write_text(f"[smtp_listener]\nport = {port}\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIVACYBOT_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), *flags, "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr or []), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                client = smtplib.SMTP("127.0.0.1", port, timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError("the service did not start") from None
                time.sleep(0.1)
        msg = EmailMessage()
        msg["From"] = f"Mette Hansen <{SENDER}>"
        msg["To"] = "info@alottbetter.dk"
        msg["Subject"] = "Slet mine oplysninger"
        msg["Message-ID"] = "<logging.1@example.dk>"
        msg.set_content(f"Hej\n\nSlet venligst alle mine personoplysninger.\n\nMette, {SENDER}")
        with client:
            client.send_message(msg)
        while "PR-" not in privacybot("--config", str(config), "cases", cwd=tmp_path).stdout:
            if time.monotonic() > deadline:
                raise AssertionError("no case was opened")
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        reader.join(timeout=5)
    return [line.rstrip("\n") for line in lines if line.strip()]


def test_json_lines_without_personal_data(tmp_path: Path) -> None:
    lines = run_service(tmp_path, "--log-format", "json")
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)
    messages = [entry["message"] for entry in entries]
    assert any(m.startswith("case PR-") and "opened" in m for m in messages), messages
    assert any(m == "privacybot stopped" for m in messages)
    everything = "\n".join(lines)
    assert SENDER not in everything and "Mette" not in everything


def test_levels_per_part(tmp_path: Path) -> None:
    lines = run_service(tmp_path, "--log-level", "WARNING,cases=INFO")
    assert any("privacybot.cases: case PR-" in line for line in lines), lines
    assert not any("privacybot.service" in line and " INFO " in line for line in lines), lines
    assert SENDER not in "\n".join(lines)


def test_a_bad_log_level_is_bad_usage(tmp_path: Path) -> None:
    result = privacybot("--log-level", "inbound=LOUD", "cases", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "privacybot: --log-level: unknown log level 'LOUD' (DEBUG, INFO, WARNING, ERROR)"
    ]


def test_json_formatter_redacts_addresses_in_exceptions_too() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactAddresses())
    logger = logging.getLogger("privacybot.test_logging")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise ValueError(f"recipient {SENDER} refused; token 123456:ABCDEFGHIJKLMNOPQRSTUV")
        except ValueError:
            logger.exception("sending to %s failed", SENDER)
    finally:
        logger.removeHandler(handler)
    entry = json.loads(stream.getvalue())
    assert entry["message"] == "sending to <address> failed"
    assert "ValueError: recipient <address> refused; token <token>" in entry["exception"]
    assert SENDER not in stream.getvalue()


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("DEBUG", ("DEBUG", {})),
        ("info,inbound.imap=debug", ("INFO", {"inbound.imap": "DEBUG"})),
        ("outbox=WARNING", (None, {"outbox": "WARNING"})),
    ],
)
def test_log_level_spec(spec: str, expected: tuple[str | None, dict[str, str]]) -> None:
    assert parse_levels(spec) == expected


def test_configured_secrets_are_redacted_whatever_their_shape() -> None:
    """A password or a token of no known shape, as a library at DEBUG might print it."""
    from bot.logs import TextFormatter, hide_secrets

    hide_secrets(["hunter2-relay", "42:short-tok"])
    record = logging.LogRecord(
        "httpx",
        logging.DEBUG,
        __file__,
        1,
        "POST http://127.0.0.1/bot42:short-tok/getMe auth=%s",
        ("hunter2-relay",),
        None,
    )
    line = TextFormatter().format(record)
    assert "hunter2" not in line and "short-tok" not in line
    assert line.endswith("POST http://127.0.0.1/bot<secret>/getMe auth=<secret>")
