"""Perimeters in and out of files: GeoJSON, GeoPackage, Shapefile (zipped or not), CSV of codes.

Written files carry the codes themselves (GeoJSON: a `codes` property beside the dissolved
contour; CSV: one code per row), so a perimeter reads back exactly. Layers of existing
CPTS become perimeters: by their codes when the file has them, else by the units lying
mostly inside each feature's geometry. Every problem becomes a PerimeterFileError whose
message, in French, can be shown to the user as it is.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.catalog import Catalog, fold, normalise_code
from geo.perimeter import Perimeter, geometry_of

MAX_FILE_BYTES = 50 * 1024 * 1024
CODE_PROPERTIES = ("codes", "communes", "code_insee", "codes_insee", "insee", "code_iris", "iris")
NAME_PROPERTIES = ("name", "nom", "nom_cpts", "cpts", "libelle", "perimetre", "territoire")
CSV_CODE_COLUMNS = ("code", "code_insee", "codgeo", "insee", "depcom", "code_commune", "code_iris",
                    "iris", "com")
# Where French communes lie (EPSG:4326 boxes): metropolitan France and Corsica,
# Guadeloupe, Martinique, Guyane, La Réunion, Mayotte.
FRANCE_BOXES = shapely.MultiPolygon([
    shapely.box(-5.5, 41.2, 10.0, 51.2), shapely.box(-61.9, 15.8, -60.9, 16.6),
    shapely.box(-61.3, 14.3, -60.7, 14.95), shapely.box(-54.7, 2.1, -51.5, 5.85),
    shapely.box(55.2, -21.4, 55.9, -20.8), shapely.box(44.9, -13.1, 45.35, -12.6),
])


class PerimeterFileError(ValueError):
    """A file that cannot become perimeters; the message is French, for the user."""


@dataclass
class Layer:
    """Perimeters read from one file, with what could not be placed."""

    perimeters: list[Perimeter]
    unknown_codes: dict[str, list[str]] = field(default_factory=dict)
    remapped: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    geometries: dict[str, object] = field(default_factory=dict)


# --- writing -----------------------------------------------------------------------

def to_geojson(catalog: Catalog, perimeters: list[Perimeter]) -> str:
    features = []
    for p in perimeters:
        geometry = geometry_of(catalog, p)
        features.append({
            "type": "Feature",
            "properties": {"name": p.name, "codes": p.sorted_codes(), "metadata": p.metadata},
            "geometry": None if geometry.is_empty else json.loads(shapely.to_geojson(geometry)),
        })
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def to_csv(perimeter: Perimeter) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["perimetre", "code"])
    writer.writerows([perimeter.name, code] for code in perimeter.sorted_codes())
    return out.getvalue()


# --- reading -----------------------------------------------------------------------

def read_layer(catalog: Catalog, data: bytes, filename: str) -> Layer:
    """Perimeters from a file's bytes; `filename` tells the format by its extension."""
    if not data or not data.strip():
        raise PerimeterFileError(f"Le fichier « {filename} » est vide.")
    if len(data) > MAX_FILE_BYTES:
        raise PerimeterFileError(
            f"Le fichier « {filename} » dépasse {MAX_FILE_BYTES // 2**20} Mo : "
            "exportez seulement les périmètres utiles.")
    suffix = Path(filename).suffix.lower()
    if suffix in (".csv", ".txt"):
        return _layer_from_codes_table(catalog, _read_csv(data, filename), Path(filename).stem)
    if suffix in (".geojson", ".json", ".gpkg", ".shp", ".zip"):
        return _layer_from_features(catalog, _read_vector(data, filename), filename)
    raise PerimeterFileError(
        f"Format non reconnu pour « {filename} » : attendu GeoJSON, GeoPackage, "
        "Shapefile zippé ou CSV de codes INSEE.")


def _read_csv(data: bytes, filename: str) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
        sep = dialect.delimiter
    except csv.Error:
        sep = ","
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise PerimeterFileError(f"CSV illisible « {filename} » : {exc}") from exc


def _column_key(name) -> str:
    """`Code INSEE` -> `code_insee`: how headers are matched."""
    return fold(str(name)).replace(" ", "_")


def _layer_from_codes_table(catalog: Catalog, table: pd.DataFrame, default_name: str) -> Layer:
    columns = {_column_key(c): c for c in table.columns}
    code_col = next((columns[c] for c in CSV_CODE_COLUMNS if c in columns), None)
    if code_col is None and len(table.columns) == 1:
        code_col = table.columns[0]
    if code_col is None:
        raise PerimeterFileError(
            "Aucune colonne de codes INSEE trouvée : nommez-la « code » (ou code_insee, "
            f"codgeo, code_iris). Colonnes lues : {', '.join(map(str, table.columns))}.")
    name_col = next((columns[c] for c in NAME_PROPERTIES if c in columns), None)
    groups = table.groupby(table[name_col].str.strip()) if name_col else [(default_name, table)]
    layer = Layer([])
    for name, rows in groups:
        _add(catalog, layer, str(name), list(rows[code_col]), {})
    if not layer.perimeters:
        raise PerimeterFileError("Le fichier ne contient aucun code.")
    return layer


def _read_vector(data: bytes, filename: str) -> gpd.GeoDataFrame:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(filename).name
        path.write_bytes(data)
        if path.suffix.lower() == ".zip":
            try:
                with zipfile.ZipFile(path) as z:
                    z.extractall(tmp)
            except zipfile.BadZipFile as exc:
                raise PerimeterFileError(f"Archive zip illisible : « {filename} ».") from exc
            found = sorted(Path(tmp).rglob("*.shp")) + sorted(Path(tmp).rglob("*.gpkg"))
            if not found:
                raise PerimeterFileError(f"Aucun Shapefile (.shp) ni GeoPackage dans « {filename} ».")
            path = found[0]
        try:
            frame = gpd.read_file(path)
        except Exception as exc:  # pyogrio raises several types for unreadable files
            raise PerimeterFileError(f"Fichier géographique illisible « {filename} » : {exc}") from exc
    if frame.empty:
        raise PerimeterFileError(f"Le fichier « {filename} » ne contient aucune entité.")
    return _in_wgs84(frame, filename)


def _in_wgs84(frame: gpd.GeoDataFrame, filename: str) -> gpd.GeoDataFrame:
    """To EPSG:4326, refusing coordinates that cannot be French degrees (a Lambert-93 file
    with no or a wrong CRS) rather than placing perimeters in the sea."""
    if frame.crs is None:
        frame = frame.set_crs(4326)
    minx, miny, maxx, maxy = frame.total_bounds
    if frame.crs.is_geographic and (abs(minx) > 180 or abs(maxx) > 180 or abs(miny) > 90 or abs(maxy) > 90):
        raise PerimeterFileError(
            f"Les coordonnées de « {filename} » ne sont pas des degrés (x jusqu'à {maxx:,.0f}) : "
            "le fichier semble en Lambert-93 (EPSG:2154) sans système de coordonnées déclaré. "
            "Réexportez-le en WGS84 ou avec sa projection (.prj).")
    frame = frame.to_crs(4326)
    if not shapely.box(*frame.total_bounds).intersects(FRANCE_BOXES):
        raise PerimeterFileError(
            f"« {filename} » tombe hors de France une fois projeté : son système de "
            "coordonnées déclaré est probablement faux.")
    frame["geometry"] = shapely.make_valid(frame.geometry.to_numpy())
    return frame


def _codes_property(value) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return [str(v) for v in json.loads(text)]
        return [v for v in text.replace(";", ",").replace(" ", ",").split(",") if v]
    return [str(v) for v in list(value)]


def _metadata(value) -> dict:
    """The `metadata` object this module writes (a dict, or its JSON text once read back)."""
    if isinstance(value, str) and value.startswith("{"):
        value = json.loads(value)
    return dict(value) if isinstance(value, dict) else {}


def _property_value(value):
    """A feature property kept in metadata: text and numbers as they are, a list (a GeoJSON
    array, e.g. PACA's `infra: ["Nice"]` naming a shared city) as a list of text; else None."""
    if isinstance(value, (str, int, float)):
        return None if pd.isna(value) else value
    if pd.api.types.is_list_like(value) and not isinstance(value, dict):
        return [str(v) for v in value]
    return None


def _layer_from_features(catalog: Catalog, frame: gpd.GeoDataFrame, filename: str) -> Layer:
    columns = {_column_key(c): c for c in frame.columns if c != "geometry"}
    name_col = next((columns[c] for c in NAME_PROPERTIES if c in columns), None)
    code_cols = [columns[c] for c in CODE_PROPERTIES if c in columns]
    arr_col = columns.get("arrondissements")
    layer = Layer([])
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        row = row._asdict()
        name = str(row.get(name_col) or "").strip() if name_col else ""
        if not name or name.lower() == "nan":
            name = f"CPTS sans nom n°{i}"
            layer.warnings.append(f"L'entité n°{i} n'a pas de nom : nommée « {name} ».")
        codes = [c for col in code_cols for c in _codes_property(row.get(col))]
        if arr_col:
            arrondissements = _codes_property(row.get(arr_col))
            parents = {catalog.units["parent_code"].get(normalise_code(a)) for a in arrondissements}
            codes = [c for c in codes if normalise_code(c) not in parents] + arrondissements
        extra = _metadata(row.get(columns.get("metadata")))
        kept = {k: _property_value(v) for k, v in row.items()
                if k not in ("geometry", "metadata", name_col, arr_col, *code_cols)}
        extra.update({k: v for k, v in kept.items() if v is not None})
        geometry = row.get("geometry")
        if not codes:
            if geometry is None or geometry.is_empty:
                layer.warnings.append(f"« {name} » n'a ni codes ni géométrie : ignorée.")
                continue
            codes = catalog.units_in_polygon(geometry, "commune")
            extra["codes_from_geometry"] = True
        name = _add(catalog, layer, name, codes, extra)
        if geometry is not None and not geometry.is_empty:
            layer.geometries[name] = geometry
    if not layer.perimeters:
        raise PerimeterFileError(f"Aucun périmètre utilisable dans « {filename} ».")
    return layer


def _add(catalog: Catalog, layer: Layer, name: str, codes: list[str], metadata: dict) -> str:
    """Append a perimeter (renamed if its name is taken); returns the name it got."""
    taken = {p.name for p in layer.perimeters}
    if name in taken:
        new = next(f"{name} ({k})" for k in range(2, 10_000) if f"{name} ({k})" not in taken)
        layer.warnings.append(f"Nom en double « {name} » : la seconde entité devient « {new} ».")
        name = new
    resolution = catalog.resolve(codes)
    if resolution.unknown:
        layer.unknown_codes[name] = list(resolution.unknown)
    layer.remapped.update(resolution.remapped)
    layer.perimeters.append(Perimeter(name, frozenset(resolution.codes), metadata))
    return name

