"""POST /api/v1/assess and /refunds: uploads with a key and a size limit, background jobs, results to download."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.api.api_client import API_KEY, upload, wait_for_job
from tradelex.api import ApiSettings, create_app
from tradelex.cli.main import app as cli

ENTRIES = (
    b"code,origin,date,value\n"
    b"6109.10.0012,CN,2025-04-12,1000\n"  # MFN 165 + List 4A 75 + fentanyl 200 + reciprocal 1250 (EO 14266) = 1690
    b"6109.10.0012,Atlantis,2025-04-12,1000\n"
    b"8517.13.0000,CN,2025-04-07,1000\n"  # smartphone: fentanyl 200 (EO 14228); reciprocal 100 until the memorandum
)


def test_assess_runs_as_a_job_and_its_result_has_one_row_per_input_row(client: TestClient) -> None:
    started = upload(client, "/api/v1/assess", "entries.csv", ENTRIES)
    assert started.status_code == 202, started.text
    job = wait_for_job(client, started.json())
    assert job["status"] == "done", job
    assert job["rows_done"] == 3
    assert job["summary"]["rows"] == 3 and job["summary"]["errors"] == 1
    result = client.get(job["result"])
    assert result.status_code == 200
    rows = list(csv.DictReader(io.StringIO(result.text)))
    assert [row["row"] for row in rows] == ["1", "2", "3"]
    assert rows[0]["total"] == "1690.00" and rows[0]["us.ieepa.reciprocal"] == "1250.00"
    assert rows[1]["error"].startswith("origin:")
    assert rows[2]["us.ieepa.fentanyl"] == "200.00"


def test_assess_writes_parquet_on_request(client: TestClient, tmp_path: Path) -> None:
    started = upload(client, "/api/v1/assess", "entries.csv", ENTRIES, output_format="parquet", engine="reference")
    job = wait_for_job(client, started.json())
    assert job["status"] == "done", job
    target = tmp_path / "result.parquet"
    target.write_bytes(client.get(job["result"]).content)
    table = pq.read_table(target)
    assert table.num_rows == 3
    assert str(table.column("total")[0].as_py()) == "1690.00"


def test_refunds_after_the_ruling_return_both_ieepa_layers(client: TestClient) -> None:
    """As known after Learning Resources v. Trump (2026-02-20), the IEEPA duties paid are refundable: on the T-shirt
    of 2025-04-12, fentanyl 200 + reciprocal 1250; on the smartphone of 2025-04-07, 200 + 100."""
    started = upload(client, "/api/v1/refunds", "entries.csv", ENTRIES, as_known_on="2026-11-23")
    job = wait_for_job(client, started.json())
    assert job["status"] == "done", job
    assert job["summary"]["refund"] == "1750.00"
    assert job["summary"]["refund_by_measure"] == {"us.ieepa.fentanyl": "400.00", "us.ieepa.reciprocal": "1350.00"}
    rows = list(csv.DictReader(io.StringIO(client.get(job["result"]).text)))
    assert {(r["row"], r["measure"], r["refund"]) for r in rows if not r["error"]} == {
        ("1", "us.ieepa.fentanyl", "200.00"), ("1", "us.ieepa.reciprocal", "1250.00"),
        ("3", "us.ieepa.fentanyl", "200.00"), ("3", "us.ieepa.reciprocal", "100.00"),
    }  # fmt: skip


def test_a_file_of_bad_rows_fails_the_job_with_the_field(client: TestClient) -> None:
    started = upload(client, "/api/v1/assess", "entries.csv", b"code,origin\n6109.10.0012,CN\n")
    job = wait_for_job(client, started.json())
    # no date column: every row is an error row naming the field, and the job still completes
    assert job["status"] == "done"
    assert job["summary"]["errors"] == 1


def test_writes_need_the_api_key(client: TestClient) -> None:
    missing = upload(client, "/api/v1/assess", "entries.csv", ENTRIES, key=None)
    wrong = upload(client, "/api/v1/assess", "entries.csv", ENTRIES, key="guess")
    assert missing.status_code == wrong.status_code == 401
    assert wrong.json()["error"]["field"] == "X-API-Key"


def test_writes_are_off_on_a_server_without_a_key(tmp_path: Path) -> None:
    with TestClient(create_app(ApiSettings(api_key=None, work_dir=tmp_path))) as keyless:
        response = upload(keyless, "/api/v1/assess", "entries.csv", ENTRIES, key=API_KEY)
    assert response.status_code == 403
    assert not any(tmp_path.iterdir())  # nothing was stored


def test_an_upload_over_the_limit_is_refused(client: TestClient) -> None:
    response = upload(client, "/api/v1/assess", "entries.csv", b"x" * 300_000)
    assert response.status_code == 413
    assert "error" in response.json()


def test_the_client_file_name_only_chooses_the_format(client: TestClient, work_dir: Path) -> None:
    started = upload(client, "/api/v1/assess", "../../escape.csv", ENTRIES)
    job = wait_for_job(client, started.json())
    assert job["status"] == "done"
    assert sorted(p.name for p in (work_dir / job["id"]).iterdir()) == ["assessment.csv", "input.csv"]
    assert not (work_dir.parent / "escape.csv").exists()


def test_an_unreadable_format_is_422_naming_the_file(client: TestClient) -> None:
    response = upload(client, "/api/v1/assess", "entries.txt", ENTRIES)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "file"


def test_a_result_before_the_job_is_done_or_of_a_failed_job_is_409(client: TestClient) -> None:
    started = upload(client, "/api/v1/assess", "entries.parquet", b"not parquet at all")
    job = wait_for_job(client, started.json())
    assert job["status"] == "failed" and job["error"]["error"]["message"]
    assert client.get(f"/api/v1/jobs/{job['id']}/result").status_code == 409


def test_a_streamed_upload_over_the_limit_is_refused_while_reading(client: TestClient) -> None:
    """Without a Content-Length (chunked), the body is counted as it arrives."""
    boundary = "tradelexboundary"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="e.csv"\r\n\r\n'.encode()

    def chunks():  # type: ignore[no-untyped-def]
        yield head
        for _ in range(40):
            yield b"6109.10.0012,CN,2025-04-12,1000\n" * 300
        yield f"\r\n--{boundary}--\r\n".encode()

    response = client.post(
        "/api/v1/assess",
        content=chunks(),
        headers={"X-API-Key": API_KEY, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["type"] == "ContentTooLarge"


def test_the_assess_summary_is_the_clis(client: TestClient, tmp_path: Path) -> None:
    """The job's summary is `tradelex assess --json`'s, without the output path (the file is downloaded instead)."""
    source, target = tmp_path / "entries.csv", tmp_path / "out.csv"
    source.write_bytes(ENTRIES)
    printed = CliRunner().invoke(cli, ["assess", str(source), "-o", str(target), "--json"])
    assert printed.exit_code == 0, printed.output
    expected = json.loads(printed.stdout)
    del expected["output"]
    job = wait_for_job(client, upload(client, "/api/v1/assess", "entries.csv", source.read_bytes()).json())
    assert job["status"] == "done", job
    assert job["summary"] == expected
    assert client.get(job["result"]).text == target.read_text(encoding="utf-8")
