"""What the builder's map shows a room (issues 12 and 14): commune names where they fit,
controls in French, a metric scale; a whole région, Paris by arrondissement."""

from playwright.sync_api import expect

from tests.browser.map_clicks import (
    COMMUNES_METRIC,
    MAP_IFRAME,
    clickable_communes,
    map_frame,
    page_point,
)


def test_names_french_controls_and_a_metric_scale(streamlit_server, page, catalog, artifacts_dir):
    page.set_viewport_size({"width": 1600, "height": 1100})
    page.goto(streamlit_server("app.py", instance="display"))
    frame = map_frame(page)
    labels = frame.locator(".cpts-label")
    expect(labels.get_by_text("Albi", exact=True)).to_have_count(1)
    expect(labels.get_by_text("Castres", exact=True)).to_have_count(1)
    assert labels.count() >= 20
    # A clicked commune is named, however small.
    code, lat, lng = clickable_communes(catalog, ("81",), 40)[-1]
    page.mouse.click(*page_point(page, frame, lat, lng))
    expect(page.locator(COMMUNES_METRIC)).to_have_text("1", timeout=20_000)
    expect(labels.get_by_text(catalog.units.at[code, "name"], exact=True)).to_have_count(1)

    assert frame.locator(".leaflet-control-zoom-in").get_attribute("title") == "Zoomer"
    assert frame.locator(".leaflet-control-zoom-out").get_attribute("title") == "Dézoomer"
    polygon = frame.locator(".leaflet-draw-draw-polygon")
    assert polygon.get_attribute("title").startswith("Dessiner un polygone")
    polygon.click()
    expect(frame.locator(".leaflet-draw-actions a:visible")).to_have_text(
        ["Terminer", "Effacer le dernier point", "Annuler"])
    expect(frame.locator(".leaflet-draw-tooltip")).to_contain_text("Cliquez")
    page.keyboard.press("Escape")
    scale = frame.locator(".leaflet-control-scale-line")
    expect(scale).to_have_count(1)
    assert scale.inner_text().endswith(("km", " m"))
    page.screenshot(path=artifacts_dir / "builder_names.png")


def test_a_whole_region_with_paris_by_arrondissement(streamlit_server, page, artifacts_dir):
    page.set_viewport_size({"width": 1600, "height": 1100})
    page.goto(streamlit_server("app.py", instance="region"))
    map_frame(page)
    picker = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="région entière")
    picker.click()
    page.keyboard.type("Île-de-France")
    page.keyboard.press("Enter")
    # Every commune of the région's eight départements, Paris as its 20 arrondissements.
    # A new map (the territory changed): the old one stays in the page for a moment.
    page.frame_locator(f"{MAP_IFRAME} >> nth=-1").locator("path.leaflet-interactive").nth(1200) \
        .wait_for(state="attached", timeout=60_000)
    expect(page.locator(MAP_IFRAME)).to_have_count(1, timeout=20_000)
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    assert frame.evaluate("() => window.CptsMap.unitCount") == 1285  # Paris as 20 arrondissements
    expect(page.get_by_test_id("stMultiSelect").first).to_contain_text("95")
    # Paris 1er, clicked in the middle of Paris.
    page.mouse.click(*page_point(page, frame, 48.8625, 2.336))
    expect(page.locator(COMMUNES_METRIC)).to_have_text("1", timeout=20_000)
    expect(page.get_by_test_id("stDataFrame")).to_contain_text("75101")
    page.screenshot(path=artifacts_dir / "builder_ile_de_france.png")


def test_a_map_whose_units_cannot_be_loaded_says_so(streamlit_server, page):
    """The territory's file never arrives (every try fails): the map says so in French and
    what to do, instead of staying blank."""
    page.route("**/app/static/maps/*.json", lambda route: route.abort("connectionreset"))
    page.goto(streamlit_server("app.py", instance="display"))
    notice = page.frame_locator(MAP_IFRAME).locator(".cpts-map-error")
    expect(notice).to_have_text("Les communes n'ont pas pu être chargées : rechargez la page.",
                                timeout=60_000)
    expect(page.frame_locator(MAP_IFRAME).locator("path.leaflet-interactive")).to_have_count(0)
