"""A small valid rule pack, built fresh in tmp_path for each test that asks for it.

    pack.yaml              valid metadata
    lists/us/demo.yaml     the list @us/demo
    us/demo/base.yaml      the measure us.demo.base (precedence 10), whose scope uses @us/demo

Tests add or replace files in it and call load_pack on the returned root.
"""

from __future__ import annotations

from pathlib import Path

import pytest

PACK_META = """\
name: test-pack
version: "1"
cutoff: 2025-06-01
description: A small pack for the loader's tests.
"""

DEMO_LIST = """\
title: Demo list
source: Test source
confidence: confirmed
codes: ["6109.10", "8471"]
"""

BASE_MEASURE = """\
title: Base tariff
imposed_by: US
partners: [CN]
authority: Test Act
kind: ad_valorem
values:
  2025-04-05:
    rate: "10%"
    source: Test notice
    confidence: confirmed
scope:
  - from: 2025-04-05
    include: ["@us/demo"]
stacking:
  precedence: 10
"""

PACK_FILES = {
    "pack.yaml": PACK_META,
    "lists/us/demo.yaml": DEMO_LIST,
    "us/demo/base.yaml": BASE_MEASURE,
}


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def pack_root(tmp_path: Path) -> Path:
    """The root of a valid pack with one list and one measure."""
    root = tmp_path / "pack"
    for relative, text in PACK_FILES.items():
        write(root, relative, text)
    return root
