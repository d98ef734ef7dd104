"""One error envelope for every error path: 422 naming the field, as `--json` prints it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"origin": "CN", "date": "2025-04-15"}, "code"),  # missing
        ({"code": "6109.10.0012", "origin": "CN", "date": "2025-13-45"}, "date"),
        ({"code": "8517.12", "origin": "CN", "date": "2025-04-15"}, "code"),  # not a code of HS 2022
        ({"code": "6109.10.0012", "origin": "Atlantis", "date": "2025-04-15"}, "origin"),
        ({"code": "6109.10.0012", "origin": "CN", "date": "2025-04-15", "value": "-5"}, "value"),
        ({"code": "6109.10.0012", "origin": "CN", "date": "2025-04-15", "content": "copper"}, "content"),
        ({"code": "6109.10.0012", "origin": "CN", "date": "2025-04-15", "as_known_on": "soon"}, "as_known_on"),
        ({"code": "6109.10.0012", "origin": "CN", "date": "2025-04-15", "quantity": "3"}, "unit"),
    ],
)
def test_bad_rate_queries_are_422_naming_the_field(client: TestClient, params: dict[str, str], field: str) -> None:
    response = client.get("/api/v1/rate", params=params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == field
    assert error["message"]


def test_an_unknown_code_carries_the_nearest_valid_codes(client: TestClient) -> None:
    """8517.12 was deleted in HS 2022 (split into 8517.13 and 8517.14): the suggestions name its neighbours."""
    error = client.get("/api/v1/rate", params={"code": "8517.12", "origin": "CN", "date": "2025-04-15"}).json()["error"]
    assert error["type"] == "UnknownCodeError"
    assert "851713" in error["suggestions"]


def test_history_with_a_bad_range_names_the_field(client: TestClient) -> None:
    response = client.get("/api/v1/history", params={"code": "6109.10.0012", "origin": "CN", "from": "yesterday"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "from"


def test_an_unknown_job_is_404(client: TestClient) -> None:
    response = client.get("/api/v1/jobs/0123456789abcdef")
    assert response.status_code == 404
    assert response.json()["error"]["field"] == "job"
