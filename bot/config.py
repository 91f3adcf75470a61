"""One validated configuration for the whole service.

Sources, strongest first: ``PRIVACYBOT_<SECTION>__<KEY>`` environment variables, the TOML
file (``--config`` or ``PRIVACYBOT_CONFIG``), then the embedded defaults, which run the
whole service on one machine with nothing to set up. Nothing is read at import time:
``load_settings()`` builds the value, so tests and several workers never share state.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from handlers.values import Company, Policy


class ConfigError(Exception):
    """A setting is wrong; the message names the setting and what is wrong, on one line."""


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

    @field_validator("url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        if not (value.startswith("sqlite:") or value.startswith("postgresql+psycopg://")):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return value


class SmtpListenerSettings(BaseModel):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(8025, ge=0, le=65535)
    max_message_bytes: int = Field(
        25 * 1024 * 1024, gt=0, description="Larger mail is refused with 552."
    )
    accept_all_recipients: bool = Field(
        True,
        description="Accept mail for any recipient; false accepts only company.email "
        "and postmaster.",
    )


class ImapSettings(BaseModel):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(993, ge=1, le=65535)
    tls: Literal["ssl", "starttls", "none"] = "ssl"
    username: str = ""
    password: SecretStr = SecretStr("")
    mailbox: str = "INBOX"
    processed_action: Literal["flag", "move", "none"] = "flag"
    processed_folder: str = "privacybot"


class RelaySettings(BaseModel):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(587, ge=1, le=65535)
    tls: Literal["ssl", "starttls", "none"] = "starttls"
    username: str = ""
    password: SecretStr = SecretStr("")


class OutboxSettings(BaseModel):
    folder: Path = Field(Path("data/outbox"), description="Where .eml files are written.")
    max_attempts: int = Field(8, ge=1)


class TelegramSettings(BaseModel):
    enabled: bool = False
    token: SecretStr = SecretStr("")
    staff_chat_id: int = 0
    staff_user_ids: list[int] = Field(default_factory=list)
    base_url: str = "https://api.telegram.org/bot"


class PolicySettings(BaseModel):
    retention_years: int = Field(2, ge=0)
    extended_retention_years: int = Field(10, ge=0)
    access_requires_signed_letter: bool = True
    acks_per_sender_per_day: int = Field(3, ge=0)
    message_retention_days: int = Field(
        3 * 365, ge=1, description="How long mail that opened no case is kept before purge."
    )


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

    _toml_file: ClassVar[Path | None] = None

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
            message_retention_days=p.message_retention_days,
        )

    def masked(self) -> dict[str, Any]:
        """The effective configuration with every secret replaced by ``***``."""
        data = self.model_dump(mode="json")
        for section, key in (("imap", "password"), ("relay", "password"), ("telegram", "token")):
            if data[section][key]:
                data[section][key] = "***"
        return data


def load_settings(config_file: str | os.PathLike[str] | None = None) -> Settings:
    """Build the settings from file and environment, or raise ``ConfigError`` (one line)."""
    path = config_file or os.environ.get("PRIVACYBOT_CONFIG") or None
    toml_path: Path | None = None
    if path:
        toml_path = Path(path)
        if not toml_path.is_file():
            raise ConfigError(f"configuration file {toml_path} does not exist")
        try:
            with toml_path.open("rb") as fh:
                tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"configuration file {toml_path} is not valid TOML: {exc}") from exc

    class _FileSettings(Settings):
        _toml_file: ClassVar[Path | None] = toml_path

    try:
        loaded = _FileSettings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"setting {where}: {first['msg']}") from None
    return loaded
