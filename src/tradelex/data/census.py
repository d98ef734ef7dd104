"""The US Census Bureau's international trade API, read into the tables of our trade importers.

Two trade datasets came from that API (shared/data/README.md, trade/): the monthly HS2 imports from China
(`CON_VAL_MO`, `CAL_DUT_MO`) and the 2024 HTS10 imports from China (`CON_VAL_YR`, `CAL_DUT_YR`, time 2024-12). Both
are imports for consumption from `timeseries/intltrade/imports/hs`, with `CTY_CODE=5700` (China). The API answers
with a JSON array of arrays: first a header row of variable names (the `get` variables, then the predicates it was
given, such as time, COMM_LVL and CTY_CODE), then one array per record, every value as text:

    [["CON_VAL_MO","CAL_DUT_MO","I_COMMODITY","I_COMMODITY_SDESC","CTY_CODE","COMM_LVL","time"],
     ["1474506","0","01","LIVE ANIMALS","5700","HS2","2013-01"], ...]

What was confirmed, and how: the endpoint, the variables CON_VAL_MO, CAL_DUT_MO, I_COMMODITY, I_COMMODITY_SDESC and
`time=from+2013-01` with `COMM_LVL=HS2&CTY_CODE=...`, the header row, the predicates echoed after the `get` variables
and the values sent as strings, from the public notebook the snapshot was made with (tradewartracker/us-imports-hs2,
make-imports-hs2-dataset.ipynb, with its output); CON_VAL_YR and CAL_DUT_YR with COMM_LVL and CTY_CODE from other
public clients. NOT confirmed (the API could not be reached from here): the `from ... to ...` form of the time
predicate (seen in one public client only), that all HTS10 lines of one country come back in one request (some
clients split by code prefix), and how the API answers a bad key. Census revises its data: a pull gives the current
vintage, which differs slightly from the snapshot (README: "Census revisions are normal").

The converter checks every record, naming the API variable: the header row has every variable we need, each record
has as many values as the header, CTY_CODE is 5700, COMM_LVL the level of the dataset, time a month of the
dataset's period, I_COMMODITY a code of the right number of digits, and the money variables whole, non-negative
US dollars (parsed as text or integers, never as floats). The records then go through the dataset's own importer
(`tradelex.data.trade`), so the table is exactly the one `tradelex data import` gives for the same rows in our CSV
layout: the same columns, types (int64 whole dollars) and import counts, and the importer's checks (codes,
duplicates, empty descriptions) apply too. Errors name the file (the URL when pulled), `row` = the 1-based position
in the outer JSON array (the header row is row 1, as in a CSV file) and `field` = the API variable.

The API key is optional (the API serves a limited number of requests a day without one): `CENSUS_API_KEY`, when
set, is added to the request only, and only for addresses on the Census base in effect. It is never part of the
address that is shown, recorded in the store's provenance or put in the `source` column.
"""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from tradelex.data.trade import import_trade, trade_source
from tradelex.errors import DataError

CENSUS_URL_ENV = "TRADELEX_CENSUS_URL"
CENSUS_KEY_ENV = "CENSUS_API_KEY"
CENSUS_BASE = "https://api.census.gov"
CHINA = "5700"  # Census country code (CTY_CODE) of China
IMPORTS_HS = "/data/timeseries/intltrade/imports/hs"

_KEY_PARAMETER = "key"
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_DOLLARS = re.compile(r"\d+")

Cells = Callable[[str, str], dict[str, str]]  # (time, I_COMMODITY) -> the dataset's columns that depend on them


@dataclass(frozen=True)
class CensusSource:
    """One dataset read from the API: the query that gives it and how its records become the dataset's rows."""

    dataset: str
    query: str  # path and query, after the base (api.census.gov or $TRADELEX_CENSUS_URL)
    value: str  # the customs value variable
    duty: str  # the calculated duty variable
    level: str  # COMM_LVL
    digits: int  # of I_COMMODITY
    first_month: str  # the period of the dataset: time must be a month from first_month to last_month
    last_month: str
    value_basis: str  # the value_basis column, as in the snapshot
    cells: Cells

    @property
    def variables(self) -> tuple[str, ...]:
        """The variables the header row must name."""
        return (self.value, self.duty, "I_COMMODITY", "I_COMMODITY_SDESC", "CTY_CODE", "COMM_LVL", "time")


def _query(value: str, duty: str, level: str, time: str) -> str:
    variables = ",".join((value, duty, "I_COMMODITY", "I_COMMODITY_SDESC"))
    return f"{IMPORTS_HS}?get={variables}&CTY_CODE={CHINA}&COMM_LVL={level}&time={time}"


def _monthly_hs2(time: str, commodity: str) -> dict[str, str]:
    return {"month": time, "hs_code": commodity, "code_level": "hs2"}


def _annual_hts10(time: str, commodity: str) -> dict[str, str]:
    return {"year": time[:4], "hs_code": commodity, "code_level": "hts10", "hts8": commodity[:8],
            "hs6": commodity[:6]}  # fmt: skip


CENSUS_SOURCES: dict[str, CensusSource] = {
    source.dataset: source
    for source in (
        CensusSource(
            dataset="trade_us_imports_cn_hs2_monthly_2013_2021",
            query=_query("CON_VAL_MO", "CAL_DUT_MO", "HS2", "from+2013-01+to+2021-06"),
            value="CON_VAL_MO",
            duty="CAL_DUT_MO",
            level="HS2",
            digits=2,
            first_month="2013-01",
            last_month="2021-06",
            value_basis="imports for consumption, customs value (Census API CON_VAL_MO)",
            cells=_monthly_hs2,
        ),
        CensusSource(  # December's year-to-date values are the 2024 annual totals
            dataset="trade_us_imports_cn_hts10_2024",
            query=_query("CON_VAL_YR", "CAL_DUT_YR", "HS10", "2024-12"),
            value="CON_VAL_YR",
            duty="CAL_DUT_YR",
            level="HS10",
            digits=10,
            first_month="2024-12",
            last_month="2024-12",
            value_basis="imports for consumption, customs value (Census API CON_VAL_YR, Dec YTD)",
            cells=_annual_hts10,
        ),
    )
}


# The address and the API key.


def census_base() -> str:
    """The base of the Census addresses: $TRADELEX_CENSUS_URL (a mirror or a test server) or api.census.gov."""
    return (os.environ.get(CENSUS_URL_ENV) or CENSUS_BASE).rstrip("/")


def with_api_key(address: str) -> str:
    """The address to request: with `key=$CENSUS_API_KEY` added when the key is set, the address is on the Census
    base in effect and has no key of its own; otherwise the address unchanged (the key goes to no other host)."""
    key = os.environ.get(CENSUS_KEY_ENV, "").strip()
    if not key or not address.startswith(census_base() + "/") or _has_key(address):
        return address
    parts = urllib.parse.urlsplit(address)
    parameter = f"{_KEY_PARAMETER}={urllib.parse.quote(key, safe='')}"
    query = f"{parts.query}&{parameter}" if parts.query else parameter
    return urllib.parse.urlunsplit(parts._replace(query=query))


def without_api_key(address: str) -> str:
    """The address as shown and recorded: any `key=` parameter left out."""
    parts = urllib.parse.urlsplit(address)
    if not _has_key(address):
        return address
    kept = [part for part in parts.query.split("&") if not _is_key(part)]
    return urllib.parse.urlunsplit(parts._replace(query="&".join(kept)))


def _has_key(address: str) -> bool:
    return any(_is_key(part) for part in urllib.parse.urlsplit(address).query.split("&"))


def _is_key(part: str) -> bool:
    return urllib.parse.unquote_plus(part.split("=", 1)[0]).strip().lower() == _KEY_PARAMETER


# The JSON answer, read into the dataset's table.


def table_from_census_json(dataset_name: str, path: Path | str, *, source: str | None = None) -> pa.Table:
    """The API's JSON answer for the dataset, every record checked, as the table the dataset's importer returns.

    `source` names the file in errors and fills the `source` column (e.g. the URL it was downloaded from, any API key
    left out); by default the path. Raises DataError naming the row and the API variable.
    """
    spec = CENSUS_SOURCES[dataset_name]
    path = Path(path)
    name = without_api_key(source) if source else str(path)
    document = _load(path, name)
    positions = _header(document, spec, name)
    width = len(document[0])
    rows = [_row(spec, name, number, record, positions, width) for number, record in enumerate(document[1:], start=2)]
    return _import(spec, rows, name)


def _load(path: Path, name: str) -> list[Any]:
    try:
        with path.open("rb") as handle:
            document = json.load(handle, parse_float=Decimal, parse_constant=_refuse_constant)
    except OSError as error:
        raise DataError(name, f"cannot read: {error.strerror}") from None
    except (UnicodeDecodeError, ValueError) as error:  # JSONDecodeError is a ValueError
        raise DataError(name, f"not valid JSON: {error}") from None
    except RecursionError:
        raise DataError(name, "not valid JSON: nested too deeply") from None
    if not isinstance(document, list):
        raise DataError(name, f"expected a JSON array of arrays (the Census API's answer), got a JSON "
                              f"{type(document).__name__}")  # fmt: skip
    if not document:
        raise DataError(name, "expected a header row of variable names, got an empty JSON array")
    return document


def _refuse_constant(constant: str) -> Any:
    raise ValueError(f"{constant} is not a number")


def _header(document: list[Any], spec: CensusSource, name: str) -> dict[str, int]:
    """Where each variable the dataset needs is in a record."""
    header = document[0]
    if not isinstance(header, list) or not all(isinstance(variable, str) for variable in header):
        raise DataError(name, f"expected a header row of variable names, got {_shown(header)}", row=1)
    missing = [variable for variable in spec.variables if variable not in header]
    if missing:
        raise DataError(name, f"the header row lacks {', '.join(missing)} (the Census API variables "
                              f"{', '.join(spec.variables)} are needed)", row=1, field=missing[0])  # fmt: skip
    for variable in spec.variables:
        if header.count(variable) > 1:
            raise DataError(name, "named more than once in the header row", row=1, field=variable)
    if len(document) == 1:
        raise DataError(name, "no records after the header row")
    return {variable: header.index(variable) for variable in spec.variables}


def _row(
    spec: CensusSource, name: str, number: int, record: object, positions: dict[str, int], width: int
) -> dict[str, str]:
    """One record checked and turned into the cells of the dataset's CSV layout."""

    def fail(field: str | None, message: str) -> DataError:
        return DataError(name, message, row=number, field=field)

    if not isinstance(record, list):
        raise fail(None, f"expected an array of values, got a JSON {type(record).__name__}")
    if len(record) != width:
        raise fail(None, f"expected {width} values, as many as the header row names, got {len(record)}")

    def text(variable: str) -> str:
        value = record[positions[variable]]
        if not isinstance(value, str):
            raise fail(variable, f"expected text, got {_shown(value)}")
        return value

    country = text("CTY_CODE")
    if country.strip() != CHINA:
        raise fail("CTY_CODE", f"expected {CHINA} (China), got {country!r}")
    level = text("COMM_LVL")
    if level.strip() != spec.level:
        raise fail("COMM_LVL", f"expected {spec.level}, got {level!r}")
    time = text("time").strip()
    if not _MONTH.fullmatch(time):
        raise fail("time", f"expected a month as YYYY-MM, got {time!r}")
    if not spec.first_month <= time <= spec.last_month:
        period = spec.first_month if spec.first_month == spec.last_month else f"{spec.first_month} to {spec.last_month}"
        raise fail("time", f"expected {period} (the period of {spec.dataset}), got {time!r}")
    commodity = text("I_COMMODITY").strip()
    if not (len(commodity) == spec.digits and commodity.isdigit() and commodity.isascii()):
        raise fail("I_COMMODITY", f"expected a {spec.digits}-digit commodity code, got {commodity!r}")
    return {
        **spec.cells(time, commodity),
        "description": text("I_COMMODITY_SDESC"),
        "value_usd": _dollars(record[positions[spec.value]], spec.value, fail),
        "calculated_duty_usd": _dollars(record[positions[spec.duty]], spec.duty, fail),
        "value_basis": spec.value_basis,
    }


def _dollars(value: object, variable: str, fail: Callable[[str | None, str], DataError]) -> str:
    """Whole, non-negative US dollars as digits: from the API's text, or a JSON integer; never through a float."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and _DOLLARS.fullmatch(value.strip()) and value.strip().isascii():
        return str(int(Decimal(value.strip())))
    raise fail(variable, f"expected whole US dollars (digits, no sign, separators or cents), got {_shown(value)}")


def _shown(value: object) -> str:
    return str(value) if isinstance(value, Decimal) else repr(value)


def _import(spec: CensusSource, rows: list[dict[str, str]], name: str) -> pa.Table:
    """The rows through the dataset's importer, written in its CSV layout (row n of the JSON is row n of the CSV)."""
    source = trade_source(spec.dataset)
    columns = source.dataset.columns
    renamed = {"month": "time", "year": "time", "hs_code": "I_COMMODITY", "hts8": "I_COMMODITY",
               "hs6": "I_COMMODITY", "description": "I_COMMODITY_SDESC", "value_usd": spec.value,
               "calculated_duty_usd": spec.duty}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="tradelex-census-") as folder:
        path = Path(folder) / f"{spec.dataset}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows({**row, "source": name} for row in rows)
        try:
            return import_trade(path, source)
        except DataError as error:
            field = renamed.get(error.field, error.field) if error.field else None
            raise DataError(name, error.message, row=error.row, field=field) from None
