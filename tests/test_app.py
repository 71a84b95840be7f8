"""The builder's page logic, headless (Streamlit's AppTest): examples, search, undo,
neighbouring layers and their findings."""

import json
import re

import pytest
import shapely
from streamlit.testing.v1 import AppTest

from formats.layers import Layer
from geo.perimeter import Perimeter
from ui.builder import EMPTY_PERIMETER, EMPTY_SCALE_CAPTION
from ui.state import MAP_DRAWN
from ui.text import md


@pytest.fixture
def app_before_map(tmp_path, monkeypatch):
    """The builder's first run, before its map (in the browser) has said it is drawn."""
    monkeypatch.setenv("CPTS_WORKSPACE", str(tmp_path))
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    assert not at.exception
    return at


@pytest.fixture
def app(app_before_map):
    """The builder once its map is drawn: static/cpts_map.js says so through the map's
    value (ui.perimeter_map._apply_map_event)."""
    app_before_map.session_state[MAP_DRAWN.key] = True
    return app_before_map.run()


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_empty_start_then_carmausin_example(app_before_map, catalog, carmausin):
    app = app_before_map
    # An empty perimeter gets one instruction with the Taille thresholds, not zeros: no
    # metric, and nothing else while the map is not drawn (the map comes first, the
    # chart after it)...
    assert not app.metric and not app.get("plotly_chart")
    assert [i.value for i in app.info] == [EMPTY_PERIMETER] and "175\u202f000" in EMPTY_PERIMETER
    # ... then, once the map says it is drawn (static/cpts_map.js), one chart: the Taille
    # scale, with no population on it (no value, no number, no needle) and no Taille
    # claimed, under a caption that says why.
    app.session_state[MAP_DRAWN.key] = True
    app.run()
    assert not app.metric
    assert [i.value for i in app.info] == [EMPTY_PERIMETER]
    charts = app.get("plotly_chart")
    assert len(charts) == 1
    scale = json.loads(charts[0].proto.spec)
    (gauge,) = scale["data"]
    assert gauge["mode"] == "gauge" and "value" not in gauge and "number" not in gauge
    assert "threshold" not in gauge["gauge"]
    assert [s["range"] for s in gauge["gauge"]["steps"]][:3] == [[0, 40_000], [40_000, 80_000], [80_000, 175_000]]
    assert not re.search(r"Taille [1-4]", charts[0].proto.spec)
    assert any(EMPTY_SCALE_CAPTION == c.value for c in app.caption)
    app.sidebar.button[0].click().run()
    assert not app.exception
    assert metric(app, "Communes") == "32"
    expected = int(catalog.units.loc[sorted(carmausin.codes), "population"].sum())
    assert metric(app, "Population") == f"{expected:,} hab.".replace(",", "\u202f")
    assert any("Taille 1" in i.value for i in app.info)


def test_the_composition_table_writes_numbers_as_its_reader_does(app):
    """The lettre d'intention's table: populations in the browser's number format (a French
    browser writes « 9 872 », Streamlit's default « 9872 »), the year as written (not
    « 2 023 »), and a dash, not « None », where a value is missing."""
    app.sidebar.button[0].click().run()
    [table] = app.dataframe
    columns = json.loads(table.proto.columns)
    assert columns["Population"]["type_config"]["format"] == "localized"
    assert "Année" not in columns and "Code INSEE" not in columns
    assert table.proto.placeholder == "—"


def test_search_removes_then_undo_restores(app):
    app.sidebar.button[0].click().run()
    app.text_input[1].input("Carmaux").run()
    results = app.selectbox(key="search_results")
    assert results.value == "81060" and results.options[0].startswith("Carmaux (81060")
    toggle = next(b for b in app.button if b.key == "search_toggle")
    assert toggle.label.startswith("Retirer Carmaux")
    toggle.click().run()
    assert metric(app, "Communes") == "31"
    next(b for b in app.button if b.label == "↶ Annuler").click().run()
    assert metric(app, "Communes") == "32"


def test_neighbouring_layer_overlap_is_blocking_and_named(app, carmausin):
    app.sidebar.button[0].click().run()
    neighbour = Perimeter("<script>alert(1)</script>", {"81060", "81004"})
    app.session_state["layers"] = {"voisins.csv": Layer([neighbour])}
    app.run()
    blocking = [e.value for e in app.error if "Bloquant" in e.value]
    assert len(blocking) == 1 and "Carmaux" in blocking[0]
    assert md("<script>alert(1)</script>") in blocking[0]  # shown as text: escaped markdown, no HTML
    # Removing Carmaux from the candidate lifts the overlap.
    app.session_state["perimeter"] = carmausin.with_codes(carmausin.codes - {"81060"})
    app.run()
    assert not [e for e in app.error if "Bloquant" in e.value]


def test_renaming_strips_the_name_and_settles(app):
    app.sidebar.button[0].click().run()
    steps = len(app.session_state["history"])
    name = next(t for t in app.text_input if t.label == "Nom du périmètre")
    name.input("  CPTS du Ségala  ").run()  # spaces kept in the field: no rerun loop
    assert not app.exception
    assert app.session_state["perimeter"].name == "CPTS du Ségala"
    assert len(app.session_state["history"]) == steps + 1  # one undo step
    app.run()
    assert len(app.session_state["history"]) == steps + 1


def test_neighbour_upload_shows_its_reading_and_asks_when_ambiguous(app):
    """An XLSX of neighbours with two plausible code columns: the builder asks, adds no
    layer on a guess, and once the column is chosen shows the reading and checks against it."""
    import io

    import pandas as pd

    app.sidebar.button[0].click().run()  # Carmausin-Ségala
    table = pd.DataFrame({"commune_siege": ["81060", "81004"], "commune_antenne": ["81004", "81065"],
                          "nom_cpts": ["Voisine", "Voisine"]})
    data = io.BytesIO()
    table.to_excel(data, index=False)
    uploader = next(u for u in app.get("file_uploader") if u.key == "upload_layer")
    uploader.upload("voisins.xlsx", data.getvalue(), "application/octet-stream")
    app.run()
    assert not app.exception, app.exception
    assert any("Question avant l'analyse" in w.value for w in app.warning)
    assert not app.session_state["layers"]
    app.selectbox(key="neighbour_cols_code").set_value("commune_siege").run()
    assert not app.exception, app.exception
    assert [p.codes for p in app.session_state["layers"]["voisins.xlsx"].perimeters] == [{"81060", "81004"}]
    assert any(md("Regroupement (détecté) : colonne « nom_cpts »") in m.value for m in app.markdown)
    assert any("Voisine" in e.value and "Carmaux" in e.value for e in app.error)


def test_opening_a_file_of_several_perimeters_says_so_and_keeps_the_others_as_neighbours(app):
    uploader = next(u for u in app.get("file_uploader") if u.key == "upload_perimeter")
    uploader.upload("deux.csv", b"cpts,code\nEssai A,81004\nEssai A,81060\nEssai B,81065\n", "text/csv")
    app.run()
    assert not app.exception, app.exception
    assert app.session_state["perimeter"].name == "Essai A"
    assert [p.name for p in app.session_state["layers"]["deux.csv"].perimeters] == ["Essai B"]
    assert any("contient 2 périmètres" in i.value for i in app.info)


def test_opening_a_cpts_exported_in_pieces_asks_then_opens_it_whole(app, catalog):
    """A GeoJSON where one CPTS is two features of the same name (QGIS's « multipart to
    single parts »): the builder asks instead of opening one piece and making the other a
    neighbour; answered « une seule CPTS », it opens both pieces as one perimeter."""
    units = catalog.units
    pieces = [("Essai Nord", ["81060", "81004"]), ("Essai Nord", ["81065"])]
    layer = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"nom": name, "communes": codes},
        "geometry": json.loads(shapely.to_geojson(units.loc[codes].geometry.union_all()))} for name, codes in pieces]}
    uploader = next(u for u in app.get("file_uploader") if u.key == "upload_perimeter")
    uploader.upload("morceaux.geojson", json.dumps(layer).encode(), "application/geo+json")
    app.run()
    assert not app.exception, app.exception
    assert any("Question avant l'analyse" in w.value and "Essai Nord" in w.value for w in app.warning)
    assert not app.session_state["perimeter"].codes and not app.session_state["layers"]
    app.radio(key="open_cols_same").set_value("merge").run()
    assert not app.exception, app.exception
    assert app.session_state["perimeter"].name == "Essai Nord"
    assert app.session_state["perimeter"].codes == {"81060", "81004", "81065"}
    assert not app.session_state["layers"]
    # The other answer: two CPTS, the second a neighbour, renamed and said.
    app.radio(key="open_cols_same").set_value("separate").run()
    assert app.session_state["perimeter"].codes == {"81060", "81004"}
    assert [p.name for p in app.session_state["layers"]["morceaux.geojson"].perimeters] == ["Essai Nord (2)"]
    assert any("Nom en double" in w.value for w in app.warning)
    # And back: the whole CPTS again, and the piece it had made a neighbour is gone with it.
    app.radio(key="open_cols_same").set_value("merge").run()
    assert app.session_state["perimeter"].codes == {"81060", "81004", "81065"}
    assert not app.session_state["layers"]


def test_the_vintage_picker_changes_the_population_and_says_which(app, catalog, carmausin):
    app.sidebar.button[0].click().run()
    picker = app.sidebar.selectbox(key="millesime")
    assert picker.value == 2023 and picker.options[0] == "2023 (en vigueur)"
    assert any("population municipale 2023 (INSEE, en vigueur)" in c.value for c in app.caption)
    picker.select(2020).run()
    assert not app.exception
    expected = int(catalog.with_vintage(2020).units.loc[sorted(carmausin.codes), "population"].sum())
    assert expected != int(catalog.units.loc[sorted(carmausin.codes), "population"].sum())
    assert metric(app, "Population") == f"{expected:,} hab.".replace(",", "\u202f")
    assert any("population municipale 2020 (INSEE)" in c.value for c in app.caption)
