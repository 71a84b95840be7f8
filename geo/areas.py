"""Areas and lengths in metres or km², each territory in its own projected CRS (never in degrees).

Lambert-93 for metropolitan France and Corsica; the official local UTM projections for
the overseas départements, where Lambert-93 would distort areas badly (Réunion's by a factor
~3.5). A unit's CRS follows its département (`projected_crs`); a shape known only by where it
lies (a drawn polygon, an imported contour) follows its place (`crs_of_place`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

METROPOLE_CRS = 2154  # RGF93 v1 / Lambert-93
OVERSEAS_CRS = {
    "971": 5490,  # Guadeloupe: RGAF09 / UTM 20N
    "972": 5490,  # Martinique: RGAF09 / UTM 20N
    "973": 2972,  # Guyane: RGFG95 / UTM 22N
    "974": 2975,  # La Réunion: RGR92 / UTM 40S
    "976": 4471,  # Mayotte: RGM04 / UTM 38S
}

# Where each overseas département lies (lon/lat: west, south, east, north): the extent of its
# communes (embedded data, COG 2026) widened by about 0.2°, far from any other territory;
# tests/test_areas.py checks that every commune of France falls in its own.
OVERSEAS_EXTENTS = {
    "971": (-62.0, 15.6, -60.8, 16.7),
    "972": (-61.4, 14.2, -60.6, 15.1),
    "973": (-54.8, 1.9, -51.4, 6.0),
    "974": (55.0, -21.6, 56.0, -20.6),
    "976": (44.8, -13.2, 45.5, -12.4),
}


def projected_crs(dep: str) -> int:
    """The EPSG code to measure units of département `dep` in."""
    return OVERSEAS_CRS.get(dep, METROPOLE_CRS)


def local_crs(units: gpd.GeoDataFrame) -> np.ndarray:
    """The EPSG code of each unit, from its département (`dep` column)."""
    return units["dep"].map(projected_crs).to_numpy()


def crs_of_place(geometry) -> int:
    """The EPSG code to measure a shape in EPSG:4326 known only by where it lies: that of
    the overseas département whose extent holds its representative point, else Lambert-93
    (also for an empty shape, which lies nowhere).

    >>> from shapely import box
    >>> crs_of_place(box(55.4, -21.0, 55.5, -20.9))  # Saint-Denis, La Réunion
    2975
    >>> crs_of_place(box(2.1, 43.9, 2.2, 44.0))  # Albi
    2154
    >>> crs_of_place(shapely.Polygon())
    2154
    """
    if geometry is None or geometry.is_empty:
        return METROPOLE_CRS
    x, y = shapely.get_coordinates(shapely.point_on_surface(geometry))[0]
    return next((projected_crs(dep) for dep, (west, south, east, north) in OVERSEAS_EXTENTS.items()
                 if west <= x <= east and south <= y <= north), METROPOLE_CRS)


def projected(geometries, crs) -> np.ndarray:
    """Shapes (a GeoSeries in its CRS, or an array in EPSG:4326), each moved to its own CRS
    (`crs`: one EPSG code per shape, or one for all), as an array of shapely geometries in metres."""
    source = getattr(geometries, "crs", None) or 4326
    geometries = gpd.GeoSeries(np.asarray(geometries, dtype=object), crs=source)
    codes = np.broadcast_to(np.asarray(crs), len(geometries))
    out = np.empty(len(geometries), dtype=object)
    for code in np.unique(codes):
        rows = np.flatnonzero(codes == code)
        out[rows] = geometries.iloc[rows].to_crs(int(code)).to_numpy()
    return out


def area_km2(units: gpd.GeoDataFrame) -> pd.Series:
    """Area of each unit in km², NaN where it has no contour. Needs a `dep` column."""
    area = shapely.area(projected(units.geometry, local_crs(units))) / 1e6
    return pd.Series(area, index=units.index, dtype="float64").round(4)


def mostly_inside(units: gpd.GeoDataFrame, polygon, min_share: float = 0.5) -> list[str]:
    """Codes of `units` with more than `min_share` of their area inside `polygon` (a drawn
    shape in EPSG:4326, repaired if it crosses itself), measured in the CRS of its place."""
    if not polygon.is_valid:
        polygon = shapely.make_valid(polygon)
    candidates = units[units.geometry.notna() & units.intersects(polygon)]
    if candidates.empty:
        return []
    crs = crs_of_place(polygon)
    own = projected(candidates.geometry, crs)
    share = shapely.area(shapely.intersection(own, projected([polygon], crs)[0])) / shapely.area(own)
    return candidates["code"][share > min_share].tolist()


def area_shares(units: gpd.GeoDataFrame, shapes: dict) -> pd.DataFrame:
    """Columns `name`, `code`, `share`: the share of each unit's area inside each named shape
    (EPSG:4326), where they meet, measured in the CRS of the shape's place. Units are first
    narrowed by the spatial index, so a layer over one région does not project all of France."""
    if not shapes:
        return pd.DataFrame(columns=["name", "code", "share"])
    names = list(shapes)
    polygons = [shape if shape.is_valid else shapely.make_valid(shape) for shape in shapes.values()]
    near = units.iloc[np.unique(units.sindex.query(polygons, predicate="intersects")[1])]
    near = near[near.geometry.notna()]
    if near.empty:
        return pd.DataFrame(columns=["name", "code", "share"])
    which_shape, which_unit = near.sindex.query(polygons, predicate="intersects")
    crs = np.array([crs_of_place(polygon) for polygon in polygons])[which_shape]
    left = projected(near.geometry.to_numpy()[which_unit], crs)
    right = projected(np.asarray(polygons, dtype=object)[which_shape], crs)
    share = shapely.area(shapely.intersection(left, right)) / shapely.area(left)
    return pd.DataFrame({"name": np.array(names, dtype=object)[which_shape],
                         "code": near["code"].to_numpy()[which_unit], "share": share})
