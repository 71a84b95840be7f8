"""The home page opened cold: the populations légales in force are named, and the Carmausin
example shows its APL and 75+ share against the Tarn, Occitanie and France with no import.
Expected figures are computed here from the embedded tables' sources (indicators/embedded)."""

from playwright.sync_api import expect

from geo.french import fmt_number
from indicators.aggregate import Aggregator
from indicators.embedded import (
    AGE_75,
    APL_2023,
    APL_INDICATOR,
    SHARE_75_INDICATOR,
    embedded_dataset,
)


def test_home_page_names_the_vintage_and_shows_health_references(streamlit_server, page, artifacts_dir,
                                                                 catalog, carmausin):
    page.set_viewport_size({"width": 1600, "height": 1100})
    page.goto(streamlit_server("app.py", instance="inforce"))
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Millésime des populations")).to_be_visible(timeout=60_000)
    expect(sidebar.get_by_role("combobox", name="Millésime des populations")).to_have_value(
        "2023 (en vigueur)")
    sidebar.get_by_role("button", name="CPTS du Carmausin-Ségala (Tarn)").click()
    expect(page.get_by_text("population municipale 2023 (INSEE, en vigueur)")).to_be_visible(timeout=30_000)
    table = page.get_by_test_id("stTable")
    expect(table).to_be_visible(timeout=30_000)
    codes = carmausin.sorted_codes()
    apl = Aggregator(catalog, embedded_dataset(APL_2023)).compare(APL_INDICATOR, codes, carmausin.name)
    old = Aggregator(catalog, embedded_dataset(AGE_75)).compare(SHARE_75_INDICATOR, codes, carmausin.name)
    for place, apl_place, old_place in zip(["CPTS du Carmausin-Ségala", "Tarn", "Occitanie", "France"],
                                           (apl.perimeter,) + apl.references,
                                           (old.perimeter,) + old.references):
        row = table.locator("tr").filter(has_text=place)
        expect(row).to_contain_text(fmt_number(apl_place.value, 2))
        expect(row).to_contain_text(fmt_number(old_place.value, 1) + " %")
    expect(table).to_contain_text("APL aux médecins généralistes (2023)")
    expect(table).to_contain_text("Part des 75 ans et plus (2022)")
    map_frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    expect(map_frame.locator(".leaflet-container")).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1500)  # let the map paint the perimeter
    page.screenshot(path=artifacts_dir / "builder_in_force.png", full_page=True)
    assert page.blocked_urls == []


def test_the_diagnosis_opens_with_the_embedded_indicators(streamlit_server, page, artifacts_dir):
    page.set_viewport_size({"width": 1600, "height": 1100})
    page.goto(streamlit_server("app.py", instance="inforce"))
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("button", name="CPTS du Carmausin-Ségala (Tarn)").click(timeout=60_000)
    expect(page.get_by_test_id("stTable")).to_be_visible(timeout=30_000)
    sidebar.get_by_role("link", name="Diagnostic territorial").click()
    expect(page.get_by_text("Contexte départemental")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stMetric").filter(has_text="APL aux médecins généralistes").first).to_be_visible()
    expect(page.get_by_text("81 – Tarn")).to_be_visible()
    page.screenshot(path=artifacts_dir / "diagnosis_embedded.png", full_page=True)
    assert page.blocked_urls == []
