"""The fixed-size check: the reference evaluator and the DuckDB engine on the bundled packs, every layer and amount.

100,000 lines on the demo pack (52 s wall, 30 s CPU on two cores shared with other work, most of it the
reference evaluating one line at a time). The full `us-cn` pack walks ten times as many measures per line in the
reference (about 350 lines/s here), so it gets 5,000 lines (38 s there), the largest size that keeps this test
under a minute; bench/run.py compares the two engines on as many lines as it is given.

Lines: codes the packs' lists and scopes name (so that exclusions and by-list measures are met) and codes across
the HS chapters, days across 2018-2026 and on either side of every date a measure changes, US imports from China,
Hong Kong, Germany and Mexico, China's imports from the US, loading dates (transit rules), quantities in three
units, copper contents, and now and then no value.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tradelex.engine.line import Line
from tradelex.engine.timeline import change_dates
from tradelex.rules.loader import load_bundled_pack
from tradelex.rules.model import Pack

from .test_crosscheck import FIRST_DAY, LAST_DAY, assert_agree

CHAPTER_CODES = (
    "0201300000", "2204210000", "3923210095", "6109100012", "7208100015", "7411101000", "8471300100",
    "8517130000", "8703800000", "9403200000", "9503000090", "1201900000", "7601100000", "8541420000",
)  # fmt: skip
PARTNERS = (("US", "CN"),) * 6 + (("US", "HK"), ("US", "DE"), ("US", "MX"), ("CN", "US"), ("CN", "US"))


def pack_codes(pack: Pack) -> list[str]:
    """Codes the pack names, as 10-digit lines (a shorter prefix gets a made-up statistical suffix)."""
    codes = {code for named in pack.lists.values() for code in named.codes}
    for measure in pack.measures.values():
        for clause in measure.scope:
            codes |= {p.replace(".", "") for p in (*clause.include, *clause.exclude) if p[:1].isdigit()}
    return sorted(code.ljust(10, "0")[:10] for code in codes if len(code) >= 2)


def fixed_lines(pack: Pack, count: int, seed: int) -> list[Line]:
    rng = random.Random(seed)
    codes = pack_codes(pack) + list(CHAPTER_CODES) * 20
    near = sorted({d + timedelta(days=s) for m in pack.measures.values() for d in change_dates(m) for s in (-1, 0, 1)})
    near = [d for d in near if FIRST_DAY <= d <= LAST_DAY]
    span = (LAST_DAY - FIRST_DAY).days
    lines = []
    for index in range(count):
        day = rng.choice(near) if index % 3 == 0 and near else FIRST_DAY + timedelta(days=rng.randrange(span + 1))
        importer, origin = rng.choice(PARTNERS)
        value = None if rng.random() < 0.03 else Decimal(rng.randrange(1, 10**8)).scaleb(-2)
        content = {}
        if rng.random() < 0.3:
            share = rng.randrange(101)
            content["copper"] = (value * share / 100 if value else Decimal(share)).quantize(Decimal("0.01"))
        with_quantity = rng.random() < 0.3
        lines.append(
            Line.parse(
                code=rng.choice(codes), origin=origin, importer=importer, date=day,
                loaded=day - timedelta(days=rng.randrange(90)) if rng.random() < 0.3 else None,
                value=value, quantity=Decimal(rng.randrange(1, 10**6)).scaleb(-2) if with_quantity else None,
                unit=rng.choice(("kg", "doz", "item")) if with_quantity else None,
                content=content, validate_nomenclature=False,
            )
        )  # fmt: skip
    return lines


@pytest.mark.parametrize(("pack_name", "count"), [("demo", 100_000), ("us-cn", 5_000)])
def test_reference_and_duckdb_agree_on_a_fixed_sample(pack_name: str, count: int) -> None:
    pack = load_bundled_pack(pack_name)
    lines = fixed_lines(pack, count, seed=20260220)
    assert_agree(pack, lines)
    assert_agree(pack, lines[: count // 10], as_known_on=date(2026, 3, 1))  # after the ruling, as known then
