"""An API client in-process (ASGI, no socket) on the bundled pack, with a known API key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.api_client import API_KEY
from tradelex.api import ApiSettings, create_app


@pytest.fixture(scope="session")
def work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("api-work")


@pytest.fixture(scope="session")
def app(work_dir: Path) -> FastAPI:
    # One app for the session: the pack loads once, as it does in a server process.
    licences = f"sqlite:///{work_dir / 'licences.sqlite'}"
    return create_app(ApiSettings(api_key=API_KEY, work_dir=work_dir, max_upload_bytes=200_000, licence_db=licences))


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client
