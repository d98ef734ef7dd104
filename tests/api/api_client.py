"""Helpers of the API tests: the key of the test server, uploads, and waiting for a job."""

from __future__ import annotations

import time
from typing import Any

import httpx
from fastapi.testclient import TestClient

API_KEY = "test-key-not-secret"


def wait_for_job(client: TestClient, job: dict[str, Any], polls: int = 600) -> dict[str, Any]:
    """Poll a job until it ends; bounded, so a stuck job fails the test instead of hanging it."""
    for _ in range(polls):
        job = client.get(f"/api/v1/jobs/{job['id']}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job['id']} did not finish: {job}")


def upload(client: TestClient, path: str, name: str, content: bytes, key: str | None = API_KEY,
           **form: str) -> httpx.Response:  # fmt: skip
    headers = {"X-API-Key": key} if key is not None else {}
    return client.post(path, files={"file": (name, content, "text/csv")}, data=form, headers=headers)
