"""Trade values and China's tariffs: every row imported and typed, the README's spot values, bad rows named."""

from __future__ import annotations

import csv
import dataclasses
from collections import Counter
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from tradelex.cli.main import app
from tradelex.data.catalog import bundled_manifest, read_table
from tradelex.data.registry import all_datasets, importer_for
from tradelex.data.trade import TRADE_SOURCES, ImportResult, Skip, import_counts, read_trade, trade_source
from tradelex.errors import DataError

SHARED = Path(__file__).parents[2].parent / "shared" / "data"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not beside the project")

# Rows as shared/data/README.md counts them (the tables of trade/ and china/).
README_ROWS = {
    "trade_us_imports_cn_hts10_2017": 14405,
    "trade_us_imports_cn_hts10_2024": 14422,
    "trade_us_imports_cn_hts8_2017_2024": 17648,
    "trade_us_imports_cn_hs6_2017_2024": 9203,
    "trade_us_exports_cn_hs6_2013_2020": 33490,
    "trade_us_cn_goods_monthly_2016_2026": 121,
    "trade_us_imports_cn_hs2_monthly_2013_2021": 9996,
    "trade_us_imports_total_monthly_2013_2025": 155,
    "china_mfn_2018_2019": 11790,
    "china_tariff_on_us_2018_2019": 11790,
    "china_retaliation_2018_2019": 15512,
    "china_retaliation_s232_128_mof": 128,
    "china_imports_us_hs8_2017": 8252,
    "china_piie_avg_tariff_2018_2019": 10,
}

# Official or compiled by a third party, as the README says it.
README_OFFICIAL = {
    # trade/ (authority US Census Bureau): the Census figures as an official channel delivered them ...
    "trade_us_imports_cn_hts10_2017": True,  # a USITC DataWeb export
    "trade_us_imports_cn_hts10_2024": True,  # a Census international-trade API pull
    "trade_us_cn_goods_monthly_2016_2026": True,  # FRED downloads of the Census series IMPCH / EXPCH
    "trade_us_imports_cn_hs2_monthly_2013_2021": True,  # Census API CON_VAL_MO / CAL_DUT_MO
    # ... and figures a third party computed from them
    "trade_us_imports_cn_hts8_2017_2024": False,  # "The two files above summed to HTS8"
    "trade_us_imports_cn_hs6_2017_2024": False,  # "Summed to HS6"
    "trade_us_exports_cn_hs6_2013_2020": False,  # "annual sums of the monthly Census data ... (zero rows dropped)"
    "trade_us_imports_total_monthly_2013_2025": False,  # the tracker's output, with "the tracker's duty_to_value_pct"
    # china/: "Derived, not official: apart from the 128-line MOF list, the files below are PIIE's compilation"
    "china_mfn_2018_2019": False,
    "china_tariff_on_us_2018_2019": False,
    "china_retaliation_2018_2019": False,
    "china_retaliation_s232_128_mof": True,  # "Official MOF annex to Tariff Commission notice [2018] No. 13"
    "china_imports_us_hs8_2017": False,
    "china_piie_avg_tariff_2018_2019": False,
}


@cache
def imported(name: str) -> ImportResult:
    source = trade_source(name)
    return read_trade(SHARED / source.dataset.path, source)


def rows_of(name: str) -> list[dict[str, Any]]:
    return list(imported(name).table.to_pylist())


def source_rows(name: str) -> list[dict[str, str]]:
    with (SHARED / trade_source(name).dataset.path).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def total(rows: list[dict[str, Any]], column: str, **where: object) -> int:
    return sum(row[column] for row in rows if all(row[k] == v for k, v in where.items()))


def test_every_file_of_trade_and_china_has_a_registered_dataset() -> None:
    files = {source.dataset.path for source in TRADE_SOURCES}
    if SHARED.is_dir():
        on_disk = {f"{folder}/{path.name}" for folder in ("trade", "china") for path in (SHARED / folder).glob("*.csv")}
        assert files == on_disk
    assert set(README_ROWS) == {source.dataset.name for source in TRADE_SOURCES}
    known = {dataset.name for dataset in all_datasets()}
    assert set(README_ROWS) <= known
    assert all(callable(importer_for(name)) for name in README_ROWS)


@pytest.mark.parametrize("name", sorted(README_OFFICIAL))
def test_the_official_flag_is_the_readme_s(name: str) -> None:
    assert trade_source(name).dataset.official is README_OFFICIAL[name]


@needs_shared
@pytest.mark.parametrize("name", sorted(README_ROWS))
def test_every_row_is_imported(name: str) -> None:
    result = imported(name)
    expected = len(source_rows(name))
    assert result.rows_read == result.rows_kept == result.table.num_rows == expected == README_ROWS[name]
    assert result.rows_skipped == {}
    assert import_counts(result.table) == {"dataset": name, **result.counts()}
    assert not any(pa.types.is_floating(column.type) for column in result.table.schema)


@needs_shared
def test_us_imports_from_china_hts10() -> None:
    rows_2017 = rows_of("trade_us_imports_cn_hts10_2017")
    assert total(rows_2017, "value_usd") == 505_469_954_379  # README: $505.470bn
    horses = next(row for row in rows_2017 if row["hs_code"] == "0101290090")
    assert (horses["hts8"], horses["hs6"], horses["value_usd"]) == ("01012900", "010129", 1_169_976)
    rows_2024 = rows_of("trade_us_imports_cn_hts10_2024")
    assert total(rows_2024, "value_usd") == 429_425_828_419  # README: $429.426bn
    assert total(rows_2024, "calculated_duty_usd") == 46_661_215_871  # README: duties $46.661bn
    assert sum(row["value_usd"] == 0 for row in rows_2024) == 36  # README: 36 rows have value 0
    assert Decimal(total(rows_2024, "value_usd", hs_code="9999950000")) == Decimal("5135973063")


@needs_shared
@pytest.mark.parametrize(
    ("name", "counts"),
    [
        ("trade_us_imports_cn_hts8_2017_2024", {2017: 8800, 2024: 8848}),
        ("trade_us_imports_cn_hs6_2017_2024", {2017: 4555, 2024: 4648}),
    ],
)
def test_the_summed_files_equal_the_hts10_files(name: str, counts: dict[int, int]) -> None:
    rows = rows_of(name)
    assert Counter(row["year"] for row in rows) == counts
    assert total(rows, "value_usd", year=2017) == total(rows_of("trade_us_imports_cn_hts10_2017"), "value_usd")
    assert total(rows, "value_usd", year=2024) == total(rows_of("trade_us_imports_cn_hts10_2024"), "value_usd")


@needs_shared
def test_us_exports_and_monthly_series() -> None:
    exports = rows_of("trade_us_exports_cn_hs6_2013_2020")
    assert total(exports, "value_usd", year=2017) == 129_035_167_425  # README: $129.035bn
    assert sum(row["year"] == 2017 for row in exports) == 4256
    monthly = rows_of("trade_us_cn_goods_monthly_2016_2026")
    assert (monthly[0]["month"], monthly[-1]["month"]) == ("2016-01", "2026-01")

    def year(column: str, prefix: str) -> Decimal:
        return Decimal(sum(row[column] for row in monthly if row["month"].startswith(prefix))).scaleb(-9)

    # README: 2017 imports $505.165bn / exports $129.997bn; 2024 $438.742bn / $143.227bn; 2025 $308.380bn / $106.308bn
    readme = {"2017": ("505.165", "129.997"), "2024": ("438.742", "143.227"), "2025": ("308.380", "106.308")}
    for prefix, (imports, exports_) in readme.items():
        assert year("us_imports_from_china_usd", prefix).quantize(Decimal("0.001")) == Decimal(imports)
        assert year("us_exports_to_china_usd", prefix).quantize(Decimal("0.001")) == Decimal(exports_)
    assert monthly[0]["us_goods_balance_with_china_usd"] == -28_917_547_743
    hs2 = rows_of("trade_us_imports_cn_hs2_monthly_2013_2021")
    assert sum(row["value_usd"] for row in hs2 if row["month"].startswith("2017")) == 503_651_580_046  # $503.652bn
    world = {row["month"]: row for row in rows_of("trade_us_imports_total_monthly_2013_2025")}
    assert world["2025-03"]["us_imports_for_consumption_all_countries_usd"] == 286_145_455_374  # $286.1bn
    assert world["2025-04"]["us_imports_for_consumption_all_countries_usd"] == 237_900_499_614  # $237.9bn
    first = world["2013-01"]
    assert (first["duty_to_value_pct"], first["duty_to_value_percent"]) == ("1.8272", Decimal("1.8272"))


@needs_shared
def test_china_mfn_spot_checks() -> None:
    mfn = {row["hs10"]: row for row in rows_of("china_mfn_2018_2019")}
    assert mfn["1201901000"]["mfn_applied_2018_01_01_percent"] == Decimal(3)  # soybeans
    assert mfn["1201901000"]["mfn_applied_2018_01_01"] == "3"  # the original text is kept
    assert mfn["0207120000"]["mfn_applied_2018_01_01_percent"] == Decimal("11.032")  # a PIIE ad valorem equivalent
    cars = mfn["8703236210"]
    assert (cars["mfn_applied_2018_05_01_percent"], cars["mfn_applied_2018_07_01_percent"]) == (25, 15)
    assert mfn["1001990090"]["mfn_applied_2019_01_01_percent"] == 65  # out-of-quota wheat
    assert mfn["2709000000"]["mfn_applied_2018_01_01_percent"] == 0  # crude oil
    assert len({row["hs8"] for row in mfn.values()}) == 8547
    assert sum(not code.isdigit() for code in mfn) == 28  # the A/B value-band lines, kept as text
    no_rate = [code for code, row in mfn.items() if row["mfn_applied_2018_01_01"] is None]
    assert len(no_rate) == 14 and "3702520000" in no_rate
    mfn_dates = ("2018_01_01", "2018_05_01", "2018_07_01", "2018_11_01", "2019_01_01")
    assert imported("china_mfn_2018_2019").rates_not_plain == {f"mfn_applied_{d}": 14 for d in mfn_dates}


@needs_shared
def test_china_total_tariff_on_us_goods() -> None:
    tariffs = {row["hs10"]: row for row in rows_of("china_tariff_on_us_2018_2019")}
    pork = tariffs["0203290010"]  # frozen pork: 12% MFN + 25 (April 2018) + 25 (July 2018)
    assert (pork["us_total_2018_04_02_percent"], pork["us_total_2018_07_06_percent"]) == (37, Decimal(62))
    soybeans = tariffs["1201901000"]
    assert (soybeans["us_total_2018_07_01_percent"], soybeans["us_total_2018_07_06_percent"]) == (3, 28)
    lng = tariffs["2711110000"]
    assert [lng[f"us_addl_{d}_percent"] for d in ("2018_08_23", "2018_09_24", "2019_06_01")] == [0, 10, 25]
    assert tariffs["8703236210"]["us_total_2019_01_01_percent"] == 15  # auto retaliation suspended
    # the total is the applied MFN of the other file plus the additional tariff, on every line and date
    mfn = {row["hs10"]: row for row in rows_of("china_mfn_2018_2019")}
    for code, row in tariffs.items():
        for date, level in (("2018_04_02", "2018_01_01"), ("2018_09_24", "2018_07_01"), ("2019_06_01", "2019_01_01")):
            applied = mfn[code][f"mfn_applied_{level}_percent"]
            expected = None if applied is None else applied + row[f"us_addl_{date}_percent"]
            assert row[f"us_total_{date}_percent"] == expected, (code, date)


@needs_shared
def test_china_retaliation_rounds() -> None:
    rows = rows_of("china_retaliation_2018_2019")
    rounds = ("s232_retaliation_128_lines", "s301_34bn_545_lines", "s301_16bn_333_lines", "s301_60bn_5207_lines",
              "auto_parts_suspension")  # fmt: skip
    assert [len({row["hs8"] for row in rows if row["round"] == name}) for name in rounds] == [128, 545, 333, 5207, 211]
    in_60bn = {row["hs8"]: row["annex_60bn"] for row in rows if row["round"] == "s301_60bn_5207_lines"}
    annexes = Counter(in_60bn.values())
    assert [annexes[f"{n} ({r}%)"] for n, r in ((1, 25), (2, 20), (3, 10), (4, 5))] == [2493, 1078, 974, 662]
    suspension = {row["change_pp_points"] for row in rows if row["round"] == "auto_parts_suspension"}
    assert suspension == {Decimal(-25), Decimal(-5)}
    mof = rows_of("china_retaliation_s232_128_mof")
    assert Counter(row["addl_rate_percent"] for row in mof) == {Decimal(15): 120, Decimal(25): 8}
    assert {row["effective_date"].isoformat() for row in mof} == {"2018-04-02"}
    assert {row["hs8"] for row in mof} == {row["hs8"] for row in rows if row["round"] == "s232_retaliation_128_lines"}


@needs_shared
def test_china_imports_from_the_us_and_piie_averages() -> None:
    rows = rows_of("china_imports_us_hs8_2017")
    assert total(rows, "value_usd") == 154_839_651_000  # README: $154.840bn
    assert sum(row["value_usd"] > 0 for row in rows) == 5934
    averages = {row["effective_date"].isoformat(): row for row in rows_of("china_piie_avg_tariff_2018_2019")}
    assert averages["2018-01-01"]["avg_tariff_on_us_percent"] == Decimal("7.9934")  # README: 7.99%
    assert averages["2018-09-24"]["avg_tariff_on_us_percent"] == Decimal("18.3293")  # README: 18.33%
    assert averages["2019-06-01"]["avg_tariff_on_us_percent"] == Decimal("20.7237")  # README: 20.72%


# Bad rows: a copy of the file's header and first two data rows, one cell spoiled.

BAD_VALUES = [
    ("trade_us_imports_cn_hts10_2017", 2, "hs_code", "01012900X0", "expected a product code of 10 digits"),
    ("trade_us_imports_cn_hts10_2017", 3, "year", "2018", "expected 2017"),
    ("trade_us_imports_cn_hts10_2017", 3, "hts8", "01061200", "is not the start of hs_code"),
    ("trade_us_imports_cn_hts10_2024", 3, "value_usd", "17300.50", "expected whole US dollars"),
    ("trade_us_imports_cn_hts10_2024", 3, "calculated_duty_usd", "-1299", "expected an amount of 0 or more"),
    (
        "trade_us_imports_cn_hts8_2017_2024",
        3,
        "hs_code",
        "0106110",
        "expected a product code of 8 digits, got '0106110'",
    ),
    ("trade_us_imports_cn_hs6_2017_2024", 3, "code_level", "hs4", "expected one of hs6"),
    ("trade_us_exports_cn_hs6_2013_2020", 3, "value_usd", "1.2e5", "expected whole US dollars"),
    ("trade_us_cn_goods_monthly_2016_2026", 3, "month", "2016-13", "expected a month as YYYY-MM"),
    ("trade_us_cn_goods_monthly_2016_2026", 3, "us_goods_balance_with_china_usd", "-1", "is not exports minus"),
    ("trade_us_cn_goods_monthly_2016_2026", 3, "month", "2016-01", "duplicate of row 2"),
    ("trade_us_imports_cn_hs2_monthly_2013_2021", 3, "value_usd", "", "is empty"),
    ("trade_us_imports_total_monthly_2013_2025", 3, "duty_to_value_pct", "n/a", "expected a plain percentage"),
    ("china_mfn_2018_2019", 3, "mfn_applied_2018_07_01", "0.4 yuan/kg", "expected a plain percentage"),
    ("china_mfn_2018_2019", 2, "hs10", "0101210010C", "of 10 digits (then A or B or nothing)"),
    ("china_tariff_on_us_2018_2019", 3, "hs8", "01012900", "is not the start of hs10"),
    ("china_tariff_on_us_2018_2019", 3, "us_addl_2018_04_02", "-5", "expected a rate of 0 or more"),
    ("china_retaliation_2018_2019", 3, "effective_date", "2018-02-30", "no such day"),
    ("china_retaliation_2018_2019", 3, "effective_date", "2018-07-06", "is not the date of its round"),
    ("china_retaliation_2018_2019", 3, "annex_60bn", "1 (25%)", "only for, the USD 60bn rounds"),
    ("china_retaliation_s232_128_mof", 3, "item_no", "1", "duplicate of row 2"),
    ("china_imports_us_hs8_2017", 3, "value_usd", "1,000", "expected whole US dollars"),
    ("china_piie_avg_tariff_2018_2019", 3, "avg_tariff_on_us_pct", "8.37001", "more than 4 decimal places"),
]


def spoiled_copy(folder: Path, name: str, row: int, field: str, value: str) -> Path:
    header, *rows = list(csv.reader((SHARED / trade_source(name).dataset.path).open(encoding="utf-8", newline="")))[:3]
    rows[row - 2][header.index(field)] = value
    path = folder / "broken.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])
    return path


@needs_shared
@pytest.mark.parametrize(("name", "row", "field", "value", "message"), BAD_VALUES)
def test_a_bad_value_names_the_file_row_and_field(
    tmp_path: Path, name: str, row: int, field: str, value: str, message: str
) -> None:
    path = spoiled_copy(tmp_path, name, row, field, value)
    with pytest.raises(DataError) as raised:
        importer_for(name)(path)
    assert (raised.value.row, raised.value.field) == (row, field)
    assert message in raised.value.message
    assert str(path) in str(raised.value)


def test_missing_columns_and_short_rows_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("effective_date,event\n2018-01-01,baseline\n", encoding="utf-8")
    with pytest.raises(DataError, match="missing columns: avg_tariff_on_us_pct"):
        importer_for("china_piie_avg_tariff_2018_2019")(path)
    short = tmp_path / "short.csv"
    short.write_text(
        "month,us_imports_for_consumption_all_countries_usd,duty_to_value_pct,source\n2013-01,1\n", encoding="utf-8"
    )
    with pytest.raises(DataError) as raised:
        importer_for("trade_us_imports_total_monthly_2013_2025")(short)
    assert (raised.value.row, raised.value.field) == (2, "duty_to_value_pct")


def test_skipped_rows_are_counted_with_their_reason(tmp_path: Path) -> None:
    source = dataclasses.replace(
        trade_source("trade_us_imports_cn_hs6_2017_2024"),
        skips=(Skip("totals row (not a product)", lambda record: record["hs_code"] == "TOTAL"),),
    )
    path = tmp_path / "hs6.csv"
    path.write_text(
        "year,hs_code,code_level,value_usd,value_basis,source\n"
        "2017,010129,hs6,1169976,general imports,x\n"
        "2017,TOTAL,hs6,1169976,general imports,x\n"
        "2017,010611,hs6,33808661,general imports,x\n",
        encoding="utf-8",
    )
    result = read_trade(path, source)
    assert (result.rows_read, result.rows_kept, result.rows_skipped) == (3, 2, {"totals row (not a product)": 1})
    assert import_counts(result.table)["rows_skipped"] == {"totals row (not a product)": 1}
    assert result.table.column("value_usd").to_pylist() == [1169976, 33808661]
    assert result.table.schema.field("value_usd").type == pa.int64()


def test_the_bundle_ships_every_trade_dataset_with_its_counts() -> None:
    manifest = bundled_manifest()
    for name, rows in README_ROWS.items():
        assert manifest[name]["rows"] == rows and manifest[name]["official"] is README_OFFICIAL[name], name
    found = read_table("china_mfn_2018_2019")
    assert found is not None and found[1]["where"] == "bundled"
    table = found[0]
    assert table.schema.field("mfn_applied_2018_01_01_percent").type == pa.decimal128(12, 4)
    assert import_counts(table)["rates_not_plain"]["mfn_applied_2018_01_01"] == 14


@needs_shared
def test_a_trade_file_imports_into_the_store(tmp_path: Path) -> None:
    path = SHARED / trade_source("china_piie_avg_tariff_2018_2019").dataset.path
    result = CliRunner().invoke(app, ["data", "import", "china_piie_avg_tariff_2018_2019", str(path), "--json"])
    assert result.exit_code == 0, result.output
    found = read_table("china_piie_avg_tariff_2018_2019")
    assert found is not None and found[1]["where"] != "bundled"
    assert found[0].column("avg_tariff_on_us_percent").to_pylist()[1] == Decimal("8.37")
