"""Trade values and China's tariffs: one declarative spec per file of shared/data/trade and shared/data/china.

Each spec names the file's dataset (authority, official or compiled by a third party, as shared/data/README.md says)
and types every column it keeps:

- codes are normalised to digits and must have the lengths the file uses (China's 2018 10-digit lines may carry an
  A/B value-band suffix, kept as text after the digits are checked);
- years and counts are integers, months are YYYY-MM and dates YYYY-MM-DD;
- money is parsed exactly with Decimal and stored as int64 whole US dollars (never a float): every value in these
  files is a whole number of dollars, and a value with cents is refused rather than rounded;
- rates keep their original text and gain a Decimal column (`mfn_applied_2018_01_01_percent`, decimal128(12, 4))
  where the text is a plain percentage (`15`, `2.5`, `11.032` or `15%`). The cells that are not are null there and
  counted per column: only empty cells, where the spec allows them (14 HS10 lines have no MFN ad valorem rate); any
  other text is refused, since these files give every rate as a number of percent.

Every row is checked, cross-field rules too (an HTS8 is the first 8 digits of its HTS10, a balance is exports minus
imports); a bad value raises DataError naming the file, the row (the header is row 1) and the field. No row is dropped
silently: a spec that skips rows says why, and the counts (rows read, kept, skipped by reason, rates that are not plain
percentages) travel with the table in its schema metadata (see `import_counts`). None of these 14 files has a row to
skip (no totals rows): every row is kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa

from tradelex.data.datasets import Dataset
from tradelex.data.importers import csv_rows
from tradelex.errors import DataError, UnknownCodeError
from tradelex.nomenclature.codes import normalise_code

Row = dict[str, Any]  # one row after parsing: str, int, Decimal, date or None by column kind
Kind = Literal["text", "category", "code", "integer", "month", "day", "money", "rate"]

METADATA_KEY = b"tradelex.import"
PERCENT_TYPE = pa.decimal128(12, 4)
PERCENT_SCALE = 4

_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_PERCENT = re.compile(r"(-?\d+(?:\.\d+)?)%?")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Column:
    """One column of the source file and how it is checked and stored."""

    name: str
    kind: Kind
    lengths: tuple[int, ...] = ()  # code: the digit counts this file uses
    suffixes: str = ""  # code: letters allowed after the digits (the code is then kept as text)
    values: tuple[str, ...] = ()  # category: the allowed values
    low: int | None = None  # integer: bounds
    high: int | None = None
    negative: bool = False  # money, rate: negative values allowed
    empty: bool = False  # the cell may be empty (stored as null; counted for rates)
    parsed: str = ""  # rate: the name of the Decimal column (default: the name without `_pct`, plus `_percent`)

    @property
    def parsed_name(self) -> str:
        return self.parsed or f"{self.name.removesuffix('_pct')}_percent"


@dataclass(frozen=True)
class Check:
    """A rule across fields of one row; `field` is the one the error names."""

    field: str
    message: str
    holds: Callable[[Row], bool]


@dataclass(frozen=True)
class Skip:
    """Rows left out on purpose (a totals row, say), with the reason reported in the counts.

    Decided on the raw cells, before the row is checked: a totals row has no product code to check.
    """

    reason: str
    applies: Callable[[dict[str, str]], bool]


@dataclass(frozen=True)
class TradeSource:
    dataset: Dataset
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # unique per row; a duplicate names both rows
    checks: tuple[Check, ...] = ()
    skips: tuple[Skip, ...] = ()


@dataclass(frozen=True)
class ImportResult:
    """What one import read, kept and skipped; `table` carries the same counts in its schema metadata."""

    table: pa.Table
    rows_read: int
    rows_kept: int
    rows_skipped: dict[str, int] = field(default_factory=dict)  # by reason
    rates_not_plain: dict[str, int] = field(default_factory=dict)  # by column: cells without a plain percentage

    def counts(self) -> dict[str, Any]:
        return {"rows_read": self.rows_read, "rows_kept": self.rows_kept, "rows_skipped": self.rows_skipped,
                "rates_not_plain": self.rates_not_plain}  # fmt: skip


# Column constructors, so that each spec reads as a list of typed columns.


def text(name: str, empty: bool = False) -> Column:
    return Column(name, "text", empty=empty)


def category(name: str, *values: str) -> Column:
    return Column(name, "category", values=values)


def code(name: str, *lengths: int, suffixes: str = "") -> Column:
    return Column(name, "code", lengths=lengths, suffixes=suffixes)


def integer(name: str, low: int | None = None, high: int | None = None) -> Column:
    return Column(name, "integer", low=low, high=high)


def month(name: str) -> Column:
    return Column(name, "month")


def day(name: str) -> Column:
    return Column(name, "day")


def money(name: str, negative: bool = False) -> Column:
    return Column(name, "money", negative=negative)


def rate(name: str, negative: bool = False, empty: bool = False, parsed: str = "") -> Column:
    return Column(name, "rate", negative=negative, empty=empty, parsed=parsed)


def prefix_of(short: str, long: str) -> Check:
    return Check(short, f"is not the start of {long}", lambda row: str(row[long]).startswith(str(row[short])))


# The files.

_PIIE_TARIFFS = "PIIE data file of 2019-06-12 (Bown, Jung & Zhang)"
_MFN_DATES = ("2018_01_01", "2018_05_01", "2018_07_01", "2018_11_01", "2019_01_01")
_US_DATES = ("2018_01_01", "2018_04_02", "2018_05_01", "2018_07_01", "2018_07_06", "2018_08_23", "2018_09_24",
             "2018_11_01", "2019_01_01", "2019_06_01")  # fmt: skip
_ROUND_DATES = {
    "s232_retaliation_128_lines": date(2018, 4, 2),
    "s301_34bn_545_lines": date(2018, 7, 6),
    "s301_16bn_333_lines": date(2018, 8, 23),
    "s301_60bn_5207_lines": date(2018, 9, 24),
    "auto_parts_suspension": date(2019, 1, 1),
    "s301_60bn_increase": date(2019, 6, 1),
}
_ANNEXES_60BN = ("1 (25%)", "2 (20%)", "3 (10%)", "4 (5%)")


def _source(
    name: str, path: str, authority: str, official: bool, revision: str, description: str,
    columns: tuple[Column, ...], key: tuple[str, ...], checks: tuple[Check, ...] = (), effective: date | None = None,
) -> TradeSource:  # fmt: skip
    dataset = Dataset(name=name, path=path, authority=authority, official=official, revision=revision,
                      effective=effective, description=description, columns=tuple(c.name for c in columns))  # fmt: skip
    return TradeSource(dataset, columns, key, checks)


def _hts10_columns(year: int, *extra: Column) -> tuple[Column, ...]:
    return (integer("year", year, year), code("hs_code", 10), category("code_level", "hts10"), code("hts8", 8),
            code("hs6", 6), text("description"), money("value_usd"), *extra, text("value_basis"),
            text("source"))  # fmt: skip


def _summed_columns(level: str, length: int) -> tuple[Column, ...]:
    return (integer("year", 2017, 2024), code("hs_code", length), category("code_level", level),
            money("value_usd"), text("value_basis"), text("source"))  # fmt: skip


_HTS10_CHECKS = (prefix_of("hts8", "hs_code"), prefix_of("hs6", "hs_code"))
_CHINA_LINE = (code("hs10", 10, suffixes="AB"), code("hs8", 8), code("hs6", 6), text("description"))
_CHINA_CHECKS = (prefix_of("hs8", "hs10"), prefix_of("hs6", "hs8"))

TRADE_SOURCES: tuple[TradeSource, ...] = (
    _source(
        "trade_us_imports_cn_hts10_2017",
        "trade/us_imports_from_china_2017_hts10.csv",
        "USITC DataWeb (US Census Bureau data)",
        True,
        "2017 annual, DataWeb export (snapshot of 2018-08-03)",
        "US general imports from China, customs value, by HTS10 (2017 nomenclature); total $505.470bn",
        _hts10_columns(2017),
        ("hs_code",),
        _HTS10_CHECKS,
    ),
    _source(
        "trade_us_imports_cn_hts10_2024",
        "trade/us_imports_from_china_2024_hts10.csv",
        "US Census Bureau",
        True,
        "2024 annual, Census international trade API (CON_VAL_YR, CAL_DUT_YR, December YTD)",
        "US imports for consumption from China, customs value and calculated duty, by HTS10 (2024 nomenclature); "
        "total $429.426bn, duties $46.661bn",
        _hts10_columns(2024, money("calculated_duty_usd")),
        ("hs_code",),
        _HTS10_CHECKS,
    ),
    _source(
        "trade_us_imports_cn_hts8_2017_2024",
        "trade/us_imports_from_china_hts8_2017_2024.csv",
        "US Census Bureau / USITC DataWeb",
        False,  # summed from the two HTS10 files by the data curators (README: "The two files above summed to HTS8")
        "2017 (general imports) and 2024 (imports for consumption)",
        "US imports from China by HTS8, the two HTS10 files summed (2017 and 2024 are on different bases: "
        "see value_basis)",
        _summed_columns("hts8", 8),
        ("year", "hs_code"),
    ),
    _source(
        "trade_us_imports_cn_hs6_2017_2024",
        "trade/us_imports_from_china_hs6_2017_2024.csv",
        "US Census Bureau / USITC DataWeb",
        False,  # summed from the HTS10 files by the data curators
        "2017 (general imports) and 2024 (imports for consumption)",
        "US imports from China by HS6, the two HTS10 files summed (2017 and 2024 are on different bases: "
        "see value_basis)",
        _summed_columns("hs6", 6),
        ("year", "hs_code"),
    ),
    _source(
        "trade_us_exports_cn_hs6_2013_2020",
        "trade/us_exports_to_china_hs6_2013_2020.csv",
        "US Census Bureau",
        False,  # annual sums of the monthly Census data, zero rows dropped, made by a third party
        "2013-2020 annual sums of monthly data (snapshot of 2021-03-25)",
        "US total exports (FAS) to China by HS6: the US mirror of China's imports from the US, not Chinese data",
        (
            integer("year", 2013, 2020),
            code("hs_code", 6),
            category("code_level", "hs6"),
            money("value_usd"),
            text("flow"),
            text("source"),
        ),
        ("year", "hs_code"),
    ),
    _source(
        "trade_us_cn_goods_monthly_2016_2026",
        "trade/us_china_goods_trade_monthly_2016_2026.csv",
        "US Census Bureau (via FRED)",
        True,
        "FRED IMPCH / EXPCH, 2016-01 to 2026-01",
        "Monthly US goods imports from and exports to China and the balance (exports - imports), customs basis, "
        "not seasonally adjusted, USD (FRED millions x 10^6)",
        (
            month("month"),
            money("us_imports_from_china_usd"),
            money("us_exports_to_china_usd"),
            money("us_goods_balance_with_china_usd", negative=True),
            text("basis"),
            text("source"),
        ),
        ("month",),
        (
            Check(
                "us_goods_balance_with_china_usd",
                "is not exports minus imports",
                lambda row: (
                    row["us_goods_balance_with_china_usd"]
                    == row["us_exports_to_china_usd"] - row["us_imports_from_china_usd"]
                ),
            ),
        ),
    ),
    _source(
        "trade_us_imports_cn_hs2_monthly_2013_2021",
        "trade/us_imports_from_china_hs2_monthly_2013_2021.csv",
        "US Census Bureau",
        True,
        "2013-01 to 2021-06, Census international trade API (CON_VAL_MO, CAL_DUT_MO)",
        "Monthly US imports for consumption from China by HS2 chapter, customs value and calculated duty",
        (
            month("month"),
            code("hs_code", 2),
            category("code_level", "hs2"),
            text("description"),
            money("value_usd"),
            money("calculated_duty_usd"),
            text("value_basis"),
            text("source"),
        ),
        ("month", "hs_code"),
    ),
    _source(
        "trade_us_imports_total_monthly_2013_2025",
        "trade/us_total_imports_for_consumption_monthly_2013_2025.csv",
        "US Census Bureau",
        False,  # the Trade War Tracker's output file, with the tracker's own duty_to_value_pct
        "2013-01 to 2025-11 (Trade War Tracker output of 2026-02-17)",
        "Monthly US imports for consumption from all countries, with the tracker's calculated duties / imports (%)",
        (
            month("month"),
            money("us_imports_for_consumption_all_countries_usd"),
            rate("duty_to_value_pct"),
            text("source"),
        ),
        ("month",),
    ),
    _source(
        "china_mfn_2018_2019",
        "china/china_mfn_applied_2018_2019_hs10_piie.csv",
        "PIIE (rates from MOF / State Council Tariff Commission, ITC Market Access Map)",
        False,  # README: "Derived, not official: apart from the 128-line MOF list, the files below are PIIE's"
        _PIIE_TARIFFS,
        "China's applied MFN rate (%) by 2018 HS10 line, as a level on each MFN change date 2018-01-01 to "
        "2019-01-01; specific duties as PIIE ad valorem equivalents, 14 lines without one",
        (*_CHINA_LINE, *(rate(f"mfn_applied_{d}", empty=True) for d in _MFN_DATES), text("source")),
        ("hs10",),
        _CHINA_CHECKS,
    ),
    _source(
        "china_tariff_on_us_2018_2019",
        "china/china_tariff_on_us_2018_2019_hs10_piie.csv",
        "PIIE (rates from MOF / State Council Tariff Commission, ITC Market Access Map)",
        False,
        _PIIE_TARIFFS,
        "China's additional (retaliatory) and total tariff (%) on US goods by 2018 HS10 line on each change date "
        "2018-01-01 to 2019-06-01",
        (
            *_CHINA_LINE,
            *(rate(f"us_addl_{d}") for d in _US_DATES),
            *(rate(f"us_total_{d}", empty=True) for d in _US_DATES),
            text("source"),
        ),
        ("hs10",),
        _CHINA_CHECKS,
    ),
    _source(
        "china_retaliation_2018_2019",
        "china/china_retaliation_on_us_2018_2019_hs10_piie.csv",
        "PIIE (changes from MOF / State Council Tariff Commission announcements)",
        False,  # PIIE's compilation; annex_60bn reconstructed by the data curators
        _PIIE_TARIFFS,
        "China's retaliation against US goods 2018-2019, one row per HS10 line per round, with the change in "
        "percentage points and the additional rate after it",
        (
            code("hs10", 10, suffixes="AB"),
            code("hs8", 8),
            category("round", *_ROUND_DATES),
            day("effective_date"),
            rate("change_pp", negative=True, parsed="change_pp_points"),
            rate("addl_rate_after"),
            Column("annex_60bn", "category", values=_ANNEXES_60BN, empty=True),
            text("legal_basis"),
            text("description"),
            text("source"),
        ),
        ("hs10", "round"),
        (
            prefix_of("hs8", "hs10"),
            Check(
                "effective_date",
                "is not the date of its round",
                lambda row: _ROUND_DATES[row["round"]] == row["effective_date"],
            ),
            Check(
                "annex_60bn",
                "is given for, and only for, the USD 60bn rounds",
                lambda row: (row["annex_60bn"] is not None) == row["round"].startswith("s301_60bn"),
            ),
        ),
    ),
    _source(
        "china_retaliation_s232_128_mof",
        "china/china_retaliation_2018_04_02_s232_128lines_mof.csv",
        "MOF (State Council Tariff Commission)",
        True,  # README: "Official MOF annex to Tariff Commission notice [2018] No. 13"
        "Tariff Commission notice [2018] No. 13, annex",
        "China's suspension of concessions on 128 US HS8 lines from 2018-04-02 (120 at +15%, 8 at +25%), in "
        "retaliation for the US Section 232 tariffs",
        (
            integer("item_no", 1),
            code("hs8", 8),
            text("description_zh"),
            rate("addl_rate_pct"),
            day("effective_date"),
            text("legal_basis"),
            text("source"),
        ),
        ("item_no",),
        effective=date(2018, 4, 2),
    ),
    _source(
        "china_imports_us_hs8_2017",
        "china/china_imports_from_us_2017_hs8_itc.csv",
        "PIIE (ITC Trade Map, China-reported)",
        False,
        "2017 annual, " + _PIIE_TARIFFS,
        "China's imports from the US as reported by China, 2017, by HS8, USD (ITC Trade Map thousands x 1,000); "
        "total $154.840bn",
        (
            integer("year", 2017, 2017),
            code("hs8", 8),
            code("hs6", 6),
            text("description"),
            money("value_usd"),
            text("flow"),
            text("source"),
        ),
        ("hs8",),
        (prefix_of("hs6", "hs8"),),
    ),
    _source(
        "china_piie_avg_tariff_2018_2019",
        "china/piie_china_avg_tariff_us_vs_row_2018_2019.csv",
        "PIIE",
        False,
        _PIIE_TARIFFS + ', sheet "Figure 1"',
        "PIIE's published trade-weighted average tariff (%) of China on US goods and on other exporters, "
        "2018-01-01 to 2019-06-01",
        (
            day("effective_date"),
            text("event"),
            rate("avg_tariff_on_us_pct"),
            rate("avg_tariff_on_other_exporters_pct"),
            text("source"),
        ),
        ("effective_date",),
    ),
)


def trade_source(name: str) -> TradeSource:
    for source in TRADE_SOURCES:
        if source.dataset.name == name:
            return source
    raise KeyError(name)


# Reading.


def _decimal(raw: str) -> Decimal | None:
    if not _NUMBER.fullmatch(raw):
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        return None


def _parse(column: Column, raw: str) -> tuple[Any, str | None]:
    """The stored value of one cell, or an error message."""
    if raw == "":
        return (None, None) if column.empty else (None, "is empty")
    kind = column.kind
    if kind == "text":
        return raw, None
    if kind == "category":
        return (raw, None) if raw in column.values else (None, f"expected one of {', '.join(column.values)}")
    if kind == "code":
        return _parse_code(column, raw)
    if kind == "integer":
        if not raw.isdigit() or not raw.isascii():
            return None, "expected a whole number"
        value = int(raw)
        if (column.low is not None and value < column.low) or (column.high is not None and value > column.high):
            bounds = f"{column.low}" if column.low == column.high else f"from {column.low} to {column.high or '...'}"
            return None, f"expected {bounds}"
        return value, None
    if kind == "month":
        return (raw, None) if _MONTH.fullmatch(raw) else (None, "expected a month as YYYY-MM")
    if kind == "day":
        try:
            return (date.fromisoformat(raw), None) if _DAY.fullmatch(raw) else (None, "expected a date as YYYY-MM-DD")
        except ValueError:
            return None, "expected a date as YYYY-MM-DD (no such day)"
    if kind == "money":
        amount = _decimal(raw)
        if amount is None or amount != amount.to_integral_value():
            return None, "expected whole US dollars (digits, no separators)"
        if amount < 0 and not column.negative:
            return None, "expected an amount of 0 or more"
        return int(amount), None
    return _parse_rate(column, raw)


def _parse_code(column: Column, raw: str) -> tuple[Any, str | None]:
    digits, suffix = (raw[:-1], raw[-1]) if column.suffixes and raw[-1:] in column.suffixes else (raw, "")
    try:
        normalised = normalise_code(digits, column.name)
    except UnknownCodeError:
        normalised = ""
    if len(normalised) not in column.lengths:
        wanted = " or ".join(str(n) for n in column.lengths)
        letters = " or ".join(column.suffixes)
        return None, f"expected a product code of {wanted} digits" + (
            f" (then {letters} or nothing)" if letters else ""
        )
    return normalised + suffix, None


def _parse_rate(column: Column, raw: str) -> tuple[Any, str | None]:
    matched = _PERCENT.fullmatch(raw)
    if matched is None:
        return None, "expected a plain percentage such as 15 or 2.5"
    percent = Decimal(matched.group(1))
    if percent < 0 and not column.negative:
        return None, "expected a rate of 0 or more"
    if percent != percent.quantize(Decimal(1).scaleb(-PERCENT_SCALE)):
        return None, f"more than {PERCENT_SCALE} decimal places"
    return percent, None


def _arrow_type(column: Column) -> pa.DataType:
    return {"integer": pa.int32(), "day": pa.date32(), "money": pa.int64(), "rate": PERCENT_TYPE}.get(
        column.kind, pa.string()
    )


def read_trade(path: Path, source: TradeSource) -> ImportResult:
    """Every row of the file checked and kept, or skipped for a stated reason; the first bad value stops the import."""
    fail = str(path)
    stored: dict[str, list[Any]] = {column.name: [] for column in source.columns}
    texts: dict[str, list[str | None]] = {c.name: [] for c in source.columns if c.kind == "rate"}
    not_plain = dict.fromkeys(texts, 0)
    skipped: dict[str, int] = {}
    seen: dict[tuple[Any, ...], int] = {}
    read = 0
    for number, record in csv_rows(path, source.dataset.columns):
        read += 1
        reason = next((skip.reason for skip in source.skips if skip.applies(record)), None)
        if reason is not None:
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        row: Row = {}
        for column in source.columns:
            raw = record[column.name]
            if raw is None:
                raise DataError(fail, "the row ends before this column", row=number, field=column.name)
            value, problem = _parse(column, raw.strip())
            if problem is not None:
                raise DataError(fail, f"{problem}, got {raw!r}", row=number, field=column.name)
            row[column.name] = value
        for check in source.checks:
            if not check.holds(row):
                raise DataError(fail, f"{row[check.field]!r} {check.message}", row=number, field=check.field)
        key = tuple(row[name] for name in source.key)
        if key in seen:
            raise DataError(fail, f"duplicate of row {seen[key]} ({', '.join(source.key)})", row=number,
                            field=source.key[-1])  # fmt: skip
        seen[key] = number
        for column in source.columns:
            stored[column.name].append(row[column.name])
            if column.kind == "rate":
                texts[column.name].append(record[column.name].strip() or None)
                not_plain[column.name] += int(row[column.name] is None)
    arrays: dict[str, pa.Array] = {}
    for column in source.columns:
        if column.kind == "rate":
            arrays[column.name] = pa.array(texts[column.name], pa.string())
            arrays[column.parsed_name] = pa.array(stored[column.name], PERCENT_TYPE)
        else:
            arrays[column.name] = pa.array(stored[column.name], _arrow_type(column))
    rates_not_plain = {name: n for name, n in not_plain.items() if n}
    result = ImportResult(pa.table(arrays), read, len(seen), skipped, rates_not_plain)
    metadata = {METADATA_KEY: json.dumps({"dataset": source.dataset.name, **result.counts()}).encode()}
    return replace(result, table=result.table.replace_schema_metadata(metadata))


def import_trade(path: Path, source: TradeSource) -> pa.Table:
    """The importer the registry calls: the table, with the import counts in its schema metadata."""
    return read_trade(path, source).table


def import_counts(table: pa.Table) -> dict[str, Any]:
    """The counts an import left in a table's metadata (rows read, kept, skipped by reason, rates not plain)."""
    raw = (table.schema.metadata or {}).get(METADATA_KEY)
    return dict(json.loads(raw)) if raw else {}
