"""Analysis: trade-weighted average tariffs, the rate panel, revenue projections and scenarios (issue 9)."""

from tradelex.analysis.average import AveragePoint, AverageSeries, average_series, trade_weights
from tradelex.analysis.panel import PANEL_SCHEMA, build_panel

__all__ = ["PANEL_SCHEMA", "AveragePoint", "AverageSeries", "average_series", "build_panel", "trade_weights"]
