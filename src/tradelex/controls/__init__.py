"""Export controls: requirement checks by item, route and date; party screening; the controlled items.

check_controls(pack, item, origin, destination, on, end_user=None) -> ControlsReport
screen_parties(name, on=None, limit=10) -> ScreeningReport
controlled_items(pack) -> list[ControlledItem]
"""

from tradelex.controls.check import ControlsReport, Requirement, check_controls
from tradelex.controls.items import ControlledItem, controlled_items
from tradelex.controls.screening import PartyMatch, ScreeningReport, screen_parties

__all__ = [
    "ControlledItem",
    "ControlsReport",
    "PartyMatch",
    "Requirement",
    "ScreeningReport",
    "check_controls",
    "controlled_items",
    "screen_parties",
]
