"""At most once through a real relay: ``privacybot run`` dies after the relay accepted a
mail and before it could record that, and an operator settles the item from the command
line (issue 3, item 5).

The relay keeps the mail and SIGKILLs the service before its ``250`` is written, so the
service cannot know the outcome: exactly the crash between the relay's 250 and the
commit. After the restart the item must be ``in_doubt``, must not reach the relay a second
time by itself, and must wait for ``privacybot outbox mark-sent ID`` or ``resend ID``.
"""

from __future__ import annotations

import json
import os
import signal
import smtplib
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.servers.relay import Received, Relay, free_port

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIVACYBOT_")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def privacybot(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), *args],
        cwd=config.parent,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def start(config: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(config), "run"],
            cwd=config.parent,
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=_env(),
        )
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        assert time.monotonic() < deadline, "privacybot did not start listening"
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        time.sleep(0.05)


def wait_for(predicate: Callable[[], object], what: str, timeout: float = 60.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what}: not reached in {timeout} s")


def outbox_rows(db: Path) -> list[tuple[int, str, str]]:
    with sqlite3.connect(db, timeout=30) as conn:
        return list(conn.execute("select id, kind, status from outbox_item order by id"))


def audit_actions(db: Path) -> list[str]:
    with sqlite3.connect(db, timeout=30) as conn:
        return [a for (a,) in conn.execute("select action from audit_event order by id")]


def outbox_status(db: Path, kind: str) -> str | None:
    return next((status for _id, k, status in outbox_rows(db) if k == kind), None)


@pytest.mark.parametrize(
    ("kind", "decision"), [("ack", "mark-sent"), ("ack", "resend"), ("reply", "mark-sent")]
)
def test_a_crash_after_the_relay_took_the_mail_leaves_it_in_doubt_for_a_person(
    tmp_path: Path, kind: str, decision: str
) -> None:
    port = free_port()
    db, log = tmp_path / "privacybot.db", tmp_path / "service.log"
    relay = Relay()
    config = tmp_path / "privacybot.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{db}"\n[outbox]\nfolder = "{tmp_path / "outbox"}"\n'
        f"[smtp_listener]\nport = {port}\n"
        f'[relay]\nenabled = true\nhost = "127.0.0.1"\nport = {relay.port}\ntls = "none"\n',
        encoding="utf-8",
    )
    victim: list[subprocess.Popen[bytes]] = []

    def crash_sender(_mail: Received) -> None:
        if victim:  # once armed: the service dies before it hears the 250
            os.kill(victim.pop().pid, signal.SIGKILL)

    relay.before_reply = crash_sender
    before = 1 if kind == "reply" else 0  # the acknowledgement went out normally
    with relay:
        proc = start(config, port, log)
        if kind == "ack":
            victim.append(proc)
        request = EmailMessage()
        request["From"] = "Mette Hansen <mette@example.dk>"
        request["To"] = "info@alottbetter.dk"
        request["Subject"] = "Sletning af mine oplysninger"
        request["Message-ID"] = "<doubt.1@example.dk>"
        request.set_content("Hej\n\nJeg vil gerne have slettet alle mine personoplysninger.\n")
        with smtplib.SMTP("127.0.0.1", port, timeout=15) as client:
            client.send_message(request)
        if kind == "reply":
            wait_for(lambda: outbox_status(db, "ack") == "sent", "the acknowledgement sent")
            drafts = privacybot(config, "drafts", "--json")
            [draft] = [json.loads(line) for line in drafts.stdout.splitlines()]
            victim.append(proc)
            approved = privacybot(config, "approve", str(draft["id"]))
            assert approved.returncode == 0, approved.stderr
        assert proc.wait(timeout=60) == -signal.SIGKILL, "the relay ended the service"
        assert len(relay.received) == before + 1, "the relay has the letter"
        assert outbox_status(db, kind) == "sending"
        [item_id] = [i for i, k, _ in outbox_rows(db) if k == kind]

        proc = start(config, port, log)
        try:
            wait_for(lambda: outbox_status(db, kind) == "in_doubt", "in_doubt after restart")
            time.sleep(3.0)  # several outbox rounds: a silent resend would show up now
            assert len(relay.received) == before + 1, "an item in doubt is never sent again"

            listed = privacybot(config, "outbox", "--json")
            assert listed.returncode == 0, listed.stderr
            [row] = [
                json.loads(line)
                for line in listed.stdout.splitlines()
                if json.loads(line)["id"] == item_id
            ]
            assert row["status"] == "in_doubt" and row["kind"] == kind and row["case_ref"]

            settled = privacybot(config, "outbox", decision, str(item_id), "--by", "anne")
            assert settled.returncode == 0, settled.stderr
            wait_for(lambda: outbox_status(db, kind) == "sent", "sent after the decision")
            expected = before + (1 if decision == "mark-sent" else 2)
            wait_for(lambda: len(relay.received) == expected, "the relay's count")
            time.sleep(1.0)
            assert len(relay.received) == expected, "the decision is carried out once"
            ids = [r.message["Message-ID"] for r in relay.received[before:]]
            assert len(set(ids)) == 1, "a resend is the same letter, not a new one"
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0

    # The item is settled: a second decision on it is refused in one line.
    again = privacybot(config, "outbox", "resend", str(item_id))
    assert again.returncode == 2
    assert again.stderr.strip().count("\n") == 0 and "is sent" in again.stderr
    # Each letter is in its case's history once, as sent, whether the worker recorded it
    # or a person did: a resend after a doubt does not make it two letters.
    with sqlite3.connect(db, timeout=30) as conn:
        sent = list(
            conn.execute("select rule, message_id from message where direction = 'out' order by id")
        )
    assert [rule for rule, _ in sent] == (["ack"] if kind == "ack" else ["ack", "reply"])
    assert {mid for _, mid in sent} == {r.message["Message-ID"].strip("<>") for r in relay.received}
    if kind == "reply":
        cases = privacybot(config, "cases", "--json")
        [case] = [json.loads(line) for line in cases.stdout.splitlines()]
        assert case["status"] == "answered", "a reply marked sent answers its case"
    actions = audit_actions(db)
    assert "delivery_in_doubt" in actions
    assert f"outbox_{decision.replace('-', '_')}" in actions
    verify = privacybot(config, "audit", "verify")
    assert verify.returncode == 0 and "OK" in verify.stdout
    text = log.read_text(errors="replace")
    assert "may or may not have been sent" in text
    assert "mette@example.dk" not in text and "personoplysninger" not in text
