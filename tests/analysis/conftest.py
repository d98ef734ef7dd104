"""A tiny pack for the analysis tests: one US measure on goods of CN, written here (see test_hand_computed.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradelex.rules.loader import load_pack
from tradelex.rules.model import Pack

# 10% on heading 0101 from 2025-01-01, 25% from 2025-03-01, 15 points suspended from 2025-03-01 to 2025-04-01.
MEASURE = """
title: Test duty
imposed_by: US
partners: [CN]
authority: test
kind: ad_valorem
values:
  "2025-01-01": {rate: "10%", source: "test", confidence: unconfirmed}
  "2025-03-01": {rate: "25%", source: "test", confidence: unconfirmed}
scope:
  - {from: "2025-01-01", include: ["0101"]}
suspensions:
  - {from: "2025-03-01", until: "2025-04-01", rate: "15%", source: "test", confidence: unconfirmed}
"""


def write_tiny_pack(root: Path, measure: str = MEASURE) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pack.yaml").write_text('name: tiny\nversion: "0"\ncutoff: "2026-01-01"\n', encoding="utf-8")
    (root / "us" / "test").mkdir(parents=True, exist_ok=True)
    (root / "us" / "test" / "duty.yaml").write_text(measure, encoding="utf-8")
    return root


@pytest.fixture
def tiny_pack_dir(tmp_path: Path) -> Path:
    return write_tiny_pack(tmp_path / "pack")


@pytest.fixture
def tiny_pack(tiny_pack_dir: Path) -> Pack:
    return load_pack(tiny_pack_dir)
