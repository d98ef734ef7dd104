"""Product scope: does a code fall under a measure on a day? The longest matching prefix decides.

Scope clauses in force on the day add up. Each names code prefixes (or @lists of them) to include or exclude;
`*` is the empty prefix, matching every code. For a code, the longest matching prefix among all clauses wins;
when an inclusion and an exclusion are equally long, the exclusion wins, because an exclusion is always the
narrower act (Annex II, a product exclusion) carved out of a broader one.
"""

from __future__ import annotations

from dataclasses import dataclass

from tradelex.rules.model import NamedList, ScopeClause
from tradelex.rules.rates import DutyExpression


@dataclass(frozen=True)
class ScopeMatch:
    included: bool
    prefix: str  # the winning prefix ('' for '*')
    pattern: str  # as written in the rule file: a code, '*' or an @list
    clause: ScopeClause | None


def expand(pattern: str, lists: dict[str, NamedList]) -> list[str]:
    if pattern == "*":
        return [""]
    if pattern.startswith("@"):
        return lists[pattern].codes
    return [pattern.replace(".", "")]


def match_scope(code: str, clauses: list[ScopeClause], lists: dict[str, NamedList]) -> ScopeMatch | None:
    """The deciding prefix for `code` under the clauses, or None when no clause names it."""
    best: ScopeMatch | None = None
    for clause in clauses:
        for included, patterns in ((True, clause.include), (False, clause.exclude)):
            for pattern in patterns:
                for prefix in expand(pattern, lists):
                    if not code.startswith(prefix):
                        continue
                    longer = best is None or len(prefix) > len(best.prefix)
                    exclusion_tie = best is not None and len(prefix) == len(best.prefix) and not included
                    if longer or exclusion_tie:
                        best = ScopeMatch(included, prefix, pattern, clause)
    return best


def rate_by_code(code: str, rates: dict[str, DutyExpression | None]) -> tuple[str, DutyExpression | None] | None:
    """The schedule rate of the longest code prefix that has one."""
    matches = [prefix for prefix in rates if code.startswith(prefix)]
    if not matches:
        return None
    prefix = max(matches, key=len)
    return prefix, rates[prefix]
