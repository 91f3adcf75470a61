"""Progress bars for long-running commands: rate and ETA on a terminal, silence otherwise.

``privacybot import``, ``privacybot purge`` and ``python -m bench`` share this, so that a
person at a terminal sees how far a long run is and when it will end, while cron, CI and
pipes get nothing but the command's own summary. The bar goes to standard error, so
standard output stays the command's result; it never carries personal data (counts only).
"""

from __future__ import annotations

import shutil
import sys
from typing import IO, Any


def shown(stream: IO[str] | None = None) -> bool:
    """Whether a bar belongs on ``stream`` (standard error by default): a terminal only."""
    target = sys.stderr if stream is None else stream
    try:
        return target.isatty()
    except (AttributeError, ValueError):  # a closed or odd stream: no bar
        return False


def bar(
    desc: str,
    *,
    total: int | None,
    unit: str = "it",
    unit_scale: bool = False,
    show: bool | None = None,
    file: IO[str] | None = None,
) -> Any:
    """A ``tqdm`` bar, disabled (a no-op) unless ``show`` or, when None, on a terminal."""
    from tqdm import tqdm  # imported here: only the long-running commands need it

    stream = sys.stderr if file is None else file
    screen = shutil.get_terminal_size((100, 24))
    return tqdm(
        total=total, unit=unit, unit_scale=unit_scale, file=stream, desc=desc,
        disable=not (shown(stream) if show is None else show), smoothing=0.1,
        # A terminal that reports no size (a fresh pty, ``script``, some CI shells) gets
        # no bar at all from tqdm: fall back to 100 x 24.
        ncols=screen.columns or 100, nrows=screen.lines or 24,
    )
