"""The dashboard's capability pages in headless Chromium: a deal's compliance, a licence application, controls."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.helpers import BROWSER_KEY, screenshot


def test_view_a_deals_compliance(page: Any) -> None:
    """Geneva joint statement (12 May 2025): both tariff commitments kept on 2025-09-01: the US reciprocal rate at
    10% (EO 14298 from 2025-05-14) and China's countermeasure at 10% (Tariff Commission, 13 May 2025)."""
    page.goto("/deals")
    page.get_by_role("link", name="Joint Statement on U.S.-China Economic and Trade Meeting in Geneva").click()
    as_of = page.get_by_label("As of", exact=True)
    as_of.fill("2025-09-01")
    as_of.press("Enter")
    expect(page.get_by_test_id("state-us-reciprocal-10")).to_have_text("kept")
    expect(page.get_by_test_id("state-cn-countermeasure-10")).to_have_text("kept")
    expect(page.get_by_role("heading", name="Readings side by side")).to_be_visible()
    screenshot(page, "deal-compliance")


def test_readings_side_by_side(page: Any) -> None:
    """Busan/Kuala Lumpur (30 Oct 2025): the White House fact sheet and MOFCOM's answers, clause by clause."""
    page.goto("/deals/busan-2025")
    expect(page.get_by_role("heading", name="US reading").first).to_be_visible()
    expect(page.get_by_role("heading", name="CN reading").first).to_be_visible()
    screenshot(page, "deal-readings")


def test_submit_a_licence_application(page: Any) -> None:
    page.goto("/licences")
    page.get_by_label("Exporter", exact=True).fill("Example Magnets Co.")
    page.get_by_label("Item", exact=True).fill("2846.90")
    page.get_by_label("Quantity", exact=True).fill("500")
    page.get_by_label("Unit", exact=True).fill("kg")
    page.get_by_label("Value", exact=True).fill("125000")
    page.get_by_label("End user", exact=True).fill("Example Motors Inc.")
    page.get_by_label("End use", exact=True).fill("permanent magnets for motors")
    page.get_by_label("Accepted on", exact=True).fill("2025-06-03")
    page.get_by_label("API key", exact=True).fill("not the key")
    page.get_by_role("button", name="Submit the application").click()
    expect(page.get_by_role("alert")).to_contain_text("api_key")
    expect(page.get_by_label("Exporter", exact=True)).to_have_value("Example Magnets Co.")  # nothing typed is lost
    page.get_by_label("API key", exact=True).fill(BROWSER_KEY)
    page.get_by_role("button", name="Submit the application").click()
    expect(page.get_by_role("status")).to_contain_text("was submitted")
    row = page.locator("table.applications tbody tr", has_text="Example Magnets Co.")
    expect(row).to_contain_text("pending")
    expect(row).to_contain_text("125000 USD")
    screenshot(page, "licences")


def test_check_an_export(page: Any) -> None:
    """Samarium compounds (2846.90) to the US on 2025-06-01: MOFCOM/GAC Announcement 2025 No. 18 requires a
    licence."""
    page.goto("/controls")
    page.get_by_label("Item", exact=True).fill("2846.90")
    page.get_by_label("Export date", exact=True).fill("2025-06-01")
    page.get_by_role("button", name="Check the export").click()
    expect(page.get_by_test_id("verdict")).to_contain_text("licence required")
    expect(page.locator("table.requirements")).to_contain_text("cn.mofcom.rare-earths-2025-18")
    screenshot(page, "controls")


def test_the_averages_chart_for_both_directions(page: Any) -> None:
    page.goto("/averages?from=2025-01-01&to=2025-12-31&products=61")
    expect(page.get_by_role("heading", name="US on goods of CN")).to_be_visible(timeout=120_000)
    expect(page.get_by_role("heading", name="CN on goods of US")).to_be_visible()
    expect(page.locator("#chart")).to_have_attribute("data-drawn", "true", timeout=15_000)
    screenshot(page, "averages")


def test_the_scenarios_page(page: Any) -> None:
    page.goto("/scenarios")
    expect(page.get_by_role("link", name="Run s122-extended")).to_be_visible()
    screenshot(page, "scenarios")


def test_record_a_decision_on_an_application(page: Any) -> None:
    page.goto("/licences")
    page.get_by_label("Exporter", exact=True).fill("Decided Metals Ltd.")
    for label, value in (("Item", "8112.92"), ("Quantity", "20"), ("Unit", "kg"), ("Value", "4000"),
                         ("End user", "Decided Buyer"), ("End use", "alloys"), ("Accepted on", "2025-03-03"),
                         ("API key", BROWSER_KEY)):  # fmt: skip
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Submit the application").click()
    expect(page.get_by_role("status")).to_contain_text("was submitted")
    option = page.locator("#f-application option", has_text="Decided Metals Ltd.")
    page.get_by_label("Application", exact=True).select_option(option.get_attribute("value"))
    page.get_by_label("Outcome", exact=True).select_option("denied")
    page.get_by_label("Decided on", exact=True).fill("2025-04-30")
    page.get_by_label("API key for the decision", exact=True).fill(BROWSER_KEY)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_contain_text("was recorded")
    row = page.locator("table.applications tbody tr", has_text="Decided Metals Ltd.")
    expect(row).to_contain_text("denied")
