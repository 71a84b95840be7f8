"""The folium map renders and round-trips clicks with every internet request aborted."""

import re

from playwright.sync_api import expect

APP = "tests/browser/apps/offline_map.py"
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
FIRST_RENDER_MS = 30_000


def test_map_renders_and_reports_clicks_offline(streamlit_server, page, artifacts_dir):
    page.goto(streamlit_server(APP))

    # The component iframe only gets its height once every script has loaded.
    iframe = page.locator(MAP_IFRAME)
    expect(iframe).to_be_visible(timeout=FIRST_RENDER_MS)
    frame = page.frame_locator(MAP_IFRAME)
    leaflet = frame.locator(".leaflet-container")
    expect(leaflet).to_be_visible(timeout=FIRST_RENDER_MS)
    assert iframe.bounding_box()["height"] > 100

    # Our Leaflet (1.9.4), not folium's CDN default (1.9.3), was loaded.
    assert iframe.element_handle().content_frame().evaluate("L.version") == "1.9.4"
    # Both squares are drawn (SVG paths, or a canvas with prefer_canvas=True).
    shapes = frame.locator("path.leaflet-interactive, canvas")
    expect(shapes.first).to_be_visible()
    assert shapes.count() >= 2 or frame.locator("canvas").count() > 0
    # The Draw toolbar is present and styled by the local leaflet.draw.css.
    polygon_button = frame.locator(".leaflet-draw-toolbar .leaflet-draw-draw-polygon")
    expect(polygon_button).to_be_visible()
    sprite = polygon_button.evaluate("e => getComputedStyle(e).backgroundImage")
    assert "/app/static/node_modules/leaflet-draw/dist/images/spritesheet" in sprite

    # A click in the centre of the map lands in "Secteur A" (the map is
    # centred on it) and must come back from Python in the st.code element.
    code = page.get_by_test_id("stCode")
    expect(code).to_contain_text("clicked none")
    leaflet.click()
    expect(frame.locator(".leaflet-tooltip")).to_contain_text("Secteur A")
    expect(code).to_contain_text("feature=Secteur A", timeout=10_000)
    lat, lng = map(float, re.search(r"lat=(\S+) lng=(\S+)", code.inner_text()).groups())
    assert abs(lat - 46.25) < 0.05 and abs(lng - 2.25) < 0.05

    page.screenshot(path=artifacts_dir / "offline_map.png", full_page=True)
    # Nothing even tried to reach the internet.
    assert page.blocked_urls == []
