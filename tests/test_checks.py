"""The checks on real perimeters: the seeds' CPTS and real neighbours in the Tarn."""

import pandas as pd
import shapely

from geo.checks import check_perimeter
from geo.perimeter import Perimeter
from geo.population import taille
from tests.conftest import RUSCINO


def land_neighbours(catalog, code):
    """Independent of the project's graph: communes whose boundary shares > 1 m with `code`."""
    units = catalog.units[catalog.units["level"] == "commune"]
    units = units[units["dep"].isin(["81", "12", "82", "31", "11", "34"])].to_crs(2154)
    me = units.loc[code].geometry
    near = units[units.intersects(me) & (units.index != code)]
    shared = shapely.length(shapely.intersection(shapely.boundary(near.geometry.to_numpy()), me.boundary))
    return set(near.index[shared > 1])


def test_carmausin_as_its_letter_describes_it(catalog, carmausin):
    report = check_perimeter(catalog, carmausin)
    f = report.figures
    assert len(carmausin.codes) == 32 and f.communes == 32  # EPCI (31) - 2 + 3
    assert f.parts == 1
    expected = int(catalog.units.loc[sorted(carmausin.codes), "population"].sum())
    assert f.population.exact and f.population.value == expected
    assert abs(expected - 29_367) / 29_367 < 0.02  # letter: 29,367 inhabitants (2020)
    assert abs(f.area_km2 - 480) < 10  # letter: about 480 km²
    assert taille(expected) == 1 and f.population.taille_label() == "Taille 1"
    assert not report.blocking


def test_overlapping_neighbour_reports_shared_communes_and_population(catalog, carmausin):
    gaillacois = Perimeter("CPTS Grand Gaillacois (essai)", {"81316", "81167", "81060", "81048"})
    report = check_perimeter(catalog, carmausin, [gaillacois])
    overlaps = [f for f in report.findings if f.kind == "overlap"]
    shared = sorted(carmausin.codes & gaillacois.codes)
    assert len(overlaps) == 1 and sorted(overlaps[0].codes) == shared
    assert overlaps[0].population.value == int(catalog.units.loc[shared, "population"].sum())
    assert overlaps[0].severity == "blocking" and "Grand Gaillacois" in overlaps[0].message
    assert overlaps[0].geometry is not None and not overlaps[0].geometry.is_empty


def test_commune_left_between_two_perimeters_is_isolated(catalog):
    around = sorted(land_neighbours(catalog, "81060"))  # Carmaux
    west, east = Perimeter("Ouest", around[: len(around) // 2]), Perimeter("Est", around[len(around) // 2:])
    report = check_perimeter(catalog, west, [east])
    isolated = [f for f in report.findings if f.kind == "isolated"]
    assert [f.codes for f in isolated] == [("81060",)]
    assert isolated[0].population.value == int(catalog.units.at["81060", "population"])
    # Give Carmaux to one of them: nothing is isolated any more.
    fixed = check_perimeter(catalog, west.with_codes(west.codes | {"81060"}), [east])
    assert not [f for f in fixed.findings if f.kind == "isolated"]


def test_perimeter_in_two_pieces(catalog):
    report = check_perimeter(catalog, Perimeter("Deux morceaux", {"81060", "81065"}))  # Carmaux, Castres
    assert report.figures.parts == 2
    assert [f.kind for f in report.findings if f.severity == "warning"] == ["parts"]


def test_ruscino_mixes_iris_and_whole_communes(iris_catalog_without_estimate):
    catalog = iris_catalog_without_estimate
    assert not catalog.estimated and not catalog.resolve(RUSCINO).unknown
    report = check_perimeter(catalog, Perimeter("CPTS Ruscino", RUSCINO))
    f = report.figures
    assert f.units == 16 and f.communes == 4 and f.parts == 1
    pop = catalog.units["population"]
    # Cabestany (all its 4 IRIS) and the two non-IRIS communes are exact; Perpignan's
    # 10 IRIS are unknown: never zero, a range bounded by Perpignan's population.
    known = int(pop["66028"] + pop["66186"] + pop["66189"])
    assert (f.population.low, f.population.high) == (known, known + int(pop["66136"]))
    assert not f.population.exact
    assert sorted(f.population.unknown_units) == sorted(c for c in RUSCINO if c.startswith("66136"))
    warning = next(x for x in report.findings if x.kind == "unknown_population")
    assert "10 unités" in warning.message and "Perpignan" in warning.message
    split = next(x for x in report.findings if x.kind == "split_commune")
    perpignan_iris = catalog.units[catalog.units["parent_code"] == "66136"]
    assert len(split.codes) == len(perpignan_iris) - 10


def test_population_follows_an_insee_iris_file(tmp_path):
    """An INSEE base-ic-evol-struct-pop file (TEST VALUES, never shipped) makes it exact."""
    from formats.iris import read_iris_contours, read_iris_population
    from geo.catalog import Catalog
    from geo.units import load_communes, load_successors
    from tests.conftest import shared_file

    path = shared_file("iris_contours_2020_16dep.parquet")
    catalog = Catalog(read_iris_contours(path, load_communes(), load_successors()))
    test_values = {code: 1000 + i for i, code in enumerate(RUSCINO)}
    rows = "".join(f"{c};{c[:5]};H;VALEUR DE TEST;{v}\n" for c, v in test_values.items())
    file = tmp_path / "base-ic-evol-struct-pop-2021.csv"
    file.write_text("IRIS;COM;TYP_IRIS;LAB_IRIS;P21_POP\n" + rows, encoding="latin-1")
    population, year = read_iris_population(file)
    assert year == 2021 and catalog.set_iris_population(population, year) == []
    report = check_perimeter(catalog, Perimeter("Ruscino", RUSCINO))
    total = sum(test_values.values())
    assert report.figures.population.exact and report.figures.population.value == total
    assert report.figures.population.taille_label() == f"Taille {taille(total)}"


def test_whole_commune_overlaps_its_own_iris(iris_catalog):
    ruscino = Perimeter("Ruscino", RUSCINO)
    whole_perpignan = Perimeter("Perpignan entière", {"66136"})
    report = check_perimeter(iris_catalog, ruscino, [whole_perpignan])
    overlap = next(x for x in report.findings if x.kind == "overlap")
    assert sorted(overlap.codes) == sorted(c for c in RUSCINO if c.startswith("66136"))


def test_findings_are_sorted_blocking_first(catalog, carmausin):
    report = check_perimeter(catalog, carmausin, [Perimeter("Voisine", {"81060"})])
    order = [f.severity for f in report.findings]
    assert order == sorted(order, key=["blocking", "warning", "info"].index)
    assert pd.Series(order).iloc[0] == "blocking"


def test_a_commune_left_out_inside_the_perimeter_is_a_hole(catalog, carmausin):
    inner = next(c for c in sorted(carmausin.codes) if land_neighbours(catalog, c) <= carmausin.codes)
    report = check_perimeter(catalog, carmausin.with_codes(carmausin.codes - {inner}))
    holes = [f for f in report.findings if f.kind == "isolated"]
    assert [f.codes for f in holes] == [(inner,)] and "enclavé" in holes[0].message


def test_insee_iris_population_xlsx_with_title_rows(tmp_path):
    """INSEE's XLSX layout: title rows above the header (TEST VALUES, never shipped)."""
    import pandas as pd

    from formats.iris import read_iris_population

    file = tmp_path / "base-ic-evol-struct-pop-2020.xlsx"
    header = pd.DataFrame([["Populations par IRIS (VALEURS DE TEST)"], ["Recensement"], [""], [""], [""]])
    body = pd.DataFrame({"IRIS": ["010010000", "2A0040101"], "COM": ["01001", "2A004"], "P20_POP": [781.4, 1234.6]})
    with pd.ExcelWriter(file) as writer:
        header.to_excel(writer, index=False, header=False)
        body.to_excel(writer, index=False, startrow=5)
    population, year = read_iris_population(file)
    assert year == 2020 and population.to_dict() == {"010010000": 781, "2A0040101": 1235}


def test_codes_unknown_to_the_catalog_are_left_out_not_fatal(catalog):
    """An IRIS perimeter opened while no IRIS contours are loaded: the known part is checked."""
    report = check_perimeter(catalog, Perimeter("Ruscino sans IRIS", RUSCINO + ["66186"]))
    assert report.leaves == frozenset({"66186"}) and report.figures.communes == 1
