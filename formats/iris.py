"""IRIS: INSEE's infra-communal districts, from IGN CONTOURS-IRIS and INSEE population files.

Reads the files as their publishers distribute them (Shapefile or GeoPackage, possibly in
the .zip/.7z archive; GeoParquet/GeoJSON extracts) into the canonical unit columns, with
each IRIS placed in its current commune (codes of merged communes follow the COG
successors) and its population left unknown until an INSEE population file says it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from formats.archives import ArchiveError, extract
from formats.indicator_files import IndicatorImportError, read_insee_ages
from geo.areas import area_km2
from geo.units import UNIT_COLUMNS
from indicators.definitions import age_column

# Column names across CONTOURS-IRIS editions (2.x shapefiles: upper case; 3.x: lower).
_IRIS_COLUMNS = {
    "code_iris": "code",
    "nom_iris": "name",
    "insee_com": "iris_commune",
    "code_insee": "iris_commune",
}


class IrisFileError(ValueError):
    """An IRIS file that cannot be read as CONTOURS-IRIS or as an INSEE IRIS table."""


def _vector_file_in(path: Path, workdir: Path) -> Path:
    """The .shp/.gpkg inside an IGN archive (zip or 7z), or the path itself."""
    if path.suffix.lower() not in (".zip", ".7z"):
        return path
    try:
        extract(path, workdir)
    except ArchiveError as exc:
        raise IrisFileError(str(exc)) from exc
    found = sorted(workdir.rglob("*.gpkg")) + sorted(workdir.rglob("*.shp"))
    if not found:
        raise IrisFileError(f"Aucun fichier .shp ni .gpkg dans « {path.name} » : ce n'est pas une "
                            "archive CONTOURS-IRIS de l'IGN.")
    if found[0].suffix.lower() == ".shp" and not any(
            p.suffix.lower() == ".shx" for p in found[0].parent.glob(found[0].stem + ".*")):
        raise IrisFileError(f"Le Shapefile de « {path.name} » est incomplet : il manque le fichier .shx "
                            "(et sans doute .dbf, .prj) du même nom.")
    return found[0]


def read_iris_contours(path: str | Path, communes: gpd.GeoDataFrame,
                       successors: dict[str, str]) -> gpd.GeoDataFrame:
    """IRIS contours as canonical units (level `iris`), in EPSG:4326.

    `communes` is the embedded table (indexed by code), to attach each IRIS to its
    commune or arrondissement, département, région and EPCI.
    """
    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        source = _vector_file_in(path, Path(tmp))
        try:
            raw = gpd.read_parquet(source) if source.suffix.lower() == ".parquet" else gpd.read_file(source)
        except Exception as exc:  # pyogrio and pyarrow raise many types for unreadable files
            raise IrisFileError(f"Fichier de contours illisible « {path.name} » "
                                f"({str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__}).") from exc
    raw = raw.rename(columns={c: c.lower() for c in raw.columns if c != "geometry"})
    raw = raw.rename(columns=_IRIS_COLUMNS)
    if not {"code", "iris_commune"} <= set(raw.columns):
        raise IrisFileError(f"« {path.name} » n'a pas les colonnes CODE_IRIS et INSEE_COM des "
                            "CONTOURS-IRIS de l'IGN.")
    if raw.crs is None:
        raise IrisFileError(f"« {path.name} » ne déclare pas son système de coordonnées (.prj manquant ?).")
    return as_iris_units(raw.to_crs(4326), communes, successors)


def as_iris_units(raw: gpd.GeoDataFrame, communes: gpd.GeoDataFrame,
                  successors: dict[str, str]) -> gpd.GeoDataFrame:
    """Canonical IRIS units from a frame in EPSG:4326 with `code`, `iris_commune` and
    optionally `name` columns (IRIS of communes unknown to `communes` are dropped)."""
    raw = raw.copy()
    raw["code"] = raw["code"].astype(str).str.zfill(9)
    if "name" not in raw:
        raw["name"] = raw["code"]

    # IRIS of Paris, Lyon and Marseille sit in an arrondissement; others in a commune.
    parent = raw["iris_commune"].astype(str).str.zfill(5).map(lambda c: successors.get(c, c))
    known = parent.isin(communes.index)
    raw, parent = raw[known].copy(), parent[known]
    up = communes.loc[parent.to_numpy()]
    for column in ["commune_code", "commune_name", "dep", "dep_name", "reg", "reg_name",
                   "epci_code", "epci_name", "postal_codes"]:
        raw[column] = up[column].to_numpy()
    raw["parent_code"] = parent.to_numpy()
    raw["level"] = "iris"
    raw["population"] = pd.array([pd.NA] * len(raw), dtype="Int64")
    raw["population_vintage"] = pd.NA
    raw["area_km2"] = area_km2(raw)
    return gpd.GeoDataFrame(raw[UNIT_COLUMNS], geometry="geometry", crs=4326)


def read_iris_population(path: str | Path) -> tuple[pd.Series, int]:
    """Population by IRIS from INSEE's `base-ic-evol-struct-pop-YYYY` (read as the age
    indicators read it, `read_insee_ages`). Returns (population indexed by 9-digit IRIS code,
    census year); IrisFileError, in French, for anything else (a communes file included)."""
    try:
        ages = read_insee_ages(path)
    except IndicatorImportError as exc:
        raise IrisFileError(str(exc)) from None
    if ages.level != "iris":
        raise IrisFileError(f"« {ages.name} » donne la population par commune (colonne CODGEO), pas par "
                            "IRIS : importez le fichier IRIS base-ic-evol-struct-pop.")
    population = ages.values[age_column("")]
    return population.dropna().round().astype("Int64"), ages.year
