"""The lettre d'intention table: units by name as letters list them, a total row with the
population's vintage, and a CSV that Excel opens as it is (BOM, semicolons)."""

import io
import unicodedata

import pandas as pd

from reports.lettre import COLUMNS, lettre_csv, lettre_table, with_total

NAME, POSTAL, INSEE, IRIS, POP, YEAR = COLUMNS


def plain(text: str) -> str:
    return unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode().casefold()


def test_units_are_sorted_by_name(catalog, carmausin):
    table = lettre_table(catalog, carmausin)
    names = table[NAME].tolist()
    assert names == sorted(names, key=plain)


def test_total_row_counts_communes_and_population_with_vintage(catalog, carmausin):
    units = catalog.units.loc[sorted(carmausin.codes)]
    table = with_total(lettre_table(catalog, carmausin))
    total = table.iloc[-1]
    assert total[NAME] == f"Total : {len(units)} communes"
    assert int(total[POP]) == int(units["population"].sum())
    assert str(total[YEAR]) == ", ".join(map(str, sorted(units["population_vintage"].dropna().astype(int).unique())))
    assert len(table) == len(units) + 1


def test_csv_has_a_bom_and_semicolons_for_excel(catalog, carmausin):
    data = lettre_csv(with_total(lettre_table(catalog, carmausin)))
    assert data.startswith("\ufeff".encode())
    back = pd.read_csv(io.BytesIO(data), sep=";", encoding="utf-8-sig", dtype=str)
    assert list(back.columns) == COLUMNS
    assert back[NAME].iloc[-1].startswith("Total")
    assert "Saint-Benoît-de-Carmaux" in set(back[NAME])  # accents survive
