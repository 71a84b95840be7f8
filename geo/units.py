"""The embedded territorial units: communes and arrondissements municipaux of all France.

One GeoDataFrame in EPSG:4326 with the canonical columns of DESIGN.md, read once per
process from the GeoParquet that `data/build_communes.py` makes (read at every app
start, so it must stay fast). `level` is `commune`, `arrondissement` or `iris`;
`parent_code` is the unit directly containing this one (an arrondissement's commune,
an IRIS's commune or arrondissement), empty for a commune.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
COMMUNES_FILE = DATA_DIR / "communes.parquet"
NEIGHBOURS_FILE = DATA_DIR / "commune_neighbours.parquet"
SUCCESSORS_FILE = DATA_DIR / "code_successors.csv"
POPULATIONS_FILE = DATA_DIR / "populations.parquet"
IRIS_POPULATION_FILE = DATA_DIR / "iris_population_2016.parquet"
IRIS_ESTIMATE_YEAR = 2016

UNIT_COLUMNS = [
    "code", "level", "name", "parent_code", "commune_code", "commune_name",
    "dep", "dep_name", "reg", "reg_name", "epci_code", "epci_name",
    "population", "population_vintage", "postal_codes", "area_km2", "geometry",
]


@lru_cache(maxsize=1)
def load_communes() -> gpd.GeoDataFrame:
    """Communes and arrondissements municipaux, indexed by INSEE code (also a column)."""
    units = gpd.read_parquet(COMMUNES_FILE)
    return units.set_index("code", drop=False)


@lru_cache(maxsize=1)
def load_commune_neighbours() -> pd.DataFrame:
    """Pairs (a, b, border_m) of communes/arrondissements sharing a land border."""
    return pd.read_parquet(NEIGHBOURS_FILE)


@lru_cache(maxsize=1)
def load_successors() -> dict[str, str]:
    """Obsolete commune code -> the current commune that absorbed it."""
    table = pd.read_csv(SUCCESSORS_FILE, dtype=str)
    return dict(zip(table["old_code"], table["current_code"], strict=True))


class UnknownVintageError(ValueError):
    """A vintage of the populations légales that the embedded data do not hold."""

    def __init__(self, vintage):
        available = ", ".join(map(str, population_vintages()))
        super().__init__(f"Millésime de population {vintage} inconnu : millésimes disponibles "
                         f"{available} (en vigueur : {vintage_in_force()}).")


@lru_cache(maxsize=1)
def load_populations() -> pd.DataFrame:
    """Population municipale of every embedded vintage: code -> one integer column per
    vintage (nullable: a unit whose territory changed since that vintage is unknown)."""
    table = pd.read_parquet(POPULATIONS_FILE).set_index("code")
    table.columns = table.columns.astype(int)
    return table


@lru_cache(maxsize=1)
def load_iris_population_2016() -> pd.Series:
    """Population 2016 of the habitat IRIS (INSEE), by 9-character IRIS code."""
    table = pd.read_parquet(IRIS_POPULATION_FILE)
    return pd.Series(table["pop_2016"].to_numpy(dtype=float), index=table["code"])


def population_vintages() -> tuple[int, ...]:
    return tuple(sorted(int(v) for v in embedded_metadata()["population_vintages"]))


def vintage_in_force() -> int:
    """The vintage of the populations légales in force (what the ARS reads)."""
    return int(embedded_metadata()["population_vintage"])


def checked_vintage(vintage) -> int:
    """`vintage` as an int, or UnknownVintageError with the available ones."""
    try:
        value = int(vintage)
    except (TypeError, ValueError):
        raise UnknownVintageError(vintage) from None
    if value not in population_vintages():
        raise UnknownVintageError(vintage)
    return value


def vintage_label(vintages) -> str:
    """`population municipale 2023 (INSEE, en vigueur)`: what follows every population
    (`vintages`: one vintage or those of a set of units, an imported IRIS file's among them)."""
    vintages = sorted({int(v) for v in ([vintages] if isinstance(vintages, int) else vintages)})
    if not vintages:
        return "millésime inconnu"
    suffix = ", en vigueur" if vintages == [vintage_in_force()] else ""
    plural = "s" if len(vintages) > 1 else ""
    return (f"population{plural} municipale{plural} {', '.join(map(str, vintages))} "
            f"(INSEE{suffix})")


@lru_cache(maxsize=1)
def embedded_metadata() -> dict:
    """Provenance of the embedded file: source, version, vintages, known gaps."""
    return json.loads(COMMUNES_FILE.with_suffix(".json").read_text())
