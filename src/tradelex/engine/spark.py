"""The Spark engine: the DuckDB engine's plan (engine/duck.py) run on Spark SQL, step for step.

The same plan as DuckDB's: expand each line's code into its prefixes (explode(array_distinct(array(...)))); join the
rate table on prefix, importer and partner, keeping rows valid on the entry date; keep the longest prefix per line and
measure with a row_number window (an exclusion wins a tie); apply transit rules, exemptions and, stage by stage in
stacking order (duck._stages, in a Python loop), `not_with` and the remainder of the value; then compute each layer's
amount. NOT EXISTS becomes a LEFT ANTI JOIN; DELETE and UPDATE become a query over the table as it was. DuckDB's
temp tables that later steps read more than once (candidates, effective, applied after each stage) are local
checkpoints: Spark computes each once, and the plan of a stage does not grow with the stages before it.

Money is exact, as in DuckDB: DuckDB's HUGEINT is DECIMAL(38, 0) here (integer millionths, 1e-14 dollars, cents), and
no float or double is ever used. Spark's `div` on decimals returns a BIGINT that silently wraps on overflow, `/`
rounds its quotient to six places and sign() is a DOUBLE, so DuckDB's rounding to the cent, half away from zero,
`sign(n) * ((abs(n) + 5 * 10^11) // 10^12)`, is a CASE on the sign around `(m - m % d) / d`: an exact quotient of an
exact multiple, cast back to DECIMAL(38, 0). ANSI mode is on, so an overflow is an error rather than a NULL.

Spark runs in local mode on 127.0.0.1 only (local_session); pass another session to use a cluster.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import duckdb
import pyarrow as pa
from pyspark import SparkContext
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DataType,
    DateType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from tradelex.engine.compile import CompiledPack
from tradelex.engine.duck import CONTENT_SCHEMA, LINE_SCHEMA, RATE_COLUMNS, TARIFF_KINDS, _register, _stages
from tradelex.engine.plan_sql import Dialect, stage_sql

MONEY = "DECIMAL(38, 0)"  # DuckDB's HUGEINT: every integer the DuckDB engine's money passes through
MONEY_TYPE = DecimalType(38, 0)
LAYER_SCHEMA = pa.schema([
    ("line_id", pa.int64()), ("measure", pa.string()), ("kind", pa.string()), ("base", pa.string()),
    ("rate_text", pa.string()), ("amount_cents", pa.decimal128(38, 0)),
])  # fmt: skip
TOTAL_SCHEMA = pa.schema([("line_id", pa.int64()), ("total_cents", pa.decimal128(38, 0))])
APPLIED_SCHEMA = StructType([
    StructField("line_id", LongType()), StructField("measure", StringType()), StructField("kind", StringType()),
    StructField("base", StringType()), StructField("rate_text", StringType()), StructField("base_micro", MONEY_TYPE),
    StructField("amount_cents", MONEY_TYPE), StructField("position", LongType()),
    StructField("part_excl", BooleanType()), StructField("part_mask", LongType()),
])  # fmt: skip
PAIR_TABLES = (
    "excluded_partners", "exempt_pairs", "conflicts", "remainder_pairs", "positions", "content_bits", "base_bits",
)  # fmt: skip
LOOPBACK = "127.0.0.1"
MASTER = "local[2]"
SESSION_CONF = {
    "spark.driver.host": LOOPBACK,
    "spark.driver.bindAddress": LOOPBACK,
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    # a batch of 200,000 lines against the full us-cn rate table needs more than the default 1 GB heap (it ran out at
    # 500,000); set before the JVM starts, so it holds for the session local_session() builds only
    "spark.driver.memory": "3g",
}
# Set on the engine's own session (a child of the caller's) whatever session the caller passes:
PLAN_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",  # an overflow raises instead of becoming NULL
    "spark.sql.decimalOperations.allowPrecisionLoss": "true",  # the decimal result types the queries are written for
    # Off for correctness: a checkpoint read twice in one query is deduplicated into a copy whose constraints still
    # name the original's columns (seen with PySpark 4.3), and the optimizer then takes `h.line_id IS NULL` after a
    # LEFT JOIN for false and turns the join into an inner join. Constraints only ever add inferred filters.
    "spark.sql.constraintPropagation.enabled": "false",
}

_TARIFF = ", ".join(f"'{kind}'" for kind in TARIFF_KINDS)
_MEASURE_ID = re.compile(r"[a-z0-9_.-]+")
_ARROW = hasattr(DataFrame, "toArrow")  # PySpark 4: Arrow tables in and out; 3.5: rows of exact Python values
_session_lock = threading.Lock()
_sessions: list[SparkSession] = []


def local_session() -> SparkSession:
    """A local SparkSession (local[2], bound to 127.0.0.1, no UI), built once and reused until it is stopped."""
    with _session_lock:
        if not _sessions or SparkContext._active_spark_context is not _sessions[0].sparkContext:
            _sessions[:] = [_build_local_session()]
        return _sessions[0]


def _build_local_session() -> SparkSession:
    builder = SparkSession.builder.master(MASTER).appName("tradelex")
    for key, value in (SESSION_CONF | PLAN_CONF).items():
        builder = builder.config(key, value)
    with _loopback_only():
        session = builder.getOrCreate()
    context = session.sparkContext
    if context.master != MASTER or context.getConf().get("spark.driver.host") != LOOPBACK:
        raise RuntimeError(f"a Spark context ({context.master}) is already running in this process; stop it first")
    context.setLogLevel("ERROR")
    return session


@contextmanager
def _loopback_only() -> Iterator[None]:
    """SPARK_LOCAL_IP for the JVM being launched, so that nothing resolves the host name to another interface."""
    previous = os.environ.get("SPARK_LOCAL_IP")
    os.environ["SPARK_LOCAL_IP"] = LOOPBACK
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SPARK_LOCAL_IP"]
        else:
            os.environ["SPARK_LOCAL_IP"] = previous


def evaluate_lines_spark(
    compiled: CompiledPack, lines_table: pa.Table, contents_table: pa.Table, spark: SparkSession | None = None
) -> tuple[pa.Table, pa.Table]:
    """The layers (line_id, measure, kind, base, rate_text, amount_cents) and the totals (line_id, total_cents),
    as DuckDB's evaluate_lines gives them (the same columns, types and order), computed by Spark.

    The work runs in a child of `spark` (default: local_session()) with the settings of PLAN_CONF; the caller's
    session keeps its own settings and temporary views."""
    session = (spark or local_session()).newSession()  # its own SQL settings and temporary views
    for key, value in PLAN_CONF.items():
        session.conf.set(key, value)
    plan = _Plan(session, compiled, lines_table, contents_table)
    plan.candidates(compiled.as_known_on)
    for stage in _stages(compiled):
        plan.apply_stage(stage)
    return plan.layers(), plan.totals()


class _Plan:
    """The DuckDB engine's temp tables as DataFrames, each step one Spark SQL query over the ones before."""

    def __init__(self, spark: SparkSession, compiled: CompiledPack, lines: pa.Table, contents: pa.Table) -> None:
        self.spark = spark
        self.frames: dict[str, DataFrame] = {
            name: _to_spark(spark, table)
            for name, table in {
                "lines": lines,
                "contents": contents,
                "rates_source": compiled.rates,
                "transit_source": compiled.transit,
                "code_rates_source": compiled.code_rates,
                "measures": compiled.measures,
                **_pair_tables(compiled),
            }.items()
        }
        micro = f"CAST(percent * 1000000 AS {MONEY}) AS pct, CAST(specific_amount * 1000000 AS {MONEY}) AS spec"
        self.frames["rates"] = self.sql(
            f"SELECT {RATE_COLUMNS}, CAST(suspended_points * 1000000 AS {MONEY}) AS susp, {micro} FROM {{rates_source}}"
        )
        self.frames["transit"] = self.sql(f"SELECT *, {micro} FROM {{transit_source}}")
        self.frames["code_rates"] = self.sql(f"SELECT *, {micro} FROM {{code_rates_source}}")
        self.frames["applied"] = spark.createDataFrame([], APPLIED_SCHEMA)
        self.partitions = int(spark.conf.get("spark.sql.shuffle.partitions") or "2")

    def sql(self, query: str) -> DataFrame:
        """A query whose {name} placeholders are the plan's DataFrames."""
        return self.spark.sql(query, None, **self.frames)

    def keep(self, name: str) -> None:
        """Materialise a table as DuckDB's CREATE TEMP TABLE does: computed once, read by later steps.

        A local checkpoint, through `coalesce` so that it claims no hash partitioning or ordering: a copy of a
        checkpoint made for a query that reads it twice keeps those of the original, naming the original's columns.
        """
        self.frames[name] = self.frames[name].coalesce(self.partitions).localCheckpoint()

    def candidates(self, as_known_on: date | None) -> None:
        known_on = f"DATE '{as_known_on.isoformat()}'" if as_known_on else "l.date"
        self.frames["prefixes"] = self.sql("""
            SELECT line_id, importer, origin, date, claims,
                   explode(array_distinct(array('', substr(code, 1, 2), substr(code, 1, 4),
                                                         substr(code, 1, 6), substr(code, 1, 8),
                                                         substr(code, 1, 10)))) AS prefix
            FROM {lines}
        """)
        self.frames["candidates"] = self.sql("""
            SELECT * FROM (
                SELECT p.line_id, r.*, m.kind,
                       row_number() OVER (PARTITION BY p.line_id, r.measure
                                          ORDER BY length(r.prefix) DESC, r.included ASC) AS rn
                FROM {prefixes} p
                JOIN {rates} r ON r.prefix = p.prefix AND p.date >= r.valid_from AND p.date < r.valid_to
                JOIN {measures} m ON m.measure = r.measure AND m.importer = p.importer
                                  AND (m.partner = p.origin OR m.partner = '*')
                LEFT ANTI JOIN {excluded_partners} x ON x.measure = r.measure AND x.partner = p.origin
                WHERE r.claim IS NULL OR array_contains(p.claims, r.claim)
            ) WHERE rn = 1 AND included
        """).drop("rn")
        # Per-code rates: the longest prefix of the line's code with an entry gives the rate; a null entry excludes.
        self.frames["by_code"] = self.sql("""
            SELECT * FROM (
                SELECT c.line_id, c.measure, k.pct, k.spec, k.specific_unit, k.rate_text,
                       row_number() OVER (PARTITION BY c.line_id, c.measure ORDER BY length(k.prefix) DESC) AS rn
                FROM {candidates} c JOIN {prefixes} p ON p.line_id = c.line_id
                JOIN {code_rates} k ON k.measure = c.measure AND k.prefix = p.prefix
                                    AND p.date >= k.valid_from AND p.date < k.valid_to
                WHERE c.by_code
            ) WHERE rn = 1
        """).drop("rn")
        # DuckDB's DELETE (a per-code measure with no rate for the code) and UPDATE (the code's rate), in one query:
        # by_code holds at most one row per line and measure, so NOT EXISTS is "no match, or a match without a rate".
        updated = ("pct", "spec", "specific_unit", "rate_text")
        columns = ", ".join(
            f"CASE WHEN b.line_id IS NOT NULL THEN b.{name} ELSE c.{name} END AS {name}"
            if name in updated
            else f"c.{name}"
            for name in self.frames["candidates"].columns
        )
        self.frames["candidates"] = self.sql(f"""
            SELECT {columns}
            FROM {{candidates}} c LEFT JOIN {{by_code}} b ON b.line_id = c.line_id AND b.measure = c.measure
            WHERE NOT coalesce(c.by_code AND NOT (b.line_id IS NOT NULL AND b.rate_text IS NOT NULL), false)
        """)
        self.keep("candidates")
        self.frames["effective"] = self.sql(f"""
            WITH hits AS (
                SELECT * FROM (
                    SELECT c.line_id, c.measure, t.exempt, t.pct, t.spec, t.specific_unit, t.rate_text,
                           row_number() OVER (PARTITION BY c.line_id, c.measure ORDER BY t.rule_index) AS rn
                    FROM {{candidates}} c JOIN {{lines}} l ON l.line_id = c.line_id
                    JOIN {{transit}} t ON t.measure = c.measure
                    WHERE l.loaded IS NOT NULL AND l.loaded < t.loaded_before AND t.loaded_before <= l.date
                      AND l.date < t.entered_before AND t.known_from <= {known_on}
                ) WHERE rn = 1
            )
            SELECT c.line_id, c.measure, c.kind, c.base,
                   CASE WHEN h.line_id IS NULL THEN c.rate_text ELSE h.rate_text END AS rate_text,
                   CAST(CASE WHEN (CASE WHEN h.line_id IS NULL THEN c.pct ELSE h.pct END) IS NULL THEN NULL
                        ELSE greatest((CASE WHEN h.line_id IS NULL THEN c.pct ELSE h.pct END) - c.susp,
                                      CAST(0 AS {MONEY})) END AS {MONEY}) AS pct,
                   CASE WHEN h.line_id IS NULL THEN c.spec ELSE h.spec END AS spec,
                   CASE WHEN h.line_id IS NULL THEN c.specific_unit ELSE h.specific_unit END AS spec_unit
            FROM {{candidates}} c LEFT JOIN hits h ON h.line_id = c.line_id AND h.measure = c.measure
            WHERE h.line_id IS NULL OR NOT h.exempt
        """)
        self.keep("effective")
        # DuckDB's two DELETEs: an exemption in force removes the measures it exempts (judged on the table as it was,
        # before any row is removed), then the exemptions themselves go.
        self.frames["effective"] = self.sql("""
            SELECT e.* FROM {effective} e
            LEFT ANTI JOIN (SELECT x.line_id, p.target FROM {effective} x
                            JOIN {exempt_pairs} p ON p.exemption = x.measure
                            WHERE x.kind = 'exemption') ex
              ON ex.line_id = e.line_id AND ex.target = e.measure
            WHERE e.kind <> 'exemption'
        """)
        self.keep("effective")
        _require_exact(self.frames["effective"], {"pct": MONEY_TYPE, "spec": MONEY_TYPE})

    def apply_stage(self, stage: list[str]) -> None:
        if not all(_MEASURE_ID.fullmatch(measure) for measure in stage):
            raise ValueError(f"unexpected measure ids in a stage: {stage}")
        rows = self.sql(stage_sql(stage, SPARK))
        _require_exact(rows, {field.name: field.dataType for field in APPLIED_SCHEMA.fields})
        self.frames["applied"] = self.frames["applied"].unionByName(rows)
        self.keep("applied")

    def layers(self) -> pa.Table:
        found = self.sql(
            "SELECT line_id, measure, kind, base, rate_text, amount_cents FROM {applied} ORDER BY line_id, position"
        )
        return _to_arrow(found, LAYER_SCHEMA)

    def totals(self) -> pa.Table:
        found = self.sql(f"""
            SELECT l.line_id,
                   CAST(CASE WHEN bool_or(a.kind IN ({_TARIFF}) AND a.amount_cents IS NULL) THEN NULL
                        ELSE coalesce(sum(a.amount_cents) FILTER (WHERE a.kind IN ({_TARIFF})),
                                      CAST(0 AS {MONEY})) END AS {MONEY}) AS total_cents
            FROM {{lines}} l LEFT JOIN {{applied}} a ON a.line_id = l.line_id GROUP BY l.line_id ORDER BY l.line_id
        """)
        return _to_arrow(found, TOTAL_SCHEMA)


def _half_up_to_cents(exact: str) -> str:
    """DuckDB's `sign(n) * ((abs(n) + 5 * 10^11) // 10^12)` on DECIMAL(38, 0): 1e-14 dollars to cents, half away from
    zero as Decimal's ROUND_HALF_UP. (Spark's sign() is a DOUBLE, so the sign is a CASE.)"""
    whole = _truncating_division(f"(abs({exact}) + CAST(500000000000 AS {MONEY}))", f"CAST(1000000000000 AS {MONEY})")
    return f"CAST(CASE WHEN {exact} < 0 THEN -{whole} ELSE {whole} END AS {MONEY})"


# The stacking stage is the DuckDB engine's own SQL (engine/plan_sql.py), with Spark's names for the same things.
SPARK = Dialect(
    table=lambda name: f"{{{name}}}", money=MONEY, anti_join="LEFT ANTI JOIN", half_up_to_cents=_half_up_to_cents
)


def _truncating_division(numerator: str, divisor: str) -> str:
    """DuckDB's integer `//` (toward zero) on DECIMAL(38, 0), exactly: `%` keeps the dividend's sign, so the
    difference is a multiple of the divisor and `/` divides it without rounding."""
    return f"CAST(({numerator} - {numerator} % {divisor}) / {divisor} AS {MONEY})"


def _pair_tables(compiled: CompiledPack) -> dict[str, pa.Table]:
    """The pair tables exactly as the DuckDB engine builds them (duck._register), read back as Arrow."""
    with duckdb.connect() as db:
        _register(db, compiled, LINE_SCHEMA.empty_table(), CONTENT_SCHEMA.empty_table())
        return {name: db.table(name).to_arrow_table() for name in PAIR_TABLES}


def _spark_type(arrow_type: pa.DataType) -> DataType:
    """The Spark type of an input column; floating point is refused (money is never a float here)."""
    if pa.types.is_decimal(arrow_type):
        return DecimalType(arrow_type.precision, arrow_type.scale)
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return ArrayType(_spark_type(arrow_type.value_type))
    simple: list[tuple[pa.DataType, DataType]] = [
        (pa.int64(), LongType()),
        (pa.int32(), IntegerType()),
        (pa.string(), StringType()),
        (pa.large_string(), StringType()),
        (pa.bool_(), BooleanType()),
        (pa.date32(), DateType()),
    ]
    for arrow, spark in simple:
        if arrow_type == arrow:
            return spark
    raise TypeError(f"the Spark engine takes no column of type {arrow_type}")


def _to_spark(spark: SparkSession, table: pa.Table, *, arrow: bool = _ARROW) -> DataFrame:
    schema = StructType([StructField(field.name, _spark_type(field.type)) for field in table.schema])
    if arrow:
        return spark.createDataFrame(table, schema)
    return spark.createDataFrame(table.to_pylist(), schema)  # Decimal, date and int values: exact


def _to_arrow(frame: DataFrame, schema: pa.Schema, *, arrow: bool = _ARROW) -> pa.Table:
    _require_exact(frame, {field.name: _spark_type(field.type) for field in schema})
    if arrow:
        return frame.toArrow().select(schema.names).cast(schema)
    return pa.Table.from_pylist([row.asDict() for row in frame.collect()], schema=schema)


def _require_exact(frame: DataFrame, expected: dict[str, DataType]) -> None:
    """No float or double anywhere, and each named column of exactly the expected type."""
    types = {field.name: field.dataType for field in frame.schema.fields}
    inexact = [name for name, kind in types.items() if isinstance(kind, FloatType | DoubleType)]
    wrong = [
        f"{name}: {types.get(name)} (expected {kind})" for name, kind in expected.items() if types.get(name) != kind
    ]
    if inexact or wrong:
        raise TypeError(f"inexact or unexpected column types in the Spark plan: {inexact + wrong}")


__all__ = ["LAYER_SCHEMA", "TOTAL_SCHEMA", "evaluate_lines_spark", "local_session"]
