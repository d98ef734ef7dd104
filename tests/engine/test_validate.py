"""The columnar validator agrees with `Line.parse` (through `batch.parse_row`) on every row: same lines, same errors.

Rows are drawn from values that `Line.parse` accepts as written, accepts after normalising ("cn", " 2025-04-15 ",
"1,000", "6109.10.0012"), and refuses (unknown codes and countries, impossible dates, negative or over-precise
amounts, a quantity without its unit, contents worth more than the value, loaded after entered), both as a CSV gives
them (every column text) and as a typed Parquet file does (decimals, dates).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from tradelex.engine.batch import parse_row
from tradelex.engine.validate import _check_fits, lines_table, validate_table
from tradelex.errors import TradelexError

CODES = ["6109100012", "6109.10.0012", "7411.10.1000", "8517.12.00", "61", "6109", "85", "12345", "abc", "", " 7411 "]
COUNTRIES = ["CN", "cn", "CHN", "China", "US", "HK", "", "XX", " de "]
DATES = ["2025-04-15", "2019-02-28", "2025-13-01", "2024-02-30", "2025/04/15", " 2025-09-01 ", "", "20250415"]
AMOUNTS = ["100", "0", "1,000", "-5", "12.5", "0.000001", "1.1234567", "", " ", "abc", "1e3", "99999999999999"]
UNITS = ["kg", "KG", "item", "doz.", "", "No."]
CLAIMS = ["", "automobile-part", "automobile-part; truck-part", "bad claim!"]


def _row(draw: st.DrawFn, typed: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "code": draw(st.sampled_from(CODES)),
        "origin": draw(st.sampled_from(COUNTRIES)),
        "importer": draw(st.sampled_from(["US", "CN", "", "us"])),
        "date": draw(st.sampled_from(DATES)),
        "loaded": draw(st.sampled_from(["", "2025-01-01", "2026-01-01"])),
        "value": draw(st.sampled_from(AMOUNTS)),
        "quantity": draw(st.sampled_from(["", "", "200", "3.5", "-1"])),
        "unit": draw(st.sampled_from(UNITS)),
        "content_copper": draw(st.sampled_from(["", "", "60", "6000", "-1"])),
        "content_steel": draw(st.sampled_from(["", "", "50"])),
        "claims": draw(st.sampled_from(CLAIMS)),
    }
    if typed:
        row["date"] = draw(st.dates(dt.date(2017, 1, 1), dt.date(2027, 1, 1)))
        places = draw(st.integers(0, 7))
        row["value"] = draw(st.none() | st.decimals(-10, 10**7, places=places, allow_nan=False, allow_infinity=False))
    return row


@st.composite
def tables(draw: st.DrawFn) -> tuple[pa.Table, list[dict[str, Any]]]:
    typed = draw(st.booleans())
    rows = draw(st.lists(st.builds(lambda: None).flatmap(lambda _: st.just(None)), min_size=1, max_size=30))
    drawn = [_row(draw, typed) for _ in rows]
    if typed:
        places = max((-v.as_tuple().exponent for v in (r["value"] for r in drawn) if v is not None), default=0)
        types = {"date": pa.date32(), "value": pa.decimal128(38, max(int(places), 0))}
        schema = pa.schema([(name, types.get(name, pa.string())) for name in drawn[0]])
        return pa.Table.from_pylist(drawn, schema=schema), drawn
    return pa.Table.from_pylist(drawn, schema=pa.schema([(name, pa.string()) for name in drawn[0]])), drawn


def _expected(table: pa.Table) -> tuple[pa.Table, pa.Table, list[str | None]]:
    lines, ids, errors = [], [], []
    for index, row in enumerate(table.to_pylist()):
        try:
            line = parse_row(row, "date")
            _check_fits(line)
        except TradelexError as invalid:
            errors.append(str(invalid))
            continue
        lines.append(line)
        ids.append(index)
        errors.append(None)
    return *lines_table(lines, ids), errors


@settings(max_examples=150, deadline=None)
@given(tables())
def test_the_columnar_validator_agrees_with_line_parse(drawn: tuple[pa.Table, list[dict[str, Any]]]) -> None:
    table, _ = drawn
    validated = validate_table(table)
    lines, contents, errors = _expected(table)
    assert validated.errors.to_pylist() == errors
    assert validated.lines.equals(lines), (validated.lines.to_pylist(), lines.to_pylist())
    assert validated.contents.sort_by([("line_id", "ascending"), ("name", "ascending")]).equals(
        contents.sort_by([("line_id", "ascending"), ("name", "ascending")])
    )


def test_clean_rows_need_no_python_per_row() -> None:
    """The point of the columnar path: rows that are already clean never reach Line.parse."""
    table = pa.table({
        "code": ["6109100012", "7411101000"], "origin": ["CN", "CN"], "date": [dt.date(2025, 4, 15)] * 2,
        "value": pa.array([Decimal("10000.00"), Decimal("10000.00")], pa.decimal128(20, 2)),
        "content_copper": ["", "6000"],
    })  # fmt: skip
    validated = validate_table(table)
    assert validated.slow_rows == 0
    assert validated.lines.column("value_micro").to_pylist() == [10_000_000_000, 10_000_000_000]
    assert validated.contents.to_pylist() == [{"line_id": 1, "name": "copper", "amount_micro": 6_000_000_000}]


def test_a_bad_row_is_an_error_naming_the_field_and_the_others_still_count() -> None:
    table = pa.table({"code": ["6109100012", "6109100012"], "origin": ["CN", ""], "date": ["2025-04-15"] * 2,
                      "value": ["100", "100"]})  # fmt: skip
    validated = validate_table(table)
    assert validated.lines.column("line_id").to_pylist() == [0]
    error = validated.errors.to_pylist()[1]
    assert error is not None and error.startswith("origin: ")
