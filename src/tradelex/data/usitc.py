"""The USITC bulk JSON export of the Harmonized Tariff Schedule, read into the columns of our schedule importer.

The export (`hts_YYYY_revision_N_json.json`, or hts.usitc.gov `reststop/exportList?format=JSON`) is a JSON array with
one object per row of the schedule, in the published order:

    {"htsno": "6109.10.00", "indent": "1", "description": "Of cotton", "superior": null, "units": ["doz.", "kg"],
     "general": "16.5%", "special": "Free (AU,BH,...)", "other": "90%",
     "footnotes": [{"columns": ["general"], "value": "See 9903.88.15. ", "type": "endnote"}],
     "quotaQuantity": null, "additionalDuties": null}

Text-only rows have an empty `htsno` (and `superior: "true"`); `footnotes` is null on them. These field names and
types were checked against the 2025 Basic and 2026 Revision 10 exports that shared/data/hts was built from: the table
returned here for those files equals the bundled build row for row. Like the snapshot, units are joined with ";" as
published (then stripped), footnote values are stripped and joined with " | ", and `full_description`, the quota and
the additional-duties columns are not kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from tradelex.data.datasets import HTS_COLUMNS
from tradelex.errors import DataError

_DIGITS = re.compile(r"\d{4,10}")
_Fail = Callable[[str | None, str], DataError]
_LEVELS = {4: "heading", 6: "subheading6", 8: "tariff_line8", 10: "stat_suffix10"}
FOOTNOTE_SEPARATOR = (
    " | "  # as in shared/data/hts/*.csv (e.g. "See subheadings 9904.02.01-9904.02.37. | See 9903.88.15.")
)
UNIT_SEPARATOR = ";"


def schedule_from_usitc_json(path: Path | str, *, source: str | None = None) -> pa.Table:
    """Every row of a USITC JSON export, validated, as the table `import_hts` returns for our CSV layout.

    `source` names the file in errors (e.g. the URL it was downloaded from); by default the path. A bad record raises
    DataError with `row` = its 1-based position in the JSON array and `field` = the JSON key.
    """
    path = Path(path)
    name = source or str(path)
    records = _load(path, name)
    columns: dict[str, list[object]] = {column: [] for column in HTS_COLUMNS}
    for number, record in enumerate(records, start=1):
        for column, value in _convert(name, number, record).items():
            columns[column].append(value)
    schema = pa.schema([(c, pa.int32() if c in ("row", "indent") else pa.string()) for c in HTS_COLUMNS])
    return pa.table(columns, schema=schema)


def _load(path: Path, name: str) -> list[Any]:
    try:
        with path.open("rb") as handle:
            document = json.load(handle)
    except OSError as error:
        raise DataError(name, f"cannot read: {error.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:  # JSONDecodeError is a ValueError
        raise DataError(name, f"not valid JSON: {error}") from None
    except RecursionError:
        raise DataError(name, "not valid JSON: nested too deeply") from None
    if not isinstance(document, list):
        raise DataError(name, f"expected a JSON array of schedule rows, got a JSON {type(document).__name__}")
    return document


def _convert(name: str, number: int, record: object) -> dict[str, object]:
    def fail(field: str | None, message: str) -> DataError:
        return DataError(name, message, row=number, field=field)

    if not isinstance(record, dict):
        raise fail(None, f"expected a JSON object, got {type(record).__name__}")

    def text(field: str) -> str:
        value = record.get(field)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise fail(field, f"expected text, got {value!r}")
        return value.strip()

    if "htsno" not in record:
        raise fail("htsno", "missing (is this a USITC HTS JSON export?)")
    hts_number = text("htsno")
    digits = hts_number.replace(".", "")
    if digits and not _DIGITS.fullmatch(digits):
        raise fail("htsno", f"expected 4 to 10 digits, got {hts_number!r}")

    indent = record.get("indent")
    if isinstance(indent, int) and not isinstance(indent, bool) and indent >= 0:
        indent_value = indent
    elif isinstance(indent, str) and indent.strip().isdigit():
        indent_value = int(indent.strip())
    else:
        raise fail("indent", f"expected a whole number, got {indent!r}")

    return {
        "row": number,
        "hts_number": hts_number,
        "hts_digits": digits,
        "level": _LEVELS.get(len(digits), ""),
        "indent": indent_value,
        "description": text("description"),
        "unit_of_quantity": _units(record.get("units"), fail),
        "general_rate": text("general"),
        "special_rate": text("special"),
        "column2_rate": text("other"),
        "footnotes": _footnotes(record.get("footnotes"), fail),
    }


def _units(units: object, fail: _Fail) -> str:
    if units is None:
        return ""
    if isinstance(units, str):  # not seen in the exports; tolerated as a single unit
        return units.strip()
    if not isinstance(units, list) or not all(isinstance(unit, str) for unit in units):
        raise fail("units", f"expected a list of units, got {units!r}")
    return UNIT_SEPARATOR.join(units).strip()  # joined as published, like the snapshot ("No.; kg" stays)


def _footnotes(footnotes: object, fail: _Fail) -> str:
    if footnotes is None:
        return ""
    if not isinstance(footnotes, list):
        raise fail("footnotes", f"expected a list of footnotes, got {footnotes!r}")
    values = []
    for footnote in footnotes:
        if not isinstance(footnote, dict):
            raise fail("footnotes", f"expected a footnote object, got {footnote!r}")
        value = footnote.get("value")
        if value is not None and not isinstance(value, str):
            raise fail("footnotes", f"expected a footnote with a text value, got {footnote!r}")
        if value and value.strip():
            values.append(value.strip())
    return FOOTNOTE_SEPARATOR.join(values)
