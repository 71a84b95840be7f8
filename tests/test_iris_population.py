"""INSEE's population by IRIS (`base-ic-evol-struct-pop`), read once (formats/indicator_files.py)
for both needs: the catalog's exact IRIS population (formats/iris.read_iris_population) and the
age indicators (read_insee_population). Small files are written here with TEST VALUES; the real
2016 extract of ../shared/data checks a file without the total column."""

import openpyxl
import pandas as pd
import pytest

from formats.indicator_files import read_insee_population
from formats.iris import IrisFileError, read_iris_population
from indicators.definitions import AGE_BANDS
from tests.conftest import shared_file

TEST_LABEL = "VALEURS DE TEST"


def _workbook(path, rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_a_workbook_without_iris_column_is_refused_in_french(tmp_path):
    """A communes file (CODGEO) given where IRIS are expected: a French error, no traceback."""
    path = _workbook(tmp_path / "base-cc-evol-struct-pop-2021.xlsx", [
        ["Évolution et structure de la population en 2021", None, None],
        [TEST_LABEL, None, None],
        ["CODGEO", "LIBGEO", "P21_POP"],
        ["66136", TEST_LABEL, 1000],
    ])
    with pytest.raises(IrisFileError, match=r"base-cc-evol-struct-pop-2021\.xlsx.*IRIS"):
        read_iris_population(path)


def test_a_workbook_with_no_population_header_is_refused_in_french(tmp_path):
    path = _workbook(tmp_path / "liste.xlsx", [["Nom", "Code"], [TEST_LABEL, "66136"]])
    with pytest.raises(IrisFileError, match="en-tête introuvable"):
        read_iris_population(path)


def test_french_written_numbers_are_read_not_dropped(tmp_path):
    """`1 234,6` (a spreadsheet saved in French) is 1 235 inhabitants, not an unknown IRIS."""
    path = tmp_path / "base-ic-evol-struct-pop-2021.csv"
    path.write_text("IRIS;COM;P21_POP\n661360801;66136;1 234,6\n661360802;66136;s\n", encoding="latin-1")
    population, year = read_iris_population(path)
    assert year == 2021 and population.to_dict() == {"661360801": 1235}


def test_text_where_a_population_is_expected_is_an_error(tmp_path):
    path = tmp_path / "base-ic-evol-struct-pop-2021.csv"
    path.write_text("IRIS;COM;P21_POP\n661360801;66136;environ mille\n")
    with pytest.raises(IrisFileError, match="P21_POP"):
        read_iris_population(path)


def test_both_needs_read_the_same_population(tmp_path):
    """The catalog's population and the indicators' `pop` come from the same reading."""
    suffixes = ["", "0014", "1529", "3044", "4559", "6074", "75P", "0019", "65P"]
    rows = [["IRIS", "COM"] + [f"P21_POP{s}" for s in suffixes],
            ["661360801", "66136", 1000.4, 150, 200, 210, 190, 150, 100.4, 180, 160],
            ["2A0040101", "2A004", 2000.6, 300, 400, 420, 380, 320, 180.6, 400, 360]]
    path = _workbook(tmp_path / "base-ic-evol-struct-pop-2021.xlsx", [["Titre", TEST_LABEL]] + rows)
    population, year = read_iris_population(path)
    dataset = read_insee_population(path)
    assert year == dataset.provenance.vintage == 2021
    assert population.to_dict() == {"661360801": 1000, "2A0040101": 2001}
    assert dataset.table["pop"].round().astype(int).to_dict() == population.to_dict()


def test_real_2016_extract_without_total_column_sums_its_age_bands():
    """The real INSEE 2016 extract has the six age bands but no P16_POP: an IRIS's population is
    their sum (the bands partition it), compared with pandas on the same file; Perpignan's 45
    IRIS sum to 120 573 (SOURCES.md)."""
    path = shared_file("insee_iris_habitat_pop_age_csp_2016_france.csv")
    population, year = read_iris_population(path)
    raw = pd.read_csv(path, dtype={"IRIS": str})
    expected = raw.set_index("IRIS")[[f"P16_POP{s}" for s, _ in AGE_BANDS]].sum(axis=1)
    assert year == 2016 and len(population) == len(raw) == 14_943
    assert population.to_dict() == expected.round().astype(int).to_dict()
    perpignan = expected[expected.index.str.startswith("66136")]
    assert len(perpignan) == 45 and round(perpignan.sum()) == 120_573


def test_donnees_page_refuses_a_workbook_without_iris_in_french(workspace, tmp_path):
    """On « Données », with IRIS contours loaded, a communes workbook given as the INSEE IRIS
    population file: the page says why in French and keeps what was loaded; no traceback."""
    from streamlit.testing.v1 import AppTest

    from formats.iris import read_iris_contours
    from geo.units import load_communes, load_successors
    from store.workspace import save_iris_contours
    from ui import navigation, state

    contours = shared_file("iris_contours_2020_dep66_81_12_87.geojson")
    save_iris_contours(read_iris_contours(contours, load_communes(), load_successors()), contours.name)
    state.shared_catalog.clear()
    book = _workbook(tmp_path / "communes.xlsx", [["CODGEO", "LIBGEO", "P21_POP"], ["66136", TEST_LABEL, 1000]])
    at = AppTest.from_file("../app.py", default_timeout=180)
    at.switch_page(navigation.DATA.script).run()
    uploader = next(u for u in at.get("file_uploader") if u.key == "iris_pop_upload")
    uploader.upload("communes.xlsx", book.read_bytes(), "application/octet-stream")
    at.run()
    state.shared_catalog.clear()
    assert not at.exception, at.exception
    [error] = [e.value for e in at.error]
    assert "Population non importée" in error and "pas par IRIS" in error and "conservées" in error


def test_donnees_page_imports_the_insee_zip_as_downloaded(workspace, tmp_path):
    """INSEE distributes base-ic-evol-struct-pop as a ZIP: the « Données » page offers it
    and imports the population of every IRIS in it (the real 2016 extract, zipped here)."""
    import zipfile

    from streamlit.testing.v1 import AppTest

    from formats.iris import read_iris_contours
    from geo.units import load_communes, load_successors
    from store.workspace import save_iris_contours
    from ui import navigation, state

    contours = shared_file("iris_contours_2020_dep66_81_12_87.geojson")
    save_iris_contours(read_iris_contours(contours, load_communes(), load_successors()), contours.name)
    state.shared_catalog.clear()
    archive = tmp_path / "base-ic-evol-struct-pop-2016_csv.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(shared_file("insee_iris_habitat_pop_age_csp_2016_france.csv"), "base-ic-evol-struct-pop-2016.csv")
    at = AppTest.from_file("../app.py", default_timeout=180)
    at.switch_page(navigation.DATA.script).run()
    uploader = next(u for u in at.get("file_uploader") if u.key == "iris_pop_upload")
    assert ".zip" in uploader.proto.type
    uploader.upload(archive.name, archive.read_bytes(), "application/zip")
    at.run()
    state.shared_catalog.clear()
    assert not at.exception, at.exception
    assert "Population 2016 importée pour 14\u202f943 IRIS." in [s.value for s in at.success]
