"""Each side's reading, side by side: commitments matched by clause and by subject (a measure, a series, a topic),
with what one side claims and the other does not, and where both speak of one subject but differently."""

from __future__ import annotations

from itertools import combinations

from pydantic import BaseModel, ConfigDict

from tradelex.deals.model import Commitment, Deal


class CommitmentView(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str
    by: str
    subject: str
    quote: str
    translation: str | None
    target: str


class Difference(BaseModel):
    """One subject on which two readings disagree: only one side names it, or both do with different targets."""

    model_config = ConfigDict(frozen=True)
    subject: str
    kind: str  # only_in | differs
    readings: dict[str, str | None]  # reader → its target for the subject (None: the reading does not claim it)
    detail: str


class ClauseDiff(BaseModel):
    model_config = ConfigDict(frozen=True)
    clause: str
    title: str
    readings: dict[str, list[CommitmentView]]
    differences: list[Difference]


class ReadingsDiff(BaseModel):
    model_config = ConfigDict(frozen=True)
    deal: str
    readings: list[str]
    sources: dict[str, str]
    clauses: list[ClauseDiff]

    def to_json_dict(self) -> dict[str, object]:
        return self.model_dump(mode="json")


def diff_readings(deal: Deal) -> ReadingsDiff:
    readers = [reading.party for reading in deal.readings]
    clauses = [_clause_diff(deal, clause.id, clause.title, readers) for clause in deal.clauses]
    return ReadingsDiff(
        deal=deal.name,
        readings=readers,
        sources={reading.party: reading.source for reading in deal.readings},
        clauses=clauses,
    )


def _clause_diff(deal: Deal, clause_id: str, title: str, readers: list[str]) -> ClauseDiff:
    by_reader: dict[str, list[Commitment]] = {
        reading.party: [c for c in reading.commitments if c.clause == clause_id] for reading in deal.readings
    }
    differences: list[Difference] = []
    for left, right in combinations(readers, 2):
        differences += _differences(left, by_reader[left], right, by_reader[right])
    views = {reader: [_view(commitment) for commitment in by_reader[reader]] for reader in readers}
    return ClauseDiff(clause=clause_id, title=title, readings=views, differences=differences)


def _view(commitment: Commitment) -> CommitmentView:
    return CommitmentView(
        id=commitment.id,
        by=commitment.by,
        subject=commitment.match_key,
        quote=commitment.quote.strip(),
        translation=commitment.translation.strip() if commitment.translation else None,
        target=commitment.target_summary(),
    )


def _differences(left: str, ours: list[Commitment], right: str, theirs: list[Commitment]) -> list[Difference]:
    mine = {commitment.match_key: commitment for commitment in ours}
    other = {commitment.match_key: commitment for commitment in theirs}
    found = []
    for subject in sorted(mine.keys() | other.keys()):
        a, b = mine.get(subject), other.get(subject)
        targets = {left: a.target_summary() if a else None, right: b.target_summary() if b else None}
        if a is None or b is None:
            claimant, silent = (left, right) if a else (right, left)
            claimed = a or b
            assert claimed is not None
            detail = f"{claimant} claims {claimed.by} commits to this ({claimed.id}); {silent}'s reading does not"
            found.append(Difference(subject=subject, kind="only_in", readings=targets, detail=detail))
        elif targets[left] != targets[right]:
            detail = f"{left}: {targets[left]} / {right}: {targets[right]}"
            found.append(Difference(subject=subject, kind="differs", readings=targets, detail=detail))
    return found
