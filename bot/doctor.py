"""``privacybot doctor``: check each configured part for real, one line each.

The operator is often not a developer, so every problem comes with a hint that names the
setting or the command that fixes it. The checks talk to the real servers (a login, a
folder, a ``getMe``), because a configuration that parses can still point at the wrong
host or carry an expired password; they never change anything: no mail is sent, no
migration is applied, no database file or folder is created.
"""

from __future__ import annotations

import os
import shutil
import smtplib
import socket
import ssl
import stat
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config import Settings, masked_url

OK, FAIL, SKIP = "ok", "FAIL", "skip"

#: Below this much free space the outbox (and, with SQLite, the database) may fill it.
MIN_FREE_BYTES = 200 * 1024 * 1024
#: More difference than this between our clock and the database's breaks deadlines.
MAX_CLOCK_SKEW = timedelta(seconds=60)
#: No clock that runs this software can honestly be earlier than this.
EARLIEST_PLAUSIBLE = date(2025, 1, 1)


@dataclass(frozen=True)
class Result:
    part: str
    status: str
    detail: str
    hint: str = ""

    def line(self) -> str:
        text = f"{self.status:<4}  {self.part:<9} {self.detail}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


@dataclass(frozen=True)
class Options:
    timeout: float = 10.0
    #: The TLS context for IMAP and the relay; tests pass one that trusts their own CA.
    ssl_context: ssl.SSLContext | None = None
    #: The configuration file in use (``--config`` or ``PRIVACYBOT_CONFIG``), if any.
    config_file: str | None = None

    def tls(self) -> ssl.SSLContext:
        return self.ssl_context or ssl.create_default_context()


Check = Callable[[Settings, Options], Result]


# --------------------------------------------------------------------------- database


def check_database(settings: Settings, options: Options) -> Result:
    """Reachable, and the schema at every migration head (what ``db upgrade`` would do)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from storage.migrate import alembic_config

    url = settings.database.url
    shown = masked_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        db_file = parsed.database or ""
        if db_file and db_file != ":memory:" and not Path(db_file).is_file():
            return Result(
                "database", FAIL, f"{shown}: the file does not exist",
                "privacybot db upgrade (or privacybot run) creates it; or fix database.url",
            )
        engine = create_engine(url)
    else:
        engine = create_engine(url, connect_args={"connect_timeout": max(1, int(options.timeout))})
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the finding
        return Result(
            "database", FAIL, f"{shown}: unreachable ({_reason(exc)})",
            "is the database server running, and are host, port, user and password in "
            "database.url right?",
        )
    finally:
        engine.dispose()
    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    if current != heads:
        missing = ", ".join(sorted(heads - current)) or "-"
        return Result(
            "database", FAIL, f"{shown}: schema not migrated (missing {missing})",
            "back up the database, then privacybot db upgrade",
        )
    revisions = ", ".join(sorted(heads))
    return Result("database", OK, f"{shown}: reachable, schema current ({revisions})")


# --------------------------------------------------------------------------- IMAP


def check_imap(settings: Settings, options: Options) -> Result:
    """Log in and open the watched folder read-only, as the watcher will."""
    imap = settings.imap
    if not imap.enabled:
        return Result("imap", SKIP, "not enabled (imap.enabled = false)")
    from imapclient import IMAPClient
    from imapclient.exceptions import IMAPClientError, LoginError

    from bot.imap_watcher import TokenError, access_token
    from bot.tls import TlsSetupError, client_context

    where = f"{imap.host}:{imap.port} ({imap.tls})"
    client: IMAPClient | None = None
    try:
        tls = options.ssl_context or client_context(imap.ca_file, setting="imap.ca_file")
    except TlsSetupError as exc:
        return Result("imap", FAIL, str(exc), "fix imap.ca_file (a PEM file)")
    try:
        client = IMAPClient(
            imap.host, port=imap.port, ssl=imap.tls == "ssl",
            ssl_context=tls if imap.tls == "ssl" else None, timeout=options.timeout,
        )
        if imap.tls == "starttls":
            client.starttls(tls)
        if imap.auth == "xoauth2":
            try:
                token = access_token(imap, timeout=options.timeout)
            except TokenError as exc:
                return Result("imap", FAIL, f"{where}: {exc}",
                              "see docs/mailbox.md for getting an access token")
            client.oauth2_login(imap.username, token)
        else:
            client.login(imap.username, imap.password.get_secret_value())
        opened: list[str] = []
        for folder in imap.watched_mailboxes():
            try:
                info = client.select_folder(folder, readonly=True)
            except IMAPClientError as exc:
                setting = "imap.mailbox" if folder == imap.mailbox else "imap.extra_mailboxes"
                return Result(
                    "imap", FAIL, f"{where}: logged in, but folder {folder!r} cannot be "
                    f"opened ({_reason(exc)})",
                    f"check {setting} (folder names are case-sensitive)",
                )
            opened.append(f"{folder} ({int(info.get(b'EXISTS', 0))} messages)")
        plural = "folders" if len(opened) > 1 else "folder"
        return Result("imap", OK, f"{where}: login ok, {plural} {', '.join(opened)}")
    except LoginError:
        return Result("imap", FAIL, f"{where}: login refused",
                      "check imap.username and imap.password")
    except ssl.SSLError as exc:
        return Result("imap", FAIL, f"{where}: TLS failed ({_reason(exc)})",
                      "check imap.tls and imap.port (993 is ssl, 143 is starttls)")
    except (OSError, IMAPClientError) as exc:
        return Result("imap", FAIL, f"{where}: unreachable ({_reason(exc)})",
                      "check imap.host, imap.port and the firewall")
    finally:
        if client is not None:
            try:
                client.logout()
            except Exception:  # noqa: BLE001 - leaving; the socket is closed either way
                client.shutdown()


# --------------------------------------------------------------------------- relay


def check_relay(settings: Settings, options: Options) -> Result:
    """Connect, secure and log in to the relay, then QUIT: nothing is sent."""
    relay = settings.relay
    if not relay.enabled:
        return Result(
            "relay", SKIP, f"not enabled: mail is written to {settings.outbox.folder}"
        )
    from bot.tls import TlsSetupError, client_context

    where = f"{relay.host}:{relay.port} ({relay.tls})"
    try:
        tls = options.ssl_context or client_context(relay.ca_file, setting="relay.ca_file")
    except TlsSetupError as exc:
        return Result("relay", FAIL, str(exc), "fix relay.ca_file (a PEM file)")
    try:
        if relay.tls == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                relay.host, relay.port, timeout=options.timeout, context=tls
            )
        else:
            client = smtplib.SMTP(relay.host, relay.port, timeout=options.timeout)
        with client:
            client.ehlo()
            if relay.tls == "starttls":
                client.starttls(context=tls)
                client.ehlo()
            if not relay.username:
                return Result("relay", OK, f"{where}: reachable, no login configured")
            client.login(relay.username, relay.password.get_secret_value())
        return Result("relay", OK, f"{where}: login ok (nothing sent)")
    except smtplib.SMTPAuthenticationError as exc:
        return Result("relay", FAIL, f"{where}: login refused ({exc.smtp_code})",
                      "check relay.username and relay.password")
    except smtplib.SMTPNotSupportedError as exc:
        return Result("relay", FAIL, f"{where}: {_reason(exc)}",
                      "check relay.tls: the relay offers no STARTTLS or no AUTH on this port")
    except ssl.SSLError as exc:
        return Result("relay", FAIL, f"{where}: TLS failed ({_reason(exc)})",
                      "check relay.tls and relay.port (465 is ssl, 587 is starttls)")
    except (OSError, smtplib.SMTPException) as exc:
        return Result("relay", FAIL, f"{where}: unreachable ({_reason(exc)})",
                      "check relay.host, relay.port and the firewall")


# --------------------------------------------------------------------------- Telegram


def check_telegram(settings: Settings, options: Options) -> Result:
    """``getMe`` proves the token, ``getChat`` that the bot is in the staff chat.

    The URL holds the token, so no error text that might quote it is ever printed.
    """
    tg = settings.telegram
    if not tg.enabled:
        return Result("telegram", SKIP, "not enabled (telegram.enabled = false)")
    import httpx

    if not tg.token.get_secret_value():
        return Result("telegram", FAIL, "no token", "set telegram.token (from @BotFather)")
    base = f"{tg.base_url}{tg.token.get_secret_value()}"
    try:
        with httpx.Client(timeout=options.timeout) as http:
            me = http.post(f"{base}/getMe")
            if me.status_code in (401, 404):
                return Result("telegram", FAIL, "the token was refused",
                              "check telegram.token (from @BotFather)")
            me.raise_for_status()
            name = me.json()["result"].get("username", "?")
            if not tg.staff_chat_id:
                return Result("telegram", FAIL, f"bot @{name} ok, but no staff chat",
                              "set telegram.staff_chat_id to the staff group's id")
            chat = http.post(f"{base}/getChat", data={"chat_id": str(tg.staff_chat_id)})
            if chat.status_code != 200:
                return Result(
                    "telegram", FAIL,
                    f"bot @{name} ok, but staff chat {tg.staff_chat_id} not reachable "
                    f"({chat.status_code})",
                    "add the bot to the staff group and check telegram.staff_chat_id "
                    "(groups have negative ids)",
                )
            title = chat.json()["result"].get("title") or "private chat"
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        return Result("telegram", FAIL, f"{tg.base_url}: unreachable ({type(exc).__name__})",
                      "check telegram.base_url and the outgoing firewall")
    return Result("telegram", OK, f"bot @{name}, staff chat {title!r}")


# --------------------------------------------------------------------------- templates


def check_templates(settings: Settings, options: Options) -> Result:
    """Every letter for every request type and language renders, with the real company.

    The environment is strict (undefined names fail), so a template edited with a typo
    fails here rather than in a letter to a customer.
    """
    from handlers import drafting, identity
    from handlers.values import REQUEST_TYPES, CaseView, Channel, Inbound

    env = drafting.make_environment(settings.company.templates_folder)
    company = settings.company_value()
    policy = settings.policy_value()
    received = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    rendered = 0
    for language in drafting.LANGUAGES:
        base = CaseView(
            ref="PR-2026-0001", labels=REQUEST_TYPES, language=language, received_at=received,
            deadline=date(2026, 4, 2), requester_name="Test Person",
            requester_address="test@example.invalid", subject="Doctor",
        )
        inbound = Inbound(
            channel=Channel.SMTP, external_id="doctor", message_id="<doctor@example.invalid>",
            sender="test@example.invalid", sender_name="Test Person", recipients=(company.email,),
            subject="Doctor", text="", quoted="", language=language,
        )
        what = f"{language} acknowledgement"
        try:
            drafting.acknowledgement(env, case=base, inbound=inbound, company=company)
            rendered += 1
            sets = [(t,) for t in REQUEST_TYPES] + [REQUEST_TYPES]
            # Unflagged, a flagged mail sender, a chat requester (asked by e-mail).
            variants = ((False, ()), (True, ()), (True, (identity.FLAG_CHAT_SENDER,)))
            for labels in sets:
                for verify, flags in variants:
                    what = f"{language} reply for {'+'.join(str(t) for t in labels)}"
                    case = replace(base, labels=labels)
                    drafting.reply(env, case=case, company=company, policy=policy,
                                   verify_identity=verify, sender_flags=flags)
                    rendered += 1
            what = f"{language} extension notice"
            drafting.extension_notice(env, case=base, company=company,
                                      new_deadline=date(2026, 6, 2), reason="doctor")
            rendered += 1
        except Exception as exc:  # noqa: BLE001 - any template error is the finding
            return Result("templates", FAIL, f"{what} does not render ({_reason(exc)})",
                          "fix the template under templates/ named in the error")
    languages = ", ".join(drafting.LANGUAGES)
    return Result("templates", OK, f"{rendered} letters render ({languages}, every type)")


# --------------------------------------------------------------------------- clock


def check_clock(settings: Settings, options: Options) -> Result:
    """Deadlines are dates in Copenhagen computed from this machine's clock.

    Time zone data must be installed (slim containers lack it), the clock must be
    plausible, and with PostgreSQL it must agree with the database server's.
    """
    from handlers.drafting import LETTER_TZ

    try:
        zone = ZoneInfo(LETTER_TZ)
    except ZoneInfoNotFoundError:
        return Result("clock", FAIL, f"time zone {LETTER_TZ} unknown",
                      "install time zone data (apt-get install tzdata, or pip install tzdata)")
    now = datetime.now(UTC)
    if now.date() < EARLIEST_PLAUSIBLE:
        return Result("clock", FAIL, f"the clock says {now:%Y-%m-%d}",
                      "set the time (timedatectl set-ntp true)")
    detail = f"{now:%Y-%m-%d %H:%M} UTC, {now.astimezone(zone):%H:%M} in {LETTER_TZ}"
    if settings.database.url.startswith("postgresql"):
        skew = _database_skew(settings.database.url, options)
        if skew is not None:
            if abs(skew) > MAX_CLOCK_SKEW:
                return Result("clock", FAIL, f"{detail}; {skew.total_seconds():+.0f} s "
                              "from the database server", "run NTP on both machines")
            detail += f"; {skew.total_seconds():+.1f} s from the database server"
    return Result("clock", OK, detail)


def _database_skew(url: str, options: Options) -> timedelta | None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, connect_args={"connect_timeout": max(1, int(options.timeout))})
    try:
        with engine.connect() as conn:
            before = datetime.now(UTC)
            theirs = conn.execute(text("SELECT now()")).scalar_one()
            after = datetime.now(UTC)
    except Exception:  # noqa: BLE001 - reachability is the database check's finding
        return None
    finally:
        engine.dispose()
    return theirs - (before + (after - before) / 2)


# --------------------------------------------------------------------------- disk


def check_outbox(settings: Settings, options: Options) -> Result:
    """The outbox folder (or where it will be made) is writable and has room."""
    folder = Path(settings.outbox.folder)
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        return Result("outbox", FAIL, f"{folder}: {existing} is not a folder",
                      "set outbox.folder to a folder path")
    try:
        with tempfile.NamedTemporaryFile(dir=existing, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Result("outbox", FAIL, f"{folder}: not writable ({exc.strerror})",
                      "give the service's user write access, or change outbox.folder")
    free = shutil.disk_usage(existing).free
    where = str(folder) if existing == folder else f"{folder} (to be created in {existing})"
    if free < MIN_FREE_BYTES:
        return Result("outbox", FAIL, f"{where}: only {_size(free)} free",
                      f"free space: at least {_size(MIN_FREE_BYTES)}")
    return Result("outbox", OK, f"{where}: writable, {_size(free)} free")


# --------------------------------------------------------------------------- secrets


def check_secrets(settings: Settings, options: Options) -> Result:
    """Secrets must not be readable by other users of the machine."""
    files: list[tuple[str, Path]] = []
    from_env = os.environ.get("PRIVACYBOT_CREDENTIALS__FILE", "")
    config = options.config_file or os.environ.get("PRIVACYBOT_CONFIG")
    if from_env or settings.credentials.file:
        path = Path(from_env or settings.credentials.file)
        if not path.is_absolute() and config and not from_env:
            path = Path(config).parent / path
        files.append(("credentials file", path))
    if config and _holds_secrets(Path(config)):
        files.append(("configuration file (holds secrets)", Path(config)))
    for what, path in files:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            continue
        if mode & 0o077:
            return Result("secrets", FAIL, f"{what} {path} has mode {mode:04o}",
                          f"chmod 600 {path}")
    if not files:
        return Result("secrets", OK, "none in files (environment or none set)")
    return Result("secrets", OK, ", ".join(f"{what} {path}: owner only" for what, path in files))


def _holds_secrets(path: Path) -> bool:
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    keys = (("imap", "password"), ("relay", "password"), ("telegram", "token"))
    if any(data.get(section, {}).get(key) for section, key in keys):
        return True
    url = str(data.get("database", {}).get("url", ""))
    return masked_url(url) != url


# --------------------------------------------------------------------------- running

CHECKS: tuple[Check, ...] = (
    check_database, check_imap, check_relay, check_telegram, check_templates, check_clock,
    check_outbox, check_secrets,
)


def run_checks(
    settings: Settings,
    *,
    options: Options | None = None,
    checks: Iterable[Check] = CHECKS,
) -> list[Result]:
    """Run every check; a check that crashes is reported as failed, never aborts the rest."""
    options = options or Options()
    results = []
    for check in checks:
        try:
            results.append(check(settings, options))
        except Exception as exc:  # noqa: BLE001 - a bug in one check must not hide the others
            part = check.__name__.removeprefix("check_")
            results.append(Result(part, FAIL, f"the check itself failed ({_reason(exc)})",
                                  "please report this with the line above"))
    return results


def report(results: list[Result], out: TextIO) -> int:
    """Print one line per part and a summary; 0 only when nothing failed."""
    for result in results:
        print(result.line(), file=out)
    failed = [r for r in results if r.status == FAIL]
    if failed:
        print(f"{len(failed)} problem{'s' if len(failed) > 1 else ''} found", file=out)
        return 1
    print("all is well", file=out)
    return 0


def _reason(exc: BaseException) -> str:
    """A short reason without addresses or tokens: the exception's first line, trimmed."""
    from bot.logs import redact

    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = redact(text)[:160]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"
