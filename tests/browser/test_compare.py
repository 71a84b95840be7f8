"""The page « Comparer les scénarios » in a real browser, offline: on a fresh workspace
(no IRIS contours, no saved scenario) it opens on the commune-level Ruscino pair and shows
both populations side by side, with the difference, and both maps."""

from playwright.sync_api import expect

from geo.catalog import Catalog
from geo.examples import RUSCINO_CODES


def fr_int(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def taille(population: int) -> str:
    """The ACI size class, from its thresholds (40,000 / 80,000 / 175,000 inhabitants)."""
    return f"Taille {1 + sum(population >= t for t in (40_000, 80_000, 175_000))}"


def test_compare_page_shows_both_scenarios_offline(streamlit_server, page, artifacts_dir):
    units = Catalog().units
    whole = sorted({c[:5] for c in RUSCINO_CODES} - {"66136"})
    base = int(units.loc[whole, "population"].sum())
    perpignan = int(units.at["66136", "population"])

    page.set_viewport_size({"width": 1600, "height": 1100})
    page.goto(f"{streamlit_server('app.py', instance='compare')}/Comparer_les_scénarios")
    expect(page.get_by_text("Contours IRIS des Pyrénées-Orientales absents")).to_be_visible(timeout=60_000)
    populations = page.get_by_test_id("stMetric").filter(has_text="Population")
    expect(populations).to_have_count(2, timeout=60_000)
    values = populations.get_by_test_id("stMetricValue")
    expect(values.nth(0)).to_have_text(f"{fr_int(base)} hab.")
    expect(values.nth(1)).to_have_text(f"{fr_int(base + perpignan)} hab.")
    expect(populations.nth(1).get_by_test_id("stMetricDelta")).to_contain_text(f"+{fr_int(perpignan)} hab.")
    expect(page.get_by_test_id("stMetric").filter(has_text="Taille").get_by_test_id("stMetricValue")
           ).to_have_text([taille(base), taille(base + perpignan)])
    images = page.get_by_test_id("stImage").locator("img")
    expect(images).to_have_count(2)
    for i in range(2):
        expect(images.nth(i)).to_have_js_property("complete", True)
        assert images.nth(i).evaluate("img => img.naturalWidth") > 100
    page.screenshot(path=artifacts_dir / "compare_scenarios.png", full_page=True)
    assert page.blocked_urls == []
