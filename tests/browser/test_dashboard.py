"""The dashboard's main flows in headless Chromium: compute a duty, open a history."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.helpers import screenshot


def test_compute_a_duty_with_the_keyboard(page: Any) -> None:
    """Typed into the form and submitted with Enter: a T-shirt of 2025-04-12 at 1000 pays 1690.00 (MFN 16.5%,
    List 4A 7.5%, fentanyl 20% under EO 14228, reciprocal 125% under EO 14266)."""
    page.goto("/calculator")
    code = page.get_by_label("Product code")
    code.focus()
    code.fill("cotton t-shirts")
    # suggestions come from the code search, with HS descriptions
    expect(page.locator("#code-options option").first).to_have_attribute("label", re.compile("T-shirts"), timeout=5000)
    code.fill("6109.10.0012")
    page.get_by_label("Origin").fill("CN")
    page.get_by_label("Entry date").fill("2025-04-12")
    page.get_by_label("Customs value").fill("1000")
    page.get_by_label("Customs value").press("Enter")
    expect(page.get_by_test_id("total")).to_contain_text("1690.00")
    layers = page.locator("table.layers tbody tr")
    expect(layers).to_have_count(4)
    expect(page.locator("table.layers")).to_contain_text("us.ieepa.reciprocal")
    expect(page.locator("#chart")).to_have_attribute("data-drawn", "true", timeout=15000)
    screenshot(page, "calculator")


def test_keyboard_focus_follows_the_form(page: Any) -> None:
    page.goto("/calculator")
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    page.keyboard.press("Enter")
    order: list[str] = []
    for _ in range(14):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.id || document.activeElement.tagName")
        if not order or order[-1] != focused:  # a date input takes one Tab per part (month, day, year)
            order.append(focused)
    assert order[:7] == ["f-code", "f-origin", "f-importer", "f-date", "f-value", "f-as_known_on", "BUTTON"]


def test_an_error_names_the_field(page: Any) -> None:
    page.goto("/calculator?code=6109.10.0012&origin=Atlantis&date=2025-04-12")
    expect(page.get_by_role("alert")).to_contain_text("origin")
    expect(page.get_by_label("Origin")).to_have_attribute("aria-invalid", "true")


def test_open_a_history(page: Any) -> None:
    page.goto("/calculator?code=6109.10.0012&origin=CN&date=2025-04-12&value=1000")
    page.get_by_role("link", name="How this product's duty changed over time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Product history")
    # EO 14257's 10% from 2025-04-05 and EO 14266's 125% from 2025-04-10 are steps of the chart and the table
    table = page.locator("table.steps")
    expect(table).to_contain_text("2025-04-05")
    expect(table).to_contain_text("2025-04-10")
    expect(page.locator("#chart")).to_have_attribute("data-drawn", "true", timeout=15000)
    screenshot(page, "history")
