"""Deal files: the bundled ones load; bad ones fail with the file and the field named."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tradelex.deals import list_deals, load_deal, validate_deals
from tradelex.errors import PackError, PackErrors
from tradelex.rules.model import Pack

CLAUSE = '  - id: c\n    title: "a clause"\n'


def test_the_bundled_deals() -> None:
    names = [summary.name for summary in list_deals()]
    assert names == ["beijing-2026", "busan-2025", "geneva-2025", "london-2025", "phase-one-2020"]
    busan = next(s for s in list_deals() if s.name == "busan-2025")
    assert busan.readings == ["US", "CN"]
    assert next(s for s in list_deals() if s.name == "beijing-2026").confidence == "low"


def test_the_bundled_deals_are_valid_against_the_pack(pack: Pack) -> None:
    validate_deals(pack)


def test_unknown_measure_names_file_and_field(write_deal: Callable[..., Path], pack: Pack) -> None:
    commitment = """      - id: x
        by: US
        clause: c
        quote: "q"
        measures:
          - {id: us.ieepa.reciprocl, rate_at_most: "10%", from: "2025-05-14"}
"""
    path = write_deal(CLAUSE, {"joint": commitment})
    with pytest.raises(PackErrors) as raised:
        validate_deals(pack, path.parent)
    error = raised.value.errors[0]
    assert error.file == str(path)
    assert error.field == "readings.0.commitments.0.measures.0.id"
    assert "us.ieepa.reciprocl" in error.message


def test_unknown_indicator_names_file_and_field(write_deal: Callable[..., Path]) -> None:
    commitment = """      - id: x
        by: CN
        clause: c
        quote: "q"
        indicator: {series: nowhere, at_least: "1", from: "2025-05-01", deadline: "2025-12-31"}
"""
    with pytest.raises(PackErrors) as raised:
        load_deal(write_deal(CLAUSE, {"joint": commitment}))
    assert raised.value.errors[0].field == "readings.0.commitments.0.indicator.series"
    assert "nowhere" in raised.value.errors[0].message


def test_malformed_date_names_the_field(write_deal: Callable[..., Path]) -> None:
    commitment = '      - {id: x, by: US, clause: c, quote: "q", deadline: "2025-5-14"}\n'
    with pytest.raises(PackErrors) as raised:
        load_deal(write_deal(CLAUSE, {"joint": commitment}))
    error = raised.value.errors[0]
    assert error.field == "readings.0.commitments.0.deadline"
    assert "YYYY-MM-DD" in error.message


def test_a_figure_must_be_a_quoted_string(write_deal: Callable[..., Path], pack: Pack) -> None:
    series = (
        "title: t\nunit: t\nobservations:\n"
        '  "2025-05": {value: 46.4, source: s, published: "2025-06-20", confidence: unconfirmed}\n'
    )
    path = write_deal(CLAUSE, {"joint": '      - {id: x, by: US, clause: c, quote: "q"}\n'}, series={"s": series})
    with pytest.raises(PackErrors) as raised:
        validate_deals(pack, path.parent)
    assert raised.value.errors[0].field == "observations.2025-05.value"


def test_a_commitment_on_an_unknown_clause(write_deal: Callable[..., Path]) -> None:
    commitment = '      - {id: x, by: US, clause: elsewhere, quote: "q"}\n'
    with pytest.raises(PackErrors) as raised:
        load_deal(write_deal(CLAUSE, {"joint": commitment}))
    assert raised.value.errors[0].field == "readings.0.commitments.0.clause"


def test_an_unknown_bundled_deal() -> None:
    with pytest.raises(PackError) as raised:
        load_deal("geneva-2052")
    assert "geneva-2025" in raised.value.message
