"""`tradelex pack check --against-schedule`: does the pack agree with the official schedule?

Two checks, both against official USITC texts:
  coverage  for every Chapter 99 heading that the schedule's footnotes use ("See 9903.88.15."), the lines the pack's
            measure with that heading covers on the revision's date against the lines footnoted with it;
  headings  for every value of the pack that names a heading, the rate against the heading's text in the Chapter 99
            history (43 revisions), over the dates the value holds.
Every disagreement is listed; the README explains the ones that remain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from tradelex.data.catalog import read_table
from tradelex.data.schedule_rates import ScheduleRateError, parse_schedule_rate
from tradelex.engine.scope import match_scope
from tradelex.engine.timeline import scope_clauses_on, value_on
from tradelex.nomenclature.hts import Schedule
from tradelex.rules.model import Direction, Measure, Pack

EXAMPLES = 10
# A revision is often published days before the change it carries takes effect (HTSUS 2025 Rev. 8, with the 84% of
# EO 14259, is dated 2025-04-03 for an effect on 2025-04-09), so texts published this long before a value count.
PUBLICATION_LEAD = timedelta(days=14)


@dataclass
class CoverageFinding:
    measure: str
    heading: str
    revision: str
    covered_not_footnoted: list[str] = field(default_factory=list)
    footnoted_not_covered: list[str] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        return not self.covered_not_footnoted and not self.footnoted_not_covered


@dataclass
class HeadingFinding:
    measure: str
    value_date: date
    heading: str
    pack_rate: str
    official_rates: list[str]
    verdict: str  # agrees | disagrees | before_history (the value ended before the 2025 Basic Edition)


def check_coverage(pack: Pack, schedule: Schedule) -> list[CoverageFinding]:
    """For each footnoted heading the pack uses, the lines where pack and footnotes disagree."""
    day = schedule.dataset.effective or date.min
    footnoted: dict[str, set[str]] = {}
    for digits, line in schedule.lines.items():
        for heading in line.chapter99_references:
            footnoted.setdefault(heading, set()).add(digits[:8])
    findings = []
    for measure in _us_import_measures(pack):
        found = value_on(measure, day, day)
        if found is None or found[1].heading not in footnoted:
            continue
        heading = found[1].heading
        clauses = scope_clauses_on(measure, day, day)
        covered = set()
        for digits in schedule.lines:
            match = match_scope(digits, clauses, pack.lists)
            if match is not None and match.included:
                covered.add(digits[:8])
        findings.append(CoverageFinding(
            measure.id, heading, schedule.revision,
            sorted(covered - footnoted[heading]), sorted(footnoted[heading] - covered),
        ))  # fmt: skip
    return findings


def check_headings(pack: Pack) -> list[HeadingFinding]:
    """Each pack value with a heading, against the heading's official texts while the value holds."""
    history = _heading_history()
    findings = []
    for measure in _us_import_measures(pack):
        keys = list(measure.values)
        for index, (key, value) in enumerate(measure.values.items()):
            if value.heading is None or value.rate is None or value.rate.percent is None:
                continue
            until = keys[index + 1] if index + 1 < len(keys) else date.max
            earliest = key - PUBLICATION_LEAD
            texts = [rate for start, end, rate in history.get(value.heading, []) if start < until and earliest < end]
            official = sorted(
                {str(percent) for percent in (_added_percent(text) for text in texts) if percent is not None}
            )
            if not texts and until <= _first_revision_date(history):
                verdict = "before_history"
            else:
                verdict = "agrees" if _same(value.rate.percent, official) else "disagrees"
            findings.append(HeadingFinding(measure.id, key, value.heading, value.rate.text, official, verdict))
    return findings


def _same(percent: Decimal, official: list[str]) -> bool:
    return any(Decimal(text) == percent for text in official)


def _us_import_measures(pack: Pack) -> list[Measure]:
    return [m for m in pack.measures.values() if m.imposed_by == "US" and m.direction is Direction.IMPORT]


def _added_percent(text: str) -> Decimal | None:
    try:
        rate = parse_schedule_rate(text)
    except ScheduleRateError:
        return None
    added = rate.added
    if added is None:
        return None
    # "a duty of 50% upon the value of the copper content" puts its percent on a content, not the whole value
    return added.percent if added.percent is not None else next((part.percent for part in added.ad_valorem), None)


def _first_revision_date(history: dict[str, list[tuple[date, date, str]]]) -> date:
    return min((start for texts in history.values() for start, _, _ in texts), default=date.max)


def _heading_history() -> dict[str, list[tuple[date, date, str]]]:
    """Each heading's texts with the dates they were in the schedule: [first revision, the revision after the last)."""
    found_history, found_revisions = read_table("hts_ch99_history"), read_table("hts_revisions")
    if found_history is None or found_revisions is None:
        return {}
    revisions = found_revisions[0].to_pylist()
    effective = {row["revision"]: date.fromisoformat(row["effective_date"]) for row in revisions}
    order = sorted(effective, key=lambda name: effective[name])
    following = {name: effective[order[i + 1]] for i, name in enumerate(order[:-1])}
    texts: dict[str, list[tuple[date, date, str]]] = {}
    for row in found_history[0].to_pylist():
        start = effective.get(row["first_revision"])
        if start is None:
            continue
        end = date.max if row["in_latest_revision"] == "yes" else following.get(row["last_revision"], date.max)
        texts.setdefault(row["hts_number"], []).append((start, end, row["general_rate"]))
    return texts
