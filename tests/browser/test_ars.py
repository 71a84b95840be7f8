"""The ARS view and the workshop in a real browser, offline: the PACA layer loaded by the
example button or uploaded, its coverage figures, map and table; the workshop's large
figures, map clicks, undo and QR code; the QR code's link opening the same perimeter."""

import json
import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.conftest import shared_file

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
EXAMPLE_BUTTON = "Charger l'exemple : les CPTS de Provence-Alpes-Côte d'Azur"


def metric_value(page, label: str):
    metric = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
    return metric.get_by_test_id("stMetricValue")


def expect_coverage(page) -> None:
    """The PACA layer's figures, map and table are on screen."""
    expect(metric_value(page, "CPTS")).to_have_text("70", timeout=60_000)
    expect(metric_value(page, "Communes couvertes")).to_contain_text("%")
    frame = page.frame_locator(MAP_IFRAME)
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=30_000)
    expect(frame.locator("path.leaflet-interactive").nth(900)).to_be_attached()  # the région's units
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()


def test_ars_page_with_the_example_layer_then_open_a_cpts(streamlit_server, page, artifacts_dir):
    layer = shared_file("cpts_paca.geojson")
    page.set_viewport_size({"width": 1600, "height": 1100})
    page.goto(f"{streamlit_server('app.py', instance='ars')}/Comparer_les_CPTS")
    expect(page.get_by_text("Aucune couche de CPTS chargée")).to_be_visible(timeout=60_000)
    page.get_by_role("button", name=EXAMPLE_BUTTON).click()
    expect_coverage(page)
    # The map's legend: HTML swatches, no emoji (empty boxes without an emoji font).
    legend = page.locator(".cpts-legend")
    expect(legend).to_contain_text("zone blanche isolée entre CPTS")
    assert not re.search("[\U0001F000-\U0001FAFF\u2B1B\u2B1C]", legend.inner_text())
    page.wait_for_timeout(1500)  # let Leaflet paint
    page.screenshot(path=artifacts_dir / "ars_example_paca.png")
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=artifacts_dir / "ars_example_paca_map.png")

    # One CPTS opened in the builder, the 69 others around it as neighbours.
    name = "CPTS Alpes Bléone Durance"
    feature = next(f for f in json.loads(layer.read_bytes())["features"] if f["properties"]["nom"] == name)
    choice = page.get_by_test_id("stSelectbox").filter(has_text="CPTS").last
    choice.click()
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Ouvrir dans le constructeur").click()
    expect(page.get_by_text("Construire un périmètre de CPTS")).to_be_visible(timeout=60_000)
    expect(metric_value(page, "Communes")).to_have_text(str(len(set(feature["properties"]["communes"]))),
                                                        timeout=60_000)
    expect(page.get_by_label("Nom du périmètre")).to_have_value(name)
    page.wait_for_timeout(1500)
    page.screenshot(path=artifacts_dir / "builder_from_ars.png")
    assert page.blocked_urls == []


def test_ars_map_outlines_the_chosen_cpts(streamlit_server, page, artifacts_dir):
    """Choosing a CPTS outlines its units on the coverage map, without re-drawing it."""
    layer = shared_file("cpts_paca.geojson")
    feature = next(f for f in json.loads(layer.read_bytes())["features"]
                   if f["properties"]["nom"] == "CPTS Alpes Bléone Durance")
    page.set_viewport_size({"width": 1600, "height": 1100})
    page.goto(f"{streamlit_server('app.py', instance='ars')}/Comparer_les_CPTS")
    page.get_by_role("button", name=EXAMPLE_BUTTON).click(timeout=60_000)
    expect_coverage(page)
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    frame.evaluate("() => { window.__sameMap = true; }")  # gone if the map were re-drawn
    outlined = frame.locator('path.leaflet-interactive[stroke="#111111"]')
    expect(outlined).to_have_count(0)
    choice = page.get_by_test_id("stSelectbox").filter(has_text="Mettre en évidence")
    choice.click()
    page.keyboard.type("CPTS Alpes Bléone Durance")
    page.keyboard.press("Enter")
    expect(outlined).to_have_count(len(set(feature["properties"]["communes"])), timeout=20_000)
    assert frame.evaluate("() => window.__sameMap === true")
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    page.screenshot(path=artifacts_dir / "ars_highlight.png")


def test_ars_page_with_an_uploaded_layer(streamlit_server, page, artifacts_dir):
    layer = shared_file("cpts_paca.geojson")
    page.set_viewport_size({"width": 1600, "height": 1100})
    page.goto(f"{streamlit_server('app.py', instance='ars')}/Comparer_les_CPTS")
    expect(page.get_by_text("Aucune couche de CPTS chargée")).to_be_visible(timeout=60_000)
    page.get_by_test_id("stSidebar").get_by_test_id("stFileUploaderDropzoneInput").set_input_files(layer)
    expect_coverage(page)
    page.get_by_test_id("stMainBlockContainer").get_by_text("Zones blanches", exact=True).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=artifacts_dir / "ars_upload_tables.png")
    assert page.blocked_urls == []


def test_workshop_large_figures_click_undo_and_qr_code(streamlit_server, page, artifacts_dir):
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(streamlit_server("app.py", instance="ars"))
    page.get_by_role("button", name="CPTS du Carmausin-Ségala (Tarn)").click(timeout=60_000)
    expect(metric_value(page, "Communes")).to_have_text("32", timeout=30_000)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Atelier").click()

    communes = metric_value(page, "Communes")
    expect(communes).to_have_text("32", timeout=60_000)
    expect(metric_value(page, "Taille")).to_have_text("Taille 1")
    expect(metric_value(page, "Constats bloquants")).to_have_text("0")
    size = float(communes.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))
    assert size >= 40  # large type, readable on a projected screen
    expect(page.get_by_test_id("stSidebar")).not_to_be_visible()  # collapsed: no clutter
    qr = page.get_by_test_id("stImage").locator("img")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 150
    link = page.get_by_test_id("stCode").inner_text().strip()
    assert "?p=" in link and urlsplit(link).path == "/"

    # The map still takes clicks (on the whole Tarn, its centre is a commune outside the
    # perimeter), and « Annuler » undoes one.
    page.get_by_role("button", name="Voir tout le territoire").click()
    expect(page.get_by_role("button", name="Zoomer sur le périmètre")).to_be_visible(timeout=20_000)
    page.wait_for_timeout(1500)  # let the map move to the territory
    frame = page.frame_locator(MAP_IFRAME)
    expect(frame.locator("path.leaflet-interactive").nth(200)).to_be_attached(timeout=30_000)
    frame.locator(".leaflet-container").click()
    expect(communes).not_to_have_text("32", timeout=20_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=artifacts_dir / "workshop_after_click.png")
    page.get_by_role("button", name="↶ Annuler").click()
    expect(communes).to_have_text("32", timeout=20_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=artifacts_dir / "workshop.png")
    assert page.blocked_urls == []


def test_the_qr_code_link_opens_the_same_perimeter(streamlit_server, page):
    base = streamlit_server("app.py", instance="ars")
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(base)
    page.get_by_role("button", name="CPTS du Carmausin-Ségala (Tarn)").click(timeout=60_000)
    expect(metric_value(page, "Communes")).to_have_text("32", timeout=30_000)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Atelier").click()
    link = page.get_by_test_id("stCode")
    expect(link).to_contain_text("?p=", timeout=60_000)
    query = urlsplit(link.inner_text().strip()).query

    page.goto(f"{base}/?{query}")  # a new session, as on a colleague's phone
    expect(metric_value(page, "Communes")).to_have_text("32", timeout=60_000)
    expect(page.get_by_label("Nom du périmètre")).to_have_value("CPTS du Carmausin-Ségala")
