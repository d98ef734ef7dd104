"""Golden cases of the bundled packs (packs/*/tests/*.yaml): figures worked out from legal texts, not our output."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ConfigDict

from tradelex.engine.line import Line
from tradelex.engine.mfn import INSTALLED_MFN
from tradelex.engine.reference import evaluate_line
from tradelex.rules.loader import bundled_pack_path, load_bundled_pack


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    layers: dict[str, str]
    excluded: dict[str, str] = {}
    total: str
    total_ad_valorem_percent: str | None = None


class GoldenCase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    source: str
    line: dict[str, Any]
    as_known_on: str | None = None
    expect: Expectation


def _cases() -> list[Any]:
    cases = []
    for path in sorted(bundled_pack_path("demo").parent.glob("*/tests/*.yaml")):
        pack = path.parent.parent.name
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            case = GoldenCase.model_validate(raw)
            cases.append(pytest.param(pack, case, id=f"{pack}:{case.name[:60]}"))
    return cases


CASES = _cases()


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 7


@pytest.mark.parametrize(("pack", "case"), CASES)
def test_golden_case(pack: str, case: GoldenCase) -> None:
    known_on = date.fromisoformat(case.as_known_on) if case.as_known_on else None
    assessment = evaluate_line(
        load_bundled_pack(pack), Line.parse(**case.line), as_known_on=known_on, mfn=INSTALLED_MFN
    )
    document = assessment.to_json_dict()
    assert {layer["measure"]: layer["amount"] for layer in document["layers"]} == case.expect.layers
    reasons = {excluded["measure"]: excluded["code"] for excluded in document["excluded"]}
    for measure, code in case.expect.excluded.items():
        assert reasons.get(measure) == code, f"{measure}: {reasons.get(measure)} != {code}"
    assert document["total_amount"] == case.expect.total
    if case.expect.total_ad_valorem_percent is not None:
        assert document["total_ad_valorem_percent"] == case.expect.total_ad_valorem_percent


def test_golden_files_are_not_measures(tmp_path: Path) -> None:
    """The loader skips tests/ folders, so a golden file never becomes a measure."""
    assert not any(".tests." in measure for measure in load_bundled_pack().measures)
