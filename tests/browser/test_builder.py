"""The builder as a workshop sees it: the map renders offline, a click on a commune
changes the population panel."""

import re

from playwright.sync_api import expect

EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B1B\u2B1C]")
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def population(page) -> str:
    metric = page.get_by_test_id("stMetric").filter(has_text="Population")
    return metric.get_by_test_id("stMetricValue").inner_text()


def test_click_on_a_commune_updates_the_population_offline(streamlit_server, page, artifacts_dir):
    page.set_viewport_size({"width": 1600, "height": 1100})
    page.goto(streamlit_server("app.py"))
    iframe = page.locator(MAP_IFRAME)
    expect(iframe).to_be_visible(timeout=60_000)
    frame = page.frame_locator(MAP_IFRAME)
    expect(frame.locator(".leaflet-container")).to_be_visible()
    assert iframe.bounding_box()["height"] > 300
    # The Tarn's communes are drawn (one SVG path each).
    expect(frame.locator("path.leaflet-interactive").nth(200)).to_be_attached()
    # An empty perimeter: the instruction, no figures yet; once the map is drawn, the Taille
    # scale (its chart code then in the page before the first click), with no population.
    expect(page.get_by_test_id("stAlertContentInfo")).to_contain_text("Le périmètre est vide")
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    expect(page.get_by_test_id("stPlotlyChart")).to_contain_text("Échelle des Tailles", timeout=20_000)
    expect(page.get_by_test_id("stCaptionContainer").filter(has_text="Aucune commune choisie")).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart")).not_to_contain_text("hab.")

    frame.locator(".leaflet-container").click()  # the centre of the map: a Tarn commune
    expect(page.get_by_test_id("stMetric").filter(has_text="Population")).to_be_visible(timeout=20_000)
    after = population(page)
    assert after.endswith("hab.") and after != "0 hab."
    communes = page.get_by_test_id("stMetric").filter(has_text="Communes").get_by_test_id("stMetricValue")
    expect(communes).to_have_text("1")
    page.wait_for_timeout(1500)  # let the dynamic layer paint the selected commune
    page.screenshot(path=artifacts_dir / "builder_after_click.png", full_page=True)

    # A run that changes no figure (the perimeter renamed) redraws no chart: the same
    # chart elements stay, and Plotly draws nothing again.
    charts = page.locator(".js-plotly-plot")
    expect(charts).to_have_count(2)
    charts.evaluate_all("""gds => gds.forEach((gd, i) => { gd.dataset.before = String(i);
        gd.__redrawn = 0; gd.on('plotly_afterplot', () => { gd.__redrawn += 1; }); })""")
    link = page.get_by_test_id("stCode").filter(has_text="?p=")  # the share link carries the name
    before = link.inner_text()
    name = page.get_by_role("textbox", name="Nom du périmètre")
    name.fill("CPTS du Ségalar")
    name.press("Enter")
    expect(link).not_to_have_text(before, timeout=20_000)
    page.wait_for_timeout(1500)
    assert charts.evaluate_all("gds => gds.map(gd => [gd.dataset.before, gd.__redrawn])") == [["0", 0], ["1", 0]]
    assert page.blocked_urls == []


def test_uploads_open_a_perimeter_at_once_and_a_bad_one_keeps_it(streamlit_server, page, tmp_path):
    page.set_viewport_size({"width": 1600, "height": 1100})
    page.goto(streamlit_server("app.py"))
    uploaders = page.get_by_test_id("stFileUploaderDropzoneInput")
    good = tmp_path / "trois.csv"
    good.write_text("code\n81060\n81004\n81065\n99999\n")
    uploaders.first.set_input_files(good)
    # The run that reads the file shows it: figures, and the unknown code named.
    communes = page.get_by_test_id("stMetric").filter(has_text="Communes").get_by_test_id("stMetricValue")
    expect(communes).to_have_text("3", timeout=30_000)
    expect(page.get_by_test_id("stAlertContentWarning").first).to_contain_text("99999")
    bad = tmp_path / "perimetre.csv"
    bad.write_text("colonne_a,colonne_b\nx,y\n")
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(bad)
    expect(page.get_by_test_id("stAlertContentError").first).to_contain_text(
        "Aucune colonne de codes INSEE", timeout=20_000)
    expect(page.get_by_test_id("stAlertContentError").first).to_contain_text("conservé")
    expect(communes).to_have_text("3")


def test_drawing_a_rectangle_adds_the_communes_inside(streamlit_server, page, artifacts_dir):
    page.set_viewport_size({"width": 1600, "height": 1100})
    page.goto(streamlit_server("app.py", instance="draw"))
    frame = page.frame_locator(MAP_IFRAME)
    container = frame.locator(".leaflet-container")
    expect(container).to_be_visible(timeout=60_000)
    frame.locator(".leaflet-draw-draw-rectangle").click()
    box = page.locator(MAP_IFRAME).bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx - 60, cy - 60)
    page.mouse.down()
    page.mouse.move(cx, cy, steps=5)
    page.mouse.move(cx + 60, cy + 60, steps=5)
    page.mouse.up()
    communes = page.get_by_test_id("stMetric").filter(has_text="Communes").get_by_test_id("stMetricValue")
    expect(communes).not_to_have_text("0", timeout=20_000)
    assert int(communes.inner_text()) >= 2
    page.wait_for_timeout(1000)
    page.screenshot(path=artifacts_dir / "builder_after_drawing.png", full_page=True)


def test_findings_legend_and_see_on_the_map_brings_the_map_into_view(streamlit_server, page, tmp_path):
    """The map's legend names the overlap and the neighbour (HTML swatches, no emoji);
    « Voir sur la carte » under a finding (far below the map on a laptop screen) scrolls
    the map back into view, not only recentres it off-screen."""
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(streamlit_server("app.py", instance="focus"))
    iframe = page.locator(MAP_IFRAME)
    expect(iframe).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="CPTS du Carmausin-Ségala (Tarn)").click()
    communes = page.get_by_test_id("stMetric").filter(has_text="Communes").get_by_test_id("stMetricValue")
    expect(communes).to_have_text("32", timeout=30_000)
    neighbours = tmp_path / "voisins.csv"
    neighbours.write_text("code,cpts\n81060,CPTS voisine\n81004,CPTS voisine\n")
    page.get_by_test_id("stFileUploaderDropzoneInput").nth(1).set_input_files(neighbours)
    see = page.get_by_role("button", name="Voir sur la carte").first
    expect(see).to_be_visible(timeout=30_000)
    legend = page.locator(".cpts-legend")
    expect(legend).to_contain_text("Chevauchement avec une CPTS voisine")
    expect(legend).to_contain_text("CPTS voisine : CPTS voisine")
    assert not EMOJI.search(legend.inner_text())
    see.scroll_into_view_if_needed()
    expect(iframe).not_to_be_in_viewport(ratio=0.9)
    see.click()
    expect(iframe).to_be_in_viewport(ratio=0.9, timeout=10_000)

