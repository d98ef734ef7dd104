"""The DuckDB engine: the reference evaluator's semantics as set operations over a table of lines.

The plan: expand each line's code into its prefixes (each prefix row carrying the line's date, importer, origin
and claims); join the compiled rate table on prefix and the entry date's interval, then on importer and partner;
keep the longest prefix per line and measure (an exclusion wins a tie); apply transit rules, exemptions and, stage by
stage in stacking order, `not_with` and the remainder of the value (engine/plan_sql.py, shared with the Spark engine);
then compute each layer's amount.

Money is exact integer arithmetic: values, quantities, percentages and specific amounts are held in millionths
(HUGEINT), a layer's exact amount in units of 1e-14 dollars, rounded half-up to the cent once per layer, as the
reference does with Decimal. (DuckDB divides DECIMALs in floating point, so no division is ever used.)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import duckdb
import pyarrow as pa

from tradelex.engine.compile import CompiledPack
from tradelex.engine.line import Line
from tradelex.engine.plan_sql import DUCKDB, stage_sql
from tradelex.errors import BadAmountError, InputError

MICRO = 10**6
LINE_SCHEMA = pa.schema([
    ("line_id", pa.int64()), ("importer", pa.string()), ("origin", pa.string()), ("code", pa.string()),
    ("date", pa.date32()), ("loaded", pa.date32()), ("value_micro", pa.int64()), ("quantity_micro", pa.int64()),
    ("unit", pa.string()), ("claims", pa.list_(pa.string())),
])  # fmt: skip
CONTENT_SCHEMA = pa.schema([("line_id", pa.int64()), ("name", pa.string()), ("amount_micro", pa.int64())])
TARIFF_KINDS = ("ad_valorem", "specific", "compound")
RATE_COLUMNS = "measure, prefix, included, valid_from, valid_to, specific_unit, rate_text, by_code, claim, base"


def micro(amount: Decimal | None, field: str) -> int | None:
    """An amount in millionths, exactly; more than six decimal places cannot be held and is refused."""
    if amount is None:
        return None
    scaled = amount * MICRO
    if scaled != scaled.to_integral_value():
        raise BadAmountError(field, f"{amount} has more than six decimal places")
    return int(scaled)


def lines_to_arrow(lines: Sequence[Line]) -> tuple[pa.Table, pa.Table]:
    """Validated lines as the engine's two input tables: the lines, and their content values (long form)."""
    rows = [
        {
            "line_id": index,
            "importer": line.importer,
            "origin": line.origin,
            "code": line.code,
            "date": line.date,
            "loaded": line.loaded,
            "value_micro": micro(line.value, "value"),
            "quantity_micro": micro(line.quantity, "quantity"),
            "unit": line.unit,
            "claims": sorted(line.claims),
        }
        for index, line in enumerate(lines)
    ]
    contents = [
        {"line_id": index, "name": name, "amount_micro": micro(amount, f"content.{name}")}
        for index, line in enumerate(lines)
        for name, amount in line.content.items()
    ]
    return pa.Table.from_pylist(rows, schema=LINE_SCHEMA), pa.Table.from_pylist(contents, schema=CONTENT_SCHEMA)


def evaluate_lines(compiled: CompiledPack, lines: pa.Table, contents: pa.Table) -> tuple[pa.Table, pa.Table]:
    """The layers (line_id, measure, kind, base, rate_text, amount_cents) and the totals (line_id, total_cents)."""
    with duckdb.connect() as db:
        _register(db, compiled, lines, contents)
        _candidates(db, compiled.as_known_on)
        for stage in _stages(compiled):
            _apply_stage(db, stage)
        layers = db.sql(
            "SELECT line_id, measure, kind, base, rate_text, amount_cents FROM applied ORDER BY line_id, position"
        ).to_arrow_table()
        totals = db.sql("""
            SELECT l.line_id,
                   CASE WHEN bool_or(a.kind IN ('ad_valorem', 'specific', 'compound') AND a.amount_cents IS NULL)
                        THEN NULL ELSE coalesce(sum(a.amount_cents) FILTER (WHERE a.kind IN
                        ('ad_valorem', 'specific', 'compound')), 0) END AS total_cents
            FROM lines l LEFT JOIN applied a USING (line_id) GROUP BY l.line_id ORDER BY l.line_id
        """).to_arrow_table()
    return layers, totals


def _register(db: duckdb.DuckDBPyConnection, compiled: CompiledPack, lines: pa.Table, contents: pa.Table) -> None:
    db.register("lines", lines)
    db.register("contents", contents)
    db.register("rates_source", compiled.rates)
    db.register("transit_source", compiled.transit)
    db.register("code_rates_source", compiled.code_rates)
    db.register("measures", compiled.measures)
    by_name, by_base = content_bits(compiled)
    pairs: dict[str, tuple[list[str], list[tuple[object, ...]]]] = {
        "excluded_partners": (
            ["measure", "partner"],
            [(m, p) for m, ps in compiled.excluded_partners.items() for p in ps],
        ),
        "exempt_pairs": (["exemption", "target"], [(e, t) for e, ts in compiled.exempts.items() for t in ts]),
        "conflicts": (["a", "b"], sorted(compiled.conflicts)),
        "remainder_pairs": (["measure", "target"], [(m, t) for m, ts in compiled.remainder_of.items() for t in ts]),
        "positions": (["measure", "position"], [(m, i) for i, m in enumerate(compiled.order)]),
        "content_bits": (["name", "bit"], list(by_name.items())),
        "base_bits": (["base", "bit"], list(by_base.items())),
    }
    for name, (columns, rows) in pairs.items():
        data = {column: [row[i] for row in rows] for i, column in enumerate(columns)}
        types = [pa.int64() if column in ("position", "bit") else pa.string() for column in columns]
        db.register(name, pa.table(data, schema=pa.schema(list(zip(columns, types, strict=True)))))
    micro_columns = "CAST(percent * 1000000 AS HUGEINT) AS pct, CAST(specific_amount * 1000000 AS HUGEINT) AS spec"
    # only what the plan reads: sources, URLs and headings stay in the compiled table
    susp = "CAST(suspended_points * 1000000 AS HUGEINT) AS susp"
    db.execute(f"CREATE TEMP TABLE rates AS SELECT {RATE_COLUMNS}, {susp}, {micro_columns} FROM rates_source")
    db.execute(f"CREATE TEMP TABLE transit AS SELECT *, {micro_columns} FROM transit_source")
    db.execute(f"CREATE TEMP TABLE code_rates AS SELECT *, {micro_columns} FROM code_rates_source")


def _candidates(db: duckdb.DuckDBPyConnection, as_known_on: date | None) -> None:
    known_on = f"DATE '{as_known_on.isoformat()}'" if as_known_on else "l.date"
    db.execute("""
        CREATE TEMP TABLE prefixes AS
        SELECT line_id, importer, origin, date, claims,
               unnest(list_distinct(['', substr(code, 1, 2), substr(code, 1, 4), substr(code, 1, 6),
                                     substr(code, 1, 8), substr(code, 1, 10)])) AS prefix
        FROM lines
    """)
    db.execute("""
        CREATE TEMP TABLE candidates AS
        SELECT * EXCLUDE (rn) FROM (
            SELECT p.line_id, r.*, m.kind,
                   row_number() OVER (PARTITION BY p.line_id, r.measure
                                      ORDER BY length(r.prefix) DESC, r.included ASC) AS rn
            FROM prefixes p  -- the line's date, importer and origin are in the prefix rows: one join, no look-back
            JOIN rates r ON r.prefix = p.prefix AND p.date >= r.valid_from AND p.date < r.valid_to
            JOIN measures m ON m.measure = r.measure AND m.importer = p.importer
                            AND (m.partner = p.origin OR m.partner = '*')
            WHERE NOT EXISTS (SELECT 1 FROM excluded_partners x WHERE x.measure = r.measure AND x.partner = p.origin)
              AND (r.claim IS NULL OR list_contains(p.claims, r.claim))
        ) WHERE rn = 1 AND included
    """)
    # Per-code rates: the longest prefix of the line's code with an entry gives the rate; a null entry excludes.
    db.execute("""
        CREATE TEMP TABLE by_code AS
        SELECT * EXCLUDE (rn) FROM (
            SELECT c.line_id, c.measure, k.pct, k.spec, k.specific_unit, k.rate_text,
                   row_number() OVER (PARTITION BY c.line_id, c.measure ORDER BY length(k.prefix) DESC) AS rn
            FROM candidates c JOIN prefixes p ON p.line_id = c.line_id
            JOIN code_rates k ON k.measure = c.measure AND k.prefix = p.prefix
                             AND p.date >= k.valid_from AND p.date < k.valid_to
            WHERE c.by_code
        ) WHERE rn = 1
    """)
    db.execute("""
        DELETE FROM candidates c WHERE c.by_code AND NOT EXISTS (
            SELECT 1 FROM by_code b WHERE b.line_id = c.line_id AND b.measure = c.measure AND b.rate_text IS NOT NULL)
    """)
    db.execute("""
        UPDATE candidates c SET pct = b.pct, spec = b.spec, specific_unit = b.specific_unit, rate_text = b.rate_text
        FROM by_code b WHERE b.line_id = c.line_id AND b.measure = c.measure
    """)
    db.execute(f"""
        CREATE TEMP TABLE effective AS
        WITH hits AS (
            SELECT * EXCLUDE (rn) FROM (
                SELECT c.line_id, c.measure, t.exempt, t.pct, t.spec, t.specific_unit, t.rate_text,
                       row_number() OVER (PARTITION BY c.line_id, c.measure ORDER BY t.rule_index) AS rn
                FROM candidates c JOIN lines l ON l.line_id = c.line_id JOIN transit t ON t.measure = c.measure
                WHERE l.loaded IS NOT NULL AND l.loaded < t.loaded_before AND t.loaded_before <= l.date
                  AND l.date < t.entered_before AND t.known_from <= {known_on}
            ) WHERE rn = 1
        )
        SELECT c.line_id, c.measure, c.kind, c.base,
               CASE WHEN h.line_id IS NULL THEN c.rate_text ELSE h.rate_text END AS rate_text,
               CASE WHEN (CASE WHEN h.line_id IS NULL THEN c.pct ELSE h.pct END) IS NULL THEN NULL
                    ELSE greatest((CASE WHEN h.line_id IS NULL THEN c.pct ELSE h.pct END) - c.susp, 0) END AS pct,
               CASE WHEN h.line_id IS NULL THEN c.spec ELSE h.spec END AS spec,
               CASE WHEN h.line_id IS NULL THEN c.specific_unit ELSE h.specific_unit END AS spec_unit
        FROM candidates c LEFT JOIN hits h ON h.line_id = c.line_id AND h.measure = c.measure
        WHERE h.line_id IS NULL OR NOT h.exempt
    """)
    db.execute("""
        DELETE FROM effective e WHERE EXISTS (
            SELECT 1 FROM effective x JOIN exempt_pairs p ON p.exemption = x.measure AND p.target = e.measure
            WHERE x.line_id = e.line_id AND x.kind = 'exemption')
    """)
    db.execute("DELETE FROM effective WHERE kind = 'exemption'")
    db.execute("""
        CREATE TEMP TABLE applied (line_id BIGINT, measure VARCHAR, kind VARCHAR, base VARCHAR, rate_text VARCHAR,
                                   base_micro HUGEINT, amount_cents HUGEINT, position BIGINT, part_excl BOOLEAN,
                                   part_mask BIGINT)
    """)


def _stages(compiled: CompiledPack) -> list[list[str]]:
    """Measures in stacking order, cut into stages whose members neither conflict nor depend on one another."""
    stages: list[list[str]] = []
    for measure in compiled.order:
        depends = set(compiled.remainder_of.get(measure, ())) | {b for a, b in compiled.conflicts if a == measure}
        if stages and not depends.intersection(stages[-1]):
            stages[-1].append(measure)
        else:
            stages.append([measure])
    return stages


def _apply_stage(db: duckdb.DuckDBPyConnection, stage: list[str]) -> None:
    db.execute(f"INSERT INTO applied {stage_sql(stage, DUCKDB)}")  # measure ids are [a-z0-9_.-] (validated)


def content_bits(compiled: CompiledPack) -> tuple[dict[str, int], dict[str, int]]:
    """One bit for each content a layer of the pack is computed on (copper, steel, ...), by content name and by base
    as the rate table writes it: see engine/plan_sql.py."""
    bases = set(compiled.rates.column("base").to_pylist()) - {"customs_value"}
    names = sorted({base.replace("_content", "") for base in bases})
    if len(names) > 62:
        raise InputError("pack", f"the engine tells at most 62 content bases apart, the pack has {len(names)}")
    by_name = {name: 1 << index for index, name in enumerate(names)}
    return by_name, {base: by_name[base.replace("_content", "")] for base in sorted(bases)}


def cents_to_decimal(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents).scaleb(-2)
