"""Readings side by side: the Busan arrangement as the White House and MOFCOM each told it."""

from __future__ import annotations

from tradelex.deals import diff_readings, load_deal


def differences() -> dict[str, tuple[str, dict[str, str | None]]]:
    result = diff_readings(load_deal("busan-2025"))
    return {d.subject: (d.kind, d.readings) for clause in result.clauses for d in clause.differences}


def test_what_only_one_side_claims() -> None:
    found = differences()
    # Fact sheet of 1 Nov 2025: general licences, chip investigations; MOFCOM of 30 Oct 2025: TikTok, US investment.
    assert found["general-licences"][0] == "only_in" and found["general-licences"][1]["CN"] is None
    assert found["chip-investigations"][0] == "only_in"
    assert found["tiktok"][0] == "only_in" and found["tiktok"][1]["US"] is None
    assert found["us-investment"][0] == "only_in"


def test_what_both_claim_differently() -> None:
    found = differences()
    kind, readings = found["cn-countermeasure-rate"]
    assert kind == "differs"
    assert "not in force" in (readings["US"] or "") and "at most 10%" in (readings["CN"] or "")
    assert found["cn-maritime-countermeasures"][0] == "differs"  # removed (US) against suspended one year (CN)


def test_what_both_claim_alike_is_no_difference() -> None:
    # Both: the fentanyl duty down to 10% (EO 14357) and the reciprocal 24 points suspended to 10 Nov 2026.
    found = differences()
    assert "fentanyl-tariff" not in found and "reciprocal-suspension" not in found


def test_every_commitment_appears_under_its_clause() -> None:
    deal = load_deal("busan-2025")
    result = diff_readings(deal)
    shown = {view.id for clause in result.clauses for views in clause.readings.values() for view in views}
    assert shown == {commitment.id for _, commitment in deal.commitments()}
