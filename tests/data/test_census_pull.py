"""`data pull` of the trade datasets that came from the Census international trade API.

Every download is served by an HTTP server on 127.0.0.1 in this process: no test reaches the internet.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tradelex.data import store
from tradelex.data.catalog import bundle_dir, read_table
from tradelex.data.census import (
    CENSUS_KEY_ENV,
    CENSUS_SOURCES,
    CENSUS_URL_ENV,
    IMPORTS_HS,
    table_from_census_json,
    with_api_key,
    without_api_key,
)
from tradelex.data.pull import USITC_URL_ENV, default_url, pull
from tradelex.data.registry import find_dataset
from tradelex.data.trade import import_counts, import_trade, trade_source
from tradelex.errors import DataError

from .loopback import Reply, Server, leftovers, serve_routes

HS2 = "trade_us_imports_cn_hs2_monthly_2013_2021"
HTS10 = "trade_us_imports_cn_hts10_2024"
HS2_QUERY = (
    "?get=CON_VAL_MO,CAL_DUT_MO,I_COMMODITY,I_COMMODITY_SDESC&CTY_CODE=5700&COMM_LVL=HS2&time=from+2013-01+to+2021-06"
)
HTS10_QUERY = "?get=CON_VAL_YR,CAL_DUT_YR,I_COMMODITY,I_COMMODITY_SDESC&CTY_CODE=5700&COMM_LVL=HS10&time=2024-12"
SECRET = "k3y-that-must-not-leak"
HS2_HEADER = ["CON_VAL_MO", "CAL_DUT_MO", "I_COMMODITY", "I_COMMODITY_SDESC", "CTY_CODE", "COMM_LVL", "time"]
CHAPTERS = {"01": "LIVE ANIMALS", "03": "FISH, CRUSTACEANS & AQUATIC INVERTEBRATES", "85": "ELECTRICAL MACHINERY"}


def hs2_answer(months: int = 4, chapters: dict[str, str] = CHAPTERS, value: int = 1000) -> list[list[Any]]:
    """The API's answer for the monthly HS2 query, every value as text, the predicates after the variables."""
    rows: list[list[Any]] = [list(HS2_HEADER)]
    for month in range(1, months + 1):
        for number, (chapter, description) in enumerate(chapters.items()):
            worth = value * month + 7 * number
            rows.append([str(worth), str(worth // 10), chapter, description, "5700", "HS2", f"2018-{month:02d}"])
    return rows


def encode(document: object) -> bytes:
    return json.dumps(document).encode("utf-8")


def written(folder: Path, document: object, name: str = "answer.json") -> Path:
    path = folder / name
    path.write_bytes(encode(document))
    return path


def seed_store(folder: Path, document: list[list[Any]]) -> bytes:
    """The store as a previous pull left it; returns its bytes."""
    table = table_from_census_json(HS2, written(folder, document, "seed.json"))
    store.replace_dataset(find_dataset(HS2), table, "seed.json", "0" * 64)
    return store.store_path().read_bytes()


@pytest.fixture
def server() -> Iterator[Server]:
    """The census API on loopback: 404 with the API's own text for a path it does not know."""
    with serve_routes(Reply(b"error: unknown dataset", 404, "application/json;charset=utf-8")) as state:
        yield state


# The API's JSON, read into the importer's table


def _as_csv(folder: Path, name: str, rows: list[dict[str, Any]]) -> Path:
    path = folder / f"{name}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=trade_source(name).dataset.columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_the_monthly_hs2_answer_becomes_the_importers_table(tmp_path: Path) -> None:
    path = written(tmp_path, hs2_answer(months=2))
    table = table_from_census_json(HS2, path, source="https://api.census.gov/data/x?get=A&key=" + SECRET)

    source = "https://api.census.gov/data/x?get=A"  # the key is left out of the source column
    assert table.num_rows == 6
    assert table.to_pylist()[1] == {
        "month": "2018-01", "hs_code": "03", "code_level": "hs2", "description": CHAPTERS["03"], "value_usd": 1007,
        "calculated_duty_usd": 100, "value_basis": "imports for consumption, customs value (Census API CON_VAL_MO)",
        "source": source,
    }  # fmt: skip
    assert table.schema.field("value_usd").type == pa.int64()
    assert import_counts(table) == {"dataset": HS2, "rows_read": 6, "rows_kept": 6, "rows_skipped": {},
                                    "rates_not_plain": {}}  # fmt: skip
    # exactly what the importer gives for the same rows in our CSV layout
    assert import_trade(_as_csv(tmp_path, HS2, table.to_pylist()), trade_source(HS2)).equals(table, check_metadata=True)


@pytest.mark.parametrize("name", [HS2, HTS10])
def test_the_bundled_snapshot_round_trips_through_the_api_shape(tmp_path: Path, name: str) -> None:
    """The whole snapshot, put in the API's shape (as the curators pulled it), gives back the bundled table."""
    bundled = pq.read_table(bundle_dir() / f"{name}.parquet")
    spec = CENSUS_SOURCES[name]
    header = ["CTY_CODE", "I_COMMODITY", spec.value, "time", "I_COMMODITY_SDESC", spec.duty, "COMM_LVL", "CTY_NAME"]
    rows: list[list[Any]] = [header]
    for row in bundled.to_pylist():
        time = row["month"] if name == HS2 else f"{row['year']}-12"
        rows.append(["5700", row["hs_code"], str(row["value_usd"]), time, row["description"],
                     str(row["calculated_duty_usd"]), spec.level, "CHINA"])  # fmt: skip
    source = bundled.column("source")[0].as_py()
    table = table_from_census_json(name, written(tmp_path, rows), source=source)
    assert table.num_rows == bundled.num_rows == {HS2: 9996, HTS10: 14422}[name]
    assert table.equals(bundled, check_metadata=True)


def test_json_integers_are_whole_dollars_too(tmp_path: Path) -> None:
    answer = hs2_answer(months=1)
    answer[1][0] = 12345678901234  # more than a float's 2**53 would not matter: never a float
    answer[1][1] = 0
    table = table_from_census_json(HS2, written(tmp_path, answer))
    assert table.column("value_usd")[0].as_py() == 12345678901234
    assert table.column("source")[0].as_py() == str(tmp_path / "answer.json")


@pytest.mark.parametrize(
    ("position", "value", "field_name", "message"),
    [
        (0, "1474506.5", "CON_VAL_MO", "(digits, no sign, separators or cents), got '1474506.5'"),
        (0, 1474506.0, "CON_VAL_MO", "got 1474506.0"),  # a JSON number with a fraction: refused, never a float
        (1, "-5", "CAL_DUT_MO", "expected whole US dollars"),
        (1, None, "CAL_DUT_MO", "got None"),
        (1, "1,000", "CAL_DUT_MO", "got '1,000'"),
        (2, "8", "I_COMMODITY", "expected a 2-digit commodity code, got '8'"),
        (2, "8X", "I_COMMODITY", "expected a 2-digit commodity code"),
        (3, "", "I_COMMODITY_SDESC", "is empty"),  # the importer's own check, named by the API variable
        (3, 7, "I_COMMODITY_SDESC", "expected text, got 7"),
        (4, "1220", "CTY_CODE", "expected 5700 (China), got '1220'"),
        (5, "HS4", "COMM_LVL", "expected HS2, got 'HS4'"),
        (6, "2018-13", "time", "expected a month as YYYY-MM, got '2018-13'"),
        (6, "2021-07", "time", f"expected 2013-01 to 2021-06 (the period of {HS2}), got '2021-07'"),
    ],
)
def test_a_bad_record_names_the_file_its_row_and_the_variable(
    tmp_path: Path, position: int, value: object, field_name: str, message: str
) -> None:
    answer = hs2_answer(months=2)
    answer[3][position] = value  # row 4 of the file (the header is row 1)
    path = written(tmp_path, answer)
    with pytest.raises(DataError) as raised:
        table_from_census_json(HS2, path)
    assert (raised.value.file, raised.value.row, raised.value.field) == (str(path), 4, field_name)
    assert message in raised.value.message


def test_the_annual_hts10_answer_must_be_the_december_year_to_date(tmp_path: Path) -> None:
    header = ["CON_VAL_YR", "CAL_DUT_YR", "I_COMMODITY", "I_COMMODITY_SDESC", "CTY_CODE", "COMM_LVL", "time"]
    good = ["17300", "1299", "0106199120", "DOGS, LIVE", "5700", "HS10", "2024-12"]
    table = table_from_census_json(HTS10, written(tmp_path, [header, good]))
    assert table.to_pylist()[0] | {"source": ""} == {
        "year": 2024, "hs_code": "0106199120", "code_level": "hts10", "hts8": "01061991", "hs6": "010619",
        "description": "DOGS, LIVE", "value_usd": 17300, "calculated_duty_usd": 1299,
        "value_basis": "imports for consumption, customs value (Census API CON_VAL_YR, Dec YTD)", "source": "",
    }  # fmt: skip
    with pytest.raises(DataError, match=r"expected 2024-12 \(the period of trade_us_imports_cn_hts10_2024\)") as bad:
        table_from_census_json(HTS10, written(tmp_path, [header, [*good[:6], "2024-11"]]))
    assert (bad.value.row, bad.value.field) == (2, "time")
    duplicate = [header, good, good]
    with pytest.raises(DataError, match=r"duplicate of row 2 \(hs_code\)") as twice:
        table_from_census_json(HTS10, written(tmp_path, duplicate))
    assert (twice.value.row, twice.value.field) == (3, "I_COMMODITY")


@pytest.mark.parametrize(
    ("document", "row", "field_name", "message"),
    [
        ({"error": "unknown variable"}, None, None, "expected a JSON array of arrays (the Census API's answer), got"),
        ([], None, None, "got an empty JSON array"),
        ([["CON_VAL_MO", 1]], 1, None, "expected a header row of variable names"),
        ([[h for h in HS2_HEADER if h != "CAL_DUT_MO"]], 1, "CAL_DUT_MO", "the header row lacks CAL_DUT_MO"),
        ([[*HS2_HEADER, "time"]], 1, "time", "named more than once in the header row"),
        ([HS2_HEADER], None, None, "no records after the header row"),
        ([HS2_HEADER, ["1", "0", "01", "LIVE ANIMALS", "5700", "HS2"]], 2, None, "expected 7 values"),
        ([HS2_HEADER, {"CON_VAL_MO": "1"}], 2, None, "expected an array of values, got a JSON dict"),
    ],
)
def test_an_answer_that_is_not_the_apis_shape_is_refused(
    tmp_path: Path, document: object, row: int | None, field_name: str | None, message: str
) -> None:
    with pytest.raises(DataError) as raised:
        table_from_census_json(HS2, written(tmp_path, document))
    assert (raised.value.row, raised.value.field) == (row, field_name)
    assert message in raised.value.message


def test_json_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "answer.json"
    for content in (b'[["CON_VAL_MO","CAL_DUT_MO"],["1",', b'[["CON_VAL_MO"],[NaN]]', b"\xff\xfe["):
        path.write_bytes(content)
        with pytest.raises(DataError, match="not valid JSON"):
            table_from_census_json(HS2, path)


# The address and the key


def test_the_default_addresses_are_the_census_api_and_the_base_can_be_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(CENSUS_URL_ENV, raising=False)
    monkeypatch.setenv(USITC_URL_ENV, "http://127.0.0.1:9")  # the USITC mirror does not move the Census datasets
    assert default_url(HS2) == "https://api.census.gov/data/timeseries/intltrade/imports/hs" + HS2_QUERY
    assert default_url(HTS10) == "https://api.census.gov/data/timeseries/intltrade/imports/hs" + HTS10_QUERY
    monkeypatch.setenv(CENSUS_URL_ENV, "http://127.0.0.1:8000/")
    assert default_url(HS2) == "http://127.0.0.1:8000" + IMPORTS_HS + HS2_QUERY
    usitc = default_url("hts_2026_rev10")
    assert usitc is not None and usitc.startswith("http://127.0.0.1:9/reststop/exportList?")
    assert default_url("trade_us_cn_goods_monthly_2016_2026") is None  # FRED, not the Census API (README)


def test_the_key_is_added_only_for_the_census_base_and_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CENSUS_URL_ENV, raising=False)
    address = "https://api.census.gov/data/timeseries/intltrade/imports/hs?get=A&time=2024-12"
    monkeypatch.delenv(CENSUS_KEY_ENV, raising=False)
    assert with_api_key(address) == address
    monkeypatch.setenv(CENSUS_KEY_ENV, "a b&c")
    assert with_api_key(address) == address + "&key=a%20b%26c"
    assert with_api_key("https://mirror.example.org/data/x?get=A") == "https://mirror.example.org/data/x?get=A"
    assert with_api_key(address + "&key=mine") == address + "&key=mine"
    assert without_api_key(address + "&key=mine&COMM_LVL=HS2") == address + "&COMM_LVL=HS2"
    assert without_api_key(address) == address


# Pulling


@pytest.fixture
def census_on_loopback(server: Server, monkeypatch: pytest.MonkeyPatch) -> Server:
    monkeypatch.setenv(CENSUS_URL_ENV, server.base)  # the default address, on loopback
    monkeypatch.setenv(CENSUS_KEY_ENV, SECRET)
    return server


def test_a_pull_loads_the_census_answer_with_its_provenance(census_on_loopback: Server, tmp_path: Path) -> None:
    server = census_on_loopback
    seed_store(tmp_path, hs2_answer(months=3))
    body = encode(hs2_answer(months=4, value=2000))
    server.routes[IMPORTS_HS] = Reply(body)

    result = pull(HS2, progress=False, timeout=5)

    expected_url = server.base + IMPORTS_HS + HS2_QUERY
    assert (result.url, result.rows, result.previous_rows, result.size) == (expected_url, 12, 9, len(body))
    assert result.sha256 == hashlib.sha256(body).hexdigest()
    assert server.paths == [IMPORTS_HS + HS2_QUERY + "&key=" + SECRET]  # the key goes in the request only
    found = read_table(HS2)
    assert found is not None
    table, provenance = found
    assert provenance["file"] == expected_url and provenance["sha256"] == result.sha256
    assert provenance["authority"] == "US Census Bureau" and provenance["rows"] == 12
    assert provenance["where"] == str(store.store_path())
    assert table.num_rows == 12 and set(table.column("source").to_pylist()) == {expected_url}
    row = next(r for r in table.to_pylist() if (r["month"], r["hs_code"]) == ("2018-04", "85"))
    assert (row["value_usd"], row["calculated_duty_usd"], row["description"]) == (8014, 801, CHAPTERS["85"])
    assert type(row["value_usd"]) is int
    assert SECRET not in store.store_path().read_bytes().decode("latin-1")
    assert leftovers() == []


def test_a_pull_from_another_address_sends_no_key(
    census_on_loopback: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An address given with --url that is not on the Census base gets no key: it could be anybody's server."""
    server = census_on_loopback
    monkeypatch.delenv(CENSUS_URL_ENV)  # the Census base is api.census.gov again; the server is another host
    seed_store(tmp_path, hs2_answer(months=3))
    server.routes["/mirror/hs2.json"] = Reply(encode(hs2_answer(months=3)))
    assert pull(HS2, server.base + "/mirror/hs2.json", progress=False, timeout=5).rows == 9
    assert server.paths == ["/mirror/hs2.json"]

    # a key written into the address by the user is sent as given, but neither shown nor recorded
    result = pull(HS2, server.base + "/mirror/hs2.json?key=mine&x=1", progress=False, timeout=5)
    assert server.paths[-1] == "/mirror/hs2.json?key=mine&x=1"
    assert result.url == server.base + "/mirror/hs2.json?x=1"
    assert store.stored_imports()[HS2]["file"] == result.url


def test_a_pull_without_a_store_compares_with_the_bundle(census_on_loopback: Server) -> None:
    census_on_loopback.routes[IMPORTS_HS] = Reply(encode(hs2_answer(months=12)))
    with pytest.raises(DataError, match="refusing to replace 9996 rows with 36"):
        pull(HS2, progress=False, timeout=5)
    assert not store.store_path().exists() and leftovers() == []


FULL = encode(hs2_answer(months=4))
MISSING_VARIABLE = encode([[h if h != "CAL_DUT_MO" else "GEN_VAL_MO" for h in HS2_HEADER], *hs2_answer(months=4)[1:]])


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(FULL, send=len(FULL) // 2), f"truncated download: received {len(FULL) // 2} bytes of the {len(FULL)}"),
        (Reply(FULL[: len(FULL) // 2], announce=None), "not valid JSON"),  # closed early, no Content-Length
        (Reply(b'[["CON_VAL_MO","CAL_DUT_MO"],["1",]]'), "not valid JSON"),
        (Reply(MISSING_VARIABLE), "row 1: field CAL_DUT_MO: the header row lacks CAL_DUT_MO"),
        (Reply(encode(hs2_answer(months=1))), "refusing to replace 12 rows with 3"),
        (Reply(b"error: unknown variable 'CON_VAL_MOX'", status=400), "download failed: HTTP 400"),
        (Reply(b"", status=204), "download failed: HTTP 204"),  # the API's answer when there is no data
        (Reply(b"<html><body>Invalid Key</body></html>"), "got an HTML page"),
    ],
    ids=["truncated", "closed-early", "corrupt-json", "missing-variable", "too-small", "400", "no-content", "html"],
)
def test_a_failed_pull_leaves_the_store_untouched(
    census_on_loopback: Server, tmp_path: Path, reply: Reply, message: str
) -> None:
    server = census_on_loopback
    before = seed_store(tmp_path, hs2_answer(months=4))
    server.routes[IMPORTS_HS] = reply
    with pytest.raises(DataError) as raised:
        pull(HS2, progress=False, timeout=5)
    assert message in str(raised.value)
    assert raised.value.file == server.base + IMPORTS_HS + HS2_QUERY
    assert SECRET not in str(raised.value)
    assert store.store_path().read_bytes() == before
    assert leftovers() == []


def test_a_pull_of_the_hts10_dataset(census_on_loopback: Server, tmp_path: Path) -> None:
    server = census_on_loopback
    header = ["CON_VAL_YR", "CAL_DUT_YR", "I_COMMODITY", "I_COMMODITY_SDESC", "time", "COMM_LVL", "CTY_CODE"]
    lines = [[str(1000 + n), str(n), f"0106199{n:03d}", f"LINE {n}", "2024-12", "HS10", "5700"] for n in range(5)]
    seeded = table_from_census_json(HTS10, written(tmp_path, [header, *lines]))
    store.replace_dataset(find_dataset(HTS10), seeded, "seed.json", "0" * 64)
    server.routes[IMPORTS_HS] = Reply(encode([header, *lines, ["7", "0", "8517130000", "SMARTPHONES", *lines[0][4:]]]))
    result = pull(HTS10, progress=False, timeout=5)
    assert result.rows == 6 and server.paths == [IMPORTS_HS + HTS10_QUERY + "&key=" + SECRET]
    stored = store.read_stored(HTS10)
    assert stored is not None
    assert stored.column("hs6").to_pylist()[-1] == "851713"
    assert sum(stored.column("value_usd").to_pylist()) == sum(1000 + n for n in range(5)) + 7
