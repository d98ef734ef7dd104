"""Analysis: trade-weighted average tariffs, the rate panel, revenue projections and scenarios (issue 9)."""

from tradelex.analysis.panel import PANEL_SCHEMA, build_panel

__all__ = ["PANEL_SCHEMA", "build_panel"]
