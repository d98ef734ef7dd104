"""Product lists from the official datasets, referenced from rule files by name (@us/s301/list3).

Each list dataset says which file it reads, how a row becomes (list name, code), and whether the list is an
official publication or compiled by a third party from official texts (shared/data/README.md says which). A pack's
own lists/ folder wins over a data list of the same name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow as pa

from tradelex.data.catalog import read_table
from tradelex.data.datasets import Dataset
from tradelex.data.importers import csv_rows
from tradelex.errors import DataError, UnknownCodeError
from tradelex.nomenclature.codes import normalise_code

Row = dict[str, str]


@dataclass(frozen=True)
class ListSource:
    """How one file becomes named lists."""

    dataset: Dataset
    code_column: str
    name_of: Callable[[Row], str | None]  # the list a row belongs to; None skips the row (said in `skips`)
    titles: dict[str, str]
    skips: str = ""
    split: str = ""  # a separator when the code cell holds several codes
    # China's tariff splits a few 10-digit lines into value bands (8521102000A, …B); a product list matches by code
    # prefix, so the band letter is dropped and both bands fall under the line.
    strip_value_band: bool = False


def _s301_current(row: Row) -> str:
    return f"@us/s301/current/{row['list'].lower().replace('_', '-')}"


def _s301_original(row: Row) -> str | None:
    # The annexes also list their own Chapter 99 lines (9903.88.xx), which are headings, not products.
    return None if row["hts8"].startswith("99") else f"@us/s301/{row['list'].lower().replace(' ', '')}"


def _annex_ii_original(row: Row) -> str | None:
    """The original Annex II, split by what became of each code: kept, or removed at a later revision."""
    if row["first_revision"] != "rev_7":
        return None
    removed = row["removed_at"]
    kept = removed in ("", "NA")
    return "@us/ieepa/annex-ii/original/kept" if kept else f"@us/ieepa/annex-ii/original/removed-{removed}"


def _china_round(row: Row) -> str:
    # Named by the round's own increment (change_pp), not the cumulative rate after it, so that a rule file can give
    # each round its own measure: lines of the 2019-06-01 increase at +15 are the 10% -> 25% category.
    return f"@cn/retaliation/{row['round'].replace('_', '-')}/{row['change_pp'].removesuffix('.0')}"


def _dataset(name: str, path: str, official: bool, revision: str, description: str, columns: tuple[str, ...],
             authority: str) -> Dataset:  # fmt: skip
    return Dataset(name=name, path=path, authority=authority, official=official, revision=revision,
                   description=description, columns=columns)  # fmt: skip


LIST_SOURCES: tuple[ListSource, ...] = (
    ListSource(
        _dataset(
            "list_cn_retaliation",
            "china/china_retaliation_on_us_2018_2019_hs10_piie.csv",
            False,
            "Tariff Commission rounds 2018-2019",
            "China's retaliatory tariff lines on US goods by round and "
            "rate after the round, 2018-2019 (compiled by PIIE from the Tariff Commission's annexes)",
            ("hs10", "round", "change_pp"),
            "State Council Tariff Commission",
        ),
        "hs10",
        _china_round,
        {},
        strip_value_band=True,
    ),
    ListSource(
        _dataset(
            "list_cn_s232_128",
            "china/china_retaliation_2018_04_02_s232_128lines_mof.csv",
            True,
            "Tariff Commission [2018] No. 13",
            "The 128 lines of China's 2018-04-02 retaliation to Section 232 "
            "(Tariff Commission notice [2018] No. 13 annex)",
            ("hs8", "addl_rate_pct"),
            "State Council Tariff Commission",
        ),
        "hs8",
        lambda row: f"@cn/retaliation/s232-128-mof/{row['addl_rate_pct']}",
        {},
    ),
    ListSource(
        _dataset(
            "list_s301_original",
            "section301/s301_original_ustr_lists_2018_2019_hts8.csv",
            False,
            "USTR annexes 2018-2019",
            "Section 301 Lists 1, 2, 3, 4A, 4B as published in USTR's annexes, in "
            "the nomenclature of their time (extracted from the annex PDFs by a third party)",
            ("list", "hts8"),
            "USTR",
        ),
        "hts8",
        _s301_original,
        {
            "@us/s301/list1": "Section 301 List 1 (USTR annex, 83 FR 28710)",
            "@us/s301/list2": "Section 301 List 2 (USTR annex, 83 FR 40823)",
            "@us/s301/list3": "Section 301 List 3 (USTR annex, 83 FR 47974)",
            "@us/s301/list4a": "Section 301 List 4A (USTR annex, 84 FR 43304)",
            "@us/s301/list4b": "Section 301 List 4B (USTR annex, 84 FR 43304; suspended)",
        },
        skips="the annexes' own Chapter 99 lines (9903.88.xx)",
    ),
    ListSource(
        _dataset(
            "list_s301_current",
            "section301/s301_product_lists_hts8.csv",
            False,
            "HTSUS 2026 Rev. 10",
            "Current HTS8 coverage of each Section 301 action (compiled by the Yale Budget Lab tracker from the "
            "USITC China tariffs list and ch. 99 notes 20 and 31)",
            ("hts8", "list"),
            "USTR / USITC",
        ),
        "hts8",
        _s301_current,
        {},
    ),
    ListSource(
        _dataset(
            "list_s301_exclusions",
            "section301/s301_exclusions_note20_vvv_www_2026rev6.csv",
            True,
            "HTSUS 2026 Rev. 6",
            "The 178 Section 301 exclusions in force through 2026-11-09: ch. 99 note "
            "20(vvv) and 20(www), headings 9903.88.69 and 9903.88.70",
            ("exclusion_heading", "stat_numbers_mentioned"),
            "USITC",
        ),
        "stat_numbers_mentioned",
        lambda row: f"@us/s301/exclusions/{row['excluded_from_heading']}",
        {},
        split=";",
    ),
    ListSource(
        _dataset(
            "list_annex_ii",
            "ieepa/annex_ii_note2_v_iii_a_2026rev6.csv",
            True,
            "HTSUS 2026 Rev. 6",
            "Annex II to EO 14257 as amended, as printed in ch. 99 U.S. note 2(v)(iii)(a)",
            ("hts_digits",),
            "USITC",
        ),
        "hts_digits",
        lambda row: "@us/ieepa/annex-ii",
        {"@us/ieepa/annex-ii": "Annex II to EO 14257, as amended"},
    ),
    ListSource(
        _dataset(
            "list_annex_ii_history",
            "ieepa/annex_ii_history_2025rev7_to_2026rev10.csv",
            False,
            "HTSUS 2025 Rev. 7",
            "Annex II as first implemented (HTSUS 2025 Rev. 7), from the tracker's revision-by-revision history",
            ("prefix", "first_revision", "removed_at"),
            "USITC",
        ),
        "prefix",
        _annex_ii_original,
        {
            "@us/ieepa/annex-ii/original/kept": "Annex II to EO 14257 as of 2025-04-05: codes still listed in 2026",
            "@us/ieepa/annex-ii/original/removed-rev_17": "Annex II codes removed by HTSUS 2025 Rev. 17 (copper)",
            "@us/ieepa/annex-ii/original/removed-rev_22": "Annex II codes removed by HTSUS 2025 Rev. 22 (EO 14346)",
            "@us/ieepa/annex-ii/original/removed-rev_25": "Annex II codes removed by HTSUS 2025 Rev. 25 (wood)",
        },
        skips="codes added to Annex II after HTSUS 2025 Rev. 7",
    ),
    ListSource(
        _dataset(
            "list_electronics_memo",
            "ieepa/electronics_exemption_memo_2025-04-11.csv",
            False,
            "Memorandum of 2025-04-11",
            "The 20 headings and subheadings of the memorandum of 2025-04-11 "
            "(transcribed, checked against note 2(v)(iii))",
            ("hts_prefix",),
            "White House",
        ),
        "hts_prefix",
        lambda row: "@us/ieepa/electronics-memo",
        {"@us/ieepa/electronics-memo": "Products excepted by the memorandum of 2025-04-11"},
    ),
    ListSource(
        _dataset(
            "list_s122_exempt",
            "section122/s122_exempt_products_hts8.csv",
            False,
            "Proclamation of 2026-02-20",
            "HTS8 codes exempt from the Section 122 surcharge (compiled by a third party)",
            ("hts8",),
            "White House / USITC",
        ),
        "hts8",
        lambda row: "@us/s122/exempt",
        {"@us/s122/exempt": "Products exempt from the Section 122 surcharge"},
    ),
    ListSource(
        _dataset(
            "list_s232_metals",
            "section232/s232_metal_chapter_products.csv",
            False,
            "HTSUS ch. 99 notes 16, 19",
            "Primary steel, aluminium and copper prefixes under Section 232 (compiled by a third party)",
            ("hts_prefix", "metal_type"),
            "USITC",
        ),
        "hts_prefix",
        lambda row: f"@us/s232/metal/{row['metal_type']}",
        {},
    ),
    ListSource(
        _dataset(
            "list_s232_derivatives",
            "section232/s232_derivative_products.csv",
            False,
            "HTSUS ch. 99 notes 16, 19",
            "Steel and aluminium derivative prefixes under Section 232 (compiled by a third party)",
            ("hts_prefix", "derivative_type"),
            "USITC",
        ),
        "hts_prefix",
        lambda row: f"@us/s232/derivatives/{row['derivative_type']}",
        {},
    ),
    ListSource(
        _dataset(
            "list_s232_copper",
            "section232/s232_copper_products.csv",
            False,
            "HTSUS ch. 99 heading 9903.78.01",
            "Semi-finished copper and copper derivatives under Section 232 (compiled by a third party)",
            ("hts10",),
            "USITC",
        ),
        "hts10",
        lambda row: "@us/s232/copper",
        {"@us/s232/copper": "Section 232 copper products (9903.78.01)"},
    ),
    ListSource(
        _dataset(
            "list_s232_auto_parts",
            "section232/s232_auto_parts.csv",
            False,
            "HTSUS ch. 99 note 33",
            "Automobile parts under Section 232 (compiled by a third party)",
            ("hts_prefix",),
            "USITC",
        ),
        "hts_prefix",
        lambda row: "@us/s232/auto-parts",
        {"@us/s232/auto-parts": "Section 232 automobile parts"},
    ),
    ListSource(
        _dataset(
            "list_s232_mhd_parts",
            "section232/s232_mhd_parts.csv",
            False,
            "HTSUS ch. 99 note 38",
            "Medium- and heavy-duty truck parts under Section 232 (compiled by a third party)",
            ("hts_prefix",),
            "USITC",
        ),
        "hts_prefix",
        lambda row: "@us/s232/mhd-parts",
        {"@us/s232/mhd-parts": "Section 232 truck parts"},
    ),
    ListSource(
        _dataset(
            "list_s232_semiconductors",
            "section232/s232_semi_products.csv",
            False,
            "HTSUS heading 9903.79.01",
            "Semiconductor products under Section 232 from 2026-01-15 (compiled by a third party)",
            ("hts10",),
            "USITC",
        ),
        "hts10",
        lambda row: "@us/s232/semiconductors",
        {"@us/s232/semiconductors": "Section 232 semiconductor products (9903.79.01)"},
    ),
)


def import_list(path: Path, source: ListSource) -> pa.Table:
    """Every row becomes (list, code) or is skipped for the stated reason; a bad code names the row."""
    names: list[str] = []
    codes: list[str] = []
    for number, row in csv_rows(path, source.dataset.columns):
        name = source.name_of(row)
        if name is None:
            continue
        cells = row[source.code_column].split(source.split) if source.split else [row[source.code_column]]
        for cell in cells:
            cell = cell.strip()
            if source.strip_value_band and cell[-1:].isalpha():
                cell = cell[:-1]
            try:
                code = normalise_code(cell, source.code_column)
            except UnknownCodeError as error:
                raise DataError(str(path), error.message, row=number, field=source.code_column) from None
            names.append(name)
            codes.append(code)
    return pa.table({"list": names, "code": codes})


@dataclass(frozen=True)
class DataList:
    name: str
    title: str
    codes: tuple[str, ...]
    dataset: Dataset
    provenance: dict[str, object]


@cache
def data_lists() -> dict[str, DataList]:
    """Every list the loaded data provides, by name."""
    lists: dict[str, DataList] = {}
    for source in LIST_SOURCES:
        found = read_table(source.dataset.name)
        if found is None:
            continue
        table, provenance = found
        grouped: dict[str, list[str]] = {}
        for name, code in zip(table.column("list").to_pylist(), table.column("code").to_pylist(), strict=True):
            grouped.setdefault(name, []).append(code)
        for name, codes in grouped.items():
            title = source.titles.get(name, f"{source.dataset.description}: {name.rsplit('/', 1)[-1]}")
            lists[name] = DataList(name, title, tuple(dict.fromkeys(codes)), source.dataset, provenance)
    return lists
