"""Analysis: trade-weighted average tariffs, the rate panel, revenue projections and scenarios (issue 9)."""

from tradelex.analysis.average import AveragePoint, AverageSeries, average_series, trade_weights
from tradelex.analysis.charts import average_figure, write_chart
from tradelex.analysis.compare import ScenarioComparison, ScenarioResult, compare_scenarios, run_scenario
from tradelex.analysis.panel import PANEL_SCHEMA, build_panel
from tradelex.analysis.published import compare_published, published_figures
from tradelex.analysis.revenue import RevenueProjection, project_revenue
from tradelex.analysis.scenario import Scenario, apply_scenario, load_scenario

__all__ = [
    "PANEL_SCHEMA",
    "AveragePoint",
    "AverageSeries",
    "RevenueProjection",
    "Scenario",
    "ScenarioComparison",
    "ScenarioResult",
    "apply_scenario",
    "average_figure",
    "average_series",
    "build_panel",
    "compare_published",
    "compare_scenarios",
    "load_scenario",
    "project_revenue",
    "published_figures",
    "run_scenario",
    "trade_weights",
    "write_chart",
]  # fmt: skip
