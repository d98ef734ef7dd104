"""Export licence applications with a statutory review clock and monthly approval indicators (issue 7, part 2).

registry = open_registry()            # SQLite in the data directory, or $TRADELEX_DATABASE_URL
application = registry.submit(ApplicationIn(...))
registry.decide(application.id, DecisionIn(outcome="approved", decided_on=date(2025, 3, 3)))
registry.clock(application.id, as_of=date(2025, 3, 1))
registry.indicators("cn.mofcom", date(2025, 1, 1), date(2025, 12, 31))
"""

from __future__ import annotations

from .registry import DecisionConflictError, LicenceRegistry, UnknownApplicationError, open_registry
from .schemas import ApplicationIn, ApplicationOut, DecisionIn, DecisionOut, MonthlyIndicator, ReviewClock

__all__ = [
    "ApplicationIn",
    "ApplicationOut",
    "DecisionConflictError",
    "DecisionIn",
    "DecisionOut",
    "LicenceRegistry",
    "MonthlyIndicator",
    "ReviewClock",
    "UnknownApplicationError",
    "open_registry",
]
