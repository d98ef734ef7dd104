"""`data pull`: download from the authority, verify, swap in; every failure leaves the previous store as it was.

Every download is served by an HTTP server on 127.0.0.1 in this process: no test reaches the internet.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tradelex.data import store
from tradelex.data.catalog import read_table
from tradelex.data.datasets import HTS_COLUMNS, dataset
from tradelex.data.importers import import_hts
from tradelex.data.pull import USITC_URL_ENV, default_url, pull
from tradelex.data.usitc import schedule_from_usitc_json
from tradelex.errors import DataError, InputError

from .loopback import Reply, Server, leftovers, serve_routes

NAME = "hts_2026_rev10"
EXPORT_PATH = "/reststop/exportList"


def record(htsno: str, indent: int, description: str, **fields: Any) -> dict[str, Any]:
    """One row of the USITC JSON export, with every key the export has."""
    base: dict[str, Any] = {
        "htsno": htsno, "indent": str(indent), "description": description, "superior": None, "units": [],
        "general": "", "special": "", "other": "", "footnotes": [], "quotaQuantity": None, "additionalDuties": None,
        "addiitionalDuties": None,
    }  # fmt: skip
    if not htsno:
        base |= {"superior": "true", "footnotes": None}
    return base | fields


def usitc_export(general_6109: str = "16.5%", extra_lines: int = 0) -> list[dict[str, Any]]:
    """A small schedule as USITC exports it: headings, a text-only row, 6-, 8- and 10-digit lines."""
    see_301 = {"columns": ["general"], "value": "See 9903.88.15. ", "type": "endnote"}
    see_9904 = {"columns": ["desc"], "value": "See subheadings 9904.02.01-9904.02.37.", "type": "endnote"}
    special = "Free (AU,BH,CL,CO,IL,JO,KR,MA,OM,P,PA,PE,S,SG)"
    rows = [
        record("6109", 0, "T-shirts, singlets, tank tops and similar garments, knitted or crocheted:"),
        record("6109.10.00", 1, "Of cotton", general=general_6109, special=special, other="90%", footnotes=[see_301]),
        record("", 2, "Men's or boys':"),
        record("6109.10.00.12", 3, "Men's (338)", units=["doz.", "kg"]),
        record("6109.10.00.14", 3, "Boys' (338)", units=["doz.", " kg"]),
        record("6109.90", 1, "Of other textile materials:"),
        record("6109.90.10", 2, "Of man-made fibers", general="32%", other="90%", footnotes=[see_9904, see_301]),
        record("8471.30.01.00", 1, "Portable automatic data processing machines", units=["No."], general="Free"),
    ]
    rows += [record(f"6109.90.10.{n % 100:02d}", 3, f"Other line {n}", units=["doz."]) for n in range(extra_lines)]
    return rows


def encode(records: list[dict[str, Any]]) -> bytes:
    return json.dumps(records).encode("utf-8")


def seed_store(folder: Path, records: list[dict[str, Any]]) -> bytes:
    """The store as a previous import left it; returns its bytes."""
    path = folder / "seed.json"
    path.write_bytes(encode(records))
    store.replace_dataset(dataset(NAME), schedule_from_usitc_json(path), "seed.json", "0" * 64)
    return store.store_path().read_bytes()


@pytest.fixture
def server() -> Iterator[Server]:
    """The USITC export on loopback: a plain 404 for a path it does not know."""
    with serve_routes(Reply(b"not found", 404, "text/plain")) as state:
        yield state


def url(server: Server, path: str = EXPORT_PATH) -> str:
    return server.base + path


# The USITC JSON export, read into our schedule columns


def test_the_usitc_export_becomes_the_columns_of_the_schedule_importer(tmp_path: Path) -> None:
    path = tmp_path / "hts_2026_revision_10_json.json"
    path.write_bytes(encode(usitc_export()))
    table = schedule_from_usitc_json(path)
    assert tuple(table.column_names) == HTS_COLUMNS
    rows = {row["hts_number"] or row["description"]: row for row in table.to_pylist()}
    assert rows["6109.10.00"] == {
        "row": 2, "hts_number": "6109.10.00", "hts_digits": "61091000", "level": "tariff_line8", "indent": 1,
        "description": "Of cotton", "unit_of_quantity": "", "general_rate": "16.5%",
        "special_rate": "Free (AU,BH,CL,CO,IL,JO,KR,MA,OM,P,PA,PE,S,SG)", "column2_rate": "90%",
        "footnotes": "See 9903.88.15.",
    }  # fmt: skip
    assert [rows[k]["level"] for k in ("6109", "6109.90", "6109.10.00.12", "Men's or boys':")] == [
        "heading", "subheading6", "stat_suffix10", ""]  # fmt: skip
    assert rows["6109.10.00.12"]["unit_of_quantity"] == "doz.;kg"
    assert rows["6109.10.00.14"]["unit_of_quantity"] == "doz.; kg"  # joined as published, like the snapshots
    assert rows["6109.90.10"]["footnotes"] == "See subheadings 9904.02.01-9904.02.37. | See 9903.88.15."
    assert rows["Men's or boys':"]["hts_digits"] == "" and rows["Men's or boys':"]["footnotes"] == ""

    # the same table as our CSV layout of the same rows gives through import_hts
    csv_path = tmp_path / "schedule.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HTS_COLUMNS)
        writer.writeheader()
        writer.writerows(table.to_pylist())
    assert import_hts(csv_path, dataset(NAME)).equals(table)


@pytest.mark.parametrize(
    ("change", "field_name", "message"),
    [
        ({"htsno": "6109.1O.00"}, "htsno", "expected 4 to 10 digits, got '6109.1O.00'"),
        ({"htsno": "610"}, "htsno", "expected 4 to 10 digits, got '610'"),
        ({"indent": "one"}, "indent", "expected a whole number, got 'one'"),
        ({"units": "doz.", "general": 16.5}, "general", "expected text, got 16.5"),
        ({"units": [1]}, "units", "expected a list of units"),
        ({"footnotes": ["See 9903.88.15."]}, "footnotes", "expected a footnote object"),
    ],
)
def test_a_bad_record_names_the_file_its_position_and_the_field(
    tmp_path: Path, change: dict[str, Any], field_name: str, message: str
) -> None:
    records = usitc_export()
    records[3] |= change
    path = tmp_path / "export.json"
    path.write_bytes(encode(records))
    with pytest.raises(DataError) as raised:
        schedule_from_usitc_json(path)
    assert (raised.value.file, raised.value.row, raised.value.field) == (str(path), 4, field_name)
    assert message in raised.value.message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'[{"htsno": "6109", "indent": "0"', "not valid JSON"),
        (b'{"HTSData": []}', "expected a JSON array of schedule rows, got a JSON dict"),
        (b'[["6109", "0"]]', "expected a JSON object, got list"),
    ],
)
def test_a_file_that_is_not_an_export_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "export.json"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        schedule_from_usitc_json(path)


# Pulling


def test_a_pull_loads_the_new_release_with_its_provenance(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_store(tmp_path, usitc_export(general_6109="15%"))
    body = encode(usitc_export(extra_lines=3))
    server.routes[EXPORT_PATH] = Reply(body)
    monkeypatch.setenv(USITC_URL_ENV, server.base + "/")  # the default address, on loopback

    result = pull(NAME, progress=True, timeout=5)

    expected_url = server.base + "/reststop/exportList?from=0101&to=9999&format=JSON&styles=false"
    assert default_url(NAME) == expected_url
    assert (result.url, result.rows, result.previous_rows, result.size) == (expected_url, 11, 8, len(body))
    assert result.sha256 == hashlib.sha256(body).hexdigest()
    found = read_table(NAME)
    assert found is not None
    table, provenance = found
    assert table.num_rows == 11
    assert provenance["file"] == expected_url and provenance["sha256"] == hashlib.sha256(body).hexdigest()
    assert provenance["where"] == str(store.store_path()) and provenance["revision"] == "2026 Revision 10"
    line = next(row for row in table.to_pylist() if row["hts_number"] == "6109.10.00")
    assert line["general_rate"] == "16.5%" and line["footnotes"] == "See 9903.88.15."
    assert server.requests[0]["path"] == EXPORT_PATH + "?from=0101&to=9999&format=JSON&styles=false"
    assert "tradelex" in server.requests[0]["user-agent"]
    assert leftovers() == []


def test_a_pull_without_a_store_compares_with_the_bundle(server: Server) -> None:
    """A fresh install has the bundled 35,509 rows: a tiny download is not plausible against them."""
    server.routes[EXPORT_PATH] = Reply(encode(usitc_export()))
    with pytest.raises(DataError, match="refusing to replace 35509 rows with 8"):
        pull(NAME, url(server), progress=False, timeout=5)
    assert not store.store_path().exists() and leftovers() == []


def test_a_pull_reads_our_csv_layout_too(server: Server, tmp_path: Path) -> None:
    seed_store(tmp_path, usitc_export())
    table = schedule_from_usitc_json(_written(tmp_path, usitc_export(general_6109="17%")))
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=HTS_COLUMNS)
    writer.writeheader()
    writer.writerows(table.to_pylist())
    server.routes["/schedule.csv"] = Reply(text.getvalue().encode("utf-8"), content_type="text/csv")
    result = pull(NAME, url(server, "/schedule.csv"), progress=False, timeout=5)
    assert result.rows == 8
    stored = store.read_stored(NAME)
    assert stored is not None and stored.equals(table)


def _written(folder: Path, records: list[dict[str, Any]]) -> Path:
    path = folder / "written.json"
    path.write_bytes(encode(records))
    return path


def _bad_htsno() -> bytes:
    records = usitc_export()
    records[1]["htsno"] = "6109.10.0X"
    return encode(records)


FULL = encode(usitc_export(extra_lines=2))


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(FULL, send=len(FULL) // 2), f"truncated download: received {len(FULL) // 2} bytes of the {len(FULL)}"),
        (Reply(FULL[: len(FULL) // 2], announce=None), "not valid JSON"),  # closed early, no Content-Length
        (Reply(b'[{"htsno": "6109", "indent": "0", '), "not valid JSON"),
        (Reply(_bad_htsno()), "row 2: field htsno: expected 4 to 10 digits, got '6109.10.0X'"),
        (Reply(b"<html><body>Access Denied</body></html>", content_type="text/html"), "got an HTML page"),
        (Reply(b"Not Found", status=404, content_type="text/plain"), "download failed: HTTP 404"),
        (Reply(b"", status=200), "the server sent an empty file"),
        (Reply(encode(usitc_export()[:2])), "refusing to replace 10 rows with 2"),
    ],
    ids=["truncated", "closed-early", "invalid-json", "bad-htsno", "html", "404", "empty", "too-small"],
)
def test_a_failed_pull_leaves_the_store_untouched(server: Server, tmp_path: Path, reply: Reply, message: str) -> None:
    before = seed_store(tmp_path, usitc_export(extra_lines=2))
    server.routes[EXPORT_PATH] = reply
    with pytest.raises(DataError) as raised:
        pull(NAME, url(server), progress=False, timeout=5)
    assert message in str(raised.value)
    assert raised.value.file == url(server)
    assert store.store_path().read_bytes() == before
    assert leftovers() == []


def test_a_stalled_download_times_out(server: Server, tmp_path: Path) -> None:
    before = seed_store(tmp_path, usitc_export())
    server.routes[EXPORT_PATH] = Reply(FULL, send=len(FULL) // 2, stall=True)
    started = time.monotonic()
    with pytest.raises(DataError, match=f"download failed after {len(FULL) // 2} bytes: timed out"):
        pull(NAME, url(server), progress=False, timeout=0.5)
    assert time.monotonic() - started < 5
    assert store.store_path().read_bytes() == before and leftovers() == []


def test_nothing_is_downloaded_without_a_usable_address(server: Server) -> None:
    with pytest.raises(InputError, match="no default download address for list_s301_current"):
        pull("list_s301_current", progress=False)
    with pytest.raises(InputError, match="expected an http:// or https:// address"):
        pull(NAME, "file:///etc/hostname", progress=False)
    with pytest.raises(InputError, match="unknown dataset"):
        pull("hts_1999", url(server), progress=False)
    assert server.requests == []


def test_a_killed_pull_leaves_the_store_usable(server: Server, tmp_path: Path, isolated_data_dir: Path) -> None:
    """kill -9 while the body is arriving: the store is the previous one, and the next pull works."""
    before = seed_store(tmp_path, usitc_export())
    big = encode(usitc_export(extra_lines=400))
    server.routes[EXPORT_PATH] = Reply(big, send=len(big) // 2, stall=True)
    script = f"from tradelex.data.pull import pull\npull({NAME!r}, {url(server)!r}, progress=False, timeout=30)\n"
    environment = {**os.environ, "TRADELEX_DATA_DIR": str(isolated_data_dir)}
    environment.pop(USITC_URL_ENV, None)
    process = subprocess.Popen([sys.executable, "-c", script], env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        assert server.sent_partial.wait(15), "the pull never started downloading"
        partial = _wait_for_partial_download(isolated_data_dir, deadline=time.monotonic() + 10)
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()
    assert partial.exists()  # what a killed process leaves behind
    assert store.store_path().read_bytes() == before
    stored = store.read_stored(NAME)
    assert stored is not None and stored.num_rows == 8

    server.routes[EXPORT_PATH] = Reply(big)
    assert pull(NAME, url(server), progress=False, timeout=5).rows == 408
    assert leftovers() == []  # the dead pull's partial download was swept away


def _wait_for_partial_download(folder: Path, deadline: float) -> Path:
    while time.monotonic() < deadline:
        for candidate in folder.glob("*.download"):
            if candidate.stat().st_size > 0:
                return candidate
        time.sleep(0.02)
    raise AssertionError("no partial download appeared in the store's directory")


def test_the_cli_pulls_and_reports_a_bad_address() -> None:
    """`tradelex data pull --url` with an address that is not http(s) is refused with the field named."""
    import json

    from typer.testing import CliRunner

    from tradelex.cli.main import app

    result = CliRunner().invoke(app, ["data", "pull", "hts_2026_rev10", "--url", "ftp://example.org/x", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["field"] == "url"
