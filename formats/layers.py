"""Perimeters in and out of files: GeoJSON, GeoPackage, Shapefile (zipped), and tables
(CSV, XLSX, XLS, ODS: formats.spreadsheets) of codes.

Written files carry the codes themselves (GeoJSON: a `codes` property beside the dissolved
contour; CSV: one code per row), so a perimeter reads back exactly. Read files go through
the same steps whatever their format: the rows, then the code and grouping columns found by
their content or imposed by the user (formats.columns), then the perimeters — by their codes
when the file has them, else by the units mostly inside each contour (all the layer's
contours at once, so a commune cut between them is a split, not an overlap). An IRIS-level
layer brings its IRIS contours when the catalog lacks them. What was repaired or cannot be
sure is said in `Layer.warnings`; every problem becomes a PerimeterFileError whose message,
in French, can be shown to the user as it is (AmbiguousFileError when the user must choose).
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from formats.archives import ArchiveError, extract
from formats.columns import (
    CODE_PATTERN,
    AmbiguousColumnsError,
    ColumnChoice,
    ColumnNotFoundError,
    Detection,
    cell_codes,
    detect_codes,
    detect_group,
    is_no_cpts,
    level_label,
)
from formats.spreadsheets import (
    TABLE_SUFFIXES,
    TableError,
    inert,
    is_spreadsheet,
    read_table,
)
from geo.areas import area_shares
from geo.catalog import Catalog, fold, normalise_code
from geo.french import fmt_int, fmt_percent
from geo.perimeter import Perimeter, geometry_of

MAX_FILE_MB = 50
MAX_FILE_BYTES = MAX_FILE_MB * 2**20
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
    # Rows saying « no CPTS » (« HORS CPTS », empty): the value -> the codes of those rows.
    uncovered: dict[str, list[str]] = field(default_factory=dict)
    detection: Detection | None = None
    # The catalog to analyse the layer with, when the layer brought IRIS contours of its own.
    catalog: Catalog | None = None


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
    writer.writerows([inert(perimeter.name), code] for code in perimeter.sorted_codes())
    return out.getvalue()


# --- reading -----------------------------------------------------------------------

VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip")
# Beyond these a file is not a layer of CPTS (France has about 800): refused with a message
# rather than analysed for minutes (overlaps grow with the square of claimants per unit).
MAX_PERIMETERS = 2_000
MAX_ROWS = 60_000
# Vertices beyond which contours are simplified (~10 m), and beyond which refused.
MAX_VERTICES = 500_000
REFUSED_VERTICES = 5_000_000
SIMPLIFY_DEGREES = 1e-4
SHAPEFILE_TEXT_LIMIT = 254
# A unit with at least this share of its area in each of several contours is split between them.
SPLIT_SHARE = 0.2


class AmbiguousFileError(PerimeterFileError):
    """Two readings of the file are plausible (`kind` `code` or `group`); the user chooses
    among `candidates` (columns of the file: `columns`)."""

    def __init__(self, source: AmbiguousColumnsError):
        super().__init__(str(source))
        self.kind, self.candidates, self.columns = source.kind, source.candidates, source.columns


def read_layer(catalog: Catalog, data: bytes, filename: str, choice: ColumnChoice | None = None) -> Layer:
    """Perimeters from a file's bytes; the extension and the content tell the format, the
    content the columns (`choice` imposes them)."""
    choice = choice or ColumnChoice()
    if not data or not data.strip():
        raise PerimeterFileError(f"Le fichier « {filename} » est vide.")
    if len(data) > MAX_FILE_BYTES:
        raise PerimeterFileError(
            f"Le fichier « {filename} » dépasse {MAX_FILE_MB} Mo : "
            "exportez seulement les périmètres utiles.")
    suffix = Path(filename).suffix.lower()
    try:
        if is_spreadsheet(data, filename) or suffix in TABLE_SUFFIXES:
            return _layer_from_rows(catalog, read_table(data, filename), None, filename, choice)
        if suffix in VECTOR_SUFFIXES:
            frame, notes, projection_unknown = _read_vector(data, filename)
            return _layer_from_rows(catalog, pd.DataFrame(frame.drop(columns="geometry")),
                                    frame.geometry, filename, choice, notes, projection_unknown)
    except AmbiguousColumnsError as exc:
        raise AmbiguousFileError(exc) from exc
    except (TableError, ArchiveError, ColumnNotFoundError) as exc:
        raise PerimeterFileError(str(exc)) from exc
    raise PerimeterFileError(
        f"Format non reconnu pour « {filename} » : attendu GeoJSON, GeoPackage, Shapefile "
        "zippé, CSV, XLSX ou ODS de codes INSEE.")


def _column_key(name) -> str:
    """`Code INSEE` -> `code_insee`: how headers are matched."""
    return fold(str(name)).replace(" ", "_")


def _read_vector(data: bytes, filename: str) -> tuple[gpd.GeoDataFrame, list[str], bool]:
    """The features, French notes on what was repaired, and whether contours were set aside."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input" / Path(filename).name
        path.parent.mkdir()
        path.write_bytes(data)
        if path.suffix.lower() == ".zip":
            extract(path, Path(tmp) / "files")
            found = sorted((Path(tmp) / "files").rglob("*.shp")) + sorted((Path(tmp) / "files").rglob("*.gpkg"))
            found += sorted((Path(tmp) / "files").rglob("*.geojson"))
            if not found:
                raise PerimeterFileError(f"Aucun Shapefile (.shp), GeoPackage ni GeoJSON dans « {filename} ».")
            path = found[0]
            if path.suffix.lower() == ".shp":
                _check_shapefile_parts(path, filename)
        elif path.suffix.lower() == ".shp":
            raise PerimeterFileError(
                f"« {filename} » est seul : un Shapefile a besoin de ses fichiers .shx, .dbf et .prj. "
                "Zippez-les ensemble et importez le .zip.")
        frame = _read_features(path, filename)
    if frame.empty:
        raise PerimeterFileError(f"Le fichier « {filename} » ne contient aucune entité.")
    if len(frame) > MAX_ROWS:
        raise PerimeterFileError(f"« {filename} » compte {fmt_int(len(frame))} entités (limite "
                                 f"{fmt_int(MAX_ROWS)}) : exportez seulement le territoire utile.")
    truncated = _shapefile_truncations(frame, filename) if path.suffix.lower() == ".shp" else []
    frame, notes, projection_unknown = _in_wgs84(frame, filename)
    return frame, truncated + notes, projection_unknown


def _shapefile_truncations(frame: gpd.GeoDataFrame, filename: str) -> list[str]:
    """The Shapefile format cuts text at 254 characters: a list of codes longer than that
    loses its end. The partial last code is dropped and the user told which features lost
    codes (the file must be sent again as GeoJSON or GeoPackage to be complete)."""
    notes = []
    for column in frame.columns.drop(frame.geometry.name):
        values = frame[column]
        cut = values.map(lambda v: isinstance(v, str) and len(v) >= SHAPEFILE_TEXT_LIMIT)
        if not cut.any():
            continue
        frame.loc[cut, column] = values[cut].map(lambda v: re.sub(r"[,;\s]*[^,;\s]*$", "", v)
                                                 if not CODE_PATTERN.fullmatch(re.split(r"[,;\s]+", v)[-1]) else v)
        notes.append(f"« {filename} » (Shapefile) : la colonne « {column} » est coupée à {SHAPEFILE_TEXT_LIMIT} "
                     f"caractères pour {int(cut.sum())} entité(s) : leurs listes de codes sont incomplètes. "
                     "Demandez la couche en GeoJSON ou GeoPackage.")
    return notes


def _check_shapefile_parts(path: Path, filename: str) -> None:
    missing = [ext for ext in (".shx", ".dbf") if not any(
        p.suffix.lower() == ext for p in path.parent.glob(path.stem + ".*"))]
    if missing:
        raise PerimeterFileError(
            f"Le Shapefile de « {filename} » est incomplet : il manque {', '.join(missing)} "
            "(un Shapefile, ce sont au moins les fichiers .shp, .shx, .dbf et .prj du même nom).")


def _read_features(path: Path, filename: str) -> gpd.GeoDataFrame:
    """Every layer GDAL can read, with GeoJSON's codes-only features (null geometry) kept
    and lists (GeoJSON arrays) kept as lists."""
    if path.suffix.lower() in (".geojson", ".json"):
        return _read_geojson(path.read_bytes(), filename)
    try:
        import pyogrio

        layers = pyogrio.list_layers(path)
        layer = next((name for name, kind in layers if kind is not None), layers[0][0] if len(layers) else None)
        return gpd.read_file(path, layer=layer)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise PerimeterFileError(f"Fichier géographique illisible « {filename} » ({_first_line(exc)}).") from exc


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__


def _read_geojson(data: bytes, filename: str) -> gpd.GeoDataFrame:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PerimeterFileError(f"GeoJSON illisible « {filename} » : ce n'est pas du JSON valide "
                                 f"({_first_line(exc)}).") from exc
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    if not isinstance(doc, dict) or not isinstance(doc.get("features"), list):
        raise PerimeterFileError(f"« {filename} » n'est pas une FeatureCollection GeoJSON "
                                 "(liste « features » attendue).")
    rows, shapes = [], []
    for i, feature in enumerate(doc["features"], start=1):
        if not isinstance(feature, dict):
            raise PerimeterFileError(f"« {filename} » : l'entité n°{i} n'est pas un objet GeoJSON.")
        props = feature.get("properties") or {}
        rows.append(props if isinstance(props, dict) else {})
        geometry = feature.get("geometry")
        try:
            shapes.append(shapely.geometry.shape(geometry) if geometry else None)
        except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.GEOSException) as exc:
            raise PerimeterFileError(f"« {filename} » : géométrie illisible pour l'entité n°{i} "
                                     f"({_first_line(exc)}).") from exc
    crs = None
    name = ((doc.get("crs") or {}).get("properties") or {}).get("name") if isinstance(doc.get("crs"), dict) else None
    if name:
        crs = name
    try:
        return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=gpd.GeoSeries(shapes, crs=crs))
    except Exception as exc:  # an unknown CRS name
        raise PerimeterFileError(f"« {filename} » : système de coordonnées « {name} » inconnu.") from exc


def _in_wgs84(frame: gpd.GeoDataFrame, filename: str) -> tuple[gpd.GeoDataFrame, list[str], bool]:
    """To EPSG:4326, with French notes on what was done, and whether the contours were set
    aside because their coordinates cannot be degrees (a Lambert-93 file with no CRS: the
    codes, if any, are still used). A declared CRS placing the file far from France is
    refused. Codes-only features (no geometry) pass; points, lines and NaN coordinates are
    set aside, and said; above MAX_VERTICES the contours are simplified, and said."""
    frame, notes = frame.copy(), []
    shapes = frame.geometry.to_numpy()
    present = ~shapely.is_missing(shapes) & ~shapely.is_empty(shapes)
    polygonal = present & np.isin(shapely.get_type_id(shapes), (3, 6, 7))
    finite = np.array([not p or np.isfinite(shapely.get_coordinates(g)).all()
                       for p, g in zip(present, shapes, strict=True)], dtype=bool)
    usable = polygonal & finite
    if (present & ~usable).any():
        notes.append(f"{int((present & ~usable).sum())} entité(s) de « {filename} » sans polygone utilisable "
                     "(points, lignes ou coordonnées manquantes) : leur géométrie est ignorée.")
    frame.loc[~usable, frame.geometry.name] = None
    if not usable.any():
        return frame.set_crs(4326, allow_override=True), notes, False
    if frame.crs is None:
        frame = frame.set_crs(4326)
    minx, miny, maxx, maxy = frame.total_bounds
    if frame.crs.is_geographic and (abs(minx) > 180 or abs(maxx) > 180 or abs(miny) > 90 or abs(maxy) > 90):
        frame.loc[:, frame.geometry.name] = None
        notes.append(f"Les coordonnées de « {filename} » ne sont pas des degrés (x jusqu'à {fmt_int(maxx)} : "
                     "Lambert-93 sans système de coordonnées déclaré ?) : contours ignorés, périmètres "
                     "lus d'après leurs codes INSEE.")
        return frame.set_crs(4326, allow_override=True), notes, True
    frame = frame.to_crs(4326)
    if not shapely.box(*frame.total_bounds).intersects(FRANCE_BOXES):
        raise PerimeterFileError(
            f"« {filename} » tombe hors de France une fois projeté : son système de "
            "coordonnées déclaré est probablement faux.")
    geometry = frame.geometry.to_numpy()
    vertices = int(shapely.get_num_coordinates(geometry).sum())
    if vertices > REFUSED_VERTICES:
        raise PerimeterFileError(f"« {filename} » compte {fmt_int(vertices)} sommets (limite "
                                 f"{fmt_int(REFUSED_VERTICES)}) : simplifiez les contours avant l'import.")
    if vertices > MAX_VERTICES:
        geometry = shapely.simplify(geometry, SIMPLIFY_DEGREES)
        notes.append(f"Contours de « {filename} » simplifiés à environ 10 m pour l'analyse ({fmt_int(vertices)} "
                     f"sommets, au-delà de {fmt_int(MAX_VERTICES)}).")
    frame[frame.geometry.name] = shapely.make_valid(geometry)
    return frame, notes, False


def _metadata(value) -> dict:
    """The `metadata` object this module writes (a dict, or its JSON text once read back)."""
    if isinstance(value, str) and value.startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return dict(value) if isinstance(value, dict) else {}


def _property_value(value):
    """A feature property kept in metadata: text and numbers as they are, a list (a GeoJSON
    array, e.g. PACA's `infra: ["Nice"]` naming a shared city) as a list of text; else None."""
    if isinstance(value, (str, int, float)):
        return None if pd.isna(value) else value
    if pd.api.types.is_list_like(value) and not isinstance(value, dict):
        return [str(v) for v in value]
    return None


def _special_column(columns, prefix: str) -> str | None:
    """`arrondissements` and `metadata`, also as a Shapefile truncates them (10 characters)."""
    return next((c for c in columns if len(_column_key(c)) >= 6 and prefix.startswith(_column_key(c))), None)


def _row_codes(code_columns, rows: int) -> list[list[str]]:
    """Each row's codes: the finest column where filled (an IRIS), else the coarser."""
    if not code_columns:
        return [[] for _ in range(rows)]
    out = code_columns[0].codes
    for finer in code_columns[1:]:
        out = [f if f else c for c, f in zip(out, finer.codes, strict=True)]
    return [[c for c in codes if c] for codes in out]


def _layer_from_rows(catalog: Catalog, table: pd.DataFrame, geometry, filename: str,
                     choice: ColumnChoice, notes=(), projection_unknown: bool = False) -> Layer:
    """Perimeters from rows (of a table, or of a layer with `geometry`): the detected or
    imposed code and grouping columns decide what a perimeter is."""
    layer = Layer([])
    stem = Path(filename).stem or "Périmètre"
    if len(table) > MAX_ROWS:
        raise PerimeterFileError(
            f"« {filename} » compte {fmt_int(len(table))} lignes (limite {fmt_int(MAX_ROWS)}).")
    has_shapes = geometry is not None and geometry.notna().any()
    arr_col = _special_column(table.columns, "arrondissements") if geometry is not None else None
    meta_col = _special_column(table.columns, "metadata")
    special = [c for c in (arr_col, meta_col) if c]
    code_cols, code_candidates = detect_codes(catalog, table, choice, has_shapes, exclude=special)
    if not code_cols and not has_shapes:
        if projection_unknown:
            raise PerimeterFileError(
                f"Les coordonnées de « {filename} » ne sont pas des degrés : le fichier semble en "
                "Lambert-93 (EPSG:2154) sans système de coordonnées déclaré, et ne porte aucun code "
                "INSEE. Réexportez-le en WGS84 ou avec sa projection (.prj).")
        raise PerimeterFileError(
            "Aucune colonne de codes INSEE trouvée (codes de commune à 5 caractères ou d'IRIS "
            f"à 9) ni de contours. Colonnes lues : {', '.join(map(str, table.columns))}. Si une colonne "
            "porte des codes IRIS, importez d'abord les contours IRIS (page « Données », option --iris), "
            "ou indiquez-la (--code-column).")
    rows = _row_codes(code_cols, len(table))
    code_names = [c.name for c in code_cols]
    one_code_rows = bool(code_cols) and not any(c.multi for c in code_cols)
    group, labels, group_candidates = detect_group(catalog, table, choice, rows, one_code_rows,
                                                   exclude=special + code_names)
    detection = Detection(
        tuple(code_names), group, level_label(catalog, [c for r in rows for c in r]), tuple(labels),
        sum(c.restored for c in code_cols), next((c.example for c in code_cols if c.example), ""),
        code_candidates=tuple(code_candidates), group_candidates=tuple(group_candidates),
        columns=tuple(map(str, table.columns)), imposed_code=bool(choice.code),
        imposed_group=choice.group is not None)
    layer.detection = detection
    if has_shapes:
        catalog = _with_layer_iris(catalog, layer, rows, geometry, filename)
    keys = _row_keys(table, group, one_code_rows, geometry is not None, stem, detection, layer, rows)
    keys = _same_names(keys, choice, detection)
    order: dict[object, list[int]] = {}
    names: dict[object, str] = {}
    for i, key in enumerate(keys):
        if key is not None:
            order.setdefault(key[0], []).append(i)
            names[key[0]] = key[1]
    if len(order) > MAX_PERIMETERS:
        raise PerimeterFileError(
            f"« {filename} » décrit {fmt_int(len(order))} périmètres (limite {fmt_int(MAX_PERIMETERS)}) : "
            "ce n'est pas une couche de CPTS, ou la colonne de regroupement est mauvaise (option --name-column).")
    taken: set[str] = set()
    for group_key, members in order.items():
        _add_group(catalog, layer, names[group_key], taken, members, table, geometry, rows, special, code_names,
                   group, arr_col, meta_col)
    detection.perimeters = len(layer.perimeters)
    _place_contours(catalog, layer)
    if one_code_rows:
        _shared_large_communes(catalog, layer)
    layer.warnings[:0] = list(notes)
    if not layer.perimeters:
        raise PerimeterFileError(f"Aucun périmètre utilisable dans « {filename} ».")
    return layer


def _row_keys(table, group, one_code_rows, features, stem, detection, layer, rows) -> list[tuple[object, str] | None]:
    """The perimeter each row belongs to, as (key, name); None when the row says « no
    CPTS ». Rows of one code each are grouped by name; a feature listing its codes (or
    drawing its contour) is a perimeter of its own, named or not."""
    values = [None] * len(table) if not group else [
        "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v).strip() for v in table[group]]
    grouped = group and (one_code_rows or not features)
    keys: list[tuple[object, str] | None] = []
    for i, (value, codes) in enumerate(zip(values, rows, strict=True), start=1):
        if value is not None and is_no_cpts(value) and (grouped or value):
            detection.uncovered[value] = detection.uncovered.get(value, 0) + 1
            layer.uncovered.setdefault(value, []).extend(codes)
            keys.append(None)
        elif grouped and value is not None:  # (values are None only without a grouping column)
            keys.append((value, value))
        elif not group and (one_code_rows or not features):
            keys.append((stem, stem))
        else:
            keys.append((i, value or f"CPTS sans nom n°{i}"))
    return keys


def _same_names(keys: list[tuple[object, str] | None], choice: ColumnChoice,
                detection: Detection) -> list[tuple[object, str] | None]:
    """Features (each its own perimeter) carrying the same name: one CPTS exported in pieces
    (QGIS « multipart to single parts »), or distinct CPTS? The user says which (`choice`);
    until then AmbiguousColumnsError asks."""
    counts = Counter(key[1] for key in keys if key is not None and isinstance(key[0], int))
    repeated = sorted(name for name, n in counts.items() if n > 1)
    if not repeated:
        return keys
    detection.same_names, detection.same_name = tuple(repeated), choice.same_name
    if choice.same_name is None:
        raise AmbiguousColumnsError("same_name", repeated, list(detection.columns))
    if choice.same_name == "separate":
        return keys
    merged = set(repeated)
    return [(("name", key[1]), key[1]) if key is not None and isinstance(key[0], int) and key[1] in merged
            else key for key in keys]


def _add_group(catalog, layer, name, taken, members, table, geometry, rows, special, code_names, group, arr_col,
               meta_col) -> None:
    codes = [c for i in members for c in rows[i]]
    if arr_col:
        arrondissements = [normalise_code(a) for i in members for a in cell_codes(table[arr_col].iat[i])]
        parents = {catalog.units["parent_code"].get(a) for a in arrondissements}
        codes = [c for c in codes if c not in parents] + arrondissements
    extra: dict = {}
    if len(members) == 1:
        row = table.iloc[members[0]]
        extra = _metadata(row[meta_col]) if meta_col else {}
        kept = {k: _property_value(v) for k, v in row.items() if k not in (*special, *code_names, group)}
        extra.update({k: v for k, v in kept.items() if v is not None})
    if name.startswith("CPTS sans nom n°"):
        layer.warnings.append(f"L'entité n°{members[0] + 1} n'a pas de nom : nommée « {name} ».")
    shape = None
    if geometry is not None:
        shapes = [s for s in geometry.iloc[members] if s is not None and not s.is_empty]
        shape = shapes[0] if len(shapes) == 1 else (shapely.union_all(shapes, grid_size=1e-6) if shapes else None)
    if not codes and shape is None:
        layer.warnings.append(f"« {name} » n'a ni codes ni géométrie : ignorée.")
        return
    if not codes:
        extra["codes_from_geometry"] = True  # placed with the layer's other contours
    name = _add(catalog, layer, name, codes, extra, taken)
    if shape is not None:
        layer.geometries[name] = shape


def _place_contours(catalog: Catalog, layer: Layer) -> None:
    """Perimeters given by a contour only get the units mostly inside it: communes, and in
    Paris, Lyon and Marseille their arrondissements. A unit cut between several contours
    (at least SPLIT_SHARE of it in each) is shared with an unknown split (as a layer's
    `infra` property says), not an overlap; a contour placing no unit is said."""
    drawn = {p.name: layer.geometries[p.name] for p in layer.perimeters
             if p.metadata.get("codes_from_geometry") and p.name in layer.geometries}
    if not drawn:
        return
    units = catalog.units
    split_cities = set(units.loc[units["level"] == "arrondissement", "parent_code"])
    candidates = units[((units["level"] == "commune") & ~units.index.isin(split_cities))
                       | (units["level"] == "arrondissement")]
    shares = area_shares(candidates, drawn)
    placed: dict[str, set[str]] = {name: set() for name in drawn}
    shared: dict[str, list[str]] = {name: [] for name in drawn}
    label = catalog.column("name")
    for code, rows in shares.groupby("code"):
        parts = rows[rows["share"] >= SPLIT_SHARE]
        if len(parts) >= 2:
            for name in parts["name"]:
                placed[name].add(code)
                shared[name].append(code)
            layer.warnings.append(
                f"{label.get(code, code)} ({code}) est partagée entre les contours de " + ", ".join(
                    f"« {n} » ({fmt_percent(v, 0)})" for n, v in zip(parts["name"], parts["share"], strict=True))
                + " : découpage infra-communal inconnu.")
        elif rows["share"].max() > 0.5:
            placed[rows.loc[rows["share"].idxmax(), "name"]].add(code)
    for i, p in enumerate(layer.perimeters):
        if p.name not in drawn:
            continue
        metadata = dict(p.metadata)
        if shared[p.name]:
            metadata["infra"] = sorted(shared[p.name])
        layer.perimeters[i] = Perimeter(p.name, frozenset(placed[p.name]), metadata)
        if not placed[p.name]:
            layer.warnings.append(f"« {p.name} » : son contour ne couvre la majeure partie d'aucune commune "
                                  "ni d'aucun arrondissement : aucune unité placée, pas de Taille.")


def _shared_large_communes(catalog: Catalog, layer: Layer) -> None:
    """A table of one code per row cannot say how CPTS listing the same large commune (Nice
    in three CPTS) split it: each claimant is marked as holding an unknown part of it (the
    `infra` property a GeoJSON layer would carry), so its population is a range, not the
    whole city counted three times; a small commune listed twice stays an overlap."""
    claimants: dict[str, list[Perimeter]] = {}
    for p in layer.perimeters:
        for code in p.codes:
            claimants.setdefault(code, []).append(p)
    name = catalog.column("name")
    shared = {c: ps for c, ps in claimants.items() if len(ps) > 1 and catalog.column("level").get(c) == "commune"
              and catalog.is_large(c)}
    for code, perimeters in sorted(shared.items()):
        for p in perimeters:
            p.metadata.setdefault("infra", []).append(code)
        layer.warnings.append(
            f"{name.get(code, code)} ({code}) est listée par {fmt_int(len(perimeters))} CPTS ("
            + ", ".join(f"« {p.name} »" for p in perimeters) + ") : le fichier ne dit pas comment elle est "
            "partagée (IRIS, quartiers), chacune en détient une partie inconnue.")


def _with_layer_iris(catalog: Catalog, layer: Layer, rows, geometry, filename: str) -> Catalog:
    """When the layer is cut by IRIS the catalog lacks, its own IRIS contours serve as those
    communes' IRIS (a city split between CPTS is a split, not an overlap)."""
    units, have = catalog.units.index, catalog.iris_communes()
    picked: dict[str, object] = {}  # IRIS code -> its contour
    for codes, shape in zip(rows, geometry, strict=True):
        if len(codes) == 1 and len(codes[0]) == 9 and codes[0] not in units and shape is not None:
            code = codes[0]
            commune = catalog.successors.get(code[:5], code[:5])
            if commune in units and commune not in have:
                picked.setdefault(code, shape)
    if not picked:
        return catalog
    raw = gpd.GeoDataFrame({"code": list(picked), "iris_commune": [c[:5] for c in picked]},
                           geometry=list(picked.values()), crs=4326)
    from formats.iris import as_iris_units
    from geo.units import load_communes

    iris = as_iris_units(raw, load_communes(), catalog.successors)
    extended = catalog.with_iris(iris, f"IRIS de la couche « {filename} »")
    layer.catalog = extended
    communes = sorted({c[:5] for c in picked})
    layer.warnings.append(
        f"Contours IRIS pris dans la couche elle-même pour {fmt_int(len(picked))} IRIS de {fmt_int(len(communes))} "
        "commune(s) (aucun contour IRIS importé pour elles) ; leur population est une estimation "
        "(ou inconnue) tant que la population INSEE par IRIS n'est pas importée.")
    # A commune whose IRIS the layer gives only in part: the missing ones are invisible here.
    area = catalog.column("area_km2")
    name = catalog.column("name")
    for parent, got in iris.groupby("parent_code")["area_km2"].sum().items():
        whole = area.get(parent)
        if whole and got < 0.9 * whole:
            layer.warnings.append(
                f"Les IRIS de « {filename} » ne couvrent que {fmt_percent(got / whole, 0)} de "
                f"{name.get(parent, parent)} "
                f"({parent}) : ses autres IRIS manquent à la couche, ses chiffres sont incomplets. Importez les "
                "contours IRIS de l'IGN (page « Données », option --iris).")
    return extended


def _add(catalog: Catalog, layer: Layer, name: str, codes: list[str], metadata: dict,
         taken: set[str]) -> str:
    """Append a perimeter (renamed if its name is `taken`); returns the name it got."""
    if name in taken:
        k = 2
        while f"{name} ({k})" in taken:
            k += 1
        layer.warnings.append(f"Nom en double « {name} » : la seconde entité devient « {name} ({k}) ».")
        name = f"{name} ({k})"
    taken.add(name)
    resolution = catalog.resolve(codes)
    if resolution.unknown:
        layer.unknown_codes[name] = list(resolution.unknown)
    layer.remapped.update(resolution.remapped)
    layer.perimeters.append(Perimeter(name, frozenset(resolution.codes), metadata))
    return name
