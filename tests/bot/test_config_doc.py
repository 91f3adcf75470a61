"""docs/configuration.md is generated from the settings model and must match it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import config_doc
from bot.config import Settings


def test_the_committed_reference_matches_the_settings_model() -> None:
    committed = config_doc.DOC.read_text(encoding="utf-8")
    assert committed == config_doc.render(), (
        "docs/configuration.md is stale: run  .venv/bin/python -m bot.config_doc"
    )


def test_every_section_and_key_is_in_the_reference() -> None:
    text = config_doc.render()
    for section, info in Settings.model_fields.items():
        assert f"## `[{section}]`" in text
        for key in info.annotation.model_fields:  # type: ignore[union-attr]
            assert f"`PRIVACYBOT_{section.upper()}__{key.upper()}`" in text


DEPLOY = config_doc.DOC.parent / "deploy"


def _settings_names() -> set[str]:
    return {
        f"PRIVACYBOT_{section.upper()}__{key.upper()}"
        for section, info in Settings.model_fields.items()
        for key in info.annotation.model_fields  # type: ignore[union-attr]
    } | {"PRIVACYBOT_CONFIG"}


def test_deployment_files_name_only_settings_that_exist() -> None:
    for name in ("privacybot.service", "Dockerfile"):
        text = (DEPLOY / name).read_text(encoding="utf-8")
        used = set(re.findall(r"PRIVACYBOT_[A-Z_]+", text))
        assert used and used <= _settings_names(), (name, used - _settings_names())


def test_the_systemd_unit_is_hardened() -> None:
    unit = (DEPLOY / "privacybot.service").read_text(encoding="utf-8")
    for line in (
        "DynamicUser=yes",
        "ProtectSystem=strict",
        "StateDirectory=privacybot",
        "NoNewPrivileges=yes",
        "ProtectHome=yes",
        "LoadCredential=credentials.toml:",
    ):
        assert line in unit


def test_systemd_accepts_the_unit_and_rates_its_exposure_low(tmp_path: Path) -> None:
    """systemd's own checks, offline: no directive it would ignore, and the exposure
    ``systemd-analyze security`` gives (0 = locked down, 10 = exposed) is low."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    executable = Path(sys.executable).with_name("privacybot")
    unit = tmp_path / "privacybot.service"
    unit.write_text(
        (DEPLOY / "privacybot.service")
        .read_text(encoding="utf-8")
        .replace("/opt/privacybot/.venv/bin/privacybot", str(executable)),
        encoding="utf-8",
    )
    verify = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=120
    )
    ours = [
        line
        for line in (verify.stdout + verify.stderr).splitlines()
        if str(unit) in line or line.startswith("privacybot.service")
    ]
    assert verify.returncode == 0 and ours == [], ours
    security = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", "--no-pager", str(unit)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = re.search(r"Overall exposure level for privacybot\.service: ([\d.]+)", security.stdout)
    assert found, security.stdout[-2000:] + security.stderr
    assert float(found.group(1)) < 2.0, security.stdout
