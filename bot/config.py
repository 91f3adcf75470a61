"""One validated configuration for the whole service.

Sources, strongest first: ``PRIVACYBOT_<SECTION>__<KEY>`` environment variables, the TOML
file (``--config`` or ``PRIVACYBOT_CONFIG``), then the embedded defaults, which run the
whole service on one machine with nothing to set up. Nothing is read at import time:
``load_settings()`` builds the value, so tests and several workers never share state.
"""

from __future__ import annotations

import contextlib
import os
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from handlers.values import Company, Policy


class ConfigError(Exception):
    """A setting is wrong; the message names the setting and what is wrong, on one line."""


#: How long a secret's command (``imap.password_command``, ...) may take.
SECRET_COMMAND_TIMEOUT = 30.0


def secret_from_command(command: str, *, setting: str,
                        timeout: float = SECRET_COMMAND_TIMEOUT) -> SecretStr:
    """The first line a password manager's command prints (``pass show privacybot/imap``).

    So a password need not sit in any file privacybot reads: the operator's keyring, a
    vault agent or ``systemd-creds`` hands it over at start. The first line, as msmtp's
    ``passwordeval`` and mbsync's ``PassCmd`` take it, because ``pass`` prints notes
    below. The command's stderr goes to privacybot's stderr for the operator; its output
    is never shown, and errors name the setting and the exit status only.
    """
    import shlex
    import subprocess

    try:
        done = subprocess.run(  # noqa: S602 - the operator's own configured command
            command, shell=True, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired:
        raise ValueError(f"{setting} did not finish within {timeout:g} s") from None
    except OSError as exc:
        raise ValueError(f"{setting} could not run ({exc.strerror})") from None
    if done.returncode != 0:
        words = shlex.split(command) or [command]
        raise ValueError(f"{setting} {words[0]!r} exited with status {done.returncode}")
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    if not lines or not lines[0]:
        raise ValueError(f"{setting} printed nothing on its first line")
    return SecretStr(lines[0])


class CompanySettings(BaseModel):
    name: str = Field("ALOTTbetter ApS", description="The controller's name, as letters sign it.")
    email: str = Field(
        "info@alottbetter.dk",
        description="The info@ address; acknowledgements and replies come from it.",
    )
    phone: str = Field("52119707", description="Phone number shown in letters.")
    website: str = Field("www.alottbetter.dk", description="Website shown in letters.")
    address: str = Field("", description="Postal address shown in letters (may be empty).")
    default_language: Literal["da", "en"] = Field(
        "da", description="Language for senders whose language is neither Danish nor English."
    )
    templates_folder: Path | None = Field(
        None,
        description="The company's own letters: a file here (same path as under templates/, "
        "e.g. da/reply/erasure.j2) replaces the built-in one; `privacybot doctor` renders them.",
    )

    @field_validator("templates_folder")
    @classmethod
    def _templates_folder_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError(f"{value} is not a folder")
        return value

    @field_validator("email")
    @classmethod
    def _email_has_domain(cls, value: str) -> str:
        local, _, domain = value.rpartition("@")
        if not local or "." not in domain:
            raise ValueError("must be an address such as info@example.com")
        return value.lower()


class DatabaseSettings(BaseModel):
    url: str = Field(
        "sqlite:///data/privacybot.db",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db.",
    )
    busy_timeout_seconds: float = Field(
        10.0,
        gt=0,
        description="How long a SQLite write waits for a lock before giving up; the SMTP "
        "listener then answers 451 and the sending server retries.",
    )

    @field_validator("url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        if not (value.startswith("sqlite:") or value.startswith("postgresql+psycopg://")):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return value


class SmtpListenerSettings(BaseModel):
    enabled: bool = Field(True, description="Receive mail by SMTP (the embedded default).")
    host: str = Field(
        "127.0.0.1", description="Address the listener binds to; loopback keeps it private."
    )
    port: int = Field(8025, ge=0, le=65535, description="Listener port (0 picks a free one).")
    max_message_bytes: int = Field(
        25 * 1024 * 1024, gt=0, description="Larger mail is refused with 552."
    )
    accept_all_recipients: bool = Field(
        True,
        description="Accept mail for any recipient; false accepts only company.email "
        "and postmaster.",
    )


class ImapSettings(BaseModel):
    enabled: bool = Field(False, description="Watch a mailbox by IMAP (IDLE) for new mail.")
    host: str = Field("127.0.0.1", description="IMAP server name.")
    port: int = Field(993, ge=1, le=65535, description="IMAP port: 993 for ssl, 143 otherwise.")
    tls: Literal["ssl", "starttls", "none"] = Field(
        "ssl", description="ssl (implicit TLS), starttls, or none (loopback only)."
    )
    username: str = Field("", description="IMAP login name.")
    password: SecretStr = Field(
        SecretStr(""), description="IMAP password; keep it in the credentials file or environment."
    )
    password_command: str = Field(
        "",
        description="A shell command that prints the IMAP password on its first line (a "
        "password manager: pass show privacybot/imap); run at start when password is "
        "not set.",
    )
    mailbox: str = Field("INBOX", description="Folder that is watched.")
    extra_mailboxes: list[str] = Field(
        default_factory=list,
        description="More folders of the same account to watch as well, e.g. "
        "[\"Privacy\", \"INBOX/GDPR\"]; each gets its own connection and cursor (IDLE "
        "watches one folder per connection).",
    )
    processed_action: Literal["flag", "move", "none"] = Field(
        "flag", description="What happens to a stored mail: flag it, move it, or nothing."
    )
    processed_folder: str = Field(
        "privacybot", description="Folder processed mail is moved to (processed_action=move)."
    )
    ca_file: str = Field(
        "",
        description="PEM file of the CA (or self-signed certificate) to trust for this "
        "server instead of the system's; certificates are always checked.",
    )
    auth: Literal["password", "xoauth2"] = Field(
        "password",
        description="password (LOGIN), or xoauth2 for Microsoft 365 and Google Workspace "
        "where basic auth is switched off (see docs/mailbox.md).",
    )
    oauth2_token_command: str = Field(
        "",
        description="auth=xoauth2: a shell command that prints a current access token; run "
        "at every login, so it can refresh the token.",
    )
    oauth2_token_file: str = Field(
        "",
        description="auth=xoauth2: a file holding a current access token, kept fresh by "
        "another program; read at every login.",
    )
    idle_renew_seconds: float = Field(
        300.0,
        ge=10,
        le=600,
        description="IDLE is ended and re-issued this often, at most every 10 minutes: a "
        "dead connection looks like a quiet one, and servers and firewalls drop idle "
        "clients well before RFC 2177's 29 minutes.",
    )
    poll_seconds: float = Field(
        30.0, gt=0, description="Interval between checks on servers that offer no IDLE."
    )
    since: date | None = Field(
        None,
        description="Mail the server received (INTERNALDATE) before this date is stored and "
        "opens cases, but gets no acknowledgement. Unset: the moment of the very first "
        "start (no cursor yet), so an old mailbox is taken in without writing to anyone.",
    )

    @model_validator(mode="after")
    def _token_source(self) -> ImapSettings:
        if self.auth == "xoauth2" and not (self.oauth2_token_command or self.oauth2_token_file):
            raise ValueError("auth = xoauth2 needs oauth2_token_command or oauth2_token_file")
        if self.enabled and self.password_command and not self.password.get_secret_value():
            self.password = secret_from_command(self.password_command,
                                                setting="imap.password_command")
        return self

    @model_validator(mode="after")
    def _watched_folders(self) -> ImapSettings:
        if any(not name.strip() for name in [self.mailbox, *self.extra_mailboxes]):
            raise ValueError("mailbox and extra_mailboxes must not name an empty folder")
        if self.processed_action == "move" and self.processed_folder in self.watched_mailboxes():
            # Mail moved there would be taken again, then moved onto itself, forever.
            raise ValueError(
                f"processed_folder {self.processed_folder!r} is also watched; "
                "processed mail must go to a folder that is not"
            )
        return self

    def watched_mailboxes(self) -> list[str]:
        """Every folder watched, ``mailbox`` first, each once."""
        return list(dict.fromkeys([self.mailbox, *self.extra_mailboxes]))


class RelaySettings(BaseModel):
    enabled: bool = Field(
        False, description="Send through an SMTP relay; false writes .eml files to outbox.folder."
    )
    host: str = Field("127.0.0.1", description="SMTP relay (submission) server name.")
    port: int = Field(587, ge=1, le=65535, description="Relay port: 587 starttls, 465 ssl.")
    tls: Literal["ssl", "starttls", "none"] = Field(
        "starttls", description="ssl (implicit TLS), starttls, or none (loopback only)."
    )
    username: str = Field("", description="Relay login name; empty sends without AUTH.")
    password: SecretStr = Field(
        SecretStr(""), description="Relay password; keep it in the credentials file or environment."
    )
    password_command: str = Field(
        "",
        description="A shell command that prints the relay password on its first line; run "
        "at start when password is not set.",
    )
    ca_file: str = Field(
        "",
        description="PEM file of the CA (or self-signed certificate) to trust for the relay "
        "instead of the system's; certificates are always checked.",
    )

    @model_validator(mode="after")
    def _password_source(self) -> RelaySettings:
        if self.enabled and self.password_command and not self.password.get_secret_value():
            self.password = secret_from_command(self.password_command,
                                                setting="relay.password_command")
        return self


class OutboxSettings(BaseModel):
    folder: Path = Field(Path("data/outbox"), description="Where .eml files are written.")
    retry_hours: float = Field(
        120.0,
        gt=0,
        description="How long a temporary failure (relay or Telegram unreachable, 4xx) is "
        "retried before the item is marked failed; 5 days, as Postfix keeps mail queued.",
    )
    max_attempts: int | None = Field(
        None,
        ge=1,
        description="Optionally also give up after this many attempts (none: only "
        "retry_hours counts, so a long outage loses nothing).",
    )
    send_timeout_seconds: float = Field(
        30.0, gt=0, description="Per-message limit on one relay conversation."
    )


class ServiceSettings(BaseModel):
    shutdown_seconds: float = Field(
        10.0,
        gt=0,
        description="After SIGTERM: how long in-flight work may take before it is abandoned "
        "(it is transactional, so a restart takes it up again).",
    )
    claim_lease_seconds: float = Field(
        300.0,
        ge=1,
        description="Several workers (PostgreSQL): a message or outbox item claimed by a "
        "worker that died is taken over by another after this long. A live worker renews "
        "its claim before each item, so it only has to exceed the time one item takes.",
    )


class TelegramSettings(BaseModel):
    enabled: bool = Field(False, description="Staff chat (and customer chat) by Telegram.")
    token: SecretStr = Field(
        SecretStr(""), description="Bot token from @BotFather; keep it out of the main file."
    )
    token_command: str = Field(
        "",
        description="A shell command that prints the bot token on its first line; run at "
        "start when token is not set.",
    )
    staff_chat_id: int = Field(0, description="Chat id of the staff group that sees cases.")
    staff_user_ids: list[int] = Field(
        default_factory=list, description="Telegram user ids allowed to approve and reject."
    )
    base_url: str = Field(
        "https://api.telegram.org/bot", description="Bot API URL (a local Bot API server)."
    )
    base_file_url: str = Field(
        "", description="Bot API file URL; empty derives it from base_url (…/bot → …/file/bot)."
    )
    poll_timeout: int = Field(
        10, ge=0, le=50, description="Seconds a getUpdates long poll waits for news."
    )
    customer_chat: bool = Field(
        True, description="Private messages to the bot open cases like mail does."
    )
    reminder_days_before: list[int] = Field(
        default_factory=lambda: [7, 2],
        description="Remind staff of unanswered cases this many days before the deadline.",
    )
    reminder_hour: int = Field(
        9, ge=0, le=23, description="Local hour (Europe/Copenhagen) from which reminders go out."
    )
    reminder_overdue_working_days: bool = Field(
        True, description="Remind every working day once a case is overdue."
    )
    reminder_check_seconds: float = Field(
        300.0, gt=0, description="How often the elected worker looks for reminders due."
    )

    @model_validator(mode="after")
    def _token_source(self) -> TelegramSettings:
        if self.enabled and self.token_command and not self.token.get_secret_value():
            self.token = secret_from_command(self.token_command,
                                             setting="telegram.token_command")
        return self


class PolicySettings(BaseModel):
    retention_years: int = Field(
        2, ge=0, description="Years a closed case is kept (policy/RULES.md)."
    )
    extended_retention_years: int = Field(
        10, ge=0, description="Years a case under an extended retention rule is kept."
    )
    access_requires_signed_letter: bool = Field(
        True, description="Access requests are answered only against a signed letter."
    )
    acks_per_sender_per_day: int = Field(
        3, ge=0, description="Acknowledgements one sender can get per day (loop protection)."
    )
    acks_per_hour_global: int = Field(
        100,
        ge=0,
        description="More acknowledgements than this in one hour pause them all and alert "
        "staff: a flood or a loop the per-sender limit cannot see (rotating addresses).",
    )
    message_retention_days: int = Field(
        3 * 365, ge=1, description="How long mail that opened no case is kept before purge."
    )
    trusted_authserv_id: str = Field(
        "",
        description="authserv-id of our own receiving mail server; only its "
        "Authentication-Results headers are believed. Empty trusts none.",
    )
    verify_flagged_senders: bool = Field(
        True,
        description="Access and erasure drafts for a sender who failed authentication, is "
        "not in the customer directory or wrote by chat ask for proof of identity (by "
        "e-mail, for chat) instead of acting.",
    )
    purge_every_hours: float = Field(
        24.0, gt=0, description="How often the service runs the retention purge."
    )


class MetricsSettings(BaseModel):
    enabled: bool = Field(
        False, description="Serve /healthz and /metrics (Prometheus text format) over HTTP."
    )
    host: str = Field(
        "127.0.0.1",
        description="Address the endpoint binds to; keep it on loopback and let a reverse "
        "proxy or the Prometheus agent on the same machine reach it.",
    )
    port: int = Field(9108, ge=0, le=65535, description="Endpoint port (0 picks a free one).")


class WebSettings(BaseModel):
    """The staff web dashboard (bot/web, docs/web.md)."""

    enabled: bool = Field(
        False, description="Serve the staff web dashboard from the running service."
    )
    host: str = Field(
        "127.0.0.1",
        description="Address the dashboard binds to; keep it on loopback behind a TLS "
        "reverse proxy.",
    )
    port: int = Field(8080, ge=0, le=65535, description="Dashboard port (0 picks a free one).")
    users: dict[str, str] = Field(
        default_factory=dict,
        description="Staff who may log in: name = argon2 hash, as printed by "
        "`privacybot web adduser NAME`; keep them in the credentials file.",
    )
    session_secret: SecretStr = Field(
        SecretStr(""),
        description="Key that signs session cookies (32+ random characters; credentials "
        "file or environment). Empty: a random key per start, so a restart logs everyone out.",
    )
    session_hours: float = Field(
        8.0, gt=0, description="A login lasts this long, then the password is asked again."
    )
    cookie_secure: bool = Field(
        True,
        description="Mark cookies Secure (sent over HTTPS only; browsers also send them to "
        "http://localhost). Turn off only for plain HTTP on a trusted network.",
    )
    trusted_proxy_header: str = Field(
        "",
        description="A header set by the reverse proxy that already logged the person in "
        "(e.g. X-Remote-User), taken as the staff name if it is one of [web.users]. Only "
        "with a proxy in front: "
        "anyone who reaches the port directly could send it. Empty: password login only.",
    )
    login_attempts: int = Field(
        5, ge=1, description="Failed logins per user name, and per address, within "
        "login_window_minutes before further attempts are refused."
    )
    login_window_minutes: float = Field(
        15.0, gt=0, description="Window for login_attempts."
    )


class LoggingSettings(BaseModel):
    format: Literal["text", "json"] = Field(
        "text", description="text for people, json for one JSON object per line (journald, Loki)."
    )
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Level for every part that has no level of its own."
    )
    levels: dict[str, Literal["DEBUG", "INFO", "WARNING", "ERROR"]] = Field(
        default_factory=dict,
        description="Levels per part, e.g. {inbound = \"DEBUG\", outbox = \"WARNING\"}; a "
        "part is a logger under privacybot. (inbound, inbound.imap, cases, outbox, chat, "
        "service) or a library (httpx, alembic, sqlalchemy.engine, mail.log).",
    )


class CredentialsSettings(BaseModel):
    file: str = Field(
        "",
        description="A TOML file with the secret keys (imap.password, relay.password, "
        "telegram.token, database.url), same sections as this file, mode 0600. It is read "
        "after this file and before the environment; a relative path is relative to this "
        "file's folder. PRIVACYBOT_CREDENTIALS__FILE names it too.",
    )


class ClassifierSettings(BaseModel):
    """The request classifier (docs/classifier.md)."""

    extra_phrases: dict[str, dict[str, list[str]]] = Field(
        default_factory=dict,
        description="Company-specific phrases that mark a request, per request type and "
        "language, added to the built-in rules, e.g. {erasure = {da = [\"glem mig\"]}, "
        "consent_withdrawal = {en = [\"leave the alumni list\"]}}. Literal words, any case; "
        "a * ends a word with any ending (\"slet* min bruger\"). Negation and sentence "
        "checks apply as to the built-in rules.",
    )

    model: bool = Field(
        True,
        description="Ask the trained statistical model (handlers/model.py) about every "
        "mail: a request only it sees opens its case in triage, for staff to confirm; a "
        "rules' request it is sure is ordinary mail is kept as not_privacy:uncertain; a "
        "complaint or third party the rules missed is added. false: rules only.",
    )

    triage_below: float = Field(
        0.65,
        ge=0.0,
        le=1.0,
        description="A request classified with a lower confidence opens its case in "
        "triage, with the classifier's best guess and no acknowledgement, for staff to "
        "decide; ordinary mail below it is marked uncertain (rule not_privacy:uncertain).",
    )

    @field_validator("extra_phrases")
    @classmethod
    def _known_types(
        cls, value: dict[str, dict[str, list[str]]]
    ) -> dict[str, dict[str, list[str]]]:
        from handlers.classify import compile_phrases

        compile_phrases(value)  # raises ValueError naming an unknown type or empty phrase
        return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PRIVACYBOT_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    company: CompanySettings = CompanySettings()
    database: DatabaseSettings = DatabaseSettings()
    smtp_listener: SmtpListenerSettings = SmtpListenerSettings()
    imap: ImapSettings = ImapSettings()
    relay: RelaySettings = RelaySettings()
    outbox: OutboxSettings = OutboxSettings()
    telegram: TelegramSettings = TelegramSettings()
    policy: PolicySettings = PolicySettings()
    service: ServiceSettings = ServiceSettings()
    metrics: MetricsSettings = MetricsSettings()
    web: WebSettings = WebSettings()
    logging: LoggingSettings = LoggingSettings()
    credentials: CredentialsSettings = CredentialsSettings()
    classifier: ClassifierSettings = ClassifierSettings()

    _toml_file: ClassVar[Path | None] = None
    _secrets_file: ClassVar[Path | None] = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if cls._secrets_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=cls._secrets_file))
        if cls._toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=cls._toml_file))
        return tuple(sources)

    def company_value(self) -> Company:
        c = self.company
        return Company(
            name=c.name,
            email=c.email,
            phone=c.phone,
            website=c.website,
            address=c.address,
            default_language=c.default_language,
        )

    def policy_value(self) -> Policy:
        p = self.policy
        return Policy(
            retention_years=p.retention_years,
            extended_retention_years=p.extended_retention_years,
            access_requires_signed_letter=p.access_requires_signed_letter,
            acks_per_sender_per_day=p.acks_per_sender_per_day,
            acks_per_hour_global=p.acks_per_hour_global,
            message_retention_days=p.message_retention_days,
        )

    def masked(self) -> dict[str, Any]:
        """The effective configuration with every secret replaced by ``***``."""
        data = self.model_dump(mode="json")
        for section, key in (("imap", "password"), ("relay", "password"), ("telegram", "token")):
            if data[section][key]:
                data[section][key] = "***"
        data["database"]["url"] = masked_url(data["database"]["url"])
        if data["web"]["session_secret"]:
            data["web"]["session_secret"] = "***"
        data["web"]["users"] = {name: "***" for name in data["web"]["users"]}
        return data


def secret_values(settings: Settings) -> list[str]:
    """Every secret the settings hold, for the log redactor (``bot.logs.hide_secrets``)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    values = [settings.imap.password.get_secret_value(),
              settings.relay.password.get_secret_value(),
              settings.telegram.token.get_secret_value(),
              settings.web.session_secret.get_secret_value()]
    with contextlib.suppress(ArgumentError):
        values.append(make_url(settings.database.url).password or "")
    return [v for v in values if v]


def masked_url(url: str) -> str:
    """A database URL with its password (if any) replaced by ``***``."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def load_settings(config_file: str | os.PathLike[str] | None = None) -> Settings:
    """Build the settings from file and environment, or raise ``ConfigError`` (one line)."""
    path = config_file or os.environ.get("PRIVACYBOT_CONFIG") or None
    toml_path: Path | None = None
    if path:
        toml_path = Path(path)
        if not toml_path.is_file():
            raise ConfigError(f"configuration file {toml_path} does not exist")
        _read_toml(toml_path, what="configuration file")

    secrets_path = _secrets_path(toml_path)

    class _FileSettings(Settings):
        _toml_file: ClassVar[Path | None] = toml_path
        _secrets_file: ClassVar[Path | None] = secrets_path

    try:
        loaded = _FileSettings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"setting {where}: {first['msg']}") from None
    return loaded


def _read_toml(path: Path, *, what: str) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{what} {path} is not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{what} {path} cannot be read: {exc.strerror}") from exc


def _secrets_path(toml_path: Path | None) -> Path | None:
    """Where the credentials file is, if one is named, checked to exist and parse.

    The environment names it as ``PRIVACYBOT_CREDENTIALS__FILE`` (relative to the working
    folder), the main file as ``[credentials] file`` (relative to that file's folder, so a
    configuration folder can be moved as a whole). "Credentials", not "secrets", matches
    systemd's ``LoadCredential`` that hands the file over.
    """
    named = os.environ.get("PRIVACYBOT_CREDENTIALS__FILE", "")
    base = Path.cwd()
    if not named and toml_path is not None:
        section = _read_toml(toml_path, what="configuration file").get("credentials", {})
        named = section.get("file", "") if isinstance(section, dict) else ""
        base = toml_path.parent
    if not named:
        return None
    path = Path(named)
    if not path.is_absolute():
        path = base / path
    if not path.is_file():
        raise ConfigError(f"setting credentials.file: {path} does not exist")
    data = _read_toml(path, what="credentials file")
    if "credentials" in data:
        raise ConfigError(f"credentials file {path} must not name another one")
    return path
