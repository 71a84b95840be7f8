"""IRIS population without the INSEE IRIS file: each IRIS's share of its commune in INSEE's
population 2016 of habitat IRIS (six age bands summed), applied to the commune's population
of the chosen vintage; labelled as an estimate; IRIS absent from that file stay unknown."""

import pandas as pd
import pytest

from geo.checks import check_perimeter
from geo.perimeter import Perimeter
from geo.population import taille
from reports.lettre import lettre_table
from tests.conftest import RUSCINO, shared_file

IRIS_2016 = "insee_iris_habitat_pop_age_csp_2016_france.csv"
BANDS = ["P16_POP0014", "P16_POP1529", "P16_POP3044", "P16_POP4559", "P16_POP6074", "P16_POP75P"]


@pytest.fixture(scope="module")
def iris_2016() -> pd.Series:
    raw = pd.read_csv(shared_file(IRIS_2016), dtype={"IRIS": str})
    return raw.set_index("IRIS")[BANDS].sum(axis=1)


@pytest.mark.parametrize("vintage", [2020, 2023])
def test_ruscino_gets_one_estimated_population_and_a_taille(iris_catalog, iris_2016, vintage):
    catalog = iris_catalog.with_vintage(vintage)
    pop = catalog.units["population"]
    perpignan = iris_2016[iris_2016.index.str.startswith("66136")]
    ours = [c for c in RUSCINO if c.startswith("66136")]
    estimate = sum(round(perpignan[c] / perpignan.sum() * int(pop["66136"])) for c in ours)
    # Cabestany has all its IRIS in Ruscino: its population is exact, no estimate needed.
    exact = int(pop["66028"] + pop["66186"] + pop["66189"])
    population = check_perimeter(catalog, Perimeter("CPTS Ruscino", RUSCINO)).figures.population
    assert population.exact and population.value == exact + estimate
    assert sorted(population.estimated_units) == sorted(ours)
    assert population.label().endswith("hab. (estimation)")
    assert population.taille_label() == f"Taille {taille(exact + estimate)}" == "Taille 2"
    assert f"population municipale {vintage}" in population.vintage_label()
    assert "recensement 2016" in population.vintage_label()
    # Close to the letter's 47,617 inhabitants (2017).
    assert abs(population.value - 47_617) / 47_617 < 0.05


def test_an_iris_absent_from_the_2016_file_stays_unknown(iris_catalog, iris_2016):
    units = iris_catalog.units
    iris = units[(units["level"] == "iris") & (units["dep"] == "66")]
    absent = iris[~iris.index.isin(iris_2016.index) & iris["population"].isna()]
    assert len(absent), "the contours hold activity/miscellaneous IRIS (types A, D) in 66"
    code = absent.index[0]
    population = check_perimeter(iris_catalog, Perimeter("x", {code})).figures.population
    assert not population.exact and population.unknown_units == (code,) and population.low == 0
    assert code not in iris_catalog.estimated


def test_the_letter_table_says_which_populations_are_estimates(iris_catalog):
    table = lettre_table(iris_catalog, Perimeter("CPTS Ruscino", RUSCINO))
    # Every IRIS row is an estimate (Cabestany's too, though their sum is the commune's) but
    # Saint-Nazaire's and Saleilles's, communes not divided into IRIS (XXXXX0000).
    estimated = table[~table["Code IRIS"].str.endswith("0000")]
    assert len(estimated) == 14 and estimated["Population"].notna().all()
    assert estimated["Méthode"].str.startswith("estimation").all()
    assert (table.loc[~table.index.isin(estimated.index), "Méthode"] == "recensement").all()


def test_an_exact_insee_file_replaces_the_estimate(iris_catalog, tmp_path):
    from formats.iris import read_iris_contours, read_iris_population
    from geo.catalog import Catalog
    from geo.units import load_communes, load_successors

    path = shared_file("iris_contours_2020_dep66_81_12_87.geojson")
    catalog = Catalog(read_iris_contours(path, load_communes(), load_successors()), path.name)
    assert "661360801" in catalog.estimated
    file = tmp_path / "base-ic-evol-struct-pop-2021.csv"
    file.write_text("IRIS;COM;TYP_IRIS;LAB_IRIS;P21_POP\n661360801;66136;H;VALEUR DE TEST;1234\n")
    catalog.set_iris_population(*read_iris_population(file))
    assert "661360801" not in catalog.estimated and catalog.units.at["661360801", "population"] == 1234
    earlier = catalog.with_vintage(2020)
    assert "661360801" not in earlier.estimated and earlier.units.at["661360801", "population"] == 1234


def test_the_fiche_labels_the_estimate_and_its_method(iris_catalog):
    from reports.fiche import fiche_pdf
    from tests.test_fiche import pdf_text, squeeze

    ruscino = Perimeter("CPTS Ruscino", RUSCINO)
    report = check_perimeter(iris_catalog, ruscino)
    _, text = pdf_text(fiche_pdf(iris_catalog, ruscino, [], report))
    assert "hab.(estimation)" in squeeze(text) and "Taille2" in squeeze(text)
    assert "recensement2016" in squeeze(text)


def test_the_map_tooltip_says_estimate_and_vintage(iris_catalog):
    from ui.map import territory_geojson, territory_units

    units = territory_units(iris_catalog, ("66",), ("66136",))
    pops = {f["properties"]["code"]: f["properties"]["pop"] for f in territory_geojson(units)["features"]}
    assert pops["661360801"].endswith("(estimation 2023)")
    assert pops["66028"].endswith("(2023)") and "estimation" not in pops["66028"]
