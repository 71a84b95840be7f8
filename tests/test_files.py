"""Perimeters through files: lossless round trips, real layers, and every kind of bad file."""

import io
import json
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from formats.layers import PerimeterFileError, read_layer, to_csv, to_geojson
from geo.perimeter import Perimeter, from_polygon, units_of
from tests.conftest import RUSCINO, shared_file


def test_geojson_and_csv_round_trip_a_mixed_perimeter(iris_catalog):
    p = Perimeter("CPTS Ruscino <b>", RUSCINO + ["66186"], {"porteur": "Dr X", "statut": "projet"})
    back = read_layer(iris_catalog, to_geojson(iris_catalog, [p]).encode(), "p.geojson")
    assert back.perimeters == [p] and back.perimeters[0].metadata["porteur"] == "Dr X"
    again = read_layer(iris_catalog, to_csv(p).encode(), "p.csv").perimeters[0]
    assert again == p and again.name == p.name


def test_geojson_contour_is_the_dissolved_units(catalog, carmausin):
    data = json.loads(to_geojson(catalog, [carmausin]))
    contour = shapely.geometry.shape(data["features"][0]["geometry"])
    units = units_of(catalog, carmausin)
    assert abs(contour.area - shapely.union_all(units.geometry.to_numpy()).area) < 1e-6


def test_real_paca_layer_becomes_70_perimeters(catalog):
    data = shared_file("cpts_paca.geojson").read_bytes()
    layer = read_layer(catalog, data, "cpts_paca.geojson")
    raw = json.loads(data)
    assert len(layer.perimeters) == len(raw["features"]) == 70
    marseille_7 = next(p for p in layer.perimeters if p.name.strip().lower().startswith("marseille-7")
                       or "Marseille-7" in p.name)
    feature = next(f for f in raw["features"] if f["properties"]["nom"] == marseille_7.name)
    assert "13055" not in marseille_7.codes
    assert set(feature["properties"]["arrondissements"]) <= marseille_7.codes


def test_csv_of_codes_with_semicolons_latin1_and_lost_zeros(catalog):
    text = "CPTS;Code INSEE\nAin Sud;1001\nAin Sud;01004\nCorse;2a004\nCorse;20004\n"
    layer = read_layer(catalog, text.encode("latin-1"), "couche.csv")
    by_name = {p.name: p for p in layer.perimeters}
    assert by_name["Ain Sud"].codes == {"01001", "01004"}
    assert by_name["Corse"].codes == {"2A004"}
    assert layer.unknown_codes == {"Corse": ["20004"]}


def test_obsolete_code_is_mapped_and_reported(catalog):
    successors = pd.read_csv("data/code_successors.csv", dtype=str)
    old, new = successors.iloc[0][["old_code", "current_code"]]
    layer = read_layer(catalog, f"code\n{old}\n".encode(), "p.csv")
    assert layer.perimeters[0].codes == {new} and layer.remapped == {old: new}


def test_shapefile_in_zip_in_lambert93_without_codes(catalog, carmausin, tmp_path):
    contour = gpd.GeoDataFrame({"NOM": ["Carmausin"]},
                               geometry=[units_of(catalog, carmausin).union_all()], crs=4326).to_crs(2154)
    contour.to_file(tmp_path / "cpts.shp")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for f in tmp_path.glob("cpts.*"):
            z.write(f, f.name)
    layer = read_layer(catalog, buffer.getvalue(), "cpts.zip")
    assert layer.perimeters[0].codes == carmausin.codes
    assert layer.perimeters[0].metadata["codes_from_geometry"] is True


@pytest.mark.parametrize("data, name, words", [
    (b"", "vide.geojson", "vide"),
    (b"{\"type\": \"FeatureCollection\", \"features\": [", "casse.geojson", "illisible"),
    (b"col_a,col_b\nx,y\n", "mauvais.csv", "Aucune colonne de codes"),
    (b"PK\x03\x04garbage", "faux.zip", "zip"),
    (b"hello", "perimetre.docx", "Format non reconnu"),
])
def test_bad_files_give_a_clear_french_error(catalog, data, name, words):
    with pytest.raises(PerimeterFileError, match=words):
        read_layer(catalog, data, name)


def _square_geojson(x0, y0, size, crs=None):
    ring = [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"nom": "A"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(doc).encode()


def test_lambert93_without_crs_is_refused(catalog):
    with pytest.raises(PerimeterFileError, match="Lambert-93"):
        read_layer(catalog, _square_geojson(630000, 6300000, 5000), "l93.geojson")


def test_wrong_declared_crs_is_refused(catalog):
    # Degrees declared as Lambert-93: the shape lands far from France.
    with pytest.raises(PerimeterFileError, match="hors de France"):
        read_layer(catalog, _square_geojson(2.1, 44.0, 0.1, "urn:ogc:def:crs:EPSG::2154"), "faux.geojson")


def test_self_intersecting_drawing_still_selects_units(catalog):
    carmaux = catalog.units.loc["81060"].geometry
    x0, y0, x1, y1 = carmaux.buffer(0.01).bounds
    bowtie = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)])
    assert not bowtie.is_valid
    box = from_polygon(catalog, "dessin", shapely.box(x0, y0, x1, y1))
    assert "81060" in box.codes
    from_polygon(catalog, "dessin", bowtie)  # no exception: repaired before use


def test_self_intersecting_imported_contour_is_repaired(catalog):
    carmaux = catalog.units.loc["81060"].geometry
    x0, y0, x1, y1 = carmaux.bounds
    bowtie = [[x0, y0], [x1, y1], [x1, y0], [x0, y1], [x0, y0]]
    doc = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"nom": "Noeud"},
           "geometry": {"type": "Polygon", "coordinates": [bowtie]}}]}
    layer = read_layer(catalog, json.dumps(doc).encode(), "noeud.geojson")
    assert layer.geometries["Noeud"].is_valid
