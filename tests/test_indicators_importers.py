"""Importers of indicator files (formats/indicator_files.py) and the workspace (store/datasets.py).

The official INSEE and DREES files are not available offline, so small files are written
here in their layouts (`;` CSV in Latin-1 or UTF-8, XLSX with title rows, sheets per
year, codes with leading zeros or stored as numbers, Corsica's 2A004). Their values are
TEST VALUES (labels say so); expected results are computed from the same values with
plain pandas. Real rows of /work/shared/data serve where a real file's quirks matter.
"""

import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from formats.indicator_files import (
    IndicatorImportError,
    read_apl,
    read_insee_population,
    read_table,
)
from indicators.aggregate import Aggregator
from indicators.definitions import AGEING_INDEX, SHARE_65, SHARE_75, Indicator
from store.datasets import (
    list_datasets,
    load_dataset,
    remove_dataset,
    save_dataset,
    workspace_dir,
)
from tests.conftest import shared_file

TEST_LABEL = "VALEURS DE TEST"

# INSEE age columns (suffix of P19_POP) and TEST VALUES for four IRIS.
AGE_SUFFIXES = ["", "0014", "1529", "3044", "4559", "6074", "75P", "0019", "2064", "65P"]
IRIS_ROWS = [
    # IRIS, COM, LIBCOM, then P19_POP… in AGE_SUFFIXES order
    ("010010000", "01001", "Abergement-Clémenciat", [800, 150, 110, 160, 170, 130, 80, 190, 460, 150]),
    ("2A0040101", "2A004", "Ajaccio", [2000, 300, 400, 420, 380, 320, 180, 400, 1240, 360]),
    ("661360801", "66136", "Perpignan", [3000, 600, 650, 560, 550, 420, 220, 790, 1770, 440]),
    ("751010101", "75101", "Paris 1er Arrondissement", [1500, 200, 330, 310, 300, 230, 130, 260, 970, 270]),
]


def _insee_columns(yy="19"):
    return [f"P{yy}_POP{s}" for s in AGE_SUFFIXES]


def _iris_frame() -> pd.DataFrame:
    rows = [[iris, "TEST", com, libcom, TEST_LABEL, "H", 1] + values + [999]
            for iris, com, libcom, values in IRIS_ROWS]
    columns = ["IRIS", "REG", "COM", "LIBCOM", "LIBIRIS", "TYP_IRIS", "LAB_IRIS"] + _insee_columns() + ["C19_POP15P"]
    return pd.DataFrame(rows, columns=columns)


def _write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


# --- INSEE population by age ------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["latin-1", "utf-8"])
def test_insee_iris_csv(tmp_path, catalog, encoding):
    frame = _iris_frame()
    path = tmp_path / "base-ic-evol-struct-pop-2019.csv"
    path.write_bytes(frame.to_csv(sep=";", index=False).encode(encoding))
    steps = []
    dataset = read_insee_population(path, progress=lambda f, m: steps.append((f, m)))
    assert dataset.level == "iris" and dataset.provenance.vintage == 2019
    assert dataset.provenance.publisher == "INSEE"
    assert set(dataset.table.index) == {r[0] for r in IRIS_ROWS}
    assert dataset.table.loc["2A0040101", "parent_code"] == "2A004"
    assert dataset.table.loc["010010000", "parent_code"] == "01001"
    assert [f for f, _ in steps] == sorted(f for f, _ in steps) and steps[-1][0] == 1.0
    assert all(isinstance(m, str) and m for _, m in steps)

    aggregator = Aggregator(catalog, dataset)
    communes = ["01001", "2A004", "66136"]
    chosen = frame[frame["COM"].isin(communes)]
    results = aggregator.compare_all(communes, "test")
    assert results[SHARE_65].perimeter.value == pytest.approx(
        chosen["P19_POP65P"].sum() / chosen["P19_POP"].sum() * 100)
    assert results[SHARE_75].perimeter.value == pytest.approx(
        chosen["P19_POP75P"].sum() / chosen["P19_POP"].sum() * 100)
    assert results[AGEING_INDEX].perimeter.value == pytest.approx(
        chosen["P19_POP65P"].sum() / chosen["P19_POP0019"].sum() * 100)
    assert results["population"].perimeter.value == chosen["P19_POP"].sum()
    # Paris 1er stands for its IRIS; Paris (75056) for its arrondissements' IRIS.
    assert aggregator.aggregate("population", ["75056"]).value == 1500


def test_insee_commune_xlsx_with_title_rows(tmp_path):
    """base-cc layout: title rows, a row of long labels, then the row of variable codes;
    communes and arrondissements on two sheets; CODGEO stored as numbers."""
    titles = [["Évolution et structure de la population en 2019"], ["Recensement de la population"],
              [TEST_LABEL], [], ["Code géographique", "Libellé"] + ["Population"] * len(AGE_SUFFIXES)]
    header = ["CODGEO", "LIBGEO"] + _insee_columns()
    values = [v for _, _, _, v in IRIS_ROWS]
    com = titles + [header, [1001, TEST_LABEL] + values[0], ["2A004", TEST_LABEL] + values[1],
                    [75056, TEST_LABEL] + [sum(x) for x in zip(values[2], values[3], strict=True)]]
    arm = titles + [header, [75101, TEST_LABEL] + values[3], [75102, TEST_LABEL] + values[2]]
    path = _write_xlsx(tmp_path / "base-cc-evol-struct-pop-2019.xlsx", {"COM": com, "ARM": arm})
    dataset = read_insee_population(path)
    assert dataset.level == "commune"
    assert set(dataset.table.index) == {"01001", "2A004", "75101", "75102"}
    assert dataset.table.loc["01001", "pop_65p"] == values[0][-1]
    assert any("arrondissement" in w for w in dataset.provenance.warnings)


def test_insee_missing_columns_are_named(tmp_path):
    frame = _iris_frame().drop(columns=["P19_POP75P"])
    path = tmp_path / "base-ic-evol-struct-pop-2019.csv"
    path.write_text(frame.to_csv(sep=";", index=False))
    with pytest.raises(IndicatorImportError, match="P19_POP75P"):
        read_insee_population(path)


# --- DREES APL -----------------------------------------------------------------------

APL_HEADER = ["Code commune INSEE", "Commune", "APL aux médecins généralistes",
              "APL aux médecins généralistes de 65 ans et moins",
              "APL aux médecins généralistes de 60 ans et moins",
              "Population standardisée 2021 pour la médecine générale", "Population totale 2021"]
# TEST VALUES: (code as a spreadsheet may store it, APL, APL ≤65, APL ≤60, standardised pop, pop)
APL_ROWS = [(1001, 2.5, 2.1, 1.8, 820.0, 800), ("2A004", 4.25, 3.9, 3.0, 70500.5, 72000),
            ("81060", "3,5", "3,1", "2,7", 9500.0, 9700), (81004, 4.0, 3.5, "", 48000.0, 49000)]


def _apl_sheet(year):
    titles = [[f"Indicateur d'accessibilité potentielle localisée (APL) aux médecins généralistes {year}"],
              [TEST_LABEL]] + [[] for _ in range(6)]
    units_row = [None, None, "nombre de consultations/an/habitant standardisé"]
    rows = [[code, TEST_LABEL, *values] for code, *values in APL_ROWS]
    notes = [["Lecture : valeurs de test."], ["Source : test, pas DREES."]]
    return titles + [APL_HEADER, units_row] + rows + notes


@pytest.fixture
def apl_file(tmp_path):
    name = "Indicateur d'accessibilité potentielle localisée (APL) aux médecins généralistes.xlsx"
    return _write_xlsx(tmp_path / name, {"Présentation": [["Sommaire"], [TEST_LABEL]],
                                         "APL 2022": _apl_sheet(2022), "APL 2023": _apl_sheet(2023)})


def test_apl_xlsx_latest_sheet_weighted_by_standardised_population(apl_file, catalog):
    dataset = read_apl(apl_file)
    assert dataset.provenance.vintage == 2023 and dataset.provenance.publisher == "DREES"
    assert set(dataset.table.index) == {"01001", "2A004", "81060", "81004"}
    main = dataset.indicators[0]
    assert main.label == "APL aux médecins généralistes" and main.rule == "weighted_mean"
    assert main.denominator == "population_standardisee"
    assert len(dataset.indicators) == 3
    apl = pd.Series([2.5, 4.25, 3.5, 4.0])
    weight = pd.Series([820.0, 70500.5, 9500.0, 48000.0])
    result = Aggregator(catalog, dataset).aggregate(main.id, ["01001", "2A004", "81060", "81004"])
    assert result.value == pytest.approx((apl * weight).sum() / weight.sum())
    # An empty cell is missing, not 0: the ≤60 mean leaves 81004 out.
    sixty = Aggregator(catalog, dataset).aggregate(dataset.indicators[2].id, ["81060", "81004"])
    assert sixty.value == pytest.approx(2.7) and sixty.n_with_data == 1


def test_apl_named_sheet_from_uploaded_bytes(apl_file):
    dataset = read_apl(apl_file.read_bytes(), filename=apl_file.name, sheet="APL 2022")
    assert dataset.provenance.vintage == 2022 and dataset.provenance.file_name == apl_file.name


def test_insee_zip_archive(tmp_path):
    """INSEE distributes its tables zipped."""
    archive = tmp_path / "base-ic-evol-struct-pop-2019_csv.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("meta_base-ic-evol-struct-pop-2019.csv", "COD_VAR;LIB_VAR\nIRIS;Code IRIS\n")
        z.writestr("base-ic-evol-struct-pop-2019.csv", _iris_frame().to_csv(sep=";", index=False))
    dataset = read_insee_population(archive)
    assert dataset.provenance.file_name == "base-ic-evol-struct-pop-2019.csv"
    assert len(dataset.table) == len(IRIS_ROWS)


def test_apl_wrong_sheet_lists_the_sheets(apl_file, tmp_path):
    with pytest.raises(IndicatorImportError, match="APL 2022, APL 2023"):
        read_apl(apl_file, sheet="APL 2030")
    other = _write_xlsx(tmp_path / "autre.xlsx", {"Feuil1": [["rien"]], "Données": [["x"]]})
    with pytest.raises(IndicatorImportError, match="Feuil1, Données"):
        read_apl(other)


# --- any table --------------------------------------------------------------------------

def _count(column="valeur"):
    return Indicator("valeur", "Valeur de test", "unités", "test", 2024, "sum", column, decimals=0)


def test_table_codes_keep_their_zeros_and_remap(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("code;valeur;libelle\n1001;3;TEST\n2A004;\"4,5\";TEST\n12076;2;TEST\n"
                    "12218;1;TEST\n99999;7;TEST\n", encoding="utf-8")
    dataset = read_table(path, "code", [_count()], title="Test", publisher="test")
    assert dataset.table["valeur"].to_dict() == {"01001": 3.0, "2A004": 4.5, "12218": 3.0}
    assert dataset.unknown_codes == ("99999",)
    assert dataset.remapped == {"12076": "12218"}
    assert any("99999" in w for w in dataset.provenance.warnings)


def test_table_xlsx_with_numeric_codes_and_header_rows(tmp_path):
    path = _write_xlsx(tmp_path / "t.xlsx", {"Notes": [["à lire"]], "Valeurs": [
        ["Titre : " + TEST_LABEL], [], ["Code", "valeur"], [1001, 3], ["2A004", 5], [66136.0, 2]]})
    dataset = read_table(path, "code", [_count()])
    assert sorted(dataset.table.index) == ["01001", "2A004", "66136"]


def test_real_sirene_rows_unknown_and_obsolete_codes(tmp_path):
    """Real SIRENE rows of Aveyron and Charente (with codes of communes merged since
    2019) plus one row whose code names no commune (a test row)."""
    frame = pd.read_csv(shared_file("sirene_etab_sante_communes_2019_16dep.csv"),
                        dtype={"code_commune": str, "dep": str})
    frame = frame[frame["dep"].isin(["12", "16"])]
    test_row = pd.DataFrame([{"code_commune": "99999", "dep": "99", "generaliste": 1}])
    path = tmp_path / "sirene.csv"
    pd.concat([frame, test_row]).to_csv(path, index=False)
    dataset = read_table(path, "code_commune", [_count("generaliste")])
    assert dataset.unknown_codes == ("99999",)
    assert dataset.remapped == {"12076": "12218", "16010": "16186", "16226": "16393",
                                "16351": "16233", "16355": "16097"}
    assert dataset.table["generaliste"].sum() == frame["generaliste"].sum()


def test_the_import_says_its_count_with_french_thousands():
    """The real SIRENE file of 16 départements: « Import terminé : 3 083 unités. », as the
    figures are written everywhere else (not « 3087 »)."""
    said = []
    dataset = read_table(shared_file("sirene_etab_sante_communes_2019_16dep.csv"), "code_commune",
                         [_count("generaliste")], progress=lambda _, text: said.append(text))
    assert len(dataset.table) > 999
    assert said[-1] == f"Import terminé : {len(dataset.table):,} unités.".replace(",", "\u202f")


def test_absent_as_zero_stays_in_the_file_departements(tmp_path, catalog):
    path = tmp_path / "t.csv"
    path.write_text("code,valeur\n81060,2\n81004,5\n", encoding="utf-8")
    dataset = read_table(path, "code", [_count()], absent_as_zero=True)
    aggregator = Aggregator(catalog, dataset)
    tarn = catalog.units[(catalog.units["level"] == "commune") & (catalog.units["dep"] == "81")]
    assert len(dataset.table) == len(tarn)
    assert aggregator.reference("valeur", "departement", "81").coverage == 1.0
    assert aggregator.reference("valeur", "departement", "12").value is None


# --- bad input ----------------------------------------------------------------------------

@pytest.mark.parametrize("content, code_column, message", [
    ("commune;valeur\n01001;3\n", "code_commune", "colonne de codes « code_commune »"),
    ("code;valeur\n01001;3\n81060;beaucoup\n", "code", "« valeur ».*« beaucoup ».*81060"),
    ("code;autre\n01001;3\n", "code", "« valeur » introuvable.*code, autre"),
    ("code;valeur\n", "code", "aucune ligne de données"),
    ("code;valeur\n01001;3\n661360801;2\n", "code", "mélange"),
], ids=["no code column", "text in numbers", "value column missing", "header only", "mixed levels"])
def test_bad_tables(tmp_path, content, code_column, message):
    path = tmp_path / "t.csv"
    path.write_text(content)
    with pytest.raises(IndicatorImportError, match=message):
        read_table(path, code_column, [_count()])


def test_file_too_big_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "enorme.csv"
    with open(path, "wb") as f:  # sparse: takes no room on disk
        f.truncate(201 * 1024 * 1024)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read before the size check"))
    with pytest.raises(IndicatorImportError, match="201 Mo.*200 Mo"):
        read_table(path, "code", [_count()])
    small = tmp_path / "petit.csv"
    small.write_text("code;valeur\n01001;3\n")
    with pytest.raises(IndicatorImportError, match="limite"):
        read_insee_population(small, max_bytes=5)


def test_empty_file_and_old_excel(tmp_path):
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    with pytest.raises(IndicatorImportError, match="vide"):
        read_table(empty, "code", [_count()])
    with pytest.raises(IndicatorImportError, match=".xls"):
        read_table(b"\xd0\xcf\x11\xe0 old excel", "code", [_count()], filename="vieux.xls")


# --- workspace -----------------------------------------------------------------------------

def _small_dataset(tmp_path, values="code;valeur\n01001;3\n81060;2\n"):
    path = tmp_path / "t.csv"
    path.write_text(values)
    return read_table(path, "code", [_count()], title="Essai", publisher="test", vintage=2024)


def test_workspace_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("CPTS_WORKSPACE", str(tmp_path / "ws"))
    assert workspace_dir() == tmp_path / "ws"
    dataset = _small_dataset(tmp_path)
    save_dataset(dataset)
    assert [m["id"] for m in list_datasets()] == ["essai"]
    loaded = load_dataset("essai")
    pd.testing.assert_frame_equal(loaded.table, dataset.table)
    assert loaded.indicators == dataset.indicators and loaded.provenance == dataset.provenance
    assert remove_dataset("essai") and list_datasets() == []
    assert not remove_dataset("essai")


def test_failures_leave_saved_datasets_untouched(tmp_path, monkeypatch):
    workspace = tmp_path / "ws"
    saved = _small_dataset(tmp_path)
    save_dataset(saved, workspace)
    with pytest.raises(IndicatorImportError):
        _small_dataset(tmp_path, "code;valeur\n01001;n'importe quoi\n")
    newer = _small_dataset(tmp_path, "code;valeur\n01001;30\n")

    def broken(*args, **kwargs):
        raise OSError("disque plein")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", broken)
    with pytest.raises(OSError):
        save_dataset(newer, workspace)
    monkeypatch.undo()
    pd.testing.assert_frame_equal(load_dataset("essai", workspace).table, saved.table)
    assert sorted(p.name for p in (workspace / "datasets").iterdir()) == ["essai"]
