"""An IRIS-level CPTS layer as a QGIS user exports it: every IRIS of the Pyrénées-Orientales
with the CPTS holding it (`nm_cpts`), Perpignan split between three CPTS, the Cerdagne
« HORS CPTS », field names shortened (`code_rs`, `cd_cmmn`), and no IRIS contours imported:
the layer's own IRIS serve as the IRIS of the analysis."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from formats.layers import read_layer
from geo.catalog import Catalog
from geo.coverage import Scope, analyse_layer
from tests.conftest import IRIS_CONTOURS, shared_file
from ui import navigation

ROOT = Path(__file__).resolve().parents[1]
CPTS = ("CPTS Roussillon Nord", "CPTS Ruscino Sud", "CPTS Vallées Ouest")


@pytest.fixture(scope="module")
def qgis_layer() -> gpd.GeoDataFrame:
    """Real IRIS contours of the 66, each given to one of three CPTS by its direction from
    Perpignan's centre (three wedges, so Perpignan's own IRIS go three ways); the communes
    west of 2.1° E (Cerdagne, Capcir) are « HORS CPTS »."""
    iris = gpd.read_parquet(shared_file(IRIS_CONTOURS.name))
    iris = iris[iris["dep"] == "66"].reset_index(drop=True)
    projected = iris.to_crs(2154)
    centre = projected[iris["insee_com"] == "66136"].union_all().centroid
    points = projected.representative_point()
    angle = np.degrees(np.arctan2(points.y - centre.y, points.x - centre.x)) % 360
    wedge = np.select([angle < 120, angle < 240], [0, 1], 2)
    cpts = np.array(CPTS)[wedge].astype(object)
    west = iris.to_crs(4326).representative_point().x < 2.1
    cpts[west.to_numpy()] = "HORS CPTS"
    return gpd.GeoDataFrame({
        "nm_cpts": cpts, "code_rs": iris["code_iris"], "cd_cmmn": iris["insee_com"],
        "nm_iris": iris["nom_iris"], "typ_irs": iris["typ_iris"], "dep": iris["dep"]},
        geometry=iris.geometry, crs=4326)


def test_each_cpts_gets_its_iris_and_hors_cpts_is_white(qgis_layer):
    catalog = Catalog()  # no IRIS contours imported
    layer = read_layer(catalog, qgis_layer.to_json().encode(), "cpts_iris_66.geojson")

    detection = layer.detection
    assert detection.code_columns == ("cd_cmmn", "code_rs") and detection.group_column == "nm_cpts"
    assert detection.level == "IRIS" and detection.perimeters == 3
    hors = qgis_layer[qgis_layer["nm_cpts"] == "HORS CPTS"]
    assert detection.uncovered == {"HORS CPTS": len(hors)}
    expected = {name: set(rows["code_rs"]) for name, rows in qgis_layer.groupby("nm_cpts") if name != "HORS CPTS"}
    assert {p.name: set(p.codes) for p in layer.perimeters} == expected
    perpignan = {name: {c for c in codes if c.startswith("66136")} for name, codes in expected.items()}
    assert all(perpignan.values()), "the test layer must split Perpignan three ways"

    coverage = analyse_layer(layer.catalog, layer, Scope(departements=("66",)))
    assert not coverage.of_kind("overlap", "shared_commune")
    assert not coverage.of_kind("isolated")
    assert set(coverage.white["commune_code"]) == set(hors["cd_cmmn"])
    assert not layer.unknown_codes
    # Perpignan's IRIS have no INSEE population here: the three CPTS' populations are
    # labelled estimates (2016 shares, geo.catalog), never zeros; the white zone's
    # population (whole communes) is known.
    rows = {r.name: r for r in coverage.cpts}
    assert all(rows[n].population.estimated and rows[n].population.low > 0 for n in CPTS)
    assert coverage.white["population"].notna().all()


def test_coverage_cli_on_the_shapefile_export(qgis_layer, tmp_path):
    qgis_layer.to_file(tmp_path / "cpts_iris.shp")
    archive = tmp_path / "cpts_iris.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in tmp_path.glob("cpts_iris.*"):
            z.write(f, f.name)
    out = subprocess.run([sys.executable, "-m", "cli.coverage", archive, "--departement", "66", "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert sorted(r["name"] for r in result["cpts"]) == sorted(CPTS)
    assert not [f for f in result["findings"] if f["kind"] in ("overlap", "isolated")]
    assert "Regroupement (détecté) : colonne « nm_cpts » → 3 périmètre(s)." in out.stderr
    hors = qgis_layer.loc[qgis_layer["nm_cpts"] == "HORS CPTS", "code_rs"]
    assert sorted(result["uncovered_rows"]["HORS CPTS"]) == sorted(hors)


def test_ars_page_reads_the_layer_and_uses_its_iris(qgis_layer, workspace):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app.py", default_timeout=180)
    at.switch_page(navigation.COMPARE_CPTS.script).run()
    at.sidebar.file_uploader[0].upload("cpts_iris_66.geojson", qgis_layer.to_json().encode(), "application/json")
    at.run()
    assert not at.exception, at.exception
    read = " ".join(m.value for m in at.markdown)
    assert "nm\\_cpts" in read and "IRIS" in read and "HORS CPTS" in read
    assert next(m.value for m in at.metric if m.label == "CPTS") == "3"
    assert not [e for e in at.error if "chevauchent" in e.value]
    assert not [e for e in at.error if "isolée" in e.value]
    assert any("HORS CPTS" in i.value and "zone blanche" in i.value for i in at.info)


def test_a_layer_giving_only_part_of_a_city_s_iris_says_so(qgis_layer):
    part = qgis_layer[(qgis_layer["cd_cmmn"] != "66136") | (qgis_layer.index % 2 == 0)]
    layer = read_layer(Catalog(), part.to_json().encode(), "partiel.geojson")
    assert any("ne couvrent que" in w and "Perpignan (66136)" in w for w in layer.warnings)
    full = read_layer(Catalog(), qgis_layer.to_json().encode(), "complet.geojson")
    assert not any("ne couvrent que" in w for w in full.warnings)
