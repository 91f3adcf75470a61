"""The README's pictures are drawn from the real templates; this keeps them true.

``docs/pictures/make.py`` records a hash of the page behind each picture. Drawing the
pages again (no browser needed) must give the same hashes: a template, the card or the
export that changed since fails here until the pictures are redrawn.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

PICTURES = Path(__file__).resolve().parents[1] / "docs" / "pictures"


def test_the_pictures_show_what_the_code_draws_now(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("pictures_make", PICTURES / "make.py")
    assert spec is not None and spec.loader is not None
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    built = make.pages(tmp_path)
    assert set(built) == {p.stem for p in PICTURES.glob("*.png")}
    assert make.digests(built) == make.SOURCES.read_text(encoding="utf-8"), (
        "the README's pictures are stale: run  .venv/bin/python docs/pictures/make.py"
    )
