"""Golden cases of the export-control check (golden_controls.yaml): answers from the announcements, not our output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ConfigDict

from tradelex.controls import check_controls
from tradelex.rules.loader import load_bundled_pack

CASES_FILE = Path(__file__).with_name("golden_controls.yaml")


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    verdict: str
    requirements: dict[str, str] = {}
    excluded: dict[str, str] = {}
    review_policy: dict[str, str] = {}


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    source: str
    query: dict[str, Any]
    expect: Expectation


CASES = [Case.model_validate(raw) for raw in yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))]


def test_there_are_at_least_thirty_dated_cases_each_with_a_source() -> None:
    assert len(CASES) >= 30
    assert all(case.source.strip() and case.query.get("date") for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name[:70] for case in CASES])
def test_golden_case(case: Case) -> None:
    query = case.query
    report = check_controls(
        load_bundled_pack(),
        query["item"],
        query["from"],
        query["to"],
        str(query["date"]),
        end_user=query.get("end_user"),
        claims=query.get("claims", []),
    )
    assert report.verdict == case.expect.verdict, case.source
    statuses = {r.measure: r.status for r in report.requirements}
    for measure, status in case.expect.requirements.items():
        assert statuses.get(measure) == status, f"{measure}: {statuses} ({case.source})"
    reasons = {e.measure: e.code for e in report.excluded}
    for measure, code in case.expect.excluded.items():
        assert reasons.get(measure) == code, f"{measure}: {reasons} ({case.source})"
    policies = {r.measure: r.review_policy or "" for r in report.requirements}
    for measure, start in case.expect.review_policy.items():
        assert policies.get(measure, "").startswith(start), policies
