"""Clicking the builder's map as a person does, for the browser tests and the benchmark:
where to click a given commune, and what the map and the figures then show."""

from __future__ import annotations

from shapely.ops import polylabel

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
PERIMETER_FILL = "#0050a0"
COMMUNES_METRIC = '[data-testid="stMetric"]:has-text("Communes") [data-testid="stMetricValue"]'
# The page once its script has run: the map is drawn first and the toolbar above it after,
# so until then the map may still move down under the mouse.
PAGE_DRAWN = '[data-testid="stApp"][data-test-script-state="notRunning"]'

# Run in the map's frame: the frame coordinates of a (lat, lng), and the fill colour of
# what is drawn at a frame point (what the eye sees there).
TO_PIXELS = """([lat, lng]) => { const p = window.map.latLngToContainerPoint([lat, lng]);
  const r = window.map.getContainer().getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }"""
TO_LATLNG = """([x, y]) => { const r = window.map.getContainer().getBoundingClientRect();
  const ll = window.map.containerPointToLatLng([x - r.left, y - r.top]); return [ll.lat, ll.lng]; }"""
FILL_AT = """([x, y]) => { const el = document.elementFromPoint(x, y);
  return el ? (el.getAttribute('fill') || '').toLowerCase() : null; }"""


def clickable_communes(catalog, deps: tuple[str, ...], count: int) -> list[tuple[str, float, float]]:
    """(code, lat, lng) of the `count` largest communes of `deps`, each at its pole of
    inaccessibility (the point farthest from its border): a click there hits it."""
    units = catalog.units
    shown = units[units["dep"].isin(deps) & units["level"].isin(["commune", "arrondissement"])]
    shown = shown[~shown["code"].isin(set(shown["parent_code"].dropna()))]
    result = []
    largest = shown.sort_values("area_km2", ascending=False).head(count)
    for code, geometry in largest[["code", "geometry"]].itertuples(index=False):
        part = max(getattr(geometry, "geoms", [geometry]), key=lambda p: p.area)
        point = polylabel(part, tolerance=0.001)
        result.append((code, point.y, point.x))
    return result


def map_frame(page):
    """The map's frame (a Playwright Frame), once its units and the page are drawn."""
    page.frame_locator(MAP_IFRAME).locator("path.leaflet-interactive").nth(100) \
        .wait_for(state="attached", timeout=60_000)
    page.locator(PAGE_DRAWN).wait_for(timeout=60_000)
    return page.locator(MAP_IFRAME).element_handle().content_frame()


def page_point(page, frame, lat: float, lng: float) -> tuple[float, float]:
    """Page coordinates of (lat, lng) on the map."""
    x, y = frame.evaluate(TO_PIXELS, [lat, lng])
    box = page.locator(MAP_IFRAME).bounding_box()
    return box["x"] + x, box["y"] + y


def fill_at(frame, lat: float, lng: float) -> str | None:
    return frame.evaluate(FILL_AT, frame.evaluate(TO_PIXELS, [lat, lng]))
