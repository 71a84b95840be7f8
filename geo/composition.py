"""The table a lettre d'intention asks for: communes (or quartiers), code postal, code INSEE,
and the same as spreadsheet bytes."""

from __future__ import annotations

import io

import pandas as pd

from geo.catalog import Catalog
from geo.perimeter import Perimeter, units_of
from geo.population import estimate_method

COLUMNS = ["Commune / quartier", "Code postal", "Code INSEE", "Code IRIS", "Population", "Année"]
METHOD = "Méthode"  # added when some IRIS populations are estimates


def lettre_table(catalog: Catalog, perimeter: Perimeter) -> pd.DataFrame:
    rows = units_of(catalog, perimeter)
    is_iris = rows["level"] == "iris"
    label = rows["name"].where(~is_iris, rows["name"] + " (" + rows["commune_name"] + ")")
    table = pd.DataFrame({
        COLUMNS[0]: label,
        COLUMNS[1]: rows["postal_codes"].str.replace(";", ", "),
        COLUMNS[2]: rows["code"].where(~is_iris, rows["parent_code"]),
        COLUMNS[3]: rows["code"].where(is_iris, ""),
        COLUMNS[4]: rows["population"],
        COLUMNS[5]: rows["population_vintage"],
    })
    estimated = rows["code"].isin(catalog.estimated)
    if estimated.any():
        table[METHOD] = estimated.map({True: "estimation : " + estimate_method(), False: "recensement"})
    return table.sort_values([COLUMNS[2], COLUMNS[3]]).reset_index(drop=True)


# A cell starting with one of these is run as a formula by spreadsheets (CSV) or written as
# one by openpyxl: a CPTS named `=HYPERLINK("http://…"&B3,"Voir")` would call out.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def to_xlsx(table: pd.DataFrame, sheet: str = "Périmètre") -> bytes:
    """Every text cell written as text, never as a formula or a link (names come from users
    and files)."""
    out = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with pd.ExcelWriter(out, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        table.to_excel(writer, sheet_name=sheet[:31], index=False)
    return out.getvalue()


def inert(value):
    """Text that a spreadsheet opening a CSV would run as a formula, prefixed with `'`."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def to_csv_text(table: pd.DataFrame, sep: str = ";") -> str:
    """The table as CSV with every text cell inert (see `inert`)."""
    return table.map(inert).to_csv(index=False, sep=sep)
