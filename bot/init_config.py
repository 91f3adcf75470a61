"""``privacybot init``: write a commented configuration file, and secrets apart from it.

The person who sets privacybot up is often not a developer, so the file explains every
key in place (the descriptions come from the settings model, like the generated
reference in ``docs/configuration.md``) and shows every default as a commented line.
Passwords and the bot token never go into the main file, which is meant to be read,
copied into tickets and kept in version control: they go into a separate file with mode
0600 that the main file names (``[credentials] file``), or stay in the environment.

Non-interactive with flags (for scripts and tests); on a terminal, whatever no flag
gave is asked for.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from pydantic import BaseModel, SecretStr, ValidationError

from bot.config import ConfigError, Settings, masked_url

#: Sections written to the file, in this order; the rest keep their defaults silently.
SECTIONS = (
    "company", "database", "smtp_listener", "imap", "relay", "outbox", "telegram", "policy",
    "metrics", "logging",
)

#: (section, key, flag, question) for everything init asks; secrets are asked hidden.
QUESTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("company", "name", "--company-name", "Company name, as letters sign it"),
    ("company", "email", "--company-email", "The info@ address requests arrive at"),
    ("company", "phone", "--company-phone", "Phone number shown in letters"),
    ("company", "website", "--company-website", "Website shown in letters"),
    ("company", "address", "--company-address", "Postal address (one line, may be empty)"),
    ("company", "default_language", "--language", "Default language (da or en)"),
    ("database", "url", "--database-url", "Database URL"),
    ("imap", "host", "--imap-host", "IMAP server"),
    ("imap", "port", "--imap-port", "IMAP port"),
    ("imap", "tls", "--imap-tls", "IMAP TLS (ssl, starttls, none)"),
    ("imap", "username", "--imap-username", "IMAP login name"),
    ("imap", "password", "--imap-password", "IMAP password"),
    ("imap", "mailbox", "--imap-mailbox", "IMAP folder to watch"),
    ("relay", "host", "--relay-host", "SMTP relay server"),
    ("relay", "port", "--relay-port", "SMTP relay port"),
    ("relay", "tls", "--relay-tls", "SMTP relay TLS (ssl, starttls, none)"),
    ("relay", "username", "--relay-username", "SMTP relay login name"),
    ("relay", "password", "--relay-password", "SMTP relay password"),
    ("telegram", "token", "--telegram-token", "Telegram bot token"),
    ("telegram", "staff_chat_id", "--telegram-staff-chat-id", "Staff group chat id"),
    ("telegram", "staff_user_ids", "--telegram-staff-user-ids",
     "Staff Telegram user ids (comma-separated)"),
)
#: Parts that are off unless asked for; a flag of the part turns it on.
OPTIONAL_PARTS = {"imap": "an IMAP mailbox", "relay": "an SMTP relay", "telegram": "Telegram"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", "-o", default="privacybot.toml",
                        help="configuration file to write (default privacybot.toml)")
    parser.add_argument("--credentials", choices=("file", "env"), default="file",
                        help="passwords and token into a 0600 file beside it (default), or "
                        "left to "
                        "the environment (PRIVACYBOT_IMAP__PASSWORD, ...)")
    parser.add_argument("--credentials-file",
                        help="where they go (default: <output>.credentials.toml beside it)")
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--interactive", action="store_true", default=None,
                      help="ask for what no flag gave (the default on a terminal)")
    mode.add_argument("--no-input", dest="interactive", action="store_false",
                      help="never ask; flags and defaults only")
    for part in OPTIONAL_PARTS:
        parser.add_argument(f"--{part}", action="store_true", dest=f"enable_{part}",
                            help=f"use {OPTIONAL_PARTS[part]} (implied by any --{part}-* flag)")
    parser.add_argument("--metrics", action="store_true", dest="enable_metrics",
                        help="serve /healthz and /metrics on 127.0.0.1:9108")
    for section, key, flag, question in QUESTIONS:
        parser.add_argument(flag, dest=f"{section}__{key}", help=question)


def section_model(section: str) -> type[BaseModel]:
    model = Settings.model_fields[section].annotation
    assert isinstance(model, type) and issubclass(model, BaseModel)
    return model


def section_defaults(section: str) -> dict[str, Any]:
    """A section's defaults from the model alone: the environment must not leak in."""
    data = section_model(section)().model_dump(mode="json")
    for key in data:
        if (section, key) in _secret_fields():
            data[key] = ""
    return data


def _secret_fields() -> set[tuple[str, str]]:
    found = set()
    for section in Settings.model_fields:
        for key, info in section_model(section).model_fields.items():
            if info.annotation is SecretStr:
                found.add((section, key))
    return found


def _is_secret(section: str, key: str, value: Any) -> bool:
    if (section, key) in _secret_fields():
        return True
    return (section, key) == ("database", "url") and masked_url(str(value)) != str(value)


class Prompter:
    """Questions on a terminal; secrets hidden. Reads plain lines when not a terminal."""

    def __init__(self, stdin: TextIO, stdout: TextIO) -> None:
        self.stdin, self.stdout = stdin, stdout

    def ask(self, question: str, default: str, *, secret: bool = False) -> str:
        shown = "" if secret or default == "" else f" [{default}]"
        prompt = f"{question}{shown}: "
        if secret and self.stdin.isatty():
            answer = getpass.getpass(prompt)
        else:
            self.stdout.write(prompt)
            self.stdout.flush()
            line = self.stdin.readline()
            if not line:
                raise ConfigError("init: input ended before every question was answered")
            answer = line.rstrip("\n")
        return answer.strip() or default

    def yes(self, question: str) -> bool:
        return self.ask(f"{question} (y/N)", "n").lower().startswith(("y", "j"))


def collect(args: argparse.Namespace, prompter: Prompter | None) -> dict[str, dict[str, Any]]:
    """The values to write, section by section, from flags and (if any) answers."""
    values: dict[str, dict[str, Any]] = {}
    enabled = {
        part: getattr(args, f"enable_{part}")
        or any(getattr(args, f"{s}__{k}") is not None for s, k, _, _ in QUESTIONS if s == part)
        for part in OPTIONAL_PARTS
    }
    asked_parts: set[str] = set()
    for section, key, _flag, question in QUESTIONS:
        given = getattr(args, f"{section}__{key}")
        if section in OPTIONAL_PARTS and not enabled[section]:
            if prompter is None or section in asked_parts:
                continue
            asked_parts.add(section)
            enabled[section] = prompter.yes(f"Use {OPTIONAL_PARTS[section]}?")
            if not enabled[section]:
                continue
        if given is None and prompter is not None:
            default = section_defaults(section)[key]
            if isinstance(default, list):
                default = ",".join(map(str, default))
            default_text = str(default)
            given = prompter.ask(question, default_text, secret=(section, key) in _secret_fields())
        if given is None:
            continue
        values.setdefault(section, {})[key] = _typed(section, key, given)
    company = values.get("company", {})
    if company and company.get("email") != section_defaults("company")["email"]:
        # The defaults are the first customer's: another company must not inherit its
        # phone number and website in letters. Empty fields are left out of letters.
        for key in ("phone", "website", "address"):
            company.setdefault(key, "")
    for part, on in enabled.items():
        if on:
            values.setdefault(part, {})["enabled"] = True
    if args.enable_metrics:
        values.setdefault("metrics", {})["enabled"] = True
    return values


def _typed(section: str, key: str, text: str) -> Any:
    if (section, key) == ("telegram", "staff_user_ids"):
        try:
            return [int(part) for part in text.replace(" ", "").split(",") if part]
        except ValueError:
            raise ConfigError(f"setting {section}.{key}: give numbers separated by commas") \
                from None
    if key in ("port", "staff_chat_id"):
        try:
            return int(text)
        except ValueError:
            raise ConfigError(f"setting {section}.{key}: must be a number") from None
    return text


def validate(values: dict[str, dict[str, Any]]) -> None:
    """Refuse to write what ``load_settings`` would refuse to read, naming the setting."""
    for section, section_values in values.items():
        try:
            section_model(section).model_validate(section_values)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join([section, *(str(p) for p in first["loc"])])
            raise ConfigError(f"setting {where}: {first['msg']}") from None


def toml_value(value: Any) -> str:
    """A TOML literal; JSON strings, numbers, booleans and flat lists are valid TOML."""
    if isinstance(value, dict):
        inner = ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items())
        return "{" + (f" {inner} " if inner else "") + "}"
    return json.dumps(value, ensure_ascii=False)


def render_config(
    values: dict[str, dict[str, Any]], *, secrets_file: str | None, secrets_env: bool
) -> str:
    """The commented main file: every key of the written sections, set or as a default."""
    lines = [
        "# privacybot configuration, written by `privacybot init`.",
        "# Every key can be overridden by PRIVACYBOT_<SECTION>__<KEY> in the environment.",
        "# Reference: docs/configuration.md. Check it with `privacybot doctor`.",
        "",
    ]
    if secrets_file:
        lines += ["[credentials]",
                  "# Passwords and the bot token are kept in this file (mode 0600).",
                  f"file = {toml_value(secrets_file)}", ""]
    for section in SECTIONS:
        model = section_model(section)
        defaults = section_defaults(section)
        doc = (model.__doc__ or "").strip().splitlines()
        lines.append(f"[{section}]")
        if doc and not doc[0].startswith(model.__name__):
            lines.append(f"# {doc[0]}")
        for key, info in model.model_fields.items():
            if info.description:
                lines += [f"# {line}" for line in textwrap.wrap(info.description, 86)]
            value = values.get(section, {}).get(key)
            if value is not None and _is_secret(section, key, value):
                where = "the credentials file" if secrets_file else (
                    f"the environment: PRIVACYBOT_{section.upper()}__{key.upper()}"
                    if secrets_env else "the credentials file"
                )
                lines.append(f"# {key}: in {where}")
            elif value is not None:
                lines.append(f"{key} = {toml_value(value)}")
            else:
                lines.append(f"# {key} = {toml_value(defaults[key])}")
        lines.append("")
    return "\n".join(lines)


def render_secrets(values: dict[str, dict[str, Any]]) -> str:
    lines = ["# privacybot credentials, written by `privacybot init`. Keep it mode 0600.", ""]
    for section in SECTIONS:
        secret = {k: v for k, v in values.get(section, {}).items() if _is_secret(section, k, v)}
        if secret:
            lines.append(f"[{section}]")
            lines += [f"{k} = {toml_value(v)}" for k, v in secret.items()]
            lines.append("")
    return "\n".join(lines)


def _write(path: Path, text: str, *, mode: int, force: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    fd = os.open(path, flags, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, mode)  # O_TRUNC keeps an existing file's mode; the umask may narrow it


def env_names(values: dict[str, dict[str, Any]]) -> list[str]:
    """The environment variables that must carry the secrets when none go to a file."""
    return [
        f"PRIVACYBOT_{section.upper()}__{key.upper()}"
        for section, section_values in values.items()
        for key, value in section_values.items()
        if _is_secret(section, key, value)
    ]


def run(
    args: argparse.Namespace,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    is_terminal: Callable[[], bool] | None = None,
) -> list[Path]:
    """Collect, validate and write; returns the files written. Raises ``ConfigError``."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = args.interactive
    if interactive is None:
        interactive = (is_terminal or stdin.isatty)()
    output = Path(args.output)
    secrets_path = Path(args.credentials_file) if args.credentials_file else output.with_name(
        output.stem + ".credentials.toml"
    )
    targets = [output] + ([secrets_path] if args.credentials == "file" else [])
    if not args.force:
        for path in targets:
            if path.exists():
                raise ConfigError(f"init: {path} exists; use --force to overwrite it")
    values = collect(args, Prompter(stdin, stdout) if interactive else None)
    validate(values)
    has_secrets = any(
        _is_secret(s, k, v) for s, section in values.items() for k, v in section.items()
    )
    written: list[Path] = []
    secrets_ref: str | None = None
    if args.credentials == "file" and has_secrets:
        try:
            secrets_ref = str(secrets_path.resolve().relative_to(output.resolve().parent))
        except ValueError:
            secrets_ref = str(secrets_path.resolve())
        _write(secrets_path, render_secrets(values), mode=0o600, force=args.force)
        written.append(secrets_path)
    text = render_config(values, secrets_file=secrets_ref, secrets_env=args.credentials == "env")
    _write(output, text, mode=0o644, force=args.force)
    written.insert(0, output)
    for path in written:
        print(f"wrote {path}", file=stdout)
    if args.credentials == "env" and has_secrets:
        print("set these in the service's environment: " + " ".join(env_names(values)),
              file=stdout)
    print(f"check it with: privacybot --config {output} doctor", file=stdout)
    return written
