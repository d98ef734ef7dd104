"""The dashboard's pages, rendered on the server: the calculator, the history, and the local plotly.js."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import plotly
from fastapi.testclient import TestClient

from tradelex.web.assets import PLOTLY_URL

TSHIRT = {"code": "6109.10.0012", "origin": "CN", "importer": "US"}


def test_the_calculator_shows_each_layer_with_its_source(client: TestClient) -> None:
    """T-shirt of 2025-04-12, value 1000: 1690.00 in all (EO 14266 125%, EO 14228 20%, List 4A 7.5%, MFN 16.5%)."""
    page = client.get("/calculator", params=TSHIRT | {"date": "2025-04-12", "value": "1000"})
    assert page.status_code == 200
    html = page.text
    assert "1690.00" in html
    for measure, amount in [("us.mfn", "165.00"), ("us.s301.list4a", "75.00"), ("us.ieepa.fentanyl", "200.00"),
                            ("us.ieepa.reciprocal", "1250.00")]:  # fmt: skip
        assert re.search(rf"<code>{re.escape(measure)}</code>.*?{re.escape(amount)}", html, re.S), measure
    assert "EO 14266" in html or "14266" in html  # the instrument of the 125% value
    assert 'data-figure="chart"' in html and PLOTLY_URL in html


def test_a_bad_field_is_marked_on_the_form(client: TestClient) -> None:
    page = client.get("/calculator", params=TSHIRT | {"origin": "Atlantis", "date": "2025-04-12"})
    assert page.status_code == 422
    assert re.search(r'id="f-origin"[^>]*aria-invalid="true"', page.text)
    assert 'role="alert"' in page.text


def test_every_input_has_a_label(client: TestClient) -> None:
    for path in ("/calculator", "/history"):
        html = client.get(path).text
        inputs = re.findall(r'<input id="([^"]+)"', html)
        assert inputs
        for input_id in inputs:
            assert f'<label for="{input_id}">' in html, (path, input_id)


def test_the_history_page_lists_the_changes(client: TestClient) -> None:
    """EO 14257's reciprocal 10% from 2025-04-05 and EO 14266's 125% from 2025-04-10 appear as changes."""
    page = client.get("/history", params=TSHIRT | {"from": "2025-01-01", "to": "2025-06-30"})
    assert page.status_code == 200
    assert ">2025-04-05<" in page.text and ">2025-04-10<" in page.text
    assert "us.ieepa.reciprocal" in page.text


def test_plotly_is_served_from_the_installed_package_and_cached(client: TestClient) -> None:
    assert PLOTLY_URL.endswith(f"plotly-{plotly.__version__}.min.js")
    response = client.get(PLOTLY_URL, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]
    from plotly.offline import get_plotlyjs

    assert response.content == get_plotlyjs().encode() or gzip.decompress(response.content) == get_plotlyjs().encode()


def test_no_page_loads_a_script_or_style_from_another_host(client: TestClient) -> None:
    for path in ("/calculator", "/history", "/controls", "/licences", "/deals", "/scenarios", "/docs"):
        html = client.get(path, params=TSHIRT | {"date": "2025-04-12"}).text
        loaded = re.findall(r'<script[^>]*\ssrc="([^"]+)"', html) + re.findall(r'<link[^>]*\shref="([^"]+)"', html)
        assert loaded and all(url.startswith("/") and not url.startswith("//") for url in loaded), loaded


def test_the_api_page_and_docs_api_md_name_every_operation(client: TestClient) -> None:
    """docs/api.md documents every path of the OpenAPI document, and /docs renders them all."""
    documented = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    page = client.get("/docs").text
    for path, methods in client.get("/openapi.json").json()["paths"].items():
        assert path in documented, path
        for method in methods:
            assert f"{method.upper()} {path}" in page, (method, path)
    assert "cdn" not in page.lower()
