"""Areas in km², each territory in its own projected CRS (never in degrees).

Lambert-93 for metropolitan France and Corsica; the official local UTM projections for
the overseas départements, where Lambert-93 would distort areas badly.
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


def projected_crs(dep: str) -> int:
    """The EPSG code to measure units of département `dep` in."""
    return OVERSEAS_CRS.get(dep, METROPOLE_CRS)


def area_km2(units: gpd.GeoDataFrame) -> pd.Series:
    """Area of each unit in km², NaN where it has no contour. Needs a `dep` column."""
    out = pd.Series(np.nan, index=units.index, dtype="float64")
    crs_per_row = units["dep"].map(projected_crs)
    for crs, rows in units.groupby(crs_per_row).groups.items():
        out[rows] = units.loc[rows].geometry.to_crs(crs).area.to_numpy() / 1e6
    return out.round(4)


def mostly_inside(units: gpd.GeoDataFrame, polygon, min_share: float = 0.5) -> list[str]:
    """Codes of `units` with more than `min_share` of their area inside `polygon` (a drawn
    shape in EPSG:4326, repaired if it crosses itself), measured in Lambert-93."""
    if not polygon.is_valid:
        polygon = shapely.make_valid(polygon)
    candidates = units[units.geometry.notna() & units.intersects(polygon)]
    if candidates.empty:
        return []
    projected = candidates.geometry.to_crs(METROPOLE_CRS)
    shape = gpd.GeoSeries([polygon], crs=4326).to_crs(METROPOLE_CRS).iloc[0]
    share = projected.intersection(shape).area / projected.area
    return candidates["code"][share.to_numpy() > min_share].tolist()


def area_shares(units: gpd.GeoDataFrame, shapes: dict) -> pd.DataFrame:
    """Columns `name`, `code`, `share`: the share of each unit's area inside each named shape
    (EPSG:4326), where they meet, measured in Lambert-93. Units are first narrowed by the
    spatial index, so a layer over one région does not project all of France."""
    if not shapes:
        return pd.DataFrame(columns=["name", "code", "share"])
    names = list(shapes)
    polygons = [shape if shape.is_valid else shapely.make_valid(shape) for shape in shapes.values()]
    near = units.iloc[np.unique(units.sindex.query(polygons, predicate="intersects")[1])]
    near = near[near.geometry.notna()]
    if near.empty:
        return pd.DataFrame(columns=["name", "code", "share"])
    which_shape, which_unit = near.sindex.query(polygons, predicate="intersects")
    projected_units = near.geometry.to_crs(METROPOLE_CRS).to_numpy()
    projected_shapes = gpd.GeoSeries(polygons, crs=4326).to_crs(METROPOLE_CRS).to_numpy()
    left, right = projected_units[which_unit], projected_shapes[which_shape]
    share = shapely.area(shapely.intersection(left, right)) / shapely.area(left)
    return pd.DataFrame({"name": np.array(names, dtype=object)[which_shape],
                         "code": near["code"].to_numpy()[which_unit], "share": share})
