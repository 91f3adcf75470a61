"""The README's first steps, run as a newcomer runs them (issue 2, items 2 and 11).

``privacybot run`` starts in an empty folder with no configuration (only the listener's
port is moved off 8025, which another program on a shared machine may hold); the README's
own smtplib snippet sends the request; then every ``.venv/bin/privacybot`` command of its
"Then, in the same folder" block runs in that folder, in order, against the running
service's database. Taking the snippet and the commands from README.md means the page
cannot drift from what works.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.servers.relay import free_port

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PRIVACYBOT = Path(sys.executable).parent / "privacybot"


def readme_snippet() -> str:
    found = re.search(r"\.venv/bin/python - <<'EOF'\n(.*?)\nEOF\n", README, re.S)
    assert found, "README.md no longer shows the smtplib snippet"
    return found.group(1)


def readme_commands() -> list[list[str]]:
    block = README.split("Then, in the same folder:", 1)[1].split("```sh\n", 1)[1]
    block = block.split("```", 1)[0]
    commands = []
    for line in block.splitlines():
        command = line.split("#", 1)[0].split()
        if command and command[0] == ".venv/bin/privacybot":
            commands.append(command[1:])
    assert commands, "README.md no longer lists the commands to watch the case"
    return commands


def wait(predicate, what: str, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what}: not reached in {timeout} s"
        time.sleep(0.1)


def test_the_readme_tour_works_from_an_empty_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIVACYBOT_")}
    port = free_port()
    outbox = tmp_path / "data" / "outbox"
    with (tmp_path / "service.log").open("wb") as log:
        service = subprocess.Popen(
            [str(PRIVACYBOT), "run"],
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**env, "PRIVACYBOT_SMTP_LISTENER__PORT": str(port)},
        )
    try:

        def listening() -> bool:
            assert service.poll() is None, (tmp_path / "service.log").read_text()
            with socket.socket() as sock:
                sock.settimeout(0.2)
                return sock.connect_ex(("127.0.0.1", port)) == 0

        wait(listening, "the listener")
        snippet = readme_snippet().replace('"127.0.0.1", 8025', f'"127.0.0.1", {port}')
        assert str(port) in snippet
        sent = subprocess.run(
            [sys.executable, "-"],
            input=snippet,
            text=True,
            cwd=tmp_path,
            env=env,
            capture_output=True,
            timeout=60,
        )
        assert sent.returncode == 0, sent.stderr
        wait(lambda: list(outbox.glob("ack.*.eml")), "the acknowledgement file")

        shown: dict[str, str] = {}
        ref = ""
        for command in readme_commands():
            # The README's example reference carries the year it was written in.
            command = [ref if ref and re.fullmatch(r"PR-\d{4}-\d{4,}", a) else a for a in command]
            done = subprocess.run(
                [str(PRIVACYBOT), *command],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 0, (command, done.stderr)
            shown[command[0]] = done.stdout
            if command[0] == "cases":
                ref = done.stdout.split()[0]
        [case_line] = shown["cases"].splitlines()
        assert re.fullmatch(r"PR-\d{4}-0001", ref)
        assert "draft_pending" in case_line and "erasure" in case_line and "due" in case_line
        case = shown["case"]
        assert f"Case {ref}: draft_pending" in case
        assert "evidence: erasure:" in case, "the case shows why it was recognised"
        assert "--- draft 1 v1 (pending) ---" in case and ref in case.split("---")[-1]
        assert ref in shown["drafts"]
        assert "OK" in shown["audit"]
        # "approve 1": the reply is written by the running service.
        wait(lambda: len(list(outbox.glob("*.eml"))) == 2, "the approved reply")
        assert (tmp_path / "data" / "privacybot.db").is_file()
    finally:
        service.send_signal(signal.SIGTERM)
        assert service.wait(timeout=30) == 0


def test_make_run_and_make_test_set_up_the_venv_only_when_it_is_missing(
    tmp_path: Path,
) -> None:
    """The README's two commands: ``make run`` / ``make test`` make ``.venv`` and install
    into it when it is missing (or the dependencies changed), and otherwise just start."""
    for name in ("Makefile", "pyproject.toml", "constraints.txt"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())

    def dry(target: str) -> list[str]:
        # Under `make test` the outer make's variables would make this one say
        # "Entering directory"; the README's reader runs make from a shell.
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")
        }
        done = subprocess.run(
            ["make", "-n", target],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    fresh = dry("run")
    assert any(line.endswith("-m venv .venv") for line in fresh), fresh
    assert any("pip install" in line and "-c constraints.txt" in line for line in fresh)
    assert fresh[-1] == ".venv/bin/privacybot run"
    assert dry("test")[-1] == ".venv/bin/python -m pytest"

    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").touch()
    time.sleep(0.01)
    (tmp_path / ".venv" / ".installed").touch()
    assert dry("run") == [".venv/bin/privacybot run"], "installed: it only starts"
