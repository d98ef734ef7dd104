"""Worked examples for the reference evaluator, with the expected numbers computed by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tradelex.engine.line import Line
from tradelex.engine.reference import evaluate_line
from tradelex.errors import BadAmountError, InputError, UnknownCodeError
from tradelex.rules.model import Measure, Pack, PackMeta

DAY = date(2025, 5, 1)
TODAY = date(2025, 6, 1)
START = "2025-01-01"


def measure(measure_id: str, rate: str | None = None, **fields: Any) -> Measure:
    data: dict[str, Any] = {
        "id": measure_id,
        "title": measure_id,
        "imposed_by": "US",
        "partners": ["CN"],
        "authority": "Test Act",
        "kind": "ad_valorem",
        "values": {START: {"rate": rate, "source": f"notice {measure_id}", "confidence": "confirmed"}},
        "scope": [{"from": START, "include": ["*"]}],
    }
    data.update(fields)
    return Measure.model_validate(data)


def pack(*measures: Measure) -> Pack:
    return Pack(
        meta=PackMeta(name="mem", version="1", cutoff=date(2025, 12, 31)),
        measures={m.id: m for m in measures},
        root="mem",
    )


def line(**fields: Any) -> Line:
    return Line.parse(**{"code": "6109.10.00.12", "origin": "CN", "date": DAY, **fields})


def test_four_layers_on_a_cotton_t_shirt() -> None:
    """10000 × (16.5% + 7.5% + 20% + 125%) = 1650 + 750 + 2000 + 12500 = 16900.00, that is 169%."""
    mfn = measure(
        "us.mfn",
        kind="ad_valorem",
        values={START: {"rates_by_code": {"6109.10.00": "16.5%"}, "source": "HTSUS", "confidence": "confirmed"}},
        partners=["*"],
        stacking={"precedence": 0},
    )
    s301 = measure("us.s301.list4a", "7.5%", stacking={"precedence": 10})
    fentanyl = measure("us.ieepa.fentanyl", "20%", stacking={"precedence": 20})
    reciprocal = measure("us.ieepa.reciprocal", "125%", stacking={"precedence": 30})

    result = evaluate_line(pack(mfn, s301, fentanyl, reciprocal), line(value="10000"), today=TODAY)

    assert [(layer.measure, layer.amount) for layer in result.layers] == [
        ("us.mfn", Decimal("1650.00")),
        ("us.s301.list4a", Decimal("750.00")),
        ("us.ieepa.fentanyl", Decimal("2000.00")),
        ("us.ieepa.reciprocal", Decimal("12500.00")),
    ]
    assert result.total_amount == Decimal("16900.00")
    assert result.total_ad_valorem_percent == Decimal("169")
    assert result.to_json_dict()["total_amount"] == "16900.00"
    assert result.excluded == []


def test_compound_rate() -> None:
    """7.5% × 1000 + 120 kg × USD 0.50/kg = 75.00 + 60.00 = 135.00, an ad valorem equivalent of 13.5%."""
    compound = measure("us.compound", "7.5% + USD 0.50/kg", kind="compound")

    result = evaluate_line(pack(compound), line(value="1000", quantity="120", unit="kg"), today=TODAY)

    layer = result.layer("us.compound")
    assert layer is not None
    assert layer.amount == Decimal("135.00")
    assert layer.ad_valorem_equivalent_percent == Decimal("13.5")
    assert result.total_amount == Decimal("135.00")
    assert result.total_ad_valorem_percent == Decimal("13.5")


@pytest.mark.parametrize(
    "quantity",
    [{}, {"quantity": "12", "unit": "doz"}],
    ids=["no quantity", "quantity in another unit"],
)
def test_specific_rate_without_its_quantity_is_unknown_not_zero(quantity: dict[str, str]) -> None:
    """Without a quantity in kg, USD 0.50/kg has no amount: the layer and the total are None, never 0."""
    specific = measure("us.specific", "USD 0.50/kg", kind="specific")
    ad_valorem = measure("us.flat", "10%")

    result = evaluate_line(pack(specific, ad_valorem), line(value="1000", **quantity), today=TODAY)

    layer = result.layer("us.specific")
    assert layer is not None
    assert layer.amount is None
    assert result.layer("us.flat") is not None and result.layer("us.flat").amount == Decimal("100.00")
    assert result.total_amount is None
    assert result.total_ad_valorem_percent is None
    assert result.to_json_dict()["total_amount"] is None
    assert any("us.specific" in warning and "kg" in warning for warning in result.warnings)


def test_rounding_half_up_to_the_cent() -> None:
    """0.10 × 5% = 0.005, which rounds half-up to 0.01 (half-even would give 0.00)."""
    result = evaluate_line(pack(measure("us.five", "5%")), line(value="0.10"), today=TODAY)

    assert result.layer("us.five") is not None
    assert result.layer("us.five").amount == Decimal("0.01")
    assert result.total_amount == Decimal("0.01")


def test_rounding_is_per_layer() -> None:
    """Two layers of 0.10 × 5% = 0.005 each: 0.01 + 0.01 = 0.02 (rounding the total would give 0.01)."""
    result = evaluate_line(pack(measure("us.five", "5%"), measure("us.also", "5%")), line(value="0.10"), today=TODAY)

    assert result.total_amount == Decimal("0.02")


def test_content_on_value_not_subject_to() -> None:
    """Copper content 400 of a value 1000: 50% × 400 = 200.00 on copper, 10% × 600 = 60.00 on the rest."""
    copper = measure("us.s232.copper", "50%", base="copper_content", stacking={"precedence": 10})
    rest = measure("us.recip", "10%", stacking={"precedence": 20, "only_on_value_not_subject_to": ["us.s232.*"]})

    result = evaluate_line(pack(copper, rest), line(value="1000", content={"copper": "400"}), today=TODAY)

    assert result.layer("us.s232.copper") is not None
    assert result.layer("us.s232.copper").amount == Decimal("200.00")
    assert result.layer("us.recip") is not None
    assert result.layer("us.recip").amount == Decimal("60.00")
    assert result.total_amount == Decimal("260.00")


def test_content_larger_than_value_is_rejected() -> None:
    with pytest.raises(BadAmountError) as raised:
        line(value="100", content={"copper": "150"})
    assert raised.value.field == "content.copper"
    assert "content.copper" in str(raised.value)


def test_unknown_code_suggests_nearest_codes() -> None:
    with pytest.raises(UnknownCodeError) as raised:
        line(code="6109.99")
    assert raised.value.field == "code"
    assert raised.value.suggestions
    assert "610990" in raised.value.suggestions
    assert "6109.90" in str(raised.value)


def test_transit_hint_only_for_measures_that_concern_the_line() -> None:
    """A smartphone excepted from the reciprocal tariff gets no hint about the reciprocal tariff's transit rules."""
    from tradelex.rules.loader import load_bundled_pack

    pack = load_bundled_pack()
    phone = evaluate_line(pack, Line.parse(code="8517.13.0000", origin="CN", date="2025-04-15"), today=date(2026, 1, 1))
    shirt = evaluate_line(pack, Line.parse(code="6109.10.0012", origin="CN", date="2025-04-15"), today=date(2026, 1, 1))
    assert not any("us.ieepa.reciprocal: goods loaded before" in warning for warning in phone.warnings)
    assert any("us.ieepa.reciprocal: goods loaded before" in warning for warning in shirt.warnings)


def test_a_conditional_measure_applies_only_when_the_line_claims_it() -> None:
    """A measure with a condition (automobile parts among heading 8471) needs the claim on the line."""
    from tradelex.engine.assessment import Reason

    measure = Measure.model_validate({
        "id": "us.s232.parts", "title": "parts", "imposed_by": "US", "partners": ["*"], "authority": "Section 232",
        "kind": "ad_valorem",
        "values": {"2025-05-03": {"rate": "25%", "source": "Proclamation 10908", "confidence": "confirmed"}},
        "scope": [{"from": "2025-05-03", "include": ["8471"]}],
        "condition": {"claim": "automobile-part", "text": "automobile parts", "source": "note 33(h)"},
    })  # fmt: skip
    pack = Pack(meta=PackMeta(name="t", version="1", cutoff=date(2026, 1, 1)), measures={measure.id: measure}, root="m")
    plain = evaluate_line(pack, Line.parse(code="8471300100", origin="IN", date="2025-06-10", value="1000"))
    assert plain.layers == [] and plain.excluded[0].code is Reason.NOT_CLAIMED
    claimed = evaluate_line(
        pack, Line.parse(code="8471300100", origin="IN", date="2025-06-10", value="1000", claims=["Automobile-Part"])
    )
    assert [(layer.measure, str(layer.amount)) for layer in claimed.layers] == [("us.s232.parts", "250.00")]
    with pytest.raises(InputError) as raised:
        Line.parse(code="8471300100", origin="IN", date="2025-06-10", claims=["auto part!"])
    assert raised.value.field == "claim"


def _copper_measure(measure_id: str, rate: str, precedence: int, **extra: Any) -> Measure:
    return Measure.model_validate({
        "id": measure_id, "title": measure_id, "imposed_by": "US", "partners": ["*"], "authority": "test",
        "kind": "ad_valorem",
        "values": {"2025-01-01": {"rate": rate, "source": "test", "confidence": "confirmed"}},
        "scope": [{"from": "2025-01-01", "include": ["7411"]}], "stacking": {"precedence": precedence}, **extra,
    })  # fmt: skip


def test_the_remainder_takes_each_part_of_the_value_once() -> None:
    """Two measures on the copper content (50% and 25% of 60.00) leave 100.00 - 60.00 = 40.00, not -20.00: the
    measure on the rest pays 10% of 40.00 = 4.00."""
    measures = [
        _copper_measure("us.a", "50%", 10, base="copper_content"),
        _copper_measure("us.b", "25%", 11, base="copper_content"),
        _copper_measure(
            "us.c", "10%", 50, stacking={"precedence": 50, "only_on_value_not_subject_to": ["us.a", "us.b"]}
        ),
    ]
    pack = Pack(meta=PackMeta(name="t", version="1", cutoff=date(2026, 1, 1)), measures={m.id: m for m in measures},
                root="m")  # fmt: skip
    line = Line.parse(code="7411101000", origin="CN", date="2025-06-01", value="100", content={"copper": "60"})
    amounts = {layer.measure: str(layer.amount) for layer in evaluate_line(pack, line).layers}
    assert amounts == {"us.a": "30.00", "us.b": "15.00", "us.c": "4.00"}


def test_contents_cannot_add_up_to_more_than_the_value() -> None:
    with pytest.raises(BadAmountError) as raised:
        Line.parse(
            code="7411101000", origin="CN", date="2025-06-01", value="100", content={"copper": "60", "steel": "50"}
        )
    assert raised.value.field == "content"
