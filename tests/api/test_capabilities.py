"""Export controls, screening, licence applications and deals over HTTP: the CLI's JSON, writes behind the key."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.api.api_client import API_KEY
from tradelex.cli.main import app as cli

APPLICATION = {
    "regime": "cn.mofcom", "exporter": "Example Magnets Co.", "item": "2846.90", "quantity": "500", "unit": "kg",
    "value": "125000.00", "currency": "USD", "destination": "US", "end_user": "Example Motors Inc.",
    "end_use": "permanent magnets", "submitted_on": "2025-06-03",
}  # fmt: skip


def cli_json(*arguments: str) -> object:
    printed = CliRunner().invoke(cli, [*arguments, "--json"])
    assert printed.exit_code == 0, printed.output
    return json.loads(printed.stdout)


def test_controls_check_is_the_clis_document(client: TestClient) -> None:
    """Samarium oxide compounds (2846.90) to the US on 2025-06-01 need a MOFCOM licence under MOFCOM/GAC
    Announcement 2025 No. 18 of 4 Apr 2025 (medium and heavy rare earths)."""
    params = {"item": "2846.90", "from": "CN", "to": "US", "date": "2025-06-01"}
    document = client.get("/api/v1/controls/check", params=params).json()
    assert document["verdict"] == "licence_required"
    assert "cn.mofcom.rare-earths-2025-18" in [r["measure"] for r in document["requirements"]]
    expected = cli_json("controls", "check", "--item", "2846.90", "--from", "CN", "--to", "US", "--date", "2025-06-01")
    assert document == expected


def test_controls_check_names_a_bad_field(client: TestClient) -> None:
    response = client.get("/api/v1/controls/check", params={"item": "2846.90", "from": "CN", "to": "Nowhere",
                                                            "date": "2025-06-01"})  # fmt: skip
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "destination"


def test_screening_is_the_clis_document(client: TestClient) -> None:
    document = client.get("/api/v1/screen", params={"name": "Huawei Technologies", "date": "2025-06-01"}).json()
    assert document == cli_json("screen", "Huawei Technologies", "--date", "2025-06-01")


def test_a_licence_application_needs_the_key_then_runs_its_course(client: TestClient) -> None:
    refused = client.post("/api/v1/licences", json=APPLICATION)
    assert refused.status_code == 401
    created = client.post("/api/v1/licences", json=APPLICATION, headers={"X-API-Key": API_KEY})
    assert created.status_code == 201, created.text
    application = created.json()
    assert application["status"] == "pending" and application["value"] == "125000.00"
    assert client.get(f"/api/v1/licences/{application['id']}").json() == application
    pending = client.get("/api/v1/licences", params={"status": "pending"}).json()["applications"]
    assert application["id"] in [a["id"] for a in pending]
    clock = client.get(f"/api/v1/licences/{application['id']}/clock", params={"as_of": "2025-06-10"}).json()
    # art. 17 of the Dual-Use Items Export Control Regulations (in force 2024-12-01): 45 working days
    assert clock["state"] == "running" and clock["working_days_allowed"] == 45
    decided = client.post(f"/api/v1/licences/{application['id']}/decisions", headers={"X-API-Key": API_KEY},
                          json={"outcome": "approved", "decided_on": "2025-07-15"})  # fmt: skip
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    again = client.post(f"/api/v1/licences/{application['id']}/decisions", headers={"X-API-Key": API_KEY},
                        json={"outcome": "denied", "decided_on": "2025-07-16"})  # fmt: skip
    assert again.status_code == 409  # an approval is final: the second decision does not overwrite it
    months = client.get("/api/v1/licences/indicators", params={"from": "2025-06-01", "to": "2025-07-31"}).json()
    july = next(m for m in months["months"] if m["month"] == "2025-07")
    assert july["approvals"] >= 1


def test_a_bad_application_is_422_naming_the_field(client: TestClient) -> None:
    response = client.post("/api/v1/licences", json=APPLICATION | {"currency": "XYZ"}, headers={"X-API-Key": API_KEY})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "currency"
    missing = client.post("/api/v1/licences", json={"exporter": "x"}, headers={"X-API-Key": API_KEY})
    assert missing.status_code == 422 and missing.json()["error"]["field"]


def test_an_unknown_application_is_404(client: TestClient) -> None:
    assert client.get("/api/v1/licences/987654").status_code == 404


def test_deals_are_the_clis_documents(client: TestClient) -> None:
    names = [deal["name"] for deal in client.get("/api/v1/deals").json()["deals"]]
    assert "geneva-2025" in names and "busan-2025" in names
    assert client.get("/api/v1/deals/busan-2025/diff").json() == cli_json("deals", "diff", "busan-2025")
    assert client.get("/api/v1/deals/busan-2025/check").json() == cli_json("deals", "check", "busan-2025")
    compliance = client.get("/api/v1/deals/geneva-2025/compliance", params={"as_of": "2025-09-01"}).json()
    assert compliance == cli_json("deals", "compliance", "geneva-2025", "--as-of", "2025-09-01")


def test_geneva_tariff_commitments_were_kept(client: TestClient) -> None:
    """Geneva joint statement (12 May 2025): the US cut the reciprocal rate to 10% (EO 14298, from 2025-05-14) and
    China its countermeasure to 10% (Tariff Commission announcement of 13 May 2025)."""
    compliance = client.get("/api/v1/deals/geneva-2025/compliance", params={"as_of": "2025-09-01"}).json()
    states = {c["id"]: c["state"] for c in compliance["commitments"]}
    assert states["us-reciprocal-10"] == "kept" and states["cn-countermeasure-10"] == "kept"


def test_a_deal_is_named_never_a_path(client: TestClient) -> None:
    for name in ("..%2F..%2Fetc%2Fpasswd", "geneva-2025.yaml", "%2Ftmp%2Fdeal.yaml"):
        response = client.get(f"/api/v1/deals/{name}")
        assert response.status_code == 404
