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
