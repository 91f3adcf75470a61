"""The customer directory: known e-mail addresses and phone numbers, from a CSV file.

With a directory, a request from an address the company has never seen is flagged to
staff before anyone discloses or erases data (see ``bot.authorisation``). Each import
replaces the whole directory, so a customer deleted from the company's records stops
being "known" at the next import instead of lingering here.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from bot.runtime import Runtime
from storage import queries
from storage.audit import append_event
from storage.engine import unit_of_work

#: Column names accepted for each field, Danish and English, compared in lower case.
COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_ref": ("customer_ref", "customer", "id", "kundenummer", "kunde"),
    "name": ("name", "navn", "full_name"),
    "email": ("email", "e-mail", "mail", "mailadresse"),
    "phone": ("phone", "telefon", "tlf", "mobile", "mobil"),
}

_ADDRESS_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class DirectoryError(ValueError):
    """The file is not a usable directory; the message names the line."""


def parse_csv(text: str) -> list[dict[str, str]]:
    """Rows of the directory; a header row names the columns (any order, ``,`` or ``;``)."""
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise DirectoryError("the file is empty") from None
    where: dict[str, int] = {}
    for field_name, names in COLUMNS.items():
        for i, column in enumerate(header):
            if column in names:
                where[field_name] = i
                break
    if "email" not in where and "phone" not in where:
        raise DirectoryError("line 1: no e-mail or phone column (e.g. 'email', 'phone')")
    rows: list[dict[str, str]] = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        row = {f: values[i].strip() if i < len(values) else "" for f, i in where.items()}
        if not row.get("email") and not row.get("phone"):
            raise DirectoryError(f"line {line}: neither an e-mail address nor a phone number")
        if row.get("email") and not _ADDRESS_RE.match(row["email"]):
            raise DirectoryError(f"line {line}: not an e-mail address")
        rows.append(row)
    return rows


def import_csv(runtime: Runtime, path: Path, *, actor: str) -> int:
    """Replace the directory with the file's rows; returns how many were imported."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DirectoryError(f"cannot read {path}: {exc}") from None
    rows = parse_csv(text)
    now = runtime.clock()
    with unit_of_work(runtime.sessions) as session:
        count = queries.replace_directory(session, rows=rows, now=now)
        append_event(
            session, actor=actor, action="directory_imported", detail={"rows": count}, at=now
        )
    return count
