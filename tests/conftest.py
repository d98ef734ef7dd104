"""Session-wide guards: no test touches the user's real data directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tradelex.data.store import DATA_DIR_ENV


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test gets an empty store directory; the bundled build is what a fresh install sees."""
    directory = tmp_path_factory.mktemp("tradelex-data")
    monkeypatch.setenv(DATA_DIR_ENV, str(directory))
    yield directory
