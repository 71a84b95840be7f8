"""The table a lettre d'intention asks for: communes (or quartiers) by name, as letters list
them, code postal, code INSEE, population and its year; a total row; and the same as
spreadsheet bytes (a CSV that Excel opens as it is: UTF-8 with a BOM, semicolons)."""

from __future__ import annotations

import unicodedata

import pandas as pd

from formats.spreadsheets import to_csv_text
from geo import manual_population
from geo.catalog import Catalog
from geo.perimeter import Perimeter, units_of
from geo.population import estimate_method

COLUMNS = ["Commune / quartier", "Code postal", "Code INSEE", "Code IRIS", "Population", "Année"]
METHOD = "Méthode"  # added when some IRIS populations are estimates


def lettre_table(catalog: Catalog, perimeter: Perimeter) -> pd.DataFrame:
    """One row per unit, by name; a population entered by hand (geo.manual_population)
    fills an unknown one, its year column saying « saisie manuelle » and the source."""
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
    for code, entry in manual_population.in_use(perimeter.metadata, rows["code"]).items():
        at = rows.index[rows["code"] == code]
        if table.loc[at, COLUMNS[4]].isna().all() or estimated.loc[at].all():
            table[COLUMNS[4]] = table[COLUMNS[4]].astype(object)
            table[COLUMNS[5]] = table[COLUMNS[5]].astype(object)
            table.loc[at, COLUMNS[4]] = entry.value
            table.loc[at, COLUMNS[5]] = entry.note()
            if METHOD in table:
                table.loc[at, METHOD] = manual_population.MARK
    order = sorted(range(len(table)), key=lambda i: (_plain(rows["commune_name"].iloc[i]),
                                                    _plain(rows["name"].iloc[i]), rows["code"].iloc[i]))
    return table.iloc[order].reset_index(drop=True)


def _plain(text) -> str:
    """Sort key of a French name: accents and case set aside (« Écueillé » among the E)."""
    return unicodedata.normalize("NFD", str(text)).encode("ascii", "ignore").decode().casefold()


def with_total(table: pd.DataFrame) -> pd.DataFrame:
    """The table and a total row: communes (and IRIS), population with its year(s). A
    population unknown for some unit leaves the total empty and says so (never a partial
    sum passed off as the whole)."""
    name, _, insee, iris, population, year = COLUMNS
    communes = table[insee].nunique()
    quartiers = int((table[iris].fillna("") != "").sum())
    label = f"Total : {communes} commune{'s' if communes > 1 else ''}"
    if quartiers:
        label += f" (dont {quartiers} IRIS)"
    known = table[population].notna()
    if not known.all():
        label += f" ; population inconnue pour {int((~known).sum())} unité(s)"
    if METHOD in table and table[METHOD].astype(str).str.startswith("estimation").any():
        label += " ; population en partie estimée (colonne « Méthode »)"
    manual = table[year].astype(str).str.startswith(manual_population.MARK)
    years = [str(y) for y in sorted({int(y) for y in table.loc[~manual, year].dropna()})]
    if manual.any():
        years.append(f"dont {manual_population.MARK}")
    total = {name: label, population: table[population].sum() if known.all() else pd.NA,
             year: ", ".join(map(str, years))}
    # The year column turns to text (« 2023 », « saisie manuelle … », the total's list): one
    # type per column, as spreadsheets and Arrow want.
    table = table.assign(**{year: table[year].map(_year_text)})
    return pd.concat([table, pd.DataFrame([total], columns=table.columns)], ignore_index=True)


def _year_text(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return str(int(value)) if isinstance(value, (int, float)) or str(value).isdigit() else str(value)


def lettre_csv(table: pd.DataFrame) -> bytes:
    """CSV for Excel in French: UTF-8 with a BOM (accents), `;` between columns."""
    return to_csv_text(table).encode("utf-8-sig")
