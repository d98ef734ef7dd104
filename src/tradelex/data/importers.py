"""Importers: read an official file, validate every row, and return an Arrow table.

A bad row stops the import with an error that names the file, the row and the field; nothing half-read is kept.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pyarrow as pa

from tradelex.data.datasets import Dataset
from tradelex.errors import DataError

_DIGITS = re.compile(r"\d{4,10}")
_HTS_LEVELS = {"", "heading", "subheading6", "tariff_line8", "stat_suffix10"}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def csv_rows(path: Path, columns: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Every data row of a CSV file with its row number (the header is row 1), once the header has `columns`."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise DataError(str(path), f"cannot read: {error.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        missing = [column for column in columns if column not in (reader.fieldnames or [])]
        if missing:
            raise DataError(str(path), f"missing columns: {', '.join(missing)} (expected {', '.join(columns)})")
        try:
            for number, row in enumerate(reader, start=2):
                if None in row:
                    raise DataError(str(path), "more fields than the header", row=number)
                yield number, row
        except (csv.Error, UnicodeDecodeError) as error:
            raise DataError(str(path), f"not a readable CSV file: {error}") from None


def _check_hts_row(path: Path, number: int, row: dict[str, str]) -> None:
    def fail(field: str, message: str) -> DataError:
        return DataError(str(path), message, row=number, field=field)

    digits = row["hts_digits"]
    if digits and not _DIGITS.fullmatch(digits):
        raise fail("hts_digits", f"expected 4 to 10 digits, got {digits!r}")
    if digits and row["hts_number"].replace(".", "") != digits:
        raise fail("hts_number", f"{row['hts_number']!r} does not match hts_digits {digits!r}")
    if row["level"] not in _HTS_LEVELS:
        raise fail("level", f"expected one of {sorted(_HTS_LEVELS)}, got {row['level']!r}")
    if not row["indent"].isdigit():
        raise fail("indent", f"expected a whole number, got {row['indent']!r}")


def import_hts(path: Path, dataset: Dataset) -> pa.Table:
    """A USITC schedule export: every row, with its indent, description, unit, rates and footnotes."""
    columns: dict[str, list[object]] = {column: [] for column in dataset.columns}
    for number, row in csv_rows(path, dataset.columns):
        _check_hts_row(path, number, row)
        for column in dataset.columns:
            value: object = row[column].strip()
            if column in ("row", "indent"):
                value = int(str(value))
            columns[column].append(value)
    schema = pa.schema([(c, pa.int32() if c in ("row", "indent") else pa.string()) for c in dataset.columns])
    return pa.table(columns, schema=schema)


_CH99 = re.compile(r"99\d\d\.\d\d(\.\d\d)?")
_REVISION = re.compile(r"\d{4}_(basic|rev_\d+)")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _check_chapter99_row(path: Path, number: int, row: dict[str, str]) -> None:
    checks = {
        "hts_number": (_CH99, "a Chapter 99 heading such as 9903.88.03"),
        "first_revision": (_REVISION, "a revision such as 2025_basic or 2026_rev_10"),
        "last_revision": (_REVISION, "a revision such as 2025_basic or 2026_rev_10"),
        "first_revision_effective_date": (_ISO_DAY, "a date as YYYY-MM-DD"),
    }
    for field, (pattern, expected) in checks.items():
        if not pattern.fullmatch(row[field]):
            raise DataError(str(path), f"expected {expected}, got {row[field]!r}", row=number, field=field)


def _check_revision_row(path: Path, number: int, row: dict[str, str]) -> None:
    if not _REVISION.fullmatch(row["revision"]):
        raise DataError(
            str(path), f"expected a revision such as 2025_rev_1, got {row['revision']!r}", number, "revision"
        )
    for field in ("effective_date", "policy_effective_date"):
        if row[field] and not _ISO_DAY.fullmatch(row[field]):
            raise DataError(str(path), f"expected a date as YYYY-MM-DD, got {row[field]!r}", number, field)


def _import_checked(check: Callable[[Path, int, dict[str, str]], None]) -> Callable[[Path, Dataset], pa.Table]:
    """An importer of text columns that checks every row with `check` before keeping it."""

    def read(path: Path, dataset: Dataset) -> pa.Table:
        columns: dict[str, list[str]] = {column: [] for column in dataset.columns}
        for number, row in csv_rows(path, dataset.columns):
            check(path, number, row)
            for column in dataset.columns:
                columns[column].append(row[column].strip())
        return pa.table(columns)

    return read


IMPORTERS: dict[str, Callable[[Path, Dataset], pa.Table]] = {
    "hts_2025_basic": import_hts,
    "hts_2026_rev10": import_hts,
    "hts_ch99_history": _import_checked(_check_chapter99_row),
    "hts_revisions": _import_checked(_check_revision_row),
}
