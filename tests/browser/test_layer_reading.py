"""« Comparer les CPTS » in a real browser: a QGIS export of the 66's IRIS with a CPTS column
(built from the real IRIS contours) is read before it is analysed — the reading says which
columns and level it found — and the three CPTS are analysed and mapped with no overlap."""

import geopandas as gpd
import numpy as np
from playwright.sync_api import expect

from tests.conftest import IRIS_CONTOURS, shared_file


def test_iris_layer_reading_then_coverage(streamlit_server, page, tmp_path, artifacts_dir):
    iris = gpd.read_parquet(shared_file(IRIS_CONTOURS.name))
    iris = iris[iris["dep"] == "66"].reset_index(drop=True)
    points = iris.to_crs(2154).representative_point()
    centre = iris[iris["insee_com"] == "66136"].to_crs(2154).union_all().centroid
    angle = np.degrees(np.arctan2(points.y - centre.y, points.x - centre.x)) % 360
    names = np.array(["CPTS Nord", "CPTS Sud", "CPTS Ouest"])[np.select([angle < 120, angle < 240], [0, 1], 2)]
    layer = gpd.GeoDataFrame({"nm_cpts": names, "code_rs": iris["code_iris"], "cd_cmmn": iris["insee_com"]},
                             geometry=iris.geometry, crs=4326)
    path = tmp_path / "cpts_iris_66.geojson"
    path.write_text(layer.to_json())

    page.set_viewport_size({"width": 1500, "height": 1100})
    page.goto(f"{streamlit_server('app.py', instance='reading')}/Comparer_les_CPTS")
    expect(page.get_by_text("Aucune couche de CPTS chargée")).to_be_visible(timeout=60_000)
    page.get_by_test_id("stSidebar").get_by_test_id("stFileUploaderDropzoneInput").set_input_files(path)
    expect(page.get_by_text("Constats", exact=True)).to_be_visible(timeout=90_000)
    page.get_by_text("Lecture du fichier").click()
    expect(page.get_by_text("Regroupement (détecté) : colonne « nm_cpts » → 3 périmètre(s).")).to_be_visible()
    expect(page.get_by_text("« code_rs »", exact=False).first).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="CPTS").first).to_contain_text("3")
    frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=60_000)
    page.wait_for_timeout(2000)
    page.screenshot(path=artifacts_dir / "ars_iris_layer_reading.png")
    assert not page.get_by_text("se chevauchent").count()
