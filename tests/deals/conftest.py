"""Small deal folders written per test: a deal file and, where needed, an indicator series."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tradelex.rules.loader import load_bundled_pack
from tradelex.rules.model import Pack

READING_HEAD = """
  - party: {party}
    source: "a test reading"
    published: "2025-05-12"
    confidence: confirmed
    commitments:
"""


@pytest.fixture(scope="session")
def pack() -> Pack:
    return load_bundled_pack()


@pytest.fixture
def write_deal(tmp_path: Path) -> Callable[..., Path]:
    """write_deal(clauses_yaml, {party: commitments_yaml}, series={name: yaml}) → the deal file's path."""

    def write(
        clauses: str, readings: dict[str, str], series: dict[str, str] | None = None, name: str = "test-deal"
    ) -> Path:
        text = (
            'title: "A test deal"\nparties: [US, CN]\nsigned: "2025-05-12"\nsource: "test"\nconfidence: confirmed\n'
            f"clauses:\n{clauses}\nreadings:\n"
        )
        for party, commitments in readings.items():
            text += READING_HEAD.format(party=party) + commitments
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        for series_name, body in (series or {}).items():
            folder = tmp_path / "indicators"
            folder.mkdir(exist_ok=True)
            (folder / f"{series_name}.yaml").write_text(body, encoding="utf-8")
        return path

    return write
