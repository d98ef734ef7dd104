"""Product lists from the official data, resolved by name from rule files, with their provenance."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tradelex.data.product_lists import data_lists
from tradelex.errors import PackErrors
from tradelex.rules.loader import load_pack

SHARED = Path(__file__).parents[2].parent / "shared" / "data"

PACK = 'name: t\nversion: "1"\ncutoff: "2026-01-01"\n'
MEASURE = """\
title: List 3
imposed_by: US
partners: [CN]
authority: Section 301
kind: ad_valorem
values:
  "2018-09-24": {{rate: "10%", source: "83 FR 47974", confidence: confirmed}}
scope:
  - {{from: "2018-09-24", include: ["{name}"]}}
"""


def pack_using(tmp_path: Path, name: str) -> Path:
    (tmp_path / "us").mkdir(parents=True)
    (tmp_path / "pack.yaml").write_text(PACK, encoding="utf-8")
    (tmp_path / "us" / "list3.yaml").write_text(MEASURE.format(name=name), encoding="utf-8")
    return tmp_path


def test_a_data_list_resolves_with_its_provenance(tmp_path: Path) -> None:
    pack = load_pack(pack_using(tmp_path, "@us/s301/list3"))
    named = pack.lists["@us/s301/list3"]
    assert "39232100" in named.codes  # on List 3 in the USTR annex (shared/data/README.md spot checks)
    assert "94016140" not in named.codes  # not in the September 2018 List 3 under that number
    assert named.confidence.value == "unconfirmed" and "third party" in (named.note or "")
    assert "USTR" in named.source


def test_an_official_list_is_confirmed(tmp_path: Path) -> None:
    pack = load_pack(pack_using(tmp_path, "@us/ieepa/annex-ii"))
    annex = pack.lists["@us/ieepa/annex-ii"]
    assert annex.confidence.value == "confirmed"
    assert len(annex.codes) == 1082 and "8471" in annex.codes and "8505110070" in annex.codes


def test_an_unknown_list_is_still_an_error(tmp_path: Path) -> None:
    with pytest.raises(PackErrors) as raised:
        load_pack(pack_using(tmp_path, "@us/s301/list9"))
    assert raised.value.errors[0].field == "scope.0.include"
    assert raised.value.errors[0].message.startswith("list @us/s301/list9 is not defined")


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not beside the project")
def test_list_sizes_match_the_source_files() -> None:
    lists = data_lists()
    with (SHARED / "section301" / "s301_original_ustr_lists_2018_2019_hts8.csv").open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if not row["hts8"].startswith("99")]
    for annex in ("List 1", "List 2", "List 3", "List 4A", "List 4B"):
        name = "@us/s301/" + annex.lower().replace(" ", "")
        assert len(lists[name].codes) == len({row["hts8"] for row in rows if row["list"] == annex})
    original = [name for name in lists if name.startswith("@us/ieepa/annex-ii/original/")]
    assert sum(len(lists[name].codes) for name in original) == 1039  # rev_7 codes (shared/data/README.md)
    assert len(lists["@us/ieepa/annex-ii/original/removed-rev_17"].codes) == 76  # copper, moved to Section 232
    assert len(lists["@us/ieepa/electronics-memo"].codes) == 20
    exclusions = {
        code for name, data in lists.items() if name.startswith("@us/s301/exclusions/") for code in data.codes
    }
    assert "3923210095" in exclusions and "8483509040" in exclusions
