"""The container recipe builds privacybot from the files it copies; nothing may be missing.

No Docker engine runs on the test machines (``.ci/run`` builds the image only where one
does), so this test does what the recipe's ``COPY`` and ``pip install .`` do: copy exactly
the files ``docs/deploy/Dockerfile`` names into an empty folder, build the wheel from
them, and check that every file the service reads at run time is inside (templates,
migrations, the dashboard's static files), not only the Python modules.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "docs" / "deploy" / "Dockerfile"


def copied_sources() -> list[str]:
    """What the recipe's ``COPY src... dest`` lines take from the build context."""
    sources: list[str] = []
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        found = re.match(r"COPY\s+(.+)\s+\S+$", line.strip())
        if found:
            sources += found.group(1).split()
    return sources


def tracked_runtime_files(roots: list[str]) -> set[str]:
    listed = subprocess.run(
        ["git", "ls-files", *roots], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return {
        p
        for p in listed
        if Path(p).suffix in (".py", ".j2", ".ini", ".mako", ".css", ".js", ".svg", ".png", ".ico")
    }


def test_the_wheel_built_from_the_recipes_files_holds_everything_the_service_reads(
    tmp_path: Path,
) -> None:
    sources = copied_sources()
    assert {"pyproject.toml", "bot", "handlers", "storage", "templates"} <= set(sources)
    context = tmp_path / "context"
    context.mkdir()
    for name in sources:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(
                path, context / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        else:
            shutil.copy2(path, context / name)
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path / "wheel"),
            str(context),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = (tmp_path / "wheel").glob("privacybot-*.whl")
    inside = set(zipfile.ZipFile(wheel).namelist())
    wanted = tracked_runtime_files([s for s in sources if (ROOT / s).is_dir()])
    assert any(p.endswith(".j2") for p in wanted) and any(
        "migrations/versions" in p for p in wanted
    )
    missing = sorted(wanted - inside)
    assert missing == [], f"the image would lack {missing}"
