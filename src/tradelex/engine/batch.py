"""Batch assessment: a table of entry lines in, one result row per line out, never a line dropped.

Two paths with the same answers:
  * `assess_table` (the DuckDB and Spark engines, no explanation): an Arrow batch is validated in columns
    (engine/validate.py), evaluated by the engine, its MFN layer priced in SQL (engine/mfn_table.py), and the layers
    pivoted into one amount column per measure with the total, all in Arrow and DuckDB: no Python per row, except
    for rows that fail validation (their error comes from `Line.parse`) and the rare MFN forms SQL does not price;
  * `assess_rows` (the reference engine, --explain, the HTTP API): each row validated into a Line; a row that does
    not validate becomes an error row naming the field; valid lines evaluated by the chosen engine, the MFN layer
    looked up for each distinct (importer, origin, code, date) and priced per line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

import duckdb
import pyarrow as pa

from tradelex.engine.compile import CompiledPack
from tradelex.engine.duck import evaluate_lines, lines_to_arrow
from tradelex.engine.line import Line
from tradelex.engine.mfn import MfnRate, MfnSource, mfn_amount
from tradelex.engine.mfn_table import MFN_SCHEMA, MfnTable
from tradelex.engine.reference import evaluate_line
from tradelex.engine.validate import Validated, validate_table
from tradelex.errors import InputError, TradelexError
from tradelex.money import round_cents
from tradelex.rules.model import Pack

ENGINES = ("duckdb", "spark", "reference")
TARIFF_KINDS = ("ad_valorem", "specific", "compound")
CONTENT_PREFIX = "content_"


@dataclass
class BatchResult:
    """Results of one batch, in input order: amounts by measure, the total, and the error of each row."""

    rows: list[dict[str, Any]] = field(default_factory=list)


def parse_row(row: Mapping[str, Any], date_column: str) -> Line:
    """An input row as a validated Line; columns: code, origin, [importer], date, [loaded], [value], [quantity, unit],
    [content_<name>], [claims: names separated by ';']."""
    if None in row:  # csv.DictReader files the fields beyond the header under None
        raise InputError("row", f"more fields than the header names: {row[None]!r}")  # type: ignore[index]
    content = {key.removeprefix(CONTENT_PREFIX): value for key, value in row.items()
               if key.startswith(CONTENT_PREFIX) and value not in (None, "")}  # fmt: skip
    return _parse(
        code=_text(row.get("code")), origin=_text(row.get("origin")), importer=_text(row.get("importer")) or "US",
        date=_text(row.get(date_column)), loaded=_text(row.get("loaded")) or None, value=_blank(row.get("value")),
        quantity=_blank(row.get("quantity")), unit=_text(row.get("unit")) or None, content=content or None,
        claims=tuple(claim for claim in _text(row.get("claims")).split(";") if claim.strip()),
    )  # fmt: skip


def _parse(**arguments: Any) -> Line:
    content = arguments.pop("content")
    if content:
        return Line.parse(**arguments, content=content)
    return _parse_cached(**arguments)


@lru_cache(maxsize=65536)
def _parse_cached(**arguments: Any) -> Line:
    # Entry files repeat the same code, date and value many times: validate each distinct line once.
    return Line.parse(**arguments)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _blank(value: Any) -> Any:
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def assess_rows(
    rows: Sequence[Mapping[str, Any]],
    pack: Pack,
    compiled: CompiledPack | None,
    engine: str,
    mfn: MfnSource | None,
    date_column: str = "date",
    explain: bool = False,
) -> BatchResult:
    """Assess one batch of rows; `compiled` is needed for the DuckDB engine."""
    lines: list[Line | None] = []
    errors: list[str | None] = []
    for row in rows:
        try:
            lines.append(parse_row(row, date_column))
            errors.append(None)
        except TradelexError as invalid:
            lines.append(None)
            errors.append(str(invalid))
    valid = [line for line in lines if line is not None]
    if engine == "reference":
        layer_amounts = [_reference_amounts(pack, line, mfn) for line in valid]
    else:
        assert compiled is not None
        layer_amounts = _duckdb_amounts(compiled, valid, mfn, spark=engine == "spark")
    result = BatchResult()
    answers = iter(layer_amounts)
    for problem in errors:
        if problem is not None:
            result.rows.append({"error": problem, "layers": {}, "total": None})
            continue
        layers, total = next(answers)
        result.rows.append({"error": None, "layers": layers, "total": total})
    if explain:
        _explain(result, lines, pack, mfn)
    return result


def _explain(result: BatchResult, lines: list[Line | None], pack: Pack, mfn: MfnSource | None) -> None:
    """The reference evaluator's full assessment of each valid line, as JSON: layers, exclusions, sources."""
    for row, line in zip(result.rows, lines, strict=True):
        if line is not None:
            row["explanation"] = json.dumps(evaluate_line(pack, line, mfn=mfn).to_json_dict(), ensure_ascii=False)


def _reference_amounts(
    pack: Pack, line: Line, mfn: MfnSource | None
) -> tuple[dict[str, Decimal | None], Decimal | None]:
    assessment = evaluate_line(pack, line, mfn=mfn)
    tariffs = {layer.measure: layer.amount for layer in assessment.layers if layer.kind in TARIFF_KINDS}
    return tariffs, assessment.total_amount


def _duckdb_amounts(
    compiled: CompiledPack, lines: list[Line], mfn: MfnSource | None, spark: bool = False
) -> list[tuple[dict[str, Decimal | None], Decimal | None]]:
    """Amounts from the vectorised plan: on DuckDB, or on Spark (same plan, same tables)."""
    if not lines:
        return []
    if spark:
        from tradelex.engine.spark import evaluate_lines_spark  # pyspark is optional: imported only when asked

        layers, _ = evaluate_lines_spark(compiled, *lines_to_arrow(lines))
    else:
        layers, _ = evaluate_lines(compiled, *lines_to_arrow(lines))
    by_line: list[dict[str, Decimal | None]] = [{} for _ in lines]
    mfn_rates = _mfn_rates(lines, mfn)
    for index, line in enumerate(lines):
        rate = mfn_rates[index]
        if rate is not None and (rate.rate_text is not None or rate.reference is not None):
            exact, _, _ = mfn_amount(rate, line)
            by_line[index][rate.measure] = round_cents(exact) if exact is not None else None
    for row in layers.to_pylist():
        cents = row["amount_cents"]
        if row["kind"] in TARIFF_KINDS:
            by_line[row["line_id"]][row["measure"]] = None if cents is None else Decimal(int(cents)).scaleb(-2)
    # The total is the sum of the rounded layers; unknown when any layer's amount is unknown.
    return [
        (amounts, None if None in amounts.values() else sum((v for v in amounts.values() if v is not None), Decimal(0)))
        for amounts in by_line
    ]


def _mfn_rates(lines: list[Line], mfn: MfnSource | None) -> list[MfnRate | None]:
    """The importer's own rate for each line, looked up once per distinct (importer, origin, code, date)."""
    if mfn is None:
        return [None] * len(lines)
    cache: dict[tuple[str, str, str, Any], MfnRate | None] = {}
    rates = []
    for line in lines:
        key = (line.importer, line.origin, line.code, line.date)
        if key not in cache:
            cache[key] = mfn.mfn(line)
        rates.append(cache[key])
    return rates


_mfn_tables: dict[int, tuple[MfnSource, MfnTable]] = {}


def mfn_table(source: MfnSource) -> MfnTable:
    """One MfnTable per source for the life of the process: its terms are cached per schedule revision."""
    found = _mfn_tables.get(id(source))
    if found is None or found[0] is not source:
        found = (source, MfnTable(source))
        _mfn_tables[id(source)] = found
    return found[1]


def assess_table(
    table: pa.Table,
    compiled: CompiledPack,
    measures: list[str],
    *,
    engine: str = "duckdb",
    mfn: MfnSource | None = None,
    date_column: str = "date",
    first_row: int = 1,
) -> pa.Table:
    """Assess one Arrow batch of raw rows: one result row per input row, in `result_schema(measures)`, rows
    numbered from `first_row`."""
    validated = validate_table(table, date_column)
    lines = validated.lines
    if lines.num_rows and engine == "spark":
        from tradelex.engine.spark import evaluate_lines_spark  # pyspark is optional: imported only when asked

        layers, _ = evaluate_lines_spark(compiled, lines, validated.contents)
    elif lines.num_rows:
        layers, _ = evaluate_lines(compiled, lines, validated.contents)
    else:
        layers = pa.table({"line_id": pa.array([], pa.int64()), "measure": pa.array([], pa.string()),
                           "kind": pa.array([], pa.string()), "amount_cents": pa.array([], pa.int64())})  # fmt: skip
    mfn_layers = mfn_table(mfn).amounts(lines) if mfn is not None and lines.num_rows else MFN_SCHEMA.empty_table()
    return _pivot(table.num_rows, validated, layers, mfn_layers, measures, first_row)


def _pivot(
    count: int, validated: Validated, layers: pa.Table, mfn_layers: pa.Table, measures: list[str], first_row: int
) -> pa.Table:
    """One row per input row: the row number, the error, each measure's amount in dollars and the total."""
    kinds = ", ".join(f"'{kind}'" for kind in TARIFF_KINDS)
    # measure ids are [a-z0-9_.-] (validated by the pack loader); each becomes a quoted column
    amounts = ", ".join(
        f'CAST(CAST(p.c{i} AS DECIMAL(38, 0)) * 0.01 AS DECIMAL(20, 2)) AS "{m}"' for i, m in enumerate(measures)
    )
    picks = ", ".join(f"max(amount_cents) FILTER (WHERE measure = '{m}') AS c{i}" for i, m in enumerate(measures))
    with duckdb.connect() as db:
        db.register("errors", pa.table({"line_id": pa.array(range(count), pa.int64()), "error": validated.errors}))
        db.register("valid", validated.lines.select(["line_id"]))
        db.register("engine_layers", layers.select(["line_id", "measure", "kind", "amount_cents"]))
        db.register("mfn_layers", mfn_layers)
        result = db.sql(f"""
            WITH layers AS (
                SELECT line_id, measure, CAST(amount_cents AS HUGEINT) AS amount_cents FROM mfn_layers
                UNION ALL
                SELECT line_id, measure, CAST(amount_cents AS HUGEINT) FROM engine_layers WHERE kind IN ({kinds})
            ),
            p AS (
                SELECT line_id, {picks + ", " if picks else ""}
                       CASE WHEN bool_or(amount_cents IS NULL) THEN NULL ELSE sum(amount_cents) END AS total
                FROM layers GROUP BY line_id
            )
            SELECT e.line_id + {int(first_row)} AS row, e.error, {amounts + ", " if amounts else ""}
                   CASE WHEN v.line_id IS NULL THEN NULL
                        ELSE CAST(CAST(coalesce(p.total, CASE WHEN p.line_id IS NULL THEN 0 END) AS DECIMAL(38, 0))
                                  * 0.01 AS DECIMAL(20, 2)) END AS total
            FROM errors e LEFT JOIN valid v USING (line_id) LEFT JOIN p USING (line_id)
            ORDER BY e.line_id
        """).to_arrow_table()
    return result.cast(result_schema(measures))


def result_schema(measures: list[str], explain: bool = False) -> pa.Schema:
    money = pa.decimal128(20, 2)
    explanation = [("explanation", pa.string())] if explain else []
    return pa.schema([("row", pa.int64()), ("error", pa.string()), *[(m, money) for m in measures],
                      ("total", money), *explanation])  # fmt: skip
