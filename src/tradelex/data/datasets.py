"""The official datasets tradelex reads: where each comes from, who published it, and whether it is official.

The snapshots live in ../shared/data (see its README); `tradelex data build-bundle` turns them into the compact
Parquet files shipped in the package, and `tradelex data import` / `data pull` put newer ones in the user's store.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict


class Dataset(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str  # table name in the store and file name in the bundle
    path: str  # relative to the shared data folder
    authority: str
    official: bool  # False: compiled by a third party from official texts
    revision: str
    effective: date | None = None
    description: str
    columns: tuple[str, ...]  # required columns of the source file


HTS_COLUMNS = (
    "row", "hts_number", "hts_digits", "level", "indent", "description", "unit_of_quantity",
    "general_rate", "special_rate", "column2_rate", "footnotes",
)  # fmt: skip

SCHEDULES: tuple[Dataset, ...] = (
    Dataset(
        name="hts_2025_basic",
        path="hts/hts_2025_basic_full.csv",
        authority="USITC",
        official=True,
        revision="2025 Basic Edition",
        effective=date(2025, 1, 1),
        description="Harmonized Tariff Schedule of the United States, 2025 Basic Edition (USITC JSON export)",
        columns=HTS_COLUMNS,
    ),
    Dataset(
        name="hts_2026_rev10",
        path="hts/hts_2026_rev10_full.csv",
        authority="USITC",
        official=True,
        revision="2026 Revision 10",
        effective=date(2026, 6, 8),
        description="Harmonized Tariff Schedule of the United States, 2026 Revision 10 (USITC JSON export)",
        columns=HTS_COLUMNS,
    ),
)


def dataset(name: str) -> Dataset:
    for candidate in DATASETS:
        if candidate.name == name:
            return candidate
    raise KeyError(name)


CHAPTER99 = (
    Dataset(
        name="hts_ch99_history",
        path="hts/ch99_9903_history_2025basic_to_2026rev10.csv",
        authority="USITC",
        official=True,
        revision="2025 Basic Edition to 2026 Revision 10 (43 revisions)",
        description="Every distinct text of every 9903 heading with the first and last revision it appeared in",
        columns=("hts_number", "first_revision", "first_revision_effective_date", "last_revision",
                 "in_latest_revision", "general_rate", "description"),
    ),
    Dataset(
        name="hts_revisions",
        path="hts/hts_revisions_2025_2026.csv",
        authority="USITC",
        official=False,
        revision="2025 Basic Edition to 2026 Revision 10",
        description="HTSUS revisions and their effective dates (the tracker's table from USITC release dates)",
        columns=("revision", "effective_date", "policy_effective_date", "policy_event"),
    ),
)  # fmt: skip
DATASETS = SCHEDULES + CHAPTER99
