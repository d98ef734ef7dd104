"""Averages and scenarios over HTTP (tradelex average / scenario --json): slow to compute, so kept to a few cases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from tests.api.api_client import API_KEY

SCENARIO = b"""name: Reciprocal tariff back to 34% in July 2025
description: The suspension of 24 points ends on 2025-07-01 instead of continuing.
changes:
  - {measure: us.ieepa.reciprocal, action: end_suspensions, from: 2025-07-01}
"""


@pytest.fixture(scope="module")
def apparel_average(client: TestClient) -> dict[str, object]:
    params = {"importer": "US", "exporter": "CN", "from": "2025-01-01", "to": "2025-06-30", "products": "61"}
    response = client.get("/api/v1/average", params=params)
    assert response.status_code == 200, response.text
    document: dict[str, object] = response.json()
    return document


def test_the_average_on_knitted_apparel_moves_with_each_ieepa_order(apparel_average: dict[str, object]) -> None:
    """Every line of chapter 61 from China pays the same IEEPA rates, so the average moves by the rate's change:
    +10 points on 2025-02-04 (EO 14195), +10 on 2025-03-04 (EO 14228: 20%), +10 on 2025-04-05 (EO 14257),
    +74 on 2025-04-09 (EO 14259: 84%), +41 on 2025-04-10 (EO 14266: 125%), -115 on 2025-05-14 (EO 14298: 10%)."""
    points = {p["date"]: Decimal(p["average_percent"]) for p in apparel_average["series"]}  # type: ignore[attr-defined]
    steps = [
        ("2025-01-01", "2025-02-04", 10), ("2025-02-04", "2025-03-04", 10), ("2025-03-04", "2025-04-05", 10),
        ("2025-04-05", "2025-04-09", 74), ("2025-04-09", "2025-04-10", 41), ("2025-04-10", "2025-05-14", -115),
    ]  # fmt: skip
    for before, after, change in steps:
        assert points[after] - points[before] == change, (before, after)


def test_a_bad_average_query_names_the_field(client: TestClient) -> None:
    response = client.get("/api/v1/average", params={"from": "2025-13-01"})
    assert response.status_code == 422 and response.json()["error"]["field"] == "from"
    response = client.get("/api/v1/average", params={"importer": "Atlantis"})
    assert response.status_code == 422 and response.json()["error"]["field"] == "importer"


def test_bundled_scenarios_are_listed(client: TestClient) -> None:
    names = [s["name"] for s in client.get("/api/v1/scenarios").json()["scenarios"]]
    assert {"s122-extended", "reciprocal-lapses-2025-08-12"} <= set(names)


def test_an_uploaded_scenario_needs_the_key_and_must_load(client: TestClient) -> None:
    files = {"file": ("mine.yaml", SCENARIO, "application/yaml")}
    assert client.post("/api/v1/scenarios", files=files).status_code == 401
    created = client.post("/api/v1/scenarios", files=files, headers={"X-API-Key": API_KEY})
    assert created.status_code == 201, created.text
    name = created.json()["name"]
    assert name.startswith("upload-")
    assert name in [s["name"] for s in client.get("/api/v1/scenarios").json()["scenarios"]]
    broken = {"file": ("bad.yaml", b"name: x\ndescription: y\nchanges:\n  - {measure: us.s122, action: fly}\n")}
    refused = client.post("/api/v1/scenarios", files=broken, headers={"X-API-Key": API_KEY})
    assert refused.status_code == 422
    assert refused.json()["error"]["file"] == "file"  # the server's path is not shown


def test_a_scenario_is_named_never_a_path(client: TestClient) -> None:
    for name in ("..%2F..%2Fetc%2Fpasswd", "s122-extended.yaml", "upload-../../x"):
        assert client.get(f"/api/v1/scenarios/{name}/run").status_code == 404


def test_a_scenario_run_keeps_the_reciprocal_rate_at_34_percent(client: TestClient) -> None:
    """Without the 24-point suspension of EO 14298 sec. 3 (from 2025-07-01 in this scenario), the reciprocal rate
    on China is the 34% of EO 14257: the scenario's average is above the pack's from that day, and equal before."""
    created = client.post("/api/v1/scenarios", files={"file": ("mine.yaml", SCENARIO)}, headers={"X-API-Key": API_KEY})
    name = created.json()["name"]
    response = client.get(f"/api/v1/scenarios/{name}/run", params={"from": "2025-06-01", "to": "2025-07-31"})
    assert response.status_code == 200, response.text
    document = response.json()
    base = {p["date"]: Decimal(p["average_percent"]) for p in document["base"]["series"]}
    changed = {p["date"]: Decimal(p["average_percent"]) for p in document["scenario_series"]["series"]}
    assert changed["2025-06-01"] == base["2025-06-01"]
    assert changed["2025-07-01"] > base.get("2025-07-01", base["2025-06-01"])
    assert document["scenario"]["path"] == name  # not where the server keeps the file


def test_the_averages_page_draws_both_directions(client: TestClient, apparel_average: dict[str, object]) -> None:
    page = client.get("/averages", params={"from": "2025-01-01", "to": "2025-06-30", "products": "61"})
    assert page.status_code == 200
    assert "US on goods of CN" in page.text and "CN on goods of US" in page.text
    assert 'data-figure="chart"' in page.text
    assert ">2025-04-10<" in page.text  # EO 14266's step is a row of the US table


def test_the_scenarios_page_lists_the_bundled_scenarios(client: TestClient) -> None:
    page = client.get("/scenarios")
    assert page.status_code == 200
    assert 'href="/scenarios/s122-extended"' in page.text
