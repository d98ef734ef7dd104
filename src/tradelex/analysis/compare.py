"""Run a scenario against the pack, or two scenarios against each other: averages and revenue side by side."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from tradelex.analysis.average import AverageSeries, average_series
from tradelex.analysis.revenue import RevenueProjection, project_revenue
from tradelex.analysis.scenario import Scenario, apply_scenario
from tradelex.rules.model import Pack


class ScenarioResult(BaseModel):
    scenario: dict[str, str]
    base: AverageSeries
    changed: AverageSeries
    base_revenue: RevenueProjection
    changed_revenue: RevenueProjection

    def to_json_dict(self) -> dict[str, Any]:
        difference = {
            key: format(self.changed_revenue.totals[key] - self.base_revenue.totals[key], "f")
            for key in self.base_revenue.totals
        }
        return {
            "scenario": self.scenario,
            "base": self.base.to_json_dict(),
            "scenario_series": self.changed.to_json_dict(),
            "revenue": {"base": self.base_revenue.to_json_dict(), "scenario": self.changed_revenue.to_json_dict(),
                        "difference": difference},
        }  # fmt: skip


class ScenarioComparison(BaseModel):
    a: ScenarioResult
    b: ScenarioResult

    def to_json_dict(self) -> dict[str, Any]:
        a, b = self.a.changed_revenue.totals, self.b.changed_revenue.totals
        return {
            "a": self.a.to_json_dict(),
            "b": self.b.to_json_dict(),
            "difference_b_minus_a": {key: format(b[key] - a[key], "f") for key in a},
        }


def run_scenario(
    pack: Pack, scenario: Scenario, importer: str, exporter: str, start: date, end: date, **options: Any
) -> ScenarioResult:
    """The pack and the pack with the scenario: the average series and the revenue of each."""
    changed = apply_scenario(pack, scenario)
    revenue_options = {
        k: v for k, v in options.items() if k in ("weights", "mfn", "weights_year", "elasticities", "lines")
    }
    average_options = {k: v for k, v in options.items() if k in ("weights", "mfn", "weights_year", "lines", "level")}
    return ScenarioResult(
        scenario={"name": scenario.name, "description": scenario.description, "path": scenario.path},
        base=average_series(pack, importer, exporter, start, end, **average_options),
        changed=average_series(changed, importer, exporter, start, end, **average_options),
        base_revenue=project_revenue(pack, importer, exporter, start, end, **revenue_options),
        changed_revenue=project_revenue(changed, importer, exporter, start, end, **revenue_options),
    )


def compare_scenarios(
    pack: Pack, a: Scenario, b: Scenario, importer: str, exporter: str, start: date, end: date, **options: Any
) -> ScenarioComparison:
    return ScenarioComparison(
        a=run_scenario(pack, a, importer, exporter, start, end, **options),
        b=run_scenario(pack, b, importer, exporter, start, end, **options),
    )
