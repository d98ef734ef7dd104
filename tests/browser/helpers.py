"""What the browser tests share besides fixtures: the server's key and the screenshot folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
BROWSER_KEY = "browser-test-key"


def screenshot(page: Any, name: str) -> None:
    """A full-page screenshot into docs/screenshots/, which the README shows."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
