"""The MFN layer priced in SQL (engine/mfn_table.py) equals `mfn_amount` line by line, to the cent.

Lines cover a sample of every HTSUS line (ad valorem, specific per kg/item/dozen/liter, compound, "over", minimum
and formula rates, rates by reference), their quantity in the line's own unit, in a unit that converts (g, t,
doz, item) or in one that does not, dates over every loaded revision, column 1 and column 2 origins, and China's
imports in and outside the years its compilation covers.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from tradelex.engine.line import Line
from tradelex.engine.mfn import INSTALLED_MFN, MfnRate, MfnSource, mfn_amount
from tradelex.engine.mfn_table import MfnTable, Terms, terms_of
from tradelex.engine.validate import lines_table
from tradelex.money import round_cents
from tradelex.nomenclature.hts import schedule_on


def _expected(lines: list[Line], source: MfnSource) -> dict[int, tuple[str, int | None]]:
    """The row path's answer (batch._duckdb_amounts before the table): per line, mfn() then mfn_amount()."""
    found = {}
    for index, line in enumerate(lines):
        rate = source.mfn(line)
        if rate is not None and (rate.rate_text is not None or rate.reference is not None):
            exact, _, _ = mfn_amount(rate, line)
            found[index] = (rate.measure, None if exact is None else int(round_cents(exact).scaleb(2)))
    return found


def _lines(count: int, seed: int) -> list[Line]:
    schedule, _ = schedule_on(date(2025, 6, 1))
    assert schedule is not None
    random_ = random.Random(seed)
    codes = sorted(code for code in schedule.lines if len(code) == 10)
    lines = []
    for _ in range(count):
        code = random_.choice(codes)
        own_unit = schedule.lines[code].unit or "kg"
        unit = random_.choice([own_unit, own_unit, "kg", "g", "t", "doz", "item", "liter", None])
        importer = random_.choice(["US"] * 8 + ["CN"] * 2)
        day = date(2018, 1, 1) + timedelta(days=random_.randrange(9 * 365))
        value = Decimal(random_.randrange(0, 10**9)).scaleb(-random_.choice([0, 2, 6]))
        quantity = Decimal(random_.randrange(1, 10**6)).scaleb(-random_.choice([0, 3])) if unit else None
        lines.append(
            Line.parse(code=code, origin=random_.choice(["CN", "CN", "HK", "RU", "CU"]), importer=importer,
                       date=day, value=random_.choice([value, value, None]), quantity=quantity, unit=unit,
                       validate_nomenclature=False)
        )  # fmt: skip
    return lines


def _table_amounts(lines: list[Line], source: MfnSource) -> dict[int, tuple[str, int | None]]:
    table, _ = lines_table(lines, list(range(len(lines))))
    priced = MfnTable(source).amounts(table)
    return {row["line_id"]: (row["measure"], row["amount_cents"]) for row in priced.to_pylist()}


def test_the_sql_mfn_layer_equals_the_python_one_line_by_line() -> None:
    lines = _lines(3000, seed=6)
    expected = _expected(lines, INSTALLED_MFN)
    assert _table_amounts(lines, INSTALLED_MFN) == expected
    # the sample is not trivial: specific and unknown amounts are among them
    assert sum(amount is None for _, amount in expected.values()) > 50
    assert sum(1 for line in lines if line.importer == "CN" and line.date < date(2019, 7, 1)) > 50


def test_a_source_other_than_the_installed_one_is_asked_for_each_line() -> None:
    """A fake source whose answer depends on the origin in a way the installed one's does not."""

    class ByOrigin:
        def mfn(self, line: Line) -> MfnRate | None:
            real = INSTALLED_MFN.mfn(line.model_copy(update={"origin": "CU" if line.origin == "HK" else "CN"}))
            return real

        def change_dates(self, importer: str) -> list[date]:
            return []

    lines = _lines(400, seed=7)
    assert _table_amounts(lines, ByOrigin()) == _expected(lines, ByOrigin())


def test_terms_are_exact_or_left_to_python() -> None:
    """33 1/3% cannot be held in millionths of a percent: that rate is priced by mfn_amount, never rounded."""
    from tradelex.data.schedule_rates import parse_schedule_rate

    def rate(text: str) -> MfnRate:
        return MfnRate("us.mfn", "t", "s", None, "confirmed", None, parse_schedule_rate(text), text, None)

    assert terms_of(rate("33 1/3%")) == Terms("us.mfn", "python")
    assert terms_of(rate("2.2¢/kg + 5%")) == Terms("us.mfn", "linear", 5_000_000, 22_000, "kg", 0)
    assert terms_of(rate("Free")) == Terms("us.mfn", "linear")
