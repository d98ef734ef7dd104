"""Validate a table of entry lines in columns: the engine's input tables, and an error for each row that fails.

The same rules as `batch.parse_row` → `Line.parse`, applied to a whole Arrow batch at once:
  * columns with few distinct values (code, importer, origin, dates, unit, claims) are checked once per distinct
    value with the very functions `Line.parse` calls (`validate_code`, `normalise_country`, `parse_iso_date`, ...),
    and the answers are spread back over the rows with a dictionary look-up (`index_in` + `take`); the answers are
    cached across batches, so a file of millions of lines validates each code and each date once;
  * amounts (value, quantity, content_<name>) differ on nearly every row, so they are checked by one DuckDB query:
    a decimal column must be non-negative with at most six places, an integer column non-negative, a text column
    plain digits with at most six decimal places; the query gives their millionths exactly (no float is involved);
  * the rules between fields (a quantity with its unit, loaded no later than entered, contents within the value)
    are column expressions in the same query.
A row that passes every check becomes a line of the engine's table without any per-row Python. A row that fails
any of them, or that is written in a form the fast checks do not read (a float column, "1,000", " 12 "), is handed
to `parse_row` itself: it becomes a line if `Line.parse` accepts it, else an error row whose message is exactly
`Line.parse`'s. So the two cannot disagree on which rows are errors or on what the errors say; the fast checks only
decide which rows need no Python (tests/engine/test_validate.py holds them to that on random rows).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from tradelex.dates import parse_iso_date
from tradelex.engine.duck import CONTENT_SCHEMA, LINE_SCHEMA, micro
from tradelex.engine.line import Line, _claim, _content_name
from tradelex.errors import BadAmountError, TradelexError
from tradelex.nomenclature.countries import normalise_country
from tradelex.nomenclature.hs import validate_code
from tradelex.rules.rates import normalise_unit

CONTENT_PREFIX = "content_"
AMOUNT_LIMIT = 10**12  # text amounts read in SQL: at most 12 integer digits, so that millionths fit in a BIGINT
BIGINT_MAX = 2**63 - 1
_CACHE_LIMIT = 1_000_000  # distinct values remembered per field before the cache starts afresh


@dataclass(frozen=True)
class Validated:
    """A batch as the engine's input: `lines` and `contents` (line_id = row index in the batch) and `errors` (one
    string or null per row, in row order). `slow_rows` is how many rows needed the per-row path."""

    lines: pa.Table
    contents: pa.Table
    errors: pa.Array
    slow_rows: int


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _claims(value: Any) -> list[str]:
    return sorted({_claim(claim) for claim in _text(value).split(";") if claim.strip()})


def _optional_date(field: str) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        text = _text(value)
        return parse_iso_date(text, field) if text else None

    return parse


# One function per field with few distinct values: exactly what `parse_row` does to the raw value.
FIELD_RULES: dict[str, tuple[Callable[[Any], Any], pa.DataType]] = {
    "code": (lambda value: validate_code(_text(value)), pa.string()),
    "origin": (lambda value: normalise_country(_text(value), "origin"), pa.string()),
    "importer": (lambda value: normalise_country(_text(value) or "US", "importer"), pa.string()),
    "date": (lambda value: parse_iso_date(_text(value), "date"), pa.date32()),
    "loaded": (_optional_date("loaded"), pa.date32()),
    "unit": (lambda value: normalise_unit(_text(value)) if _text(value) else None, pa.string()),
    "claims": (_claims, pa.list_(pa.string())),
}
_caches: dict[str, dict[tuple[str, Hashable], tuple[bool, Any]]] = {name: {} for name in FIELD_RULES}


def _column(table: pa.Table, name: str) -> pa.Array:
    if name not in table.column_names:
        return pa.nulls(table.num_rows)
    return table.column(name).combine_chunks()


def _map_distinct(field: str, column: pa.Array) -> tuple[pa.Array, pa.Array]:
    """The normalised value of each row and whether it passed, computed once per distinct raw value."""
    rule, kind = FIELD_RULES[field]
    cache = _caches[field]
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    if column.null_count == len(column):
        column = pa.nulls(len(column), pa.string())  # a missing column: every row is blank
    distinct = pc.unique(column)
    answers = []
    for raw in distinct.to_pylist():
        key = (type(raw).__name__, raw if isinstance(raw, Hashable) else repr(raw))
        if key not in cache:
            try:
                cache[key] = (True, rule(raw))
            except TradelexError:
                cache[key] = (False, None)
        answers.append(cache[key])
    where = pc.index_in(column, value_set=distinct)
    values = pa.array([value for _, value in answers], kind).take(where)
    passed = pa.array([ok for ok, _ in answers], pa.bool_()).take(where)
    return values, passed


def _amount_sql(column: str, kind: pa.DataType) -> tuple[str, str]:
    """SQL for (millionths or NULL, passes) of one raw amount column, by its type; '' is a blank (no amount)."""
    quoted = f'"{column}"'
    if kind == pa.null():
        return "CAST(NULL AS BIGINT)", "true"
    if pa.types.is_decimal(kind) or pa.types.is_integer(kind):
        exact = f"CAST({quoted} AS DECIMAL(38, 6)) = {quoted}" if pa.types.is_decimal(kind) else "true"
        fits = f"{quoted} >= 0 AND {quoted} < {AMOUNT_LIMIT} AND {exact}"
        micro_sql = f"CASE WHEN {fits} THEN CAST(CAST({quoted} AS DECIMAL(38, 6)) * 1000000 AS BIGINT) END"
        return micro_sql, f"({quoted} IS NULL OR ({fits}))"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        plain = f"regexp_full_match({quoted}, '[0-9]{{1,12}}(\\.[0-9]{{1,6}})?')"
        micro_sql = f"CASE WHEN {plain} THEN CAST(CAST({quoted} AS DECIMAL(18, 6)) * 1000000 AS BIGINT) END"
        return micro_sql, f"({quoted} IS NULL OR {quoted} = '' OR {plain})"
    return "CAST(NULL AS BIGINT)", f"{quoted} IS NULL"  # floats and anything else: read per row, never as binary


def validate_table(table: pa.Table, date_column: str = "date") -> Validated:
    """Validate a batch of raw rows (columns as `parse_row` names them) into the engine's tables."""
    count = table.num_rows
    mapped: dict[str, pa.Array] = {}
    passed: list[pa.Array] = []
    for field in FIELD_RULES:
        values, ok = _map_distinct(field, _column(table, date_column if field == "date" else field))
        mapped[field] = values
        passed.append(ok)
    contents = {
        column: column.removeprefix(CONTENT_PREFIX)
        for column in table.column_names
        if column.startswith(CONTENT_PREFIX)
    }
    fast = _checked(table, mapped, passed, contents)
    fast_ok = fast.column("ok").to_numpy(zero_copy_only=False)
    slow = [index for index in range(count) if not fast_ok[index]]
    lines = pa.table(
        {
            "line_id": pa.array(range(count), pa.int64()),
            **{name: mapped[name] for name in ("importer", "origin", "code", "date", "loaded")},
            "value_micro": fast.column("value_micro"),
            "quantity_micro": fast.column("quantity_micro"),
            "unit": mapped["unit"],
            "claims": mapped["claims"],
        },
        schema=LINE_SCHEMA,
    ).filter(fast.column("ok"))
    content_tables = [_content_rows(fast, column, name) for column, name in _valid_content_names(contents).items()]
    errors: list[str | None] = [None] * count
    if slow:
        slow_lines, slow_contents = _per_row(table.take(slow).to_pylist(), slow, date_column, errors)
        lines = pa.concat_tables([lines, slow_lines]).sort_by("line_id")
        content_tables.append(slow_contents)
    all_contents = pa.concat_tables([CONTENT_SCHEMA.empty_table(), *content_tables]).sort_by("line_id")
    return Validated(lines, all_contents, pa.array(errors, pa.string()), len(slow))


def _valid_content_names(contents: dict[str, str]) -> dict[str, str]:
    valid = {}
    for column, name in contents.items():
        try:
            valid[column] = _content_name(name)
        except TradelexError:
            continue
    return valid


def _checked(
    table: pa.Table, mapped: dict[str, pa.Array], passed: list[pa.Array], contents: dict[str, str]
) -> pa.Table:
    """One DuckDB query: the millionths of every amount, and whether the row passes every check."""
    names = _valid_content_names(contents)
    amounts = {"value": "value", "quantity": "quantity", **{column: column for column in contents}}
    inputs: dict[str, pa.Array] = {
        "passed": pa.array([True] * table.num_rows, pa.bool_()) if not passed else _all(passed),
        "date": mapped["date"],
        "loaded": mapped["loaded"],
        "unit": mapped["unit"],
    }
    selects, checks = [], ["passed"]
    for position, column in enumerate(amounts):
        raw = _column(table, column)
        inputs[f"raw{position}"] = raw
        micro_sql, ok_sql = _amount_sql(f"raw{position}", raw.type)
        alias = {"value": "value_micro", "quantity": "quantity_micro"}.get(column, f"content{position}")
        selects.append(f"{micro_sql} AS {alias}")
        checks.append(ok_sql)
        if column in contents and column not in names:  # a content name Line.parse refuses: its rows go per row
            checks.append(f"(raw{position} IS NULL OR raw{position} = '')")
    content_aliases = [f"content{position}" for position, column in enumerate(amounts) if column in contents]
    checks += [
        "(loaded IS NULL OR loaded <= date)",
        "((quantity_micro IS NULL) = (unit IS NULL))",
        *[f"(value_micro IS NULL OR {alias} IS NULL OR {alias} <= value_micro)" for alias in content_aliases],
    ]
    if content_aliases:
        total = " + ".join(f"coalesce({alias}, 0)" for alias in content_aliases)
        checks.append(f"(value_micro IS NULL OR {total} <= value_micro)")
    with duckdb.connect() as db:
        db.register("raw", pa.table(inputs))
        query = f"""
            WITH amounts AS (SELECT *, {", ".join(selects)} FROM raw)
            SELECT value_micro, quantity_micro, {"".join(f"{alias}, " for alias in content_aliases)}
                   coalesce({" AND ".join(checks)}, false) AS ok
            FROM amounts
        """
        checked = db.sql(query).to_arrow_table()
    columns = list(amounts)
    return checked.rename_columns(
        [f"content:{columns[int(name[7:])]}" if name.startswith("content") else name for name in checked.column_names]
    )


def _all(passed: list[pa.Array]) -> pa.Array:
    result = passed[0]
    for other in passed[1:]:
        result = pc.and_(result, other)
    return result


def _content_rows(fast: pa.Table, column: str, name: str) -> pa.Table:
    amounts = fast.column(f"content:{column}")
    keep = pc.and_(fast.column("ok"), pc.is_valid(amounts))
    line_ids = pa.array(range(fast.num_rows), pa.int64()).filter(keep)
    return pa.table(
        {
            "line_id": line_ids,
            "name": pa.array([name] * len(line_ids), pa.string()),
            "amount_micro": amounts.filter(keep),
        },
        schema=CONTENT_SCHEMA,
    )


def _per_row(
    rows: list[dict[str, Any]], line_ids: list[int], date_column: str, errors: list[str | None]
) -> tuple[pa.Table, pa.Table]:
    """The rows the column checks did not pass, through `parse_row` one by one: a line, or its error."""
    from tradelex.engine.batch import parse_row

    lines: list[Line] = []
    ids: list[int] = []
    for line_id, row in zip(line_ids, rows, strict=True):
        try:
            line = parse_row(row, date_column)
            _check_fits(line)
        except TradelexError as invalid:
            errors[line_id] = str(invalid)
            continue
        lines.append(line)
        ids.append(line_id)
    return lines_table(lines, ids)


def _check_fits(line: Line) -> None:
    """The engine holds amounts as millionths in 64 bits: more places, or more than 9.2 trillion, is an error."""
    for field, amount in (
        ("value", line.value),
        ("quantity", line.quantity),
        *((f"content.{name}", value) for name, value in line.content.items()),
    ):
        held = micro(amount, field)
        if held is not None and held > BIGINT_MAX:
            raise BadAmountError(field, f"{amount} is too large for the engine (at most 9,223,372,036,854)")


def lines_table(lines: list[Line], line_ids: list[int]) -> tuple[pa.Table, pa.Table]:
    """Validated lines as the engine's tables with the given line ids (duck.lines_to_arrow numbers them 0..n-1)."""
    from tradelex.engine.duck import lines_to_arrow

    table, contents = lines_to_arrow(lines)
    ids = pa.array(line_ids, pa.int64())
    table = table.set_column(0, "line_id", ids)
    contents = contents.set_column(0, "line_id", ids.take(contents.column("line_id")))
    return table, contents
