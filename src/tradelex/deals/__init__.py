"""Deals as code: commitments linked to measures and indicators, each side's reading, open points, compliance.

list_deals() -> list[DealSummary]
load_deal(name_or_path) -> Deal
check_deal(deal) -> DealCheck                       open points, per clause
diff_readings(deal) -> ReadingsDiff                 each side's commitments, matched by clause and subject
assess_compliance(deal, pack, as_of) -> ComplianceReport
validate_deals(pack, folder=None) -> None           raises PackErrors naming file and field
"""

from tradelex.deals.check import DealCheck, Finding, check_deal
from tradelex.deals.compliance import CommitmentState, ComplianceReport, Evidence, State, assess_compliance
from tradelex.deals.diff import ReadingsDiff, diff_readings
from tradelex.deals.loader import bundled_deals_path, list_deals, load_deal, validate_deals
from tradelex.deals.model import Commitment, Deal, DealSummary, Indicator

__all__ = [
    "Commitment",
    "CommitmentState",
    "ComplianceReport",
    "Deal",
    "DealCheck",
    "DealSummary",
    "Evidence",
    "Finding",
    "Indicator",
    "ReadingsDiff",
    "State",
    "assess_compliance",
    "bundled_deals_path",
    "check_deal",
    "diff_readings",
    "list_deals",
    "load_deal",
    "validate_deals",
]
