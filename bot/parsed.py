"""Mail the adapters parsed a moment ago, so the pipeline does not parse it a second time.

The SMTP listener (and the importer and IMAP watcher) run ``normalise.parse`` to store
the sender, subject and text with the raw mail; the pipeline then needs the same
``Inbound`` again to decide. ``normalise.parse`` is pure, so its result for the same raw
bytes, channel and external id is the same value: this in-process cache hands it over
instead of parsing again (issue 9: the second parse was about a quarter of the
pipeline's time).

It is only a shortcut. Whatever is not found here (another process stored the mail, the
service restarted, the entry expired or the cache was full) is parsed from the stored
raw bytes as before, and an entry is used only when the stored row has exactly the raw
bytes, channel and external id it was parsed from. Entries are taken out when used,
are dropped after ``MAX_AGE`` seconds, and the cache refuses new ones beyond
``MAX_ENTRIES`` or ``MAX_BYTES`` of raw mail, so it never grows with a backlog.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from handlers.values import Inbound

MAX_ENTRIES = 4096
MAX_BYTES = 32 * 2**20
MAX_AGE = 600.0

_lock = threading.Lock()
#: external id -> (monotonic time put, channel value, raw bytes, parsed value)
_entries: OrderedDict[str, tuple[float, str, bytes, Inbound]] = OrderedDict()
_bytes = 0


def put(inbound: Inbound, raw: bytes) -> None:
    """Remember what ``normalise.parse(raw, inbound.channel, external_id=...)`` gave."""
    global _bytes
    now = time.monotonic()
    with _lock:
        _expire(now)
        if len(_entries) >= MAX_ENTRIES or _bytes + len(raw) > MAX_BYTES:
            return
        old = _entries.pop(inbound.external_id, None)
        if old is not None:
            _bytes -= len(old[2])
        _entries[inbound.external_id] = (now, str(inbound.channel.value), raw, inbound)
        _bytes += len(raw)


def take(external_id: str, channel: str, raw: bytes) -> Inbound | None:
    """The parsed value of exactly this mail, once; None when it is not held."""
    global _bytes
    with _lock:
        entry = _entries.pop(external_id, None)
        if entry is None:
            return None
        _bytes -= len(entry[2])
    _, held_channel, held_raw, inbound = entry
    if held_channel != channel or held_raw != raw:
        return None
    return inbound


def clear() -> None:
    global _bytes
    with _lock:
        _entries.clear()
        _bytes = 0


def _expire(now: float) -> None:
    global _bytes
    while _entries:
        key, (put_at, _, raw, _) = next(iter(_entries.items()))
        if now - put_at <= MAX_AGE:
            return
        del _entries[key]
        _bytes -= len(raw)
