"""GET /api/v1/rate, history, measures, codes: the CLI's JSON documents over HTTP."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tradelex.cli.main import app as cli

TSHIRT = {"code": "6109.10.0012", "origin": "CN", "importer": "US"}


def layers(document: dict[str, object]) -> dict[str, str]:
    return {layer["measure"]: layer["amount"] for layer in document["layers"]}  # type: ignore[attr-defined]


def test_rate_stacks_the_layers_of_the_april_2025_peak(client: TestClient) -> None:
    """A cotton T-shirt entered 2025-04-12, value 1000: MFN 16.5% (HTSUS 6109.10.00), List 4A 7.5% (9903.88.15),
    fentanyl 20% (EO 14228, 9903.01.24) and the China reciprocal rate of 125% from 2025-04-10 (EO 14266 sec. 3(b))."""
    response = client.get("/api/v1/rate", params=TSHIRT | {"date": "2025-04-12", "value": "1000"})
    assert response.status_code == 200
    document = response.json()
    assert layers(document) == {"us.mfn": "165.00", "us.s301.list4a": "75.00", "us.ieepa.fentanyl": "200.00",
                                "us.ieepa.reciprocal": "1250.00"}  # fmt: skip
    assert document["total_amount"] == "1690.00"


def test_rate_as_known_on_an_earlier_day(client: TestClient) -> None:
    """Entered 2025-08-20 as known on 2025-05-20: EO 14298's 90-day suspension ended 2025-08-12 and its extension
    of 11 Aug 2025 was not yet known, so the full 34% applies (340.00 on 1000)."""
    params = TSHIRT | {"date": "2025-08-20", "value": "1000", "as_known_on": "2025-05-20"}
    document = client.get("/api/v1/rate", params=params).json()
    assert layers(document)["us.ieepa.reciprocal"] == "340.00"
    assert document["total_amount"] == "780.00"
    assert document["query"]["as_known_on"] == "2025-05-20"


def test_rate_is_the_clis_json_document(client: TestClient) -> None:
    """The API returns exactly what `tradelex rate --json` prints, key for key, for the same query."""
    printed = CliRunner().invoke(cli, ["rate", "7411.10.1000", "--origin", "CN", "--date", "2025-09-01",
                                       "--value", "10000", "--content", "copper=6000", "--json"])  # fmt: skip
    assert printed.exit_code == 0, printed.output
    params = {"code": "7411.10.1000", "origin": "CN", "date": "2025-09-01", "value": "10000", "content": "copper=6000"}
    assert client.get("/api/v1/rate", params=params).json() == json.loads(printed.stdout)


def test_a_repeated_query_is_answered_identically(client: TestClient) -> None:
    params = TSHIRT | {"date": "2026-03-02", "value": "10000"}
    first, second = client.get("/api/v1/rate", params=params), client.get("/api/v1/rate", params=params)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content


def test_history_is_the_clis_json_document(client: TestClient) -> None:
    arguments = ["history", "6109.10.0012", "--origin", "CN", "--from", "2025-01-01", "--to", "2025-06-30", "--json"]
    printed = CliRunner().invoke(cli, arguments)
    assert printed.exit_code == 0, printed.output
    response = client.get("/api/v1/history", params=TSHIRT | {"from": "2025-01-01", "to": "2025-06-30"})
    assert response.json() == json.loads(printed.stdout)
    dates = [step["date"] for step in response.json()["steps"]]
    # EO 14195 (10% from 2025-02-04), EO 14257 (2025-04-05), EO 14259 (04-09), EO 14266 (04-10), EO 14298 (05-14)
    assert {"2025-02-04", "2025-04-05", "2025-04-09", "2025-04-10", "2025-05-14"} <= set(dates)


def test_measures_list_and_one_measure(client: TestClient) -> None:
    listed = client.get("/api/v1/measures").json()
    ids = {measure["id"] for measure in listed["measures"]}
    assert {"us.ieepa.reciprocal", "us.s301.list4a", "cn.tc.countermeasure-2025"} <= ids
    shown = client.get("/api/v1/measures/us.ieepa.reciprocal").json()
    assert shown["id"] == "us.ieepa.reciprocal" and shown["title"]


def test_an_unknown_measure_is_404_naming_the_field(client: TestClient) -> None:
    response = client.get("/api/v1/measures/us.nothing")
    assert response.status_code == 404
    assert response.json()["error"]["field"] == "measure"


def test_code_search_by_words_and_by_digits(client: TestClient) -> None:
    """HS 2022 subheading 6109.10 is 'T-shirts, singlets and other vests; of cotton, knitted or crocheted'."""
    by_words = client.get("/api/v1/codes", params={"q": "t-shirts cotton"}).json()["matches"]
    assert "610910" in [match["code"] for match in by_words]
    by_digits = client.get("/api/v1/codes", params={"q": "6109.10"}).json()["matches"]
    assert by_digits[0]["code"] == "610910"
    assert all(match["code"].startswith("610910") for match in by_digits)
    assert "6109100012" in [match["code"] for match in by_digits]


def test_data_status_lists_the_bundled_schedule(client: TestClient) -> None:
    document = client.get("/api/v1/data/status").json()
    assert "hts_2026_rev10" in {row["dataset"] for row in document["datasets"]}
    assert document["gaps"]


def test_a_repeated_bad_query_is_refused_each_time(client: TestClient) -> None:
    """Only answers are kept for repeats, never errors: the second bad query is validated again."""
    params = TSHIRT | {"date": "2025-02-30"}
    for _ in range(2):
        response = client.get("/api/v1/rate", params=params)
        assert response.status_code == 422 and response.json()["error"]["field"] == "date"


def test_a_repeat_of_a_query_gets_the_headers_of_the_first(client: TestClient) -> None:
    params = TSHIRT | {"date": "2025-05-20", "value": "1000"}
    first, second = client.get("/api/v1/rate", params=params), client.get("/api/v1/rate", params=params)
    assert second.headers["content-type"] == first.headers["content-type"] == "application/json"
    assert second.json()["total_amount"] == "540.00"  # EO 14298: 10% reciprocal + 20% fentanyl + 7.5% + 16.5%
