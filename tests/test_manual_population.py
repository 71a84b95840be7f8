"""A population entered by hand for a unit whose official population is unknown: used in
the figures with its source, said « saisie manuelle » wherever it shows, never over an
official figure, and kept with the scenario."""

from dataclasses import replace

import pytest

from geo import manual_population as manual
from geo.checks import check_perimeter
from geo.examples import RUSCINO_CODES
from geo.perimeter import Perimeter
from reports.lettre import COLUMNS, lettre_table, with_total
from store.scenarios import Scenario, open_store

SOURCE = "INSEE, recensement 2020, base infracommunale IRIS"


@pytest.fixture(scope="module")
def ruscino(iris_catalog):
    return Perimeter("CPTS Ruscino", RUSCINO_CODES)


def test_entries_fill_the_unknown_iris_and_are_named_with_their_source(iris_catalog, ruscino):
    """Perpignan's IRIS have no INSEE figure: unknown or estimated. Entered by hand, they
    replace the estimates and the population is exact, no longer an estimation."""
    before = check_perimeter(iris_catalog, ruscino).figures.population
    targets = sorted(before.unknown_units + before.estimated_units)
    assert targets and (before.estimated or not before.exact)
    estimates = iris_catalog.column("population")
    meta = {}
    for i, code in enumerate(targets):
        meta = manual.entered(meta, code, 1000 + i, SOURCE, official=None)
    report = check_perimeter(iris_catalog, Perimeter(ruscino.name, ruscino.codes, meta))
    after = report.figures.population
    assert after.exact and not after.estimated
    guessed = sum(int(estimates[c]) for c in before.estimated_units)
    assert after.value == before.low - guessed + sum(1000 + i for i in range(len(targets)))
    [note] = [f for f in report.findings if f.kind == "manual_population"]
    assert "saisie manuelle" in note.message and SOURCE in note.message
    assert not [f for f in report.findings if f.kind == "unknown_population"]
    text = manual.summary(meta, ruscino.codes)
    assert "saisie manuelle" in text and "non officiels" in text and SOURCE in text


def test_an_official_figure_is_never_replaced(catalog):
    official = int(catalog.units.at["81060", "population"])
    with pytest.raises(manual.ManualPopulationError, match="population officielle"):
        manual.entered({}, "81060", 1, SOURCE, official=official)


@pytest.mark.parametrize("value, source, message", [
    (-5, SOURCE, "impossible"), (12.5, SOURCE, "impossible"), ("douze", SOURCE, "nombre entier"),
    (1200, "  ", "source"), (1200, "x" * 300, "trop longue")])
def test_bad_entries_are_refused_in_french(value, source, message):
    with pytest.raises(manual.ManualPopulationError, match=message):
        manual.entered({}, "661360801", value, source, official=None)


def test_the_lettre_table_marks_the_entry(iris_catalog, ruscino):
    code = "661360801"
    meta = manual.entered({}, code, 2345, SOURCE, official=None)
    table = with_total(lettre_table(iris_catalog, Perimeter(ruscino.name, ruscino.codes, meta)))
    row = table[table[COLUMNS[3]] == code].iloc[0]
    assert int(row[COLUMNS[4]]) == 2345 and row[COLUMNS[5]] == f"saisie manuelle (source : {SOURCE})"


def test_entries_are_stored_with_the_scenario(workspace, catalog):
    meta = manual.entered({"porteur": "P"}, "661360801", 2345, SOURCE, official=None)
    saved = open_store().save(Scenario.from_perimeter(Perimeter("Essai", {"661360801"}, meta)))
    back = open_store().load(saved.id).perimeter
    assert manual.entries(back.metadata) == {"661360801": manual.ManualPopulation(2345, SOURCE)}
    assert back.metadata["porteur"] == "P"


def test_a_base_from_before_gains_the_column_and_keeps_its_scenarios(workspace):
    import sqlite3

    saved = open_store().save(Scenario("Ancien", {"81060"}))
    path = workspace / "scenarios.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE versions DROP COLUMN manual_population")
    store = open_store()
    assert store.load(saved.id).codes == {"81060"}
    meta = manual.entered({}, "661360801", 10, SOURCE, official=None)
    again = store.save(Scenario.from_perimeter(Perimeter("Nouveau", {"661360801"}, meta)))
    assert manual.values(store.load(again.id).perimeter.metadata) == {"661360801": 10}


def test_the_builder_takes_an_entry_and_shows_it_as_manual(workspace, iris_catalog, ruscino):
    from streamlit.testing.v1 import AppTest

    from formats.iris import read_iris_contours
    from geo.units import load_communes, load_successors
    from store.workspace import save_iris_contours
    from tests.conftest import IRIS_CONTOURS, shared_file
    from ui import state

    contours = read_iris_contours(shared_file(IRIS_CONTOURS.name), load_communes(), load_successors())
    save_iris_contours(contours, IRIS_CONTOURS.name)  # as the « Données » page saves an import
    state.shared_catalog.clear()
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["perimeter"] = ruscino
    at.run()
    assert not at.exception, at.exception
    before = check_perimeter(iris_catalog, ruscino).figures.population
    code = min(before.unknown_units + before.estimated_units)
    unit = next(s for s in at.selectbox if s.label == "Unité")
    unit.set_value(code)
    next(n for n in at.number_input if n.label == "Population (habitants)").set_value(2345)
    next(t for t in at.text_input if t.label == "Source du chiffre").input(SOURCE)
    next(b for b in at.button if b.label == "Enregistrer la saisie").click().run()
    assert not at.exception, at.exception
    assert manual.values(at.session_state["perimeter"].metadata) == {code: 2345}
    guess = int(iris_catalog.column("population")[code]) if code in before.estimated_units else 0
    population = next(m.value for m in at.metric if m.label == "Population")
    assert f"{before.low - guess + 2345:,}".replace(",", "\u202f") in population
    assert any("saisie manuelle" in c.value and "INSEE" in c.value for c in at.caption)
    state.shared_catalog.clear()


def test_the_history_says_an_entry_changed_in_words(workspace):
    saved = open_store().save(Scenario("Essai", {"661360801"}))
    meta = manual.entered({}, "661360801", 10, SOURCE, official=None)
    entered = Scenario.from_perimeter(Perimeter("Essai", {"661360801"}, meta))
    open_store().save(replace(entered, id=saved.id, version=saved.version))
    summary = open_store().history(saved.id)[-1].summary()
    assert "population en saisie manuelle modifiée" in summary and "{" not in summary
