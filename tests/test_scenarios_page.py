"""The scenario interface, headless (Streamlit's AppTest): saving from the builder, the
page « Scénarios » and the page « Comparer les scénarios ».

Each test has its own workspace (CPTS_WORKSPACE), so its SQLite store starts empty; the
store is read back directly to see what the interface wrote. Populations are checked
against plain pandas sums of the communes' populations, never against the page's code.
"""

import re
import socket
from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

from geo.checks import check_perimeter
from geo.examples import RUSCINO_CODES
from geo.perimeter import Perimeter
from geo.units import embedded_metadata
from store.scenarios import Scenario, open_store
from ui import navigation, state
from ui.text import md

SCENARIOS_PAGE = navigation.SCENARIOS.script
COMPARE_PAGE = navigation.COMPARE_SCENARIOS.script
EVIL = "<img src=x onerror=alert(1)>CPTS **du Tarn**"


def builder_panel():
    """The builder's scenario panel and fiche buttons, as app.py draws them (the map and
    the other panels are left out: they are tested in test_app.py). AppTest runs this
    function's body as a script, hence the imports inside."""
    from ui import scenarios, state
    from ui.report import current_report

    state.init()
    catalog = state.get_catalog()
    report = current_report(catalog)
    scenarios.show_notice()
    scenarios.save_panel()
    scenarios.fiche_downloads(catalog, report)


@pytest.fixture
def builder(workspace, carmausin):
    at = AppTest.from_function(builder_panel, default_timeout=60)
    at.session_state["perimeter"] = carmausin
    return at.run()


def fr_int(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def population_label(catalog, codes) -> str:
    return f"{fr_int(int(catalog.units.loc[sorted(codes), 'population'].sum()))} hab."


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def click(at: AppTest, label: str) -> AppTest:
    button(at, label).click().run()
    assert not at.exception, at.exception
    return at


def save(at: AppTest, author: str, label: str = "Enregistrer le scénario") -> AppTest:
    at.text_input(key=state.AUTHOR.key).input(author)
    return click(at, label)


def porteur(at: AppTest):
    return next(t for t in at.text_input if t.label == "Porteur")


def page(workspace, path: str) -> AppTest:
    at = AppTest.from_file(f"../{path}", default_timeout=60).run()
    assert not at.exception, at.exception
    return at


# --- saving from the builder ---------------------------------------------------------------

def test_save_from_the_builder_then_listed_with_its_population(builder, workspace, catalog, carmausin):
    porteur(builder).input("Didier Doubax")
    save(builder, "Alice")
    assert "enregistré (version 1)" in builder.success[0].value
    [stored] = open_store().scenarios()
    assert (stored.name, stored.codes, stored.author) == (carmausin.name, carmausin.codes, "Alice")
    assert stored.porteur == "Didier Doubax" and stored.statut == "lettre d'intention déposée"
    assert builder.session_state[state.OPEN_SCENARIO.key].id == stored.id
    # The panel is drawn again for the open scenario: a second click makes a version, not a twin.
    assert "Ouvert : « CPTS du Carmausin\\-Ségala », version 1" in builder.caption[0].value
    assert {b.label for b in builder.button} >= {"Enregistrer une nouvelle version",
                                                "Enregistrer comme nouveau scénario"}

    at = page(workspace, SCENARIOS_PAGE)
    table = at.dataframe[0].value
    assert table["Nom"].tolist() == [carmausin.name]
    assert table["Porteur"].tolist() == ["Didier Doubax"]
    assert table["Population"].tolist() == [population_label(catalog, carmausin.codes)]
    assert table["Par"].tolist() == ["Alice"]


def test_a_second_save_is_a_new_version(builder, carmausin):
    save(builder, "Alice")
    builder.session_state["perimeter"] = carmausin.with_codes(carmausin.codes - {"81060"})
    builder.run()
    click(builder, "Enregistrer une nouvelle version")
    [stored] = open_store().scenarios()
    assert stored.version == 2 and "81060" not in stored.codes
    assert "−1 unité(s) (81060)" in open_store().history(stored.id)[-1].summary()
    click(builder, "Enregistrer comme nouveau scénario")
    twin = {s.name: s for s in open_store().scenarios()}[f"{carmausin.name} (copie)"]
    assert twin.codes == stored.codes and len(open_store().scenarios()) == 2
    assert builder.session_state[state.OPEN_SCENARIO.key].id == twin.id


def test_conflicting_save_warns_and_keep_both_keeps_both(builder, carmausin):
    save(builder, "Alice")
    store = open_store()
    [first] = store.scenarios()
    bob = store.save(replace(first, porteur="Autre porteur", author="Bob"))  # meanwhile
    mine = carmausin.with_codes(carmausin.codes - {"81060"})
    builder.session_state["perimeter"] = mine
    builder.run()
    click(builder, "Enregistrer une nouvelle version")
    warning = builder.warning[0].value
    assert "Bob" in warning and "modifié" in warning
    assert store.load(first.id) == bob  # nothing overwritten

    click(builder, "Garder les deux")
    kept = {s.name: s for s in store.scenarios()}
    assert kept[first.name].codes == carmausin.codes and kept[first.name].author == "Bob"
    copy = kept[f"{first.name} (copie)"]
    assert copy.codes == mine.codes and copy.author == "Alice"
    assert builder.session_state[state.OPEN_SCENARIO.key].id == copy.id
    assert builder.session_state["perimeter"].name == copy.name
    assert not builder.warning and "garde la version de Bob" in builder.success[0].value


def test_conflict_then_reload_brings_the_saved_version(builder, carmausin):
    save(builder, "Alice")
    store = open_store()
    [first] = store.scenarios()
    theirs = store.save(replace(first, codes=first.codes - {"81275"}, porteur="Porteur de Bob",
                                author="Bob"))
    builder.session_state["perimeter"] = carmausin.with_codes(carmausin.codes - {"81060"})
    builder.run()
    click(builder, "Enregistrer une nouvelle version")
    click(builder, "Recharger la version enregistrée")
    assert builder.session_state["perimeter"].codes == theirs.codes
    assert builder.session_state[state.OPEN_SCENARIO.key].version == theirs.version
    assert porteur(builder).value == "Porteur de Bob"
    assert len(store.scenarios()) == 1
    # Undo brings back the perimeter that could not be saved.
    assert builder.session_state["history"][-1].codes == carmausin.codes - {"81060"}

    # Same units on both sides, only the porteur changed: the reload shows Bob's still.
    store.save(replace(theirs, porteur="Second porteur de Bob"))
    porteur(builder).input("Mon porteur")
    click(builder, "Enregistrer une nouvelle version")
    click(builder, "Recharger la version enregistrée")
    assert porteur(builder).value == "Second porteur de Bob"


def test_corrupted_database_says_so_in_french_and_nothing_is_lost(builder, workspace, carmausin):
    garbage = b"ceci n'est pas une base SQLite " * 100
    (workspace / "scenarios.sqlite").write_bytes(garbage)
    save(builder, "Alice")
    assert "n'est pas une base de scénarios lisible" in builder.error[0].value
    assert "Le périmètre en cours est conservé" in builder.error[0].value
    assert builder.session_state["perimeter"] == carmausin
    assert (workspace / "scenarios.sqlite").read_bytes() == garbage

    for path in (SCENARIOS_PAGE, COMPARE_PAGE):
        at = page(workspace, path)
        assert "n'est pas une base de scénarios lisible" in at.error[0].value


def test_unreachable_postgresql_says_so_and_the_pages_keep_working(builder, workspace, monkeypatch,
                                                                   carmausin):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("DATABASE_URL", f"postgresql://cpts@127.0.0.1:{port}/cpts")
    save(builder, "Alice")
    assert "Base PostgreSQL injoignable" in builder.error[0].value
    assert builder.session_state["perimeter"] == carmausin
    at = page(workspace, COMPARE_PAGE)
    assert "Base PostgreSQL injoignable" in at.error[0].value
    assert len([m for m in at.metric if m.label == "Population"]) == 2  # the examples still compare


def test_fiche_is_generated_on_request(builder):
    click(builder, "Préparer la fiche PDF et la carte PNG")
    fiche = builder.session_state[state.FICHE.key]
    assert fiche["pdf"].startswith(b"%PDF") and fiche["png"].startswith(b"\x89PNG")
    assert [b.proto.label for b in builder.get("download_button")] == ["Fiche PDF", "Carte PNG"]
    assert not [b for b in builder.button if b.label.startswith("Préparer")]


def test_fiche_of_a_commune_without_contour_is_refused_in_french(workspace):
    at = AppTest.from_function(builder_panel, default_timeout=60)
    at.session_state["perimeter"] = Perimeter("Sans contour", {embedded_metadata()["without_contour"][0]})
    click(at.run(), "Préparer la fiche PDF et la carte PNG")
    assert "Fiche non générée" in at.error[0].value and "sans contour" in at.error[0].value


# --- the page « Scénarios » ----------------------------------------------------------------

@pytest.fixture
def saved(workspace, carmausin):
    return open_store().save(Scenario.from_perimeter(carmausin, author="Alice"))


def test_rename_then_history(workspace, saved, carmausin):
    at = AppTest.from_file(f"../{SCENARIOS_PAGE}", default_timeout=60)
    at.session_state["perimeter"] = carmausin  # the builder holds this scenario
    at.session_state[state.OPEN_SCENARIO.key] = saved
    at.run()
    at.text_input(key=f"rename_{saved.id}").input("Carmausin, version ARS")
    click(at, "Renommer")
    assert open_store().load(saved.id).name == "Carmausin, version ARS"
    # The builder follows, so its next save does not rename the scenario back.
    assert at.session_state["perimeter"].name == "Carmausin, version ARS"
    assert at.session_state[state.OPEN_SCENARIO.key].version == 2
    assert "renommé" in at.success[0].value
    assert at.dataframe[0].value["Nom"].tolist() == ["Carmausin, version ARS"]
    summaries = [t.value for t in at.text]
    assert any("renommage" in s and "Carmausin, version ARS" in s for s in summaries)


def test_long_name_refused_and_html_name_shown_as_text(workspace, saved):
    at = page(workspace, SCENARIOS_PAGE)
    at.text_input(key=f"rename_{saved.id}").input("x" * 10_000)
    click(at, "Renommer")
    assert "10000 caractères" in at.error[0].value and "200 au plus" in at.error[0].value
    assert open_store().load(saved.id).name == saved.name

    at.text_input(key=f"rename_{saved.id}").input(EVIL)
    click(at, "Renommer")
    assert open_store().load(saved.id).name == EVIL
    assert at.dataframe[0].value["Nom"].tolist() == [EVIL]  # a cell: text
    shown = [e.value for e in (*at.markdown, *at.success, *at.caption, *at.warning)]
    assert any("\\<img" in v for v in shown)
    assert not [v for v in shown if re.search(r"(?<!\\)[<*]", v)]  # every < and * escaped
    assert not [m for m in at.markdown if m.proto.allow_html]


def test_duplicate_delete_restore(workspace, saved):
    at = page(workspace, SCENARIOS_PAGE)
    click(at, "Dupliquer")
    names = sorted(s.name for s in open_store().scenarios())
    assert names == [saved.name, f"{saved.name} (copie)"]
    at.selectbox(key="scenario_choice").set_value(saved.id).run()
    click(at, "Supprimer")
    assert [s.name for s in open_store().scenarios()] == [f"{saved.name} (copie)"]
    assert any(t.value.startswith(f"{saved.name} — supprimé le") for t in at.text)
    click(at, "Restaurer")
    assert sorted(s.name for s in open_store().scenarios()) == names


def test_open_in_the_builder(workspace, saved, carmausin):
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    at.switch_page(SCENARIOS_PAGE).run()
    assert not at.exception, at.exception
    click(at, "Ouvrir dans le constructeur")
    assert at.session_state["perimeter"].codes == carmausin.codes
    assert at.session_state["deps"] == ["81"]
    assert at.session_state[state.OPEN_SCENARIO.key].id == saved.id
    assert next(m.value for m in at.metric if m.label == "Communes") == "32"  # the builder


# --- the page « Comparer les scénarios » ---------------------------------------------------

def compared(at: AppTest) -> tuple[list[str], list[str]]:
    metrics = [m for m in at.metric if m.label == "Population"]
    return [m.value for m in metrics], [m.proto.delta for m in metrics]


def test_compare_two_saved_scenarios(workspace, saved, catalog, carmausin):
    removed = {"81060", min(carmausin.codes)}  # Carmaux and another
    smaller = Perimeter("Plus petit", carmausin.codes - removed)
    open_store().save(Scenario(smaller.name, smaller.codes, author="Bob"))
    at = page(workspace, COMPARE_PAGE)
    ids = {s.name: s.id for s in open_store().scenarios()}
    at.multiselect(key=state.COMPARE_PICK.key).set_value(
        [f"saved:{ids[carmausin.name]}", f"saved:{ids['Plus petit']}"]).run()
    assert not at.exception, at.exception
    values, deltas = compared(at)
    big = int(catalog.units.loc[sorted(carmausin.codes), "population"].sum())
    small = int(catalog.units.loc[sorted(smaller.codes), "population"].sum())
    assert values == [f"{fr_int(big)} hab.", f"{fr_int(small)} hab."]
    assert deltas == ["", f"-{fr_int(big - small)} hab."]
    assert [m.value for m in at.metric if m.label == "Taille"] == ["Taille 1", "Taille 1"]
    [listed] = [m.value for m in at.markdown if "unité(s)" in m.value]
    assert listed.startswith("**−2 unité(s)** : ")
    assert all(catalog.units.at[c, "name"] in listed for c in removed)
    assert len(at.get("image")) == 2
    # The findings are those of check_perimeter, in each column.
    expected = [md(f.message) for p in (carmausin, smaller)
                for f in check_perimeter(catalog, p).findings]
    shown = [e.value.split(" — ", 1)[1] for e in (*at.error, *at.warning, *at.info) if " — " in e.value]
    assert expected and sorted(shown) == sorted(expected)


def test_compare_starts_with_the_open_scenario_against_the_builders_changes(workspace, saved, catalog,
                                                                          carmausin):
    at = AppTest.from_file(f"../{COMPARE_PAGE}", default_timeout=60)
    at.session_state["perimeter"] = carmausin.with_codes(carmausin.codes - {"81060"})
    at.session_state[state.OPEN_SCENARIO.key] = saved
    at.run()
    assert at.multiselect(key=state.COMPARE_PICK.key).value == [f"saved:{saved.id}", "builder"]
    carmaux = int(catalog.units.at["81060", "population"])
    assert compared(at)[1] == ["", f"-{fr_int(carmaux)} hab."]
    assert "**−1 unité(s)** : Carmaux" in [m.value for m in at.markdown]


def test_compare_starts_with_the_commune_level_ruscino_pair(workspace, catalog):
    at = page(workspace, COMPARE_PAGE)
    assert "Contours IRIS des Pyrénées-Orientales absents" in at.info[0].value
    assert "page « Données »" in at.info[0].value
    whole = {c[:5] for c in RUSCINO_CODES} - {"66136"}
    values, deltas = compared(at)
    assert values == [population_label(catalog, whole), population_label(catalog, whole | {"66136"})]
    perpignan = int(catalog.units.at["66136", "population"])
    assert deltas == ["", f"+{fr_int(perpignan)} hab."]
    assert any("+1 unité" in m.value and "Perpignan" in m.value for m in at.markdown)


def test_compare_ruscino_by_iris_when_contours_are_loaded(workspace, monkeypatch, catalog,
                                                          iris_catalog_without_estimate):
    iris_catalog = iris_catalog_without_estimate
    monkeypatch.setattr(state, "get_catalog", lambda: iris_catalog)
    at = page(workspace, COMPARE_PAGE)
    assert not [i for i in at.info if "Contours IRIS" in i.value]
    assert [m.value for m in at.subheader] == ["CPTS Ruscino", "CPTS Ruscino élargie à Perpignan"]
    communes = sorted({c[:5] for c in RUSCINO_CODES})
    whole = int(catalog.units.loc[communes, "population"].sum())
    values, deltas = compared(at)
    # Perpignan's IRIS have no population without the INSEE file: a range, never a guess.
    assert values[0].startswith("entre ") and values[0].endswith(f" et {fr_int(whole)} hab.")
    assert values[1] == f"{fr_int(whole)} hab." and deltas == ["", ""]
    assert any("Écart de population incertain" in c.value for c in at.caption)
    perpignan_iris = [c for c in RUSCINO_CODES if c.startswith("66136")]
    listed = [m.value for m in at.markdown if "unité(s)" in m.value]
    assert listed[0] == "**+1 unité(s)** : Perpignan"
    assert listed[1].startswith(f"**−{len(perpignan_iris)} unité(s)** : Perpignan \\(")


# --- what the pages say --------------------------------------------------------------------

def test_history_names_the_units_and_the_page_hides_the_database_path(workspace, saved, carmausin):
    open_store().save(replace(saved, codes=frozenset(carmausin.codes - {"81060"})), expected_version=1)
    at = page(workspace, SCENARIOS_PAGE)
    texts = [t.value for t in at.text]
    assert any("−1 unité(s) (Carmaux)" in t for t in texts), texts
    assert not any("81060" in t for t in texts)
    shown = " ".join(m.value for m in (*at.caption, *at.markdown, *at.info))
    assert str(workspace) not in shown and ".sqlite" not in shown and ".db" not in shown


def test_compare_of_communes_only_scenarios_has_no_ruscino_notice(workspace, saved, carmausin):
    open_store().save(Scenario("Plus petit", carmausin.codes - {"81060"}, author="Bob"))
    at = page(workspace, COMPARE_PAGE)
    ids = {s.name: s.id for s in open_store().scenarios()}
    at.multiselect(key=state.COMPARE_PICK.key).set_value(
        [f"saved:{ids[carmausin.name]}", f"saved:{ids['Plus petit']}"]).run()
    assert not at.exception, at.exception
    shown = [m.value for m in (*at.caption, *at.info, *at.markdown)]
    assert not any("Ruscino" in s for s in shown)


def test_undo_after_opening_a_scenario_brings_back_the_previous_perimeter(workspace, saved, carmausin):
    at = AppTest.from_file("../app.py", default_timeout=120)
    draft = Perimeter("Mon brouillon", carmausin.codes - {"81060", "81004"})
    at.session_state["perimeter"] = draft
    at.run()
    at.switch_page(SCENARIOS_PAGE).run()
    click(at, "Ouvrir dans le constructeur")
    assert at.session_state["perimeter"].codes == carmausin.codes
    at.switch_page(navigation.BUILDER.script).run()  # AppTest does not follow the page's st.switch_page
    click(at, "↶ Annuler")
    assert at.session_state["perimeter"] == draft
    assert next(m.value for m in at.metric if m.label == "Communes") == str(len(draft.codes))


def test_undo_after_renaming_the_open_scenario_brings_back_the_previous_name(workspace, saved, carmausin):
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["perimeter"] = carmausin  # the builder holds this scenario
    at.session_state[state.OPEN_SCENARIO.key] = saved
    at.run()
    at.switch_page(SCENARIOS_PAGE).run()
    at.text_input(key=f"rename_{saved.id}").input("Carmausin, version ARS")
    click(at, "Renommer")
    assert at.session_state["perimeter"].name == "Carmausin, version ARS"
    at.switch_page(navigation.BUILDER.script).run()
    click(at, "↶ Annuler")
    assert at.session_state["perimeter"] == carmausin
