"""``privacybot import PATH``: take a mailbox export in through the same path as live mail.

Contract:

- PATH is an mbox file or a Maildir folder (``cur``/``new``/``tmp``). The mbox is read as
  a stream, one message at a time, so memory stays at the size of the largest mail
  whatever the size of the export; a Maildir is read file by file.
- Every message is stored as ``smtp_listener.store_mail`` stores live mail (channel
  ``import``), deduplicated by Message-ID (or, without one, by a hash of the bytes): an
  import that was interrupted is resumed by running it again, and a mail that also came
  in live is not taken twice. Messages are stored ``DECIDE_EVERY`` to a transaction, each
  in its own savepoint (a duplicate does not undo the others), so an interruption loses
  at most that batch, which the next run takes. One transaction per message cost about
  a tenth of the import's CPU in session and commit work (issue 9, docs/PERFORMANCE.md).
- The stored mail is then decided by the pipeline, as live mail is: cases, drafts and
  audit events are written. Mail received before the cut-off (``--ack-after``; by
  default all of it) is stored *quiet*: it opens its case without an acknowledgement,
  because its senders wrote long ago. Acknowledgements that are due go out with the
  running service's outbox worker (or the next ``privacybot run``).
- When a mail was received is, in this order: the mbox ``From_`` line (the receiving
  server's delivery time), the ``Date`` header, then for Maildir the file's time; it is
  never later than now. A mail whose date cannot be read at all is always quiet.
- Output: a progress bar with rate and ETA on a terminal, nothing but the final summary
  otherwise (cron, CI, a pipe). Nothing personal is printed or logged.
"""

from __future__ import annotations

import email.utils
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path
from typing import IO

from bot import pipeline
from bot.imap_watcher import start_of_day
from bot.progress import bar as progress_bar
from bot.runtime import Runtime
from bot.smtp_listener import external_id_for, insert_parsed
from handlers import normalise
from handlers.values import Channel
from storage import queries
from storage.engine import is_postgres, unit_of_work

log = logging.getLogger("privacybot.inbound.import")

#: Messages stored in one transaction, and between two rounds of deciding: small enough
#: that an interruption loses and leaves undecided little, large enough that the session
#: and commit work is shared and the pipeline works in batches.
DECIDE_EVERY = 50
#: The asctime date at the end of an mbox ``From_`` line (``Mon Jan  6 10:00:00 2025``).
_FROM_DATE = re.compile(rb"([A-Z][a-z]{2} +[A-Z][a-z]{2} +\d{1,2} +\d{1,2}:\d{2}:\d{2} +\d{4})\s*$")
_ESCAPED_FROM = re.compile(rb"^>+From ")


class ExportUnreadable(Exception):
    """The path is not something that can be imported; one line for the operator."""


@dataclass(frozen=True)
class Found:
    """One message of an export: its bytes, when it was received, and how far we are."""

    raw: bytes
    received_at: datetime | None
    #: Progress in the export's own unit: bytes of an mbox, files of a Maildir.
    position: int


@dataclass
class Report:
    seen: int = 0
    stored: int = 0
    duplicates: int = 0
    quiet: int = 0
    cases: int = 0
    interrupted: bool = False

    def summary(self) -> str:
        state = "interrupted; run the same command again to resume" if self.interrupted \
            else "done"
        return (
            f"import {state}: {self.seen} messages read, {self.stored} stored "
            f"({self.quiet} without acknowledgement), {self.duplicates} already there, "
            f"{self.cases} cases opened"
        )


# --- reading exports ---------------------------------------------------------------------


def _from_line_date(line: bytes) -> datetime | None:
    found = _FROM_DATE.search(line)
    if not found:
        return None
    try:
        text = " ".join(found.group(1).decode().split())
        parsed = datetime.strptime(text, "%a %b %d %H:%M:%S %Y")
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC)  # mbox writers use UTC (or at least no zone)


def _header_date(raw: bytes) -> datetime | None:
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw, headersonly=True)
        value = headers.get("Date")
        parsed = email.utils.parsedate_to_datetime(str(value)) if value else None
    except (TypeError, ValueError, IndexError, LookupError):
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    return parsed.astimezone(UTC)


def read_mbox(stream: IO[bytes]) -> Iterator[Found]:
    """Messages of an mbox, one at a time (the file is never read whole).

    A line starting with ``From `` begins a message, as Python's ``mailbox.mbox`` reads
    it; ``>From `` lines lose one ``>`` (mboxrd), and the blank line the format puts
    between messages is dropped.
    """
    lines: list[bytes] = []
    from_line: bytes | None = None
    position = 0

    def finish() -> Found | None:
        if from_line is None:
            return None
        body = lines[:-1] if lines and lines[-1] in (b"\n", b"\r\n") else lines
        raw = b"".join(body)
        if not raw.strip():
            return None
        return Found(raw, _from_line_date(from_line) or _header_date(raw), position)

    for line in stream:
        if line.startswith(b"From "):
            done = finish()
            if done is not None:
                yield done
            from_line, lines = line, []
        elif from_line is not None:
            lines.append(line[1:] if _ESCAPED_FROM.match(line) else line)
        position += len(line)
    done = finish()
    if done is not None:
        yield done


def maildir_files(folder: Path) -> list[Path]:
    """The mail files of a Maildir, oldest delivery first (names start with the time)."""
    return sorted(
        (path for sub in ("cur", "new") for path in (folder / sub).iterdir() if path.is_file()),
        key=lambda path: path.name,
    )


def read_maildir(files: list[Path]) -> Iterator[Found]:
    for index, path in enumerate(files, start=1):
        try:
            raw = path.read_bytes()
            stat = path.stat()
        except OSError as exc:
            log.warning("Maildir file %s cannot be read (%s); skipped", index, exc.strerror)
            continue
        received = _header_date(raw) or datetime.fromtimestamp(stat.st_mtime, UTC)
        yield Found(raw, received, index)


def is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


# --- importing ---------------------------------------------------------------------------


def import_path(
    runtime: Runtime,
    path: Path,
    *,
    ack_after: date | None = None,
    progress: bool | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Report:
    """Import every message of ``path``; returns what happened (also when interrupted)."""
    if is_maildir(path):
        files = maildir_files(path)
        total, unit, scale = len(files), " mails", False
        stream: IO[bytes] | None = None
        found: Iterator[Found] = read_maildir(files)
    elif path.is_file():
        try:
            stream = path.open("rb")
        except OSError as exc:
            raise ExportUnreadable(f"cannot read {path}: {exc.strerror}") from None
        first = stream.read(5)
        stream.seek(0)
        if first and first != b"From ":
            stream.close()
            raise ExportUnreadable(f"{path} is not an mbox file (it must start with 'From ')")
        total, unit, scale = os.fstat(stream.fileno()).st_size, "B", True
        found = read_mbox(stream)
    else:
        raise ExportUnreadable(f"{path} is neither an mbox file nor a Maildir folder")

    cut_off = start_of_day(ack_after) if ack_after is not None else None
    if not is_postgres(runtime.engine):
        # With SQLite the import and the service are the only deciders, and a claim left
        # by a killed import would otherwise wait minutes to go stale: give it back now.
        # Deciding is one transaction per message, so a claim the service holds right now
        # is decided once either way.
        with unit_of_work(runtime.sessions) as session:
            queries.release_message_claims(session)
    report = Report()
    bar = progress_bar("import", total=total, unit=unit, unit_scale=scale, show=progress)
    started = time.monotonic()
    batch: list[Found] = []
    try:
        for item in found:
            if should_stop is not None and should_stop():
                report.interrupted = True
                break
            report.seen += 1
            batch.append(item)
            if len(batch) < DECIDE_EVERY:
                continue
            _store_batch(runtime, batch, cut_off, report)
            batch = []
            bar.update(item.position - bar.n)
            report.cases += _decide(runtime)
            rate = report.seen / max(time.monotonic() - started, 1e-6)
            bar.set_postfix_str(
                f"{report.seen} mails, {rate:.0f} mails/s, {report.cases} cases",
                refresh=False,
            )
        if batch:
            _store_batch(runtime, batch, cut_off, report)
            bar.update(batch[-1].position - bar.n)
        report.cases += _decide(runtime)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        bar.close()
        if stream is not None:
            stream.close()
    log.info("import of %s messages took %.1f s", report.seen, time.monotonic() - started)
    return report


def _store_batch(
    runtime: Runtime, batch: list[Found], cut_off: datetime | None, report: Report
) -> None:
    """Store ``batch`` in one transaction, each message as ``store_mail`` stores one.

    Parsing happens before the transaction, so the writer lock is held only for the
    inserts; ``insert_parsed`` hands the parsed values to the pipeline's cache, so
    deciding does not parse them again.
    """
    now = runtime.clock()
    prepared = []
    for item in batch:
        external_id, message_id = external_id_for(item.raw)
        inbound = normalise.parse(item.raw, Channel.IMPORT, external_id=external_id)
        received = min(item.received_at, now) if item.received_at else None
        quiet = received is None or cut_off is None or received < cut_off
        prepared.append((item.raw, external_id, message_id, inbound, received or now, quiet))
    stored = []
    with runtime.engine.begin() as connection:
        for raw, external_id, message_id, inbound, received_at, quiet in prepared:
            _, created = insert_parsed(
                connection, runtime, raw=raw, inbound=inbound, external_id=external_id,
                message_id=message_id, received_at=received_at, quiet=quiet,
            )
            stored.append((quiet, created))
    for quiet, created in stored:
        if created:
            report.stored += 1
            report.quiet += quiet
        else:
            report.duplicates += 1


def _decide(runtime: Runtime) -> int:
    """Run the pipeline until nothing stored is left undecided; returns cases opened."""
    opened = 0
    while outcomes := pipeline.process_pending(runtime, limit=DECIDE_EVERY):
        opened += sum(1 for o in outcomes if o.rule == "case_opened")
    return opened
