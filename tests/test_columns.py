"""Real-shaped tables and layers: the code and grouping columns are found by their content,
shown, overridable, and a file with two plausible readings is a question, not a guess."""

import io

import pandas as pd
import pytest

from formats.columns import ColumnChoice
from formats.layers import AmbiguousFileError, PerimeterFileError, read_layer
from formats.spreadsheets import to_xlsx
from reports.lettre import lettre_table


def carmausin_rows(catalog, carmausin) -> pd.DataFrame:
    """A porteur's list: one commune per row, its INSEE code and its name."""
    units = catalog.units.loc[carmausin.sorted_codes()]
    return pd.DataFrame({"code": units["code"].to_numpy(), "nom": units["name"].to_numpy()})


def xlsx_bytes(table: pd.DataFrame) -> bytes:
    out = io.BytesIO()
    table.to_excel(out, index=False)
    return out.getvalue()


def test_code_nom_csv_is_one_perimeter_of_32_communes(catalog, carmausin):
    layer = read_layer(catalog, carmausin_rows(catalog, carmausin).to_csv(index=False).encode(),
                       "carmausin.csv")
    assert [p.codes for p in layer.perimeters] == [carmausin.codes] and len(carmausin.codes) == 32
    assert layer.detection.code_columns == ("code",) and layer.detection.group_column is None
    assert layer.detection.labels == ("nom",)
    assert "Colonne(s) de libellés, pas de regroupement : « nom »." in layer.detection.describe()


def test_xlsx_twin_with_lost_zeros_gives_the_same_perimeter_and_says_so(catalog, carmausin):
    table = carmausin_rows(catalog, carmausin)
    layer = read_layer(catalog, xlsx_bytes(table), "carmausin.xlsx")
    assert layer.perimeters[0].codes == carmausin.codes
    # A spreadsheet that stored Ain's codes as numbers lost their zero: restored, and said.
    ain = pd.DataFrame({"Code INSEE": [1001, 1004], "CPTS": ["Ain Sud", "Ain Sud"]})
    layer = read_layer(catalog, xlsx_bytes(ain), "ain.xlsx")
    assert layer.perimeters[0].codes == {"01001", "01004"} and layer.perimeters[0].name == "Ain Sud"
    assert layer.detection.zeros_restored == 2
    assert any("Zéro initial rétabli sur 2 code(s) (par exemple 1001 → 01001)" in line
               for line in layer.detection.describe())


def test_xlsx_renamed_csv_and_ods_are_read(catalog, carmausin):
    table = carmausin_rows(catalog, carmausin)
    assert read_layer(catalog, xlsx_bytes(table), "carmausin.csv").perimeters[0].codes == carmausin.codes
    out = io.BytesIO()
    table.to_excel(out, index=False, engine="odf") if _has_odf() else pytest.skip("odfpy absent to write ODS")
    assert read_layer(catalog, out.getvalue(), "carmausin.ods").perimeters[0].codes == carmausin.codes


def _has_odf() -> bool:
    try:
        import odf  # noqa: F401
    except ImportError:
        return False
    return True


def test_lettre_d_intention_export_reopens_as_the_same_perimeter(iris_catalog, catalog, carmausin):
    from geo.examples import ruscino

    for cat, perimeter in ((catalog, carmausin), (iris_catalog, ruscino(iris_catalog))):
        data = to_xlsx(lettre_table(cat, perimeter))
        back = read_layer(cat, data, "lettre_intention.xlsx")
        assert [p.codes for p in back.perimeters] == [perimeter.codes]
        assert back.detection.group_column is None


def test_grouping_column_is_found_by_content_whatever_its_name(catalog, carmausin):
    rows = carmausin_rows(catalog, carmausin)
    rows["libelle_cpts"] = ["Nord" if i % 2 else "Sud" for i in range(len(rows))]
    layer = read_layer(catalog, rows.to_csv(index=False, sep="|").encode(), "deux.csv")
    assert {p.name for p in layer.perimeters} == {"Nord", "Sud"}
    assert layer.detection.group_column == "libelle_cpts" and layer.detection.perimeters == 2


def test_no_cpts_values_are_uncovered_and_listed(catalog):
    text = "code;cpts\n81004;Albi\n81060;HORS CPTS\n81065;Aucune\n81099;\n81100;Albi\n"
    layer = read_layer(catalog, text.encode(), "c.csv")
    assert [p.name for p in layer.perimeters] == ["Albi"]
    assert layer.uncovered == {"HORS CPTS": ["81060"], "Aucune": ["81065"], "": ["81099"]}
    assert "« HORS CPTS » (1), « Aucune » (1), « (vide) » (1)" in layer.detection.describe()[-1]


def test_overrides_choose_the_columns(catalog):
    text = ("commune_siege,commune_antenne,groupe,zone\n81004,81060,Nord,Est\n81060,81004,Nord,Ouest\n"
            "81065,81099,Sud,Est\n81099,81065,Sud,Ouest\n")
    with pytest.raises(AmbiguousFileError) as err:
        read_layer(catalog, text.encode(), "t.csv")
    # Two columns of different commune codes: which is meant cannot be guessed.
    assert err.value.kind == "code" and set(err.value.candidates) == {"commune_siege", "commune_antenne"}
    assert "« commune_siege »" in str(err.value) and "--code-column" in str(err.value)
    with pytest.raises(AmbiguousFileError) as err:
        read_layer(catalog, text.encode(), "t.csv", ColumnChoice(code="commune_siege"))
    assert err.value.kind == "group" and set(err.value.candidates) == {"groupe", "zone"}
    layer = read_layer(catalog, text.encode(), "t.csv", ColumnChoice(code="commune_antenne", group="zone"))
    assert {p.name: p.codes for p in layer.perimeters} == {"Est": {"81060", "81099"}, "Ouest": {"81004", "81065"}}
    assert layer.detection.imposed_code and "imposée" in layer.detection.describe()[0]
    assert "Regroupement (imposé)" in layer.detection.describe()[1]
    single = read_layer(catalog, text.encode(), "t.csv", ColumnChoice(code="commune_siege", group=""))
    assert [len(p.codes) for p in single.perimeters] == [4]
    with pytest.raises(PerimeterFileError, match="Colonne « nope » absente"):
        read_layer(catalog, text.encode(), "t.csv", ColumnChoice(code="nope"))


def test_a_porteurs_sheet_with_a_title_row_above_the_table(catalog, carmausin):
    table = carmausin_rows(catalog, carmausin)
    out = io.BytesIO()
    with pd.ExcelWriter(out) as writer:
        pd.DataFrame([["Liste des communes de la CPTS du Carmausin-Ségala"], [""]]).to_excel(
            writer, index=False, header=False)
        table.to_excel(writer, index=False, startrow=3)
    layer = read_layer(catalog, out.getvalue(), "liste.xlsx")
    assert layer.perimeters[0].codes == carmausin.codes and layer.detection.code_columns == ("code",)


def test_a_cpts_column_whose_names_never_repeat_still_groups(catalog):
    """One commune per CPTS and one « HORS CPTS » row: each value appears once, yet the
    column names CPTS, not the rows' communes (it was read as a label: one perimeter of
    three communes, Taille 3, the « HORS CPTS » commune inside)."""
    table = "insee;commune;cpts\n81060;Carmaux;A\n81004;Albi;B\n81065;Castres;HORS CPTS\n"
    layer = read_layer(catalog, table.encode(), "b.csv")
    assert layer.detection.group_column == "cpts"
    assert {p.name: p.codes for p in layer.perimeters} == {"A": {"81060"}, "B": {"81004"}}
    assert layer.detection.uncovered == {"HORS CPTS": 1}
    # A name column whose values are unique and mark no uncovered row stays a label.
    names = "code,nom\n81060,Le Carmausin\n81004,Albigeois\n"
    assert len(read_layer(catalog, names.encode(), "n.csv").perimeters) == 1


def test_a_cpts_named_with_one_letter_is_a_cpts(catalog):
    """« X » is a name, not a mark of « no CPTS »: read as uncovered, its overlap with « Y »
    on Albi went unreported (exit 0)."""
    layer = read_layer(catalog, b"code;cpts\n81060;X\n81004;X\n81004;Y\n", "l.csv")
    assert sorted(p.name for p in layer.perimeters) == ["X", "Y"] and not layer.uncovered
