"""The pages « Comparer les CPTS » and « Atelier », headless (Streamlit's AppTest), and the
`?p=` link the builder opens on load.

The ARS page's figures and tables are checked against plain pandas and set operations on
the real PACA layer's `communes`/`arrondissements` lists (../shared/data/cpts_paca.geojson),
never against geo.coverage's own output."""


import json
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
import shapely
from streamlit import net_util
from streamlit.testing.v1 import AppTest

from geo.checks import check_perimeter
from geo.perimeter import Perimeter
from store.share_links import QUERY_PARAM, decode, encode
from tests.conftest import paca_feature_rows
from ui import navigation
from ui.map import coverage_geojson, coverage_map
from ui.offline_assets import PUBLISHED, published_json
from ui.text import md

ARS_PAGE = navigation.COMPARE_CPTS.script
WORKSHOP_PAGE = navigation.WORKSHOP.script
EXAMPLE_BUTTON = "Charger l'exemple : les CPTS de Provence-Alpes-Côte d'Azur"
EVIL = "<img src=x onerror=alert(1)>CPTS <b>du Tarn</b>"


def fr_int(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def fr_percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %".replace(".", ",")


@pytest.fixture
def app(workspace):
    return AppTest.from_file("../app.py", default_timeout=120)


@pytest.fixture(scope="module")
def paca() -> pd.DataFrame:
    return paca_feature_rows()


def open_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def load_example(at: AppTest) -> AppTest:
    open_page(at, ARS_PAGE)
    assert "Aucune couche de CPTS chargée" in at.info[0].value
    next(b for b in at.button if b.label == EXAMPLE_BUTTON).click().run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def table(at: AppTest, first_column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if d.value.columns[0] == first_column)


def no_user_text_in_html(at: AppTest, *texts: str) -> None:
    """Markdown shown with unsafe_allow_html never carries these texts."""
    for element in at.markdown:
        if element.proto.allow_html:
            assert not any(t in element.value for t in texts)


# --- « Comparer les CPTS » -----------------------------------------------------------------

def test_example_layer_figures_and_table_match_the_file(app, catalog, paca):
    at = load_example(app)
    units = catalog.units
    region = set(units.index[(units["level"] == "commune") & (units["reg"] == "93")])
    listed = set().union(*paca["communes"])
    assert metric(at, "CPTS") == str(len(paca)) == "70"
    covered = len(region & listed)
    assert metric(at, "Communes couvertes") == fr_percent(covered, len(region))
    assert any(c.value.startswith(f"{fr_int(covered)} sur {fr_int(len(region))}") for c in at.caption)

    pop = units["population"]
    marseille = set(units.index[units["parent_code"] == "13055"])
    region_leaves = (region - {"13055"}) | marseille
    covered_leaves = region_leaves & set().union(*paca["leaves"])
    total, covered_pop = int(pop[sorted(region_leaves)].sum()), int(pop[sorted(covered_leaves)].sum())
    assert metric(at, "Population couverte") == fr_percent(covered_pop, total)
    assert any(c.value.startswith(f"{fr_int(covered_pop)} hab. sur {fr_int(total)} hab.") for c in at.caption)
    tailles = [m for m in at.metric if m.label.startswith("Taille")]
    assert sum(int(m.value) for m in tailles) == 70

    cpts = table(at, "CPTS").set_index("CPTS")
    assert sorted(cpts.index) == sorted(paca["name"])
    expected = paca.set_index("name")
    assert (cpts["Communes"] == expected["communes"].map(len).reindex(cpts.index)).all()
    # Population is exact except for the CPTS sharing Nice or Toulon (a range then).
    sharing = expected.index[expected["communes"].map(lambda c: bool(c & {"06088", "83137"}))]
    assert set(cpts.index[cpts["Population"].isna()]) == set(sharing)
    exact = cpts.drop(sharing)
    sums = expected["leaves"].map(lambda leaves: int(pop[sorted(leaves)].sum())).reindex(exact.index)
    assert (exact["Population"].astype(int) == sums).all()
    # In the reader's number format (« 3 294,9 » in a French browser), one decimal for the
    # area and the density (« 602,0 », not « 602 » beside it), a dash for a range.
    [drawn] = [d for d in at.dataframe if d.value.columns[0] == "CPTS"]
    config = {name: c.get("type_config", {}) for name, c in json.loads(drawn.proto.columns).items()}
    assert all(config[c]["format"] == "localized" for c in ("Population", "Communes", "Densité (hab./km²)"))
    assert config["Superficie (km²)"]["step"] == config["Densité (hab./km²)"]["step"] == 0.1
    assert drawn.proto.placeholder == "—"

    white_parts = marseille - covered_leaves  # Marseille's 1er arrondissement (SOURCES.md)
    white = table(at, "Département")
    assert set(white["Code INSEE"]) == (region - listed) | white_parts
    assert metric(at, "Communes en zone blanche") == str(len(region - listed))
    white_pop = int(pop[sorted((region - listed) | white_parts)].sum())
    assert any(c.value.startswith(f"{len(region - listed) + len(white_parts)} unité(s) sans CPTS dont "
                                  f"{len(white_parts)} partie(s) de commune, {fr_int(white_pop)} hab.")
               for c in at.caption)
    assert at.get("download_button")  # the exports are offered
    no_user_text_in_html(at, *paca["name"])


def test_scope_of_one_departement(app, catalog, paca):
    at = load_example(app)
    next(m for m in at.multiselect if m.label.startswith("Région")).set_value([])
    next(m for m in at.multiselect if m.label.startswith("Département")).set_value(["06"])
    at.run()
    assert not at.exception, at.exception
    units = catalog.units
    dep = set(units.index[(units["level"] == "commune") & (units["dep"] == "06")])
    covered = len(dep & set().union(*paca["communes"]))
    assert metric(at, "Communes couvertes") == fr_percent(covered, len(dep))
    assert metric(at, "Communes en zone blanche") == str(len(dep) - covered)
    assert set(table(at, "Département")["Département"]) == {"06"}


def test_bad_upload_says_why_and_keeps_the_layer(app):
    at = load_example(app)
    at.sidebar.file_uploader[0].upload("cpts.csv", b"colonne_a,colonne_b\nx,y\n", "text/csv")
    at.run()
    assert not at.exception, at.exception
    error = at.sidebar.error[0].value
    assert "Aucune colonne de codes INSEE" in error and "conservée" in error
    assert metric(at, "CPTS") == "70"


def test_csv_upload_with_html_in_a_name_is_shown_as_text(app, catalog, carmausin):
    """A CSV of codes (real Tarn communes): the CPTS name carrying HTML reaches the table as
    it is, and no HTML the page writes itself contains it."""
    others = sorted(set(catalog.epci_communes("248100737")) - carmausin.codes)  # CA de l'Albigeois
    rows = [f"{EVIL};{c}" for c in carmausin.sorted_codes()] + [f"Voisine;{c}" for c in others]
    at = open_page(app, ARS_PAGE)
    at.sidebar.file_uploader[0].upload("tarn.csv", ("cpts;code\n" + "\n".join(rows)).encode(), "text/csv")
    at.run()
    assert not at.exception, at.exception
    assert metric(at, "CPTS") == "2"
    cpts = table(at, "CPTS").set_index("CPTS")
    assert cpts.loc[EVIL, "Communes"] == 32 and "Voisine" in cpts.loc[EVIL, "CPTS voisines"]
    no_user_text_in_html(at, EVIL, "<img")


def test_upload_shows_what_was_read_and_the_columns_can_be_changed(app, catalog, carmausin):
    """A porteur's `code,nom` list: one perimeter, the name column said to be a label; a
    grouping column chosen by hand rereads the file before the analysis."""
    units = catalog.units.loc[carmausin.sorted_codes()]
    rows = "".join(f"{c},{n},{'Nord' if i % 2 else 'Sud'}\n"
                   for i, (c, n) in enumerate(zip(units["code"], units["name"], strict=True)))
    at = open_page(app, ARS_PAGE)
    at.sidebar.file_uploader[0].upload("liste.csv", ("code,nom,secteur\n" + rows).encode(), "text/csv")
    at.run()
    assert not at.exception, at.exception
    read = " ".join(m.value for m in at.markdown)
    assert md("Colonne des codes (détectée) : « code »") in read
    assert "« nom »" in read and metric(at, "CPTS") == "2"  # `secteur` repeats: a grouping
    at.selectbox(key="ars_cols_liste_group").set_value("(aucune : un seul périmètre)").run()
    assert not at.exception, at.exception
    assert metric(at, "CPTS") == "1"
    assert table(at, "CPTS")["Communes"].tolist() == [32]


def test_features_of_the_same_name_are_asked_about_before_any_analysis(app, catalog):
    """An ARS layer where one CPTS is two features of one name: asked, nothing computed on a
    guess; answered, the CPTS is counted once with both pieces."""
    units = catalog.units
    pieces = [("Essai Nord", ["81060", "81004"]), ("Essai Nord", ["81065"]), ("Essai Sud", ["81099"])]
    layer = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"nom": name, "communes": codes},
        "geometry": json.loads(shapely.to_geojson(units.loc[codes].geometry.union_all()))} for name, codes in pieces]}
    at = open_page(app, ARS_PAGE)
    at.sidebar.file_uploader[0].upload("morceaux.geojson", json.dumps(layer).encode(), "application/geo+json")
    at.run()
    assert not at.exception, at.exception
    question = next(w.value for w in at.warning if "Question avant l'analyse" in w.value)
    assert md("« Essai Nord »") in question
    assert not [m for m in at.metric if m.label == "CPTS"]
    at.radio(key="ars_cols_morceaux_same").set_value("merge").run()
    assert not at.exception, at.exception
    assert metric(at, "CPTS") == "2"
    assert table(at, "CPTS").set_index("CPTS").at["Essai Nord", "Communes"] == 3


def test_ambiguous_upload_asks_before_any_analysis(app):
    at = open_page(app, ARS_PAGE)
    text = ("commune_siege,commune_antenne,cpts\n81004,81060,Essai A\n81060,81004,Essai A\n"
            "81065,81099,Essai B\n81099,81065,Essai B\n")
    at.sidebar.file_uploader[0].upload("double.csv", text.encode(), "text/csv")
    at.run()
    assert not at.exception, at.exception
    question = next(w.value for w in at.warning if "Question avant l'analyse" in w.value)
    assert md("« commune_siege »") in question and md("« commune_antenne »") in question
    assert not [m for m in at.metric if m.label == "CPTS"]  # nothing computed on a guess
    at.selectbox(key="ars_cols_double_code").set_value("commune_antenne").run()
    assert not at.exception, at.exception
    assert metric(at, "CPTS") == "2"
    cpts = table(at, "CPTS").set_index("CPTS")
    assert cpts.loc["Essai A", "Communes"] == 2


def test_coverage_map_escapes_cpts_names(catalog, carmausin):
    units = catalog.units.loc[carmausin.sorted_codes()]
    owners = {c: [EVIL] for c in carmausin.codes}
    payload = coverage_geojson(units, owners, {}, {EVIL: "#8dd3c7"})
    assert {f["properties"]["cpts"] for f in payload["features"]} == {
        "&lt;img src=x onerror=alert(1)&gt;CPTS &lt;b&gt;du Tarn&lt;/b&gt;"}
    url = published_json(payload)  # what the map fetches
    html = coverage_map(url, tuple(units.total_bounds)).get_root().render()
    sent = (PUBLISHED / url.rsplit("/", 1)[1]).read_text()
    assert EVIL not in html and "<img" not in html and EVIL not in sent and "<img" not in sent
    assert {f["id"] for f in payload["features"]} == set(carmausin.codes)


def test_open_a_cpts_in_the_builder_with_the_others_as_neighbours(app, paca):
    at = load_example(app)
    name = "CPTS Actes Santé"
    at.selectbox(key="ars_open_choice").set_value(name)
    next(b for b in at.button if b.label == "Ouvrir dans le constructeur").click().run()
    assert not at.exception, at.exception
    expected = paca.set_index("name").loc[name, "leaves"]
    assert at.session_state["perimeter"].codes == expected
    assert at.session_state["deps"] == ["13"]
    neighbours = [p.name for layer in at.session_state["layers"].values() for p in layer.perimeters]
    assert sorted(neighbours) == sorted(set(paca["name"]) - {name})
    assert next(m.value for m in at.metric if m.label == "Communes") == "1"  # the builder, Marseille


# --- « Atelier » ---------------------------------------------------------------------------

def test_workshop_shows_large_figures_qr_code_and_link(app, catalog, carmausin):
    app.session_state["perimeter"] = carmausin
    at = open_page(app, WORKSHOP_PAGE)
    expected = int(catalog.units.loc[carmausin.sorted_codes(), "population"].sum())
    assert metric(at, "Population") == f"{fr_int(expected)} hab."
    assert metric(at, "Taille") == "Taille 1"  # under 40,000 inhabitants
    assert metric(at, "Communes") == "32" and metric(at, "Constats bloquants") == "0"
    assert len(at.image) == 1  # the QR code
    link = at.code[0].value
    # Headless, the browser's address is localhost: the link carries the server's network
    # address instead, which phones in the room can reach.
    lan = net_util.get_internal_ip()
    assert link.startswith(f"http://{lan}:8501/?p=" if lan else "http://localhost:8501/?p=")
    assert bool(lan) != any("téléphones" in w.value for w in at.warning)
    assert decode(link.split("?p=", 1)[1]) == carmausin
    no_user_text_in_html(at, carmausin.name)
    assert any(m.proto.allow_html and "font-size" in m.value for m in at.markdown)


def test_workshop_undo_restores_the_previous_perimeter(app, carmausin):
    smaller = carmausin.with_codes(carmausin.codes - {"81060"})
    app.session_state["perimeter"] = smaller
    app.session_state["history"] = [carmausin]
    at = open_page(app, WORKSHOP_PAGE)
    assert metric(at, "Communes") == "31"
    next(b for b in at.button if b.label == "↶ Annuler").click().run()
    assert metric(at, "Communes") == "32" and at.session_state["perimeter"] == carmausin


def test_workshop_keeps_the_builders_territory_across_reruns(app):
    at = app.run()
    at.multiselect(key="deps").set_value(["13"]).run()
    open_page(at, WORKSHOP_PAGE).run()  # a second run: a click on the map reruns the page
    assert at.session_state["deps"] == ["13"]
    open_page(at, ARS_PAGE)
    open_page(at, navigation.BUILDER.script)
    assert at.multiselect(key="deps").value == ["13"]


# --- the `?p=` link (ui.workshop.open_shared_link, called by the builder page on load) -----------------

def _app_top():
    """What the builder page does before drawing its widgets."""
    import streamlit as st

    from ui import state, workshop

    state.init()
    workshop.open_shared_link()
    st.write(sorted(st.session_state["deps"]))


def test_shared_link_opens_the_perimeter_without_touching_the_store(workspace, carmausin):
    before = sorted(workspace.rglob("*"))
    at = AppTest.from_function(_app_top, default_timeout=120)
    at.query_params[QUERY_PARAM] = encode(carmausin)
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["perimeter"] == carmausin
    assert at.session_state["deps"] == ["81"]
    assert [p.codes for p in at.session_state["history"]] == [frozenset()]  # undo goes back
    assert QUERY_PARAM not in at.query_params  # opened once, then off the address
    assert sorted(workspace.rglob("*")) == before


def test_damaged_link_is_refused_in_french_and_keeps_the_perimeter(workspace, carmausin):
    at = AppTest.from_function(_app_top, default_timeout=120)
    at.session_state["perimeter"] = carmausin
    damaged = encode(Perimeter("Lien", {"81060", "81004"}))
    at.query_params[QUERY_PARAM] = damaged[:-3] + ("A" if damaged[-3] != "A" else "B") + damaged[-2:]
    at.run()
    assert not at.exception, at.exception
    assert "Lien de partage" in at.error[0].value and "conservé" in at.error[0].value
    assert at.session_state["perimeter"] == carmausin


def test_an_empty_workshop_says_what_to_do_not_zero(app):
    at = open_page(app, WORKSHOP_PAGE)
    assert not at.metric  # no « 0 hab. » nor « Taille 1 »
    assert any("cliquez les communes sur la carte" in i.value for i in at.info)


def test_workshop_link_uses_cpts_public_url_and_refuses_a_bad_address(app, carmausin, monkeypatch):
    monkeypatch.setenv("CPTS_PUBLIC_URL", "http://192.168.1.20:8501/")
    app.session_state["perimeter"] = carmausin
    at = open_page(app, WORKSHOP_PAGE)
    link = next(c.value for c in at.code if "?p=" in c.value)
    assert link.startswith("http://192.168.1.20:8501/?p=")
    assert not any("téléphones" in w.value for w in at.warning)
    field = next(t for t in at.text_input if t.label == "Adresse de l'application pour la salle")
    field.input("192.168.1.20").run()  # no scheme: refused in French, the link keeps a good address
    assert any("Adresse non reconnue" in e.value for e in at.error)
    assert not any(c.value.startswith("192.168.1.20") for c in at.code)


def test_link_with_codes_unknown_here_opens_what_is_known_and_lists_the_rest(app):
    """An IRIS of Perpignan sent to a colleague whose installation has no IRIS contours,
    beside two known communes: the builder opens the communes and names the IRIS."""
    app.query_params[QUERY_PARAM] = encode(Perimeter("Lien <b>", {"661360101", "66136", "66028"}))
    at = app.run()
    assert not at.exception, at.exception
    assert at.session_state["perimeter"].codes == {"66136", "66028"}
    warning = next(w.value for w in at.warning if "inconnu" in w.value)
    assert "661360101" in warning and "contours IRIS" in warning
    assert next(m.value for m in at.metric if m.label == "Communes") == "2"


def _app_top_with_link():
    """The builder's top, then the link it would share and the population it reads."""
    import streamlit as st

    from ui import state, vintage, workshop

    state.init()
    vintage.apply_link_vintage()
    workshop.open_shared_link()
    st.write(f"millésime {state.get_catalog().vintage}")
    st.write(workshop.share_link(state.perimeter(), "http://salle:8501"))


def test_a_link_carries_the_vintage_its_sender_read(workspace, carmausin):
    """A porteur reproducing the figure of a 2020 lettre shares it: the colleague who opens the
    link reads the 2020 populations, and the link they share on carries 2020 too."""
    from geo.units import vintage_in_force

    at = AppTest.from_function(_app_top_with_link, default_timeout=120)
    at.query_params[QUERY_PARAM] = encode(carmausin)
    at.query_params["millesime"] = "2020"
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["perimeter"] == carmausin
    assert at.markdown[-2].value == "millésime 2020"
    assert "millesime=2020" in at.markdown[-1].value
    assert "millesime" not in at.query_params  # taken once, like the perimeter
    # The vintage in force needs no parameter; an unknown one is said, the one in force kept.
    at = AppTest.from_function(_app_top_with_link, default_timeout=120)
    at.query_params[QUERY_PARAM] = encode(carmausin)
    at.query_params["millesime"] = "1999"
    at.run()
    assert not at.exception, at.exception
    assert "1999" in at.warning[0].value and "inconnu" in at.warning[0].value
    assert at.markdown[-2].value == f"millésime {vintage_in_force()}"
    assert "millesime" not in at.markdown[-1].value


def _facilitator_live_panel():
    import streamlit as st

    from ui import shared_view, state

    state.init()
    shared_view.live_panel("http://salle:8501")
    st.write(f"millésime {state.get_catalog().vintage}")


def test_a_live_link_carries_the_vintage_the_facilitator_reads(workspace, catalog, carmausin):
    """A facilitator reading the 2020 populations broadcasts: the room's phones follow with
    the 2020 populations, not the ones in force."""
    from store.scenarios import open_store
    from ui import shared_view

    at = AppTest.from_function(_facilitator_live_panel, default_timeout=120)
    at.session_state["millesime"] = 2020
    at.run()
    at.button[0].click().run()  # « Diffuser en direct »
    assert not at.exception, at.exception
    link = at.code[0].value
    live_id = parse_qs(urlsplit(link).query)[shared_view.LIVE_PARAM][0]
    assert parse_qs(urlsplit(link).query)["millesime"] == ["2020"]
    open_store().publish_live(live_id, carmausin)
    phone = AppTest.from_file("../app.py", default_timeout=120)
    for key, (value,) in parse_qs(urlsplit(link).query).items():
        phone.query_params[key] = value
    phone.run()
    assert not phone.exception, phone.exception
    assert any("population municipale 2020" in c.value for c in phone.caption), [c.value for c in phone.caption]
    in_2020 = check_perimeter(catalog.with_vintage(2020), carmausin).figures.population.label()
    assert in_2020 != check_perimeter(catalog, carmausin).figures.population.label()
    assert [m.value for m in phone.metric if m.label == "Population"] == [in_2020]
