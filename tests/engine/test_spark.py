"""The Spark engine against the DuckDB engine: the same layers and totals, the same column types, the same order.

engine/spark.py runs the DuckDB engine's plan on Spark SQL; DuckDB (itself held to the reference evaluator by
test_crosscheck.py) is the authority here. One local SparkSession serves the whole module; every evaluation is one
Spark call, which costs seconds, so the property draws few examples.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest

pytest.importorskip("pyspark", reason="pyspark is not installed (it is a dev extra): the Spark engine is not tested")

import duckdb
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyspark.sql import SparkSession

from tradelex.engine.compile import CompiledPack, compile_pack
from tradelex.engine.duck import evaluate_lines, lines_to_arrow
from tradelex.engine.line import Line
from tradelex.engine.spark import (
    LAYER_SCHEMA,
    MONEY,
    TOTAL_SCHEMA,
    _half_up_to_cents,
    _to_arrow,
    _to_spark,
    _truncating_division,
    evaluate_lines_spark,
    local_session,
)
from tradelex.engine.timeline import change_dates
from tradelex.rules.loader import load_bundled_pack
from tradelex.rules.model import Pack

FIRST_DAY = date(2018, 1, 1)
LAST_DAY = date(2026, 12, 31)
SPAN = (LAST_DAY - FIRST_DAY).days
DEMO_CODES = ("6109100012", "7411101000", "3923210095", "8517130000", "1201900000")
SOYBEANS = "1201900000"  # China's countermeasures: imported into CN from the US
COPPER = "7411101000"

PROPERTY = settings(
    max_examples=20,
    deadline=None,  # one Spark call per example: seconds, not milliseconds
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("no Java runtime: Spark cannot start")
    session = local_session()
    yield session
    session.stop()


@pytest.fixture(scope="module")
def demo() -> Pack:
    return load_bundled_pack("demo")


def assert_same(compiled: CompiledPack, lines: list[Line], spark: SparkSession) -> tuple[pa.Table, pa.Table]:
    """Spark's layers and totals equal DuckDB's: schema (types and nullability), rows and their order."""
    tables = lines_to_arrow(lines)
    expected = evaluate_lines(compiled, *tables)
    actual = evaluate_lines_spark(compiled, *tables, spark=spark)
    for name, duck_table, spark_table in zip(("layers", "totals"), expected, actual, strict=True):
        assert spark_table.schema == duck_table.schema, f"{name}: {spark_table.schema} != {duck_table.schema}"
        assert spark_table.to_pylist() == duck_table.to_pylist(), f"{name} differ"
    return actual


def boundaries(pack: Pack) -> list[date]:
    measures = list(pack.measures.values())
    transit = {d for m in measures for rule in m.transit for d in (rule.loaded_before, rule.entered_before)}
    return sorted({d for m in measures for d in change_dates(m)} | transit)


def demo_lines(pack: Pack, count: int, seed: int) -> list[Line]:
    """Lines over the demo codes on days across 2018-2026, a third of them on and around the pack's change dates."""
    rng = random.Random(seed)
    near = [b + timedelta(days=shift) for b in boundaries(pack) for shift in (-1, 0, 1)]
    found = []
    for index in range(count):
        code = DEMO_CODES[index % len(DEMO_CODES)]
        importer, origin = ("CN", "US") if code == SOYBEANS else ("US", "CN")
        if rng.random() < 0.1:
            importer, origin = origin, importer  # the other direction: nothing or other measures apply
        day = rng.choice(near) if index % 3 == 0 else FIRST_DAY + timedelta(days=rng.randrange(SPAN + 1))
        value = None if rng.random() < 0.05 else Decimal(rng.randrange(10**8)).scaleb(-2)
        content = {}
        if code == COPPER and rng.random() < 0.9:
            share = rng.randrange(101)
            copper = Decimal(rng.randrange(10**8)).scaleb(-2) if value is None else value * share / 100
            content["copper"] = copper.quantize(Decimal("0.01"))
        with_quantity = rng.random() < 0.3
        found.append(
            Line.parse(
                code=code,
                origin=origin,
                importer=importer,
                date=day,
                loaded=day - timedelta(days=rng.randrange(90)) if rng.random() < 0.4 else None,
                value=value,
                quantity=Decimal(rng.randrange(10**6)).scaleb(-3) if with_quantity else None,
                unit=rng.choice(("kg", "doz", "item")) if with_quantity else None,
                content=content,
                validate_nomenclature=False,
            )
        )
    return found


def test_local_session_is_local_and_cached(spark: SparkSession) -> None:
    assert local_session() is spark
    conf = spark.sparkContext.getConf()
    assert spark.sparkContext.master == "local[2]"
    assert conf.get("spark.driver.host") == "127.0.0.1"
    assert conf.get("spark.driver.bindAddress") == "127.0.0.1"
    assert conf.get("spark.ui.enabled") == "false"


@pytest.mark.parametrize("as_known_on", [None, date(2025, 4, 8)])
def test_demo_pack_agrees_with_duckdb(spark: SparkSession, demo: Pack, as_known_on: date | None) -> None:
    """A few hundred demo lines, as known on their entry dates and on a fixed day: the same tables as DuckDB.

    Also the guard on spark.PLAN_CONF: with constraint propagation on, PySpark 4.3 loses every layer of this batch
    (the transit LEFT JOIN over the checkpointed candidates becomes an inner join)."""
    lines = demo_lines(demo, 300, seed=20250405)
    layers, totals = assert_same(compile_pack(demo, as_known_on=as_known_on), lines, spark)
    assert totals.num_rows == len(lines)
    rows = layers.to_pylist()
    # The batch exercises the plan: remainders after the copper layer, unknown amounts, several measures per line.
    assert any(row["base"] == "remainder" for row in rows) or as_known_on is not None
    assert any(row["amount_cents"] is None for row in rows)
    assert len({row["measure"] for row in rows}) >= 4


def test_no_lines(spark: SparkSession, demo: Pack) -> None:
    layers, totals = assert_same(compile_pack(demo), [], spark)
    assert layers.num_rows == totals.num_rows == 0


def test_integer_money_matches_duckdb(spark: SparkSession) -> None:
    """DuckDB's HUGEINT `//` (toward zero) and its rounding to the cent (half away from zero), exactly, far past 2**63
    and for negative amounts (a remainder of the value below zero)."""
    cent, half = 10**12, 10**12 // 2  # in 1e-14 dollars
    exact = [0, 1, half - 1, half, cent - 1, cent, 15 * cent + half, -1, -half, -half + 1]
    exact += [-15 * cent - half, -cent - 1, 37 * 10**30 + half, -(37 * 10**30) - half]
    columns = [
        f"{_truncating_division(f'CAST({n} AS {MONEY})', f'CAST({cent} AS {MONEY})')} AS q{i}, "
        f"{_half_up_to_cents(f'CAST({n} AS {MONEY})')} AS c{i}"
        for i, n in enumerate(exact)
    ]
    found = spark.sql(f"SELECT {', '.join(columns)}").collect()[0]
    duck = ", ".join(
        f"CAST({n} AS HUGEINT) // {cent}, sign(CAST({n} AS HUGEINT)) * ((abs(CAST({n} AS HUGEINT)) + {half}) // {cent})"
        for n in exact
    )
    expected = duckdb.sql(f"SELECT {duck}").fetchall()[0]
    assert [int(found[f"{kind}{i}"]) for i in range(len(exact)) for kind in "qc"] == [int(v) for v in expected]
    assert (found["c6"], found["c8"], found["c9"]) == (16, -1, 0)  # 15.5 cents, -0.5 cents, -0.4999... cents


def test_row_conversions_match_arrow_conversions(spark: SparkSession, demo: Pack) -> None:
    """The PySpark 3.5 path (rows of Decimal, date and int values) gives what the Arrow path of PySpark 4 gives."""
    lines = demo_lines(demo, 20, seed=7)
    tables = lines_to_arrow(lines)
    for table in tables:
        by_rows = _to_spark(spark, table, arrow=False)
        by_arrow = _to_spark(spark, table, arrow=True)
        assert by_rows.schema == by_arrow.schema
        assert by_rows.orderBy("line_id").collect() == by_arrow.orderBy("line_id").collect()
    layers, totals = evaluate_lines(compile_pack(demo), *tables)
    for table, schema in ((layers, LAYER_SCHEMA), (totals, TOTAL_SCHEMA)):
        assert table.schema == schema  # DuckDB's output types are the ones the Spark engine promises
        frame = _to_spark(spark, table)
        assert _to_arrow(frame, schema, arrow=False).equals(table)
        assert _to_arrow(frame, schema, arrow=True).equals(table)


# ---------------------------------------------------------------------------------------------------------------
# Property: random lines on the demo pack

days = st.integers(min_value=0, max_value=SPAN).map(lambda n: FIRST_DAY + timedelta(days=n))
cents = st.integers(min_value=0, max_value=10**9).map(lambda n: Decimal(n).scaleb(-2))


@st.composite
def lines(draw: st.DrawFn) -> Line:
    day = draw(days)
    code = draw(st.sampled_from(DEMO_CODES))
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        code = code[: draw(st.sampled_from((2, 4, 6, 8)))]
    importer, origin = draw(st.sampled_from((("US", "CN"), ("CN", "US"), ("US", "HK"), ("US", "VN"))))
    value = draw(st.one_of(st.none(), cents, cents))
    content: dict[str, Decimal] = {}
    if draw(st.booleans()):
        copper = draw(cents)
        content["copper"] = copper if value is None else min(copper, value)
    quantity = draw(
        st.one_of(st.none(), st.integers(min_value=0, max_value=10**7).map(lambda n: Decimal(n).scaleb(-3)))
    )
    return Line.parse(
        code=code,
        origin=origin,
        importer=importer,
        date=day,
        loaded=draw(st.one_of(st.none(), st.integers(min_value=0, max_value=120).map(lambda n: day - timedelta(n)))),
        value=value,
        quantity=quantity,
        unit=None if quantity is None else draw(st.sampled_from(("kg", "doz"))),
        content=content,
        validate_nomenclature=False,
    )


@PROPERTY
@given(drawn=st.lists(lines(), min_size=1, max_size=25), as_known_on=st.one_of(st.none(), st.none(), days))
def test_spark_agrees_with_duckdb_on_random_demo_lines(
    spark: SparkSession, demo: Pack, drawn: list[Line], as_known_on: date | None
) -> None:
    """Any lines on the demo pack, as known on their dates or on a drawn day: Spark gives DuckDB's tables."""
    assert_same(compile_pack(demo, as_known_on=as_known_on), drawn, spark)
