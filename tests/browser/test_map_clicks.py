"""Clicks and drawings on the builder's map as a facilitator makes them (issues 12 and 14):
each click does what it shows, once, and the map never contradicts the perimeter."""

from playwright.sync_api import expect
from shapely.geometry import Polygon

from geo.areas import mostly_inside
from tests.browser.map_clicks import (
    COMMUNES_METRIC,
    MAP_IFRAME,
    PERIMETER_FILL,
    TO_LATLNG,
    clickable_communes,
    fill_at,
    map_frame,
    page_point,
)
from ui.map import territory_units
from ui.panel_code import PANEL_ELEMENTS, panel_scripts

EMPTY = "Le périmètre est vide"


def expect_empty(page) -> None:
    """The empty perimeter's one instruction, once the page has replaced the previous
    perimeter's findings (info alerts too: waiting on one element while several show
    would fail at once, not wait), and nothing else in an info alert."""
    info = page.get_by_test_id("stAlertContentInfo")
    expect(info.filter(has_text=EMPTY)).to_have_count(1, timeout=20_000)
    expect(info).to_have_count(1, timeout=20_000)


def open_builder(page, url):
    page.set_viewport_size({"width": 1600, "height": 1100})
    page.goto(url)
    return map_frame(page)


def communes_shown(page):
    return page.locator(COMMUNES_METRIC)


def test_a_click_adds_a_commune_and_a_second_click_removes_it(streamlit_server, page, catalog):
    frame = open_builder(page, streamlit_server("app.py", instance="clicks"))
    code, lat, lng = clickable_communes(catalog, ("81",), 1)[0]
    page.mouse.click(*page_point(page, frame, lat, lng))
    expect(communes_shown(page)).to_have_text("1", timeout=20_000)
    expect(page.get_by_test_id("stDataFrame")).to_contain_text(code)
    page.wait_for_timeout(500)  # a person looks before clicking again
    page.mouse.click(*page_point(page, frame, lat, lng))
    expect_empty(page)
    expect(communes_shown(page)).to_have_count(0)
    page.wait_for_timeout(500)
    assert fill_at(frame, lat, lng) != PERIMETER_FILL


def test_the_first_click_finds_the_panels_code_already_in_the_page(streamlit_server, page, catalog):
    """The first click brings the figures, tables, forms, share link and downloads: once the
    map is painted the page already has their code (ui/panel_code.py), and the click fetches
    none. A panel using an element not named in PANEL_ELEMENTS fails this."""
    assert len(panel_scripts()) == len(PANEL_ELEMENTS)  # each found in the installed Streamlit
    frame = open_builder(page, streamlit_server("app.py", instance="clicks"))
    frame.wait_for_function("() => CptsMap.panelCodeLoaded", timeout=20_000)
    loaded = page.evaluate("() => performance.getEntriesByType('resource').map((e) => e.name)")
    assert all(any(url.endswith(f"/static/js/{file}") for url in loaded) for file in panel_scripts())
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    code, lat, lng = clickable_communes(catalog, ("81",), 1)[0]
    page.mouse.click(*page_point(page, frame, lat, lng))
    expect(communes_shown(page)).to_have_text("1", timeout=20_000)
    expect(page.get_by_test_id("stDataFrame")).to_contain_text(code, timeout=20_000)
    expect(page.get_by_test_id("stDownloadButton").first).to_be_visible()
    page.wait_for_timeout(1000)
    assert [url for url in fetched if "/static/js/" in url] == []


def test_a_browser_without_request_idle_callback_loads_the_panels_code_too(streamlit_server, page):
    """Safari has no requestIdleCallback: the map still loads the panels' code, a moment
    after its units are painted."""
    page.add_init_script("delete window.requestIdleCallback")
    frame = open_builder(page, streamlit_server("app.py", instance="clicks"))
    assert frame.evaluate("() => typeof window.requestIdleCallback") == "undefined"
    frame.wait_for_function("() => CptsMap.panelCodeLoaded", timeout=20_000)


def test_the_polygon_tool_draws_with_four_clicks_and_finish(streamlit_server, page, catalog, artifacts_dir):
    frame = open_builder(page, streamlit_server("app.py", instance="polygon"))
    frame.locator(".leaflet-draw-draw-polygon").click()
    box = page.locator(MAP_IFRAME).bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    corners = [(cx - 90, cy - 70), (cx + 80, cy - 80), (cx + 90, cy + 70), (cx - 70, cy + 90)]
    for x, y in corners:
        page.mouse.click(x, y)
        page.wait_for_timeout(300)
    # Each vertex is drawn, and the drawing is still going on: no commune was toggled.
    expect(frame.locator(".leaflet-marker-icon.leaflet-div-icon")).to_have_count(4)
    expect(page.get_by_test_id("stAlertContentInfo")).to_contain_text(EMPTY)
    frame.locator(".leaflet-draw-actions a:visible").first.click()  # « Terminer »
    vertices = [frame.evaluate(TO_LATLNG, [x - box["x"], y - box["y"]]) for x, y in corners]
    polygon = Polygon([(lng, lat) for lat, lng in vertices])
    expected = mostly_inside(territory_units(catalog, ("81",), ()), polygon)
    assert len(expected) >= 3
    expect(communes_shown(page)).to_have_text(str(len(expected)), timeout=20_000)
    page.wait_for_timeout(800)
    inside = catalog.units.loc[expected].geometry.representative_point()
    assert all(fill_at(frame, p.y, p.x) == PERIMETER_FILL for p in inside)
    page.screenshot(path=artifacts_dir / "builder_after_polygon.png")


def test_ten_brisk_clicks_make_exactly_ten_toggles(streamlit_server, page, catalog, artifacts_dir):
    frame = open_builder(page, streamlit_server("app.py", instance="ten"))
    clickable = clickable_communes(catalog, ("81",), 12)
    communes, untouched = clickable[:10], clickable[10:]
    for _, lat, lng in communes:
        page.mouse.click(*page_point(page, frame, lat, lng))
        page.wait_for_timeout(400)
    expect(communes_shown(page)).to_have_text("10", timeout=30_000)
    page.wait_for_timeout(1500)  # every answer of the server has arrived
    # The perimeter: its ten units (ten rows, the metric says) are the ten clicked.
    table = page.get_by_test_id("stDataFrame")
    for code, _, _ in communes:
        expect(table).to_contain_text(code)
    for code, lat, lng in communes:
        assert fill_at(frame, lat, lng) == PERIMETER_FILL, code
    for code, lat, lng in untouched:
        assert fill_at(frame, lat, lng) != PERIMETER_FILL, code
    page.screenshot(path=artifacts_dir / "builder_after_ten_clicks.png")


def test_the_first_click_counts_when_the_map_is_partly_below_the_screen(streamlit_server, page, catalog):
    """On a laptop screen the map's bottom is off screen: pressing on it must not scroll the
    page under the mouse (Leaflet focuses the map), which turned the first click into a drag."""
    page.goto(streamlit_server("app.py", instance="clicks"))
    page.set_viewport_size({"width": 1280, "height": 800})
    frame = map_frame(page)
    box = page.locator(MAP_IFRAME).bounding_box()
    assert box["y"] + box["height"] > 800  # partly below the screen
    code, lat, lng = clickable_communes(catalog, ("81",), 1)[0]
    page.mouse.click(*page_point(page, frame, lat, lng))
    expect(communes_shown(page)).to_have_text("1", timeout=20_000)
    expect(page.get_by_test_id("stDataFrame")).to_contain_text(code, timeout=20_000)


def test_the_map_follows_changes_made_elsewhere(streamlit_server, page, catalog):
    """Undo and the search box change the perimeter on the server: the map shows it."""
    frame = open_builder(page, streamlit_server("app.py", instance="clicks"))
    (_, lat, lng), (other, olat, olng) = clickable_communes(catalog, ("81",), 2)
    page.mouse.click(*page_point(page, frame, lat, lng))
    expect(communes_shown(page)).to_have_text("1", timeout=20_000)
    page.get_by_role("button", name="↶ Annuler").click()
    expect_empty(page)
    page.wait_for_timeout(800)
    assert fill_at(frame, lat, lng) != PERIMETER_FILL
    page.get_by_label("Rechercher une commune, un IRIS, un code INSEE ou postal").fill(other)
    page.keyboard.press("Enter")
    page.get_by_role("button", name=f"Ajouter {catalog.units.at[other, 'name']}").click()
    expect(communes_shown(page)).to_have_text("1", timeout=20_000)
    page.wait_for_timeout(800)
    assert fill_at(frame, olat, olng) == PERIMETER_FILL
